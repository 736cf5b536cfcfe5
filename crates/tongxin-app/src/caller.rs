//! Who is calling: the signed-in person or key a use case acts for, and the checks every
//! use case makes of them: a permission (refused as [`Error::Forbidden`]) and a region
//! scope (refused as the same not-found a missing object gets). Both refusals are written
//! to the audit log.

use serde_json::json;
use tongxin_core::access::{Actor, Permission};
use tongxin_core::geo::RegionCode;
use tongxin_store::access::Session;
use tongxin_store::audit::{AuditEntry, Caller, Outcome};

use crate::{App, Error};

/// A signed-in caller.
#[derive(Clone)]
pub struct Who {
    pub actor: Actor,
    /// A staff member's display name, or a resident's masked phone.
    pub display_name: String,
    pub ip: String,
    /// The session, when the caller came with the cookie rather than an API key.
    pub session: Option<Session>,
    /// Unread notifications, counted once for a page request by a signed-in person (the
    /// menu's 通知 shows it); `None` on the API and for keys.
    pub unread: Option<i64>,
}

impl Who {
    pub fn caller(&self) -> Caller {
        Caller::new(self.actor.clone(), self.ip.clone()).shown_as(&self.display_name)
    }

    /// Refuses, with [`Error::Forbidden`] and an audit entry, a caller without `permission`.
    pub async fn require(&self, app: &App, permission: Permission) -> Result<(), Error> {
        if self.actor.require(permission).is_ok() {
            return Ok(());
        }
        let entry = AuditEntry::ok("access.denied", "permission", permission.as_str()).with_outcome(Outcome::Denied);
        app.store.audit(&self.caller(), entry).await?;
        Err(Error::Forbidden { permission })
    }

    /// Records a refusal for want of `permission` (with what was asked, in `detail`) and
    /// returns the 403 naming it (a failure to record is the answer instead).
    pub async fn denied(&self, app: &App, permission: Permission, detail: serde_json::Value) -> Error {
        let entry = AuditEntry::ok("access.denied", "permission", permission.as_str())
            .with_outcome(Outcome::Denied)
            .with_detail(detail);
        match app.store.audit(&self.caller(), entry).await {
            Ok(_) => Error::Forbidden { permission },
            Err(e) => e.into(),
        }
    }

    /// Refuses, with the same 404 a missing object gets and an audit entry, an object in
    /// a region outside the caller's scope.
    pub async fn covers(&self, app: &App, region: &RegionCode, not_found: Error) -> Result<(), Error> {
        if self.actor.covers(region) {
            return Ok(());
        }
        Err(self.out_of_scope(app, "region", &region.to_string(), not_found).await)
    }

    /// Records that the caller reached for an object outside their scope, and returns the
    /// 404 to answer with (a failure to record is the answer instead).
    pub async fn out_of_scope(&self, app: &App, kind: &'static str, id: &str, not_found: Error) -> Error {
        let entry = AuditEntry::ok("access.out_of_scope", kind, id)
            .with_outcome(Outcome::Denied)
            .with_detail(json!({ "request": crate::observe::current_request_id() }));
        match app.store.audit(&self.caller(), entry).await {
            Ok(_) => not_found,
            Err(e) => e.into(),
        }
    }
}
