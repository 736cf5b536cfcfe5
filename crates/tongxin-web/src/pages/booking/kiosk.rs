//! Kiosk mode (自助终端) at a service site: `/kiosk/{site}`. The device holds a kiosk API
//! key bound to that site (entered once at `/kiosk/{site}`, kept in an HttpOnly cookie); a
//! key bound to another site is refused. A resident signs in with their ID number and kiosk
//! PIN ([`super::kiosk_sign_in`]), or by showing the QR code from their phone
//! (`/me/kiosk-code`) to the scanner; they see only their own data, masked; the site's
//! services come first; they can book, cancel and check in; after 60 idle seconds the page
//! signs them out (and the server forgets the sign-in). Large type (24 px and up) and
//! 64 px targets throughout. This file holds the device and the actions; the page itself
//! is [`super::kiosk_view`].

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tongxin_core::access::ApiScope;
use tongxin_core::booking::Channel;
use tongxin_core::time::Timestamp;
use tongxin_store::audit::Caller;
use tongxin_store::booking::book::BookingRequest;
use tongxin_store::booking::catalog::Site;

use super::BookingLine;
use crate::auth::ClientIp;
use crate::auth::cookies;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageError};
use crate::params::Params;
use crate::{ApiError, App};

const DEVICE: &str = "tongxin_kiosk";
const SIGNED_IN: &str = "tongxin_kiosk_session";

pub fn routes() -> Router<App> {
    Router::new()
        .route("/kiosk/{site}", get(super::kiosk_view::page))
        .route("/kiosk/{site}/enrol", post(enrol))
        .route("/kiosk/{site}/sign-in", post(sign_in))
        .route("/kiosk/{site}/sign-out", post(sign_out))
        .route("/kiosk/{site}/book", post(book_slot))
        .route("/kiosk/{site}/cancel", post(cancel))
        .route("/kiosk/{site}/check-in", post(check_in))
}

/// The kiosk at `site`: its key's caller, or why it cannot serve here.
pub(super) enum Device {
    Ready(Box<Site>, Caller, i64),
    /// No key yet (or a revoked one): enrol.
    Enrol,
}

pub(super) async fn site(app: &App, code: &str) -> Result<Site, ApiError> {
    tongxin_app::booking::site_named(app, code).await.map_err(ApiError::from)
}

pub(super) async fn device(app: &App, headers: &HeaderMap, ip: &str, code: &str) -> Result<Device, ApiError> {
    let here = site(app, code).await?;
    let Some(secret) = cookies::read(headers, DEVICE).filter(|s| !s.is_empty()) else { return Ok(Device::Enrol) };
    let Some(key) = app.store.authenticate_api_key(&secret, Timestamp::now().millis()).await? else {
        return Ok(Device::Enrol);
    };
    check_key(app, &key, &here).await?;
    let mut caller = Caller::new(key.actor(), ip);
    caller.display_name = key.name.clone();
    Ok(Device::Ready(Box::new(here), caller, key.id))
}

/// A key must have the kiosk scope and be bound to this very site.
async fn check_key(app: &App, key: &tongxin_store::access::api_keys::ApiKey, here: &Site) -> Result<(), ApiError> {
    if !key.scopes.contains(&ApiScope::Kiosk) {
        return Err(ApiError::invalid("key", "这个密钥不是自助终端密钥"));
    }
    match app.store.kiosk_site(key.id).await? {
        Some(id) if id == here.id => Ok(()),
        Some(other) => {
            let name = app.store.sites().await?.into_iter().find(|s| s.id == other).map(|s| s.name).unwrap_or_default();
            Err(ApiError::invalid("key", format!("这台终端的密钥属于另一个站点（{name}），不能在{}使用", here.name)))
        }
        None => Err(ApiError::invalid("key", "这个终端密钥还没有绑定站点")),
    }
}

/// The resident signed in at this kiosk, if they used it within the last minute.
pub(super) async fn signed_in(app: &App, headers: &HeaderMap, key: i64) -> Result<Option<i64>, ApiError> {
    match cookies::read(headers, SIGNED_IN).filter(|t| !t.is_empty()) {
        Some(token) => Ok(app.store.kiosk_session(key, &token).await?),
        None => Ok(None),
    }
}

fn back(code: &str, what: &str, text: &str) -> Redirect {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    Redirect::to(&format!("/kiosk/{}?{what}={}", enc(code), enc(text)))
}

