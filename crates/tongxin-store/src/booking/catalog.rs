//! The service catalogue: categories, services with their rules and weekly timetables, and
//! the sites that give them, with opening hours and closures. Saved whole or in part by
//! administrators (and the demo), read by every channel.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::booking::SiteKind;
use tongxin_core::booking::eligibility::Rules;
use tongxin_core::booking::timetable::{Hours, Weekly};
use tongxin_core::geo::RegionCode;
use tongxin_core::registry::Tag;
use tongxin_core::time::Timestamp;

use super::corrupt;
use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, Tx, row_bool};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub position: i64,
}

/// A service as administrators set it.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub code: String,
    pub category: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub provider: String,
    /// Given at the resident's home (its slots belong to no site).
    pub home_visit: bool,
    pub minutes: u32,
    pub rules: Rules,
    /// Shown, never charged.
    pub price_fen: i64,
    pub subsidy_fen: i64,
    /// Cancelling is possible until this long before the start.
    pub cancel_cutoff_minutes: i64,
    pub documents: String,
    pub active: bool,
    pub position: i64,
    /// The codes of the sites that give it (none for a home visit).
    pub sites: Vec<String>,
    pub timetable: Vec<Weekly>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub id: i64,
    pub code: String,
    pub kind: SiteKind,
    pub name: String,
    pub name_en: String,
    pub region: RegionCode,
    pub address: String,
    pub hours: Hours,
}

/// A site to save (matched on its code).
#[derive(Debug, Clone)]
pub struct NewSite {
    pub code: String,
    pub kind: SiteKind,
    pub name: String,
    pub name_en: String,
    pub region: RegionCode,
    pub address: String,
    pub hours: Hours,
}

impl Site {
    /// The site to save, with other opening hours.
    pub fn with_hours(self, hours: Hours) -> NewSite {
        NewSite {
            code: self.code,
            kind: self.kind,
            name: self.name,
            name_en: self.name_en,
            region: self.region,
            address: self.address,
            hours,
        }
    }
}

fn opt(v: Option<u32>) -> Option<i64> {
    v.map(i64::from)
}

fn small(row: &AnyRow, column: &str) -> Result<Option<u32>, StoreError> {
    let v: Option<i64> = row.try_get(column)?;
    v.map(|v| u32::try_from(v).map_err(|e| corrupt(column, e))).transpose()
}

fn weekday(n: i64) -> Result<chrono::Weekday, StoreError> {
    u8::try_from(n)
        .ok()
        .filter(|n| (1..=7).contains(n))
        .and_then(|n| chrono::Weekday::try_from(n - 1).ok())
        .ok_or_else(|| corrupt("weekday", n))
}

fn service_from_row(row: &AnyRow) -> Result<Service, StoreError> {
    let tags: String = row.try_get("tags_any")?;
    let level: Option<u32> = small(row, "care_level_min")?;
    Ok(Service {
        code: row.try_get("code")?,
        category: row.try_get("category_code")?,
        name: row.try_get("name")?,
        name_en: row.try_get("name_en")?,
        description: row.try_get("description")?,
        provider: row.try_get("provider")?,
        home_visit: row_bool(row, "home_visit")?,
        minutes: small(row, "minutes")?.unwrap_or_default(),
        rules: Rules {
            min_age: small(row, "min_age")?.map(|a| a.min(255) as u8),
            registered_only: row_bool(row, "registered_only")?,
            tags_any: tags
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::parse::<Tag>)
                .collect::<Result<_, _>>()
                .map_err(|e| corrupt("tags", e))?,
            care_level_min: level.map(|l| l.min(6) as u8),
            per_day: small(row, "per_day")?,
            per_month: small(row, "per_month")?,
        },
        price_fen: row.try_get("price_fen")?,
        subsidy_fen: row.try_get("subsidy_fen")?,
        cancel_cutoff_minutes: row.try_get("cancel_cutoff_minutes")?,
        documents: row.try_get("documents")?,
        active: row_bool(row, "active")?,
        position: row.try_get("position")?,
        sites: Vec::new(),
        timetable: Vec::new(),
    })
}

pub(super) fn site_from_row(row: &AnyRow) -> Result<Site, StoreError> {
    let kind: String = row.try_get("kind")?;
    let region: String = row.try_get("region_code")?;
    let hours: String = row.try_get("hours")?;
    let days: Vec<&str> = hours.split(';').collect();
    let days: [&str; 7] = days.try_into().map_err(|_| corrupt("hours", &hours))?;
    Ok(Site {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        kind: kind.parse().map_err(|e| corrupt("site kind", e))?,
        name: row.try_get("name")?,
        name_en: row.try_get("name_en")?,
        region: RegionCode::parse(&region).map_err(|e| corrupt("region", e))?,
        address: row.try_get("address")?,
        hours: Hours::parse(&days).map_err(|e| corrupt("hours", e))?,
    })
}

