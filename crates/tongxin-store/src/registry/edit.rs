//! Changing registry records one at a time. Each change is one transaction with one audit
//! entry whose detail lists the fields that changed, before and after — personal values
//! only in their masked form — so a record's history is its audit entries. A change that
//! changes nothing writes nothing.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::pii::PiiCipher;
use tongxin_core::registry::input::ResidentInput;
use tongxin_core::time::Timestamp;

use super::write::{NewHousehold, NewResident, RESIDENT_STATE, bind_state, day, joined};
use crate::audit::{AuditEntry, AuditRecord, Caller};
use crate::{Store, StoreError, Tx};

/// One field's change, as the audit entry and the history show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Change {
    pub field: String,
    /// The field's name in Chinese, as the template heads it.
    pub column: String,
    pub before: String,
    pub after: String,
}

/// A record's fields as the history shows them: (field, column, shown value, compared value).
/// Personal values are shown masked and compared by their blind index.
pub(super) type Fields = Vec<(&'static str, &'static str, String, String)>;

pub(super) fn shown(
    field: &'static str,
    column: &'static str,
    value: String,
) -> (&'static str, &'static str, String, String) {
    (field, column, value.clone(), value)
}

/// The fields whose compared value differs.
pub(super) fn diff(before: &Fields, after: &Fields) -> Vec<Change> {
    before
        .iter()
        .zip(after)
        .filter(|(b, a)| b.3 != a.3)
        .map(|(b, a)| Change { field: b.0.into(), column: b.1.into(), before: b.2.clone(), after: a.2.clone() })
        .collect()
}

/// Every field as added: before is empty.
pub(super) fn added(after: &Fields) -> Vec<Change> {
    let nothing: Fields = after.iter().map(|f| (f.0, f.1, String::new(), String::new())).collect();
    diff(&nothing, after).into_iter().filter(|c| !c.after.is_empty()).collect()
}

impl NewResident {
    /// A resident from checked input, the ID number and phone sealed with their blind
    /// index, last four digits and masked form.
    pub fn seal(pii: &PiiCipher, household_id: i64, region: tongxin_core::geo::RegionCode, r: &ResidentInput) -> Self {
        let last4 = |s: &str| s.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect::<String>();
        let id = r.id_number.as_ref();
        let phone = r.phone.as_ref();
        Self {
            household_id,
            region,
            name: r.name.clone(),
            gender: r.gender,
            birth_date: r.birth_date,
            id_sealed: id.map(|n| pii.seal("resident_id", n.expose())),
            id_index: id.map(|n| pii.blind_index("resident_id", n.expose())),
            id_last4: id.map(|n| last4(n.expose())).unwrap_or_default(),
            id_masked: id.map(|n| n.masked()).unwrap_or_default(),
            phone_sealed: phone.map(|p| pii.seal("phone", p.expose())),
            phone_index: phone.map(|p| pii.blind_index("phone", p.expose())),
            phone_last4: phone.map(|p| last4(p.expose())).unwrap_or_default(),
            phone_masked: phone.map(|p| p.masked()).unwrap_or_default(),
            role: r.role,
            tags: r.tags.clone(),
            moved_in: r.moved_in,
            moved_out: r.moved_out,
        }
    }

    fn fields(&self, address: String) -> Fields {
        let d = |d: Option<chrono::NaiveDate>| d.map(day).unwrap_or_default();
        vec![
            ("household_id", "住址", address, self.household_id.to_string()),
            shown("name", "姓名", self.name.clone()),
            ("gender", "性别", self.gender.zh().into(), self.gender.as_str().into()),
            shown("birth_date", "出生日期", day(self.birth_date)),
            ("id_number", "身份证号", self.id_masked.clone(), self.id_index.clone().unwrap_or_default()),
            ("phone", "手机号", self.phone_masked.clone(), self.phone_index.clone().unwrap_or_default()),
            ("role", "与户主关系", self.role.zh().into(), self.role.as_str().into()),
            ("tags", "标签", joined(&self.tags, |t| t.zh()).replace(',', "、"), joined(&self.tags, |t| t.as_str())),
            shown("moved_in", "迁入日期", d(self.moved_in)),
            shown("moved_out", "迁出日期", d(self.moved_out)),
        ]
    }
}

