//! Who is calling, and may they.
//!
//! The [`authenticate`] middleware runs on every request. It reads a Bearer API key or the
//! session cookie, resolves it to an [`Actor`], checks CSRF on every state-changing request
//! that rides on a session, and leaves an [`Authenticated`] in the request. Handlers then
//! take an [`ApiCaller`] (401 in the JSON shape when nobody is signed in) or a
//! [`PageCaller`] (a redirect to the login page), and ask it [`Who::require`] (403 when a
//! permission is missing) and [`Who::covers`] (404 when the object is outside the caller's
//! regions). Both refusals are written to the audit log.

use std::net::SocketAddr;
use std::ops::Deref;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use tongxin_core::access::{Actor, ActorKind};
use tongxin_core::time::Timestamp;
use tongxin_store::access::Subject;
use tongxin_store::audit::{AuditEntry, Caller, Outcome};
use tongxin_store::notifications::Recipient;

use crate::{ApiError, App};

pub use tongxin_app::access::login;

pub mod cookies;
mod csrf;

/// The result of authentication, present on every request.
#[derive(Clone)]
pub struct Authenticated(pub Option<Who>);

pub use tongxin_app::caller::Who;

/// A caller of the JSON API. Nobody signed in: 401 in the error shape.
pub struct ApiCaller(pub Who);

impl Deref for ApiCaller {
    type Target = Who;
    fn deref(&self) -> &Who {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Authenticated>() {
            Some(Authenticated(Some(who))) => Ok(ApiCaller(who.clone())),
            _ => Err(ApiError::Unauthenticated),
        }
    }
}

/// A reader of the pages. Nobody signed in: off to the login page, and back afterwards.
pub struct PageCaller(pub Who);

impl Deref for PageCaller {
    type Target = Who;
    fn deref(&self) -> &Who {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Authenticated>() {
            Some(Authenticated(Some(who))) => Ok(PageCaller(who.clone())),
            _ => {
                let here = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
                let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
                Err(Redirect::to(&format!("/login?next={next}")).into_response())
            }
        }
    }
}

/// The client's address as [`client_ip`] found it.
#[derive(Clone)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<ClientIp>().cloned().unwrap_or(ClientIp(String::new())))
    }
}

/// Whoever may be signed in: pages that also serve visitors (the login page) take this.
pub struct MaybeCaller(pub Option<Who>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeCaller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeCaller(parts.extensions.get::<Authenticated>().and_then(|a| a.0.clone())))
    }
}

/// The client's address: the peer, or with `trust_proxy` the first `X-Forwarded-For` hop.
pub fn client_ip(headers: &HeaderMap, peer: Option<SocketAddr>, trust_proxy: bool) -> String {
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().chars().take(64).collect::<String>())
        .filter(|v| trust_proxy && !v.is_empty());
    forwarded.or_else(|| peer.map(|p| p.ip().to_string())).unwrap_or_default()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// The middleware: identify the caller, refuse bad keys and forged form posts.
pub async fn authenticate(State(app): State<App>, request: Request, next: Next) -> Response {
    // Stylesheets and probes need nobody: spare them the session lookup.
    let path = request.uri().path();
    if path.starts_with("/static/") || matches!(path, "/healthz" | "/readyz" | "/metrics") {
        let mut request = request;
        request.extensions_mut().insert(Authenticated(None));
        return next.run(request).await;
    }
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let ip = client_ip(request.headers(), peer, app.config.trust_proxy);
    // Open311 takes its api_key in the query or the form, never a cookie: no session is
    // read and no CSRF token asked (any site's app may post).
    if path.starts_with("/open311/") {
        let mut request = request;
        request.extensions_mut().insert(Authenticated(None));
        request.extensions_mut().insert(ClientIp(ip));
        return next.run(request).await;
    }
    let now = Timestamp::now().millis();
    let (mut who, stale_cookie) = match identify(&app, request.headers(), &ip, now).await {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    if !path.starts_with("/api/")
        && let Some(who) = who.as_mut()
    {
        match count_unread(&app, who).await {
            Ok(unread) => who.unread = unread,
            Err(e) => return e.into_response(),
        }
    }
    let headers = request.headers().clone();
    let request = match csrf::check(&app, who.as_ref(), request).await {
        Ok(request) => request,
        Err(e) => return e.into_response(),
    };
    let mut request = request;
    request.extensions_mut().insert(Authenticated(who));
    request.extensions_mut().insert(ClientIp(ip));
    let mut response = next.run(request).await;
    if stale_cookie && !response.headers().contains_key(header::SET_COOKIE) {
        // Forget a dead session cookie, so it is reported once, not on every page.
        response.headers_mut().insert(header::SET_COOKIE, cookies::clear_session(&headers));
    }
    response
}

/// A page reader's unread notifications: one count query, for people signed in with a
/// session (an API key has no inbox).
async fn count_unread(app: &App, who: &Who) -> Result<Option<i64>, ApiError> {
    let recipient = match who.actor.kind {
        _ if who.session.is_none() => return Ok(None),
        ActorKind::Staff => Recipient::Staff(who.actor.id),
        ActorKind::Resident => Recipient::Resident(who.actor.id),
        _ => return Ok(None),
    };
    Ok(Some(app.store.unread_notifications(recipient).await?))
}

/// The caller, and whether the request carried a session cookie that leads nowhere (forged,
/// expired, ended, or of a disabled account), which is recorded as a failed sign-in.
async fn identify(app: &App, headers: &HeaderMap, ip: &str, now: i64) -> Result<(Option<Who>, bool), ApiError> {
    if let Some(secret) = bearer(headers) {
        let Some(key) = app.store.authenticate_api_key(secret, now).await? else {
            let caller = Caller::new(Actor::system("unknown api key"), ip);
            let entry = AuditEntry::ok("auth.api_key", "api_key", "").with_outcome(Outcome::Failed);
            app.store.audit(&caller, entry).await?;
            return Err(ApiError::Unauthenticated);
        };
        return Ok((
            Some(Who {
                actor: key.actor(),
                display_name: key.name.clone(),
                ip: ip.into(),
                session: None,
                unread: None,
            }),
            false,
        ));
    }
    let Some(token) = cookies::read(headers, cookies::SESSION).filter(|t| !t.is_empty()) else {
        return Ok((None, false));
    };
    let session = app.store.session(&token, now).await?;
    let who = match session.as_ref().map(|s| s.subject) {
        None => None,
        Some(Subject::Staff(id)) => match app.store.user(id).await? {
            Some(user) if !user.disabled => Some(Who {
                actor: user.actor(),
                display_name: user.display_name.clone(),
                ip: ip.into(),
                session,
                unread: None,
            }),
            _ => None,
        },
        Some(Subject::Resident(id)) => match app.store.resident_account(id).await? {
            Some(account) if !account.disabled => Some(Who {
                actor: account.actor(),
                display_name: account.phone_masked.clone(),
                ip: ip.into(),
                session,
                unread: None,
            }),
            _ => None,
        },
    };
    if who.is_none() {
        let caller = Caller::new(Actor::system("session cookie"), ip);
        let entry = AuditEntry::ok("auth.session", "session", "")
            .with_outcome(Outcome::Failed)
            .with_detail(json!({ "reason": "unknown, expired or ended session" }));
        app.store.audit(&caller, entry).await?;
    }
    let stale = who.is_none();
    Ok((who, stale))
}
