//! The kiosk's one page, `/kiosk/{site}`, as an elder sees it (1080×1920): before sign-in,
//! the ID number and PIN with an on-screen keypad (`static/kiosk.js`; an ID-card reader
//! that types the number like a keyboard works too: the ID field has the focus), and the
//! QR-code way in explained with a picture (`static/kiosk-qr.svg`). After sign-in: today's
//! bookings to check in (or a line saying there are none), the other bookings, and the
//! services; a service shows its days with their availability and a colour legend, a day
//! with no free seat offers the next open date, and a slot or a cancellation is confirmed
//! once on a summary (`?slot=` / `?cancel=`) before anything is written.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use tongxin_core::booking::BookingStatus;
use tongxin_core::time::Timestamp;
use tongxin_store::booking::catalog::Site;
use tongxin_store::booking::kiosk::KIOSK_IDLE_MS;

use super::days::{DayChoice, days_with_seats, first_open, offer_next};
use super::facts::{self, Facts};
use super::kiosk::{Device, device, signed_in, site};
use super::{BookingLine, SlotLine, open_slots};
use crate::auth::ClientIp;
use crate::i18n::Lang;
use crate::pages::{PageContext, PageError, render};
use crate::params::Params;
use crate::{ApiError, App};

/// The days a kiosk offers, from today.
const KIOSK_DAYS: u64 = 7;

/// A booking or a cancellation waiting for its one confirmation.
pub struct KioskConfirm {
    pub title: String,
    pub facts: Facts,
    /// `book` or `cancel`: the form's action under `/kiosk/{site}/`.
    pub action: &'static str,
    pub hidden: Vec<(&'static str, String)>,
    pub waitlist: bool,
    pub button: String,
    pub back: String,
}

#[derive(Template)]
#[template(path = "booking/kiosk.html")]
struct KioskPage {
    page: PageContext,
    site: Site,
    /// Not yet enrolled: ask for the key.
    enrol: bool,
    /// The signed-in resident's masked name.
    person: Option<String>,
    services: Vec<(String, String, bool)>,
    service: Option<(String, String)>,
    days: Vec<DayChoice>,
    date: Option<String>,
    slots: Vec<SlotLine>,
    next: Option<(String, String)>,
    /// Today's confirmed bookings here, to check in.
    today: Vec<BookingLine>,
    bookings: Vec<BookingLine>,
    confirm: Option<KioskConfirm>,
    message: Option<String>,
    error: Option<String>,
    idle_seconds: i64,
}

/// 钱桂英 → 钱**: only the family name shows on a screen others can see.
fn masked_name(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|c| format!("{c}{}", "*".repeat(chars.count()))).unwrap_or_default()
}

