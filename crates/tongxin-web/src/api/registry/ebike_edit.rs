//! Changing an e-bike (`registry.write`, within the caller's regions): plate, brand,
//! battery, registration date, status and the charging shed it uses. Checked like the
//! other records (422 with every problem), one transaction and one history entry.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::ebikes::{EbikeView, one_ebike};
use super::edit::Changed;
use super::history::ChangeView;
use crate::auth::ApiCaller;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::registry::ebike_edit::*;

/// Registers an e-bike to a resident in the caller's regions.
#[utoipa::path(post, path = "/api/v1/ebikes", tag = "registry", request_body = EbikeRequest,
    responses((status = 201, body = EbikeView), (status = 400), (status = 403), (status = 404, description = "no such resident in reach"),
        (status = 409, description = "the plate is registered"), (status = 422, description = "details.errors")))]
pub async fn create(
    State(app): State<App>,
    who: ApiCaller,
    raw: Result<Json<EbikeRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<EbikeView>), ApiError> {
    let body = raw.map(|Json(v)| v).map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let id = add_ebike(&app, &who, body).await?;
    Ok((StatusCode::CREATED, Json(EbikeView::from(&one_ebike(&app, &who, id).await?))))
}

/// Changes an e-bike: a status (scrapped, moved away), the shed it charges at, its plate …
#[utoipa::path(patch, path = "/api/v1/ebikes/{id}", tag = "registry", params(("id" = i64, Path)), request_body = EbikePatch,
    responses((status = 200, body = EbikeView), (status = 400), (status = 403), (status = 404),
        (status = 409, description = "another e-bike has the plate"), (status = 422, description = "details.errors")))]
pub async fn patch(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw_id): Path<String>,
    raw: Result<Json<EbikePatch>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Changed<EbikeView>>, ApiError> {
    let id = id_param(&raw_id)?;
    let body = raw.map(|Json(v)| v).map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let changes = change_ebike(&app, &who, id, body).await?;
    let record = one_ebike(&app, &who, id).await?;
    Ok(Json(Changed { record: EbikeView::from(&record), changes: changes.into_iter().map(ChangeView::from).collect() }))
}
