//! Signing the safety pledge online (线上签署安全承诺书): a resident signed in with their
//! phone finds the registry residents with the same phone (by the phone's blind index, so
//! no number is ever compared in the clear) who own an active e-bike, and signs for one of
//! them once. One transaction, audited.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use tongxin_core::registry::PledgeChannel;
use tongxin_core::time::Timestamp;

use super::{corrupt, date, full_address};
use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError};

/// What a pledge signed online records as its collector.
pub const ONLINE_COLLECTOR: &str = "线上";

/// A registry resident a resident account may sign for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PledgeOwner {
    pub resident_id: i64,
    pub name: String,
    pub address: String,
    /// Active e-bikes they own.
    pub ebikes: i64,
    /// Their latest pledge, if they signed one (on paper or online).
    pub signed_on: Option<chrono::NaiveDate>,
}

const OWNERS: &str = "SELECT r.id, r.name, r.region_code, h.unit, h.room, b.address AS building_address, \
    (SELECT COUNT(*) FROM ebikes e WHERE e.owner_id = r.id AND e.status = 'active') AS ebikes, \
    (SELECT MAX(p.signed_on) FROM pledges p WHERE p.resident_id = r.id) AS signed_on \
    FROM resident_accounts a JOIN residents r ON r.phone_index = a.phone_index \
    JOIN households h ON h.id = r.household_id JOIN buildings b ON b.id = h.building_id \
    WHERE a.id = $1 AND r.moved_out IS NULL \
    AND EXISTS (SELECT 1 FROM ebikes e WHERE e.owner_id = r.id AND e.status = 'active')";

fn owner_from_row(row: &sqlx::any::AnyRow) -> Result<PledgeOwner, StoreError> {
    let building: String = row.try_get("building_address")?;
    Ok(PledgeOwner {
        resident_id: row.try_get("id")?,
        name: row.try_get("name")?,
        address: full_address(&building, &row.try_get::<String, _>("unit")?, &row.try_get::<String, _>("room")?),
        ebikes: row.try_get("ebikes")?,
        signed_on: date(row.try_get("signed_on")?)?,
    })
}

impl Store {
    /// The e-bike owners in the registry who share the account's phone.
    pub async fn pledge_owners(&self, account_id: i64) -> Result<Vec<PledgeOwner>, StoreError> {
        let sql = format!("{OWNERS} ORDER BY r.id");
        let rows = sqlx::query(&sql).bind(account_id).fetch_all(self.pool()).await?;
        rows.iter().map(owner_from_row).collect()
    }

    /// Signs the pledge online for `resident_id`, who must be one of the account's
    /// [`Store::pledge_owners`] (else not found) and not have signed yet (else a conflict).
    pub async fn sign_pledge_online(
        &self,
        caller: &Caller,
        account_id: i64,
        resident_id: i64,
        signed_on: chrono::NaiveDate,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let sql = format!("{OWNERS} AND r.id = $2");
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(resident_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound { entity: "e-bike owner", key: resident_id.to_string() })?;
        let owner = owner_from_row(&row)?;
        if let Some(day) = owner.signed_on {
            return Err(StoreError::Conflict {
                field: "resident_id",
                reason: format!("the pledge was signed on {day}"),
            });
        }
        let region: String = row.try_get("region_code")?;
        tongxin_core::geo::RegionCode::parse(&region).map_err(|e| corrupt("resident region", e))?;
        let id: i64 = sqlx::query(
            "INSERT INTO pledges (resident_id, region_code, signed_on, collected_by, channel, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(resident_id)
        .bind(&region)
        .bind(signed_on.format("%Y-%m-%d").to_string())
        .bind(ONLINE_COLLECTOR)
        .bind(PledgeChannel::Online.as_str())
        .bind(Timestamp::now().millis())
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::unique("resident_id", "the pledge was already signed online"))?
        .try_get("id")?;
        let entry = AuditEntry::ok("registry.pledges.sign", "pledge", id)
            .with_detail(json!({ "resident": resident_id, "channel": "online" }));
        self.audit_in(&mut tx, caller, entry).await?;
        tx.commit().await?;
        Ok(id)
    }
}
