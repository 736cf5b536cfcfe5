//! Slots: laid out from each service's weekly timetable at each of its sites (or, for a
//! home visit, in the provider's time windows), listed by service and day, and changed by
//! administrators — blocked, or given another capacity, never below the seats booked.

use std::collections::HashSet;

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::booking::timetable::{Hours, lay_out};
use tongxin_core::time::Timestamp;

use super::BookingError;
use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, row_bool};

#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    pub id: i64,
    pub service_code: String,
    pub service_name: String,
    /// None for a home visit.
    pub site_id: Option<i64>,
    pub site_name: Option<String>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub capacity: i64,
    /// Seats held by bookings.
    pub booked: i64,
    pub blocked: bool,
    /// Bookings waiting for a seat.
    pub waitlisted: i64,
}

impl Slot {
    pub fn free(&self) -> i64 {
        if self.blocked { 0 } else { (self.capacity - self.booked).max(0) }
    }
}

pub(super) const SLOT_SQL: &str = "SELECT t.id, t.service_code, v.name AS service_name, t.site_id, s.name AS site_name, \
    t.starts_at, t.ends_at, t.capacity, t.booked, t.blocked, \
    (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = t.id AND b.status = 'waitlisted') AS waitlisted \
    FROM slots t JOIN services v ON v.code = t.service_code LEFT JOIN sites s ON s.id = t.site_id";

pub(super) fn slot_from_row(row: &AnyRow) -> Result<Slot, StoreError> {
    Ok(Slot {
        id: row.try_get("id")?,
        service_code: row.try_get("service_code")?,
        service_name: row.try_get("service_name")?,
        site_id: row.try_get("site_id")?,
        site_name: row.try_get("site_name")?,
        starts_at: Timestamp::from_millis(row.try_get("starts_at")?),
        ends_at: Timestamp::from_millis(row.try_get("ends_at")?),
        capacity: row.try_get("capacity")?,
        booked: row.try_get("booked")?,
        blocked: row_bool(row, "blocked")?,
        waitlisted: row.try_get("waitlisted")?,
    })
}

/// Which slots to list.
#[derive(Debug, Clone, Default)]
pub struct SlotFilter {
    pub service: Option<String>,
    pub site: Option<i64>,
    /// From this instant (inclusive) …
    pub from: Option<Timestamp>,
    /// … to this one (exclusive).
    pub until: Option<Timestamp>,
    pub limit: i64,
}

impl Store {
    /// Lays out the slots of every active service from `from` to `until` (inclusive) that
    /// are not there yet; how many were added. Days a site is closed are skipped.
    pub async fn lay_out_slots(
        &self,
        caller: &Caller,
        from: chrono::NaiveDate,
        until: chrono::NaiveDate,
    ) -> Result<usize, StoreError> {
        let services = self.services().await?;
        let sites = self.sites().await?;
        let closed: HashSet<(i64, chrono::NaiveDate)> = self.closures(from).await?.into_iter().collect();
        let now = Timestamp::now().millis();
        let mut tx = self.begin_write().await?;
        let mut added = 0;
        for service in services.iter().filter(|s| s.active) {
            let places: Vec<(Option<i64>, Hours)> = if service.home_visit {
                vec![(None, Hours::always())]
            } else {
                sites.iter().filter(|s| service.sites.contains(&s.code)).map(|s| (Some(s.id), s.hours)).collect()
            };
            for (site, hours) in places {
                let slots = lay_out(&service.timetable, &hours, from, until, |d| {
                    site.is_some_and(|id| closed.contains(&(id, d)))
                });
                for slot in slots {
                    let done = sqlx::query(
                        "INSERT INTO slots (service_code, site_id, starts_at, ends_at, capacity, booked, blocked, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, 0, $6, $7) ON CONFLICT DO NOTHING",
                    )
                    .bind(&service.code)
                    .bind(site)
                    .bind(slot.starts_at.millis())
                    .bind(slot.ends_at.millis())
                    .bind(i64::from(slot.capacity))
                    .bind(false)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    added += done.rows_affected() as usize;
                }
            }
        }
        if added > 0 {
            let detail = json!({ "from": from.to_string(), "until": until.to_string(), "added": added });
            let entry = AuditEntry::ok("booking.slots.lay_out", "slot", "").with_detail(detail);
            self.audit_in(&mut tx, caller, entry).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Slots matching `filter`, in time order.
    pub async fn slots(&self, filter: &SlotFilter) -> Result<Vec<Slot>, StoreError> {
        let sql = format!(
            "{SLOT_SQL} WHERE ($1 IS NULL OR t.service_code = $1) AND ($2 IS NULL OR t.site_id = $2) \
             AND ($3 IS NULL OR t.starts_at >= $3) AND ($4 IS NULL OR t.starts_at < $4) \
             ORDER BY t.starts_at, t.site_id, t.id LIMIT $5"
        );
        let rows = sqlx::query(&sql)
            .bind(filter.service.as_deref())
            .bind(filter.site)
            .bind(filter.from.map(Timestamp::millis))
            .bind(filter.until.map(Timestamp::millis))
            .bind(if filter.limit > 0 { filter.limit } else { 500 })
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(slot_from_row).collect()
    }

    pub async fn slot(&self, id: i64) -> Result<Option<Slot>, StoreError> {
        let sql = format!("{SLOT_SQL} WHERE t.id = $1");
        sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?.as_ref().map(slot_from_row).transpose()
    }

    /// Changes a slot's capacity or blocks it (or both). A capacity below the seats already
    /// booked is refused with their count; the check and the change are one conditional
    /// update, so a booking cannot slip in between.
    pub async fn change_slot(
        &self,
        caller: &Caller,
        id: i64,
        capacity: Option<i64>,
        blocked: Option<bool>,
    ) -> Result<Slot, BookingError> {
        let mut tx = self.begin_write().await?;
        let before = sqlx::query("SELECT capacity, booked, blocked FROM slots WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(BookingError::NoSlot(id))?;
        let (old_capacity, old_blocked): (i64, bool) = (before.try_get("capacity")?, row_bool(&before, "blocked")?);
        let capacity = capacity.unwrap_or(old_capacity);
        if capacity < 0 {
            return Err(BookingError::Store(StoreError::Conflict {
                field: "capacity",
                reason: "a capacity is 0 or more".into(),
            }));
        }
        let blocked = blocked.unwrap_or(old_blocked);
        let done =
            sqlx::query("UPDATE slots SET capacity = $1, blocked = $2, updated_at = $3 WHERE id = $4 AND booked <= $1")
                .bind(capacity)
                .bind(blocked)
                .bind(Timestamp::now().millis())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            let row = sqlx::query("SELECT booked FROM slots WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
            return Err(BookingError::BelowBooked { booked: row.try_get("booked")? });
        }
        let detail = json!({
            "capacity": { "before": old_capacity, "after": capacity },
            "blocked": { "before": old_blocked, "after": blocked },
        });
        self.audit_in(&mut tx, caller, AuditEntry::ok("booking.slot.change", "slot", id).with_detail(detail)).await?;
        tx.commit().await?;
        self.slot(id).await?.ok_or(BookingError::NoSlot(id))
    }
}
