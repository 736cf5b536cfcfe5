//! Campaigns (专项行动) stored: the campaign with its checklist, one visit task per target
//! (made when the campaign is created, each assigned to the grid worker of its grid), the
//! visits (each stored once, by the id its client made) and the cases their findings
//! filed. [`visits`] records a visit; [`progress`] counts them.

pub mod progress;
pub mod visits;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::campaigns::checklist::Checklist;
use tongxin_core::campaigns::{TargetKind, TaskStatus};
use tongxin_core::geo::RegionCode;
use tongxin_core::time::Timestamp;

use crate::audit::{AuditEntry, Caller};
use crate::registry::RegistryScope;
use crate::{Store, StoreError, Tx};

/// Households a campaign may be limited to: those with an active e-bike.
pub const WITH_EBIKE: &str = "with_ebike";

/// A campaign to create.
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub name: String,
    /// The shipped template it copies, or empty.
    pub template: String,
    pub target_kind: TargetKind,
    /// `""`, or [`WITH_EBIKE`] for households.
    pub target_filter: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub regions: Vec<RegionCode>,
    pub checklist: Checklist,
}

/// A stored campaign.
#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub template: String,
    pub target_kind: TargetKind,
    pub target_filter: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub regions: Vec<RegionCode>,
    pub checklist: Checklist,
    pub created_by: String,
    pub created_at: Timestamp,
}

/// A visit task: one target of one campaign.
#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub id: i64,
    pub campaign_id: i64,
    pub target_id: i64,
    /// A grid target's code; empty for the others.
    pub target_code: String,
    /// The target in words: an address and room, a shed's name, a grid's code.
    pub label: String,
    pub grid: RegionCode,
    pub building_id: Option<i64>,
    pub floor: i64,
    pub assignee: Option<i64>,
    pub status: TaskStatus,
    pub visits: i64,
    pub visited_at: Option<Timestamp>,
}

const CAMPAIGN_COLUMNS: &str = "id, name, template, target_kind, target_filter, starts_on, ends_on, regions, checklist, \
    created_by, created_at";

const TASK_COLUMNS: &str = "t.id, t.campaign_id, t.target_id, t.target_code, t.label, t.grid_code, t.building_id, t.floor, \
    t.assignee, t.status, t.visits, t.visited_at";

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn day(row: &AnyRow, column: &str) -> Result<NaiveDate, StoreError> {
    row.try_get::<String, _>(column)?.parse().map_err(corrupt)
}

fn campaign_from_row(row: &AnyRow) -> Result<Campaign, StoreError> {
    Ok(Campaign {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        template: row.try_get("template")?,
        target_kind: row.try_get::<String, _>("target_kind")?.parse().map_err(corrupt)?,
        target_filter: row.try_get("target_filter")?,
        starts_on: day(row, "starts_on")?,
        ends_on: day(row, "ends_on")?,
        regions: serde_json::from_str(&row.try_get::<String, _>("regions")?).map_err(corrupt)?,
        checklist: serde_json::from_str(&row.try_get::<String, _>("checklist")?).map_err(corrupt)?,
        created_by: row.try_get("created_by")?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
    })
}

pub(crate) fn task_from_row(row: &AnyRow) -> Result<Task, StoreError> {
    Ok(Task {
        id: row.try_get("id")?,
        campaign_id: row.try_get("campaign_id")?,
        target_id: row.try_get("target_id")?,
        target_code: row.try_get("target_code")?,
        label: row.try_get("label")?,
        grid: RegionCode::parse(&row.try_get::<String, _>("grid_code")?).map_err(corrupt)?,
        building_id: row.try_get("building_id")?,
        floor: row.try_get("floor")?,
        assignee: row.try_get("assignee")?,
        status: row.try_get::<String, _>("status")?.parse().map_err(corrupt)?,
        visits: row.try_get("visits")?,
        visited_at: row.try_get::<Option<i64>, _>("visited_at")?.map(Timestamp::from_millis),
    })
}

/// The floor a room number names: 302 is on 3, 1201 on 12; 0 when it names none.
pub fn floor_of(room: &str) -> i64 {
    let digits: String = room.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    match digits.len() {
        3 | 4 => digits[..digits.len() - 2].parse().unwrap_or(0),
        _ => 0,
    }
}

/// `column LIKE 'r%' OR …` over `regions`, with its parameters numbered from `first`.
pub(crate) fn within(column: &str, regions: &[RegionCode], first: usize) -> (String, Vec<String>) {
    let parts: Vec<String> = (0..regions.len()).map(|i| format!("{column} LIKE ${}", first + i)).collect();
    let sql = if parts.is_empty() { "1 = 0".to_owned() } else { format!("({})", parts.join(" OR ")) };
    (sql, regions.iter().map(|r| format!("{r}%")).collect())
}