const SERVICE_COLUMNS: &str = "code, category_code, name, name_en, description, provider, home_visit, minutes, min_age, \
    registered_only, tags_any, care_level_min, per_day, per_month, price_fen, subsidy_fen, cancel_cutoff_minutes, \
    documents, active, position";

impl Store {
    /// Saves categories, sites and services (each matched on its code) in one transaction;
    /// a service's sites and timetable are replaced by those given.
    pub async fn save_catalog(
        &self,
        caller: &Caller,
        categories: &[Category],
        sites: &[NewSite],
        services: &[Service],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let now = Timestamp::now().millis();
        for c in categories {
            sqlx::query(
                "INSERT INTO service_categories (code, name, name_en, position) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, position = excluded.position",
            )
            .bind(&c.code)
            .bind(&c.name)
            .bind(&c.name_en)
            .bind(c.position)
            .execute(&mut *tx)
            .await?;
        }
        for s in sites {
            let hours = s.hours.texts().join(";");
            sqlx::query(
                "INSERT INTO sites (code, kind, name, name_en, region_code, address, hours, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, \
                 name = excluded.name, name_en = excluded.name_en, region_code = excluded.region_code, \
                 address = excluded.address, hours = excluded.hours, updated_at = excluded.updated_at",
            )
            .bind(&s.code)
            .bind(s.kind.as_str())
            .bind(&s.name)
            .bind(&s.name_en)
            .bind(s.region.as_str())
            .bind(&s.address)
            .bind(hours)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        for s in services {
            save_service(&mut tx, s, now).await?;
        }
        let detail = json!({ "categories": categories.len(), "sites": sites.len(), "services": services.len() });
        self.audit_in(&mut tx, caller, AuditEntry::ok("booking.catalog.save", "catalog", "").with_detail(detail))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn service_categories(&self) -> Result<Vec<Category>, StoreError> {
        let rows = sqlx::query("SELECT code, name, name_en, position FROM service_categories ORDER BY position, code")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Category {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    name_en: r.try_get("name_en")?,
                    position: r.try_get("position")?,
                })
            })
            .collect()
    }

    /// Every service with its sites and timetable, by category and position.
    pub async fn services(&self) -> Result<Vec<Service>, StoreError> {
        let sql = format!("SELECT {SERVICE_COLUMNS} FROM services ORDER BY category_code, position, code");
        let mut services: Vec<Service> =
            sqlx::query(&sql).fetch_all(self.pool()).await?.iter().map(service_from_row).collect::<Result<_, _>>()?;
        let sites = sqlx::query(
            "SELECT x.service_code, s.code FROM site_services x JOIN sites s ON s.id = x.site_id ORDER BY s.code",
        )
        .fetch_all(self.pool())
        .await?;
        let times = sqlx::query(
            "SELECT service_code, weekday, start_time, capacity FROM timetables ORDER BY weekday, start_time",
        )
        .fetch_all(self.pool())
        .await?;
        let at: std::collections::HashMap<String, usize> =
            services.iter().enumerate().map(|(i, s)| (s.code.clone(), i)).collect();
        for row in &sites {
            if let Some(i) = at.get(&row.try_get::<String, _>("service_code")?) {
                services[*i].sites.push(row.try_get("code")?);
            }
        }
        for row in &times {
            if let Some(i) = at.get(&row.try_get::<String, _>("service_code")?) {
                let start: String = row.try_get("start_time")?;
                let minutes = services[*i].minutes;
                services[*i].timetable.push(Weekly {
                    weekday: weekday(row.try_get("weekday")?)?,
                    start: chrono::NaiveTime::parse_from_str(&start, "%H:%M").map_err(|e| corrupt("start time", e))?,
                    minutes,
                    capacity: small(row, "capacity")?.unwrap_or_default(),
                });
            }
        }
        Ok(services)
    }

    /// Whether a service with this code exists (a cheap check for a request's parameter).
    pub async fn service_exists(&self, code: &str) -> Result<bool, StoreError> {
        let row =
            sqlx::query("SELECT 1 AS x FROM services WHERE code = $1").bind(code).fetch_optional(self.pool()).await?;
        Ok(row.is_some())
    }

    /// One service, with its sites and timetable.
    pub async fn service(&self, code: &str) -> Result<Option<Service>, StoreError> {
        Ok(self.services().await?.into_iter().find(|s| s.code == code))
    }

    pub async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        let rows =
            sqlx::query("SELECT id, code, kind, name, name_en, region_code, address, hours FROM sites ORDER BY code")
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(site_from_row).collect()
    }

    /// Closes a site on a day (a holiday, a repair); slots not yet laid out skip it, and a
    /// booking for a slot on that day is refused.
    pub async fn close_site(
        &self,
        caller: &Caller,
        site_id: i64,
        day: chrono::NaiveDate,
        reason: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO site_closures (site_id, day, reason) VALUES ($1, $2, $3) \
             ON CONFLICT (site_id, day) DO UPDATE SET reason = excluded.reason",
        )
        .bind(site_id)
        .bind(day.to_string())
        .bind(reason)
        .execute(&mut *tx)
        .await?;
        let entry = AuditEntry::ok("booking.site.close", "site", site_id)
            .with_detail(json!({ "day": day.to_string(), "reason": reason }));
        self.audit_in(&mut tx, caller, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The days each site is closed, from `from` on.
    pub async fn closures(&self, from: chrono::NaiveDate) -> Result<Vec<(i64, chrono::NaiveDate)>, StoreError> {
        let rows = sqlx::query("SELECT site_id, day FROM site_closures WHERE day >= $1")
            .bind(from.to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let day: String = r.try_get("day")?;
                Ok((
                    r.try_get("site_id")?,
                    chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|e| corrupt("day", e))?,
                ))
            })
            .collect()
    }
}

