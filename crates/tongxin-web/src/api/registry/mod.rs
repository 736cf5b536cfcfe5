//! The community registry over HTTP: residents and households, searched and read within the
//! caller's regions (`residents.read`), personal values masked. Anything outside the
//! caller's regions is the same 404 as anything that does not exist.

use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, State};
use axum::routing::{get, post};

use crate::auth::ApiCaller;
use crate::params::Params;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::registry::*;

pub mod ebike_edit;
pub mod ebikes;
pub mod edit;
pub mod export;
pub mod history;
pub mod import;
pub mod ledger_export;
pub mod pledge_online;
pub mod safety;
pub mod shed_edit;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/residents", get(residents).post(edit::create_resident))
        .route("/residents/export", get(export::export))
        .route("/residents/{id}", get(resident).patch(edit::patch_resident))
        .route("/households", get(households).post(edit::create_household))
        .route("/households/export", get(export::export_households))
        .route("/households/{id}", get(household).patch(edit::patch_household))
        .route("/registry/buildings/{id}", get(edit::building).patch(edit::patch_building))
        .route("/registry/{kind}/{id}/history", get(history::record_history))
        .route("/registry/templates/{kind}", get(import::template))
        .route("/registry/imports", post(import::create).layer(DefaultBodyLimit::max(import::MAX_BODY)))
        .route("/registry/imports/{id}", get(import::one))
        .route("/registry/imports/{id}/report", get(import::report))
        .route("/registry/ebike-safety", get(safety::view))
        .route("/sheds", get(ebikes::sheds).post(shed_edit::create))
        .route("/sheds/export", get(ledger_export::sheds))
        .route("/sheds/{id}", get(ebikes::shed).patch(shed_edit::patch))
        .route("/sheds/{id}/checks", axum::routing::post(safety::add_check))
        .route("/ebikes", get(ebikes::ebikes).post(ebike_edit::create))
        .route("/ebikes/export", get(ledger_export::ebikes))
        .route("/ebikes/{id}", get(ebikes::ebike).patch(ebike_edit::patch))
        .route("/pledges", get(ebikes::pledges))
        .route("/pledges/export", get(ledger_export::pledges))
        .route("/me/pledge", get(pledge_online::show).post(pledge_online::sign_handler))
}

/// Finds residents in the caller's regions: `q` is a name (or part), the last four digits
/// of a phone or ID number, or part of an address.
#[utoipa::path(get, path = "/api/v1/residents", tag = "registry",
    params(("q" = Option<String>, Query), ("household" = Option<i64>, Query), ("building" = Option<i64>, Query),
        ("region" = Option<String>, Query), ("moved_out" = Option<bool>, Query, description = "include those who moved out"),
        ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = ResidentPage), (status = 400), (status = 403)))]
pub async fn residents(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Json<ResidentPage>, ApiError> {
    let today = today();
    let found = search_residents(&app, &who, &params).await?;
    Ok(Json(ResidentPage { items: found.iter().map(|r| ResidentView::new(r, today)).collect() }))
}

/// One resident (masked).
#[utoipa::path(get, path = "/api/v1/residents/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = ResidentView), (status = 403), (status = 404)))]
pub async fn resident(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
) -> Result<Json<ResidentView>, ApiError> {
    let r = one_resident(&app, &who, id_param(&raw)?).await?;
    Ok(Json(ResidentView::new(&r, today())))
}

/// Finds households: `building` and `q` (a room like 302, or part of an address).
#[utoipa::path(get, path = "/api/v1/households", tag = "registry",
    params(("building" = Option<i64>, Query), ("q" = Option<String>, Query), ("region" = Option<String>, Query),
        ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = HouseholdPage), (status = 400), (status = 403)))]
pub async fn households(
    State(app): State<App>,
    who: ApiCaller,
    params: Params,
) -> Result<Json<HouseholdPage>, ApiError> {
    let found = search_households(&app, &who, &params).await?;
    Ok(Json(HouseholdPage { items: found.iter().map(HouseholdView::from).collect() }))
}

#[utoipa::path(get, path = "/api/v1/households/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = HouseholdDetail), (status = 403), (status = 404)))]
pub async fn household(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
) -> Result<Json<HouseholdDetail>, ApiError> {
    let (h, members) = household_detail(&app, &who, id_param(&raw)?).await?;
    let today = today();
    Ok(Json(HouseholdDetail {
        household: HouseholdView::from(&h),
        residents: members.iter().map(|r| ResidentView::new(r, today)).collect(),
    }))
}