impl NewHousehold {
    fn fields(&self, building: String) -> Fields {
        vec![
            ("building_id", "楼栋", building, self.building_id.to_string()),
            shown("unit", "单元", self.unit.clone()),
            shown("room", "室", self.room.clone()),
            ("registration", "户籍类型", self.registration.zh().into(), self.registration.as_str().into()),
            shown("notes", "备注", self.notes.clone()),
        ]
    }
}

pub(super) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn resident_state(row: &AnyRow) -> Result<NewResident, StoreError> {
    let text = |c: &str| row.try_get::<String, _>(c);
    let date = |c: &str| -> Result<Option<chrono::NaiveDate>, StoreError> {
        row.try_get::<Option<String>, _>(c)?
            .filter(|d| !d.is_empty())
            .map(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|e| corrupt("date", e)))
            .transpose()
    };
    Ok(NewResident {
        household_id: row.try_get("household_id")?,
        region: tongxin_core::geo::RegionCode::parse(&text("region_code")?).map_err(|e| corrupt("region", e))?,
        name: text("name")?,
        gender: text("gender")?.parse().map_err(|e| corrupt("gender", e))?,
        birth_date: date("birth_date")?.ok_or_else(|| corrupt("birth date", "missing"))?,
        id_sealed: row.try_get("id_sealed")?,
        id_index: row.try_get("id_index")?,
        id_last4: text("id_last4")?,
        id_masked: text("id_masked")?,
        phone_sealed: row.try_get("phone_sealed")?,
        phone_index: row.try_get("phone_index")?,
        phone_last4: text("phone_last4")?,
        phone_masked: text("phone_masked")?,
        role: text("role")?.parse().map_err(|e| corrupt("role", e))?,
        tags: tongxin_core::registry::parse_tags(&text("tags")?).map_err(|e| corrupt("tags", e))?,
        moved_in: date("moved_in")?,
        moved_out: date("moved_out")?,
    })
}

