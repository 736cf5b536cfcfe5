//! The caller's own notices: `GET /notifications` and `POST /notifications/read`. Staff
//! and residents have an inbox; API keys do not.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use tongxin_core::access::ActorKind;
use tongxin_core::time::Timestamp;
use tongxin_store::notifications::{Notification, Recipient};
use utoipa::ToSchema;

use crate::api::params::Params;
use crate::auth::{ApiCaller, Who};
use crate::{ApiError, App};

/// A notice in an inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    /// received, registered, dispatched, new_dispatch, overdue, …
    pub kind: String,
    pub case_id: Option<i64>,
    pub case_number: String,
    pub text: String,
    pub created_at: String,
    pub read: bool,
}

impl From<&Notification> for NotificationView {
    fn from(n: &Notification) -> Self {
        Self {
            id: n.id,
            kind: n.kind.clone(),
            case_id: n.case_id,
            case_number: n.case_number.clone(),
            text: n.text.clone(),
            created_at: n.created_at.to_shanghai_rfc3339(),
            read: n.read,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Inbox {
    pub items: Vec<NotificationView>,
    pub unread: i64,
}

/// Whose inbox the caller reads.
pub fn recipient(who: &Who) -> Result<Recipient, ApiError> {
    match who.actor.kind {
        ActorKind::Staff => Ok(Recipient::Staff(who.actor.id)),
        ActorKind::Resident => Ok(Recipient::Resident(who.actor.id)),
        _ => Err(ApiError::invalid("caller", "API keys have no notifications; staff and residents do")),
    }
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "cases",
    params(("limit" = Option<i64>, Query, description = "1–200, default 50")),
    responses((status = 200, body = Inbox), (status = 400), (status = 401)))]
pub async fn list(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Json<Inbox>, ApiError> {
    let me = recipient(&who)?;
    let limit = params.parse::<i64>("limit")?.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid("limit", "limit is 1 to 200"));
    }
    let items = app.store.notifications_for(me, limit).await?.iter().map(NotificationView::from).collect();
    Ok(Json(Inbox { items, unread: app.store.unread_notifications(me).await? }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Marked {
    pub marked: u64,
}

#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "cases",
    responses((status = 200, body = Marked), (status = 400), (status = 401)))]
pub async fn read(State(app): State<App>, who: ApiCaller) -> Result<Json<Marked>, ApiError> {
    let me = recipient(&who)?;
    Ok(Json(Marked { marked: app.store.mark_notifications_read(me, Timestamp::now()).await? }))
}
