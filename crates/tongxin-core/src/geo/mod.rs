//! The grid geography (四级网格): district (区) → subdistrict (街道) → community (居民区)
//! → grid (网格) → building group (楼组), and the buildings (楼栋) on it.
//!
//! - [`code`]: [`RegionCode`] and [`RegionLevel`]; a code's length says its level and its
//!   prefix names its parent.
//! - [`point`]: [`LatLng`] (always WGS-84) and [`Crs`], the coordinate systems callers may
//!   speak (GCJ-02 for 高德/腾讯, BD-09 for 百度).
//! - [`region`]: [`Region`] and [`Building`] records and their geometry.
//! - [`locator`]: [`Locator`], an R-tree answering "which grid is this point in?".
//! - [`address`]: which registered building an address in words names.
//! - [`import`]: the checks a GeoJSON FeatureCollection passes before anything is stored.

pub mod address;
pub mod code;
pub mod import;

pub mod locator;
pub mod point;
pub mod region;

pub use code::{CodeError, RegionCode, RegionLevel};
pub use import::{FeatureProblem, ImportError, ImportPlan, Problem, check_import};

pub use locator::{Locator, RegionPath, RegionRef};
pub use point::{Crs, LatLng, PointError};
pub use region::{Building, BuildingError, NewBuilding, Region};
