//! The life of a booking after it is made: cancelled until the service's cutoff (a freed
//! seat going to the first on the waitlist, who is told), moved to another slot in one
//! transaction, checked in at the site, reminded the day before, and marked no-show after
//! the slot.

use serde_json::json;
use sqlx::Row;
use tongxin_core::booking::BookingStatus;
use tongxin_core::time::Timestamp;

use super::book::{
    BOOKING_SQL, Booked, Booking, BookingRequest, Cancelled, booking_from_row, for_update, one, promote,
};
use super::catalog::service_in;
use super::notices::when;
use super::{BookingError, shanghai_day};
use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, Tx};

impl Store {
    /// Cancels a booking until the service's cutoff before the slot; a freed seat goes to
    /// the first on the waitlist.
    pub async fn cancel_booking(&self, caller: &Caller, id: i64) -> Result<Cancelled, BookingError> {
        let mut tx = self.begin_write().await?;
        let promoted_ids = self.cancel_in(&mut tx, caller, id).await?;
        let mut promoted = Vec::with_capacity(promoted_ids.len());
        for p in promoted_ids {
            promoted.push(one(&mut tx, p).await?);
        }
        let booking = one(&mut tx, id).await?;
        self.tell_cancelled(&mut tx, &booking).await?;
        tx.commit().await?;
        Ok(Cancelled { booking, promoted })
    }

    /// [`Store::cancel_booking`] inside the caller's transaction; the promoted bookings' ids.
    async fn cancel_in(&self, tx: &mut Tx, caller: &Caller, id: i64) -> Result<Vec<i64>, BookingError> {
        let booking = one(tx, id).await?;
        // Cancellations of one slot run one at a time, so one freed seat promotes one.
        let lock = format!("SELECT id FROM slots WHERE id = $1{}", for_update(self));
        sqlx::query(&lock).bind(booking.slot_id).fetch_one(&mut **tx).await?;
        let booking = one(tx, id).await?;
        if !matches!(booking.status, BookingStatus::Confirmed | BookingStatus::Waitlisted) {
            return Err(BookingError::Status(booking.status.zh()));
        }
        let service = service_in(tx, &booking.service_code).await?.ok_or(BookingError::Inactive)?;
        let cutoff = booking.starts_at.millis() - service.cancel_cutoff_minutes * 60_000;
        if Timestamp::now().millis() > cutoff {
            return Err(BookingError::AfterCutoff(Timestamp::from_millis(cutoff).to_shanghai_rfc3339()));
        }
        sqlx::query("UPDATE bookings SET status = 'cancelled', updated_at = $1 WHERE id = $2")
            .bind(Timestamp::now().millis())
            .bind(id)
            .execute(&mut **tx)
            .await?;
        if booking.status.holds_seat() {
            sqlx::query("UPDATE slots SET booked = booked - 1, updated_at = $1 WHERE id = $2 AND booked > 0")
                .bind(Timestamp::now().millis())
                .bind(booking.slot_id)
                .execute(&mut **tx)
                .await?;
        }
        let detail = json!({ "slot_id": booking.slot_id, "was": booking.status.as_str() });
        self.audit_in(tx, caller, AuditEntry::ok("booking.cancel", "booking", id).with_detail(detail)).await?;
        promote(self, tx, caller, booking.slot_id).await
    }

