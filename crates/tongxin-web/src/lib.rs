//! Tongxin over HTTP.
//!
//! # Layout
//!
//! - [`App`] and [`serve`] (this file): the state every handler shares, the router, and
//!   the server loop, started from an already-bound listener and stopped by a future.
//! - [`error`]: [`ApiError`], the one error shape of the JSON API.
//! - [`auth`]: who is calling (session cookie or API key), CSRF, and the checks every
//!   handler makes: a permission (403) and a region scope (404).
//! - [`sms`]: texting phones: residents' sign-in codes and notices, through a generic
//!   HTTP gateway or 阿里云短信 (the demo keeps them in a development inbox instead).
//! - [`secure_headers`]: CSP, frame, referrer, sniffing and permissions headers on every
//!   response, HSTS behind a TLS proxy.
//! - [`text`]: the rules all incoming text meets (UTF-8, no control characters, no
//!   repeated single-valued parameters), and the layer that enforces them.
//! - [`uploads`]: forms with photos, and keeping the photos in the blob store.
//! - [`outbound`]: the HTTP client for calls out (webhook, SMS gateways).
//! - [`notify`]: delivering queued notices through pluggable sinks (log, SMS, webhook).
//! - [`observe`]: request ids, the request span and the Prometheus metrics.
//! - [`health`]: `/healthz`, `/readyz`, `/metrics`.
//! - [`api`]: the JSON API under `/api/v1`, one folder per capability (`api/geo`) and the
//!   OpenAPI document.
//! - [`pages`]: server-rendered HTML, one folder per capability (`pages/geo`), with
//!   templates in `templates/` and UI text in the message catalogs of [`i18n`].
//! - [`registry_import`]: ledgers (台账) in from Excel and CSV, checked row by row.
//! - [`live`]: the in-memory state kept in step with the database, such as the locator.
//! - [`assets`]: static files embedded in the binary.

pub mod api;
pub mod assets;
pub mod auth;
pub mod error;
pub mod health;
pub mod i18n;
pub mod observe;
pub mod open311;
pub mod pages;
pub mod params;
pub mod secure_headers;
pub mod text;
pub mod uploads;

use std::future::Future;

use axum::Router;
use tokio::net::TcpListener;

pub use error::ApiError;
/// The node's settings; the HTTP layer reads them all (the name is older than the crate
/// that now holds them).
pub use tongxin_app::Config as WebConfig;
pub use tongxin_app::{App, StartError};
pub use tongxin_app::{live, notify, outbound, sms};

/// The routes and layers of the whole server.
pub fn router(app: &App) -> Router {
    Router::new()
        .merge(health::routes())
        .nest("/api/v1", api::routes())
        .merge(open311::routes())
        .merge(pages::routes())
        .merge(assets::routes())
        .layer(axum::middleware::from_fn_with_state(app.clone(), auth::authenticate))
        .layer(axum::middleware::from_fn(text::layer::guard))
        .layer(axum::middleware::map_response(text::layer::close_after_too_large))
        .layer(axum::middleware::from_fn_with_state(app.clone(), secure_headers::secure_headers))
        .layer(axum::middleware::from_fn_with_state(app.clone(), observe::track))
        .with_state(app.clone())
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes the requests in
/// flight. Background work (the locator refresh) stops with it.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let refresher = tokio::spawn(live::refresh_loop(app.clone(), stop_rx.clone()));
    let housekeeper = tokio::spawn(live::housekeeping_loop(app.clone(), stop_rx.clone()));
    let overdue = tokio::spawn(live::overdue_loop(app.clone(), stop_rx.clone()));
    let booking = tokio::spawn(live::booking_loop(app.clone(), stop_rx.clone()));
    let notifier = tokio::spawn(notify::notify_loop(app.clone(), app.config.notify_interval, stop_rx));
    let service = router(&app).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = axum::serve(listener, service)
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down");
        })
        .await;
    stop_tx.send(true).ok();
    refresher.await.ok();
    housekeeper.await.ok();
    overdue.await.ok();
    booking.await.ok();
    notifier.await.ok();
    result
}
