//! Cases (案件): the GB/T 30428 closed loop from report to evaluation.
//!
//! - [`calendar`]: working time on the PRC calendar, deadlines and SLA colours.
//! - [`lifecycle`]: the one state machine: statuses, actions, who may take them.

pub mod calendar;
pub mod lifecycle;
