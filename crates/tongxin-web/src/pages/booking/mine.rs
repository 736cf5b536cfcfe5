//! The resident's phone pages (手机预约): `/me/bookings` — the people they may book for
//! (themselves, and elders who linked their phone) with their bookings — and `/me/book`,
//! three taps: a service, a day, a time. Booked through the same function as every
//! channel, recorded as `app`. `/me/kiosk-code` shows a one-time QR code to sign in at a
//! kiosk; the kiosk PIN is set at `/me/kiosk-pin` ([`super::kiosk_pin`]).

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tongxin_app::booking::{BookingBody, book, booking_in_reach};
use tongxin_core::access::ActorKind;
use tongxin_core::booking::eligibility::{Applicant, Refusal, Usage};
use tongxin_core::time::Timestamp;
use tongxin_store::booking::catalog::Service;
use tongxin_store::booking::people::Person;

use super::days::{DayChoice, days_with_seats, offer_next, span};
use super::{BookingLine, CategoryChoices, SlotLine, choices, open_slots};
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::Params;
use crate::{ApiError, App};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/me/bookings", get(bookings))
        .route("/me/bookings/{id}/cancel", get(super::mine_confirm::cancelling).post(cancel))
        .route("/me/book", get(choose).post(book_slot))
        .route("/me/book/confirm", get(super::mine_confirm::booking))
        .route("/me/kiosk-code", get(kiosk_code))
}

/// The people the signed-in resident may book for; staff get the same 404 as no one.
pub(super) async fn people(app: &App, who: &PageCaller) -> Result<Vec<Person>, ApiError> {
    if who.actor.kind != ActorKind::Resident {
        return Err(ApiError::not_found("these pages are for residents signed in with their phone"));
    }
    Ok(app.store.bookable_people(who.actor.id).await?)
}

pub struct PersonBookings {
    pub person: Person,
    pub bookings: Vec<BookingLine>,
}

#[derive(Template)]
#[template(path = "booking/mine.html")]
struct MinePage {
    page: PageContext,
    people: Vec<PersonBookings>,
    done: Option<String>,
    error: Option<String>,
}

