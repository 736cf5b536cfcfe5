//! `POST /cases/{id}/merge`: the dispatcher merges a duplicate, not yet registered, into
//! the case it repeats. Its reporters then hear of that case's progress.

use axum::Json;
use axum::extract::{Path, State};

use super::read::CaseDetail;
use crate::auth::ApiCaller;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::cases::merge::*;

#[utoipa::path(post, path = "/api/v1/cases/{id}/merge", tag = "cases", params(("id" = i64, Path)),
    request_body = MergeRequest,
    responses((status = 200, body = CaseDetail, description = "the case merged into: its timeline shows the merge"),
        (status = 400), (status = 403), (status = 404),
        (status = 409, description = "the case is already registered, or the target is closed or merged itself")))]
pub async fn handler(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
    raw_body: Result<Json<MergeRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<CaseDetail>, ApiError> {
    let id = id_param(&raw)?;
    let Json(request) = raw_body.map_err(|e| ApiError::invalid("body", e.body_text()))?;
    merge(&app, &who, id, request.into, &request.note).await?;
    super::read::detail(&app, &who, request.into).await.map(Json).map_err(ApiError::from)
}
