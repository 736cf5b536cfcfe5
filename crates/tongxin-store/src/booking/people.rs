//! Whom a resident signed in with their phone may book for: the registry residents with
//! that phone (themselves), and the elders who linked that phone as a family member's
//! (代为预约). Links are made by staff — at the operator console, with the elder on the
//! line — and audited.

use serde_json::json;
use sqlx::Row;
use tongxin_core::time::Timestamp;

use crate::audit::{AuditEntry, Caller};
use crate::registry::full_address;
use crate::{Store, StoreError};

/// Someone the signed-in resident may book for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub resident_id: i64,
    pub name: String,
    pub address: String,
    /// Through a family link (not their own phone).
    pub family: bool,
}

const PEOPLE: &str = "SELECT r.id, r.name, h.unit, h.room, b.address AS building_address, \
    CAST(CASE WHEN r.phone_index = a.phone_index THEN 0 ELSE 1 END AS BIGINT) AS family \
    FROM resident_accounts a JOIN residents r ON (r.phone_index = a.phone_index \
      OR r.id IN (SELECT p.resident_id FROM booking_proxies p WHERE p.phone_index = a.phone_index)) \
    JOIN households h ON h.id = r.household_id JOIN buildings b ON b.id = h.building_id \
    WHERE a.id = $1 AND r.moved_out IS NULL";

impl Store {
    /// The people resident account `account_id` may book for: themselves first.
    pub async fn bookable_people(&self, account_id: i64) -> Result<Vec<Person>, StoreError> {
        let sql = format!("{PEOPLE} ORDER BY family, r.id");
        let rows = sqlx::query(&sql).bind(account_id).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let building: String = r.try_get("building_address")?;
                Ok(Person {
                    resident_id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    address: full_address(
                        &building,
                        &r.try_get::<String, _>("unit")?,
                        &r.try_get::<String, _>("room")?,
                    ),
                    family: r.try_get::<i64, _>("family")? != 0,
                })
            })
            .collect()
    }

    /// Lets the family member with this phone book for the resident; a link already there
    /// is kept as it is.
    pub async fn link_family(
        &self,
        caller: &Caller,
        resident_id: i64,
        phone_index: &str,
        phone_masked: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO booking_proxies (resident_id, phone_index, phone_masked, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (resident_id, phone_index) DO NOTHING",
        )
        .bind(resident_id)
        .bind(phone_index)
        .bind(phone_masked)
        .bind(Timestamp::now().millis())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() > 0 {
            let entry = AuditEntry::ok("booking.family.link", "resident", resident_id)
                .with_detail(json!({ "phone": phone_masked }));
            self.audit_in(&mut tx, caller, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The family phones (masked) linked to a resident.
    pub async fn family_of(&self, resident_id: i64) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT phone_masked FROM booking_proxies WHERE resident_id = $1 ORDER BY id")
            .bind(resident_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok(r.try_get("phone_masked")?)).collect()
    }
}
