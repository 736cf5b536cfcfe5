//! The caller's own notices (behind `GET /notifications` and `POST /notifications/read`).
//! Staff and residents have an inbox; API keys do not.

use serde::Serialize;
use tongxin_core::access::ActorKind;
use tongxin_store::notifications::{Notification, Recipient};
use utoipa::ToSchema;

use crate::Error;
use crate::caller::Who;

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
pub fn recipient(who: &Who) -> Result<Recipient, Error> {
    match who.actor.kind {
        ActorKind::Staff => Ok(Recipient::Staff(who.actor.id)),
        ActorKind::Resident => Ok(Recipient::Resident(who.actor.id)),
        _ => Err(Error::invalid("caller", "API keys have no notifications; staff and residents do")),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Marked {
    pub marked: u64,
}
