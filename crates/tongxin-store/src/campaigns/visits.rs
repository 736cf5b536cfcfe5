//! Recording a visit exactly once. The client makes the visit's id; a second submission
//! with the same id (a phone that lost its connection and sent again) gets the first
//! visit back and changes nothing. The visit, the task's new status, the cases its
//! findings file and the audit entry are one transaction.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use tongxin_core::campaigns::{Outcome, TaskStatus};
use tongxin_core::cases::calendar::Calendar;
use tongxin_core::geo::RegionCode;
use tongxin_core::time::Timestamp;

use super::{TASK_COLUMNS, Task, task_from_row};
use crate::audit::{AuditEntry, Caller};
use crate::cases::NewCase;
use crate::registry::NewPledge;
use crate::registry::safety::NewShedCheck;
use crate::{Store, StoreError, Tx};

/// A visit to record.
#[derive(Debug, Clone)]
pub struct NewVisit {
    pub task_id: i64,
    /// The id the client made for this visit: 8 to 64 of `[A-Za-z0-9_-]`.
    pub client_id: String,
    pub outcome: Outcome,
    /// The checked answers, as JSON.
    pub answers: serde_json::Value,
    pub photos: i64,
    /// Cases to file, one per finding, with the checklist item that found each.
    pub findings: Vec<(String, NewCase)>,
    /// Safety pledges signed on the visit (a pledge collected door to door is a pledge).
    pub pledges: Vec<NewPledge>,
    /// The inspection a visit to a charging shed is (a shed checked in a campaign is a
    /// shed inspection).
    pub shed_check: Option<NewShedCheck>,
}

/// A stored visit.
#[derive(Debug, Clone, Serialize)]
pub struct Visit {
    pub id: i64,
    pub task_id: i64,
    pub client_id: String,
    pub outcome: Outcome,
    pub answers: serde_json::Value,
    pub photos: i64,
    pub actor_name: String,
    pub visited_at: Timestamp,
    /// The cases its findings filed.
    pub case_ids: Vec<i64>,
}

