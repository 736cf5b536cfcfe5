//! Locating a point (behind `GET /locate?lat=&lng=[&crs=]`): which subdistrict, community,
//! grid and building group a point is in.

use serde::Serialize;
use tongxin_core::geo::{Crs, LatLng, RegionLevel, RegionPath};
use utoipa::ToSchema;

use super::{Point, RegionBrief};
use crate::Error;
use crate::params::Params;

#[derive(Debug, Serialize, ToSchema)]
pub struct Location {
    /// The point in WGS-84, after conversion from the stated `crs`.
    pub point: Point,
    /// The coordinate system the caller stated.
    #[schema(example = "wgs84")]
    pub crs: String,
    pub subdistrict: Option<RegionBrief>,
    pub community: Option<RegionBrief>,
    pub grid: Option<RegionBrief>,
    pub block: Option<RegionBrief>,
    /// Every region holding the point, from the top of the tree down.
    pub path: Vec<RegionBrief>,
}

impl Location {
    pub fn new(point: LatLng, crs: Crs, path: &RegionPath) -> Self {
        let at = |level| path.at(level).map(RegionBrief::from);
        Self {
            point: point.into(),
            crs: crs.as_str().into(),
            subdistrict: at(RegionLevel::Subdistrict),
            community: at(RegionLevel::Community),
            grid: at(RegionLevel::Grid),
            block: at(RegionLevel::Block),
            path: path.regions().iter().map(RegionBrief::from).collect(),
        }
    }
}

/// Reads `lat`, `lng` and `crs` (wgs84 by default, or gcj02 / bd09) into a WGS-84 point.
pub fn point_param(params: &Params) -> Result<(LatLng, Crs), Error> {
    let crs = params.parse::<Crs>("crs")?.unwrap_or_default();
    let lat = params.get("lat").ok_or_else(|| Error::invalid("lat", "lat is required"))?;
    let lng = params.get("lng").ok_or_else(|| Error::invalid("lng", "lng is required"))?;
    let point = LatLng::parse(lat, lng, crs).map_err(|e| Error::invalid(e.field(), e.to_string()))?;
    Ok((point, crs))
}
