//! `tongxin serve`: serve the pages and APIs until SIGTERM or Ctrl-C.

use std::process::ExitCode;

use anyhow::Context;
use tokio::net::TcpListener;
use tongxin_core::pii::SecretKey;
use tongxin_store::Store;
use tongxin_web::sms::SmsConfig;
use tongxin_web::{App, WebConfig};

use super::{Schema, open_store, say};
use crate::config::Config;

pub async fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let key = config.secret_key()?;
    config.check_serve_sms()?;
    let store = open_store(config, Schema::Serve).await?;
    let listener = bind(config).await?;
    serve(config, store, listener, &key, false, |_| {}).await
}

pub async fn bind(config: &Config) -> anyhow::Result<TcpListener> {
    TcpListener::bind(config.listen).await.with_context(|| format!("cannot listen on {}", config.listen))
}

/// Serves `store` on `listener`; `announce` prints what the operator needs once the
/// server is ready, given its base URL.
///
/// With `dev_inbox` and no gateway configured, SMS are kept for the `/dev/sms` page (the
/// demo only).
pub async fn serve(
    config: &Config,
    store: Store,
    listener: TcpListener,
    key: &SecretKey,
    dev_inbox: bool,
    announce: impl FnOnce(&str),
) -> anyhow::Result<ExitCode> {
    let web = WebConfig {
        geo_refresh: config.geo_refresh,
        trust_proxy: config.trust_proxy,
        sms: match &config.sms {
            SmsConfig::None if dev_inbox => SmsConfig::DevInbox,
            configured => configured.clone(),
        },
        resident_login: config.resident_login,
        audit_retention_days: config.audit_retention_days,
        working_hours: config.working_hours.clone(),
        duplicate_radius_m: config.duplicate_radius_m,
        duplicate_window_hours: config.duplicate_window_hours,
        photos: config.photos.clone(),
        webhook: config.webhook.clone(),
        open311: config.open311.clone(),
        ..WebConfig::default()
    };
    let app = App::new(store.clone(), web, key).await?;
    // A wrong bucket or key is one clear error now, not a failed upload later.
    app.blobs.check().await.with_context(|| format!("the photo store ({:?}) does not work", config.photos))?;
    let address = listener.local_addr()?;
    let url = format!("http://{address}");
    say(format_args!("Tongxin is serving at {url}/ ({} database)", store.backend().as_str()));
    let jurisdictions = tongxin_web::open311::jurisdictions(&app).await?;
    let ids: Vec<String> = jurisdictions.iter().map(|j| format!("{} ({})", j.id, j.name)).collect();
    say(format_args!("Open311 GeoReport v2 at {url}/open311/v2/discovery.json; jurisdiction_id: {}", ids.join(", ")));
    announce(&url);
    tracing::info!(%address, "listening");
    tongxin_web::serve(listener, app, shutdown_signal()).await.context("the server stopped with an error")?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
