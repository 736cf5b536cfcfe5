//! The site's pages for staff: the day sheet (`/booking/day`: who of the reader's residents
//! is coming to each slot of a site on a day, checked in at the desk; others only
//! counted), slot administration on the same sheet for
//! `booking.manage` (block a slot, change its seats — never below those booked), and the
//! statistics (`/booking/stats`); and the public catalogue (`/services`).

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tongxin_app::booking::{booking_in_reach, may_read_stats, period};
use tongxin_core::access::Permission;
use tongxin_core::booking::BookingStatus;
use tongxin_core::time::Timestamp;
use tongxin_store::booking::slots::SlotFilter;
use tongxin_store::booking::stats::BookingStats;

use super::BookingLine;
use crate::auth::{MaybeCaller, PageCaller};
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::Params;
use crate::{ApiError, App};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/booking/day", get(day))
        .route("/booking/day/check-in", post(check_in))
        .route("/booking/slots/{id}", post(change_slot))
        .route("/booking/stats", get(stats))
        .route("/services", get(catalog))
}

/// A slot on the day sheet, with who is coming.
pub struct SheetSlot {
    pub id: i64,
    pub time: String,
    pub service: String,
    pub capacity: i64,
    pub booked: i64,
    pub blocked: bool,
    pub waitlisted: i64,
    pub people: Vec<(BookingLine, String, bool)>,
    /// How many bookings are of residents outside the reader's regions (counted, never
    /// named), in words; none when there are none.
    pub elsewhere: Option<String>,
}

#[derive(Template)]
#[template(path = "booking/day.html")]
struct DayPage {
    page: PageContext,
    sites: Vec<(String, String)>,
    site: String,
    date: String,
    slots: Vec<SheetSlot>,
    can_manage: bool,
    message: Option<String>,
    error: Option<String>,
}

fn hm(t: Timestamp) -> String {
    t.to_utc().with_timezone(&tongxin_core::time::SHANGHAI).format("%H:%M").to_string()
}

async fn day(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let shown = async {
        who.require(&app, Permission::BookingBook).await?;
        let today = tongxin_store::booking::shanghai_day(Timestamp::now());
        let all = app.store.sites().await?;
        let mut sites: Vec<(String, String)> = all.iter().map(|s| (s.code.clone(), s.name.clone())).collect();
        sites.push(("home".into(), lang.catalog().get("booking.home_visit").to_owned()));
        let site = params.get("site").filter(|s| sites.iter().any(|x| x.0 == *s)).unwrap_or(&sites[0].0).to_owned();
        let date =
            params.get("date").and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).unwrap_or(today);
        let from = tongxin_core::booking::timetable::at(date, chrono::NaiveTime::MIN);
        let site_id = all.iter().find(|s| s.code == site).map(|s| s.id);
        let filter = SlotFilter {
            service: None,
            site: site_id,
            from: Some(from),
            until: Some(Timestamp::from_millis(from.millis() + 86_400_000)),
            limit: 500,
        };
        let mut slots = Vec::new();
        for s in app.store.slots(&filter).await?.into_iter().filter(|s| site_id.is_some() || s.site_id.is_none()) {
            let (people, elsewhere) = sheet_people(&app, &who, s.id, date, today, lang).await?;
            slots.push(SheetSlot {
                id: s.id,
                time: format!("{}–{}", hm(s.starts_at), hm(s.ends_at)),
                service: s.service_name.clone(),
                capacity: s.capacity,
                booked: s.booked,
                blocked: s.blocked,
                waitlisted: s.waitlisted,
                people,
                elsewhere: (elsewhere > 0).then(|| lang.catalog().fmt("booking.elsewhere", &[("n", &elsewhere)])),
            });
        }
        let page = DayPage {
            page: PageContext::new(lang, &uri, Some(&who)),
            sites,
            site,
            date: date.to_string(),
            slots,
            can_manage: who.actor.can(Permission::BookingManage),
            message: params.get("message").filter(|m| !m.is_empty()).map(str::to_owned),
            error: params.get("error").filter(|m| !m.is_empty()).map(str::to_owned),
        };
        Ok::<_, ApiError>(render(&page).into_response())
    }
    .await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

