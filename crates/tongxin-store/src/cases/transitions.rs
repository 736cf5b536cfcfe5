//! Moving a case along its lifecycle: the state machine decides, the category's limits and
//! the calendar set the next deadline, the timeline and the audit log record it, all in one
//! transaction. Registering a case whose category and place match exactly one dispatch rule
//! dispatches it at once.

use serde_json::json;
use sqlx::Row;
use tongxin_core::cases::calendar::{Calendar, TimeLimit};
use tongxin_core::cases::clock::{self, Clock};
use tongxin_core::cases::lifecycle::{self, Action, Status};
use tongxin_core::time::Timestamp;

use super::records::{COLUMNS, CaseRecord, case_from_row, limit_columns};
use crate::audit::{AuditEntry, Caller};
use crate::{Backend, Store, StoreError, Tx};

/// What an action says besides its name.
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub note: String,
    /// Dispatch: the department.
    pub department: Option<String>,
    /// Reject, return, deny: why.
    pub reason: Option<String>,
    /// Request an extension: how much more time.
    pub extension: Option<TimeLimit>,
    /// Evaluate: 1 to 5.
    pub rating: Option<i64>,
    /// Photos of the step, already in the blob store.
    pub photos: Vec<super::photos::NewPhoto>,
}

/// The case after an action, and whether registering it dispatched it automatically.
#[derive(Debug, Clone)]
pub struct Transition {
    pub case: CaseRecord,
    pub auto_dispatched: Option<String>,
}

fn invalid(field: &'static str, reason: &str) -> StoreError {
    StoreError::Conflict { field, reason: reason.into() }
}

impl Store {
    /// Takes `action` on case `id` for `caller` (whose right to it the caller has checked).
    pub async fn apply_action(
        &self,
        caller: &Caller,
        id: i64,
        action: Action,
        input: &ActionInput,
        calendar: &Calendar,
    ) -> Result<Transition, StoreError> {
        let mut tx = self.begin_write().await?;
        let case = self.step_in(&mut tx, caller, id, action, input, calendar).await?;
        let mut auto_dispatched = None;
        if action == Action::Register && case.state.status == Status::Registered {
            let region = case.grid.clone().unwrap_or_else(|| case.region.clone());
            let departments = self.matching_departments(&mut tx, &case.category, &region).await?;
            if let [only] = departments.as_slice() {
                let input = ActionInput {
                    department: Some(only.clone()),
                    note: "按派遣规则自动派遣".into(),
                    ..Default::default()
                };
                self.step_in(&mut tx, &Caller::system("auto-dispatch"), id, Action::Dispatch, &input, calendar).await?;
                auto_dispatched = Some(only.clone());
            }
        }
        if auto_dispatched.is_none() && case.state.status == Status::Registered {
            self.notify_in(&mut tx, caller, id, "awaiting_dispatch").await?;
        }
        tx.commit().await?;
        let case = self.case(id).await?.ok_or(StoreError::NotFound { entity: "case", key: id.to_string() })?;
        Ok(Transition { case, auto_dispatched })
    }

    /// A case read inside a write transaction, locked against concurrent steps on
    /// PostgreSQL (SQLite's write lock already serialises them).
    pub(crate) async fn case_in(&self, tx: &mut Tx, id: i64) -> Result<Option<CaseRecord>, StoreError> {
        let lock = if self.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM cases WHERE id = $1{lock}"))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        row.as_ref().map(case_from_row).transpose()
    }

    async fn step_in(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        id: i64,
        action: Action,
        input: &ActionInput,
        calendar: &Calendar,
    ) -> Result<CaseRecord, StoreError> {
        let case = self.case_in(tx, id).await?.ok_or(StoreError::NotFound { entity: "case", key: id.to_string() })?;
        let next = lifecycle::next(case.state, action).map_err(StoreError::Refused)?;

        let Recorded { department, rating, data } = recorded(tx, &case, action, input).await?;

        let now = Timestamp::now();
        let (started, limit, due) = self.clock_in(tx, &case, action, next.status, now, calendar).await?;
        let (limit_kind, limit_hours) = limit_columns(limit);
        let new_step = due != case.step_due_at.map(Timestamp::millis);
        sqlx::query(
            "UPDATE cases SET status = $1, pending = $2, evaluated = $3, rating = $4, department_code = $5, \
               rework_count = rework_count + $6, step_started_at = $7, step_limit_kind = $8, step_limit_hours = $9, \
               step_due_at = $10, overdue_notified = CASE WHEN $11 THEN $12 ELSE overdue_notified END, \
               closed_at = CASE WHEN $13 THEN $14 ELSE closed_at END, updated_at = $14 WHERE id = $15",
        )
        .bind(next.status.as_str())
        .bind(next.pending.map(|p| p.as_str()))
        .bind(next.evaluated)
        .bind(rating)
        .bind(department.as_deref())
        .bind(i64::from(action == Action::Rework))
        .bind(started.millis())
        .bind(limit_kind)
        .bind(limit_hours)
        .bind(due)
        .bind(new_step)
        .bind(false)
        .bind(next.status == Status::Closed && case.state.status != Status::Closed)
        .bind(now.millis())
        .bind(id)
        .execute(&mut **tx)
        .await?;
        let event = Self::add_event(
            tx,
            caller,
            id,
            action.as_str(),
            Some(case.state.status),
            next.status,
            input.note.trim(),
            data.clone(),
        )
        .await?;
        Self::add_photos_in(tx, caller, id, event, &input.photos).await?;
        self.notify_in(tx, caller, id, action.as_str()).await?;
        let detail =
            json!({ "before": { "status": case.state.status }, "after": { "status": next.status }, "data": data });
        self.audit_in(tx, caller, AuditEntry::ok("case.transition", "case", id).with_detail(detail)).await?;
        let row =
            sqlx::query(&format!("SELECT {COLUMNS} FROM cases WHERE id = $1")).bind(id).fetch_one(&mut **tx).await?;
        case_from_row(&row)
    }

