//! `POST /cases/{id}/merge`: the dispatcher merges a duplicate, not yet registered, into
//! the case it repeats. Its reporters then hear of that case's progress.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use tongxin_core::access::Permission;
use utoipa::ToSchema;

use super::read::CaseDetail;
use super::{Reach, visible};
use crate::api::access::id_param;
use crate::auth::{ApiCaller, Who};
use crate::{ApiError, App};

#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeRequest {
    /// The case this one repeats.
    pub into: i64,
    #[serde(default)]
    pub note: String,
}

/// Merges case `id` into `into`, for `who`; both must be visible and in the caller's regions.
pub async fn merge(app: &App, who: &Who, id: i64, into: i64, note: &str) -> Result<(), ApiError> {
    who.require(app, Permission::CasesDispatch).await?;
    let reach = Reach::of(app, who).await?;
    let duplicate = visible(app, who, &reach, id).await?;
    let target = visible(app, who, &reach, into).await.map_err(|e| match e {
        ApiError::NotFound { .. } => ApiError::invalid("into", format!("there is no case {into} you can see")),
        other => other,
    })?;
    for case in [&duplicate, &target] {
        if !who.actor.covers(&case.region) {
            let denied = ApiError::Forbidden { permission: Permission::CasesDispatch };
            return Err(who.out_of_scope(app, "case", &case.id.to_string(), denied).await);
        }
    }
    if note.chars().count() > 2000 {
        return Err(ApiError::invalid("note", "a note has at most 2000 characters"));
    }
    app.store.merge_case(&who.caller(), id, into, note).await?;
    Ok(())
}

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
    super::read::detail(&app, &who, request.into).await.map(Json)
}
