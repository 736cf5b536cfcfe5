//! `/booking/console`: the telephone operator's one screen (坐席预约台). Find the caller by
//! their phone number, or by name and the last four characters of their ID number; see
//! who they are (masked), their bookings, the services they may book and the free slots
//! of a day; book, join a waitlist, cancel or move a booking — all through the same
//! booking function as every channel, recorded as the operator's; and set the caller's
//! kiosk PIN (终端口令) on their word ([`super::kiosk_pin`]).

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tongxin_app::booking::{BookingBody, book, booking_in_reach, channel_of};
use tongxin_app::registry::{one_resident, scope};
use tongxin_core::access::Permission;
use tongxin_core::pii::phone::PhoneNumber;
use tongxin_core::time::Timestamp;
use tongxin_store::booking::catalog::Service;
use tongxin_store::registry::ResidentFilter;

use super::console_card::{Caller, caller_card};
use super::days::{days_with_seats, offer_next, span};
use super::{BookingLine, CategoryChoices, SlotLine, choices, next_days, open_slots};
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::Params;
use crate::{ApiError, App};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/booking/console", get(page))
        .route("/booking/console/book", post(book_slot))
        .route("/booking/console/cancel", post(cancel))
        .route("/booking/console/family", post(link_family))
        .route("/booking/console/kiosk-pin", post(set_pin))
}

/// A caller found by the search.
pub struct Found {
    pub id: i64,
    pub name: String,
    pub age: i32,
    pub address: String,
    pub phone: String,
    pub moved_out: bool,
}

pub struct ServiceFacts {
    pub code: String,
    pub name: String,
    pub description: String,
    pub provider: String,
    pub documents: String,
    pub price: String,
    pub cutoff_hours: i64,
}

#[derive(Template)]
#[template(path = "booking/console.html")]
struct ConsolePage {
    page: PageContext,
    phone: String,
    name: String,
    last4: String,
    searched: bool,
    found: Vec<Found>,
    caller: Option<Caller>,
    bookings: Vec<BookingLine>,
    categories: Vec<CategoryChoices>,
    service: Option<ServiceFacts>,
    days: Vec<(String, String)>,
    date: String,
    slots: Vec<SlotLine>,
    /// A day without a free seat offers the next one: (date, label).
    next: Option<(String, String)>,
    reschedule: Option<i64>,
    /// "改约：长者食堂午餐 2026-12-07 周一 11:00–11:30", while a booking is being moved.
    moving: Option<String>,
    done: Option<String>,
    error: Option<String>,
}

/// Where the console goes back to after an action, keeping the caller, service and day.
fn back(resident: &str, service: &str, date: &str, outcome: (&str, &str)) -> Redirect {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    Redirect::to(&format!(
        "/booking/console?resident={}&service={}&date={}&{}={}",
        enc(resident),
        enc(service),
        enc(date),
        outcome.0,
        enc(outcome.1)
    ))
}

/// Back to the console with what happened, or the problem on it; a fault or a refusal of
/// the caller themself is an error page.
fn settle(
    lang: Lang,
    (resident, service, date): (&str, &str, &str),
    done: Result<(&str, String), ApiError>,
) -> Response {
    match done {
        Ok((what, value)) => back(resident, service, date, (what, &value)).into_response(),
        Err(
            e @ (ApiError::Forbidden { .. }
            | ApiError::Unauthenticated
            | ApiError::NotFound { .. }
            | ApiError::Internal(_)
            | ApiError::Unavailable(_)),
        ) => PageError::from_api(lang, e).into_response(),
        Err(e) => back(resident, service, date, ("error", &crate::pages::booking::shown(lang, &e))).into_response(),
    }
}

async fn search(app: &App, who: &PageCaller, params: &Params) -> Result<(bool, Vec<Found>), ApiError> {
    let today = tongxin_store::booking::shanghai_day(Timestamp::now());
    let phone = params.get("phone").map(str::trim).unwrap_or_default();
    let name = params.get("name").map(str::trim).unwrap_or_default();
    let last4 = params.get("last4").map(str::trim).unwrap_or_default();
    let mut filter = ResidentFilter { moved_out: true, limit: 20, ..Default::default() };
    if !phone.is_empty() {
        let number = PhoneNumber::parse(phone)
            .map_err(|_| ApiError::invalid("phone", format!("「{phone}」不是手机号或带区号的电话号码")))?;
        filter.phone_index = Some(app.pii.blind_index("phone", number.expose()));
    } else if !name.is_empty() && !last4.is_empty() {
        if last4.chars().count() != 4 {
            return Err(ApiError::invalid("last4", "请填身份证号的最后 4 位"));
        }
        filter.q = Some(name.to_owned());
        filter.id_last4 = Some(last4.to_owned());
    } else if !name.is_empty() || !last4.is_empty() {
        return Err(ApiError::invalid("name", "请同时填写姓名和身份证号后 4 位，或只填手机号"));
    } else {
        return Ok((false, Vec::new()));
    }
    let found = app.store.residents(&scope(who), &filter).await?;
    Ok((
        true,
        found
            .iter()
            .map(|r| Found {
                id: r.id,
                name: r.name.clone(),
                age: tongxin_core::registry::age(r.birth_date, today),
                address: r.address.clone(),
                phone: r.phone_masked.clone(),
                moved_out: r.moved_out.is_some(),
            })
            .collect(),
    ))
}

