//! One door for services over HTTP (`/api/v1/booking/…`): the catalogue, slots by service
//! and day, and bookings — made through one function for every channel, so each records
//! its channel and the acting user. Staff book with `booking.book` for residents in their
//! regions, and residents signed in with their phone for themselves and the elders who
//! linked their phone (anyone else is the same 404 as no one); the booking POST takes an
//! `Idempotency-Key`, and a retry with the same key gets the first booking back.

pub mod admin;
mod views;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use tongxin_core::access::{ActorKind, ApiScope, Permission, Role};
use tongxin_core::booking::{Channel, idempotency_key};
use tongxin_core::time::Timestamp;
use tongxin_store::booking::BookingError;
use tongxin_store::booking::book::{Booking, BookingRequest};
use tongxin_store::booking::slots::SlotFilter;
use tongxin_store::registry::RegistryScope;
use utoipa::ToSchema;

use crate::api::access::id_param;
use crate::api::params::Params;
use crate::auth::{ApiCaller, Who};
use crate::{ApiError, App};
pub use views::{BookingView, CancelledView, CatalogView, ServiceView, SlotPage, SlotView};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/booking/catalog", get(catalog))
        .route("/booking/slots", get(slots))
        .route("/booking/slots/{id}", axum::routing::patch(change_slot))
        .route("/booking/bookings", post(create).get(list))
        .route("/booking/bookings/{id}", get(one))
        .route("/booking/bookings/{id}/cancel", post(cancel))
        .route("/booking/bookings/{id}/check-in", post(check_in))
        .route("/booking/bookings/{id}/reschedule", post(reschedule))
        .route("/booking/services/{code}", axum::routing::put(admin::put_service))
        .route("/booking/sites/{code}/hours", axum::routing::put(admin::put_hours))
        .route("/booking/sites/{code}/closures", post(admin::close_site))
        .route("/booking/kiosks/{key_id}", axum::routing::put(bind_kiosk))
        .route("/booking/stats", get(stats))
}

impl From<BookingError> for ApiError {
    /// The refusal in Chinese (`message`, `details.reason`) and in English
    /// (`details.reason_en`, which English pages show), naming the rule or field.
    fn from(e: BookingError) -> Self {
        let refused = |rule: &str, zh: String, en: String| ApiError::Unprocessable {
            message: zh.clone(),
            details: json!({ "rule": rule, "reason": zh, "reason_en": en }),
        };
        match e {
            BookingError::NoSlot(id) => ApiError::not_found(format!("no slot {id}")),
            BookingError::NoResident(id) => ApiError::not_found(format!("no resident {id}")),
            BookingError::NoBooking(id) => ApiError::not_found(format!("no booking {id}")),
            BookingError::Past => refused(
                "past",
                "这个时段已经开始或已过去，不能再预约".into(),
                "This slot has started or is over.".into(),
            ),
            BookingError::Blocked => {
                refused("blocked", "这个时段已停止预约".into(), "This slot takes no more bookings.".into())
            }
            BookingError::NotToday(day) => refused(
                "not_today",
                format!("只能在预约当天（{day}）签到"),
                format!("A booking is checked in on its day, {day}."),
            ),
            BookingError::SiteClosed(day) => refused(
                "site_closed",
                format!("服务站点 {day} 闭馆，不能预约"),
                format!("The site is closed on {day}."),
            ),
            BookingError::Inactive => {
                refused("inactive", "这项服务暂停预约".into(), "This service is not taking bookings now.".into())
            }
            BookingError::Ineligible(r) => refused(r.rule(), r.zh(), r.en()),
            BookingError::Full { capacity } => ApiError::Conflict {
                field: "slot_id".into(),
                message: format!("名额已满：这个时段的 {capacity} 个名额都已约满，可选择其他时段或排队候补"),
            },
            BookingError::AlreadyBooked => ApiError::Conflict {
                field: "resident_id".into(),
                message: "这位居民已经预约了这个时段".into(),
            },
            BookingError::OtherService { .. } => refused(
                "other_service",
                "改约只能改到同一项服务的其他时间；要换服务，请取消后重新预约".into(),
                "A booking moves to another time of the same service; to change the service, cancel and book again."
                    .into(),
            ),
            BookingError::Status(status) => refused(
                "status",
                format!("这个预约{status}，不能这样操作"),
                "The booking's status does not allow this.".into(),
            ),
            BookingError::AfterCutoff(at) => refused(
                "cutoff",
                format!("已过取消截止时间（{at}），不能再取消"),
                format!("Cancelling closed at {at}."),
            ),
            BookingError::BelowBooked { booked } => ApiError::Conflict {
                field: "capacity".into(),
                message: format!("这个时段已有 {booked} 人预约，名额不能少于 {booked}"),
            },
            BookingError::Store(e) => e.into(),
        }
    }
}

