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
use crate::auth::{ApiCaller, Who};
use crate::{ApiError, App};
use tongxin_core::access::Permission;

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

fn not_found(code: &RegionCode) -> ApiError {
    ApiError::not_found(format!("no region with code {code}"))
}

/// The regions `params` asks for that the caller may see. A `parent` or `within` outside
/// the caller's regions (and not above them) is a 404, like a region that does not exist.
pub async fn visible_regions(app: &App, who: &Who, params: &Params) -> Result<Vec<Region>, ApiError> {
    who.require(app, Permission::GeoRead).await?;
    let filter = RegionFilter {
        level: params.parse::<RegionLevel>("level")?,
        parent: params.parse::<RegionCode>("parent")?,
        within: params.parse::<RegionCode>("within")?,
    };
    for code in [&filter.parent, &filter.within].into_iter().flatten() {
        if !who.actor.scope.touches(code) {
            return Err(who.out_of_scope(app, "region", code.as_str(), not_found(code)).await);
        }
    }
    let regions = app.store.regions(&filter).await?;
    Ok(regions.into_iter().filter(|r| who.actor.covers(&r.code)).collect())
}

/// A region the caller may see.
pub async fn visible_region(app: &App, who: &Who, code: &RegionCode) -> Result<Region, ApiError> {
    who.require(app, Permission::GeoRead).await?;
    let region = app.store.region(code).await?.ok_or_else(|| not_found(code))?;
    who.covers(app, code, not_found(code)).await?;
    Ok(region)
}

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