async fn show(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    params: &Params,
) -> Result<Response, ApiError> {
    who.require(app, Permission::BookingBook).await?;
    let t = lang.catalog();
    let today = tongxin_store::booking::shanghai_day(Timestamp::now());
    let mut error = params.get("error").map(str::to_owned);
    let (searched, found) = match search(app, who, params).await {
        Ok(found) => found,
        Err(ApiError::InvalidParameter { message, .. }) => {
            error = Some(message);
            (false, Vec::new())
        }
        Err(e) => return Err(e),
    };
    let chosen = match params.parse::<i64>("resident")? {
        Some(id) => Some(id),
        None if found.len() == 1 => Some(found[0].id),
        None => None,
    };
    let services = app.store.services().await?;
    let categories = app.store.service_categories().await?;
    // A move keeps the booking's own service, whatever the picker last showed.
    let moving = match params.parse::<i64>("reschedule")? {
        Some(id) => Some(BookingLine::new(&booking_in_reach(app, who, id).await?, lang)),
        None => None,
    };
    let service_code = match &moving {
        Some(line) => Some(line.service_code.as_str()),
        None => params.get("service").filter(|s| !s.is_empty()),
    };
    let date = params
        .get("date")
        .or(moving.as_ref().map(|line| line.day.as_str()))
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .filter(|d| *d >= today)
        .unwrap_or(today + chrono::Days::new(1));
    let mut page = ConsolePage {
        page: PageContext::new(lang, uri, Some(who)),
        phone: params.get("phone").unwrap_or_default().to_owned(),
        name: params.get("name").unwrap_or_default().to_owned(),
        last4: params.get("last4").unwrap_or_default().to_owned(),
        searched,
        found,
        caller: None,
        bookings: Vec::new(),
        categories: Vec::new(),
        service: None,
        days: next_days(lang, 14),
        date: date.to_string(),
        slots: Vec::new(),
        next: None,
        reschedule: moving.as_ref().map(|line| line.id),
        moving: moving.as_ref().map(|line| format!("{}：{} {}", t.get("booking.reschedule"), line.service, line.when)),
        done: None,
        error,
    };
    if let Some(done) = banner(app, lang, who, params).await? {
        page.done = Some(done);
    }
    if let Some(id) = chosen {
        let (caller, applicant) = caller_card(app, lang, who, id, today).await?;
        page.caller = Some(caller);
        page.bookings = app
            .store
            .upcoming_bookings(id, Timestamp::now())
            .await?
            .iter()
            .filter(|b| b.status != tongxin_core::booking::BookingStatus::Cancelled)
            .map(|b| BookingLine::new(b, lang))
            .collect();
        page.categories = choices(&categories, &services, Some(&applicant), service_code, lang);
        if let Some(s) = service_code.and_then(|code| services.iter().find(|s| s.code == code)) {
            service_panel(app, lang, &mut page, s, date, today).await?;
        }
    }
    Ok(render(&page).into_response())
}

async fn page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    show(&app, lang, &uri, &who, &params).await.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

/// Books the chosen slot for the caller (or moves `reschedule` to it), then back to the
/// console with what happened.
async fn book_slot(State(app): State<App>, lang: Lang, who: PageCaller, FormParams(form): FormParams) -> Response {
    let (resident, service, date) = (form.raw("resident"), form.raw("service"), form.raw("date"));
    let done = async {
        let resident_id: i64 = form.require("resident")?;
        let slot_id: i64 = form.require("slot")?;
        match form.parse::<i64>("reschedule")? {
            Some(old) => {
                let booking = booking_in_reach(&app, &who, old).await?;
                Ok(app.store.reschedule(&who.caller(), booking.id, slot_id, channel_of(&who)).await?.booking.id)
            }
            None => {
                let body = BookingBody { slot_id, resident_id, waitlist: form.get("waitlist") == Some("1") };
                Ok::<_, ApiError>(book(&app, &who, &body, None).await?.booking.id)
            }
        }
    }
    .await;
    settle(lang, (resident, service, date), done.map(|id| ("done", id.to_string())))
}

