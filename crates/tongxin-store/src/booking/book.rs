//! Bookings made through one function for every channel, and read back; what happens to
//! them afterwards is in `life`. Each change is one transaction. A seat is taken by one conditional
//! update — `booked = booked + 1 WHERE booked < capacity` — which PostgreSQL re-evaluates
//! after any concurrent update of the row, and which SQLite runs inside a write
//! transaction taken up front; so no slot is ever overbooked, whatever the concurrency.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::booking::eligibility::Usage;
use tongxin_core::booking::{BookingStatus, Channel};
use tongxin_core::geo::RegionCode;
use tongxin_core::time::Timestamp;

use super::catalog::{Service, service_in};
use super::{BookingError, corrupt, shanghai_day};
use crate::audit::{AuditEntry, Caller};
use crate::{Backend, Store, StoreError, Tx, row_bool};

/// A booking to make.
#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub slot_id: i64,
    pub resident_id: i64,
    pub channel: Channel,
    /// The same key from the same caller books once: a retry gets the first booking back.
    pub idempotency_key: Option<String>,
    /// Join the waitlist when the slot is full, instead of being refused.
    pub waitlist: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Booking {
    pub id: i64,
    pub slot_id: i64,
    pub service_code: String,
    pub service_name: String,
    pub site_id: Option<i64>,
    pub site_name: Option<String>,
    pub resident_id: i64,
    pub resident_name: String,
    pub region: RegionCode,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub status: BookingStatus,
    pub channel: Channel,
    /// Who made it: a staff member's or key's name, or the resident's masked phone.
    pub actor_kind: String,
    pub actor_name: String,
    pub created_at: Timestamp,
}

/// A booking made, or found again by its idempotency key.
#[derive(Debug, Clone)]
pub struct Booked {
    pub booking: Booking,
    /// The request was a retry: nothing new was booked.
    pub replayed: bool,
}

/// A cancellation, and the waitlisted bookings it promoted to the freed seat.
#[derive(Debug, Clone)]
pub struct Cancelled {
    pub booking: Booking,
    pub promoted: Vec<Booking>,
}

pub(super) const BOOKING_SQL: &str = "SELECT b.id, b.slot_id, b.service_code, v.name AS service_name, t.site_id, s.name AS site_name, \
    b.resident_id, r.name AS resident_name, b.region_code, t.starts_at, t.ends_at, b.status, b.channel, b.actor_kind, \
    b.actor_name, b.created_at FROM bookings b JOIN slots t ON t.id = b.slot_id JOIN services v ON v.code = b.service_code \
    JOIN residents r ON r.id = b.resident_id LEFT JOIN sites s ON s.id = t.site_id";

pub(super) fn booking_from_row(row: &AnyRow) -> Result<Booking, StoreError> {
    let (region, status, channel): (String, String, String) =
        (row.try_get("region_code")?, row.try_get("status")?, row.try_get("channel")?);
    Ok(Booking {
        id: row.try_get("id")?,
        slot_id: row.try_get("slot_id")?,
        service_code: row.try_get("service_code")?,
        service_name: row.try_get("service_name")?,
        site_id: row.try_get("site_id")?,
        site_name: row.try_get("site_name")?,
        resident_id: row.try_get("resident_id")?,
        resident_name: row.try_get("resident_name")?,
        region: RegionCode::parse(&region).map_err(|e| corrupt("region", e))?,
        starts_at: Timestamp::from_millis(row.try_get("starts_at")?),
        ends_at: Timestamp::from_millis(row.try_get("ends_at")?),
        status: status.parse().map_err(|e| corrupt("booking status", e))?,
        channel: channel.parse().map_err(|e| corrupt("channel", e))?,
        actor_kind: row.try_get("actor_kind")?,
        actor_name: row.try_get("actor_name")?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
    })
}

/// ` FOR UPDATE` on PostgreSQL (a row lock for the rest of the transaction); nothing on
/// SQLite, whose write transactions already run one at a time.
pub(super) fn for_update(store: &Store) -> &'static str {
    if store.backend() == Backend::Postgres { " FOR UPDATE" } else { "" }
}

