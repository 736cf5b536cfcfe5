//! The e-bike safety view (电动车消防安全), aggregated in SQL: per community and per
//! building, the active e-bikes (of them lithium), how many of their owners signed a pledge,
//! the sheds in use and their spaces, and the fire-safety cases found and fixed in a year;
//! and the year's figures (sheds checked and built, pledges signed, hazards fixed, bikes
//! cleared). Definitions: [`tongxin_core::registry::safety`] and docs/registry.md.
//!
//! Also the record of shed inspections (`shed_checks`), which the figures count.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use tongxin_core::geo::RegionCode;
use tongxin_core::registry::safety::{EBIKE_CATEGORIES, FIRE_SAFETY_CATEGORIES, SafetyYear};
use tongxin_core::time::Timestamp;

use super::{Bind, Conditions, RegistryScope, corrupt};
use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, row_bool};

/// What the safety view covers.
#[derive(Debug, Clone)]
pub struct SafetyFilter {
    pub year: SafetyYear,
    /// Only this region's records.
    pub within: Option<RegionCode>,
    /// Also the rows per building.
    pub buildings: bool,
}

/// The year's figures, counted from the records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SafetyFigures {
    /// Sheds with at least one inspection dated in the year.
    pub sheds_checked: i64,
    /// Sheds opened in the year (and not still planned or being built).
    pub sheds_built: i64,
    /// Pledges signed in the year.
    pub pledges_signed: i64,
    /// Fire-safety cases filed in the year (not rejected, not merged into another).
    pub hazards_found: i64,
    /// Fire-safety cases closed in the year.
    pub hazards_fixed: i64,
    /// E-bike cases (飞线充电, 进楼道/进电梯) closed in the year.
    pub bikes_cleared: i64,
}

/// One row of the view: a community, a building, or the total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SafetyRow {
    /// Active e-bikes, and of them lithium.
    pub ebikes: i64,
    pub lithium: i64,
    /// Owners of active e-bikes, and of them those who signed a pledge (at any time).
    pub owners: i64,
    pub pledged_owners: i64,
    /// Sheds in use and their charging spaces (per community; a building has none).
    pub sheds: i64,
    pub shed_capacity: i64,
    /// Fire-safety cases filed and closed in the year.
    pub hazards_found: i64,
    pub hazards_fixed: i64,
}

