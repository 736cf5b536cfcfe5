//! `POST /auth/login`, `/auth/logout`, `/auth/otp`, `/auth/resident-login` and `GET /me`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use tongxin_core::access::ActorKind;

use crate::auth::{ApiCaller, MaybeCaller, cookies, login};
use crate::{ApiError, App};

pub use tongxin_app::access::auth::*;

fn with_cookie(headers: &HeaderMap, token: &str, body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookies::session(headers, token));
    response
}

fn body<T: for<'de> Deserialize<'de>>(
    raw: Result<Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, ApiError> {
    raw.map(|Json(v)| v).map_err(|e| ApiError::invalid("body", e.body_text()))
}

/// Signs a staff member in and sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "access", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, description = "wrong credentials (invalid_credentials), or the TOTP code is needed (totp_required)"),
        (status = 423, description = "locked after 5 failures; details.until says until when")))]
pub async fn login(
    State(app): State<App>,
    MaybeCaller(existing): MaybeCaller,
    headers: HeaderMap,
    ip: crate::auth::ClientIp,
    raw: Result<Json<LoginRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let request = body(raw)?;
    if let Some(previous) = existing {
        login::sign_out(&app, &previous).await?;
    }
    let signed_in = login::staff(&app, &ip.0, &request.username, &request.password, request.totp.as_deref()).await?;
    let who = crate::auth::Who {
        actor: signed_in.account.actor(),
        display_name: signed_in.account.display_name.clone(),
        ip: ip.0,
        session: Some(signed_in.session.clone()),
        unread: None,
    };
    let response = LoginResponse { user: describe(&who), csrf_token: signed_in.session.csrf_token };
    Ok(with_cookie(&headers, &signed_in.token, Json(response)))
}

/// Ends the caller's session and clears the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "access", responses((status = 204), (status = 401), (status = 403, description = "missing X-CSRF-Token")))]
pub async fn logout(State(app): State<App>, who: ApiCaller, headers: HeaderMap) -> Result<Response, ApiError> {
    login::sign_out(&app, &who).await?;
    Ok(([(header::SET_COOKIE, cookies::clear_session(&headers))], StatusCode::NO_CONTENT).into_response())
}

/// The signed-in caller: roles, permissions and regions.
#[utoipa::path(get, path = "/api/v1/me", tag = "access", responses((status = 200, body = Me), (status = 401)))]
pub async fn me(who: ApiCaller) -> Json<Me> {
    Json(describe(&who))
}

/// Sends a resident a one-time sign-in code by SMS.
#[utoipa::path(post, path = "/api/v1/auth/otp", tag = "access", request_body = CodeRequest,
    responses((status = 202, description = "sent (the same answer whether or not an account exists)"), (status = 400),
        (status = 404, description = "resident sign-in is off (resident_login_off)"),
        (status = 429, description = "asked again too soon, or the SMS gateway's limit for the number"),
        (status = 503, description = "the SMS gateway did not take the code")))]
pub async fn send_code(
    State(app): State<App>,
    ip: crate::auth::ClientIp,
    raw: Result<Json<CodeRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let request = body(raw)?;
    login::send_code(&app, &ip.0, &phone(&request.phone)?).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "sent": true, "expires_in_seconds": 300 }))).into_response())
}

/// Signs a resident in with the code; the first sign-in creates the account.
#[utoipa::path(post, path = "/api/v1/auth/resident-login", tag = "access", request_body = ResidentLoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401), (status = 404, description = "resident sign-in is off"),
        (status = 429)))]
pub async fn resident_login(
    State(app): State<App>,
    headers: HeaderMap,
    ip: crate::auth::ClientIp,
    raw: Result<Json<ResidentLoginRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let request = body(raw)?;
    let signed_in = login::resident(&app, &ip.0, &phone(&request.phone)?, &request.code).await?;
    let account = &signed_in.account;
    let user = Me {
        kind: ActorKind::Resident.as_str().into(),
        id: account.id,
        name: account.phone_masked.clone(),
        display_name: account.phone_masked.clone(),
        roles: vec![],
        permissions: vec![],
        regions: Some(vec![]),
    };
    let response = LoginResponse { user, csrf_token: signed_in.session.csrf_token.clone() };
    Ok(with_cookie(&headers, &signed_in.token, Json(response)))
}
