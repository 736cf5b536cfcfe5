//! The e-bike safety view over HTTP (`GET /api/v1/registry/ebike-safety`) and the record of
//! charging-shed inspections (`POST /api/v1/sheds/{id}/checks`). Reading needs
//! `residents.read` and keeps to the caller's regions; recording a check needs
//! `sheds.check` and a shed in reach. A leader (`stats.read`) reads the figures without
//! the rows per building. What each figure counts: docs/registry.md.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::auth::ApiCaller;
use crate::params::Params;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::registry::safety::*;

/// The e-bike safety view: the year's figures, and per community (per building with
/// `region`) the e-bikes, pledge coverage, shed spaces against lithium e-bikes and the
/// fire-safety cases found and fixed.
#[utoipa::path(get, path = "/api/v1/registry/ebike-safety", tag = "registry",
    params(("year" = Option<i32>, Query, description = "2000–2100; default this year (Asia/Shanghai)"),
        ("region" = Option<String>, Query, description = "a region code in reach; adds the rows per building")),
    responses((status = 200, body = SafetyView), (status = 400, description = "a bad year or region: details.field names it"),
        (status = 403), (status = 404, description = "a region outside the caller's reach")))]
pub async fn view(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Json<SafetyView>, ApiError> {
    Ok(Json(safety_report(&app, &who, &params).await?.1))
}

/// Records an inspection of a charging shed (充电棚检查).
#[utoipa::path(post, path = "/api/v1/sheds/{id}/checks", tag = "registry", params(("id" = i64, Path)),
    request_body = ShedCheckRequest,
    responses((status = 201, body = ShedCheckView), (status = 400, description = "details.field: checked_on, findings or checked_by"),
        (status = 403), (status = 404)))]
pub async fn add_check(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
    body: Result<Json<ShedCheckRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<ShedCheckView>), ApiError> {
    let shed_id = id_param(&raw)?;
    let Json(request) = body.map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let id = record_check(&app, &who, shed_id, &request).await?;
    let check = app.store.shed_checks(shed_id).await?.into_iter().find(|k| k.id == id);
    let check = check.ok_or_else(|| ApiError::Internal(format!("shed check {id} vanished")))?;
    Ok((
        StatusCode::CREATED,
        Json(ShedCheckView {
            id,
            shed_id,
            checked_on: check.checked_on.to_string(),
            checked_by: check.checked_by,
            ok: check.ok,
            findings: check.findings,
        }),
    ))
}
