//! Buildings (楼栋).

use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::geo::{Building, LatLng, NewBuilding, RegionCode, RegionLevel};
use tongxin_core::time::Timestamp;

use serde_json::json;

use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, Tx, row_bool};

/// Which buildings to list.
#[derive(Debug, Clone)]
pub struct BuildingFilter {
    /// Buildings in this region or below it.
    pub within: RegionCode,
    pub limit: i64,
    pub offset: i64,
}

const COLUMNS: &str = "id, grid_code, block_code, name, address, lat, lng, floors, has_elevator";

fn building_from_row(row: &AnyRow) -> Result<Building, StoreError> {
    let corrupt = |what: &str, e: &dyn std::fmt::Display| StoreError::Corrupt(format!("building {what}: {e}"));
    let code = |raw: String| RegionCode::parse(&raw).map_err(|e| corrupt("region code", &e));
    let location = LatLng::new(row.try_get("lat")?, row.try_get("lng")?).map_err(|e| corrupt("location", &e))?;
    let floors: i64 = row.try_get("floors")?;
    Ok(Building {
        id: row.try_get("id")?,
        fields: NewBuilding {
            grid: code(row.try_get("grid_code")?)?,
            block: row.try_get::<Option<String>, _>("block_code")?.map(code).transpose()?,
            name: row.try_get("name")?,
            address: row.try_get("address")?,
            location,
            floors: u16::try_from(floors).map_err(|e| corrupt("floors", &e))?,
            has_elevator: row_bool(row, "has_elevator")?,
        },
    })
}

impl Store {
    /// Adds buildings in one transaction; any refused building refuses them all.
    pub async fn insert_buildings(&self, caller: &Caller, buildings: &[NewBuilding]) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.begin_write().await?;
        let ids = self.insert_buildings_in(&mut tx, caller, buildings).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// [`Store::insert_buildings`] inside the caller's transaction.
    pub async fn insert_buildings_in(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        buildings: &[NewBuilding],
    ) -> Result<Vec<i64>, StoreError> {
        let now = Timestamp::now().millis();
        let mut ids = Vec::with_capacity(buildings.len());
        for b in buildings {
            b.check().map_err(|e| StoreError::Conflict { field: e.field(), reason: e.to_string() })?;
            let row = sqlx::query(
                "INSERT INTO buildings (grid_code, block_code, name, address, lat, lng, floors, has_elevator, \
                   created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            )
            .bind(b.grid.as_str())
            .bind(b.block.as_ref().map(|c| c.as_str()))
            .bind(&b.name)
            .bind(&b.address)
            .bind(b.location.lat())
            .bind(b.location.lng())
            .bind(i64::from(b.floors))
            .bind(b.has_elevator)
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map_err(StoreError::unique("address", format!("a building at '{}' already exists", b.address)))?;
            ids.push(row.try_get("id")?);
        }
        let detail = json!({ "count": ids.len(), "first_id": ids.first(), "last_id": ids.last() });
        self.audit_in(tx, caller, AuditEntry::ok("buildings.create", "building", "").with_detail(detail)).await?;
        Ok(ids)
    }

    pub async fn building(&self, id: i64) -> Result<Option<Building>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM buildings WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?;
        row.as_ref().map(building_from_row).transpose()
    }

    /// Buildings in a region's subtree, ordered by address.
    pub async fn buildings(&self, filter: &BuildingFilter) -> Result<Vec<Building>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM buildings WHERE (grid_code LIKE $1 OR block_code LIKE $1) ORDER BY grid_code, address, id LIMIT $2 OFFSET $3"
        );
        let rows = sqlx::query(&sql)
            .bind(super::subtree_pattern(&filter.within))
            .bind(filter.limit)
            .bind(filter.offset)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(building_from_row).collect()
    }

    /// The number of buildings under each child region of `parent`, in one query.
    /// Children without buildings are absent.
    pub async fn building_counts_by_child(&self, parent: &RegionCode) -> Result<Vec<(RegionCode, i64)>, StoreError> {
        let Some(child_level) = parent.level().child() else {
            return Ok(Vec::new());
        };
        // Building groups are named by block_code; every other level is a prefix of the
        // grid code. The length comes from the level enum, never from input.
        let key = match child_level {
            RegionLevel::Block => "block_code".to_owned(),
            level => format!("substr(grid_code, 1, {})", level.code_len()),
        };
        let sql = format!(
            "SELECT {key} AS code, COUNT(*) AS n FROM buildings WHERE grid_code LIKE $1 AND {key} IS NOT NULL              GROUP BY {key} ORDER BY {key}"
        );
        let rows = sqlx::query(&sql).bind(super::subtree_pattern(parent)).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let raw: String = row.try_get("code")?;
                let code =
                    RegionCode::parse(&raw).map_err(|e| StoreError::Corrupt(format!("building region {raw}: {e}")))?;
                Ok((code, row.try_get("n")?))
            })
            .collect()
    }

    pub async fn count_all_buildings(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM buildings").fetch_one(self.pool()).await?;
        Ok(row.try_get("n")?)
    }

    pub async fn count_buildings(&self, within: &RegionCode) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM buildings WHERE grid_code LIKE $1 OR block_code LIKE $1")
            .bind(super::subtree_pattern(within))
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }
}
