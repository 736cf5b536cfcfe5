//! Tongxin over HTTP.
//!
//! # Layout
//!
//! - [`App`] and [`serve`] (this file): the state every handler shares, the router, and
//!   the server loop, started from an already-bound listener and stopped by a future.
//! - [`error`]: [`ApiError`], the one error shape of the JSON API.
//! - [`observe`]: request ids, the request span and the Prometheus metrics.
//! - [`health`]: `/healthz`, `/readyz`, `/metrics`.
//! - [`api`]: the JSON API under `/api/v1`, one folder per capability (`api/geo`) and the
//!   OpenAPI document.
//! - [`pages`]: server-rendered HTML, one folder per capability (`pages/geo`), with
//!   templates in `templates/` and UI text in the message catalogs of [`i18n`].
//! - [`live`]: the in-memory state kept in step with the database, such as the locator.
//! - [`assets`]: static files embedded in the binary.

pub mod api;
pub mod assets;
pub mod error;
pub mod health;
pub mod i18n;
pub mod live;
pub mod observe;
pub mod pages;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tongxin_store::Store;

pub use error::ApiError;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// How often each node checks whether the regions changed in the database.
    pub geo_refresh: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self { geo_refresh: Duration::from_secs(5) }
    }
}

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub geo: Arc<live::LiveLocator>,
    pub metrics: Arc<observe::Metrics>,
    pub config: Arc<WebConfig>,
}

impl App {
    /// Builds the shared state, loading the locator from the database.
    pub async fn new(store: Store, config: WebConfig) -> Result<Self, tongxin_store::StoreError> {
        let metrics = Arc::new(observe::Metrics::new());
        let geo = Arc::new(live::LiveLocator::load(&store).await?);
        metrics.locator_regions.set(geo.current().len() as i64);
        Ok(Self { store, geo, metrics, config: Arc::new(config) })
    }

    pub fn router(&self) -> Router {
        Router::new()
            .merge(health::routes())
            .nest("/api/v1", api::routes())
            .merge(pages::routes())
            .merge(assets::routes())
            .layer(axum::middleware::from_fn_with_state(self.clone(), observe::track))
            .with_state(self.clone())
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes the requests in
/// flight. Background work (the locator refresh) stops with it.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let refresher = tokio::spawn(live::refresh_loop(app.clone(), stop_rx));
    let result = axum::serve(listener, app.router())
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down");
        })
        .await;
    stop_tx.send(true).ok();
    refresher.await.ok();
    result
}
