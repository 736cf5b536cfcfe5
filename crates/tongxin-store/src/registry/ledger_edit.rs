//! Adding and changing charging sheds and safety pledges one at a time — from the forms,
//! the API and ledger imports — each in the caller's transaction with one audit entry of
//! the fields before and after, so a shed's or a pledge's history is its audit entries.

use serde_json::json;
use sqlx::Row;
use tongxin_core::geo::{LatLng, RegionCode};
use tongxin_core::registry::{Facility, PledgeChannel, ShedStatus};
use tongxin_core::time::Timestamp;

use super::ebikes::facilities_of;
use super::edit::{Change, Fields, added, changes_detail, corrupt, diff, shown};
use super::write::{NewPledge, NewShed, day, insert_pledge, insert_shed, joined};
use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, Tx};

/// A charging shed's changeable fields, as stored. Its grid follows its location.
#[derive(Debug, Clone, PartialEq)]
pub struct ShedFields {
    pub name: String,
    pub region: RegionCode,
    pub location: LatLng,
    pub capacity: i64,
    pub facilities: Vec<Facility>,
    pub status: ShedStatus,
    pub opened_on: Option<chrono::NaiveDate>,
}

impl From<&NewShed> for ShedFields {
    fn from(s: &NewShed) -> Self {
        Self {
            name: s.name.clone(),
            region: s.region.clone(),
            location: s.location,
            capacity: s.capacity,
            facilities: s.facilities.clone(),
            status: s.status,
            opened_on: s.opened_on,
        }
    }
}

impl ShedFields {
    fn fields(&self) -> Fields {
        let facilities: Vec<&str> = self.facilities.iter().map(|f| f.zh()).collect();
        vec![
            shown("shed_name", "名称", self.name.clone()),
            shown("region", "网格", self.region.to_string()),
            shown("location", "位置", format!("{:.6}, {:.6}", self.location.lat(), self.location.lng())),
            shown("capacity", "车位数", self.capacity.to_string()),
            ("facilities", "设施", facilities.join("、"), joined(&self.facilities, |f| f.as_str())),
            ("status", "状态", self.status.zh().into(), self.status.as_str().into()),
            shown("opened_on", "启用日期", self.opened_on.map(day).unwrap_or_default()),
        ]
    }
}

/// A safety pledge's changeable fields, as stored (who signed it does not change).
#[derive(Debug, Clone, PartialEq)]
pub struct PledgeFields {
    pub signed_on: chrono::NaiveDate,
    pub collected_by: String,
    pub channel: PledgeChannel,
}

impl PledgeFields {
    fn fields(&self) -> Fields {
        vec![
            shown("signed_on", "签署日期", day(self.signed_on)),
            shown("collected_by", "收取人", self.collected_by.clone()),
            ("channel", "方式", self.channel.zh().into(), self.channel.as_str().into()),
        ]
    }
}

const SHED_NAME_TAKEN: &str = "another charging shed has this name";
const ONLINE_ONCE: &str = "this resident has already signed the pledge online";