/// Whether a client's id is well-formed.
pub fn client_id_ok(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Store {
    /// Records `visit` by `caller`, once: the visit and whether it is new (`false`: the
    /// client's id was already on file, and that visit is returned unchanged).
    pub async fn record_visit(
        &self,
        caller: &Caller,
        visit: &NewVisit,
        calendar: &Calendar,
    ) -> Result<(Visit, bool), StoreError> {
        if let Some(first) = self.visit_by_client(&visit.client_id).await? {
            return Ok((first, false));
        }
        match self.record_visit_once(caller, visit, calendar).await {
            Ok(id) => {
                Ok((self.visit(id).await?.ok_or(StoreError::NotFound { entity: "visit", key: id.to_string() })?, true))
            }
            // Two submissions with one id at once: the loser finds the winner's visit.
            Err(e) => match self.visit_by_client(&visit.client_id).await? {
                Some(first) => Ok((first, false)),
                None => Err(e),
            },
        }
    }

    async fn record_visit_once(
        &self,
        caller: &Caller,
        visit: &NewVisit,
        calendar: &Calendar,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let lock = if self.backend() == crate::Backend::Postgres { " FOR UPDATE" } else { "" };
        let sql = format!("SELECT {TASK_COLUMNS} FROM campaign_tasks t WHERE t.id = $1{lock}");
        let task = sqlx::query(&sql)
            .bind(visit.task_id)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(task_from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "task", key: visit.task_id.to_string() })?;
        let now = Timestamp::now();
        let answers = serde_json::to_string(&visit.answers).map_err(super::corrupt)?;
        let id: i64 = sqlx::query(
            "INSERT INTO campaign_visits (task_id, client_id, outcome, answers, photos, pledges, actor_kind, actor_id, \
               actor_name, visited_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(task.id)
        .bind(&visit.client_id)
        .bind(visit.outcome.as_str())
        .bind(answers)
        .bind(visit.photos)
        .bind(visit.pledges.len() as i64)
        .bind(caller.actor.kind.as_str())
        .bind(caller.actor.id)
        .bind(&caller.display_name)
        .bind(now.millis())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        // A visit that found someone home settles the task; nobody home leaves it to revisit
        // (a later answered visit settles it all the same).
        let status = match (visit.outcome, task.status) {
            (Outcome::Visited, _) | (_, TaskStatus::Visited) => TaskStatus::Visited,
            (Outcome::NobodyHome, _) => TaskStatus::NobodyHome,
        };
        sqlx::query("UPDATE campaign_tasks SET status = $1, visits = visits + 1, visited_at = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(now.millis())
            .bind(task.id)
            .execute(&mut *tx)
            .await?;
        let mut cases = Vec::new();
        for (item, case) in &visit.findings {
            let case_id = self.insert_case(&mut tx, caller, case, calendar).await?;
            link(&mut tx, id, task.id, task.campaign_id, item, case_id).await?;
            cases.push(case_id);
        }
        let mut pledges = Vec::new();
        for pledge in &visit.pledges {
            pledges.push(self.add_pledge_in(&mut tx, caller, pledge).await?);
        }
        let shed_check = match &visit.shed_check {
            Some(check) => Some(crate::registry::safety::insert_shed_check(&mut tx, check, now.millis()).await?),
            None => None,
        };
        let detail = json!({ "task": task.id, "target": task.label, "outcome": visit.outcome, "cases": cases,
            "pledges": pledges, "shed_check": shed_check });
        self.audit_in(
            &mut tx,
            caller,
            AuditEntry::ok("campaign.visit", "campaign", task.campaign_id).with_detail(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn visit(&self, id: i64) -> Result<Option<Visit>, StoreError> {
        self.visit_where("v.id = $1", Bind::Id(id)).await
    }

    async fn visit_by_client(&self, client_id: &str) -> Result<Option<Visit>, StoreError> {
        self.visit_where("v.client_id = $1", Bind::Client(client_id)).await
    }

    async fn visit_where(&self, condition: &str, bind: Bind<'_>) -> Result<Option<Visit>, StoreError> {
        let sql = format!(
            "SELECT v.id, v.task_id, v.client_id, v.outcome, v.answers, v.photos, v.actor_name, v.visited_at \
             FROM campaign_visits v WHERE {condition}"
        );
        let query = sqlx::query(&sql);
        let query = match bind {
            Bind::Id(id) => query.bind(id),
            Bind::Client(client) => query.bind(client),
        };
        let Some(row) = query.fetch_optional(self.pool()).await? else { return Ok(None) };
        let id: i64 = row.try_get("id")?;
        let cases = sqlx::query("SELECT case_id FROM campaign_findings WHERE visit_id = $1 ORDER BY case_id")
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.try_get("case_id"))
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(Some(Visit {
            id,
            task_id: row.try_get("task_id")?,
            client_id: row.try_get("client_id")?,
            outcome: row.try_get::<String, _>("outcome")?.parse().map_err(super::corrupt)?,
            answers: serde_json::from_str(&row.try_get::<String, _>("answers")?).map_err(super::corrupt)?,
            photos: row.try_get("photos")?,
            actor_name: row.try_get("actor_name")?,
            visited_at: Timestamp::from_millis(row.try_get("visited_at")?),
            case_ids: cases,
        }))
    }

    /// The residents who own an active e-bike in `household`, with their region: who signs
    /// the pledge a visit collects there.
    pub async fn household_ebike_owners(&self, household: i64) -> Result<Vec<(i64, RegionCode)>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT r.id, r.region_code FROM ebikes e JOIN residents r ON r.id = e.owner_id \
             WHERE e.household_id = $1 AND e.status = 'active' AND r.moved_out IS NULL ORDER BY r.id",
        )
        .bind(household)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let region = RegionCode::parse(&r.try_get::<String, _>("region_code")?).map_err(super::corrupt)?;
                Ok((r.try_get("id")?, region))
            })
            .collect()
    }

    /// The visits to a task, oldest first.
    pub async fn visits_of(&self, task_id: i64) -> Result<Vec<Visit>, StoreError> {
        let ids = sqlx::query("SELECT id FROM campaign_visits WHERE task_id = $1 ORDER BY id")
            .bind(task_id)
            .fetch_all(self.pool())
            .await?;
        let mut visits = Vec::new();
        for row in ids {
            if let Some(v) = self.visit(row.try_get("id")?).await? {
                visits.push(v);
            }
        }
        Ok(visits)
    }
}

