//! Pages of the grid geography: the map (`/map`) and a region's page (`/regions/{code}`).

use axum::Router;
use axum::routing::get;

use crate::App;

pub mod map;
pub mod region;
pub mod svg;

pub fn routes() -> Router<App> {
    Router::new().route("/map", get(map::page)).route("/regions/{code}", get(region::page))
}