/// What a page shows of a refusal: the English reason on English pages when there is one,
/// the Chinese message otherwise.
pub fn shown(lang: crate::i18n::Lang, e: &ApiError) -> String {
    if lang == crate::i18n::Lang::En
        && let ApiError::Unprocessable { details, .. } = e
        && let Some(en) = details["reason_en"].as_str()
    {
        return en.to_owned();
    }
    e.message()
}

/// The site with this code, or a 404.
pub async fn site_named(app: &App, code: &str) -> Result<tongxin_store::booking::catalog::Site, ApiError> {
    app.store
        .sites()
        .await?
        .into_iter()
        .find(|s| s.code == code)
        .ok_or_else(|| ApiError::not_found(format!("no site {code}")))
}

/// The channel a caller books through.
pub fn channel_of(who: &Who) -> Channel {
    match who.actor.kind {
        ActorKind::Resident => Channel::App,
        ActorKind::ApiKey if who.actor.api_scopes.contains(&ApiScope::Kiosk) => Channel::Kiosk,
        ActorKind::ApiKey => Channel::Api,
        _ if who.actor.roles.contains(&Role::Kiosk) => Channel::Kiosk,
        _ if who.actor.roles.contains(&Role::Operator) => Channel::Operator,
        _ => Channel::Staff,
    }
}

/// The categories and services, with their sites and rules.
#[utoipa::path(get, path = "/api/v1/booking/catalog", tag = "booking",
    responses((status = 200, body = CatalogView), (status = 401)))]
pub async fn catalog(State(app): State<App>, _who: ApiCaller) -> Result<Json<CatalogView>, ApiError> {
    Ok(Json(CatalogView::new(
        app.store.service_categories().await?,
        app.store.services().await?,
        app.store.sites().await?,
    )))
}

/// The slots of a service on a day (Shanghai time), with their seats.
#[utoipa::path(get, path = "/api/v1/booking/slots", tag = "booking",
    params(("service" = String, Query, description = "a service code"), ("date" = String, Query, description = "YYYY-MM-DD"),
        ("site" = Option<i64>, Query)),
    responses((status = 200, body = SlotPage), (status = 400), (status = 401)))]
pub async fn slots(State(app): State<App>, _who: ApiCaller, params: Params) -> Result<Json<SlotPage>, ApiError> {
    let service: String = params.require("service")?;
    let date = params.get("date").ok_or_else(|| ApiError::invalid("date", "date is required (YYYY-MM-DD)"))?;
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| ApiError::invalid("date", format!("'{date}' is not a date like 2026-12-01")))?;
    if !app.store.service_exists(&service).await? {
        return Err(ApiError::not_found(format!("no service {service}")));
    }
    let from = tongxin_core::booking::timetable::at(day, chrono::NaiveTime::MIN);
    let filter = SlotFilter {
        service: Some(service),
        site: params.parse("site")?,
        from: Some(from),
        until: Some(Timestamp::from_millis(from.millis() + 86_400_000)),
        limit: 500,
    };
    Ok(Json(SlotPage { items: app.store.slots(&filter).await?.iter().map(SlotView::from).collect() }))
}

/// A booking request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BookingBody {
    pub slot_id: i64,
    pub resident_id: i64,
    /// Join the waitlist when the slot is full (default: refuse with 409).
    #[serde(default)]
    pub waitlist: bool,
}

/// Whether `who` may book for resident `id`: staff with `booking.book` for residents in
/// their regions; a resident signed in with their phone for themselves and the elders who
/// linked that phone. Anyone else is the same 404 as no one.
pub async fn may_book_for(app: &App, who: &Who, id: i64) -> Result<(), ApiError> {
    let missing = || ApiError::not_found(format!("no resident {id}"));
    if who.actor.kind == ActorKind::Resident {
        let people = app.store.bookable_people(who.actor.id).await?;
        return if people.iter().any(|p| p.resident_id == id) { Ok(()) } else { Err(missing()) };
    }
    who.require(app, Permission::BookingBook).await?;
    let everyone = RegistryScope { all: true, ..Default::default() };
    let found = app.store.resident(&everyone, id).await?.ok_or_else(missing)?;
    who.covers(app, &found.region, missing()).await
}

/// Books for `body.resident_id` as `who`; the booking and whether it was a replay.
pub async fn book(
    app: &App,
    who: &Who,
    body: &BookingBody,
    key: Option<String>,
) -> Result<tongxin_store::booking::book::Booked, ApiError> {
    may_book_for(app, who, body.resident_id).await?;
    let request = BookingRequest {
        slot_id: body.slot_id,
        resident_id: body.resident_id,
        channel: channel_of(who),
        idempotency_key: key,
        waitlist: body.waitlist,
    };
    Ok(app.store.book(&who.caller(), &request).await?)
}

