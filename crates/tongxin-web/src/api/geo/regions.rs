//! `GET /regions`, `/regions/{code}`, `/regions/{code}/children`, `/regions/{code}/geojson`
//! and `/regions.geojson`.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use geo::BoundingRect;
use serde::Serialize;
use serde_json::{Value, json};
use tongxin_core::geo::{Region, RegionCode, RegionLevel};
use tongxin_store::geo::RegionFilter;
use utoipa::ToSchema;

use super::RegionBrief;
use crate::api::params::{CodePath, Params};
use crate::{ApiError, App};

/// A region without its geometry, with its parent.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionSummary {
    #[serde(flatten)]
    pub region: RegionBrief,
    #[schema(example = "310106013001")]
    pub parent_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionList {
    pub items: Vec<RegionSummary>,
    pub total: usize,
}

/// One region with its place in the tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionDetail {
    #[serde(flatten)]
    pub summary: RegionSummary,
    /// The ancestors, from the top of the tree down.
    pub path: Vec<RegionBrief>,
    /// Number of direct children.
    pub children: i64,
    /// Number of buildings in this region and below.
    pub buildings: i64,
    /// [min lng, min lat, max lng, max lat] of the polygon, when it has one.
    pub bbox: Option<[f64; 4]>,
}

fn summary(region: &Region) -> RegionSummary {
    RegionSummary {
        region: RegionBrief {
            code: region.code.to_string(),
            name: region.name.clone(),
            level: region.level().to_string(),
        },
        parent_code: region.parent().map(|p| p.to_string()),
    }
}

fn filter(params: &Params) -> Result<RegionFilter, ApiError> {
    Ok(RegionFilter {
        level: params.parse::<RegionLevel>("level")?,
        parent: params.parse::<RegionCode>("parent")?,
        within: params.parse::<RegionCode>("within")?,
    })
}

async fn existing(app: &App, code: &RegionCode) -> Result<Region, ApiError> {
    app.store.region(code).await?.ok_or_else(|| ApiError::not_found(format!("no region with code {code}")))
}

/// Lists regions, optionally by level, parent or subtree.
#[utoipa::path(get, path = "/api/v1/regions", tag = "geo",
    params(
        ("level" = Option<String>, Query, description = "district, subdistrict, community, grid or block"),
        ("parent" = Option<String>, Query, description = "only the direct children of this code"),
        ("within" = Option<String>, Query, description = "only this region and its descendants"),
    ),
    responses((status = 200, body = RegionList), (status = 400, description = "a parameter is invalid")))]
pub async fn list(State(app): State<App>, params: Params) -> Result<Json<RegionList>, ApiError> {
    let regions = app.store.regions(&filter(&params)?).await?;
    let items: Vec<_> = regions.iter().map(summary).collect();
    Ok(Json(RegionList { total: items.len(), items }))
}

/// One region, with its ancestors and counts.
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "geo",
    params(("code" = String, Path, description = "region code")),
    responses((status = 200, body = RegionDetail), (status = 400), (status = 404)))]
pub async fn one(State(app): State<App>, CodePath(code): CodePath) -> Result<Json<RegionDetail>, ApiError> {
    let region = existing(&app, &code).await?;
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
pub async fn children(State(app): State<App>, CodePath(code): CodePath) -> Result<Json<RegionList>, ApiError> {
    existing(&app, &code).await?;
    let regions = app.store.regions(&RegionFilter { parent: Some(code), ..Default::default() }).await?;
    let items: Vec<_> = regions.iter().map(summary).collect();
    Ok(Json(RegionList { total: items.len(), items }))
}

fn feature_json(region: &Region) -> Value {
    json!({
        "type": "Feature",
        "id": region.code.as_str(),
        "properties": {
            "code": region.code.as_str(),
            "name": region.name,
            "level": region.level(),
            "parent_code": region.parent().map(|p| p.to_string()),
        },
        "geometry": region.geometry,
    })
}

fn geojson(body: Value) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/geo+json")], body.to_string())
}

/// One region as a GeoJSON Feature (WGS-84).
#[utoipa::path(get, path = "/api/v1/regions/{code}/geojson", tag = "geo",
    params(("code" = String, Path, description = "region code")),
    responses((status = 200, description = "a GeoJSON Feature", content_type = "application/geo+json"), (status = 400), (status = 404)))]
pub async fn feature(State(app): State<App>, CodePath(code): CodePath) -> Result<impl IntoResponse, ApiError> {
    let region = existing(&app, &code).await?;
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
pub async fn feature_collection(State(app): State<App>, params: Params) -> Result<impl IntoResponse, ApiError> {
    let regions = app.store.regions(&filter(&params)?).await?;
    let features: Vec<_> = regions.iter().map(feature_json).collect();
    Ok(geojson(json!({ "type": "FeatureCollection", "features": features })))
}
