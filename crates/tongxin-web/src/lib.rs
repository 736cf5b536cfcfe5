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
pub mod live;
pub mod notify;
pub mod observe;
pub mod open311;
pub mod outbound;
pub mod pages;
pub mod registry_import;
pub mod secure_headers;
pub mod sms;
pub mod text;
pub mod uploads;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tongxin_core::cases::calendar::WorkingHours;
use tongxin_core::pii::{PiiCipher, SecretKey};
use tongxin_store::Store;
use tongxin_store::blobs::{BlobConfig, Blobs};

pub use error::ApiError;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// How often each node checks whether the regions changed in the database.
    pub geo_refresh: Duration,
    /// Take the client address from `X-Forwarded-For` (behind a reverse proxy).
    pub trust_proxy: bool,
    /// How phones are texted: a gateway, the development inbox at `/dev/sms` (the demo
    /// only: anyone who can read it can sign in as any resident), or not at all.
    pub sms: sms::SmsConfig,
    /// Residents may sign in with a code sent to their phone.
    pub resident_login: bool,
    /// Days the audit log is kept; at least 180.
    pub audit_retention_days: u32,
    /// The working periods of a working day, for deadlines.
    pub working_hours: WorkingHours,
    /// A new case within this distance (metres) and time (hours) of an open case of the
    /// same category is flagged as a duplicate.
    pub duplicate_radius_m: f64,
    pub duplicate_window_hours: i64,
    /// Where case photos are kept.
    pub photos: BlobConfig,
    /// Where notices are also posted, signed; none by default.
    pub webhook: Option<notify::WebhookConfig>,
    /// How often each node delivers queued notices.
    pub notify_interval: Duration,
    /// The Open311 door: its style and rate limits.
    pub open311: open311::Open311Config,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            geo_refresh: Duration::from_secs(5),
            trust_proxy: false,
            sms: sms::SmsConfig::None,
            resident_login: true,
            audit_retention_days: 365,
            working_hours: WorkingHours::default(),
            duplicate_radius_m: 50.0,
            duplicate_window_hours: 72,
            photos: BlobConfig::Directory("data/photos".into()),
            webhook: None,
            notify_interval: Duration::from_secs(5),
            open311: open311::Open311Config::default(),
        }
    }
}

/// Why a server could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] tongxin_store::StoreError),
    #[error("the notification webhook cannot be set up: {0}")]
    Webhook(String),
    #[error("the SMS gateway cannot be set up: {0}")]
    Sms(String),
}

impl WebConfig {
    /// Whether sent SMS are kept for the `/dev/sms` page.
    pub fn dev_inbox(&self) -> bool {
        matches!(self.sms, sms::SmsConfig::DevInbox)
    }
}

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    /// Seals, opens and indexes personal fields.
    pub pii: Arc<PiiCipher>,
    pub sms: Arc<dyn sms::SmsSender>,
    /// The working-time calendar (shipped years plus the database's overrides).
    pub calendar: Arc<live::LiveCalendar>,
    pub geo: Arc<live::LiveLocator>,
    pub metrics: Arc<observe::Metrics>,
    /// Case photos (a directory or an S3 bucket).
    pub blobs: Blobs,
    /// The channels notices go out through.
    pub sinks: Arc<Vec<Box<dyn notify::Sink>>>,
    /// This node's Open311 rate limits.
    pub open311_limits: Arc<open311::limit::Limits>,
    /// Ledger imports started on this node.
    pub imports: Arc<registry_import::Jobs>,
    pub config: Arc<WebConfig>,
}

impl App {
    /// Builds the shared state, loading the locator from the database.
    pub async fn new(store: Store, config: WebConfig, key: &SecretKey) -> Result<Self, StartError> {
        let metrics = Arc::new(observe::Metrics::new());
        let geo = Arc::new(live::LiveLocator::load(&store).await?);
        metrics.locator_regions.set(geo.current().len() as i64);
        let sms = sms::sender(&config.sms, &store).map_err(StartError::Sms)?;
        let untexted: Vec<&str> = sms::KINDS.iter().map(|(k, _)| *k).filter(|k| !sms.carries(k)).collect();
        tracing::info!(sender = sms.name(), not_texted = %untexted.join(","), "SMS");
        let sinks = notify::sinks(sms.clone(), config.webhook.clone()).map_err(StartError::Webhook)?;
        let calendar = Arc::new(live::LiveCalendar::load(&store, config.working_hours.clone()).await?);
        let blobs = Blobs::open(&config.photos)?;
        Ok(Self {
            store,
            pii: Arc::new(PiiCipher::new(key)),
            sms,
            calendar,
            geo,
            metrics,
            blobs,
            sinks: Arc::new(sinks),
            open311_limits: Arc::new(open311::limit::Limits::new(
                config.open311.per_ip_per_minute,
                config.open311.per_key_per_minute,
            )),
            imports: Arc::new(registry_import::Jobs::default()),
            config: Arc::new(config),
        })
    }

    pub fn router(&self) -> Router {
        Router::new()
            .merge(health::routes())
            .nest("/api/v1", api::routes())
            .merge(open311::routes())
            .merge(pages::routes())
            .merge(assets::routes())
            .layer(axum::middleware::from_fn_with_state(self.clone(), auth::authenticate))
            .layer(axum::middleware::from_fn(text::layer::guard))
            .layer(axum::middleware::from_fn_with_state(self.clone(), secure_headers::secure_headers))
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
    let refresher = tokio::spawn(live::refresh_loop(app.clone(), stop_rx.clone()));
    let housekeeper = tokio::spawn(live::housekeeping_loop(app.clone(), stop_rx.clone()));
    let overdue = tokio::spawn(live::overdue_loop(app.clone(), stop_rx.clone()));
    let booking = tokio::spawn(live::booking_loop(app.clone(), stop_rx.clone()));
    let notifier = tokio::spawn(notify::notify_loop(app.clone(), app.config.notify_interval, stop_rx));
    let service = app.router().into_make_service_with_connect_info::<std::net::SocketAddr>();
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
