//! `GET /locate?lat=&lng=[&crs=]`: which subdistrict, community, grid and building group
//! a point is in.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use tongxin_core::geo::{Crs, LatLng, RegionLevel, RegionPath};
use utoipa::ToSchema;

use super::{Point, RegionBrief};
use crate::api::params::Params;
use crate::auth::ApiCaller;
use crate::{ApiError, App};
use tongxin_core::access::Permission;

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
pub fn point_param(params: &Params) -> Result<(LatLng, Crs), ApiError> {
    let crs = params.parse::<Crs>("crs")?.unwrap_or_default();
    let lat = params.get("lat").ok_or_else(|| ApiError::invalid("lat", "lat is required"))?;
    let lng = params.get("lng").ok_or_else(|| ApiError::invalid("lng", "lng is required"))?;
    let point = LatLng::parse(lat, lng, crs).map_err(|e| ApiError::invalid(e.field(), e.to_string()))?;
    Ok((point, crs))
}

/// Finds the regions holding a point.
#[utoipa::path(get, path = "/api/v1/locate", tag = "geo",
    params(
        ("lat" = f64, Query, description = "latitude, -90 to 90"),
        ("lng" = f64, Query, description = "longitude, -180 to 180"),
        ("crs" = Option<String>, Query, description = "wgs84 (default), gcj02 (高德/腾讯) or bd09 (百度)"),
    ),
    responses(
        (status = 200, body = Location),
        (status = 400, description = "lat, lng or crs is missing or invalid; details.field names it"),
        (status = 404, description = "the point is outside every region (error code outside_area)"),
    ))]
pub async fn locate(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Json<Location>, ApiError> {
    who.require(&app, Permission::GeoRead).await?;
    let (point, crs) = point_param(&params)?;
    let locator = app.geo.current();
    // A point in someone else's regions gets the same answer as a point in none.
    let path = locator
        .locate(point)
        .filter(|path| path.deepest().is_some_and(|r| who.actor.covers(&r.code)))
        .ok_or_else(|| ApiError::NotFound {
            code: "outside_area",
            message: format!("no region contains the point {point} (WGS-84)"),
        })?;
    Ok(Json(Location::new(point, crs, path)))
}
