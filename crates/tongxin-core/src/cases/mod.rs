//! Cases (案件): the GB/T 30428 closed loop from report to evaluation.
//!
//! - [`calendar`]: working time on the PRC calendar, deadlines and SLA colours.
//! - [`catalog`]: categories (部件/事件), their limits, criteria and extra attributes.
//! - [`lifecycle`]: the one state machine: statuses, actions, who may take them.
//! - [`clock`]: which deadline runs after each step.
//! - [`notify`]: who hears about each step, and what they are told.
//! - [`photo`]: which uploads are photos, and what is kept of them (no EXIF).
//! - [`report`]: sources and the rules a report's text must keep.

pub mod calendar;
pub mod catalog;
pub mod clock;
pub mod lifecycle;
pub mod notify;
pub mod photo;
pub mod report;
