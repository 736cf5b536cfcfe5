//! The demo's service door: the catalogue of [`crate::booking_catalog`] saved as sites,
//! categories and services, long-term-care assessment levels for some of the oldest
//! residents, slots laid out from two weeks back to four weeks ahead, a kiosk at the
//! elder-care centre, and the kiosk PIN [`KIOSK_PIN`] for a few elders ([`kiosk_pins`]).

use chrono::NaiveDate;
use rand::Rng;
use tongxin_core::booking::SiteKind;
use tongxin_core::booking::eligibility::Rules;
use tongxin_core::booking::pin::KioskPin;
use tongxin_core::booking::timetable::{Hours, Weekly};
use tongxin_core::geo::{RegionCode, RegionLevel};
use tongxin_core::pii::PiiCipher;
use tongxin_core::pii::id_number::IdNumber;
use tongxin_core::registry::Tag;
use tongxin_store::Store;
use tongxin_store::audit::Caller;
use tongxin_store::booking::catalog::{Category, NewSite, Service};
use tongxin_store::geo::RegionFilter;

use crate::DemoError;
use crate::booking_catalog::{CATEGORIES, SITES, ServiceSeed, Where, services as catalogue};

/// What [`seed_if_empty`] created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingSummary {
    pub categories: usize,
    pub services: usize,
    pub sites: usize,
    pub slots: usize,
    pub assessed: usize,
    /// Bookings of the past two weeks (checked in, no-shows, cancelled).
    pub past_bookings: usize,
    /// The kiosk at the first elder-care centre: its site and its key (shown once).
    pub kiosk: Option<(String, String)>,
    /// The elders who sign in there with [`KIOSK_PIN`]: (masked name, age, ID number),
    /// shown once like the key.
    pub kiosk_residents: Vec<(String, i32, String)>,
}

/// The kiosk PIN (终端口令) of the demo's [`KIOSK_ELDERS`] oldest residents of
/// [`KIOSK_GRID`].
pub const KIOSK_PIN: &str = "2580";
pub const KIOSK_ELDERS: usize = 3;
/// 景华居民区第一网格, gridworker1's grid.
pub const KIOSK_GRID: &str = "310106013001001";

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

/// Two weeks of history: each past slot filled to 40–90 % by eligible residents, through
/// every channel; most came, some did not, a few cancelled.
async fn past(
    store: &Store,
    caller: &Caller,
    rng: &mut impl Rng,
    services: &[Service],
    today: NaiveDate,
) -> Result<usize, DemoError> {
    use tongxin_core::booking::eligibility::Usage;
    use tongxin_core::booking::{BookingStatus, Channel};
    use tongxin_store::booking::past::PastBooking;
    let elders = store.elder_applicants(today - chrono::Days::new(60 * 365)).await?;
    if elders.is_empty() {
        return Ok(0);
    }
    let now = tongxin_core::time::Timestamp::now();
    let filter = tongxin_store::booking::slots::SlotFilter { until: Some(now), limit: 100_000, ..Default::default() };
    let mut past = Vec::new();
    for slot in store.slots(&filter).await? {
        let Some(service) = services.iter().find(|s| s.code == slot.service_code) else { continue };
        let day = tongxin_store::booking::shanghai_day(slot.starts_at);
        let want = (slot.capacity as f64 * rng.random_range(0.4..0.9)).round() as usize;
        let mut tries = 0;
        let mut taken = 0;
        while taken < want && tries < want * 20 {
            tries += 1;
            let (id, who) = &elders[rng.random_range(0..elders.len())];
            if service.rules.check(who, day, Usage::default()).is_err() {
                continue;
            }
            let channel = match rng.random_range(0..100) {
                0..35 => Channel::App,
                35..65 => Channel::Operator,
                65..90 => Channel::Kiosk,
                _ => Channel::Staff,
            };
            let status = match rng.random_range(0..100) {
                0..85 => BookingStatus::CheckedIn,
                85..95 => BookingStatus::NoShow,
                _ => BookingStatus::Cancelled,
            };
            past.push(PastBooking { slot_id: slot.id, resident_id: *id, channel, status });
            taken += 1;
        }
    }
    Ok(store.record_past_bookings(caller, &past).await?)
}

/// Saves the demo catalogue and lays out its slots when there are no services yet.
pub async fn seed_if_empty(
    store: &Store,
    pii: &PiiCipher,
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
    let services: Vec<Service> = catalogue().enumerate().map(|(i, s)| service(s, i)).collect();
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
    let past_bookings = past(store, &caller, rng, &services, today).await?;

    // A kiosk at the elder-care centre.
    let centre = store.sites().await?.into_iter().find(|s| s.kind == SiteKind::ElderCentre);
    let kiosk = match centre {
        Some(site) => {
            let name = format!("{}自助终端", site.name);
            let (key, secret) =
                store.create_api_key(&caller, &name, &[tongxin_core::access::ApiScope::Kiosk], None).await?;
            store.bind_kiosk(&caller, key.id, site.id).await?;
            Some((site.code, secret))
        }
        None => None,
    };
    let kiosk_residents = kiosk_pins(store, pii, &caller, today).await?;
    Ok(Some(BookingSummary {
        categories: categories.len(),
        services: services.len(),
        sites: sites.len(),
        slots,
        assessed: levels.len(),
        past_bookings,
        kiosk,
        kiosk_residents,
    }))
}

/// Gives [`KIOSK_PIN`] to the oldest living residents of [`KIOSK_GRID`] with an ID number
/// on record (skipping one whose number holds those digits, which the rules refuse):
/// (masked name, age, ID number) of each.
pub async fn kiosk_pins(
    store: &Store,
    pii: &PiiCipher,
    caller: &Caller,
    today: NaiveDate,
) -> Result<Vec<(String, i32, String)>, DemoError> {
    let everyone = tongxin_store::registry::RegistryScope { all: true, ..Default::default() };
    let filter = tongxin_store::registry::ResidentFilter {
        within: RegionCode::parse(KIOSK_GRID).ok(),
        limit: 5_000,
        ..Default::default()
    };
    let mut residents = store.residents(&everyone, &filter).await?;
    residents.sort_by_key(|r| (r.birth_date, r.id));
    let mut chosen = Vec::new();
    for r in residents {
        if chosen.len() == KIOSK_ELDERS {
            break;
        }
        let Some(sealed) = store.resident_sealed(r.id).await?.0 else { continue };
        let Some(id) = pii.open("resident_id", &sealed).ok().and_then(|n| IdNumber::parse(&n).ok()) else { continue };
        let Ok(pin) = KioskPin::parse(KIOSK_PIN, Some(&id)) else { continue };
        store.set_kiosk_pin(caller, r.id, &pin.hash()).await?;
        let masked: String = r.name.chars().take(1).chain("**".chars()).collect();
        chosen.push((masked, tongxin_core::registry::age(r.birth_date, today), id.expose().to_owned()));
    }
    Ok(chosen)
}
