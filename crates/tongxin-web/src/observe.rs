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
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tracing::Instrument;

use crate::App;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served, or `-` outside a request.
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_else(|_| "-".into())
}

/// A caller's id is reused when it is short and plain, so ids can follow a request
/// across systems without letting anyone inject text into the logs.
fn caller_id(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    (!s.is_empty() && s.len() <= 64 && s.chars().all(plain)).then(|| s.to_owned())
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

/// The Prometheus registry and the metrics this layer records.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram>,
    /// Polygons in the live locator.
    pub locator_regions: Gauge,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("tongxin");
        let requests = Family::<RequestLabels, Counter>::default();
        let durations = Family::<RouteLabels, Histogram>::new_with_constructor(
            (|| Histogram::new(exponential_buckets(0.0005, 2.0, 16))) as fn() -> Histogram,
        );
        let locator_regions = Gauge::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer an HTTP request", durations.clone());
        registry.register("locator_regions", "Region polygons in the in-memory locator", locator_regions.clone());
        Self { registry, requests, durations, locator_regions }
    }

    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
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

    let mut response = REQUEST_ID.scope(id.clone(), next.run(request).instrument(span.clone())).await;

    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    span.in_scope(|| tracing::info!(status, path = %path, millis = elapsed.as_millis() as u64, "answered"));
    app.metrics.requests.get_or_create(&RequestLabels { method: method.clone(), route: route.clone(), status }).inc();
    app.metrics.durations.get_or_create(&RouteLabels { method, route }).observe(elapsed.as_secs_f64());
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

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::new();
        m.locator_regions.set(193);
        let text = m.render();
        assert!(text.contains("tongxin_locator_regions 193"), "{text}");
    }
}
