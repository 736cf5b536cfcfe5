//! Changing an e-bike's record — plate, brand, battery, registration date, status (在用,
//! 已报废, 已迁出) and the charging shed it uses — in one transaction with one audit entry of
//! the fields before and after, like the other registry records.

use serde_json::json;
use sqlx::Row;
use tongxin_core::registry::{Battery, EbikeStatus};
use tongxin_core::time::Timestamp;

use super::edit::{Change, Fields, added, changes_detail, corrupt, diff, shown};
use super::write::NewEbike;
use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, Tx};

/// An e-bike's changeable fields, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct EbikeFields {
    pub plate: String,
    pub brand: String,
    pub battery: Battery,
    pub registered_on: chrono::NaiveDate,
    pub status: EbikeStatus,
    pub shed_id: Option<i64>,
}

async fn shed_name(tx: &mut Tx, id: Option<i64>) -> Result<String, StoreError> {
    let Some(id) = id else { return Ok(String::new()) };
    let row = sqlx::query("SELECT name FROM charging_sheds WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound { entity: "charging shed", key: id.to_string() })?;
    Ok(row.try_get("name")?)
}

impl EbikeFields {
    fn fields(&self, shed: String) -> Fields {
        vec![
            shown("plate", "车牌号", self.plate.clone()),
            shown("brand", "品牌", self.brand.clone()),
            ("battery", "电池类型", self.battery.zh().into(), self.battery.as_str().into()),
            shown("registered_on", "登记日期", self.registered_on.to_string()),
            ("status", "状态", self.status.zh().into(), self.status.as_str().into()),
            ("shed_id", "充电棚", shed, self.shed_id.map(|s| s.to_string()).unwrap_or_default()),
        ]
    }
}

/// An e-bike's changeable fields, read through `executor` (the pool, or a transaction that
/// is about to change them).
async fn read_ebike<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: i64,
) -> Result<Option<EbikeFields>, StoreError> {
    let row = sqlx::query("SELECT plate, brand, battery, registered_on, status, shed_id FROM ebikes WHERE id = $1")
        .bind(id)
        .fetch_optional(executor)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let (battery, status, day): (String, String, String) =
        (row.try_get("battery")?, row.try_get("status")?, row.try_get("registered_on")?);
    Ok(Some(EbikeFields {
        plate: row.try_get("plate")?,
        brand: row.try_get("brand")?,
        battery: battery.parse().map_err(|e| corrupt("battery", e))?,
        registered_on: chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|e| corrupt("date", e))?,
        status: status.parse().map_err(|e| corrupt("e-bike status", e))?,
        shed_id: row.try_get("shed_id")?,
    }))
}

impl Store {
    /// Registers an e-bike to its owner; audited with its fields. A plate already
    /// registered is a conflict.
    pub async fn add_ebike(&self, caller: &Caller, new: &NewEbike) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let id = self.add_ebike_in(&mut tx, caller, new).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// [`Store::add_ebike`] inside the caller's transaction.
    pub async fn add_ebike_in(&self, tx: &mut Tx, caller: &Caller, new: &NewEbike) -> Result<i64, StoreError> {
        let fields = EbikeFields {
            plate: new.plate.clone(),
            brand: new.brand.clone(),
            battery: new.battery,
            registered_on: new.registered_on,
            status: new.status,
            shed_id: new.shed_id,
        }
        .fields(shed_name(tx, new.shed_id).await?);
        let now = Timestamp::now().millis();
        let row = sqlx::query(
            "INSERT INTO ebikes (owner_id, household_id, region_code, plate, brand, battery, registered_on, status, shed_id, \
               created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(new.owner_id)
        .bind(new.household_id)
        .bind(new.region.as_str())
        .bind(&new.plate)
        .bind(&new.brand)
        .bind(new.battery.as_str())
        .bind(new.registered_on.to_string())
        .bind(new.status.as_str())
        .bind(new.shed_id)
        .bind(now)
        .fetch_one(&mut **tx)
        .await
        .map_err(StoreError::unique("plate", "another e-bike has this plate"))?;
        let id: i64 = row.try_get("id")?;
        let entry =
            AuditEntry::ok("registry.ebike.add", "ebike", id).with_detail(changes_detail(&added(&fields), json!({})));
        self.audit_in(tx, caller, entry).await?;
        Ok(id)
    }

    /// An e-bike's changeable fields.
    pub async fn ebike_fields(&self, id: i64) -> Result<Option<EbikeFields>, StoreError> {
        read_ebike(self.pool(), id).await
    }

    /// Changes an e-bike to `new`; the fields that changed. A plate already registered to
    /// another e-bike is a conflict.
    pub async fn update_ebike(&self, caller: &Caller, id: i64, new: &EbikeFields) -> Result<Vec<Change>, StoreError> {
        let mut tx = self.begin_write().await?;
        let changes = self.update_ebike_in(&mut tx, caller, id, new).await?;
        tx.commit().await?;
        Ok(changes)
    }

    /// [`Store::update_ebike`] inside the caller's transaction.
    pub async fn update_ebike_in(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        id: i64,
        new: &EbikeFields,
    ) -> Result<Vec<Change>, StoreError> {
        let old =
            read_ebike(&mut **tx, id).await?.ok_or(StoreError::NotFound { entity: "e-bike", key: id.to_string() })?;
        let before = old.fields(shed_name(tx, old.shed_id).await?);
        let changes = diff(&before, &new.fields(shed_name(tx, new.shed_id).await?));
        if changes.is_empty() {
            return Ok(changes);
        }
        sqlx::query(
            "UPDATE ebikes SET plate = $1, brand = $2, battery = $3, registered_on = $4, status = $5, shed_id = $6, \
               updated_at = $7 WHERE id = $8",
        )
        .bind(&new.plate)
        .bind(&new.brand)
        .bind(new.battery.as_str())
        .bind(new.registered_on.to_string())
        .bind(new.status.as_str())
        .bind(new.shed_id)
        .bind(Timestamp::now().millis())
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::unique("plate", "another e-bike has this plate"))?;
        let entry =
            AuditEntry::ok("registry.ebike.update", "ebike", id).with_detail(changes_detail(&changes, json!({})));
        self.audit_in(tx, caller, entry).await?;
        Ok(changes)
    }
}