/// Who is booked on slot `slot`: the residents `who` covers (the same rule as the API's
/// 404), each with their age on `date` and whether they may be checked in now, and how
/// many others there are. A site serves several grids; a grid's staff see only their own
/// residents' names and ages on its sheet.
async fn sheet_people(
    app: &App,
    who: &PageCaller,
    slot: i64,
    date: chrono::NaiveDate,
    today: chrono::NaiveDate,
    lang: Lang,
) -> Result<(Vec<(BookingLine, String, bool)>, usize), ApiError> {
    let (mut people, mut elsewhere) = (Vec::new(), 0);
    for b in app.store.bookings_on(slot).await? {
        if b.status == BookingStatus::Cancelled {
            continue;
        }
        let Some((applicant, region)) = app.store.applicant(b.resident_id).await? else { continue };
        if !who.actor.covers(&region) {
            elsewhere += 1;
            continue;
        }
        let can_check_in = b.status == BookingStatus::Confirmed && date == today;
        let age = tongxin_core::registry::age(applicant.birth_date, date).to_string();
        people.push((BookingLine::new(&b, lang), age, can_check_in));
    }
    Ok((people, elsewhere))
}

fn back_to_day(site: &str, date: &str, what: &str, text: &str) -> Redirect {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    Redirect::to(&format!("/booking/day?site={}&date={}&{what}={}", enc(site), enc(date), enc(text)))
}

async fn check_in(State(app): State<App>, lang: Lang, who: PageCaller, FormParams(form): FormParams) -> Response {
    let done = async {
        let booking = booking_in_reach(&app, &who, form.require("booking")?).await?;
        let booking = app.store.check_in(&who.caller(), booking.id).await?;
        Ok::<_, ApiError>(format!(
            "{}：{} · {}",
            lang.catalog().get("kiosk.checked_in"),
            booking.resident_name,
            booking.service_name
        ))
    }
    .await;
    let (site, date) = (form.raw("site"), form.raw("date"));
    match done {
        Ok(m) => back_to_day(site, date, "message", &m).into_response(),
        Err(e @ (ApiError::Forbidden { .. } | ApiError::Internal(_))) => PageError::from_api(lang, e).into_response(),
        Err(e) => back_to_day(site, date, "error", &crate::pages::booking::shown(lang, &e)).into_response(),
    }
}

async fn change_slot(
    State(app): State<App>,
    lang: Lang,
    who: PageCaller,
    Path(raw): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let done = async {
        who.require(&app, Permission::BookingManage).await?;
        let id = crate::params::id_param(&raw)?;
        let capacity =
            match form.raw("capacity").trim() {
                "" => None,
                text => Some(text.parse::<i64>().ok().filter(|c| (0..=10_000).contains(c)).ok_or_else(|| {
                    ApiError::invalid("capacity", format!("「{text}」不是名额数（0 到 10000 的整数）"))
                })?),
            };
        let blocked = form.get("blocked").map(|b| b == "1");
        app.store.change_slot(&who.caller(), id, capacity, blocked).await?;
        let promoted = app.store.promote_waitlist(&who.caller(), id).await?;
        Ok::<_, ApiError>(format!(
            "{}{}",
            lang.catalog().get("booking.slot_saved"),
            if promoted.is_empty() {
                String::new()
            } else {
                format!("（{} {}）", lang.catalog().get("booking.promoted"), promoted.len())
            }
        ))
    }
    .await;
    let (site, date) = (form.raw("site"), form.raw("date"));
    match done {
        Ok(m) => back_to_day(site, date, "message", &m).into_response(),
        Err(e @ (ApiError::Forbidden { .. } | ApiError::Internal(_))) => PageError::from_api(lang, e).into_response(),
        Err(e) => back_to_day(site, date, "error", &crate::pages::booking::shown(lang, &e)).into_response(),
    }
}

