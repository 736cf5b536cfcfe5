//! CSRF protection. A state-changing request that rides on a session cookie must carry the
//! session's token: JSON calls in the `X-CSRF-Token` header, HTML forms (urlencoded or
//! multipart, with photos) in a `_csrf` field. Requests with an API key carry no cookie and need none. Sign-in forms, which
//! have no session yet, must come from this site (checked by `Origin`/`Referer`); the
//! SameSite=Lax cookie does the rest.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{Method, header};
use serde_json::json;
use tongxin_core::access::token::same;
use tongxin_store::audit::{AuditEntry, Outcome};

use super::Who;
use crate::uploads::MAX_UPLOAD_BYTES;
use crate::{ApiError, App};

/// Form bodies are read here to find `_csrf`; nothing legitimate is larger.
const MAX_FORM_BYTES: usize = 256 * 1024;

pub async fn check(app: &App, who: Option<&Who>, request: Request) -> Result<Request, ApiError> {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(request);
    }
    let Some(session) = who.and_then(|w| w.session.as_ref()) else {
        return if who.is_some() || same_origin(&request) { Ok(request) } else { Err(ApiError::CsrfRejected) };
    };
    if let Some(token) = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if same(token, &session.csrf_token) { Ok(request) } else { refuse(app, who).await };
    }
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let multipart = content_type.starts_with("multipart/form-data");
    if !multipart && !content_type.starts_with("application/x-www-form-urlencoded") {
        return refuse(app, who).await;
    }
    let (parts, body) = request.into_parts();
    let limit = if multipart { MAX_UPLOAD_BYTES } else { MAX_FORM_BYTES };
    let bytes = to_bytes(body, limit).await.map_err(|_| ApiError::invalid("body", "the form is too large"))?;
    let token = if multipart {
        multipart_token(&parts, &bytes).await
    } else {
        form_urlencoded::parse(&bytes).find(|(k, _)| k == "_csrf").map(|(_, v)| v.into_owned())
    };
    if token.is_some_and(|t| same(&t, &session.csrf_token)) {
        Ok(Request::from_parts(parts, Body::from(bytes)))
    } else {
        refuse(app, who).await
    }
}

/// The `_csrf` field of a multipart form (the pages put it first).
async fn multipart_token(parts: &axum::http::request::Parts, bytes: &axum::body::Bytes) -> Option<String> {
    let mut head = axum::http::Request::builder().method(parts.method.clone()).uri(parts.uri.clone());
    if let Some(value) = parts.headers.get(header::CONTENT_TYPE) {
        head = head.header(header::CONTENT_TYPE, value);
    }
    let request = head.body(Body::from(bytes.clone())).ok()?;
    let mut form = axum::extract::Multipart::from_request(request, &()).await.ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("_csrf") {
            return field.text().await.ok();
        }
    }
    None
}

async fn refuse(app: &App, who: Option<&Who>) -> Result<Request, ApiError> {
    if let Some(who) = who {
        let entry = AuditEntry::ok("access.csrf", "request", crate::observe::current_request_id())
            .with_outcome(Outcome::Denied)
            .with_detail(json!({}));
        app.store.audit(&who.caller(), entry).await?;
    }
    Err(ApiError::CsrfRejected)
}

/// Whether a request without a session comes from a page of this site. Browsers send
/// `Origin` on cross-site POSTs; clients that send neither header are not browsers.
fn same_origin(request: &Request) -> bool {
    let host = request.headers().get(header::HOST).and_then(|v| v.to_str().ok());
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .or_else(|| request.headers().get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    match (origin, host) {
        (None, _) => true,
        (Some(origin), Some(host)) => {
            let rest = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            rest.split('/').next() == Some(host)
        }
        (Some(_), None) => false,
    }
}