    /// The step's clock after `action` takes the case to `status`: when it started, its
    /// limit and its deadline (started anew, kept, extended, or stopped).
    async fn clock_in(
        &self,
        tx: &mut Tx,
        case: &CaseRecord,
        action: Action,
        status: Status,
        now: Timestamp,
        calendar: &Calendar,
    ) -> Result<(Timestamp, Option<TimeLimit>, Option<i64>), StoreError> {
        let limits = self.category_limits_any(tx, &case.category).await?;
        let extension =
            if action == Action::ApproveExtension { self.requested_extension(tx, case.id).await? } else { None };
        Ok(match clock::after(action, status, &limits, extension) {
            Clock::Start(limit) => (now, Some(limit), Some(calendar.due(now.to_utc(), limit).timestamp_millis())),
            Clock::Keep => (case.step_started_at, case.step_limit, case.step_due_at.map(Timestamp::millis)),
            Clock::Extend(more) => {
                let base = case.step_due_at.unwrap_or(now).to_utc();
                (case.step_started_at, case.step_limit, Some(calendar.due(base, more).timestamp_millis()))
            }
            Clock::Stop => (now, None, None),
        })
    }

    /// A category's limits, active or not (a case keeps its category's limits).
    async fn category_limits_any(
        &self,
        tx: &mut Tx,
        code: &tongxin_core::cases::catalog::CategoryCode,
    ) -> Result<tongxin_core::cases::catalog::Limits, StoreError> {
        let row = sqlx::query(
            "SELECT register_kind, register_hours, dispatch_kind, dispatch_hours, handle_kind, handle_hours FROM categories WHERE code = $1",
        )
        .bind(code.as_str())
        .fetch_one(&mut **tx)
        .await?;
        let limit = |step: &str| -> Result<TimeLimit, StoreError> {
            super::catalog::limit_from(
                &row.try_get::<String, _>(format!("{step}_kind").as_str())?,
                row.try_get(format!("{step}_hours").as_str())?,
            )
        };
        Ok(tongxin_core::cases::catalog::Limits {
            register: limit("register")?,
            dispatch: limit("dispatch")?,
            handle: limit("handle")?,
        })
    }

    /// The extra time asked for by the case's latest extension request.
    async fn requested_extension(&self, tx: &mut Tx, id: i64) -> Result<Option<TimeLimit>, StoreError> {
        let row = sqlx::query(
            "SELECT data FROM case_events WHERE case_id = $1 AND action = 'request_extension' ORDER BY id DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let data: String = row.try_get("data")?;
        let value: serde_json::Value = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(value["extension"].as_str().and_then(tongxin_core::cases::catalog::parse_limit))
    }
}

/// What a step records besides its status: the department it sets or clears, the rating,
/// and the facts for the timeline (`data`).
struct Recorded {
    department: Option<String>,
    rating: Option<i64>,
    data: serde_json::Value,
}

/// Checks the input `action` needs (a known department, a reason, hours, a rating) and
/// says what the step records.
async fn recorded(tx: &mut Tx, case: &CaseRecord, action: Action, input: &ActionInput) -> Result<Recorded, StoreError> {
    let reason = input.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let mut department = case.department.clone();
    let mut rating = case.rating;
    let mut data = json!({});
    match action {
        Action::Dispatch => {
            let chosen = input
                .department
                .as_deref()
                .ok_or_else(|| invalid("department", "choose the department to dispatch to"))?;
            let known = sqlx::query("SELECT 1 AS one FROM departments WHERE code = $1")
                .bind(chosen)
                .fetch_optional(&mut **tx)
                .await?;
            if known.is_none() {
                return Err(invalid("department", &format!("there is no department {chosen}")));
            }
            department = Some(chosen.to_owned());
            data = json!({ "department": chosen });
        }
        a if a.needs_reason() => {
            let reason = reason.ok_or_else(|| invalid("reason", "give a reason"))?;
            if matches!(action, Action::Return | Action::Recall) {
                department = None;
            }
            data = json!({ "reason": reason });
        }
        Action::RequestExtension => {
            let more = input.extension.ok_or_else(|| invalid("hours", "say how many more hours are needed"))?;
            data = json!({ "extension": tongxin_core::cases::catalog::format_limit(more) });
        }
        Action::Evaluate => {
            let r =
                input.rating.filter(|r| (1..=5).contains(r)).ok_or_else(|| invalid("rating", "a rating is 1 to 5"))?;
            rating = Some(r);
            data = json!({ "rating": r });
        }
        _ => {}
    }
    Ok(Recorded { department, rating, data })
}
