//! The audit log (`audit.read`): entries with filters, and a check of the whole chain.

use serde::Serialize;
use tongxin_core::access::Permission;
use tongxin_core::time::Timestamp;
use tongxin_store::audit::{AuditFilter, AuditRecord, Outcome};
use utoipa::ToSchema;

use crate::caller::Who;
use crate::params::Params;
use crate::{App, Error};

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
pub fn filter(params: &Params) -> Result<AuditFilter, Error> {
    let outcome = match params.get("outcome") {
        None => None,
        Some("ok") => Some(Outcome::Ok),
        Some("denied") => Some(Outcome::Denied),
        Some("failed") => Some(Outcome::Failed),
        Some(other) => {
            return Err(Error::invalid("outcome", format!("outcome must be ok, denied or failed, got '{other}'")));
        }
    };
    let time = |name: &str| -> Result<Option<Timestamp>, Error> {
        let parse = if name == "until" { parse_until } else { parse_time };
        params
            .get(name)
            .map(|raw| {
                parse(raw).ok_or_else(|| {
                    Error::invalid(name, format!("{name} must be a date like 2026-11-27 or an RFC 3339 time"))
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

pub fn day_edge(raw: &str, days_after: u64) -> Option<Timestamp> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Some(Timestamp::from_millis(t.timestamp_millis()));
    }
    let date =
        chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?.checked_add_days(chrono::Days::new(days_after))?;
    let local = date.and_hms_opt(0, 0, 0)?.and_local_timezone(tongxin_core::time::SHANGHAI).single()?;
    Some(Timestamp::from_millis(local.timestamp_millis()))
}

pub async fn entries(app: &App, who: &Who, params: &Params) -> Result<(Vec<AuditRecord>, i64), Error> {
    who.require(app, Permission::AuditRead).await?;
    Ok(app.store.audit_entries(&filter(params)?).await?)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyView {
    pub checked: i64,
    pub intact: bool,
    /// The first entry where the chain breaks, and why.
    pub first_break_seq: Option<i64>,
    pub reason: Option<String>,
}
