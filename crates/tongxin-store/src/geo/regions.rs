//! Regions: listing, reading and importing the region tree.

use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::geo::{ImportError, ImportPlan, Region, RegionCode, RegionLevel, check_import};
use tongxin_core::time::Timestamp;

use serde_json::json;

use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, Tx};

/// Which regions to list. Empty means all.
#[derive(Debug, Clone, Default)]
pub struct RegionFilter {
    pub level: Option<RegionLevel>,
    pub parent: Option<RegionCode>,
    /// Only this region and its descendants.
    pub within: Option<RegionCode>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegionImportError {
    #[error(transparent)]
    Invalid(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

const COLUMNS: &str = "code, name, geometry";

fn region_from_row(row: &AnyRow) -> Result<Region, StoreError> {
    let code: String = row.try_get("code")?;
    let code = RegionCode::parse(&code).map_err(|e| StoreError::Corrupt(format!("region code {code}: {e}")))?;
    let geometry = row
        .try_get::<Option<String>, _>("geometry")?
        .map(|text| text.parse::<geojson::Geometry>())
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("geometry of region {code}: {e}")))?;
    Ok(Region { code, name: row.try_get("name")?, geometry })
}

impl Store {
    /// Regions matching `filter`, ordered by code, with their geometry.
    pub async fn regions(&self, filter: &RegionFilter) -> Result<Vec<Region>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM regions \
             WHERE ($1 IS NULL OR level = $1) AND ($2 IS NULL OR parent_code = $2) \
               AND ($3 IS NULL OR code LIKE $3) \
             ORDER BY code"
        );
        let rows = sqlx::query(&sql)
            .bind(filter.level.map(|l| l.as_str()))
            .bind(filter.parent.as_ref().map(|c| c.as_str()))
            .bind(filter.within.as_ref().map(super::subtree_pattern))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(region_from_row).collect()
    }

    pub async fn region(&self, code: &RegionCode) -> Result<Option<Region>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM regions WHERE code = $1");
        let row = sqlx::query(&sql).bind(code.as_str()).fetch_optional(self.pool()).await?;
        row.as_ref().map(region_from_row).transpose()
    }

    /// The stored ancestors of `code`, from the top of the tree down.
    pub async fn ancestors(&self, code: &RegionCode) -> Result<Vec<Region>, StoreError> {
        let codes = code.ancestors();
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT {COLUMNS} FROM regions WHERE code IN ({}) ORDER BY code", placeholders.join(", "));
        let mut query = sqlx::query(&sql);
        for c in &codes {
            query = query.bind(c.as_str());
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(region_from_row).collect()
    }

    /// The number of direct children of each child of `parent`, in one query.
    pub async fn child_counts(&self, parent: &RegionCode) -> Result<Vec<(RegionCode, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.code, COUNT(c.code) AS children FROM regions r \
             LEFT JOIN regions c ON c.parent_code = r.code \
             WHERE r.parent_code = $1 GROUP BY r.code ORDER BY r.code",
        )
        .bind(parent.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let code: String = row.try_get("code")?;
                let code = RegionCode::parse(&code).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok((code, row.try_get("children")?))
            })
            .collect()
    }

    pub async fn count_regions(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM regions").fetch_one(self.pool()).await?;
        Ok(row.try_get("n")?)
    }

    /// A counter bumped by every change to the regions.
    pub async fn geo_revision(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT revision FROM geo_revision WHERE id = 1").fetch_one(self.pool()).await?;
        Ok(row.try_get("revision")?)
    }

    /// Checks a GeoJSON FeatureCollection against the stored tree and, if every feature
    /// passes, writes it in one transaction (new codes are added, known codes updated).
    /// With `dry_run` the check runs but nothing is written.
    pub async fn import_regions(
        &self,
        caller: &Caller,
        geojson: &str,
        tolerance_m2: f64,
        dry_run: bool,
    ) -> Result<ImportPlan, RegionImportError> {
        // The write lock is held from the read of the current tree to the commit, so no
        // concurrent import can slip an overlapping sibling in between.
        let mut tx = self.begin_write().await?;
        let plan = self.import_regions_in(&mut tx, caller, geojson, tolerance_m2).await?;
        if !dry_run {
            tx.commit().await.map_err(StoreError::from)?;
            tracing::info!(created = plan.created, updated = plan.updated, "regions imported");
        }
        Ok(plan)
    }

    /// [`Store::import_regions`] inside the caller's transaction, which the caller commits.
    pub async fn import_regions_in(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        geojson: &str,
        tolerance_m2: f64,
    ) -> Result<ImportPlan, RegionImportError> {
        let sql = format!("SELECT {COLUMNS} FROM regions ORDER BY code");
        let rows = sqlx::query(&sql).fetch_all(&mut **tx).await.map_err(StoreError::from)?;
        let existing = rows.iter().map(region_from_row).collect::<Result<Vec<_>, _>>()?;
        let plan = check_import(geojson, &existing, tolerance_m2)?;
        let now = Timestamp::now().millis();
        for region in &plan.regions {
            let geometry = region.geometry.as_ref().map(|g| g.to_string());
            sqlx::query(
                "INSERT INTO regions (code, parent_code, level, name, geometry, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
                   geometry = excluded.geometry, updated_at = excluded.updated_at",
            )
            .bind(region.code.as_str())
            .bind(region.parent().map(|p| p.to_string()))
            .bind(region.level().as_str())
            .bind(&region.name)
            .bind(geometry)
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::from)?;
        }
        sqlx::query("UPDATE geo_revision SET revision = revision + 1 WHERE id = 1")
            .execute(&mut **tx)
            .await
            .map_err(StoreError::from)?;
        let detail = json!({ "created": plan.created, "updated": plan.updated, "regions": plan.regions.len() });
        self.audit_in(tx, caller, AuditEntry::ok("regions.import", "region", "").with_detail(detail)).await?;
        Ok(plan)
    }
}
