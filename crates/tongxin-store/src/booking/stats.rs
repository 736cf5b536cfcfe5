//! Booking statistics for a period (by the slot's Shanghai day): bookings by category,
//! service, site, channel and the resident's age band; how full the slots were; and how
//! many who were due did not come. Counts only, no one's name.
//!
//! Within a [`RegistryScope`]: the bookings of residents living in its regions, and the
//! seats of the sites in them (home visits, which belong to no site, only for a caller
//! who sees everything).

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;
use tongxin_core::time::Timestamp;

use super::{corrupt, shanghai_day};
use crate::registry::RegistryScope;
use crate::{Store, StoreError};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BookingStats {
    pub from: String,
    pub to: String,
    /// Bookings not cancelled.
    pub bookings: i64,
    pub cancelled: i64,
    pub waitlisted: i64,
    pub by_category: BTreeMap<String, i64>,
    pub by_service: BTreeMap<String, i64>,
    pub by_site: BTreeMap<String, i64>,
    pub by_channel: BTreeMap<String, i64>,
    /// "60 以下", "60–69", "70–79", "80–89", "90 以上"
    pub by_age: BTreeMap<String, i64>,
    /// Seats held over seats offered (slots not blocked), 0 to 1.
    pub utilisation: f64,
    pub seats: i64,
    pub held: i64,
    /// Of the bookings due that ended: checked in, and no-shows.
    pub checked_in: i64,
    pub no_shows: i64,
    /// no_shows / (checked_in + no_shows), 0 when none were due.
    pub no_show_rate: f64,
}

/// The age band of someone `age` years old.
pub fn age_band(age: i32) -> &'static str {
    match age {
        ..60 => "60 以下",
        60..70 => "60–69",
        70..80 => "70–79",
        80..90 => "80–89",
        _ => "90 以上",
    }
}

impl Store {
    /// The statistics of the slots starting from `from` to `to` (Shanghai days, inclusive),
    /// within `scope`.
    pub async fn booking_stats(
        &self,
        scope: &RegistryScope,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<BookingStats, StoreError> {
        let start = tongxin_core::booking::timetable::at(from, chrono::NaiveTime::MIN).millis();
        let end = tongxin_core::booking::timetable::at(to, chrono::NaiveTime::MIN).millis() + 86_400_000;
        let mut stats = BookingStats { from: from.to_string(), to: to.to_string(), ..Default::default() };
        let sql = format!(
            "SELECT b.status, b.channel, v.name AS service, c.name AS category, COALESCE(s.name, '上门服务') AS site, \
               r.birth_date, t.starts_at FROM bookings b JOIN slots t ON t.id = b.slot_id \
             JOIN services v ON v.code = b.service_code JOIN service_categories c ON c.code = v.category_code \
             JOIN residents r ON r.id = b.resident_id LEFT JOIN sites s ON s.id = t.site_id \
             WHERE t.starts_at >= $1 AND t.starts_at < $2{}",
            within(scope, "r.region_code"),
        );
        let rows = bind_regions(sqlx::query(&sql).bind(start).bind(end), scope).fetch_all(self.pool()).await?;
        for row in &rows {
            let status: String = row.try_get("status")?;
            match status.as_str() {
                "cancelled" => {
                    stats.cancelled += 1;
                    continue;
                }
                "waitlisted" => stats.waitlisted += 1,
                "checked_in" => stats.checked_in += 1,
                "no_show" => stats.no_shows += 1,
                _ => {}
            }
            stats.bookings += 1;
            let birth: String = row.try_get("birth_date")?;
            let birth = chrono::NaiveDate::parse_from_str(&birth, "%Y-%m-%d").map_err(|e| corrupt("birth date", e))?;
            let day = shanghai_day(Timestamp::from_millis(row.try_get("starts_at")?));
            let channel: String = row.try_get("channel")?;
            let channel = channel.parse::<tongxin_core::booking::Channel>().map_err(|e| corrupt("channel", e))?;
            for (map, key) in [
                (&mut stats.by_category, row.try_get::<String, _>("category")?),
                (&mut stats.by_service, row.try_get::<String, _>("service")?),
                (&mut stats.by_site, row.try_get::<String, _>("site")?),
                (&mut stats.by_channel, channel.zh().to_owned()),
                (&mut stats.by_age, age_band(tongxin_core::registry::age(birth, day)).to_owned()),
            ] {
                *map.entry(key).or_default() += 1;
            }
        }
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(t.capacity), 0) AS BIGINT) AS seats, CAST(COALESCE(SUM(t.booked), 0) AS BIGINT) AS held \
             FROM slots t LEFT JOIN sites s ON s.id = t.site_id \
             WHERE t.starts_at >= $1 AND t.starts_at < $2 AND NOT t.blocked{}",
            within(scope, "s.region_code"),
        );
        let seats = bind_regions(sqlx::query(&sql).bind(start).bind(end), scope).fetch_one(self.pool()).await?;
        stats.seats = seats.try_get("seats")?;
        stats.held = seats.try_get("held")?;
        if stats.seats > 0 {
            stats.utilisation = stats.held as f64 / stats.seats as f64;
        }
        let due = stats.checked_in + stats.no_shows;
        if due > 0 {
            stats.no_show_rate = stats.no_shows as f64 / due as f64;
        }
        Ok(stats)
    }
}

/// ` AND (column LIKE $3 OR …)` for a scope short of everything, with the regions bound
/// by [`bind_regions`] after `$1` and `$2`; empty for everything. A NULL column (a home
/// visit's site) is outside every region.
fn within(scope: &RegistryScope, column: &str) -> String {
    if scope.all {
        return String::new();
    }
    if scope.regions.is_empty() {
        return " AND 1 = 0".to_owned();
    }
    let any: Vec<String> = (0..scope.regions.len()).map(|i| format!("{column} LIKE ${}", i + 3)).collect();
    format!(" AND ({})", any.join(" OR "))
}

fn bind_regions<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    scope: &RegistryScope,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    if !scope.all {
        for region in &scope.regions {
            query = query.bind(format!("{region}%"));
        }
    }
    query
}
