//! Days as every channel offers them once a service is chosen: each date with its
//! availability (open seats, full, or no slots), labelled with its weekday (12月7日 周一),
//! and, for a day with no seat, the next date that has one — a clinic held on Mondays
//! only offers the coming Monday when a Tuesday is picked.

use chrono::NaiveDate;
use tongxin_core::time::Timestamp;
use tongxin_store::booking::shanghai_day;
use tongxin_store::booking::slots::{Slot, SlotFilter};

use crate::i18n::Lang;
use crate::{ApiError, App};

/// How far past a day without seats the next open date is looked for.
const LOOK_AHEAD_DAYS: u64 = 35;

/// A date to choose, with its availability.
pub struct DayChoice {
    /// 2026-12-07
    pub date: String,
    /// 12月7日 周一
    pub label: String,
    /// `open`, `full` or `none`: the CSS class and the legend's key.
    pub state: &'static str,
    /// 余 5 / 已满，可候补 / 无时段
    pub note: String,
    pub chosen: bool,
}

/// 12月7日 周一 (Dec 7 Mon in English).
pub fn day_label(lang: Lang, day: NaiveDate) -> String {
    let t = lang.catalog();
    let weekday = t.get(
        ["wd.1", "wd.2", "wd.3", "wd.4", "wd.5", "wd.6", "wd.7"]
            [day.format("%u").to_string().parse::<usize>().unwrap_or(1) - 1],
    );
    match lang {
        Lang::En => format!("{} {weekday}", day.format("%b %-d")),
        Lang::ZhCn => format!("{} {weekday}", day.format("%-m月%-d日")),
    }
}

/// The bookable slots (not started, not blocked) of `service` on the days `from..from+n`,
/// at the site named `site_name` when given.
async fn slots_between(
    app: &App,
    service: &str,
    from: NaiveDate,
    n: u64,
    site_name: Option<&str>,
) -> Result<Vec<Slot>, ApiError> {
    let start = tongxin_core::booking::timetable::at(from, chrono::NaiveTime::MIN).millis();
    let filter = SlotFilter {
        service: Some(service.to_owned()),
        site: None,
        from: Some(Timestamp::from_millis(start.max(Timestamp::now().millis()))),
        until: Some(Timestamp::from_millis(start + i64::try_from(n).unwrap_or(0) * 86_400_000)),
        limit: 2000,
    };
    Ok(app
        .store
        .slots(&filter)
        .await?
        .into_iter()
        .filter(|s| !s.blocked && site_name.is_none_or(|n| s.site_name.as_deref() == Some(n)))
        .collect())
}

/// `n` days from `from`, each with its seats for `service`.
pub async fn days_with_seats(
    app: &App,
    lang: Lang,
    service: &str,
    (from, n): (NaiveDate, u64),
    site_name: Option<&str>,
    chosen: Option<NaiveDate>,
) -> Result<Vec<DayChoice>, ApiError> {
    let t = lang.catalog();
    let slots = slots_between(app, service, from, n, site_name).await?;
    Ok((0..n)
        .map(|i| {
            let day = from + chrono::Days::new(i);
            let on_day: Vec<&Slot> = slots.iter().filter(|s| shanghai_day(s.starts_at) == day).collect();
            let free: i64 = on_day.iter().map(|s| s.free()).sum();
            let (state, note) = match (on_day.is_empty(), free) {
                (true, _) => ("none", t.get("b14_days.none").to_owned()),
                (false, 0) => ("full", t.get("b14_days.full").to_owned()),
                (false, n) => ("open", t.fmt("b14_days.open", &[("n", &n)])),
            };
            DayChoice { date: day.to_string(), label: day_label(lang, day), state, note, chosen: chosen == Some(day) }
        })
        .collect())
}

/// The first day after `day` with a free seat of `service` (at `site_name` when given).
pub async fn next_open(
    app: &App,
    service: &str,
    day: NaiveDate,
    site_name: Option<&str>,
) -> Result<Option<NaiveDate>, ApiError> {
    let after = day + chrono::Days::new(1);
    let slots = slots_between(app, service, after, LOOK_AHEAD_DAYS, site_name).await?;
    Ok(slots.iter().filter(|s| s.free() > 0).map(|s| shanghai_day(s.starts_at)).min())
}

/// The first day from `day` on with a free seat (`day` itself when it has one).
pub async fn first_open(
    app: &App,
    service: &str,
    day: NaiveDate,
    site_name: Option<&str>,
) -> Result<Option<NaiveDate>, ApiError> {
    let slots = slots_between(app, service, day, LOOK_AHEAD_DAYS, site_name).await?;
    Ok(slots.iter().filter(|s| s.free() > 0).map(|s| shanghai_day(s.starts_at)).min())
}

/// The next open date as a choice to offer, when `day` has no free seat: (date, label).
pub async fn offer_next(
    app: &App,
    lang: Lang,
    service: &str,
    day: NaiveDate,
    site_name: Option<&str>,
    slots_free: i64,
) -> Result<Option<(String, String)>, ApiError> {
    if slots_free > 0 {
        return Ok(None);
    }
    Ok(next_open(app, service, day, site_name).await?.map(|d| (d.to_string(), day_label(lang, d))))
}

/// How many days from `today` a picker shows: at least `min`, and far enough to hold
/// `day` (a next open date can lie past the usual fortnight).
pub fn span(today: NaiveDate, day: Option<NaiveDate>, min: u64) -> u64 {
    day.map_or(min, |d| min.max((d - today).num_days().max(0).unsigned_abs() + 1))
}
