//! Taking a step (behind `POST /cases/{id}/actions/{action}` and the case page): one step
//! along the lifecycle. A step the lifecycle does not allow now answers 409 with the
//! allowed ones; a step the caller may not take, 403.

use serde::Deserialize;
use tongxin_core::cases::catalog::parse_limit;
use tongxin_core::cases::lifecycle::{self, Action};
use tongxin_store::cases::ActionInput;
use utoipa::ToSchema;

use super::{Reach, visible};
use crate::caller::Who;
use crate::uploads::{discard, keep};
use crate::{App, Error};

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
) -> Result<tongxin_store::cases::CaseRecord, Error> {
    let reach = Reach::of(app, who).await?;
    let case = visible(app, who, &reach, id).await?;
    if let Err(refused) = lifecycle::next(case.state, action) {
        return Err(Error::NotAllowedNow {
            message: refused.to_string(),
            allowed: reach.actions(who, &case).iter().map(|a| a.as_str().to_owned()).collect(),
        });
    }
    if !reach.may(who, &case, action) {
        if !who.actor.can(action.permission()) {
            who.require(app, action.permission()).await?;
        }
        return Err(who
            .out_of_scope(app, "case", &id.to_string(), Error::Forbidden { permission: action.permission() })
            .await);
    }
    let note = request.note.trim().to_owned();
    if note.chars().count() > 2000 {
        return Err(Error::invalid("note", "a note has at most 2000 characters"));
    }
    let reason = request.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    match action {
        Action::Dispatch if request.department.as_deref().is_none_or(str::is_empty) => {
            return Err(Error::invalid("department", "choose the department to dispatch to"));
        }
        a if a.needs_reason() && reason.is_none() => {
            return Err(Error::invalid("reason", "give a reason"));
        }
        Action::Evaluate if !request.rating.is_some_and(|r| (1..=5).contains(&r)) => {
            return Err(Error::invalid("rating", "a rating is 1 to 5"));
        }
        _ => {}
    }
    let extension = match (action, request.extension.as_deref()) {
        (Action::RequestExtension, Some(raw)) => {
            Some(parse_limit(raw).ok_or_else(|| Error::invalid("extension", "more time is like W8 or N24"))?)
        }
        (Action::RequestExtension, None) => {
            return Err(Error::invalid("extension", "say how much more time: like W8 or N24"));
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
