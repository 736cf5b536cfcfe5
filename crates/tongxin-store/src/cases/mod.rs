//! Cases in the database: the catalog (departments, categories, dispatch rules, calendar
//! overrides) in [`catalog`], the cases with their timeline in [`records`], the moves along
//! the lifecycle in [`transitions`], the overdue sweep in [`overdue`], merging duplicates in [`merge`], photo rows in [`photos`], who filed a
//! replayed order in [`replay`], and cases with a past written in bulk in [`history`].

pub mod catalog;
pub mod history;
mod listing;
pub mod merge;
pub mod overdue;
pub mod photos;
pub mod place;
pub mod records;
mod replay;
pub mod transitions;

pub use catalog::{Suggestion, SuggestionReason};
pub use history::{PastCase, PastEvent};
pub use photos::{NewPhoto, Photo};
pub use records::{CaseFilter, CaseOrder, CaseRecord, CaseScope, Event, NewCase};
pub use transitions::{ActionInput, Transition};
