//! One door for services over HTTP (`/api/v1/booking/…`): the catalogue, slots by service
//! and day, and bookings — made through one function for every channel, so each records
//! its channel and the acting user. Staff book with `booking.book` for residents in their
//! regions, and residents signed in with their phone for themselves and the elders who
//! linked their phone (anyone else is the same 404 as no one); the booking POST takes an
//! `Idempotency-Key`, and a retry with the same key gets the first booking back.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tongxin_core::access::{ApiScope, Permission};
use tongxin_core::booking::idempotency_key;
use tongxin_core::time::Timestamp;
use tongxin_store::booking::slots::SlotFilter;

use crate::auth::ApiCaller;
use crate::params::Params;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::booking::*;

pub mod admin;

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
