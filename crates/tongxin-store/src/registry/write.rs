//! Writing registry records. Each call is one transaction and one audit entry.

use serde_json::json;
use sqlx::Row;
use tongxin_core::geo::{LatLng, RegionCode};
use tongxin_core::registry::{
    Battery, EbikeStatus, Facility, Gender, HouseholdRole, PledgeChannel, Registration, ShedStatus, Tag,
};
use tongxin_core::time::Timestamp;

use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, Tx};

/// A household to add.
#[derive(Debug, Clone)]
pub struct NewHousehold {
    pub building_id: i64,
    pub region: RegionCode,
    pub unit: String,
    pub room: String,
    pub registration: Registration,
    pub notes: String,
}

/// A resident to add, personal values already sealed.
#[derive(Debug, Clone)]
pub struct NewResident {
    pub household_id: i64,
    pub region: RegionCode,
    pub name: String,
    pub gender: Gender,
    pub birth_date: chrono::NaiveDate,
    pub id_sealed: Option<Vec<u8>>,
    /// The blind index of the ID number: unique, so a person is registered once.
    pub id_index: Option<String>,
    pub id_last4: String,
    pub id_masked: String,
    pub phone_sealed: Option<Vec<u8>>,
    pub phone_index: Option<String>,
    pub phone_last4: String,
    pub phone_masked: String,
    pub role: HouseholdRole,
    pub tags: Vec<Tag>,
    pub moved_in: Option<chrono::NaiveDate>,
    pub moved_out: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct NewShed {
    pub name: String,
    pub region: RegionCode,
    pub location: LatLng,
    pub capacity: i64,
    pub facilities: Vec<Facility>,
    pub status: ShedStatus,
    pub opened_on: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct NewEbike {
    pub owner_id: i64,
    pub household_id: i64,
    pub region: RegionCode,
    pub plate: String,
    pub brand: String,
    pub battery: Battery,
    pub registered_on: chrono::NaiveDate,
    pub status: EbikeStatus,
    pub shed_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewPledge {
    pub resident_id: i64,
    pub region: RegionCode,
    pub signed_on: chrono::NaiveDate,
    pub collected_by: String,
    pub channel: PledgeChannel,
}

pub(super) fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(super) fn joined<T>(items: &[T], name: impl Fn(&T) -> &'static str) -> String {
    items.iter().map(name).collect::<Vec<_>>().join(",")
}

/// A resident's stored columns, in the order [`bind_state`] binds them.
pub(super) const RESIDENT_STATE: &str = "household_id, region_code, name, gender, birth_date, id_sealed, id_index, id_last4, \
    id_masked, phone_sealed, phone_index, phone_last4, phone_masked, role, tags, moved_in, moved_out";

/// Binds a resident's values in the order of [`RESIDENT_STATE`] ($1 to $17).
pub(super) fn bind_state<'q>(query: AnyQuery<'q>, r: &'q NewResident) -> AnyQuery<'q> {
    query
        .bind(r.household_id)
        .bind(r.region.as_str())
        .bind(&r.name)
        .bind(r.gender.as_str())
        .bind(day(r.birth_date))
        .bind(r.id_sealed.clone())
        .bind(r.id_index.as_deref())
        .bind(&r.id_last4)
        .bind(&r.id_masked)
        .bind(r.phone_sealed.clone())
        .bind(r.phone_index.as_deref())
        .bind(&r.phone_last4)
        .bind(&r.phone_masked)
        .bind(r.role.as_str())
        .bind(joined(&r.tags, |t| t.as_str()))
        .bind(r.moved_in.map(day))
        .bind(r.moved_out.map(day))
}

pub(super) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

impl Store {
    /// Adds households; their ids, in order.
    pub async fn insert_households(&self, caller: &Caller, new: &[NewHousehold]) -> Result<Vec<i64>, StoreError> {
        let now = Timestamp::now().millis();
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(new.len());
        for h in new {
            let row = sqlx::query(
                "INSERT INTO households (building_id, region_code, unit, room, registration, notes, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(h.building_id)
            .bind(h.region.as_str())
            .bind(&h.unit)
            .bind(&h.room)
            .bind(h.registration.as_str())
            .bind(&h.notes)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(row.try_get("id")?);
        }
        let entry =
            AuditEntry::ok("registry.households.add", "household", "").with_detail(json!({ "count": new.len() }));
        self.audit_in(&mut tx, caller, entry).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Adds residents; their ids, in order. A repeated ID number is refused as a conflict.
    pub async fn insert_residents(&self, caller: &Caller, new: &[NewResident]) -> Result<Vec<i64>, StoreError> {
        let now = Timestamp::now().millis();
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(new.len());
        for r in new {
            let sql = format!(
                "INSERT INTO residents ({RESIDENT_STATE}, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING id"
            );
            let row = bind_state(sqlx::query(&sql), r).bind(now).fetch_one(&mut *tx).await?;
            ids.push(row.try_get("id")?);
        }
        let entry = AuditEntry::ok("registry.residents.add", "resident", "").with_detail(json!({ "count": new.len() }));
        self.audit_in(&mut tx, caller, entry).await?;
        tx.commit().await?;
        Ok(ids)
    }

    pub async fn insert_sheds(&self, caller: &Caller, new: &[NewShed]) -> Result<Vec<i64>, StoreError> {
        let now = Timestamp::now().millis();
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(new.len());
        for s in new {
            ids.push(insert_shed(&mut tx, s, now).await?);
        }
        let entry = AuditEntry::ok("registry.sheds.add", "shed", "").with_detail(json!({ "count": new.len() }));
        self.audit_in(&mut tx, caller, entry).await?;
        tx.commit().await?;
        Ok(ids)
    }

    pub async fn insert_ebikes(&self, caller: &Caller, new: &[NewEbike]) -> Result<Vec<i64>, StoreError> {
        let now = Timestamp::now().millis();
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(new.len());
        for e in new {
            let row = sqlx::query(
                "INSERT INTO ebikes (owner_id, household_id, region_code, plate, brand, battery, registered_on, status, shed_id, \
                   created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            )
            .bind(e.owner_id)
            .bind(e.household_id)
            .bind(e.region.as_str())
            .bind(&e.plate)
            .bind(&e.brand)
            .bind(e.battery.as_str())
            .bind(day(e.registered_on))
            .bind(e.status.as_str())
            .bind(e.shed_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(row.try_get("id")?);
        }
        let entry = AuditEntry::ok("registry.ebikes.add", "ebike", "").with_detail(json!({ "count": new.len() }));
        self.audit_in(&mut tx, caller, entry).await?;
        tx.commit().await?;
        Ok(ids)
    }

    pub async fn insert_pledges(&self, caller: &Caller, new: &[NewPledge]) -> Result<Vec<i64>, StoreError> {
        let now = Timestamp::now().millis();
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(new.len());
        for p in new {
            ids.push(insert_pledge(&mut tx, p, now).await?);
        }
        let entry = AuditEntry::ok("registry.pledges.add", "pledge", "").with_detail(json!({ "count": new.len() }));
        self.audit_in(&mut tx, caller, entry).await?;
        tx.commit().await?;
        Ok(ids)
    }
}

/// Inserts one charging shed; its id.
pub(super) async fn insert_shed(tx: &mut Tx, s: &NewShed, now: i64) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "INSERT INTO charging_sheds (name, region_code, lat, lng, capacity, facilities, status, opened_on, created_at, updated_at) \
         VALUES ($1, $2, CAST($3 AS DOUBLE PRECISION), CAST($4 AS DOUBLE PRECISION), $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(&s.name)
    .bind(s.region.as_str())
    .bind(s.location.lat().to_string())
    .bind(s.location.lng().to_string())
    .bind(s.capacity)
    .bind(joined(&s.facilities, |f| f.as_str()))
    .bind(s.status.as_str())
    .bind(s.opened_on.map(day))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    row.try_get("id")
}

/// Inserts one safety pledge; its id.
pub(super) async fn insert_pledge(tx: &mut Tx, p: &NewPledge, now: i64) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "INSERT INTO pledges (resident_id, region_code, signed_on, collected_by, channel, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(p.resident_id)
    .bind(p.region.as_str())
    .bind(day(p.signed_on))
    .bind(&p.collected_by)
    .bind(p.channel.as_str())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    row.try_get("id")
}