async fn read_shed<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: i64,
) -> Result<Option<ShedFields>, StoreError> {
    let row = sqlx::query(
        "SELECT name, region_code, lat, lng, capacity, facilities, status, opened_on FROM charging_sheds WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(executor)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let (region, facilities, status): (String, String, String) =
        (row.try_get("region_code")?, row.try_get("facilities")?, row.try_get("status")?);
    let opened: Option<String> = row.try_get("opened_on")?;
    Ok(Some(ShedFields {
        name: row.try_get("name")?,
        region: RegionCode::parse(&region).map_err(|e| corrupt("region", e))?,
        location: LatLng::new(row.try_get("lat")?, row.try_get("lng")?).map_err(|e| corrupt("location", e))?,
        capacity: row.try_get("capacity")?,
        facilities: facilities_of(&facilities)?,
        status: status.parse().map_err(|e| corrupt("shed status", e))?,
        opened_on: opened
            .filter(|d| !d.is_empty())
            .map(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d"))
            .transpose()
            .map_err(|e| corrupt("date", e))?,
    }))
}

async fn read_pledge(tx: &mut Tx, id: i64) -> Result<PledgeFields, StoreError> {
    let row = sqlx::query("SELECT signed_on, collected_by, channel FROM pledges WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound { entity: "pledge", key: id.to_string() })?;
    let (signed, channel): (String, String) = (row.try_get("signed_on")?, row.try_get("channel")?);
    Ok(PledgeFields {
        signed_on: chrono::NaiveDate::parse_from_str(&signed, "%Y-%m-%d").map_err(|e| corrupt("date", e))?,
        collected_by: row.try_get("collected_by")?,
        channel: channel.parse().map_err(|e| corrupt("channel", e))?,
    })
}

impl Store {
    /// A charging shed's changeable fields.
    pub async fn shed_fields(&self, id: i64) -> Result<Option<ShedFields>, StoreError> {
        read_shed(self.pool(), id).await
    }

    /// Adds a charging shed; audited with its fields. A name already taken is a conflict.
    pub async fn add_shed(&self, caller: &Caller, new: &NewShed) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let id = self.add_shed_in(&mut tx, caller, new).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// [`Store::add_shed`] inside the caller's transaction.
    pub async fn add_shed_in(&self, tx: &mut Tx, caller: &Caller, new: &NewShed) -> Result<i64, StoreError> {
        let id = insert_shed(tx, new, Timestamp::now().millis())
            .await
            .map_err(StoreError::unique("name", SHED_NAME_TAKEN))?;
        let detail = changes_detail(&added(&ShedFields::from(new).fields()), json!({}));
        self.audit_in(tx, caller, AuditEntry::ok("registry.shed.add", "shed", id).with_detail(detail)).await?;
        Ok(id)
    }

    /// Changes a charging shed to `new`; the fields that changed.
    pub async fn update_shed(&self, caller: &Caller, id: i64, new: &ShedFields) -> Result<Vec<Change>, StoreError> {
        let mut tx = self.begin_write().await?;
        let changes = self.update_shed_in(&mut tx, caller, id, new).await?;
        tx.commit().await?;
        Ok(changes)
    }

    /// [`Store::update_shed`] inside the caller's transaction.
    pub async fn update_shed_in(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        id: i64,
        new: &ShedFields,
    ) -> Result<Vec<Change>, StoreError> {
        let old = read_shed(&mut **tx, id)
            .await?
            .ok_or(StoreError::NotFound { entity: "charging shed", key: id.to_string() })?;
        let changes = diff(&old.fields(), &new.fields());
        if changes.is_empty() {
            return Ok(changes);
        }
        sqlx::query(
            "UPDATE charging_sheds SET name = $1, region_code = $2, lat = CAST($3 AS DOUBLE PRECISION), \
               lng = CAST($4 AS DOUBLE PRECISION), capacity = $5, facilities = $6, status = $7, opened_on = $8, \
               updated_at = $9 WHERE id = $10",
        )
        .bind(&new.name)
        .bind(new.region.as_str())
        .bind(new.location.lat().to_string())
        .bind(new.location.lng().to_string())
        .bind(new.capacity)
        .bind(joined(&new.facilities, |f| f.as_str()))
        .bind(new.status.as_str())
        .bind(new.opened_on.map(day))
        .bind(Timestamp::now().millis())
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::unique("name", SHED_NAME_TAKEN))?;
        let entry = AuditEntry::ok("registry.shed.update", "shed", id).with_detail(changes_detail(&changes, json!({})));
        self.audit_in(tx, caller, entry).await?;
        Ok(changes)
    }

    /// Records a safety pledge, inside the caller's transaction; audited with its fields. A
    /// second online pledge of the same resident is a conflict.
    pub async fn add_pledge_in(&self, tx: &mut Tx, caller: &Caller, new: &NewPledge) -> Result<i64, StoreError> {
        let id = insert_pledge(tx, new, Timestamp::now().millis())
            .await
            .map_err(StoreError::unique("channel", ONLINE_ONCE))?;
        let fields =
            PledgeFields { signed_on: new.signed_on, collected_by: new.collected_by.clone(), channel: new.channel };
        let detail = changes_detail(&added(&fields.fields()), json!({ "resident_id": new.resident_id }));
        self.audit_in(tx, caller, AuditEntry::ok("registry.pledge.add", "pledge", id).with_detail(detail)).await?;
        Ok(id)
    }

    /// Changes a pledge's fields, inside the caller's transaction; the fields that changed.
    pub async fn update_pledge_in(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        id: i64,
        new: &PledgeFields,
    ) -> Result<Vec<Change>, StoreError> {
        let old = read_pledge(tx, id).await?;
        let changes = diff(&old.fields(), &new.fields());
        if changes.is_empty() {
            return Ok(changes);
        }
        sqlx::query("UPDATE pledges SET signed_on = $1, collected_by = $2, channel = $3 WHERE id = $4")
            .bind(day(new.signed_on))
            .bind(&new.collected_by)
            .bind(new.channel.as_str())
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::unique("channel", ONLINE_ONCE))?;
        let entry =
            AuditEntry::ok("registry.pledge.update", "pledge", id).with_detail(changes_detail(&changes, json!({})));
        self.audit_in(tx, caller, entry).await?;
        Ok(changes)
    }
}