/// A target found in the registry, before it is a task.
struct Target {
    id: i64,
    code: String,
    label: String,
    grid: String,
    building: Option<i64>,
    floor: i64,
}

impl Store {
    /// Creates a campaign and a visit task for each of its targets in its regions, each
    /// assigned to a grid worker of the target's grid (the first by id; none when the
    /// grid has none). One transaction, audited. Returns the campaign and its task count.
    pub async fn create_campaign(&self, caller: &Caller, new: &NewCampaign) -> Result<(Campaign, i64), StoreError> {
        let mut tx = self.begin_write().await?;
        let now = Timestamp::now();
        let regions = serde_json::to_string(&new.regions).map_err(corrupt)?;
        let checklist = serde_json::to_string(&new.checklist).map_err(corrupt)?;
        let id: i64 = sqlx::query(
            "INSERT INTO campaigns (name, template, target_kind, target_filter, starts_on, ends_on, regions, checklist, \
               created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(new.name.trim())
        .bind(&new.template)
        .bind(new.target_kind.as_str())
        .bind(&new.target_filter)
        .bind(new.starts_on.to_string())
        .bind(new.ends_on.to_string())
        .bind(regions)
        .bind(checklist)
        .bind(&caller.display_name)
        .bind(now.millis())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let targets = targets(&mut tx, new).await?;
        let mut workers: std::collections::HashMap<String, Option<i64>> = std::collections::HashMap::new();
        for target in &targets {
            if !workers.contains_key(&target.grid) {
                workers.insert(target.grid.clone(), grid_worker(&mut tx, &target.grid).await?);
            }
        }
        for chunk in targets.chunks(200) {
            insert_tasks(&mut tx, id, chunk, &workers).await?;
        }
        let detail = json!({ "after": { "name": new.name, "target_kind": new.target_kind, "regions": new.regions,
            "tasks": targets.len() } });
        self.audit_in(&mut tx, caller, AuditEntry::ok("campaign.create", "campaign", id).with_detail(detail)).await?;
        tx.commit().await?;
        let campaign =
            self.campaign(id).await?.ok_or(StoreError::NotFound { entity: "campaign", key: id.to_string() })?;
        Ok((campaign, targets.len() as i64))
    }

    pub async fn campaign(&self, id: i64) -> Result<Option<Campaign>, StoreError> {
        let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1");
        sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?.as_ref().map(campaign_from_row).transpose()
    }

    /// The campaigns that touch `scope` (one of their regions inside it, or it inside one
    /// of theirs), newest first.
    pub async fn campaigns(&self, scope: &RegistryScope) -> Result<Vec<Campaign>, StoreError> {
        let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns ORDER BY starts_on DESC, id DESC");
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        let all: Vec<Campaign> = rows.iter().map(campaign_from_row).collect::<Result<_, _>>()?;
        Ok(all
            .into_iter()
            .filter(|c| {
                scope.all || c.regions.iter().any(|r| scope.regions.iter().any(|s| s.contains(r) || r.contains(s)))
            })
            .collect())
    }

    pub async fn task(&self, id: i64) -> Result<Option<Task>, StoreError> {
        let sql = format!("SELECT {TASK_COLUMNS} FROM campaign_tasks t WHERE t.id = $1");
        sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?.as_ref().map(task_from_row).transpose()
    }

    /// The tasks assigned to `user` in campaigns running on `today`, the ones still to do
    /// first, then by building, floor and room.
    pub async fn tasks_of(&self, user: i64, today: NaiveDate) -> Result<Vec<Task>, StoreError> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM campaign_tasks t JOIN campaigns c ON c.id = t.campaign_id \
             WHERE t.assignee = $1 AND c.starts_on <= $2 AND c.ends_on >= $2 \
             ORDER BY CASE t.status WHEN 'visited' THEN 1 ELSE 0 END, t.campaign_id, t.building_id, t.floor, t.label, t.id"
        );
        let rows = sqlx::query(&sql).bind(user).bind(today.to_string()).fetch_all(self.pool()).await?;
        rows.iter().map(task_from_row).collect()
    }

    /// Gives the tasks `ids` of `campaign` to `user` (or to nobody), audited as one action;
    /// returns how many changed hands. Tasks of another campaign are left alone.
    pub async fn reassign_tasks(
        &self,
        caller: &Caller,
        campaign: i64,
        ids: &[i64],
        user: Option<i64>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut changed = 0;
        for id in ids {
            changed += sqlx::query("UPDATE campaign_tasks SET assignee = $1 WHERE id = $2 AND campaign_id = $3")
                .bind(user)
                .bind(id)
                .bind(campaign)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        let detail = json!({ "tasks": ids, "assignee": user, "changed": changed });
        self.audit_in(&mut tx, caller, AuditEntry::ok("campaign.reassign", "campaign", campaign).with_detail(detail))
            .await?;
        tx.commit().await?;
        Ok(changed)
    }
}

