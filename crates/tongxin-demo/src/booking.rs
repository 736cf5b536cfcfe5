//! The demo's service door: the catalogue of [`crate::booking_catalog`] saved as sites,
//! categories and services, long-term-care assessment levels for some of the oldest
//! residents, and slots laid out from two weeks back to four weeks ahead.

use chrono::NaiveDate;
use rand::Rng;
use tongxin_core::booking::SiteKind;
use tongxin_core::booking::eligibility::Rules;
use tongxin_core::booking::timetable::{Hours, Weekly};
use tongxin_core::geo::{RegionCode, RegionLevel};
use tongxin_core::registry::Tag;
use tongxin_store::Store;
use tongxin_store::audit::Caller;
use tongxin_store::booking::catalog::{Category, NewSite, Service};
use tongxin_store::geo::RegionFilter;

use crate::DemoError;
use crate::booking_catalog::{CATEGORIES, SERVICES, SITES, ServiceSeed, Where};

/// What [`seed_if_empty`] created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingSummary {
    pub categories: usize,
    pub services: usize,
    pub sites: usize,
    pub slots: usize,
    pub assessed: usize,
}

/// Days of slots laid out before and after today.
const PAST_DAYS: u64 = 14;
const AHEAD_DAYS: u64 = 28;

fn service(seed: &ServiceSeed, position: usize) -> Service {
    let sites: Vec<String> = match seed.place {
        Where::HomeVisit => Vec::new(),
        Where::Sites(kinds) => SITES.iter().filter(|s| kinds.contains(&s.kind)).map(|s| s.code.to_owned()).collect(),
    };
    let timetable = seed
        .timetable
        .iter()
        .map(|(day, start)| Weekly {
            weekday: chrono::Weekday::try_from(day - 1).expect("the catalogue's weekdays are 1 to 7"),
            start: chrono::NaiveTime::parse_from_str(start, "%H:%M").expect("the catalogue's times are HH:MM"),
            minutes: u32::from(seed.minutes),
            capacity: u32::from(seed.capacity),
        })
        .collect();
    Service {
        code: seed.code.into(),
        category: seed.category.into(),
        name: seed.zh.into(),
        name_en: seed.en.into(),
        description: seed.description.into(),
        provider: seed.provider.into(),
        home_visit: seed.place == Where::HomeVisit,
        minutes: u32::from(seed.minutes),
        rules: Rules {
            min_age: seed.min_age,
            registered_only: seed.registered_only,
            tags_any: seed.tags_any.iter().map(|t| t.parse::<Tag>().expect("the catalogue's tags are known")).collect(),
            care_level_min: seed.care_level_min,
            per_day: seed.per_day.map(u32::from),
            per_month: seed.per_month.map(u32::from),
        },
        price_fen: i64::from(seed.price_fen),
        subsidy_fen: i64::from(seed.subsidy_fen),
        cancel_cutoff_minutes: i64::from(seed.cancel_cutoff_hours) * 60,
        documents: seed.documents.into(),
        active: true,
        position: position as i64,
        sites,
        timetable,
    }
}

/// Saves the demo catalogue and lays out its slots when there are no services yet.
pub async fn seed_if_empty(
    store: &Store,
    rng: &mut impl Rng,
    today: NaiveDate,
) -> Result<Option<BookingSummary>, DemoError> {
    if !store.services().await?.is_empty() {
        return Ok(None);
    }
    let caller = Caller::system("demo");
    // Sites stand in the communities, one after another.
    let communities: Vec<RegionCode> = store
        .regions(&RegionFilter { level: Some(RegionLevel::Community), ..Default::default() })
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    let sites: Vec<NewSite> = SITES
        .iter()
        .enumerate()
        .filter(|_| !communities.is_empty())
        .map(|(i, s)| NewSite {
            code: s.code.into(),
            kind: s.kind.parse::<SiteKind>().expect("the catalogue's site kinds are known"),
            name: s.zh.into(),
            name_en: s.en.into(),
            region: communities[i % communities.len()].clone(),
            address: s.address.into(),
            hours: Hours::parse(&s.hours).expect("the catalogue's hours read"),
        })
        .collect();
    let categories: Vec<Category> = CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, c)| Category { code: c.code.into(), name: c.zh.into(), name_en: c.en.into(), position: i as i64 })
        .collect();
    let services: Vec<Service> = SERVICES.iter().enumerate().map(|(i, s)| service(s, i)).collect();
    let services: Vec<Service> = services.into_iter().filter(|s| s.home_visit || !sites.is_empty()).collect::<Vec<_>>();
    store.save_catalog(&caller, &categories, &sites, &services).await?;

    // Long-term-care assessments: about one in four residents over 75 has a level.
    let elders = store.residents_born_before(today - chrono::Duration::days(75 * 365)).await?;
    let mut levels: Vec<(i64, u8)> = Vec::new();
    for id in elders {
        if rng.random_bool(0.25) {
            levels.push((id, rng.random_range(1..=6)));
        }
    }
    store.set_care_levels(&caller, &levels).await?;

    let from = today - chrono::Days::new(PAST_DAYS);
    let slots = store.lay_out_slots(&caller, from, today + chrono::Days::new(AHEAD_DAYS)).await?;
    Ok(Some(BookingSummary {
        categories: categories.len(),
        services: services.len(),
        sites: sites.len(),
        slots,
        assessed: levels.len(),
    }))
}
