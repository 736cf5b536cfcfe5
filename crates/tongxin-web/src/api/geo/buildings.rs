//! `GET /regions/{code}/buildings` and `GET /buildings/{id}`.

use axum::Json;
use axum::extract::{Path, State};
use tongxin_core::access::Permission;
use tongxin_store::geo::BuildingFilter;

use super::regions::visible_region;
use crate::auth::ApiCaller;
use crate::params::{CodePath, Params};
use crate::{ApiError, App};

pub use tongxin_app::geo::buildings::*;

/// The buildings in a region and below it, by grid and address.
#[utoipa::path(get, path = "/api/v1/regions/{code}/buildings", tag = "geo",
    params(
        ("code" = String, Path, description = "region code"),
        ("limit" = Option<i64>, Query, description = "page size, 1–1000, default 100"),
        ("offset" = Option<i64>, Query, description = "rows to skip, default 0"),
    ),
    responses((status = 200, body = BuildingList), (status = 400), (status = 404)))]
pub async fn list(
    State(app): State<App>,
    who: ApiCaller,
    CodePath(code): CodePath,
    params: Params,
) -> Result<Json<BuildingList>, ApiError> {
    let limit = params.bounded("limit", 100, 1, 1000)?;
    let offset = params.bounded("offset", 0, 0, i64::MAX)?;
    visible_region(&app, &who, &code).await?;
    let total = app.store.count_buildings(&code).await?;
    let items = app.store.buildings(&BuildingFilter { within: code, limit, offset }).await?;
    Ok(Json(BuildingList { items: items.into_iter().map(Into::into).collect(), total }))
}

/// One building.
#[utoipa::path(get, path = "/api/v1/buildings/{id}", tag = "geo",
    params(("id" = i64, Path, description = "building id")),
    responses((status = 200, body = BuildingView), (status = 400), (status = 404)))]
pub async fn one(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
) -> Result<Json<BuildingView>, ApiError> {
    who.require(&app, Permission::GeoRead).await?;
    let id = crate::params::id_param(&raw)?;
    let not_found = || tongxin_app::Error::not_found(format!("no building with id {id}"));
    let building = app.store.building(id).await?.ok_or_else(not_found)?;
    who.covers(&app, &building.fields.grid, not_found()).await?;
    Ok(Json(building.into()))
}

/// The buildings an address in words may mean: the registered address exactly, a
/// building's name, the same street, 弄 and 号, else addresses and names containing the text.
#[utoipa::path(get, path = "/api/v1/buildings", tag = "geo",
    params(("q" = String, Query, description = "an address or a building's name, at least 2 characters")),
    responses((status = 200, body = BuildingMatches), (status = 400), (status = 403)))]
pub async fn search(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Json<BuildingMatches>, ApiError> {
    who.require(&app, Permission::GeoRead).await?;
    let q = params.get("q").unwrap_or_default();
    if q.chars().count() > 200 {
        return Err(ApiError::invalid("q", "an address has at most 200 characters"));
    }
    let found = crate::api::cases::place::search(&app, q).await?;
    let items = found.into_iter().filter(|b| who.actor.covers(&b.fields.grid)).map(Into::into).collect();
    Ok(Json(BuildingMatches { items }))
}