pub(super) async fn one(tx: &mut Tx, id: i64) -> Result<Booking, BookingError> {
    let sql = format!("{BOOKING_SQL} WHERE b.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut **tx).await?.ok_or(BookingError::NoBooking(id))?;
    Ok(booking_from_row(&row)?)
}

async fn by_key(tx: &mut Tx, caller: &Caller, key: &str) -> Result<Option<Booking>, BookingError> {
    let sql = format!("{BOOKING_SQL} WHERE b.actor_kind = $1 AND b.actor_id = $2 AND b.idempotency_key = $3");
    let row = sqlx::query(&sql)
        .bind(caller.actor.kind.as_str())
        .bind(caller.actor.id)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.as_ref().map(booking_from_row).transpose()?)
}

/// Promotes waitlisted bookings of `slot_id`, oldest first, while seats are free; the
/// promoted bookings' ids.
pub(super) async fn promote(
    store: &Store,
    tx: &mut Tx,
    caller: &Caller,
    slot_id: i64,
) -> Result<Vec<i64>, BookingError> {
    let mut promoted = Vec::new();
    loop {
        let next =
            sqlx::query("SELECT id FROM bookings WHERE slot_id = $1 AND status = 'waitlisted' ORDER BY id LIMIT 1")
                .bind(slot_id)
                .fetch_optional(&mut **tx)
                .await?;
        let Some(next) = next else { break };
        let id: i64 = next.try_get("id")?;
        let seat = sqlx::query(
            "UPDATE slots SET booked = booked + 1, updated_at = $1 WHERE id = $2 AND booked < capacity AND NOT blocked",
        )
        .bind(Timestamp::now().millis())
        .bind(slot_id)
        .execute(&mut **tx)
        .await?;
        if seat.rows_affected() == 0 {
            break;
        }
        sqlx::query("UPDATE bookings SET status = 'confirmed', updated_at = $1 WHERE id = $2")
            .bind(Timestamp::now().millis())
            .bind(id)
            .execute(&mut **tx)
            .await?;
        store.audit_in(tx, caller, AuditEntry::ok("booking.promote", "booking", id)).await?;
        let booking = one(tx, id).await?;
        store.tell_promoted(tx, &booking).await?;
        promoted.push(id);
    }
    Ok(promoted)
}

