//! The grid geography: regions (list, one, children, GeoJSON), the buildings in a region,
//! and `locate`.

use serde::Serialize;
use tongxin_core::geo::{LatLng, RegionRef};
use utoipa::ToSchema;

pub mod buildings;
pub mod locate;
pub mod regions;

/// A region without its geometry.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionBrief {
    /// Region code: 6 digits for a district, 9 subdistrict, 12 community, 15 grid, 18 building group.
    #[schema(example = "310106013001001")]
    pub code: String,
    #[schema(example = "景华第一网格")]
    pub name: String,
    /// district, subdistrict, community, grid or block
    #[schema(example = "grid")]
    pub level: String,
}

impl From<&RegionRef> for RegionBrief {
    fn from(r: &RegionRef) -> Self {
        Self { code: r.code.to_string(), name: r.name.clone(), level: r.level.to_string() }
    }
}

/// A WGS-84 point.
#[derive(Debug, Serialize, ToSchema)]
pub struct Point {
    #[schema(example = 31.2235)]
    pub lat: f64,
    #[schema(example = 121.4455)]
    pub lng: f64,
}

impl From<LatLng> for Point {
    fn from(p: LatLng) -> Self {
        Self { lat: p.lat(), lng: p.lng() }
    }
}
