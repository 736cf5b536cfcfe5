//! Bookings of slots that already took place, recorded after the fact — the demo's two
//! weeks of history, or a site's paper sign-up sheet entered later. Seats are still taken
//! by the conditional update, so the history cannot overbook a slot either.

use serde_json::json;
use sqlx::Row;
use tongxin_core::booking::{BookingStatus, Channel};
use tongxin_core::time::Timestamp;

use super::shanghai_day;
use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError};

/// A past booking to record.
#[derive(Debug, Clone)]
pub struct PastBooking {
    pub slot_id: i64,
    pub resident_id: i64,
    pub channel: Channel,
    /// checked_in, no_show or cancelled.
    pub status: BookingStatus,
}

impl Store {
    /// Records past bookings in one transaction; how many were recorded (a booking for a
    /// slot with no seat left, or a resident already on it, is left out).
    pub async fn record_past_bookings(&self, caller: &Caller, past: &[PastBooking]) -> Result<usize, StoreError> {
        let mut tx = self.begin_write().await?;
        let now = Timestamp::now().millis();
        let mut recorded = 0;
        for p in past {
            let slot = sqlx::query("SELECT service_code, starts_at FROM slots WHERE id = $1")
                .bind(p.slot_id)
                .fetch_optional(&mut *tx)
                .await?;
            let resident = sqlx::query("SELECT region_code FROM residents WHERE id = $1")
                .bind(p.resident_id)
                .fetch_optional(&mut *tx)
                .await?;
            let (Some(slot), Some(resident)) = (slot, resident) else { continue };
            let taken = sqlx::query("SELECT 1 AS x FROM bookings WHERE slot_id = $1 AND resident_id = $2")
                .bind(p.slot_id)
                .bind(p.resident_id)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                continue;
            }
            if p.status != BookingStatus::Cancelled {
                let seat = sqlx::query(
                    "UPDATE slots SET booked = booked + 1, updated_at = $1 WHERE id = $2 AND booked < capacity",
                )
                .bind(now)
                .bind(p.slot_id)
                .execute(&mut *tx)
                .await?;
                if seat.rows_affected() == 0 {
                    continue;
                }
            }
            let starts_at = Timestamp::from_millis(slot.try_get("starts_at")?);
            sqlx::query(
                "INSERT INTO bookings (slot_id, service_code, resident_id, region_code, day, status, channel, actor_kind, \
                   actor_id, actor_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
            )
            .bind(p.slot_id)
            .bind(slot.try_get::<String, _>("service_code")?)
            .bind(p.resident_id)
            .bind(resident.try_get::<String, _>("region_code")?)
            .bind(shanghai_day(starts_at).to_string())
            .bind(p.status.as_str())
            .bind(p.channel.as_str())
            .bind(caller.actor.kind.as_str())
            .bind(caller.actor.id)
            .bind(&caller.display_name)
            .bind(starts_at.millis() - 86_400_000)
            .execute(&mut *tx)
            .await?;
            recorded += 1;
        }
        let entry = AuditEntry::ok("booking.past.record", "booking", "").with_detail(json!({ "count": recorded }));
        self.audit_in(&mut tx, caller, entry).await?;
        tx.commit().await?;
        Ok(recorded)
    }
}