/// Books a slot for a resident. The same `Idempotency-Key` from the same caller books
/// once: a retry answers with the first booking (and `Idempotent-Replayed: true`).
#[utoipa::path(post, path = "/api/v1/booking/bookings", tag = "booking", request_body = BookingBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "8–64 letters, digits, - or _")),
    responses((status = 201, body = BookingView), (status = 400, description = "a malformed body or Idempotency-Key"),
        (status = 403), (status = 404, description = "no such slot or resident in reach"),
        (status = 409, description = "the slot is full, or the resident already holds it"),
        (status = 422, description = "not eligible, a past or blocked slot, a closed site: details.rule names the rule")))]
pub async fn create(
    State(app): State<App>,
    who: ApiCaller,
    headers: HeaderMap,
    raw: Result<Json<BookingBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => {
            let text = v.to_str().map_err(|_| ApiError::invalid("Idempotency-Key", "the key is not plain text"))?;
            Some(idempotency_key(text).map_err(|e| ApiError::invalid("Idempotency-Key", e))?.to_owned())
        }
    };
    let body = raw.map(|Json(v)| v).map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let booked = book(&app, &who, &body, key).await?;
    let mut response = (StatusCode::CREATED, Json(BookingView::from(&booked.booking))).into_response();
    if booked.replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// A booking `who` may see and change: of someone they may book for.
pub async fn booking_in_reach(app: &App, who: &Who, id: i64) -> Result<Booking, ApiError> {
    let missing = || ApiError::not_found(format!("no booking {id}"));
    if who.actor.kind != ActorKind::Resident {
        who.require(app, Permission::BookingBook).await?;
    }
    let booking = app.store.booking(id).await?.ok_or_else(missing)?;
    may_book_for(app, who, booking.resident_id).await.map_err(|_| missing())?;
    Ok(booking)
}

/// A resident's bookings, the latest slot first.
#[utoipa::path(get, path = "/api/v1/booking/bookings", tag = "booking",
    params(("resident_id" = i64, Query)),
    responses((status = 200, body = [BookingView]), (status = 400), (status = 403), (status = 404)))]
pub async fn list(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Json<Vec<BookingView>>, ApiError> {
    let resident: i64 = params.require("resident_id")?;
    may_book_for(&app, &who, resident).await?;
    Ok(Json(app.store.bookings_of(resident, 200).await?.iter().map(BookingView::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/booking/bookings/{id}", tag = "booking", params(("id" = i64, Path)),
    responses((status = 200, body = BookingView), (status = 403), (status = 404)))]
pub async fn one(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
) -> Result<Json<BookingView>, ApiError> {
    Ok(Json(BookingView::from(&booking_in_reach(&app, &who, id_param(&raw)?).await?)))
}

/// Cancels a booking until the service's cutoff; the first on the waitlist takes the seat.
#[utoipa::path(post, path = "/api/v1/booking/bookings/{id}/cancel", tag = "booking", params(("id" = i64, Path)),
    responses((status = 200, body = CancelledView), (status = 403), (status = 404),
        (status = 422, description = "after the cutoff, or not a live booking")))]
pub async fn cancel(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
) -> Result<Json<CancelledView>, ApiError> {
    let booking = booking_in_reach(&app, &who, id_param(&raw)?).await?;
    let cancelled = app.store.cancel_booking(&who.caller(), booking.id).await?;
    Ok(Json(CancelledView::from(&cancelled)))
}

/// Checks a confirmed booking in at the site.
#[utoipa::path(post, path = "/api/v1/booking/bookings/{id}/check-in", tag = "booking", params(("id" = i64, Path)),
    responses((status = 200, body = BookingView), (status = 403), (status = 404), (status = 422)))]
pub async fn check_in(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
) -> Result<Json<BookingView>, ApiError> {
    let booking = booking_in_reach(&app, &who, id_param(&raw)?).await?;
    Ok(Json(BookingView::from(&app.store.check_in(&who.caller(), booking.id).await?)))
}

/// A slot's new capacity or blocked state.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SlotChange {
    pub capacity: Option<i64>,
    pub blocked: Option<bool>,
}

/// Changes a slot (`booking.manage`): a capacity below the seats booked is refused with
/// their count; raising it (or unblocking) promotes the waitlist.
#[utoipa::path(patch, path = "/api/v1/booking/slots/{id}", tag = "booking", params(("id" = i64, Path)), request_body = SlotChange,
    responses((status = 200, body = SlotView), (status = 400), (status = 403), (status = 404),
        (status = 409, description = "below the seats already booked")))]