#[derive(Template)]
#[template(path = "booking/stats.html")]
struct StatsPage {
    page: PageContext,
    stats: BookingStats,
    tables: Vec<(&'static str, Vec<(String, i64)>)>,
    utilisation: String,
    no_show_rate: String,
}

async fn stats(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let shown = async {
        may_read_stats(&app, &who).await?;
        let (from, to) = period(&params)?;
        let stats = app.store.booking_stats(&tongxin_app::registry::scope(&who), from, to).await?;
        let sorted = |m: &std::collections::BTreeMap<String, i64>| {
            let mut v: Vec<(String, i64)> = m.iter().map(|(k, n)| (k.clone(), *n)).collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            v
        };
        let mut by_age: Vec<(String, i64)> = stats.by_age.iter().map(|(k, n)| (k.clone(), *n)).collect();
        by_age.sort_by_key(|(k, _)| match k.as_str() {
            "60 以下" => 0,
            "60–69" => 1,
            "70–79" => 2,
            "80–89" => 3,
            _ => 4,
        });
        let t = lang.catalog();
        let named = |rows: Vec<(String, i64)>| -> Vec<(String, i64)> {
            rows.into_iter().map(|(k, n)| (stats_label(t, &k).map_or(k, str::to_owned), n)).collect()
        };
        let tables = vec![
            ("booking.by_category", sorted(&stats.by_category)),
            ("booking.by_channel", named(sorted(&stats.by_channel))),
            ("booking.by_age", named(by_age)),
            ("booking.by_site", named(sorted(&stats.by_site))),
            ("booking.by_service", sorted(&stats.by_service)),
        ];
        let page = StatsPage {
            page: PageContext::new(lang, &uri, Some(&who)),
            utilisation: format!("{:.1}%", stats.utilisation * 100.0),
            no_show_rate: format!("{:.1}%", stats.no_show_rate * 100.0),
            tables,
            stats,
        };
        Ok::<_, ApiError>(render(&page).into_response())
    }
    .await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

/// The reader's name for a row the statistics label in Chinese: a channel, an age band,
/// home visits (no site). Other rows (categories, services, sites) are names from the data.
fn stats_label(t: &'static crate::i18n::Catalog, key: &str) -> Option<&'static str> {
    let band = match key {
        "60 以下" => Some("d14_booking.age_under_60"),
        "60–69" => Some("d14_booking.age_60s"),
        "70–79" => Some("d14_booking.age_70s"),
        "80–89" => Some("d14_booking.age_80s"),
        "90 以上" => Some("d14_booking.age_90_plus"),
        "上门服务" => Some("d14_booking.home_visit"),
        _ => None,
    };
    match band {
        Some(k) => Some(t.get(k)),
        None => key.parse::<tongxin_core::booking::Channel>().ok().map(|c| t.term(c.term_key())),
    }
}

/// A service as the public catalogue shows it.
pub struct CatalogEntry {
    pub name: String,
    pub description: String,
    pub provider: String,
    pub place: String,
    pub price: String,
    pub who: String,
    pub documents: String,
}

#[derive(Template)]
#[template(path = "booking/catalog.html")]
struct CatalogPage {
    page: PageContext,
    categories: Vec<(String, Vec<CatalogEntry>)>,
    signed_in_resident: bool,
}

async fn catalog(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    MaybeCaller(who): MaybeCaller,
) -> Response {
    let shown = async {
        let services = app.store.services().await?;
        let sites = app.store.sites().await?;
        let t = lang.catalog();
        let categories = app
            .store
            .service_categories()
            .await?
            .into_iter()
            .map(|c| {
                let entries = services
                    .iter()
                    .filter(|s| s.category == c.code && s.active)
                    .map(|s| CatalogEntry {
                        name: s.name.clone(),
                        description: s.description.clone(),
                        provider: s.provider.clone(),
                        place: if s.home_visit {
                            t.get("booking.home_visit").to_owned()
                        } else {
                            sites
                                .iter()
                                .filter(|x| s.sites.contains(&x.code))
                                .map(|x| x.name.clone())
                                .collect::<Vec<_>>()
                                .join("、")
                        },
                        price: super::price(lang, s.price_fen, s.subsidy_fen),
                        who: super::who_may(lang, &s.rules),
                        documents: s.documents.clone(),
                    })
                    .collect();
                (c.name, entries)
            })
            .collect();
        let resident = who.as_ref().is_some_and(|w| w.actor.kind == tongxin_core::access::ActorKind::Resident);
        let page =
            CatalogPage { page: PageContext::new(lang, &uri, who.as_ref()), categories, signed_in_resident: resident };
        Ok::<_, ApiError>(render(&page).into_response())
    }
    .await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}
