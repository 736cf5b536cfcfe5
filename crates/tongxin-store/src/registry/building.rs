//! A building's registry fields: units, floors, year built, elevator, 加梯 stage and the
//! contact person (phone sealed). Changed like the other records: one transaction, one
//! audit entry with before and after.

use serde_json::json;
use sqlx::Row;
use tongxin_core::pii::PiiCipher;
use tongxin_core::registry::LiftStage;
use tongxin_core::registry::input::BuildingInput;
use tongxin_core::time::Timestamp;

use super::edit::{Change, Fields, changes_detail, corrupt, diff, shown};
use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, row_bool};

/// A building's registry fields, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildingFields {
    pub units: i64,
    pub floors: i64,
    pub year_built: Option<i64>,
    pub elevator: bool,
    pub lift_stage: Option<LiftStage>,
    pub contact_name: String,
    pub contact_phone_sealed: Option<Vec<u8>>,
    /// Compared to tell a changed number (the sealed text differs every time).
    pub contact_phone_index: Option<String>,
    pub contact_phone_masked: String,
}

impl BuildingFields {
    pub fn seal(pii: &PiiCipher, b: &BuildingInput) -> Self {
        let phone = b.contact_phone.as_ref();
        Self {
            units: b.units,
            floors: b.floors,
            year_built: b.year_built,
            elevator: b.elevator,
            lift_stage: b.lift_stage,
            contact_name: b.contact_name.clone(),
            contact_phone_sealed: phone.map(|p| pii.seal("phone", p.expose())),
            contact_phone_index: phone.map(|p| pii.blind_index("phone", p.expose())),
            contact_phone_masked: phone.map(|p| p.masked()).unwrap_or_default(),
        }
    }

    fn fields(&self) -> Fields {
        let yes = |b: bool| if b { "是" } else { "否" }.to_owned();
        vec![
            shown("units", "单元数", self.units.to_string()),
            shown("floors", "层数", self.floors.to_string()),
            shown("year_built", "建成年份", self.year_built.map(|y| y.to_string()).unwrap_or_default()),
            shown("elevator", "电梯", yes(self.elevator)),
            shown("lift_stage", "加梯阶段", self.lift_stage.map(|s| s.zh().to_owned()).unwrap_or_default()),
            shown("contact_name", "联系人", self.contact_name.clone()),
            // the index is not stored for buildings: compare the masked form
            shown("contact_phone", "联系电话", self.contact_phone_masked.clone()),
        ]
    }
}

/// A building's registry fields, read through `executor` (the pool, or a transaction that
/// is about to change them).
async fn read_building<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: i64,
) -> Result<Option<BuildingFields>, StoreError> {
    let row = sqlx::query(
        "SELECT units, floors, year_built, has_elevator, lift_stage, contact_name, contact_phone_sealed, \
           contact_phone_masked FROM buildings WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(executor)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let stage: Option<String> = row.try_get("lift_stage")?;
    Ok(Some(BuildingFields {
        units: row.try_get("units")?,
        floors: row.try_get("floors")?,
        year_built: row.try_get("year_built")?,
        elevator: row_bool(&row, "has_elevator")?,
        lift_stage: stage.map(|s| s.parse().map_err(|e| corrupt("lift stage", e))).transpose()?,
        contact_name: row.try_get("contact_name")?,
        contact_phone_sealed: row.try_get("contact_phone_sealed")?,
        contact_phone_index: None,
        contact_phone_masked: row.try_get("contact_phone_masked")?,
    }))
}

impl Store {
    /// A building's registry fields.
    pub async fn building_fields(&self, id: i64) -> Result<Option<BuildingFields>, StoreError> {
        read_building(self.pool(), id).await
    }

    /// Changes a building's registry fields; the fields that changed.
    pub async fn update_building_fields(
        &self,
        caller: &Caller,
        id: i64,
        new: &BuildingFields,
    ) -> Result<Vec<Change>, StoreError> {
        let mut tx = self.begin_write().await?;
        let old = read_building(&mut *tx, id)
            .await?
            .ok_or(StoreError::NotFound { entity: "building", key: id.to_string() })?;
        let mut changes = diff(&old.fields(), &new.fields());
        // a new number with the same last digits still counts as a change
        if new.contact_phone_index.is_some() && !changes.iter().any(|c| c.field == "contact_phone") {
            changes.push(Change {
                field: "contact_phone".into(),
                column: "联系电话".into(),
                before: old.contact_phone_masked.clone(),
                after: new.contact_phone_masked.clone(),
            });
        }
        if changes.is_empty() {
            return Ok(changes);
        }
        sqlx::query(
            "UPDATE buildings SET units = $1, floors = $2, year_built = $3, has_elevator = $4, lift_stage = $5, \
               contact_name = $6, contact_phone_sealed = $7, contact_phone_masked = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(new.units)
        .bind(new.floors)
        .bind(new.year_built)
        .bind(new.elevator)
        .bind(new.lift_stage.map(|s| s.as_str()))
        .bind(&new.contact_name)
        .bind(new.contact_phone_sealed.clone())
        .bind(&new.contact_phone_masked)
        .bind(Timestamp::now().millis())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.audit_in(
            &mut tx,
            caller,
            AuditEntry::ok("registry.building.update", "building", id).with_detail(changes_detail(&changes, json!({}))),
        )
        .await?;
        tx.commit().await?;
        Ok(changes)
    }
}
