//! Adding and changing charging sheds (`registry.write`, within the caller's regions): name,
//! location, charging spaces, facilities, status and opening date. A shed belongs to the
//! grid its location lies in, so moving it may move it to another grid — one the caller
//! must cover. Checked like the other records (422 with every problem), one transaction and
//! one history entry.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tongxin_core::registry::ledger_input::ShedText;

use super::ebikes::{ShedDetail, ShedView, one_shed};
use super::edit::Changed;
use super::history::ChangeView;
use crate::auth::ApiCaller;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::registry::shed_edit::*;

/// Adds a charging shed in the grid its location lies in (one of the caller's).
#[utoipa::path(post, path = "/api/v1/sheds", tag = "registry", request_body = ShedPatch,
    responses((status = 201, body = ShedDetail), (status = 400), (status = 403),
        (status = 409, description = "another shed has the name"), (status = 422, description = "details.errors")))]
pub async fn create(
    State(app): State<App>,
    who: ApiCaller,
    raw: Result<Json<ShedPatch>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<ShedDetail>), ApiError> {
    let body = raw.map(|Json(v)| v).map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let text = ShedText {
        name: body.name.unwrap_or_default(),
        lat: body.lat.unwrap_or_default(),
        lng: body.lng.unwrap_or_default(),
        capacity: body.capacity.unwrap_or_default(),
        facilities: body.facilities.unwrap_or_default(),
        status: body.status.unwrap_or_default(),
        opened_on: body.opened_on.unwrap_or_default(),
    };
    let id = add_shed(&app, &who, text).await?;
    let (shed, _) = one_shed(&app, &who, id).await?;
    Ok((StatusCode::CREATED, Json(ShedDetail { shed: ShedView::from(&shed), checks: Vec::new() })))
}

/// Changes a charging shed: its spaces, facilities, status (opened, closed) …
#[utoipa::path(patch, path = "/api/v1/sheds/{id}", tag = "registry", params(("id" = i64, Path)), request_body = ShedPatch,
    responses((status = 200, body = ShedView), (status = 400), (status = 403), (status = 404),
        (status = 409, description = "another shed has the name"), (status = 422, description = "details.errors")))]
pub async fn patch(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw_id): Path<String>,
    raw: Result<Json<ShedPatch>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Changed<ShedView>>, ApiError> {
    let id = id_param(&raw_id)?;
    let body = raw.map(|Json(v)| v).map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let changes = change_shed(&app, &who, id, body).await?;
    let (shed, _) = one_shed(&app, &who, id).await?;
    Ok(Json(Changed { record: ShedView::from(&shed), changes: changes.into_iter().map(ChangeView::from).collect() }))
}
