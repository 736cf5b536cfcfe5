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
    }
}

impl Store {
    /// The figures of `campaign` per grid inside `scope`, by grid code.
    pub async fn campaign_progress(
        &self,
        campaign: i64,
        scope: &RegistryScope,
    ) -> Result<Vec<(RegionCode, Progress)>, StoreError> {
        let (inside, binds) =
            if scope.all { ("1 = 1".to_owned(), Vec::new()) } else { within("t.grid_code", &scope.regions, 2) };
        let sql = format!(
            "SELECT t.grid_code, COUNT(*) AS targets, \
               CAST(COALESCE(SUM(CASE WHEN t.status = 'visited' THEN 1 ELSE 0 END), 0) AS BIGINT) AS visited, \
               CAST(COALESCE(SUM(CASE WHEN t.status = 'nobody_home' THEN 1 ELSE 0 END), 0) AS BIGINT) AS nobody_home, \
               CAST(COALESCE(SUM(CASE WHEN t.assignee IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS unassigned \
             FROM campaign_tasks t WHERE t.campaign_id = $1 AND {inside} GROUP BY t.grid_code ORDER BY t.grid_code"
        );
        let mut query = sqlx::query(&sql).bind(campaign);
        for b in &binds {
            query = query.bind(b.as_str());
        }
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
        let mut query = sqlx::query(&sql).bind(campaign);
        for b in &binds {
            query = query.bind(b.as_str());
        }
        for row in query.fetch_all(self.pool()).await? {
            let grid: String = row.try_get("grid_code")?;
            if let Some((_, p)) = out.iter_mut().find(|(g, _)| g.as_str() == grid) {
                p.cases = row.try_get("cases")?;
                p.cases_closed = row.try_get("closed")?;
            }
        }
        Ok(out)
    }
}
