//! Tongxin over HTTP: the adapters between requests and the use cases of
//! [`tongxin_app`]. A handler reads its request (JSON, a form, a path, a query string),
//! calls a use case with typed input, and answers its result as JSON or a page; this crate
//! holds no rule of its own beyond how a request is read and answered.
//!
//! # Layout
//!
//! - [`router`] and [`serve`] (this file): the routes and layers, and the server loop,
//!   started from an already-bound listener and stopped by a future. [`App`] and the
//!   settings ([`WebConfig`]) are the use cases' own ([`tongxin_app::App`]).
//! - [`error`]: [`ApiError`], the one error shape of the JSON API, and the one mapping from
//!   the use cases' [`tongxin_app::Error`] to status codes.
//! - [`auth`]: who is calling (session cookie or API key), CSRF, and the extractors that
//!   answer 401 or send to the login page.
//! - [`params`]: what the API and the pages both read from a request: the query string or
//!   form, a region code or an id from the path.
//! - [`secure_headers`]: CSP, frame, referrer, sniffing and permissions headers on every
//!   response, HSTS behind a TLS proxy.
//! - [`text`]: the layer that holds every request to the text rules before a handler runs.
//! - [`uploads`]: forms and JSON bodies with photos.
//! - [`observe`]: request ids, the request span and the metrics of each request.
//! - [`health`]: `/healthz`, `/readyz`, `/metrics`.
//! - [`api`]: the JSON API under `/api/v1`, one folder per capability (`api/cases`), each
//!   file re-exporting the use cases it serves, and the OpenAPI document.
//! - [`pages`]: server-rendered HTML, one folder per capability (`pages/cases`), with
//!   templates in `templates/`; [`i18n`] picks the reader's language.
//! - [`open311`]: the GeoReport v2 door.
//! - [`assets`]: static files embedded in the binary.
//!
//! `api/` and `pages/` never import each other (`tongxin-app/tests/layers.rs` checks it).

use std::future::Future;

use axum::Router;
use tokio::net::TcpListener;

pub use error::ApiError;

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