async fn enrol(
    State(app): State<App>,
    lang: Lang,
    headers: HeaderMap,
    Path(code): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let done = async {
        let here = site(&app, &code).await?;
        let secret = form.raw("key").trim().to_owned();
        let key = app
            .store
            .authenticate_api_key(&secret, Timestamp::now().millis())
            .await?
            .ok_or_else(|| ApiError::invalid("key", "密钥不对或已作废"))?;
        check_key(&app, &key, &here).await?;
        Ok::<_, ApiError>(secret)
    }
    .await;
    match done {
        Ok(secret) => {
            let mut response = back(&code, "message", lang.catalog().get("kiosk.enrolled")).into_response();
            let cookie = cookies::kiosk(&headers, DEVICE, &secret, Some(366 * 86_400));
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(ApiError::NotFound { .. }) => {
            PageError::from_api(lang, ApiError::not_found("no such site")).into_response()
        }
        Err(e) => back(&code, "error", &crate::pages::booking::shown(lang, &e)).into_response(),
    }
}

async fn sign_in(
    State(app): State<App>,
    lang: Lang,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(code): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let t = lang.catalog();
    let done = async {
        let Device::Ready(_, caller, key) = device(&app, &headers, &ip, &code).await? else {
            return Err(ApiError::invalid("key", t.get("kiosk.not_enrolled")));
        };
        let scanned = form.raw("code").trim();
        if !scanned.is_empty() {
            let found = app.store.use_kiosk_code(scanned).await?;
            let resident = found.ok_or_else(|| ApiError::invalid("code", t.get("kiosk.bad_code")))?;
            return Ok(app.store.open_kiosk_session(&caller, key, resident, "qr", None).await?);
        }
        let signed_in = super::kiosk_sign_in::with_pin(&app, lang, &caller, key, &form).await?;
        let index = Some(signed_in.id_index.as_str());
        Ok::<_, ApiError>(app.store.open_kiosk_session(&caller, key, signed_in.resident, "pin", index).await?)
    }
    .await;
    match done {
        Ok(token) => {
            let mut response = Redirect::to(&format!("/kiosk/{code}")).into_response();
            response.headers_mut().append(header::SET_COOKIE, cookies::kiosk(&headers, SIGNED_IN, &token, None));
            response
        }
        Err(ApiError::NotFound { .. }) => {
            PageError::from_api(lang, ApiError::not_found("no such site")).into_response()
        }
        Err(e) => back(&code, "error", &crate::pages::booking::shown(lang, &e)).into_response(),
    }
}

async fn sign_out(State(app): State<App>, lang: Lang, headers: HeaderMap, Path(code): Path<String>) -> Response {
    if let Some(token) = cookies::read(&headers, SIGNED_IN)
        && let Err(e) = app.store.close_kiosk_session(&token).await
    {
        return PageError::from_api(lang, e).into_response();
    }
    let mut response = back(&code, "message", lang.catalog().get("kiosk.signed_out")).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookies::kiosk(&headers, SIGNED_IN, "", Some(0)));
    response
}

/// The kiosk, the signed-in resident and the booking they name (must be theirs).
async fn theirs(
    app: &App,
    headers: &HeaderMap,
    ip: &str,
    code: &str,
    booking: Option<i64>,
) -> Result<(Caller, i64, Option<tongxin_store::booking::book::Booking>), ApiError> {
    let Device::Ready(_, caller, key) = device(app, headers, ip, code).await? else {
        return Err(ApiError::invalid("key", "not enrolled"));
    };
    let resident = signed_in(app, headers, key).await?.ok_or_else(|| ApiError::invalid("session", "请重新登录"))?;
    let booking = match booking {
        Some(id) => {
            let b = app.store.booking(id).await?.filter(|b| b.resident_id == resident);
            Some(b.ok_or_else(|| ApiError::not_found(format!("no booking {id}")))?)
        }
        None => None,
    };
    Ok((caller, resident, booking))
}

async fn book_slot(
    State(app): State<App>,
    lang: Lang,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(code): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let done = async {
        let (caller, resident, _) = theirs(&app, &headers, &ip, &code, None).await?;
        let request = BookingRequest {
            slot_id: form.require("slot")?,
            resident_id: resident,
            channel: Channel::Kiosk,
            idempotency_key: None,
            waitlist: form.get("waitlist") == Some("1"),
        };
        let b = app.store.book(&caller, &request).await?.booking;
        let line = BookingLine::new(&b, lang);
        Ok::<_, ApiError>(format!("{}：{} · {}", lang.catalog().get("booking.done"), line.service, line.when))
    }
    .await;
    match done {
        Ok(message) => back(&code, "message", &message).into_response(),
        Err(e) => back(&code, "error", &crate::pages::booking::shown(lang, &e)).into_response(),
    }
}

/// What a signed-in resident does to one of their bookings at the kiosk.
#[derive(Clone, Copy)]
enum Act {
    Cancel,
    CheckIn,
}

async fn act(app: &App, lang: Lang, ip: &str, headers: &HeaderMap, code: &str, form: &Params, act: Act) -> Response {
    let done = async {
        let (caller, _, booking) = theirs(app, headers, ip, code, Some(form.require("booking")?)).await?;
        let booking = booking.ok_or_else(|| ApiError::not_found("no booking"))?;
        let (key, booking) = match act {
            Act::Cancel => ("booking.cancelled", app.store.cancel_booking(&caller, booking.id).await?.booking),
            Act::CheckIn => ("kiosk.checked_in", app.store.check_in(&caller, booking.id).await?),
        };
        Ok::<_, ApiError>(format!("{}：{}", lang.catalog().get(key), booking.service_name))
    }
    .await;
    match done {
        Ok(message) => back(code, "message", &message).into_response(),
        Err(e) => back(code, "error", &crate::pages::booking::shown(lang, &e)).into_response(),
    }
}

async fn cancel(
    State(app): State<App>,
    lang: Lang,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(code): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    act(&app, lang, &ip, &headers, &code, &form, Act::Cancel).await
}

async fn check_in(
    State(app): State<App>,
    lang: Lang,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(code): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    act(&app, lang, &ip, &headers, &code, &form, Act::CheckIn).await
}
