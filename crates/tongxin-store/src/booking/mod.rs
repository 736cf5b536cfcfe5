//! One door for services (一网通办): the catalogue and sites ([`catalog`]), slots laid out
//! from weekly timetables ([`slots`]), and bookings ([`book`]) — made, cancelled, promoted
//! from the waitlist — each in one transaction. A slot's seats move only by a conditional
//! update (`booked < capacity`), so no interleaving of requests can overbook it, on either
//! backend. Kiosks and their sign-ins: [`kiosk`], with PINs and lockouts in [`pins`]. What the
//! resident is told about each change: `notices`.

pub mod book;
pub mod catalog;
pub mod kiosk;
mod life;
mod notices;
pub mod past;
pub mod people;
pub mod pins;
pub mod slots;
pub mod stats;

use tongxin_core::booking::eligibility::Refusal;
use tongxin_core::time::Timestamp;

use crate::StoreError;

/// Why a booking, a cancellation or a slot change was refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    #[error("no slot {0}")]
    NoSlot(i64),
    #[error("no resident {0}")]
    NoResident(i64),
    #[error("no booking {0}")]
    NoBooking(i64),
    #[error("the slot has already started")]
    Past,
    #[error("the slot is blocked by the site")]
    Blocked,
    #[error("a booking is checked in on its day, {0}")]
    NotToday(chrono::NaiveDate),
    #[error("the site is closed on {0}")]
    SiteClosed(chrono::NaiveDate),
    #[error("the service is not offered now")]
    Inactive,
    #[error("not eligible: {}", .0.zh())]
    Ineligible(Refusal),
    #[error("the slot is full: all {capacity} seats are booked")]
    Full { capacity: i64 },
    #[error("the resident already has a booking on this slot")]
    AlreadyBooked,
    /// A move goes to another time of the booking's own service, never to another service.
    #[error("a booking of {booked} cannot move to a slot of {asked}")]
    OtherService { booked: String, asked: String },
    /// The booking's status (in Chinese) does not allow the action.
    #[error("the booking is {0}")]
    Status(&'static str),
    #[error("cancelling closed at {0}")]
    AfterCutoff(String),
    #[error("{booked} seats are already booked; the capacity cannot go below that")]
    BelowBooked { booked: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for BookingError {
    fn from(e: sqlx::Error) -> Self {
        BookingError::Store(StoreError::Database(e))
    }
}

/// A resident's eligibility facts and region from their row.
pub(crate) fn applicant_from_row(
    row: &sqlx::any::AnyRow,
) -> Result<(tongxin_core::booking::eligibility::Applicant, tongxin_core::geo::RegionCode), StoreError> {
    use sqlx::Row;
    let birth: String = row.try_get("birth_date")?;
    let moved_out: Option<String> = row.try_get("moved_out")?;
    let tags: String = row.try_get("tags")?;
    let care_level: Option<i64> = row.try_get("care_level")?;
    let region: String = row.try_get("region_code")?;
    let applicant = tongxin_core::booking::eligibility::Applicant {
        birth_date: chrono::NaiveDate::parse_from_str(&birth, "%Y-%m-%d").map_err(|e| corrupt("birth date", e))?,
        living_here: moved_out.is_none_or(|d| d.is_empty()),
        tags: tongxin_core::registry::parse_tags(&tags).map_err(|e| corrupt("tags", e))?,
        care_level: care_level.and_then(|l| u8::try_from(l).ok()),
    };
    Ok((applicant, tongxin_core::geo::RegionCode::parse(&region).map_err(|e| corrupt("region", e))?))
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// The Shanghai calendar day of an instant.
pub fn shanghai_day(at: Timestamp) -> chrono::NaiveDate {
    at.to_utc().with_timezone(&tongxin_core::time::SHANGHAI).date_naive()
}

impl crate::Store {
    /// Residents still living here who were born before `day`.
    pub async fn residents_born_before(&self, day: chrono::NaiveDate) -> Result<Vec<i64>, StoreError> {
        use sqlx::Row;
        let rows = sqlx::query("SELECT id FROM residents WHERE birth_date < $1 AND moved_out IS NULL ORDER BY id")
            .bind(day.format("%Y-%m-%d").to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// What the eligibility rules look at about a resident, and their region.
    pub async fn applicant(
        &self,
        resident_id: i64,
    ) -> Result<Option<(tongxin_core::booking::eligibility::Applicant, tongxin_core::geo::RegionCode)>, StoreError>
    {
        let row =
            sqlx::query("SELECT birth_date, moved_out, tags, care_level, region_code FROM residents WHERE id = $1")
                .bind(resident_id)
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(applicant_from_row).transpose()
    }

    /// The eligibility facts of the residents living here born before `day`.
    pub async fn elder_applicants(
        &self,
        day: chrono::NaiveDate,
    ) -> Result<Vec<(i64, tongxin_core::booking::eligibility::Applicant)>, StoreError> {
        use sqlx::Row;
        let rows = sqlx::query(
            "SELECT id, birth_date, moved_out, tags, care_level, region_code FROM residents \
             WHERE birth_date < $1 AND moved_out IS NULL ORDER BY id",
        )
        .bind(day.format("%Y-%m-%d").to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, applicant_from_row(r)?.0))).collect()
    }

    /// Records residents' long-term-care assessment levels (长护险评估等级, 0 to 6), which
    /// some services require; one transaction, one audit entry.
    pub async fn set_care_levels(&self, caller: &crate::audit::Caller, levels: &[(i64, u8)]) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for (id, level) in levels {
            sqlx::query("UPDATE residents SET care_level = $1 WHERE id = $2")
                .bind(i64::from(*level))
                .bind(*id)
                .execute(&mut *tx)
                .await?;
        }
        let entry = crate::audit::AuditEntry::ok("registry.care_levels", "resident", "")
            .with_detail(serde_json::json!({ "count": levels.len() }));
        self.audit_in(&mut tx, caller, entry).await?;
        tx.commit().await?;
        Ok(())
    }
}