async fn bookings(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let shown = async {
        let mut list = Vec::new();
        for person in people(&app, &who).await? {
            let upcoming = app.store.upcoming_bookings(person.resident_id, Timestamp::now()).await?;
            let bookings = upcoming
                .iter()
                .filter(|b| b.status != tongxin_core::booking::BookingStatus::Cancelled)
                .map(|b| BookingLine::new(b, lang))
                .collect();
            list.push(PersonBookings { person, bookings });
        }
        let t = lang.catalog();
        let mut done = None;
        for (param, key) in [("done", "booking.done"), ("cancelled", "booking.cancelled")] {
            if let Some(id) = params.parse::<i64>(param)?
                && let Ok(b) = booking_in_reach(&app, &who, id).await
            {
                let line = BookingLine::new(&b, lang);
                done = Some(format!("{}：{} · {} · {}", t.get(key), line.service, line.site, line.when));
            }
        }
        let page = MinePage {
            page: PageContext::new(lang, &uri, Some(&who)),
            people: list,
            done,
            error: params.get("error").filter(|e| !e.is_empty()).map(str::to_owned),
        };
        Ok::<_, ApiError>(render(&page).into_response())
    }
    .await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

async fn cancel(State(app): State<App>, lang: Lang, who: PageCaller, Path(raw): Path<String>) -> Response {
    let done = async {
        let booking = booking_in_reach(&app, &who, crate::params::id_param(&raw)?).await?;
        app.store.cancel_booking(&who.caller(), booking.id).await?;
        Ok::<_, ApiError>(booking.id)
    }
    .await;
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    match done {
        Ok(id) => Redirect::to(&format!("/me/bookings?cancelled={id}")).into_response(),
        Err(e @ ApiError::NotFound { .. }) => PageError::from_api(lang, e).into_response(),
        Err(e) => Redirect::to(&format!("/me/bookings?error={}", enc(&crate::pages::booking::shown(lang, &e))))
            .into_response(),
    }
}

#[derive(Template)]
#[template(path = "booking/book.html")]
struct BookPage {
    page: PageContext,
    person: Person,
    /// The services `person` may book, by category.
    categories: Vec<CategoryChoices>,
    /// The others, each with why not, folded away under one line.
    refused: Vec<(String, String)>,
    refused_summary: String,
    /// Eligible for nothing: why, in one line.
    nothing: Option<String>,
    service: Option<(String, String, String)>,
    days: Vec<DayChoice>,
    date: Option<String>,
    slots: Vec<SlotLine>,
    /// A day without a free seat offers the next one: (date, label).
    next: Option<(String, String)>,
    error: Option<String>,
}

/// Why `applicant` may book none of `services`, in one line: the lowest age limit when
/// age is what stands in the way, or else the most common reason.
fn why_nothing(lang: Lang, services: &[Service], applicant: &Applicant) -> String {
    let today = tongxin_store::booking::shanghai_day(Timestamp::now());
    let refusals: Vec<Refusal> = services
        .iter()
        .filter(|s| s.active)
        .filter_map(|s| s.rules.check(applicant, today, Usage::default()).err())
        .collect();
    let youngest = refusals.iter().filter(|r| matches!(r, Refusal::Age { .. })).min_by_key(|r| match r {
        Refusal::Age { min, .. } => *min,
        _ => u8::MAX,
    });
    let words = |r: &Refusal| if lang == Lang::En { r.en() } else { r.zh() };
    let common = || {
        let all: Vec<String> = refusals.iter().map(words).collect();
        all.iter().max_by_key(|w| all.iter().filter(|x| x == w).count()).cloned().unwrap_or_default()
    };
    youngest.map(words).unwrap_or_else(common)
}

async fn choose(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let shown = async {
        let id: i64 = params.require("person")?;
        let person = people(&app, &who)
            .await?
            .into_iter()
            .find(|p| p.resident_id == id)
            .ok_or_else(|| ApiError::not_found(format!("no resident {id}")))?;
        let (applicant, _) =
            app.store.applicant(id).await?.ok_or_else(|| ApiError::not_found(format!("no resident {id}")))?;
        let services = app.store.services().await?;
        let code = params.get("service").filter(|s| !s.is_empty());
        let service = code.and_then(|c| services.iter().find(|s| s.code == c));
        let date = params.get("date").and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let today = tongxin_store::booking::shanghai_day(Timestamp::now());
        let (mut days, mut slots, mut next) = (Vec::new(), Vec::new(), None);
        if let Some(s) = service {
            days = days_with_seats(&app, lang, &s.code, (today, span(today, date, 14)), None, date).await?;
            if let Some(day) = date {
                slots = open_slots(&app, &s.code, day, lang.catalog().get("booking.home_visit")).await?;
                let free = slots.iter().map(|l| l.free).sum();
                next = offer_next(&app, lang, &s.code, day, None, free).await?;
            }
        }
        let all = choices(&app.store.service_categories().await?, &services, Some(&applicant), code, lang);
        let refused: Vec<(String, String)> = all
            .iter()
            .flat_map(|c| c.services.iter().filter(|s| !s.eligible).map(|s| (s.name.clone(), s.reason.clone())))
            .collect();
        let categories: Vec<CategoryChoices> = all
            .into_iter()
            .map(|mut c| {
                c.services.retain(|s| s.eligible);
                c
            })
            .filter(|c| !c.services.is_empty())
            .collect();
        let t = lang.catalog();
        let nothing = categories.is_empty().then(|| {
            t.fmt("b14_book.nothing", &[("who", &person.name), ("why", &why_nothing(lang, &services, &applicant))])
        });
        let page = BookPage {
            page: PageContext::new(lang, &uri, Some(&who)),
            refused_summary: t.fmt("b14_book.others", &[("n", &refused.len())]),
            refused: if nothing.is_some() { Vec::new() } else { refused },
            nothing,
            categories,
            service: service.map(|s| (s.code.clone(), s.name.clone(), s.documents.clone())),
            days,
            date: date.map(|d| d.to_string()),
            slots,
            next,
            person,
            error: params.get("error").filter(|e| !e.is_empty()).map(str::to_owned),
        };
        Ok::<_, ApiError>(render(&page).into_response())
    }
    .await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

async fn book_slot(State(app): State<App>, lang: Lang, who: PageCaller, FormParams(form): FormParams) -> Response {
    let done = async {
        let body = BookingBody {
            slot_id: form.require("slot")?,
            resident_id: form.require("person")?,
            waitlist: form.get("waitlist") == Some("1"),
        };
        Ok::<_, ApiError>(book(&app, &who, &body, None).await?.booking.id)
    }
    .await;
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    match done {
        Ok(id) => Redirect::to(&format!("/me/bookings?done={id}")).into_response(),
        Err(e @ ApiError::NotFound { .. }) => PageError::from_api(lang, e).into_response(),
        Err(e) => Redirect::to(&format!(
            "/me/book?person={}&service={}&date={}&error={}",
            enc(form.raw("person")),
            enc(form.raw("service")),
            enc(form.raw("date")),
            enc(&crate::pages::booking::shown(lang, &e))
        ))
        .into_response(),
    }
}

#[derive(Template)]
#[template(path = "booking/kiosk_code.html")]
struct KioskCodePage {
    page: PageContext,
    people: Vec<Person>,
    /// For whom, and the QR code (SVG) of their one-time code.
    code: Option<(String, String)>,
}

/// A one-time QR code to sign in at a kiosk, for oneself or an elder who linked this phone.
async fn kiosk_code(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let shown = async {
        let people = people(&app, &who).await?;
        let chosen = match params.parse::<i64>("person")? {
            Some(id) => people.iter().find(|p| p.resident_id == id),
            None if people.len() == 1 => people.first(),
            None => None,
        };
        let code = match chosen {
            Some(p) => {
                let code = app.store.kiosk_code(p.resident_id).await?;
                let svg = qrcode::QrCode::new(code.as_bytes())
                    .map_err(|e| ApiError::Internal(format!("cannot draw the QR code: {e}")))?
                    .render::<qrcode::render::svg::Color>()
                    .min_dimensions(220, 220)
                    .build();
                Some((p.name.clone(), svg))
            }
            None => None,
        };
        let page = KioskCodePage { page: PageContext::new(lang, &uri, Some(&who)), people, code };
        Ok::<_, ApiError>(render(&page).into_response())
    }
    .await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}
