//! The audit log: append-only, each entry chained to the one before by a SHA-256 hash.
//!
//! - this file: [`Caller`] (who acts, from where), appending an entry — inside the
//!   transaction of the change it records ([`Store::audit_in`]) or alone for reads, denials
//!   and failed logins ([`Store::audit`]) — and reading entries back with filters;
//! - [`chain`]: the hash, `verify` (finds an edited, deleted or reordered entry and names
//!   the first break) and the purge of entries older than the retention period.
//!
//! Appends are serialised: on PostgreSQL by a transaction-scoped advisory lock, on SQLite
//! by the write lock every write transaction takes. The database refuses updates, and
//! deletions younger than 180 days, by trigger.

pub mod chain;

use serde::Serialize;
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::access::Actor;
use tongxin_core::time::Timestamp;

use crate::{Backend, Store, StoreError, Tx};

/// Who performs a change, and from which address.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub ip: String,
    /// How case timelines name the caller: a staff member's name (网格员 张伟), a key's
    /// name, a resident's masked phone. The audit log keeps the actor's username.
    pub display_name: String,
}

impl Caller {
    pub fn new(actor: Actor, ip: impl Into<String>) -> Self {
        let display_name = actor.name.clone();
        Self { actor, ip: ip.into(), display_name }
    }

    /// The same caller, shown in timelines as `name` (ignored when empty).
    pub fn shown_as(mut self, name: &str) -> Self {
        if !name.trim().is_empty() {
            self.display_name = name.to_owned();
        }
        self
    }

    /// The operator at the console running `tongxin COMMAND`.
    pub fn system(command: &str) -> Self {
        Self::new(Actor::system(command), "local")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    /// Refused for want of a permission or scope.
    Denied,
    /// Attempted and failed (a wrong password, a bad code).
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

/// What happened. `detail` holds before/after values with personal fields already
/// masked, a reason, or a purpose.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub action: &'static str,
    pub object_kind: &'static str,
    pub object_id: String,
    pub outcome: Outcome,
    pub detail: Value,
}

impl AuditEntry {
    pub fn ok(action: &'static str, object_kind: &'static str, object_id: impl ToString) -> Self {
        Self { action, object_kind, object_id: object_id.to_string(), outcome: Outcome::Ok, detail: Value::Null }
    }

    pub fn with_outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    pub fn with_detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: Timestamp,
    pub actor_kind: String,
    pub actor_id: i64,
    pub actor_name: String,
    pub ip: String,
    pub action: String,
    pub object_kind: String,
    pub object_id: String,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Which entries to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<Outcome>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub limit: i64,
    pub offset: i64,
}

const COLUMNS: &str =
    "seq, at, actor_kind, actor_id, actor_name, ip, action, object_kind, object_id, outcome, detail, prev_hash, hash";

fn record_from_row(row: &AnyRow) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        seq: row.try_get("seq")?,
        at: Timestamp::from_millis(row.try_get("at")?),
        actor_kind: row.try_get("actor_kind")?,
        actor_id: row.try_get("actor_id")?,
        actor_name: row.try_get("actor_name")?,
        ip: row.try_get("ip")?,
        action: row.try_get("action")?,
        object_kind: row.try_get("object_kind")?,
        object_id: row.try_get("object_id")?,
        outcome: row.try_get("outcome")?,
        detail: row.try_get("detail")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

impl Store {
    /// Records an entry in a transaction of its own.
    pub async fn audit(&self, caller: &Caller, entry: AuditEntry) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let seq = self.audit_in(&mut tx, caller, entry).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Records an entry inside the caller's transaction, so the change and its record
    /// commit or roll back together. Returns the entry's sequence number.
    pub async fn audit_in(&self, tx: &mut Tx, caller: &Caller, entry: AuditEntry) -> Result<i64, StoreError> {
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT 1 AS locked FROM pg_advisory_xact_lock(74110001)").execute(&mut **tx).await?;
        }
        let last =
            sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&mut **tx).await?;
        let (prev_seq, prev_hash): (i64, String) = match last {
            Some(row) => (row.try_get("seq")?, row.try_get("hash")?),
            None => {
                let anchor =
                    sqlx::query("SELECT seq, hash FROM audit_anchor WHERE id = 1").fetch_one(&mut **tx).await?;
                (anchor.try_get("seq")?, anchor.try_get("hash")?)
            }
        };
        let actor = &caller.actor;
        let record = AuditRecord {
            seq: prev_seq + 1,
            at: Timestamp::now(),
            actor_kind: actor.kind.as_str().into(),
            actor_id: actor.id,
            actor_name: actor.name.clone(),
            ip: caller.ip.clone(),
            action: entry.action.into(),
            object_kind: entry.object_kind.into(),
            object_id: entry.object_id,
            outcome: entry.outcome.as_str().into(),
            detail: if entry.detail.is_null() { "{}".into() } else { entry.detail.to_string() },
            hash: String::new(),
            prev_hash,
        };
        let hash = chain::entry_hash(&record);
        sqlx::query(&format!(
            "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(record.seq)
        .bind(record.at.millis())
        .bind(&record.actor_kind)
        .bind(record.actor_id)
        .bind(&record.actor_name)
        .bind(&record.ip)
        .bind(&record.action)
        .bind(&record.object_kind)
        .bind(&record.object_id)
        .bind(&record.outcome)
        .bind(&record.detail)
        .bind(&record.prev_hash)
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
        Ok(record.seq)
    }

    /// Entries matching `filter`, newest first, and how many match in all.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<(Vec<AuditRecord>, i64), StoreError> {
        let conditions = "($1 IS NULL OR actor_name = $1) AND ($2 IS NULL OR action LIKE $2) \
             AND ($3 IS NULL OR outcome = $3) AND ($4 IS NULL OR at >= $4) AND ($5 IS NULL OR at < $5)";
        let action = filter.action.as_ref().map(|a| format!("{a}%"));
        let (since, until) = (filter.since.map(Timestamp::millis), filter.until.map(Timestamp::millis));
        let outcome = filter.outcome.map(Outcome::as_str);
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE {conditions} ORDER BY seq DESC LIMIT $6 OFFSET $7"
        ))
        .bind(filter.actor.as_deref())
        .bind(action.as_deref())
        .bind(outcome)
        .bind(since)
        .bind(until)
        .bind(filter.limit)
        .bind(filter.offset)
        .fetch_all(self.pool())
        .await?;
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM audit_log WHERE {conditions}"))
            .bind(filter.actor.as_deref())
            .bind(action.as_deref())
            .bind(outcome)
            .bind(since)
            .bind(until)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        Ok((rows.iter().map(record_from_row).collect::<Result<_, _>>()?, total))
    }

    /// The entries about one object whose action starts with `prefix`, newest first.
    pub async fn audit_of_object(
        &self,
        kind: &str,
        id: &str,
        prefix: &str,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE object_kind = $1 AND object_id = $2 AND action LIKE $3 \
             ORDER BY seq DESC LIMIT $4"
        ))
        .bind(kind)
        .bind(id)
        .bind(format!("{prefix}%"))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(record_from_row).collect()
    }
}