impl SafetyRow {
    fn add(&mut self, other: &SafetyRow) {
        self.ebikes += other.ebikes;
        self.lithium += other.lithium;
        self.owners += other.owners;
        self.pledged_owners += other.pledged_owners;
        self.sheds += other.sheds;
        self.shed_capacity += other.shed_capacity;
        self.hazards_found += other.hazards_found;
        self.hazards_fixed += other.hazards_fixed;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommunitySafety {
    pub code: RegionCode,
    pub name: String,
    #[serde(flatten)]
    pub row: SafetyRow,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildingSafety {
    pub id: i64,
    pub name: String,
    pub address: String,
    #[serde(flatten)]
    pub row: SafetyRow,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SafetyReport {
    pub figures: SafetyFigures,
    pub total: SafetyRow,
    /// Every community the caller reaches, by code.
    pub communities: Vec<CommunitySafety>,
    /// Buildings with an active e-bike or a hazard in the year, by address (when asked for).
    pub buildings: Vec<BuildingSafety>,
}

/// An inspection of a charging shed to record.
#[derive(Debug, Clone)]
pub struct NewShedCheck {
    pub shed_id: i64,
    pub checked_on: chrono::NaiveDate,
    pub checked_by: String,
    pub ok: bool,
    pub findings: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShedCheckRecord {
    pub id: i64,
    pub shed_id: i64,
    pub checked_on: chrono::NaiveDate,
    pub checked_by: String,
    pub ok: bool,
    pub findings: String,
}

/// How the rows are grouped: by community (the first 12 characters of a region code) or
/// by building.
#[derive(Clone, Copy)]
enum By {
    Community,
    Building,
}

fn quoted(codes: impl Iterator<Item = &'static str>) -> String {
    codes.map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ")
}

/// The caller's scope and the filter's region on `column`.
fn conditions(column: &str, scope: &RegistryScope, filter: &SafetyFilter) -> Conditions {
    let mut c = Conditions::default();
    c.scope(column, scope);
    if let Some(within) = &filter.within {
        let p = c.param(Bind::Text(format!("{within}%")));
        c.parts.push(format!("{column} LIKE {p}"));
    }
    c
}

fn count(row: &sqlx::any::AnyRow, column: &str) -> Result<i64, StoreError> {
    Ok(row.try_get::<Option<i64>, _>(column)?.unwrap_or(0))
}

impl Store {
    /// The e-bike safety view of `scope` for `filter`'s year.
    pub async fn ebike_safety(&self, scope: &RegistryScope, filter: &SafetyFilter) -> Result<SafetyReport, StoreError> {
        let figures = self.safety_figures(scope, filter).await?;
        let mut communities: Vec<CommunitySafety> = self
            .safety_communities(scope, filter)
            .await?
            .into_iter()
            .map(|(code, name)| CommunitySafety { code, name, row: SafetyRow::default() })
            .collect();
        let mut rows = self.safety_rows(scope, filter, By::Community).await?;
        let mut total = SafetyRow::default();
        for c in &mut communities {
            if let Some(row) = rows.remove(c.code.as_str()) {
                c.row = row;
            }
            total.add(&c.row);
        }
        let mut buildings = Vec::new();
        if filter.buildings {
            let names = self.safety_building_names(scope, filter).await?;
            let mut rows = self.safety_rows(scope, filter, By::Building).await?;
            for (id, name, address) in names {
                if let Some(row) = rows.remove(&id.to_string()) {
                    buildings.push(BuildingSafety { id, name, address, row });
                }
            }
        }
        Ok(SafetyReport { figures, total, communities, buildings })
    }

    /// The communities `scope` reaches (wholly or in part) inside the filter's region.
    async fn safety_communities(
        &self,
        scope: &RegistryScope,
        filter: &SafetyFilter,
    ) -> Result<Vec<(RegionCode, String)>, StoreError> {
        let mut c = Conditions::default();
        c.parts.push("level = 'community'".into());
        // a community is in reach when it lies inside a root, or a root lies inside it
        let reach = |c: &mut Conditions, roots: &[RegionCode]| {
            let any: Vec<String> = roots
                .iter()
                .map(|r| {
                    let r = r.as_str();
                    if r.len() >= 12 {
                        format!("code = {}", c.param(Bind::Text(r[..12].to_owned())))
                    } else {
                        format!("code LIKE {}", c.param(Bind::Text(format!("{r}%"))))
                    }
                })
                .collect();
            c.parts.push(if any.is_empty() { "1 = 0".into() } else { format!("({})", any.join(" OR ")) });
        };
        if !scope.all {
            reach(&mut c, &scope.regions);
        }
        if let Some(within) = &filter.within {
            reach(&mut c, std::slice::from_ref(within));
        }
        let sql = format!("SELECT code, name FROM regions {} ORDER BY code", c.sql());
        let rows = c.query(&sql).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("code")?;
                Ok((RegionCode::parse(&code).map_err(|e| corrupt("community code", e))?, r.try_get("name")?))
            })
            .collect()
    }

    /// Buildings holding a household in reach, with their names, by address.
    async fn safety_building_names(
        &self,
        scope: &RegistryScope,
        filter: &SafetyFilter,
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        let c = conditions("COALESCE(b.block_code, b.grid_code)", scope, filter);
        let sql = format!("SELECT b.id, b.name, b.address FROM buildings b {} ORDER BY b.address", c.sql());
        let rows = c.query(&sql).fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("address")?))).collect()
    }