/// One service's own fields (not its sites or timetable), read inside a transaction.
pub(super) async fn service_in(tx: &mut Tx, code: &str) -> Result<Option<Service>, StoreError> {
    let sql = format!("SELECT {SERVICE_COLUMNS} FROM services WHERE code = $1");
    sqlx::query(&sql).bind(code).fetch_optional(&mut **tx).await?.as_ref().map(service_from_row).transpose()
}

async fn save_service(tx: &mut Tx, s: &Service, now: i64) -> Result<(), StoreError> {
    let tags: Vec<&str> = s.rules.tags_any.iter().map(|t| t.as_str()).collect();
    sqlx::query(
        "INSERT INTO services (code, category_code, name, name_en, description, provider, home_visit, minutes, min_age, \
           registered_only, tags_any, care_level_min, per_day, per_month, price_fen, subsidy_fen, cancel_cutoff_minutes, \
           documents, active, position, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) \
         ON CONFLICT (code) DO UPDATE SET category_code = excluded.category_code, name = excluded.name, \
           name_en = excluded.name_en, description = excluded.description, provider = excluded.provider, \
           home_visit = excluded.home_visit, minutes = excluded.minutes, min_age = excluded.min_age, \
           registered_only = excluded.registered_only, tags_any = excluded.tags_any, \
           care_level_min = excluded.care_level_min, per_day = excluded.per_day, per_month = excluded.per_month, \
           price_fen = excluded.price_fen, subsidy_fen = excluded.subsidy_fen, \
           cancel_cutoff_minutes = excluded.cancel_cutoff_minutes, documents = excluded.documents, \
           active = excluded.active, position = excluded.position, updated_at = excluded.updated_at",
    )
    .bind(&s.code)
    .bind(&s.category)
    .bind(&s.name)
    .bind(&s.name_en)
    .bind(&s.description)
    .bind(&s.provider)
    .bind(s.home_visit)
    .bind(i64::from(s.minutes))
    .bind(s.rules.min_age.map(i64::from))
    .bind(s.rules.registered_only)
    .bind(tags.join(","))
    .bind(s.rules.care_level_min.map(i64::from))
    .bind(opt(s.rules.per_day))
    .bind(opt(s.rules.per_month))
    .bind(s.price_fen)
    .bind(s.subsidy_fen)
    .bind(s.cancel_cutoff_minutes)
    .bind(&s.documents)
    .bind(s.active)
    .bind(s.position)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM site_services WHERE service_code = $1").bind(&s.code).execute(&mut **tx).await?;
    for site in &s.sites {
        let done =
            sqlx::query("INSERT INTO site_services (site_id, service_code) SELECT id, $1 FROM sites WHERE code = $2")
                .bind(&s.code)
                .bind(site)
                .execute(&mut **tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { entity: "site", key: site.clone() });
        }
    }
    sqlx::query("DELETE FROM timetables WHERE service_code = $1").bind(&s.code).execute(&mut **tx).await?;
    for w in &s.timetable {
        sqlx::query("INSERT INTO timetables (service_code, weekday, start_time, capacity) VALUES ($1, $2, $3, $4)")
            .bind(&s.code)
            .bind(i64::from(w.weekday.number_from_monday()))
            .bind(w.start.format("%H:%M").to_string())
            .bind(i64::from(w.capacity))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