pub async fn page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(code): Path<String>,
    params: Params,
) -> Response {
    let shown = async {
        let mut view = KioskPage {
            page: PageContext::new(lang, &uri, None),
            site: site(&app, &code).await?,
            enrol: false,
            person: None,
            services: Vec::new(),
            service: None,
            days: Vec::new(),
            date: None,
            slots: Vec::new(),
            next: None,
            today: Vec::new(),
            bookings: Vec::new(),
            confirm: None,
            message: params.get("message").filter(|m| !m.is_empty()).map(str::to_owned),
            error: params.get("error").filter(|m| !m.is_empty()).map(str::to_owned),
            idle_seconds: KIOSK_IDLE_MS / 1000,
        };
        let (here, key) = match device(&app, &headers, &ip, &code).await {
            Ok(Device::Ready(here, _, key)) => (here, key),
            Ok(Device::Enrol) => {
                view.enrol = true;
                return Ok(render(&view).into_response());
            }
            Err(ApiError::InvalidParameter { message, .. }) => {
                view.enrol = true;
                view.error = Some(message);
                return Ok(render(&view).into_response());
            }
            Err(e) => return Err(e),
        };
        let Some(resident) = signed_in(&app, &headers, key).await? else {
            return Ok(render(&view).into_response());
        };
        signed_in_view(&app, lang, &here, resident, &params, &mut view).await?;
        Ok::<_, ApiError>(render(&view).into_response())
    }
    .await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

/// What a signed-in resident sees: their bookings, the services, and what they chose.
async fn signed_in_view(
    app: &App,
    lang: Lang,
    here: &Site,
    resident: i64,
    params: &Params,
    view: &mut KioskPage,
) -> Result<(), ApiError> {
    let everyone = tongxin_store::registry::RegistryScope { all: true, ..Default::default() };
    let record = app.store.resident(&everyone, resident).await?.ok_or_else(|| ApiError::not_found("no resident"))?;
    view.person = Some(masked_name(&record.name));
    let (applicant, _) = app.store.applicant(resident).await?.ok_or_else(|| ApiError::not_found("no resident"))?;
    let today = tongxin_store::booking::shanghai_day(Timestamp::now());
    let usage = tongxin_core::booking::eligibility::Usage::default();
    let mut services: Vec<(String, String, bool)> = app
        .store
        .services()
        .await?
        .into_iter()
        .filter(|s| s.active && s.rules.check(&applicant, today, usage).is_ok())
        .map(|s| {
            let here_too = s.sites.contains(&here.code);
            (s.code, s.name, here_too)
        })
        .collect();
    // This site's services first.
    services.sort_by_key(|s| !s.2);
    let upcoming = app.store.upcoming_bookings(resident, Timestamp::now()).await?;
    let (due, rest): (Vec<_>, Vec<_>) =
        upcoming.iter().filter(|b| b.status != BookingStatus::Cancelled).partition(|b| {
            b.status == BookingStatus::Confirmed
                && b.site_id == Some(here.id)
                && tongxin_store::booking::shanghai_day(b.starts_at) == today
        });
    view.today = due.into_iter().map(|b| BookingLine::new(b, lang)).collect();
    view.bookings = rest.into_iter().map(|b| BookingLine::new(b, lang)).collect();
    if let Some(id) = params.parse::<i64>("cancel")?
        && let Some(b) = upcoming.iter().find(|b| b.id == id)
    {
        view.confirm = Some(cancelling(app, lang, here, b).await?);
    }
    if let Some(chosen) = params.get("service").and_then(|c| services.iter().find(|s| s.0 == c)) {
        view.service = Some((chosen.0.clone(), chosen.1.clone()));
        let at_here = chosen.2.then_some(here.name.as_str());
        let asked = params.get("date").and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let day = match asked {
            Some(d) => d,
            None => first_open(app, &chosen.0, today, at_here).await?.unwrap_or(today),
        };
        view.days = days_with_seats(app, lang, &chosen.0, (today, KIOSK_DAYS), at_here, Some(day)).await?;
        view.slots = open_slots(app, &chosen.0, day, lang.catalog().get("booking.home_visit"))
            .await?
            .into_iter()
            .filter(|l| !chosen.2 || l.site == here.name)
            .collect();
        let free = view.slots.iter().map(|l| l.free).sum();
        view.next = offer_next(app, lang, &chosen.0, day, at_here, free).await?;
        view.date = Some(day.to_string());
        if let Some(slot) = params.parse::<i64>("slot")? {
            view.confirm = Some(booking(app, lang, here, &chosen.0, day, slot).await?);
        }
    }
    view.services = services;
    Ok(())
}

/// The booking of `slot` to confirm.
async fn booking(
    app: &App,
    lang: Lang,
    here: &Site,
    service: &str,
    day: chrono::NaiveDate,
    slot: i64,
) -> Result<KioskConfirm, ApiError> {
    let t = lang.catalog();
    let (slot, facts) = facts::of_slot(app, lang, slot).await?;
    let waitlist = slot.free() == 0;
    let back = format!("/kiosk/{}?service={}&date={day}", enc(&here.code), enc(service));
    Ok(KioskConfirm {
        title: t.get(if waitlist { "b14_confirm.waitlist_title" } else { "b14_kiosk.confirm_book" }).to_owned(),
        facts,
        action: "book",
        hidden: vec![
            ("slot", slot.id.to_string()),
            ("service", service.to_owned()),
            ("waitlist", if waitlist { "1" } else { "0" }.into()),
        ],
        waitlist,
        button: t.get(if waitlist { "b14_confirm.waitlist_button" } else { "b14_confirm.book_button" }).to_owned(),
        back,
    })
}

/// The cancellation of `b` to confirm.
async fn cancelling(
    app: &App,
    lang: Lang,
    here: &Site,
    b: &tongxin_store::booking::book::Booking,
) -> Result<KioskConfirm, ApiError> {
    let t = lang.catalog();
    Ok(KioskConfirm {
        title: t.get("b14_kiosk.confirm_cancel").to_owned(),
        facts: facts::of_booking(app, lang, b).await?,
        action: "cancel",
        hidden: vec![("booking", b.id.to_string())],
        waitlist: false,
        button: t.get("b14_confirm.cancel_button").to_owned(),
        back: format!("/kiosk/{}", enc(&here.code)),
    })
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