pub async fn change_slot(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
    body: Result<Json<SlotChange>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<SlotView>, ApiError> {
    who.require(&app, Permission::BookingManage).await?;
    let id = id_param(&raw)?;
    let change = body.map(|Json(v)| v).map_err(|e| ApiError::invalid("body", e.body_text()))?;
    if change.capacity.is_some_and(|c| !(0..=10_000).contains(&c)) {
        return Err(ApiError::invalid("capacity", "a capacity is 0 to 10000"));
    }
    app.store.change_slot(&who.caller(), id, change.capacity, change.blocked).await?;
    app.store.promote_waitlist(&who.caller(), id).await?;
    let slot = app.store.slot(id).await?.ok_or_else(|| ApiError::not_found(format!("no slot {id}")))?;
    Ok(Json(SlotView::from(&slot)))
}

/// The site a kiosk key stands at.
#[derive(Debug, Deserialize, ToSchema)]
pub struct KioskBinding {
    /// A site's code, e.g. `elder-centre-1`.
    pub site: String,
}

/// Binds an API key with the `kiosk` scope to the site its kiosk stands at
/// (`booking.manage`); the kiosk pages at any other site refuse it.
#[utoipa::path(put, path = "/api/v1/booking/kiosks/{key_id}", tag = "booking", params(("key_id" = i64, Path)),
    request_body = KioskBinding,
    responses((status = 204), (status = 400, description = "not a kiosk key"), (status = 403), (status = 404)))]
pub async fn bind_kiosk(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
    body: Result<Json<KioskBinding>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    who.require(&app, Permission::BookingManage).await?;
    let id = id_param(&raw)?;
    let Json(binding) = body.map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let key = app.store.api_key(id).await?.ok_or_else(|| ApiError::not_found(format!("no API key {id}")))?;
    if !key.scopes.contains(&ApiScope::Kiosk) || key.revoked_at.is_some() {
        return Err(ApiError::invalid("key_id", format!("key {id} is not a live key with the kiosk scope")));
    }
    let site = site_named(&app, &binding.site).await?;
    app.store.bind_kiosk(&who.caller(), id, site.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The period a statistics request names: `from` and `to` (YYYY-MM-DD, inclusive); by
/// default the last 30 days.
pub fn period(params: &Params) -> Result<(chrono::NaiveDate, chrono::NaiveDate), ApiError> {
    let today = tongxin_store::booking::shanghai_day(Timestamp::now());
    let day = |name: &str, default: chrono::NaiveDate| match params.get(name).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(raw) => chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid(name, format!("'{raw}' is not a date like 2026-12-01"))),
    };
    let (from, to) = (day("from", today - chrono::Days::new(30))?, day("to", today)?);
    if to < from || (to - from).num_days() > 366 {
        return Err(ApiError::invalid("to", "the period runs forward from `from`, at most a year"));
    }
    Ok((from, to))
}

/// Who may read the booking statistics: staff who book or run the catalogue, readers of
/// the operations, and leaders (`stats.read`). Counts only, within the caller's regions.
pub async fn may_read_stats(app: &App, who: &Who) -> Result<(), ApiError> {
    let reads = [Permission::StatsRead, Permission::CasesRead, Permission::BookingManage];
    if reads.into_iter().any(|p| who.actor.can(p)) {
        return Ok(());
    }
    who.require(app, Permission::BookingBook).await
}

/// Bookings of a period by category, service, site, channel and age band; utilisation of
/// the seats offered; the no-show rate.
#[utoipa::path(get, path = "/api/v1/booking/stats", tag = "booking",
    params(("from" = Option<String>, Query, description = "YYYY-MM-DD (default: 30 days ago)"),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD, inclusive (default: today)")),
    responses((status = 200, description = "the figures"), (status = 400), (status = 403)))]
pub async fn stats(
    State(app): State<App>,
    who: ApiCaller,
    params: Params,
) -> Result<Json<tongxin_store::booking::stats::BookingStats>, ApiError> {
    may_read_stats(&app, &who).await?;
    let (from, to) = period(&params)?;
    Ok(Json(app.store.booking_stats(&crate::api::registry::scope(&who), from, to).await?))
}

/// Where to move a booking.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RescheduleBody {
    pub slot_id: i64,
}

/// Moves a booking to another slot in one transaction: the new one is booked under every
/// rule and the old one cancelled (until its cutoff), or nothing changes.
#[utoipa::path(post, path = "/api/v1/booking/bookings/{id}/reschedule", tag = "booking", params(("id" = i64, Path)),
    request_body = RescheduleBody,
    responses((status = 201, body = BookingView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn reschedule(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
    body: Result<Json<RescheduleBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<BookingView>), ApiError> {
    let booking = booking_in_reach(&app, &who, id_param(&raw)?).await?;
    let Json(body) = body.map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let moved = app.store.reschedule(&who.caller(), booking.id, body.slot_id, channel_of(&who)).await?;
    Ok((StatusCode::CREATED, Json(BookingView::from(&moved.booking))))
}