impl Store {
    /// Books `request.slot_id` for `request.resident_id` as `caller`: the slot must be in
    /// the future, not blocked, at a site open that day, the service active and the
    /// resident eligible; then a seat is taken (or, when full and asked, a waitlist place).
    pub async fn book(&self, caller: &Caller, request: &BookingRequest) -> Result<Booked, BookingError> {
        let mut tx = self.begin_write().await?;
        if let Some(key) = &request.idempotency_key {
            self.take_key(&mut tx, caller, key).await?;
            if let Some(found) = by_key(&mut tx, caller, key).await? {
                return replay(found, request);
            }
        }
        match self.book_in(&mut tx, caller, request).await {
            Ok(id) => {
                let booking = one(&mut tx, id).await?;
                self.tell_booked(&mut tx, &booking).await?;
                tx.commit().await?;
                Ok(Booked { booking, replayed: false })
            }
            Err(BookingError::Store(StoreError::Database(e))) if matches!(&e, sqlx::Error::Database(db) if db.is_unique_violation()) =>
            {
                // Raced: the same key committed first, or the resident holds this slot.
                drop(tx);
                let mut tx = self.begin_write().await?;
                match &request.idempotency_key {
                    Some(key) => match by_key(&mut tx, caller, key).await? {
                        Some(found) => replay(found, request),
                        None => Err(BookingError::AlreadyBooked),
                    },
                    None => Err(BookingError::AlreadyBooked),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Takes the caller's idempotency key before any rule is applied, so that copies of
    /// one request sent at once wait for the first and then find its booking. Without it,
    /// on PostgreSQL a copy could wait on the resident's row lock, then count the first
    /// copy's booking against the per-day limit before seeing its key (422 instead of the
    /// replay). SQLite runs write transactions one at a time, which already does this.
    async fn take_key(&self, tx: &mut Tx, caller: &Caller, key: &str) -> Result<(), BookingError> {
        if self.backend() == Backend::Postgres {
            let name = format!("booking-key:{}:{}:{key}", caller.actor.kind.as_str(), caller.actor.id);
            sqlx::query("SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(name)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    pub(super) async fn book_in(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        request: &BookingRequest,
    ) -> Result<i64, BookingError> {
        let now = Timestamp::now();
        let slot = open_slot(tx, request.slot_id, now).await?;
        let region = self.eligible(tx, request, &slot).await?;
        let status = take_seat(tx, request, now, slot.capacity).await?;
        let (service_code, day) = (slot.service.code, slot.day);
        let row = sqlx::query(
            "INSERT INTO bookings (slot_id, service_code, resident_id, region_code, day, status, channel, actor_kind, \
               actor_id, actor_name, idempotency_key, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
        )
        .bind(request.slot_id)
        .bind(&service_code)
        .bind(request.resident_id)
        .bind(&region)
        .bind(day.to_string())
        .bind(status.as_str())
        .bind(request.channel.as_str())
        .bind(caller.actor.kind.as_str())
        .bind(caller.actor.id)
        .bind(&caller.display_name)
        .bind(request.idempotency_key.as_deref())
        .bind(now.millis())
        .fetch_one(&mut **tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let detail = json!({ "slot_id": request.slot_id, "resident_id": request.resident_id, "service": service_code,
            "status": status.as_str(), "channel": request.channel.as_str() });
        self.audit_in(tx, caller, AuditEntry::ok("booking.create", "booking", id).with_detail(detail)).await?;
        Ok(id)
    }

    /// Checks that the resident may book the slot's service that day (the rules, this
    /// month's and day's use, no seat held already) and answers their region. The
    /// resident's row is locked, so their own concurrent bookings count each other.
    async fn eligible(&self, tx: &mut Tx, request: &BookingRequest, slot: &OpenSlot) -> Result<String, BookingError> {
        let (service_code, day) = (&slot.service.code, slot.day);
        let sql = format!(
            "SELECT birth_date, moved_out, tags, care_level, region_code FROM residents WHERE id = $1{}",
            for_update(self)
        );
        let resident = sqlx::query(&sql)
            .bind(request.resident_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(BookingError::NoResident(request.resident_id))?;
        let (applicant, region) = super::applicant_from_row(&resident)?;
        let region = region.to_string();
        let month = day.format("%Y-%m-").to_string();
        let usage = sqlx::query(
            "SELECT CAST(COALESCE(SUM(CASE WHEN day = $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS same_day, \
               COUNT(*) AS same_month FROM bookings \
             WHERE resident_id = $1 AND service_code = $2 AND day LIKE $4 AND status <> 'cancelled'",
        )
        .bind(request.resident_id)
        .bind(service_code)
        .bind(day.to_string())
        .bind(format!("{month}%"))
        .fetch_one(&mut **tx)
        .await?;
        let usage = Usage {
            same_day: u32::try_from(usage.try_get::<i64, _>("same_day")?).unwrap_or(u32::MAX),
            same_month: u32::try_from(usage.try_get::<i64, _>("same_month")?).unwrap_or(u32::MAX),
        };
        slot.service.rules.check(&applicant, day, usage).map_err(BookingError::Ineligible)?;
        let held = sqlx::query(
            "SELECT 1 AS x FROM bookings WHERE slot_id = $1 AND resident_id = $2 \
             AND status IN ('confirmed', 'waitlisted', 'checked_in')",
        )
        .bind(request.slot_id)
        .bind(request.resident_id)
        .fetch_optional(&mut **tx)
        .await?;
        if held.is_some() {
            return Err(BookingError::AlreadyBooked);
        }
        Ok(region)
    }

    pub async fn booking(&self, id: i64) -> Result<Option<Booking>, StoreError> {
        let sql = format!("{BOOKING_SQL} WHERE b.id = $1");
        sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?.as_ref().map(booking_from_row).transpose()
    }

    /// A resident's bookings, the latest slot first.
    pub async fn bookings_of(&self, resident_id: i64, limit: i64) -> Result<Vec<Booking>, StoreError> {
        let sql = format!("{BOOKING_SQL} WHERE b.resident_id = $1 ORDER BY t.starts_at DESC, b.id DESC LIMIT $2");
        let rows = sqlx::query(&sql).bind(resident_id).bind(limit).fetch_all(self.pool()).await?;
        rows.iter().map(booking_from_row).collect()
    }

    /// A slot's bookings (live and past), in the order they were made.
    pub async fn bookings_on(&self, slot_id: i64) -> Result<Vec<Booking>, StoreError> {
        let sql = format!("{BOOKING_SQL} WHERE b.slot_id = $1 ORDER BY b.id");
        let rows = sqlx::query(&sql).bind(slot_id).fetch_all(self.pool()).await?;
        rows.iter().map(booking_from_row).collect()
    }

    /// A resident's bookings of slots that have not ended, soonest first.
    pub async fn upcoming_bookings(&self, resident_id: i64, now: Timestamp) -> Result<Vec<Booking>, StoreError> {
        let sql = format!("{BOOKING_SQL} WHERE b.resident_id = $1 AND t.ends_at > $2 ORDER BY t.starts_at, b.id");
        let rows = sqlx::query(&sql).bind(resident_id).bind(now.millis()).fetch_all(self.pool()).await?;
        rows.iter().map(booking_from_row).collect()
    }
}

/// A retry's answer: the booking the key already made — if it was for the same slot and
/// resident.
fn replay(found: Booking, request: &BookingRequest) -> Result<Booked, BookingError> {
    if found.slot_id != request.slot_id || found.resident_id != request.resident_id {
        return Err(BookingError::Store(StoreError::Conflict {
            field: "Idempotency-Key",
            reason: format!("this key was already used for booking {} (another slot or resident)", found.id),
        }));
    }
    Ok(Booked { booking: found, replayed: true })
}

/// What booking a slot needs to know of it.
struct OpenSlot {
    service: Service,
    day: chrono::NaiveDate,
    capacity: i64,
}

/// The slot `slot_id`, if it can still be booked: in the future, not blocked, its site
/// open that day, its service active.
async fn open_slot(tx: &mut Tx, slot_id: i64, now: Timestamp) -> Result<OpenSlot, BookingError> {
    let slot = sqlx::query(
        "SELECT t.service_code, t.site_id, t.starts_at, t.blocked, t.capacity FROM slots t WHERE t.id = $1",
    )
    .bind(slot_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(BookingError::NoSlot(slot_id))?;
    let service_code: String = slot.try_get("service_code")?;
    let site_id: Option<i64> = slot.try_get("site_id")?;
    let starts_at = Timestamp::from_millis(slot.try_get("starts_at")?);
    let capacity: i64 = slot.try_get("capacity")?;
    if starts_at.millis() <= now.millis() {
        return Err(BookingError::Past);
    }
    if row_bool(&slot, "blocked")? {
        return Err(BookingError::Blocked);
    }
    let day = shanghai_day(starts_at);
    if let Some(site) = site_id {
        let closed = sqlx::query("SELECT 1 AS x FROM site_closures WHERE site_id = $1 AND day = $2")
            .bind(site)
            .bind(day.to_string())
            .fetch_optional(&mut **tx)
            .await?;
        if closed.is_some() {
            return Err(BookingError::SiteClosed(day));
        }
    }
    let service: Service = service_in(tx, &service_code).await?.ok_or(BookingError::Inactive)?;
    if !service.active {
        return Err(BookingError::Inactive);
    }
    Ok(OpenSlot { service, day, capacity })
}

/// Takes a seat with one conditional update; with none left, a place on the waitlist when
/// the request asks for one.
async fn take_seat(
    tx: &mut Tx,
    request: &BookingRequest,
    now: Timestamp,
    capacity: i64,
) -> Result<BookingStatus, BookingError> {
    let seat = sqlx::query(
        "UPDATE slots SET booked = booked + 1, updated_at = $1 WHERE id = $2 AND booked < capacity AND NOT blocked",
    )
    .bind(now.millis())
    .bind(request.slot_id)
    .execute(&mut **tx)
    .await?;
    match (seat.rows_affected(), request.waitlist) {
        (1, _) => Ok(BookingStatus::Confirmed),
        (_, true) => Ok(BookingStatus::Waitlisted),
        _ => Err(BookingError::Full { capacity }),
    }
}
