//! The overdue sweep: open cases past their step's deadline are marked once, and the
//! shift leads over them are notified (through the outbox, in the same transaction). Several servers may sweep at the same time: on
//! PostgreSQL each row is claimed with `FOR UPDATE SKIP LOCKED`, so every case is marked by
//! exactly one of them; on SQLite the write lock serialises the sweeps.

use serde_json::json;
use tongxin_core::time::Timestamp;

use super::records::{COLUMNS, CaseRecord, case_from_row};
use crate::audit::{AuditEntry, Caller};
use crate::{Backend, Store, StoreError};

/// Cases marked per sweep; the rest wait for the next tick.
const BATCH: i64 = 200;

impl Store {
    /// Marks open cases whose step is past due at `now` and returns them, each once.
    pub async fn sweep_overdue(&self, now: Timestamp) -> Result<Vec<CaseRecord>, StoreError> {
        let mut tx = self.begin_write().await?;
        let claim = if self.backend() == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM cases WHERE step_due_at < $1 AND overdue_notified = $2 \
             AND status NOT IN ('closed', 'rejected') ORDER BY step_due_at LIMIT $3{claim}"
        ))
        .bind(now.millis())
        .bind(false)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let cases = rows.iter().map(case_from_row).collect::<Result<Vec<_>, _>>()?;
        let caller = Caller::system("overdue sweep");
        for case in &cases {
            sqlx::query("UPDATE cases SET overdue_notified = $1 WHERE id = $2")
                .bind(true)
                .bind(case.id)
                .execute(&mut *tx)
                .await?;
            let due = case.step_due_at.map(|d| d.to_shanghai_rfc3339());
            Self::add_event(
                &mut tx,
                &caller,
                case.id,
                "overdue",
                Some(case.state.status),
                case.state.status,
                "",
                json!({ "due": due }),
            )
            .await?;
            self.notify_in(&mut tx, &caller, case.id, "overdue").await?;
        }
        if !cases.is_empty() {
            let ids: Vec<i64> = cases.iter().map(|c| c.id).collect();
            self.audit_in(
                &mut tx,
                &caller,
                AuditEntry::ok("case.overdue", "case", "").with_detail(json!({ "cases": ids })),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(cases)
    }
}
