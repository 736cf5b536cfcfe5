//! The audit log (`audit.read`): entries with filters, and a check of the whole chain.

use axum::Json;
use axum::extract::State;
use tongxin_core::access::Permission;

use crate::auth::ApiCaller;
use crate::params::Params;
use crate::{ApiError, App};

pub use tongxin_app::access::audit::*;

/// Audit entries, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "access",
    params(("actor" = Option<String>, Query), ("action" = Option<String>, Query, description = "a prefix, e.g. auth."),
        ("outcome" = Option<String>, Query, description = "ok, denied or failed"),
        ("since" = Option<String>, Query), ("until" = Option<String>, Query), ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = AuditPage), (status = 400), (status = 403)))]
pub async fn list(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Json<AuditPage>, ApiError> {
    let (records, total) = entries(&app, &who, &params).await?;
    Ok(Json(AuditPage { items: records.iter().map(AuditEntryView::from).collect(), total }))
}

/// Checks the whole hash chain.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "access", responses((status = 200, body = VerifyView), (status = 403)))]
pub async fn verify(State(app): State<App>, who: ApiCaller) -> Result<Json<VerifyView>, ApiError> {
    who.require(&app, Permission::AuditRead).await?;
    let v = app.store.verify_audit().await?;
    Ok(Json(VerifyView {
        checked: v.checked,
        intact: v.first_break.is_none(),
        first_break_seq: v.first_break.as_ref().map(|b| b.seq),
        reason: v.first_break.map(|b| b.reason),
    }))
}
