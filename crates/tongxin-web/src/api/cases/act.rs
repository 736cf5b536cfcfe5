//! `POST /cases/{id}/actions/{action}`: one step along the lifecycle. A step the lifecycle
//! does not allow now answers 409 with the allowed ones; a step the caller may not take,
//! 403.

use axum::Json;
use axum::extract::{Path, State};
use tongxin_core::cases::lifecycle::Action;

use super::Reach;
use super::photos::PhotoForm;
use super::read::CaseDetail;
use crate::auth::ApiCaller;
use crate::params::id_param;
use crate::uploads::WithPhotos;
use crate::{ApiError, App};

pub use tongxin_app::cases::act::*;

#[utoipa::path(post, path = "/api/v1/cases/{id}/actions/{action}", tag = "cases",
    params(("id" = i64, Path), ("action" = String, Path, description = "verify, register, reject, dispatch, accept, return, recall, feedback, pass, rework, close, request_extension, approve_extension, deny_extension, request_deferral, approve_deferral, deny_deferral, resume, evaluate")),
    request_body(content(
        (ActionRequest = "application/json"),
        (PhotoForm = "multipart/form-data"),
    ), description = "JSON; or multipart/form-data with the same JSON in a part named json and up to 6 photos in parts named photo"),
    responses((status = 200, body = CaseDetail), (status = 400), (status = 403), (status = 404),
        (status = 409, description = "not allowed now: details.allowed lists the steps that are")))]
pub async fn act(
    State(app): State<App>,
    who: ApiCaller,
    Path((raw_id, raw_action)): Path<(String, String)>,
    body: WithPhotos<ActionRequest>,
) -> Result<Json<CaseDetail>, ApiError> {
    let id = id_param(&raw_id)?;
    let action = raw_action.parse::<Action>().map_err(|e| ApiError::invalid("action", e))?;
    let case = take(&app, &who, id, action, body.body, body.photos).await?;
    let reach = Reach::of(&app, &who).await?;
    super::read::detail_of(&app, &who, &reach, &case).await.map(Json).map_err(ApiError::from)
}