    /// Moves a booking to another slot of the same resident in one transaction: the old one
    /// is cancelled (until its cutoff; its seat goes to its waitlist) and the new one booked
    /// under every rule; if the new one is refused, the old one stands.
    pub async fn reschedule(
        &self,
        caller: &Caller,
        id: i64,
        slot_id: i64,
        channel: tongxin_core::booking::Channel,
    ) -> Result<Booked, BookingError> {
        let mut tx = self.begin_write().await?;
        let old = one(&mut tx, id).await?;
        if old.slot_id == slot_id {
            return Err(BookingError::AlreadyBooked);
        }
        let asked: String = sqlx::query("SELECT service_code FROM slots WHERE id = $1")
            .bind(slot_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(BookingError::NoSlot(slot_id))?
            .try_get("service_code")?;
        if asked != old.service_code {
            return Err(BookingError::OtherService { booked: old.service_code, asked });
        }
        // The old seat is given up and the new one taken in this one transaction: if the
        // new time cannot be booked, the old booking stands.
        self.cancel_in(&mut tx, caller, id).await?;
        let request =
            BookingRequest { slot_id, resident_id: old.resident_id, channel, idempotency_key: None, waitlist: false };
        let new = self.book_in(&mut tx, caller, &request).await?;
        let booking = one(&mut tx, new).await?;
        self.tell_moved(&mut tx, &old, &booking).await?;
        tx.commit().await?;
        Ok(Booked { booking, replayed: false })
    }

    /// The seat's conditional update alone, in its own write transaction: no checks, no
    /// booking row, no audit — the floor a booking cannot beat, for the benchmark.
    #[cfg(feature = "testing")]
    pub async fn take_seat_bare(&self, slot_id: i64) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE slots SET booked = booked + 1, updated_at = $1 WHERE id = $2 AND booked < capacity AND NOT blocked",
        )
        .bind(Timestamp::now().millis())
        .bind(slot_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Promotes a slot's waitlist into its free seats (after its capacity was raised or it
    /// was unblocked); the promoted bookings.
    pub async fn promote_waitlist(&self, caller: &Caller, slot_id: i64) -> Result<Vec<Booking>, BookingError> {
        let mut tx = self.begin_write().await?;
        let lock = format!("SELECT id FROM slots WHERE id = $1{}", for_update(self));
        sqlx::query(&lock).bind(slot_id).fetch_optional(&mut *tx).await?.ok_or(BookingError::NoSlot(slot_id))?;
        let ids = promote(self, &mut tx, caller, slot_id).await?;
        let mut promoted = Vec::with_capacity(ids.len());
        for id in ids {
            promoted.push(one(&mut tx, id).await?);
        }
        tx.commit().await?;
        Ok(promoted)
    }

    /// Queues the day-before reminder of each confirmed booking whose slot starts on the
    /// Shanghai day after `now`'s, once (any node may run it: each booking is claimed by a
    /// conditional update); how many were queued.
    pub async fn queue_reminders(&self, now: Timestamp) -> Result<usize, StoreError> {
        let tomorrow = shanghai_day(now) + chrono::Days::new(1);
        let from = tongxin_core::booking::timetable::at(tomorrow, chrono::NaiveTime::MIN).millis();
        let sql = format!(
            "{BOOKING_SQL} WHERE b.status = 'confirmed' AND b.reminded_at IS NULL AND t.starts_at >= $1 AND t.starts_at < $2 \
             ORDER BY b.id"
        );
        let due = sqlx::query(&sql).bind(from).bind(from + 86_400_000).fetch_all(self.pool()).await?;
        let mut queued = 0;
        for row in &due {
            let booking = booking_from_row(row)?;
            let mut tx = self.begin_write().await?;
            let claimed = sqlx::query("UPDATE bookings SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL")
                .bind(now.millis())
                .bind(booking.id)
                .execute(&mut *tx)
                .await?;
            if claimed.rows_affected() == 1 {
                let documents =
                    service_in(&mut tx, &booking.service_code).await?.map(|s| s.documents).unwrap_or_default();
                let bring = if documents.is_empty() { String::new() } else { format!("请携带：{documents}。") };
                let (at, site) = (when(&booking), booking.site_name.as_deref().unwrap_or("您家中（上门服务）"));
                let text = format!(
                    "【同心】提醒：您预约的「{}」在明天（{at}），地点：{site}。{bring}如不能前往，请提前取消。",
                    booking.service_name
                );
                let params = [("service", booking.service_name.as_str()), ("when", at.as_str()), ("site", site)];
                self.notify_booking(&mut tx, &booking, "booking.reminder", &text, &params).await?;
                queued += 1;
            }
            tx.commit().await?;
        }
        Ok(queued)
    }

    /// Marks the confirmed bookings of slots that ended by `now` as no-shows, and closes
    /// the waitlists of those slots; how many were marked.
    pub async fn mark_no_shows(&self, now: Timestamp) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE bookings SET status = 'no_show', updated_at = $1 WHERE status = 'confirmed' \
             AND slot_id IN (SELECT id FROM slots WHERE ends_at <= $1)",
        )
        .bind(now.millis())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE bookings SET status = 'cancelled', updated_at = $1 WHERE status = 'waitlisted' \
             AND slot_id IN (SELECT id FROM slots WHERE starts_at <= $1)",
        )
        .bind(now.millis())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// Checks a confirmed booking in at the site, on the slot's day.
    pub async fn check_in(&self, caller: &Caller, id: i64) -> Result<Booking, BookingError> {
        let mut tx = self.begin_write().await?;
        let booking = one(&mut tx, id).await?;
        if booking.status != BookingStatus::Confirmed {
            return Err(BookingError::Status(booking.status.zh()));
        }
        let day = shanghai_day(booking.starts_at);
        if day != shanghai_day(Timestamp::now()) {
            return Err(BookingError::NotToday(day));
        }
        sqlx::query(
            "UPDATE bookings SET status = 'checked_in', updated_at = $1 WHERE id = $2 AND status = 'confirmed'",
        )
        .bind(Timestamp::now().millis())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.audit_in(&mut tx, caller, AuditEntry::ok("booking.check_in", "booking", id)).await?;
        let booking = one(&mut tx, id).await?;
        tx.commit().await?;
        Ok(booking)
    }
}