async fn cancel(State(app): State<App>, lang: Lang, who: PageCaller, FormParams(form): FormParams) -> Response {
    let (resident, service, date) = (form.raw("resident"), form.raw("service"), form.raw("date"));
    let done = async {
        let booking = booking_in_reach(&app, &who, form.require("booking")?).await?;
        app.store.cancel_booking(&who.caller(), booking.id).await?;
        Ok::<_, ApiError>(booking.id)
    }
    .await;
    settle(lang, (resident, service, date), done.map(|id| ("cancelled", id.to_string())))
}

/// Links a family member's phone to the caller, so that they may book for them on their
/// own phone (代为预约). The caller is on the line and agrees.
async fn link_family(State(app): State<App>, lang: Lang, who: PageCaller, FormParams(form): FormParams) -> Response {
    let (resident, service, date) = (form.raw("resident"), form.raw("service"), form.raw("date"));
    let done = async {
        let id: i64 = form.require("resident")?;
        who.require(&app, Permission::BookingBook).await?;
        one_resident(&app, &who, id).await?;
        let raw = form.raw("family_phone");
        let phone = PhoneNumber::parse(raw)
            .map_err(|_| ApiError::invalid("family_phone", format!("「{raw}」不是手机号或带区号的电话号码")))?;
        let index = app.pii.blind_index("phone", phone.expose());
        app.store.link_family(&who.caller(), id, &index, &phone.masked()).await?;
        Ok::<_, ApiError>(())
    }
    .await;
    settle(lang, (resident, service, date), done.map(|()| ("linked", "1".to_owned())))
}

/// Sets the caller's kiosk PIN on their word, during the call: the digits they choose,
/// read back to them.
async fn set_pin(State(app): State<App>, lang: Lang, who: PageCaller, FormParams(form): FormParams) -> Response {
    let (resident, service, date) = (form.raw("resident"), form.raw("service"), form.raw("date"));
    let done = async {
        who.require(&app, Permission::BookingBook).await?;
        let id: i64 = form.require("resident")?;
        one_resident(&app, &who, id).await?;
        let pin = super::kiosk_pin::checked(&app, lang, id, form.raw("pin"), None).await?;
        app.store.set_kiosk_pin(&who.caller(), id, &super::kiosk_pin::hashed(pin).await?).await?;
        Ok::<_, ApiError>(())
    }
    .await;
    settle(lang, (resident, service, date), done.map(|()| ("pin_set", "1".to_owned())))
}

/// The line above the console after a step: booked or cancelled, PIN saved, linked (the
/// later step first, when a link carries several).
async fn banner(app: &App, lang: Lang, who: &PageCaller, params: &Params) -> Result<Option<String>, ApiError> {
    let t = lang.catalog();
    for (param, key) in [("cancelled", "booking.cancelled"), ("done", "booking.done")] {
        if let Some(id) = params.parse::<i64>(param)?
            && let Ok(b) = booking_in_reach(app, who, id).await
        {
            let line = BookingLine::new(&b, lang);
            let text = format!("{}：{} · {} · {}（{}）", t.get(key), line.service, line.site, line.when, line.status);
            return Ok(Some(text));
        }
    }
    if params.get("pin_set").is_some() {
        return Ok(Some(t.get("kiosk.pin_saved_console").to_owned()));
    }
    Ok(params.get("linked").map(|_| t.get("booking.linked").to_owned()))
}

/// The chosen service: its facts, the day's open slots, the next free one, and the days
/// with seats.
async fn service_panel(
    app: &App,
    lang: Lang,
    page: &mut ConsolePage,
    s: &Service,
    date: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> Result<(), ApiError> {
    let t = lang.catalog();
    page.service = Some(ServiceFacts {
        code: s.code.clone(),
        name: s.name.clone(),
        description: s.description.clone(),
        provider: s.provider.clone(),
        documents: s.documents.clone(),
        price: super::price(lang, s.price_fen, s.subsidy_fen),
        cutoff_hours: s.cancel_cutoff_minutes / 60,
    });
    page.slots = open_slots(app, &s.code, date, t.get("booking.home_visit")).await?;
    let free = page.slots.iter().map(|l| l.free).sum();
    page.next = offer_next(app, lang, &s.code, date, None, free).await?;
    let shown = (today, span(today, Some(date), 14));
    page.days = days_with_seats(app, lang, &s.code, shown, None, Some(date))
        .await?
        .into_iter()
        .map(|d| (d.date, format!("{} · {}", d.label, d.note)))
        .collect();
    Ok(())
}
