//! Adding and changing registry records (`registry.write`, within the caller's regions):
//! households, residents and a building's registry fields. A change names only the fields
//! it changes; the rest stay as they are. Every field is checked as the import checks it
//! (tongxin_core::registry::input), every problem is answered at once (422, each with its
//! field, column and reason in Chinese), and each change is one transaction with one audit
//! entry holding the fields' before and after values — which is the record's history.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::{HouseholdView, ResidentView, today};
use crate::auth::ApiCaller;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::registry::edit::*;

fn body<T>(raw: Result<Json<T>, axum::extract::rejection::JsonRejection>) -> Result<T, ApiError> {
    raw.map(|Json(v)| v).map_err(|e| ApiError::invalid("body", e.body_text()))
}

/// Adds a household to a building in the caller's regions.
#[utoipa::path(post, path = "/api/v1/households", tag = "registry", request_body = HouseholdRequest,
    responses((status = 201, body = HouseholdView), (status = 403), (status = 404, description = "no such building in reach"),
        (status = 409, description = "the building already has that unit and room"),
        (status = 422, description = "details.errors: each field, column and reason")))]
pub async fn create_household(
    State(app): State<App>,
    who: ApiCaller,
    raw: Result<Json<HouseholdRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<HouseholdView>), ApiError> {
    let id = add_household(&app, &who, body(raw)?).await?;
    let h =
        app.store.household(&everyone(), id).await?.ok_or_else(|| ApiError::Internal("household vanished".into()))?;
    Ok((StatusCode::CREATED, Json(HouseholdView::from(&h))))
}

/// Changes a household's unit, room, registration or notes.
#[utoipa::path(patch, path = "/api/v1/households/{id}", tag = "registry", params(("id" = i64, Path)), request_body = HouseholdPatch,
    responses((status = 200, body = HouseholdView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn patch_household(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw_id): Path<String>,
    raw: Result<Json<HouseholdPatch>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Changed<HouseholdView>>, ApiError> {
    let id = id_param(&raw_id)?;
    let changes = change_household(&app, &who, id, body(raw)?).await?;
    let h =
        app.store.household(&everyone(), id).await?.ok_or_else(|| ApiError::not_found(format!("no household {id}")))?;
    Ok(Json(Changed { record: HouseholdView::from(&h), changes: views(changes) }))
}

/// Adds a resident to a household; the ID number and phone are sealed.
#[utoipa::path(post, path = "/api/v1/residents", tag = "registry", request_body = ResidentRequest,
    responses((status = 201, body = ResidentView), (status = 403), (status = 404, description = "no such household in reach"),
        (status = 409, description = "the ID number is already registered"),
        (status = 422, description = "details.errors: each field, column and reason")))]
pub async fn create_resident(
    State(app): State<App>,
    who: ApiCaller,
    raw: Result<Json<ResidentRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<ResidentView>), ApiError> {
    let id = add_resident(&app, &who, body(raw)?).await?;
    let r = app.store.resident(&everyone(), id).await?.ok_or_else(|| ApiError::Internal("resident vanished".into()))?;
    Ok((StatusCode::CREATED, Json(ResidentView::new(&r, today()))))
}

/// Changes a resident; `moved_out` records the move-out, `household_id` a move.
#[utoipa::path(patch, path = "/api/v1/residents/{id}", tag = "registry", params(("id" = i64, Path)), request_body = ResidentPatch,
    responses((status = 200, body = ResidentView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn patch_resident(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw_id): Path<String>,
    raw: Result<Json<ResidentPatch>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Changed<ResidentView>>, ApiError> {
    let id = id_param(&raw_id)?;
    let changes = change_resident(&app, &who, id, body(raw)?).await?;
    let r =
        app.store.resident(&everyone(), id).await?.ok_or_else(|| ApiError::not_found(format!("no resident {id}")))?;
    Ok(Json(Changed { record: ResidentView::new(&r, today()), changes: views(changes) }))
}

/// A building's registry fields.
#[utoipa::path(get, path = "/api/v1/registry/buildings/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = BuildingRegistryView), (status = 403), (status = 404)))]
pub async fn building(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Json<BuildingRegistryView>, ApiError> {
    Ok(Json(building_in_reach(&app, &who, id_param(&raw_id)?, false).await?.0))
}

/// Changes a building's units, floors, year built, elevator, 加梯 stage or contact.
#[utoipa::path(patch, path = "/api/v1/registry/buildings/{id}", tag = "registry", params(("id" = i64, Path)), request_body = BuildingPatch,
    responses((status = 200, body = BuildingRegistryView), (status = 403), (status = 404), (status = 422)))]
pub async fn patch_building(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw_id): Path<String>,
    raw: Result<Json<BuildingPatch>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Changed<BuildingRegistryView>>, ApiError> {
    let id = id_param(&raw_id)?;
    let changes = change_building(&app, &who, id, body(raw)?).await?;
    let view = building_in_reach(&app, &who, id, false).await?.0;
    Ok(Json(Changed { record: view, changes: views(changes) }))
}
