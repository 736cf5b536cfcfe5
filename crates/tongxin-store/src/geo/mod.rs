//! The grid geography in the database: the region tree ([`regions`]) and the buildings
//! on it ([`buildings`]).
//!
//! Every change to the regions bumps `geo_revision` in the same transaction, so that each
//! node's in-memory locator can tell it is stale.

pub mod buildings;
pub mod regions;

pub use buildings::BuildingFilter;
pub use regions::{RegionFilter, RegionImportError};

/// `LIKE` pattern for every code in the subtree of `code`. Codes are digits only, so
/// nothing in them needs escaping.
fn subtree_pattern(code: &tongxin_core::geo::RegionCode) -> String {
    format!("{code}%")
}
