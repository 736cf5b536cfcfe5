//! The grid geography over JSON: regions (list, one, children, GeoJSON), the buildings in
//! a region, and `locate`.

use axum::Router;
use axum::routing::get;

use crate::App;

pub use tongxin_app::geo::*;

pub mod buildings;
pub mod locate;
pub mod regions;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/regions", get(regions::list))
        .route("/regions.geojson", get(regions::feature_collection))
        .route("/regions/{code}", get(regions::one))
        .route("/regions/{code}/children", get(regions::children))
        .route("/regions/{code}/geojson", get(regions::feature))
        .route("/regions/{code}/buildings", get(buildings::list))
        .route("/buildings", get(buildings::search))
        .route("/buildings/{id}", get(buildings::one))
        .route("/locate", get(locate::locate))
}
