//! A campaign's progress per grid, counted from its tasks, visits and the cases they
//! filed: never typed in.

use serde::Serialize;
use sqlx::Row;
use tongxin_core::geo::RegionCode;

use super::within;
use crate::registry::RegistryScope;
use crate::{Store, StoreError};

/// One grid's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub targets: i64,
    /// Targets visited with the checklist answered.
    pub visited: i64,
    /// Targets where nobody was home at the last visit (to be visited again).
    pub nobody_home: i64,
    /// Targets with no one assigned.
    pub unassigned: i64,
    /// Cases the visits filed, and those of them closed.
    pub cases: i64,
    pub cases_closed: i64,
    /// Safety pledges signed on the visits.
    pub pledges: i64,
}

impl Progress {
    /// Adds `other`'s figures to these.
    pub fn add(&mut self, other: &Progress) {
        self.targets += other.targets;
        self.visited += other.visited;
        self.nobody_home += other.nobody_home;
        self.unassigned += other.unassigned;
        self.cases += other.cases;
        self.cases_closed += other.cases_closed;
        self.pledges += other.pledges;
    }
}

impl Store {
    /// The figures of `campaign` per grid inside `scope`, by grid code.
    pub async fn campaign_progress(
        &self,
        campaign: i64,
        scope: &RegistryScope,
    ) -> Result<Vec<(RegionCode, Progress)>, StoreError> {
        let (inside, binds) = inside(scope);
        let sql = format!(
            "SELECT t.grid_code, COUNT(*) AS targets, \
               CAST(COALESCE(SUM(CASE WHEN t.status = 'visited' THEN 1 ELSE 0 END), 0) AS BIGINT) AS visited, \
               CAST(COALESCE(SUM(CASE WHEN t.status = 'nobody_home' THEN 1 ELSE 0 END), 0) AS BIGINT) AS nobody_home, \
               CAST(COALESCE(SUM(CASE WHEN t.assignee IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS unassigned \
             FROM campaign_tasks t WHERE t.campaign_id = $1 AND {inside} GROUP BY t.grid_code ORDER BY t.grid_code"
        );
        let query = scoped(&sql, campaign, &binds);
        let mut out: Vec<(RegionCode, Progress)> = Vec::new();
        for row in query.fetch_all(self.pool()).await? {
            let grid = RegionCode::parse(&row.try_get::<String, _>("grid_code")?).map_err(super::corrupt)?;
            out.push((
                grid,
                Progress {
                    targets: row.try_get("targets")?,
                    visited: row.try_get("visited")?,
                    nobody_home: row.try_get("nobody_home")?,
                    unassigned: row.try_get("unassigned")?,
                    ..Progress::default()
                },
            ));
        }
        let sql = format!(
            "SELECT t.grid_code, COUNT(*) AS cases, \
               CAST(COALESCE(SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END), 0) AS BIGINT) AS closed \
             FROM campaign_findings f JOIN campaign_tasks t ON t.id = f.task_id JOIN cases c ON c.id = f.case_id \
             WHERE f.campaign_id = $1 AND {inside} GROUP BY t.grid_code"
        );
        let query = scoped(&sql, campaign, &binds);
        for row in query.fetch_all(self.pool()).await? {
            let grid: String = row.try_get("grid_code")?;
            if let Some((_, p)) = out.iter_mut().find(|(g, _)| g.as_str() == grid) {
                p.cases = row.try_get("cases")?;
                p.cases_closed = row.try_get("closed")?;
            }
        }
        let sql = format!(
            "SELECT t.grid_code, CAST(COALESCE(SUM(v.pledges), 0) AS BIGINT) AS pledges \
             FROM campaign_visits v JOIN campaign_tasks t ON t.id = v.task_id \
             WHERE t.campaign_id = $1 AND {inside} GROUP BY t.grid_code"
        );
        let query = scoped(&sql, campaign, &binds);
        for row in query.fetch_all(self.pool()).await? {
            let grid: String = row.try_get("grid_code")?;
            if let Some((_, p)) = out.iter_mut().find(|(g, _)| g.as_str() == grid) {
                p.pledges = row.try_get("pledges")?;
            }
        }
        Ok(out)
    }

    /// The findings of `campaign` per grid and checklist item inside `scope`: (grid, item,
    /// how many).
    pub async fn campaign_findings_by_item(
        &self,
        campaign: i64,
        scope: &RegistryScope,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        let (inside, binds) = inside(scope);
        let sql = format!(
            "SELECT t.grid_code, f.item, COUNT(*) AS n FROM campaign_findings f JOIN campaign_tasks t ON t.id = f.task_id \
             WHERE f.campaign_id = $1 AND {inside} GROUP BY t.grid_code, f.item ORDER BY t.grid_code, f.item"
        );
        let query = scoped(&sql, campaign, &binds);
        query
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.try_get("grid_code")?, r.try_get("item")?, r.try_get("n")?)))
            .collect()
    }
}

/// `sql` with the campaign as `$1` and the scope's patterns after it.
fn scoped<'q>(
    sql: &'q str,
    campaign: i64,
    binds: &'q [String],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    binds.iter().fold(sqlx::query(sql).bind(campaign), |query, b| query.bind(b.as_str()))
}

/// The condition keeping tasks to `scope`, with its patterns (numbered from `$2`).
fn inside(scope: &RegistryScope) -> (String, Vec<String>) {
    if scope.all { ("1 = 1".to_owned(), Vec::new()) } else { within("t.grid_code", &scope.regions, 2) }
}
