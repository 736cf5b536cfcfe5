//! Tongxin's use cases: what a request does, whichever door it came through. The JSON
//! API, the pages, Open311, the command line, the benches and the background jobs all
//! call these functions; none of them knows about HTTP (no extractors, status codes or
//! HTML). Their inputs are typed, and they answer typed results or an [`Error`] in the
//! domain's terms, which each door shows in its own way.
//!
//! # Layout
//!
//! - [`App`] (this file) and [`config`]: the state every use case shares, built once per
//!   node, and the node's settings.
//! - [`error`]: [`Error`], why a use case refused or failed.
//! - [`caller`]: [`caller::Who`], the signed-in caller, with the permission and region
//!   checks every use case makes (both refusals audited).
//! - [`params`]: named text parameters (a query string, a form, command-line options)
//!   read so that a bad one names itself.
//! - [`text`]: the rules all incoming text meets.
//! - [`cases`]: intake, the 12345 batch, listing filters, placing, steps, photos, merge
//!   and export of cases.
//! - [`campaigns`]: campaigns created over regions, their progress, and the grid
//!   worker's visits, each recorded once.
//! - [`booking`]: booking commands that are more than one store call, and who may see a
//!   booking.
//! - [`registry`]: the registry's shared reads: the caller's scope, a resident in reach.
//! - [`registry_import`]: ledgers (台账) in from Excel and CSV, checked row by row, as
//!   jobs with progress.
//! - [`sms`], [`notify`], [`outbound`]: texting phones, delivering queued notices through
//!   sinks (log, SMS, webhook), and the HTTP client for calls out.
//! - [`live`]: the in-memory state kept in step with the database (the locator, the
//!   calendar) and the node's background jobs.
//! - [`limits`]: per-client rate limits on the public door.
//! - [`observe`]: the request id and the Prometheus metrics.

use std::sync::Arc;

use tongxin_core::pii::{PiiCipher, SecretKey};
use tongxin_store::Store;
use tongxin_store::blobs::Blobs;

pub use config::Config;
pub use error::Error;

pub mod access;
pub mod booking;
pub mod caller;
pub mod campaigns;
pub mod cases;
pub mod config;
pub mod error;
pub mod geo;
pub mod i18n;
pub mod labels;
pub mod limits;
pub mod live;
pub mod notifications;
pub mod notify;
pub mod observe;
pub mod outbound;
pub mod params;
pub mod registry;
pub mod registry_import;
pub mod sms;
pub mod text;
pub mod uploads;

/// Why a node's state could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] tongxin_store::StoreError),
    #[error("the notification webhook cannot be set up: {0}")]
    Webhook(String),
    #[error("the SMS gateway cannot be set up: {0}")]
    Sms(String),
}

/// What every use case can reach. Cheap to clone.
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
    pub open311_limits: Arc<limits::Limits>,
    /// Ledger imports started on this node.
    pub imports: Arc<registry_import::Jobs>,
    pub config: Arc<Config>,
}

impl App {
    /// Builds the shared state, loading the locator from the database.
    pub async fn new(store: Store, config: Config, key: &SecretKey) -> Result<Self, StartError> {
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
            open311_limits: Arc::new(limits::Limits::new(
                config.open311.per_ip_per_minute,
                config.open311.per_key_per_minute,
            )),
            imports: Arc::new(registry_import::Jobs::default()),
            config: Arc::new(config),
        })
    }
}
