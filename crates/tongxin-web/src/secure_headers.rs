//! Browser security headers on every response, from one layer:
//!
//! - `Content-Security-Policy`: everything from this origin only, no inline script or
//!   style, no plugins, forms posting only here, and `frame-ancestors 'none'` so no other
//!   site can frame the dispatch, reveal or admin pages (clickjacking);
//! - `X-Frame-Options: DENY` for browsers that predate `frame-ancestors`;
//! - `Referrer-Policy: same-origin`: search URLs that hold residents' names never leave in
//!   a `Referer`;
//! - `X-Content-Type-Options: nosniff`;
//! - `Permissions-Policy`: only geolocation, and only for this origin (the report page's
//!   "use my position"); camera, microphone and the rest are off (photos come through a
//!   file input, which needs none);
//! - `Strict-Transport-Security` when the request came over TLS, which a trusted proxy
//!   says with `X-Forwarded-Proto: https` (`trust_proxy`).
//!
//! The kiosk and the big screen need no exception: their scripts are files under
//! `/static`, and the map and charts are SVG drawn by the server.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::App;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

pub const PERMISSIONS_POLICY: &str = "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), \
     accelerometer=(), gyroscope=(), magnetometer=(), display-capture=()";

/// HSTS for a year, once a browser has reached the site over TLS. For this host only: an
/// office's other services on sibling names may not speak TLS yet, and `includeSubDomains`
/// would cut them off for a year.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// The middleware: see the module's doc.
pub async fn secure_headers(State(app): State<App>, request: Request, next: Next) -> Response {
    let over_tls = app.config.trust_proxy
        && request.headers().get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "same-origin");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(HeaderName::from_static("permissions-policy"), PERMISSIONS_POLICY);
    if over_tls {
        set(header::STRICT_TRANSPORT_SECURITY, STRICT_TRANSPORT_SECURITY);
    }
    response
}
