//! The audit log (`audit.read`): entries with filters, and a check of the whole chain.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use tongxin_core::access::Permission;
use tongxin_core::time::Timestamp;
use tongxin_store::audit::{AuditFilter, AuditRecord, Outcome};
use utoipa::ToSchema;

use crate::api::params::Params;
use crate::auth::{ApiCaller, Who};
use crate::{ApiError, App};

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    /// Shanghai time.
    pub at: String,
    pub actor_kind: String,
    pub actor_id: i64,
    pub actor_name: String,
    pub ip: String,
    pub action: String,
    pub object_kind: String,
    pub object_id: String,
    /// ok, denied or failed
    pub outcome: String,
    /// Before/after values (personal fields masked), a reason or a purpose.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub hash: String,
}

impl From<&AuditRecord> for AuditEntryView {
    fn from(r: &AuditRecord) -> Self {
        Self {
            seq: r.seq,
            at: r.at.to_shanghai_rfc3339(),
            actor_kind: r.actor_kind.clone(),
            actor_id: r.actor_id,
            actor_name: r.actor_name.clone(),
            ip: r.ip.clone(),
            action: r.action.clone(),
            object_kind: r.object_kind.clone(),
            object_id: r.object_id.clone(),
            outcome: r.outcome.clone(),
            detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::Null),
            hash: r.hash.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryView>,
    pub total: i64,
}

/// Reads `actor`, `action` (a prefix), `outcome`, `since` and `until` (dates or RFC 3339
/// times, Shanghai), `limit` and `offset`.
pub fn filter(params: &Params) -> Result<AuditFilter, ApiError> {
    let outcome = match params.get("outcome") {
        None => None,
        Some("ok") => Some(Outcome::Ok),
        Some("denied") => Some(Outcome::Denied),
        Some("failed") => Some(Outcome::Failed),
        Some(other) => {
            return Err(ApiError::invalid("outcome", format!("outcome must be ok, denied or failed, got '{other}'")));
        }
    };
    let time = |name: &str| -> Result<Option<Timestamp>, ApiError> {
        let parse = if name == "until" { parse_until } else { parse_time };
        params
            .get(name)
            .map(|raw| {
                parse(raw).ok_or_else(|| {
                    ApiError::invalid(name, format!("{name} must be a date like 2026-11-27 or an RFC 3339 time"))
                })
            })
            .transpose()
    };
    Ok(AuditFilter {
        actor: params.get("actor").map(str::to_owned),
        action: params.get("action").map(str::to_owned),
        outcome,
        since: time("since")?,
        until: time("until")?,
        limit: params.bounded("limit", 100, 1, 1000)?,
        offset: params.bounded("offset", 0, 0, i64::MAX)?,
    })
}

/// A date (midnight, Shanghai) or an RFC 3339 time.
pub fn parse_time(raw: &str) -> Option<Timestamp> {
    day_edge(raw, 0)
}

/// Like [`parse_time`], for the exclusive end of a range: a bare date means the whole of that
/// day, so `until=2026-11-27` ends at the following midnight in Shanghai.
pub fn parse_until(raw: &str) -> Option<Timestamp> {
    day_edge(raw, 1)
}

fn day_edge(raw: &str, days_after: u64) -> Option<Timestamp> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Some(Timestamp::from_millis(t.timestamp_millis()));
    }
    let date =
        chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?.checked_add_days(chrono::Days::new(days_after))?;
    let local = date.and_hms_opt(0, 0, 0)?.and_local_timezone(tongxin_core::time::SHANGHAI).single()?;
    Some(Timestamp::from_millis(local.timestamp_millis()))
}

pub async fn entries(app: &App, who: &Who, params: &Params) -> Result<(Vec<AuditRecord>, i64), ApiError> {
    who.require(app, Permission::AuditRead).await?;
    Ok(app.store.audit_entries(&filter(params)?).await?)
}

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

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyView {
    pub checked: i64,
    pub intact: bool,
    /// The first entry where the chain breaks, and why.
    pub first_break_seq: Option<i64>,
    pub reason: Option<String>,
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
