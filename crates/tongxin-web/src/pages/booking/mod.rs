//! The service door's pages: the operator console (坐席, one screen usable during a call),
//! and what every channel shares — a resident's eligibility per service, the free slots
//! of a service on a day, and a booking's line in a list.

use axum::Router;
use tongxin_core::booking::eligibility::{Applicant, Usage};
use tongxin_core::time::Timestamp;
use tongxin_store::booking::book::Booking;
use tongxin_store::booking::catalog::{Category, Service};
use tongxin_store::booking::slots::{Slot, SlotFilter};

use crate::{ApiError, App};

mod admin;
mod catalog_admin;
mod console;
mod console_card;
mod days;
mod facts;
mod kiosk;
mod kiosk_pin;
mod kiosk_sign_in;
mod kiosk_view;
mod mine;
mod mine_confirm;

pub fn routes() -> Router<App> {
    Router::new()
        .merge(admin::routes())
        .merge(catalog_admin::routes())
        .merge(console::routes())
        .merge(mine::routes())
        .merge(kiosk::routes())
        .merge(kiosk_pin::routes())
}

/// A service as a list of choices shows it: eligible or not (and why), chosen or not.
pub struct ServiceChoice {
    pub code: String,
    pub name: String,
    pub eligible: bool,
    /// Why not, in Chinese.
    pub reason: String,
    pub chosen: bool,
}

/// A category and its services, the eligible ones first.
pub struct CategoryChoices {
    pub name: String,
    pub services: Vec<ServiceChoice>,
}

/// The catalogue for `who`: each service eligible or not today (the per-day and
/// per-month limits are checked when a slot is chosen).
pub fn choices(
    categories: &[Category],
    services: &[Service],
    who: Option<&Applicant>,
    chosen: Option<&str>,
    lang: crate::i18n::Lang,
) -> Vec<CategoryChoices> {
    let today = tongxin_store::booking::shanghai_day(Timestamp::now());
    categories
        .iter()
        .map(|c| {
            let mut list: Vec<ServiceChoice> = services
                .iter()
                .filter(|s| s.category == c.code && s.active)
                .map(|s| {
                    let refusal = who.and_then(|a| s.rules.check(a, today, Usage::default()).err());
                    ServiceChoice {
                        code: s.code.clone(),
                        name: s.name.clone(),
                        eligible: refusal.is_none(),
                        reason: refusal
                            .map(|r| if lang == crate::i18n::Lang::En { r.en() } else { r.zh() })
                            .unwrap_or_default(),
                        chosen: chosen == Some(s.code.as_str()),
                    }
                })
                .collect();
            list.sort_by_key(|s| !s.eligible);
            CategoryChoices { name: c.name.clone(), services: list }
        })
        .filter(|c| !c.services.is_empty())
        .collect()
}

/// A price and its subsidy in the page's language: 15.00 元（补贴 5.00 元）.
pub fn price(lang: crate::i18n::Lang, price_fen: i64, subsidy_fen: i64) -> String {
    let yuan = |fen: i64| format!("{}.{:02}", fen / 100, fen % 100);
    match lang {
        crate::i18n::Lang::En => format!("¥{} (subsidy ¥{})", yuan(price_fen), yuan(subsidy_fen)),
        crate::i18n::Lang::ZhCn => format!("{} 元（补贴 {} 元）", yuan(price_fen), yuan(subsidy_fen)),
    }
}

/// A service's rules in words, in the page's language.
pub fn who_may(lang: crate::i18n::Lang, rules: &tongxin_core::booking::eligibility::Rules) -> String {
    let en = lang == crate::i18n::Lang::En;
    let mut parts = Vec::new();
    if let Some(a) = rules.min_age {
        parts.push(if en { format!("aged {a} and over") } else { format!("{a} 周岁以上") });
    }
    if !rules.tags_any.is_empty() {
        let names: Vec<&str> = rules.tags_any.iter().map(|t| lang.catalog().term(t.term_key())).collect();
        parts.push(names.join(if en { " or " } else { "、" }));
    }
    if let Some(l) = rules.care_level_min {
        parts.push(if en {
            format!("long-term-care level {l} or above")
        } else {
            format!("长护险评估 {l} 级以上")
        });
    }
    if rules.registered_only {
        parts.push(if en { "residents of the subdistrict".into() } else { "本街道居民".into() });
    }
    if let Some(n) = rules.per_day {
        parts.push(if en { format!("at most {n} a day") } else { format!("每天最多 {n} 次") });
    }
    if let Some(n) = rules.per_month {
        parts.push(if en { format!("at most {n} a month") } else { format!("每月最多 {n} 次") });
    }
    match (parts.is_empty(), en) {
        (true, true) => "every resident".into(),
        (true, false) => "所有居民".into(),
        (false, true) => parts.join("; "),
        (false, false) => parts.join("；"),
    }
}