/// A visit made in the past (the demo's finished campaigns): when it happened, and its
/// findings as cases with their whole past lifecycle.
#[derive(Debug, Clone)]
pub struct PastVisit {
    pub visit: NewVisit,
    pub at: Timestamp,
    pub actor_name: String,
    pub cases: Vec<(String, crate::cases::history::PastCase)>,
    /// Cases already on file that this visit found (by item): linked, not filed again.
    pub found_cases: Vec<(String, i64)>,
    /// Pledges already on file that this visit collected: counted, not written again.
    pub pledges_on_file: i64,
}

impl Store {
    /// Writes past visits in one transaction and one audit entry, as they were: their
    /// time, their tasks' status, their findings' cases and links, their pledges and shed
    /// inspections. For seeding a history, never for a visit made now.
    pub async fn insert_past_visits(&self, caller: &Caller, visits: &[PastVisit]) -> Result<usize, StoreError> {
        let mut tx = self.begin_write().await?;
        for past in visits {
            let v = &past.visit;
            let task = sqlx::query(&format!("SELECT {TASK_COLUMNS} FROM campaign_tasks t WHERE t.id = $1"))
                .bind(v.task_id)
                .fetch_one(&mut *tx)
                .await?;
            let task = task_from_row(&task)?;
            let answers = serde_json::to_string(&v.answers).map_err(super::corrupt)?;
            let id: i64 = sqlx::query(
                "INSERT INTO campaign_visits (task_id, client_id, outcome, answers, photos, pledges, actor_kind, actor_id, \
                   actor_name, visited_at) VALUES ($1, $2, $3, $4, 0, $5, 'staff', 0, $6, $7) RETURNING id",
            )
            .bind(task.id)
            .bind(&v.client_id)
            .bind(v.outcome.as_str())
            .bind(answers)
            .bind(v.pledges.len() as i64 + past.pledges_on_file)
            .bind(&past.actor_name)
            .bind(past.at.millis())
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            let status = match (v.outcome, task.status) {
                (Outcome::Visited, _) | (_, TaskStatus::Visited) => TaskStatus::Visited,
                (Outcome::NobodyHome, _) => TaskStatus::NobodyHome,
            };
            sqlx::query("UPDATE campaign_tasks SET status = $1, visits = visits + 1, visited_at = $2 WHERE id = $3")
                .bind(status.as_str())
                .bind(past.at.millis())
                .bind(task.id)
                .execute(&mut *tx)
                .await?;
            for (item, case) in &past.cases {
                let case_id = self.insert_past_case(&mut tx, case).await?;
                link(&mut tx, id, task.id, task.campaign_id, item, case_id).await?;
            }
            for (item, case_id) in &past.found_cases {
                link(&mut tx, id, task.id, task.campaign_id, item, *case_id).await?;
            }
            for pledge in &v.pledges {
                crate::registry::insert_pledge_row(&mut tx, pledge, past.at.millis()).await?;
            }
            if let Some(check) = &v.shed_check {
                crate::registry::safety::insert_shed_check(&mut tx, check, past.at.millis()).await?;
            }
        }
        let detail = json!({ "visits": visits.len() });
        self.audit_in(&mut tx, caller, AuditEntry::ok("campaign.visits.import", "campaign", "").with_detail(detail))
            .await?;
        tx.commit().await?;
        Ok(visits.len())
    }

    /// Every task of `campaign`, by id.
    pub async fn campaign_tasks(&self, campaign: i64) -> Result<Vec<Task>, StoreError> {
        let sql = format!("SELECT {TASK_COLUMNS} FROM campaign_tasks t WHERE t.campaign_id = $1 ORDER BY t.id");
        let rows = sqlx::query(&sql).bind(campaign).fetch_all(self.pool()).await?;
        rows.iter().map(task_from_row).collect()
    }
}

enum Bind<'a> {
    Id(i64),
    Client(&'a str),
}

async fn link(tx: &mut Tx, visit: i64, task: i64, campaign: i64, item: &str, case: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO campaign_findings (visit_id, task_id, campaign_id, item, case_id) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(visit)
    .bind(task)
    .bind(campaign)
    .bind(item)
    .bind(case)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