/// The address of a household, for the history.
async fn household_address(tx: &mut Tx, id: i64) -> Result<String, StoreError> {
    let row = sqlx::query(
        "SELECT b.address, h.unit, h.room FROM households h JOIN buildings b ON b.id = h.building_id WHERE h.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound { entity: "household", key: id.to_string() })?;
    Ok(super::full_address(
        &row.try_get::<String, _>("address")?,
        &row.try_get::<String, _>("unit")?,
        &row.try_get::<String, _>("room")?,
    ))
}

async fn building_address(tx: &mut Tx, id: i64) -> Result<String, StoreError> {
    let row = sqlx::query("SELECT address FROM buildings WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound { entity: "building", key: id.to_string() })?;
    Ok(row.try_get("address")?)
}

pub(super) fn changes_detail(changes: &[Change], extra: serde_json::Value) -> serde_json::Value {
    let mut detail = json!({ "changes": changes });
    if let (Some(d), Some(e)) = (detail.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    detail
}

const ID_TAKEN: &str = "a resident with this ID number is already registered";

impl Store {
    /// Adds one household; audited with its fields.
    pub async fn add_household_in(&self, tx: &mut Tx, caller: &Caller, new: &NewHousehold) -> Result<i64, StoreError> {
        let building = building_address(tx, new.building_id).await?;
        let now = Timestamp::now().millis();
        let row = sqlx::query(
            "INSERT INTO households (building_id, region_code, unit, room, registration, notes, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(new.building_id)
        .bind(new.region.as_str())
        .bind(&new.unit)
        .bind(&new.room)
        .bind(new.registration.as_str())
        .bind(&new.notes)
        .bind(now)
        .fetch_one(&mut **tx)
        .await
        .map_err(StoreError::unique("room", "this building already has a household in that unit and room"))?;
        let id: i64 = row.try_get("id")?;
        let changes = added(&new.fields(building));
        self.audit_in(
            tx,
            caller,
            AuditEntry::ok("registry.household.add", "household", id).with_detail(changes_detail(&changes, json!({}))),
        )
        .await?;
        Ok(id)
    }

    /// Changes a household to `new`; the fields that changed.
    pub async fn update_household_in(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        id: i64,
        new: &NewHousehold,
    ) -> Result<Vec<Change>, StoreError> {
        let row = sqlx::query(
            "SELECT building_id, region_code, unit, room, registration, notes FROM households WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound { entity: "household", key: id.to_string() })?;
        let region: String = row.try_get("region_code")?;
        let registration: String = row.try_get("registration")?;
        let old = NewHousehold {
            building_id: row.try_get("building_id")?,
            region: tongxin_core::geo::RegionCode::parse(&region).map_err(|e| corrupt("region", e))?,
            unit: row.try_get("unit")?,
            room: row.try_get("room")?,
            registration: registration.parse().map_err(|e| corrupt("registration", e))?,
            notes: row.try_get("notes")?,
        };
        let before = old.fields(building_address(tx, old.building_id).await?);
        let changes = diff(&before, &new.fields(building_address(tx, new.building_id).await?));
        if changes.is_empty() {
            return Ok(changes);
        }
        sqlx::query(
            "UPDATE households SET building_id = $1, region_code = $2, unit = $3, room = $4, registration = $5, \
               notes = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(new.building_id)
        .bind(new.region.as_str())
        .bind(&new.unit)
        .bind(&new.room)
        .bind(new.registration.as_str())
        .bind(&new.notes)
        .bind(Timestamp::now().millis())
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::unique("room", "this building already has a household in that unit and room"))?;
        // the people living there follow the household into its region
        sqlx::query("UPDATE residents SET region_code = $1 WHERE household_id = $2")
            .bind(new.region.as_str())
            .bind(id)
            .execute(&mut **tx)
            .await?;
        self.audit_in(
            tx,
            caller,
            AuditEntry::ok("registry.household.update", "household", id)
                .with_detail(changes_detail(&changes, json!({}))),
        )
        .await?;
        Ok(changes)
    }

    /// Adds one resident; a registered ID number is a conflict.
    pub async fn add_resident_in(&self, tx: &mut Tx, caller: &Caller, new: &NewResident) -> Result<i64, StoreError> {
        let address = household_address(tx, new.household_id).await?;
        let now = Timestamp::now().millis();
        let sql = format!(
            "INSERT INTO residents ({RESIDENT_STATE}, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING id"
        );
        let row = bind_state(sqlx::query(&sql), new)
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map_err(StoreError::unique("id_number", ID_TAKEN))?;
        let id: i64 = row.try_get("id")?;
        let changes = added(&new.fields(address));
        self.audit_in(
            tx,
            caller,
            AuditEntry::ok("registry.resident.add", "resident", id).with_detail(changes_detail(&changes, json!({}))),
        )
        .await?;
        Ok(id)
    }

    /// The stored state of a resident (sealed values included), for a change to start from.
    pub async fn resident_state(&self, id: i64) -> Result<Option<NewResident>, StoreError> {
        let row = sqlx::query(&format!("SELECT {RESIDENT_STATE} FROM residents WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(resident_state).transpose()
    }

    /// Changes a resident to `new`; the fields that changed. Unchanged personal values keep
    /// their sealed text.
    pub async fn update_resident_in(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        id: i64,
        new: &NewResident,
    ) -> Result<Vec<Change>, StoreError> {
        let row = sqlx::query(&format!("SELECT {RESIDENT_STATE} FROM residents WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound { entity: "resident", key: id.to_string() })?;
        let old = resident_state(&row)?;
        let before = old.fields(household_address(tx, old.household_id).await?);
        let after = if new.household_id == old.household_id {
            before[0].2.clone()
        } else {
            household_address(tx, new.household_id).await?
        };
        let changes = diff(&before, &new.fields(after));
        if changes.is_empty() {
            return Ok(changes);
        }
        let changed = |f: &str| changes.iter().any(|c| c.field == f);
        let mut stored = new.clone();
        if !changed("id_number") {
            (stored.id_sealed, stored.id_index) = (old.id_sealed, old.id_index);
        }
        if !changed("phone") {
            (stored.phone_sealed, stored.phone_index) = (old.phone_sealed, old.phone_index);
        }
        let sql = format!(
            "UPDATE residents SET ({RESIDENT_STATE}, updated_at) = \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) WHERE id = $19"
        );
        bind_state(sqlx::query(&sql), &stored)
            .bind(Timestamp::now().millis())
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::unique("id_number", ID_TAKEN))?;
        let action = if changed("moved_out") && new.moved_out.is_some() {
            "registry.resident.move_out"
        } else {
            "registry.resident.update"
        };
        self.audit_in(
            tx,
            caller,
            AuditEntry::ok(action, "resident", id).with_detail(changes_detail(&changes, json!({}))),
        )
        .await?;
        Ok(changes)
    }

    /// A record's history: its registry audit entries, newest first.
    pub async fn record_history(&self, kind: &str, id: i64, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
        self.audit_of_object(kind, &id.to_string(), "registry.", limit).await
    }
}