/// A slot as a list shows it.
pub struct SlotLine {
    pub id: i64,
    /// 09:00–09:30
    pub time: String,
    pub site: String,
    pub free: i64,
    pub capacity: i64,
    pub waitlisted: i64,
    pub full: bool,
}

fn hm(t: Timestamp) -> String {
    t.to_utc().with_timezone(&tongxin_core::time::SHANGHAI).format("%H:%M").to_string()
}

impl SlotLine {
    fn new(s: &Slot, home_visit: &str) -> Self {
        Self {
            id: s.id,
            time: format!("{}–{}", hm(s.starts_at), hm(s.ends_at)),
            site: s.site_name.clone().unwrap_or_else(|| home_visit.to_owned()),
            free: s.free(),
            capacity: s.capacity,
            waitlisted: s.waitlisted,
            full: s.free() == 0,
        }
    }
}

/// The bookable slots of `service` on `day` (those not started and not blocked).
pub async fn open_slots(
    app: &App,
    service: &str,
    day: chrono::NaiveDate,
    home_visit: &str,
) -> Result<Vec<SlotLine>, ApiError> {
    let from = tongxin_core::booking::timetable::at(day, chrono::NaiveTime::MIN);
    let filter = SlotFilter {
        service: Some(service.to_owned()),
        site: None,
        from: Some(Timestamp::from_millis(from.millis().max(Timestamp::now().millis()))),
        until: Some(Timestamp::from_millis(from.millis() + 86_400_000)),
        limit: 200,
    };
    Ok(app.store.slots(&filter).await?.iter().filter(|s| !s.blocked).map(|s| SlotLine::new(s, home_visit)).collect())
}

/// A booking as a list shows it.
pub struct BookingLine {
    pub id: i64,
    pub service_code: String,
    pub service: String,
    /// The slot's day, 2026-12-07.
    pub day: String,
    pub site: String,
    /// 12月1日 周二 09:00–09:30
    pub when: String,
    pub status: &'static str,
    pub channel: &'static str,
    pub booked_by: String,
    pub resident: String,
    pub live: bool,
}

impl BookingLine {
    pub fn new(b: &Booking, lang: crate::i18n::Lang) -> Self {
        let t = lang.catalog();
        let day = b.starts_at.to_utc().with_timezone(&tongxin_core::time::SHANGHAI);
        let weekday = t.get(
            ["wd.1", "wd.2", "wd.3", "wd.4", "wd.5", "wd.6", "wd.7"]
                [day.format("%u").to_string().parse::<usize>().unwrap_or(1) - 1],
        );
        Self {
            id: b.id,
            service_code: b.service_code.clone(),
            service: b.service_name.clone(),
            day: day.format("%Y-%m-%d").to_string(),
            site: b.site_name.clone().unwrap_or_else(|| t.get("booking.home_visit").to_owned()),
            when: format!("{} {weekday} {}–{}", day.format("%Y-%m-%d"), hm(b.starts_at), hm(b.ends_at)),
            status: t.term(b.status.term_key()),
            channel: t.term(b.channel.term_key()),
            booked_by: b.actor_name.clone(),
            resident: b.resident_name.clone(),
            live: matches!(
                b.status,
                tongxin_core::booking::BookingStatus::Confirmed | tongxin_core::booking::BookingStatus::Waitlisted
            ),
        }
    }
}

/// The next `n` days from today, each (date, label), for a day picker.
pub fn next_days(lang: crate::i18n::Lang, n: u64) -> Vec<(String, String)> {
    let t = lang.catalog();
    let today = tongxin_store::booking::shanghai_day(Timestamp::now());
    (0..n)
        .map(|i| {
            let d = today + chrono::Days::new(i);
            let wd = t.get(
                ["wd.1", "wd.2", "wd.3", "wd.4", "wd.5", "wd.6", "wd.7"]
                    [d.format("%u").to_string().parse::<usize>().unwrap_or(1) - 1],
            );
            (d.to_string(), format!("{} {wd}", d.format("%m-%d")))
        })
        .collect()
}

/// What a page shows of a refusal: the English reason on English pages when there is one,
/// the Chinese message otherwise.
pub fn shown<E: Clone + Into<crate::ApiError>>(lang: crate::i18n::Lang, e: &E) -> String {
    let e: crate::ApiError = e.clone().into();
    if lang == crate::i18n::Lang::En
        && let crate::ApiError::Unprocessable { details, .. } = &e
        && let Some(en) = details["reason_en"].as_str()
    {
        return en.to_owned();
    }
    e.message()
}
