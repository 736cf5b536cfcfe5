//! Merging a duplicate into the case it repeats. The duplicate, not yet registered, is
//! closed as 不予立案 (reason: duplicate) and points at the case it joined; its reporters
//! (and anyone already following it) follow that case from then on, so they hear of its
//! progress; both timelines say so. One transaction.

use serde_json::json;
use sqlx::Row;
use tongxin_core::cases::lifecycle::Status;
use tongxin_core::time::Timestamp;

use super::records::CaseRecord;
use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError};

impl Store {
    /// Merges case `duplicate` into case `into`; returns both as they now stand.
    pub async fn merge_case(
        &self,
        caller: &Caller,
        duplicate: i64,
        into: i64,
        note: &str,
    ) -> Result<(CaseRecord, CaseRecord), StoreError> {
        let not_found = |id: i64| StoreError::NotFound { entity: "case", key: id.to_string() };
        if duplicate == into {
            return Err(StoreError::Conflict { field: "into", reason: "a case cannot be merged into itself".into() });
        }
        let mut tx = self.begin_write().await?;
        // Lock both in id order, so two opposite merges wait for each other instead of deadlocking.
        let first = self.case_in(&mut tx, duplicate.min(into)).await?;
        let second = self.case_in(&mut tx, duplicate.max(into)).await?;
        let (dup, target) = if duplicate < into { (first, second) } else { (second, first) };
        let dup = dup.ok_or_else(|| not_found(duplicate))?;
        let target = target.ok_or_else(|| not_found(into))?;
        if !matches!(dup.state.status, Status::Reported | Status::Verified) {
            return Err(StoreError::Conflict {
                field: "status",
                reason: format!("only a case not yet registered can be merged; this one is {}", dup.state.status),
            });
        }
        if !target.state.status.is_open() || target.merged_into.is_some() {
            return Err(StoreError::Conflict {
                field: "into",
                reason: format!("case {} is {}; merge into an open case", target.number, target.state.status),
            });
        }
        let now = Timestamp::now().millis();
        sqlx::query(
            "UPDATE cases SET status = 'rejected', pending = NULL, merged_into = $1, step_started_at = $2, \
               step_limit_kind = '-', step_limit_hours = 0, step_due_at = NULL, updated_at = $2 WHERE id = $3",
        )
        .bind(into)
        .bind(now)
        .bind(duplicate)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE cases SET updated_at = $1 WHERE id = $2").bind(now).bind(into).execute(&mut *tx).await?;
        // The duplicate's reporters, and its own followers, follow the case it joined.
        let found_it = matches!(dup.source.as_str(), "patrol" | "campaign");
        let mut followers: Vec<(&str, i64)> = Vec::new();
        if let Some(id) = dup.reporter_user.filter(|_| found_it) {
            followers.push(("staff", id));
        }
        if let Some(id) = dup.reporter_resident {
            followers.push(("resident", id));
        }
        let has_contact = sqlx::query("SELECT reporter_sealed IS NOT NULL AS has FROM cases WHERE id = $1")
            .bind(duplicate)
            .fetch_one(&mut *tx)
            .await?;
        if crate::row_bool(&has_contact, "has")? {
            followers.push(("contact", duplicate));
        }
        let inherited = sqlx::query("SELECT recipient_kind, recipient_id FROM case_followers WHERE case_id = $1")
            .bind(duplicate)
            .fetch_all(&mut *tx)
            .await?;
        let inherited: Vec<(String, i64)> = inherited
            .iter()
            .map(|r| Ok((r.try_get::<String, _>("recipient_kind")?, r.try_get::<i64, _>("recipient_id")?)))
            .collect::<Result<_, StoreError>>()?;
        for (kind, id) in followers.iter().map(|(k, i)| (k.to_string(), *i)).chain(inherited) {
            sqlx::query(
                "INSERT INTO case_followers (case_id, recipient_kind, recipient_id, from_case) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (case_id, recipient_kind, recipient_id) DO NOTHING",
            )
            .bind(into)
            .bind(kind)
            .bind(id)
            .bind(duplicate)
            .execute(&mut *tx)
            .await?;
        }
        let note = note.trim();
        let data = json!({ "into": into, "into_number": target.number, "reason": "duplicate" });
        Self::add_event(&mut tx, caller, duplicate, "merge", Some(dup.state.status), Status::Rejected, note, data)
            .await?;
        let data = json!({ "from": duplicate, "from_number": dup.number });
        Self::add_event(&mut tx, caller, into, "merged", Some(target.state.status), target.state.status, note, data)
            .await?;
        self.notify_in(&mut tx, caller, duplicate, "merge").await?;
        let detail =
            json!({ "before": { "status": dup.state.status }, "after": { "status": "rejected", "merged_into": into } });
        self.audit_in(&mut tx, caller, AuditEntry::ok("case.merge", "case", duplicate).with_detail(detail)).await?;
        tx.commit().await?;
        let dup = self.case(duplicate).await?.ok_or_else(|| not_found(duplicate))?;
        let target = self.case(into).await?.ok_or_else(|| not_found(into))?;
        Ok((dup, target))
    }

    /// The cases merged into `id`, oldest first.
    pub async fn merged_cases(&self, id: i64) -> Result<Vec<CaseRecord>, StoreError> {
        let rows =
            sqlx::query(&format!("SELECT {} FROM cases WHERE merged_into = $1 ORDER BY id", super::records::COLUMNS))
                .bind(id)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(super::records::case_from_row).collect()
    }
}
