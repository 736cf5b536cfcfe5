//! What operators see: a request id on every request (taken from `x-request-id` when the
//! caller sends a sane one, else made here, and always echoed back), one tracing span per
//! request carrying it, one log line per request, and Prometheus metrics.
//!
//! Only the path is logged, never the query string or body, which may carry personal data.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tongxin_app::observe::with_request_id;
use tracing::Instrument;

use crate::App;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

pub use tongxin_app::observe::{Metrics, current_request_id};

/// A caller's id is reused when it is short and plain, so ids can follow a request
/// across systems without letting anyone inject text into the logs.
fn caller_id(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    (!s.is_empty() && s.len() <= 64 && s.chars().all(plain)).then(|| s.to_owned())
}

/// The middleware: id, span, log line, metrics.
pub async fn track(State(app): State<App>, request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(caller_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let method = request.method().to_string();
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let path = request.uri().path().to_owned();
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let started = Instant::now();

    let mut response = with_request_id(id.clone(), next.run(request).instrument(span.clone())).await;

    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    span.in_scope(|| tracing::info!(status, path = %path, millis = elapsed.as_millis() as u64, "answered"));
    app.metrics.answered(method, route, status, elapsed);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_only_plain_caller_ids() {
        assert_eq!(caller_id(&HeaderValue::from_static("abc-123_x.y")), Some("abc-123_x.y".into()));
        assert_eq!(caller_id(&HeaderValue::from_static("a b")), None);
        assert_eq!(caller_id(&HeaderValue::from_str(&"x".repeat(65)).unwrap()), None);
    }
}
