//! `POST /cases/{id}/actions/{action}`: one step along the lifecycle. A step the lifecycle
//! does not allow now answers 409 with the allowed ones; a step the caller may not take,
//! 403.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use tongxin_core::cases::catalog::parse_limit;
use tongxin_core::cases::lifecycle::{self, Action};
use tongxin_store::cases::ActionInput;
use utoipa::ToSchema;

use super::photos::PhotoForm;
use super::read::CaseDetail;
use super::{Reach, visible};
use crate::api::access::id_param;
use crate::auth::{ApiCaller, Who};
use crate::uploads::{WithPhotos, discard, keep};
use crate::{ApiError, App};

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ActionRequest {
    /// What was done or found, for the timeline.
    #[serde(default)]
    pub note: String,
    /// dispatch: the department's code.
    pub department: Option<String>,
    /// reject, return, deny_extension, deny_deferral: why.
    pub reason: Option<String>,
    /// request_extension: more time, like W8 (working hours) or N24 (natural hours).
    pub extension: Option<String>,
    /// evaluate: 1 to 5.
    pub rating: Option<i64>,
}

/// Checks what the action needs and takes it, with the photos of the step.
pub async fn take(
    app: &App,
    who: &Who,
    id: i64,
    action: Action,
    request: ActionRequest,
    photos: Vec<Vec<u8>>,
) -> Result<tongxin_store::cases::CaseRecord, ApiError> {
    let reach = Reach::of(app, who).await?;
    let case = visible(app, who, &reach, id).await?;
    if let Err(refused) = lifecycle::next(case.state, action) {
        return Err(ApiError::NotAllowedNow {
            message: refused.to_string(),
            allowed: reach.actions(who, &case).iter().map(|a| a.as_str().to_owned()).collect(),
        });
    }
    if !reach.may(who, &case, action) {
        if !who.actor.can(action.permission()) {
            who.require(app, action.permission()).await?;
        }
        return Err(who
            .out_of_scope(app, "case", &id.to_string(), ApiError::Forbidden { permission: action.permission() })
            .await);
    }
    let note = request.note.trim().to_owned();
    if note.chars().count() > 2000 {
        return Err(ApiError::invalid("note", "a note has at most 2000 characters"));
    }
    let reason = request.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    match action {
        Action::Dispatch if request.department.as_deref().is_none_or(str::is_empty) => {
            return Err(ApiError::invalid("department", "choose the department to dispatch to"));
        }
        a if a.needs_reason() && reason.is_none() => {
            return Err(ApiError::invalid("reason", "give a reason"));
        }
        Action::Evaluate if !request.rating.is_some_and(|r| (1..=5).contains(&r)) => {
            return Err(ApiError::invalid("rating", "a rating is 1 to 5"));
        }
        _ => {}
    }
    let extension = match (action, request.extension.as_deref()) {
        (Action::RequestExtension, Some(raw)) => {
            Some(parse_limit(raw).ok_or_else(|| ApiError::invalid("extension", "more time is like W8 or N24"))?)
        }
        (Action::RequestExtension, None) => {
            return Err(ApiError::invalid("extension", "say how much more time: like W8 or N24"));
        }
        _ => None,
    };
    let photos = keep(app, photos).await?;
    let input = ActionInput { note, department: request.department, reason, extension, rating: request.rating, photos };
    match app.store.apply_action(&who.caller(), id, action, &input, &app.calendar.current()).await {
        Ok(done) => Ok(done.case),
        Err(e) => {
            discard(app, &input.photos).await;
            Err(e.into())
        }
    }
}

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
    super::read::detail_of(&app, &who, &reach, &case).await.map(Json)
}
