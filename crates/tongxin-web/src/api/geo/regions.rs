//! `GET /regions`, `/regions/{code}`, `/regions/{code}/children`, `/regions/{code}/geojson`
//! and `/regions.geojson`.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use geo::BoundingRect;
use serde_json::{Value, json};
use tongxin_store::geo::RegionFilter;

use crate::auth::ApiCaller;
use crate::params::{CodePath, Params};
use crate::{ApiError, App};

pub use tongxin_app::geo::regions::*;

/// Lists regions, optionally by level, parent or subtree.
#[utoipa::path(get, path = "/api/v1/regions", tag = "geo",
    params(
        ("level" = Option<String>, Query, description = "district, subdistrict, community, grid or block"),
        ("parent" = Option<String>, Query, description = "only the direct children of this code"),
        ("within" = Option<String>, Query, description = "only this region and its descendants"),
    ),
    responses((status = 200, body = RegionList), (status = 400, description = "a parameter is invalid")))]
pub async fn list(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Json<RegionList>, ApiError> {
    let regions = visible_regions(&app, &who, &params).await?;
    let items: Vec<_> = regions.iter().map(summary).collect();
    Ok(Json(RegionList { total: items.len(), items }))
}

/// One region, with its ancestors and counts.
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "geo",
    params(("code" = String, Path, description = "region code")),
    responses((status = 200, body = RegionDetail), (status = 400), (status = 404)))]
pub async fn one(
    State(app): State<App>,
    who: ApiCaller,
    CodePath(code): CodePath,
) -> Result<Json<RegionDetail>, ApiError> {
    let region = visible_region(&app, &who, &code).await?;
    let path = app.store.ancestors(&code).await?;
    let children = app.store.regions(&RegionFilter { parent: Some(code.clone()), ..Default::default() }).await?;
    let bbox = region.shape().and_then(|s| s.bounding_rect()).map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]);
    Ok(Json(RegionDetail {
        summary: summary(&region),
        path: path.iter().map(|r| summary(r).region).collect(),
        children: children.len() as i64,
        buildings: app.store.count_buildings(&code).await?,
        bbox,
    }))
}

/// The direct children of a region.
#[utoipa::path(get, path = "/api/v1/regions/{code}/children", tag = "geo",
    params(("code" = String, Path, description = "region code")),
    responses((status = 200, body = RegionList), (status = 400), (status = 404)))]
pub async fn children(
    State(app): State<App>,
    who: ApiCaller,
    CodePath(code): CodePath,
) -> Result<Json<RegionList>, ApiError> {
    visible_region(&app, &who, &code).await?;
    let regions = app.store.regions(&RegionFilter { parent: Some(code), ..Default::default() }).await?;
    let items: Vec<_> = regions.iter().map(summary).collect();
    Ok(Json(RegionList { total: items.len(), items }))
}

fn geojson(body: Value) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/geo+json")], body.to_string())
}

/// One region as a GeoJSON Feature (WGS-84).
#[utoipa::path(get, path = "/api/v1/regions/{code}/geojson", tag = "geo",
    params(("code" = String, Path, description = "region code")),
    responses((status = 200, description = "a GeoJSON Feature", content_type = "application/geo+json"), (status = 400), (status = 404)))]
pub async fn feature(
    State(app): State<App>,
    who: ApiCaller,
    CodePath(code): CodePath,
) -> Result<impl IntoResponse, ApiError> {
    let region = visible_region(&app, &who, &code).await?;
    Ok(geojson(feature_json(&region)))
}

/// Regions as a GeoJSON FeatureCollection (WGS-84), filtered like `/regions`.
#[utoipa::path(get, path = "/api/v1/regions.geojson", tag = "geo",
    params(
        ("level" = Option<String>, Query, description = "district, subdistrict, community, grid or block"),
        ("parent" = Option<String>, Query, description = "only the direct children of this code"),
        ("within" = Option<String>, Query, description = "only this region and its descendants"),
    ),
    responses((status = 200, description = "a GeoJSON FeatureCollection", content_type = "application/geo+json"), (status = 400)))]
pub async fn feature_collection(
    State(app): State<App>,
    who: ApiCaller,
    params: Params,
) -> Result<impl IntoResponse, ApiError> {
    let regions = visible_regions(&app, &who, &params).await?;
    let features: Vec<_> = regions.iter().map(feature_json).collect();
    Ok(geojson(json!({ "type": "FeatureCollection", "features": features })))
}
