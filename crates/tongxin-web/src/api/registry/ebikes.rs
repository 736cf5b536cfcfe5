//! Charging sheds, e-bikes and safety pledges over HTTP: lists with search and one record,
//! within the caller's regions (`residents.read`). Owners appear by name and address, as
//! in the residents list; never with an ID number or phone.

use axum::Json;
use axum::extract::{Path, State};

use super::safety::ShedCheckView;
use crate::auth::ApiCaller;
use crate::params::Params;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::registry::ebikes::*;

/// Charging sheds in the caller's regions: `q` is part of the name.
#[utoipa::path(get, path = "/api/v1/sheds", tag = "registry",
    params(("q" = Option<String>, Query), ("region" = Option<String>, Query),
        ("status" = Option<String>, Query, description = "planned, building, in_use or closed"),
        ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = ShedPage), (status = 400), (status = 403)))]
pub async fn sheds(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Json<ShedPage>, ApiError> {
    Ok(Json(ShedPage { items: search_sheds(&app, &who, &params).await?.iter().map(ShedView::from).collect() }))
}

/// One charging shed and its inspections.
#[utoipa::path(get, path = "/api/v1/sheds/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = ShedDetail), (status = 403), (status = 404)))]
pub async fn shed(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
) -> Result<Json<ShedDetail>, ApiError> {
    let (shed, checks) = one_shed(&app, &who, id_param(&raw)?).await?;
    Ok(Json(ShedDetail { shed: ShedView::from(&shed), checks: checks.iter().map(ShedCheckView::from).collect() }))
}

/// E-bikes in the caller's regions: `q` is part of the plate or of the owner's name.
#[utoipa::path(get, path = "/api/v1/ebikes", tag = "registry",
    params(("q" = Option<String>, Query), ("region" = Option<String>, Query),
        ("status" = Option<String>, Query, description = "active, scrapped or moved_away"),
        ("shed" = Option<i64>, Query), ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = EbikePage), (status = 400), (status = 403)))]
pub async fn ebikes(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Json<EbikePage>, ApiError> {
    Ok(Json(EbikePage { items: search_ebikes(&app, &who, &params).await?.iter().map(EbikeView::from).collect() }))
}

/// One e-bike.
#[utoipa::path(get, path = "/api/v1/ebikes/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = EbikeView), (status = 403), (status = 404)))]
pub async fn ebike(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
) -> Result<Json<EbikeView>, ApiError> {
    Ok(Json(EbikeView::from(&one_ebike(&app, &who, id_param(&raw)?).await?)))
}

/// Safety pledges in the caller's regions, the latest first: `q` is part of the signer's name.
#[utoipa::path(get, path = "/api/v1/pledges", tag = "registry",
    params(("q" = Option<String>, Query), ("region" = Option<String>, Query),
        ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = PledgePage), (status = 400), (status = 403)))]
pub async fn pledges(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Json<PledgePage>, ApiError> {
    Ok(Json(PledgePage { items: search_pledges(&app, &who, &params).await?.iter().map(PledgeView::from).collect() }))
}
