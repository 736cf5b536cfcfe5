//! `POST /auth/login`, `/auth/logout`, `/auth/otp`, `/auth/resident-login` and `GET /me`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tongxin_core::access::ActorKind;
use tongxin_core::pii::PhoneNumber;
use utoipa::ToSchema;

use crate::auth::{ApiCaller, MaybeCaller, cookies, login};
use crate::{ApiError, App};

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(example = "admin")]
    pub username: String,
    pub password: String,
    /// The 6-digit code from the authenticator app, for accounts with two-factor login.
    pub totp: Option<String>,
}

/// The signed-in caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// staff, resident or api_key
    pub kind: String,
    pub id: i64,
    /// Username, key name, or a resident's masked phone.
    pub name: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub permissions: Vec<String>,
    /// The region codes the caller is bound to; null for every region.
    pub regions: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub user: Me,
    /// Send it as `X-CSRF-Token` with every state-changing call made with the cookie.
    pub csrf_token: String,
}

pub fn describe(who: &crate::auth::Who) -> Me {
    let actor = &who.actor;
    Me {
        kind: actor.kind.as_str().into(),
        id: actor.id,
        name: actor.name.clone(),
        display_name: who.display_name.clone(),
        roles: actor.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        permissions: actor.permissions.iter().map(|p| p.as_str().to_owned()).collect(),
        regions: actor.scope.roots().map(|r| r.iter().map(|c| c.to_string()).collect()),
    }
}

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

#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeRequest {
    #[schema(example = "13812345678")]
    pub phone: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResidentLoginRequest {
    pub phone: String,
    #[schema(example = "123456")]
    pub code: String,
}

fn phone(raw: &str) -> Result<PhoneNumber, ApiError> {
    PhoneNumber::parse(raw).map_err(|e| ApiError::invalid("phone", e.to_string()))
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
