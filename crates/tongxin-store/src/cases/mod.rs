//! Cases in the database: the catalog (departments, categories, dispatch rules, calendar
//! overrides) in [`catalog`], the cases with their timeline in [`records`], the moves along
//! the lifecycle in [`transitions`], and the overdue sweep in [`overdue`].

pub mod catalog;
pub mod overdue;
pub mod records;
pub mod transitions;

pub use records::{CaseFilter, CaseRecord, CaseScope, Event, NewCase};
pub use transitions::{ActionInput, Transition};