    /// Rows by community code or building id (as text), from three grouped queries.
    async fn safety_rows(
        &self,
        scope: &RegistryScope,
        filter: &SafetyFilter,
        by: By,
    ) -> Result<BTreeMap<String, SafetyRow>, StoreError> {
        let mut rows: BTreeMap<String, SafetyRow> = BTreeMap::new();

        let (key, from) = match by {
            By::Community => ("substr(e.region_code, 1, 12)", "ebikes e"),
            By::Building => ("CAST(h.building_id AS TEXT)", "ebikes e JOIN households h ON h.id = e.household_id"),
        };
        let mut c = conditions("e.region_code", scope, filter);
        c.parts.push("e.status = 'active'".into());
        let sql = format!(
            "SELECT k, COUNT(*) AS ebikes, CAST(SUM(lithium) AS BIGINT) AS lithium, \
               COUNT(DISTINCT owner_id) AS owners, COUNT(DISTINCT CASE WHEN signed = 1 THEN owner_id END) AS pledged \
             FROM (SELECT {key} AS k, e.owner_id, CASE WHEN e.battery = 'lithium' THEN 1 ELSE 0 END AS lithium, \
                     CASE WHEN EXISTS (SELECT 1 FROM pledges p WHERE p.resident_id = e.owner_id) THEN 1 ELSE 0 END AS signed \
                   FROM {from} {}) x GROUP BY k",
            c.sql()
        );
        for r in c.query(&sql).fetch_all(self.pool()).await? {
            let row = rows.entry(r.try_get("k")?).or_default();
            row.ebikes = count(&r, "ebikes")?;
            row.lithium = count(&r, "lithium")?;
            row.owners = count(&r, "owners")?;
            row.pledged_owners = count(&r, "pledged")?;
        }

        if let By::Community = by {
            let mut c = conditions("s.region_code", scope, filter);
            c.parts.push("s.status = 'in_use'".into());
            let sql = format!(
                "SELECT substr(s.region_code, 1, 12) AS k, COUNT(*) AS sheds, CAST(SUM(s.capacity) AS BIGINT) AS capacity \
                 FROM charging_sheds s {} GROUP BY substr(s.region_code, 1, 12)",
                c.sql()
            );
            for r in c.query(&sql).fetch_all(self.pool()).await? {
                let row = rows.entry(r.try_get("k")?).or_default();
                row.sheds = count(&r, "sheds")?;
                row.shed_capacity = count(&r, "capacity")?;
            }
        }

        let key = match by {
            By::Community => "substr(c.region_code, 1, 12)",
            By::Building => "CAST(c.building_id AS TEXT)",
        };
        let mut c = conditions("c.region_code", scope, filter);
        let (start, end) = filter.year.millis();
        let (a, b) = (c.param(Bind::Int(start)), c.param(Bind::Int(end)));
        let categories = quoted(FIRE_SAFETY_CATEGORIES.iter().map(|(code, _)| *code));
        c.parts.push(format!("c.category_code IN ({categories})"));
        c.parts.push(format!(
            "((c.created_at >= {a} AND c.created_at < {b}) OR (c.closed_at >= {a} AND c.closed_at < {b}))"
        ));
        if let By::Building = by {
            c.parts.push("c.building_id IS NOT NULL".into());
        }
        let sql = format!(
            "SELECT {key} AS k, \
               CAST(SUM(CASE WHEN c.created_at >= {a} AND c.created_at < {b} AND c.status <> 'rejected' \
                 AND c.merged_into IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS found, \
               CAST(SUM(CASE WHEN c.closed_at >= {a} AND c.closed_at < {b} THEN 1 ELSE 0 END) AS BIGINT) AS fixed \
             FROM cases c {} GROUP BY {key}",
            c.sql()
        );
        for r in c.query(&sql).fetch_all(self.pool()).await? {
            let row = rows.entry(r.try_get("k")?).or_default();
            row.hazards_found = count(&r, "found")?;
            row.hazards_fixed = count(&r, "fixed")?;
        }
        Ok(rows)
    }

