//! Tongxin's domain: the types and rules every other crate speaks, with no I/O.
//!
//! # Layout
//!
//! Folders are named after capabilities, and the same names appear in every layer crate
//! (`tongxin-store`, `tongxin-web`), so a reader who looks for "geo" finds it everywhere.
//!
//! - [`geo`]: the four-level grid geography (四级网格): region codes and levels, points and
//!   coordinate systems (WGS-84, GCJ-02, BD-09), buildings, the in-memory R-tree
//!   [`geo::Locator`] and the checks a GeoJSON import must pass.
//! - [`registry`]: the community registry's vocabularies and field checks.
//! - [`booking`]: the service door's vocabularies, eligibility rules and timetables.
//! - [`campaigns`]: campaigns' target kinds, checklists and the answers they accept, and
//!   the shipped templates.
//! - [`time`]: instants stored as UTC milliseconds and shown in Asia/Shanghai.
//! - [`xlsx_guard`]: the check every uploaded XLSX passes before a workbook reader opens
//!   it (how far it inflates, and how fast).
//!
//! Values are parsed into these types at the edge (HTTP, CLI, import files); after that,
//! code cannot hold an invalid code, level or coordinate.

#[macro_use]
mod macros;

pub mod access;
pub mod booking;
pub mod campaigns;
pub mod cases;
pub mod geo;
pub mod pii;
pub mod registry;
pub mod time;
pub mod xlsx_guard;