/// The registry's targets of `new`'s kind in its regions, each once.
async fn targets(tx: &mut Tx, new: &NewCampaign) -> Result<Vec<Target>, StoreError> {
    let mut found: Vec<Target> = Vec::new();
    let (sql, binds) = match new.target_kind {
        TargetKind::Building => {
            let (w, b) = within("b.grid_code", &new.regions, 1);
            (
                format!(
                    "SELECT b.id, '' AS code, b.address AS label, b.grid_code AS grid, b.id AS building, '' AS room \
                      FROM buildings b WHERE {w} ORDER BY b.id"
                ),
                b,
            )
        }
        TargetKind::Household => {
            let (w, b) = within("h.region_code", &new.regions, 1);
            let ebike = if new.target_filter == WITH_EBIKE {
                " AND EXISTS (SELECT 1 FROM ebikes e WHERE e.household_id = h.id AND e.status = 'active')"
            } else {
                ""
            };
            (
                format!(
                    "SELECT h.id, '' AS code, b.address || CASE WHEN h.unit = '' THEN '' ELSE ' ' || h.unit || '单元' END \
                        || ' ' || h.room || '室' AS label, b.grid_code AS grid, b.id AS building, h.room AS room \
                      FROM households h JOIN buildings b ON b.id = h.building_id WHERE {w}{ebike} ORDER BY h.id"
                ),
                b,
            )
        }
        TargetKind::Shed => {
            let (w, b) = within("s.region_code", &new.regions, 1);
            (
                format!(
                    "SELECT s.id, '' AS code, s.name AS label, s.region_code AS grid, CAST(NULL AS BIGINT) AS building, '' AS room \
                      FROM charging_sheds s WHERE {w} AND s.status <> 'closed' ORDER BY s.id"
                ),
                b,
            )
        }
        TargetKind::Grid => {
            let (w, b) = within("r.code", &new.regions, 1);
            (
                format!(
                    "SELECT CAST(0 AS BIGINT) AS id, r.code AS code, r.name || '（' || r.code || '）' AS label, r.code AS grid, \
                        CAST(NULL AS BIGINT) AS building, '' AS room FROM regions r WHERE r.level = 'grid' AND {w} ORDER BY r.code"
                ),
                b,
            )
        }
    };
    let mut query = sqlx::query(&sql);
    for b in &binds {
        query = query.bind(b.as_str());
    }
    let rows = query.fetch_all(&mut **tx).await?;
    for row in rows {
        found.push(Target {
            id: row.try_get("id")?,
            code: row.try_get("code")?,
            label: row.try_get("label")?,
            grid: row.try_get("grid")?,
            building: row.try_get("building")?,
            floor: floor_of(&row.try_get::<String, _>("room")?),
        });
    }
    Ok(found)
}

/// The grid worker who looks after `grid`: the first by id whose regions hold it.
async fn grid_worker(tx: &mut Tx, grid: &str) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'gridworker' \
         WHERE u.disabled = $1 AND EXISTS (SELECT 1 FROM user_regions g WHERE g.user_id = u.id \
           AND substr($2, 1, length(g.region_code)) = g.region_code) ORDER BY u.id LIMIT 1",
    )
    .bind(false)
    .bind(grid)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| r.try_get("id")).transpose().map_err(Into::into)
}

async fn insert_tasks(
    tx: &mut Tx,
    campaign: i64,
    targets: &[Target],
    workers: &std::collections::HashMap<String, Option<i64>>,
) -> Result<(), StoreError> {
    let rows: Vec<String> = (0..targets.len())
        .map(|i| {
            let p: Vec<String> = (0..7).map(|k| format!("${}", 2 + i * 7 + k)).collect();
            format!("($1, {}, 'open')", p.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO campaign_tasks (campaign_id, target_id, target_code, label, grid_code, building_id, floor, assignee, \
           status) VALUES {}",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(campaign);
    for t in targets {
        query = query
            .bind(t.id)
            .bind(t.code.as_str())
            .bind(t.label.as_str())
            .bind(t.grid.as_str())
            .bind(t.building)
            .bind(t.floor)
            .bind(workers.get(&t.grid).copied().flatten());
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::floor_of;

    #[test]
    fn floors_come_from_room_numbers() {
        assert_eq!(floor_of("302"), 3);
        assert_eq!(floor_of("1201"), 12);
        assert_eq!(floor_of("B302"), 3);
        assert_eq!(floor_of("甲"), 0);
        assert_eq!(floor_of("5"), 0);
    }
}