    /// The year's figures in `scope`.
    async fn safety_figures(&self, scope: &RegistryScope, filter: &SafetyFilter) -> Result<SafetyFigures, StoreError> {
        let (first, next) = filter.year.days();
        let one = |c: Conditions, sql: String| async move {
            let row = c.query(&sql).fetch_one(self.pool()).await?;
            count(&row, "n")
        };

        let mut c = conditions("s.region_code", scope, filter);
        let (a, b) = (c.param(Bind::Text(first.clone())), c.param(Bind::Text(next.clone())));
        c.parts.push(format!("k.checked_on >= {a} AND k.checked_on < {b}"));
        let sql = format!(
            "SELECT COUNT(DISTINCT k.shed_id) AS n FROM shed_checks k JOIN charging_sheds s ON s.id = k.shed_id {}",
            c.sql()
        );
        let sheds_checked = one(c, sql).await?;

        let mut c = conditions("s.region_code", scope, filter);
        let (a, b) = (c.param(Bind::Text(first.clone())), c.param(Bind::Text(next.clone())));
        c.parts.push(format!("s.opened_on >= {a} AND s.opened_on < {b} AND s.status IN ('in_use', 'closed')"));
        let sql = format!("SELECT COUNT(*) AS n FROM charging_sheds s {}", c.sql());
        let sheds_built = one(c, sql).await?;

        let mut c = conditions("p.region_code", scope, filter);
        let (a, b) = (c.param(Bind::Text(first)), c.param(Bind::Text(next)));
        c.parts.push(format!("p.signed_on >= {a} AND p.signed_on < {b}"));
        let sql = format!("SELECT COUNT(*) AS n FROM pledges p {}", c.sql());
        let pledges_signed = one(c, sql).await?;

        let mut c = conditions("c.region_code", scope, filter);
        let (start, end) = filter.year.millis();
        let (a, b) = (c.param(Bind::Int(start)), c.param(Bind::Int(end)));
        let categories = quoted(FIRE_SAFETY_CATEGORIES.iter().map(|(code, _)| *code));
        let ebikes = quoted(EBIKE_CATEGORIES.into_iter());
        c.parts.push(format!("c.category_code IN ({categories})"));
        let sql = format!(
            "SELECT \
               CAST(SUM(CASE WHEN c.created_at >= {a} AND c.created_at < {b} AND c.status <> 'rejected' \
                 AND c.merged_into IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS found, \
               CAST(SUM(CASE WHEN c.closed_at >= {a} AND c.closed_at < {b} THEN 1 ELSE 0 END) AS BIGINT) AS fixed, \
               CAST(SUM(CASE WHEN c.closed_at >= {a} AND c.closed_at < {b} AND c.category_code IN ({ebikes}) \
                 THEN 1 ELSE 0 END) AS BIGINT) AS cleared \
             FROM cases c {}",
            c.sql()
        );
        let row = c.query(&sql).fetch_one(self.pool()).await?;
        Ok(SafetyFigures {
            sheds_checked,
            sheds_built,
            pledges_signed,
            hazards_found: count(&row, "found")?,
            hazards_fixed: count(&row, "fixed")?,
            bikes_cleared: count(&row, "cleared")?,
        })
    }

    /// Records inspections of charging sheds, in one transaction and one audit entry.
    pub async fn record_shed_checks(&self, caller: &Caller, new: &[NewShedCheck]) -> Result<Vec<i64>, StoreError> {
        let now = Timestamp::now().millis();
        let mut tx = self.begin_write().await?;
        let mut ids: Vec<i64> = Vec::with_capacity(new.len());
        for k in new {
            ids.push(insert_shed_check(&mut tx, k, now).await?);
        }
        let detail = match new {
            [one] => json!({ "shed": one.shed_id, "checked_on": one.checked_on.to_string(), "ok": one.ok }),
            _ => json!({ "count": new.len() }),
        };
        let object = match (new, ids.as_slice()) {
            ([_], [id]) => id.to_string(),
            _ => new.len().to_string(),
        };
        self.audit_in(
            &mut tx,
            caller,
            AuditEntry::ok("registry.sheds.check", "shed_check", object).with_detail(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// A shed's inspections, the latest first.
    pub async fn shed_checks(&self, shed_id: i64) -> Result<Vec<ShedCheckRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, shed_id, checked_on, checked_by, ok, findings FROM shed_checks WHERE shed_id = $1 \
             ORDER BY checked_on DESC, id DESC",
        )
        .bind(shed_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let day: String = r.try_get("checked_on")?;
                Ok(ShedCheckRecord {
                    id: r.try_get("id")?,
                    shed_id: r.try_get("shed_id")?,
                    checked_on: chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                        .map_err(|e| corrupt("checked_on", e))?,
                    checked_by: r.try_get("checked_by")?,
                    ok: row_bool(r, "ok")?,
                    findings: r.try_get("findings")?,
                })
            })
            .collect()
    }
}

/// Inserts one shed inspection inside `tx`; its id.
pub(crate) async fn insert_shed_check(tx: &mut crate::Tx, k: &NewShedCheck, now: i64) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO shed_checks (shed_id, checked_on, checked_by, ok, findings, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(k.shed_id)
    .bind(k.checked_on.format("%Y-%m-%d").to_string())
    .bind(k.checked_by.trim())
    .bind(k.ok)
    .bind(k.findings.trim())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}
