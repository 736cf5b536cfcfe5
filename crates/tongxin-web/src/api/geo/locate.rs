//! `GET /locate?lat=&lng=[&crs=]`: which subdistrict, community, grid and building group
//! a point is in.

use axum::Json;
use axum::extract::State;
use tongxin_core::access::Permission;

use crate::auth::ApiCaller;
use crate::params::Params;
use crate::{ApiError, App};

pub use tongxin_app::geo::locate::*;

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
