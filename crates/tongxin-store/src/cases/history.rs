//! Cases with a past: written in bulk, with their whole timeline, by the demo generator
//! and by imports of an older system's records. One transaction, one audit entry.

use serde_json::json;
use sqlx::Row;
use tongxin_core::cases::calendar::TimeLimit;
use tongxin_core::cases::lifecycle::{State, Status};
use tongxin_core::time::{SHANGHAI, Timestamp};

use super::records::{NewCase, limit_columns};
use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, Tx};

/// One step of a past case's timeline.
#[derive(Debug, Clone)]
pub struct PastEvent {
    pub at: Timestamp,
    pub actor: String,
    pub action: &'static str,
    pub from: Option<Status>,
    pub to: Status,
    pub note: String,
    /// What the step carried: a department, a reason, a rating, an extension asked for.
    pub data: serde_json::Value,
}

/// A case as it stands now, with how it got there.
#[derive(Debug, Clone)]
pub struct PastCase {
    pub case: NewCase,
    pub created_at: Timestamp,
    pub state: State,
    pub rating: Option<i64>,
    pub department: Option<String>,
    pub rework_count: i64,
    pub step_started_at: Timestamp,
    pub step_limit: Option<TimeLimit>,
    pub step_due_at: Option<Timestamp>,
    /// Whether the overdue sweep has already marked it.
    pub overdue_notified: bool,
    pub closed_at: Option<Timestamp>,
    pub events: Vec<PastEvent>,
}

impl Store {
    /// Writes past cases inside the caller's transaction; returns how many.
    pub async fn insert_past_cases_in(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        cases: &[PastCase],
    ) -> Result<usize, StoreError> {
        for past in cases {
            self.insert_past_case(tx, past).await?;
        }
        let detail = json!({ "cases": cases.len() });
        self.audit_in(tx, caller, AuditEntry::ok("cases.import", "case", "").with_detail(detail)).await?;
        Ok(cases.len())
    }

    /// Writes one past case inside `tx`; its id.
    pub(crate) async fn insert_past_case(&self, tx: &mut Tx, past: &PastCase) -> Result<i64, StoreError> {
        let new = &past.case;
        let (kind, hours) = limit_columns(past.step_limit);
        let updated = past.events.last().map_or(past.created_at, |e| e.at);
        let attributes = serde_json::to_string(&new.attributes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let placeholder = tongxin_core::access::token::random_hex(12);
        let id: i64 = sqlx::query(
            "INSERT INTO cases (number, source, category_code, status, pending, evaluated, rating, description, attributes, lat, lng, \
               region_code, grid_code, address, building_id, reporter_user, reporter_resident, reporter_sealed, external_ref, \
               department_code, duplicate_of, rework_count, created_at, updated_at, step_started_at, step_limit_kind, \
               step_limit_hours, step_due_at, overdue_notified, closed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CAST($10 AS DOUBLE PRECISION), CAST($11 AS DOUBLE PRECISION), $12, $13, \
               $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30) RETURNING id",
        )
        .bind(&placeholder)
        .bind(new.source.as_str())
        .bind(new.category.as_str())
        .bind(past.state.status.as_str())
        .bind(past.state.pending.map(|p| p.as_str()))
        .bind(past.state.evaluated)
        .bind(past.rating)
        .bind(&new.description)
        .bind(attributes)
        .bind(new.location.map(|p| p.lat().to_string()))
        .bind(new.location.map(|p| p.lng().to_string()))
        .bind(new.region.as_str())
        .bind(new.grid.as_ref().map(|g| g.as_str()))
        .bind(&new.address)
        .bind(new.building_id)
        .bind(new.reporter_user)
        .bind(new.reporter_resident)
        .bind(new.reporter_sealed.clone())
        .bind(new.external_ref.as_deref())
        .bind(past.department.as_deref())
        .bind(new.duplicate_of)
        .bind(past.rework_count)
        .bind(past.created_at.millis())
        .bind(updated.millis())
        .bind(past.step_started_at.millis())
        .bind(kind)
        .bind(hours)
        .bind(past.step_due_at.map(Timestamp::millis))
        .bind(past.overdue_notified)
        .bind(past.closed_at.map(Timestamp::millis))
        .fetch_one(&mut **tx)
        .await?
        .try_get("id")?;
        let number = format!("{}-{id:05}", past.created_at.to_utc().with_timezone(&SHANGHAI).format("%Y%m%d"));
        sqlx::query("UPDATE cases SET number = $1 WHERE id = $2").bind(&number).bind(id).execute(&mut **tx).await?;
        for e in &past.events {
            sqlx::query(
                "INSERT INTO case_events (case_id, at, actor_kind, actor_id, actor_name, action, from_status, to_status, note, data) \
                 VALUES ($1, $2, 'staff', 0, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(e.at.millis())
            .bind(&e.actor)
            .bind(e.action)
            .bind(e.from.map(Status::as_str))
            .bind(e.to.as_str())
            .bind(&e.note)
            .bind(if e.data.is_null() { "{}".to_owned() } else { e.data.to_string() })
            .execute(&mut **tx)
            .await?;
        }
        Ok(id)
    }
}
