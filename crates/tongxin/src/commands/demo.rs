//! `tongxin demo`: create the demo subdistrict when the database is empty, then serve it.

use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use tongxin_demo::{DemoOptions, Progress, seed_if_empty};

use super::serve::{bind, serve};
use super::{Schema, open_store, say};
use crate::cli::DemoArgs;
use crate::config::Config;

/// Draws a progress bar on stderr for steps big enough to wait for.
struct Bar(std::sync::Mutex<Option<ProgressBar>>);

impl Progress for Bar {
    fn begin(&self, step: &str, total: u64) {
        if total < 5_000 {
            return;
        }
        let bar = ProgressBar::new(total).with_message(step.to_owned());
        if let Ok(style) = ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta})") {
            bar.set_style(style.progress_chars("=> "));
        }
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(bar);
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = &*self.0.lock().unwrap_or_else(|p| p.into_inner()) {
            bar.inc(n);
        }
    }

    fn end(&self) {
        if let Some(bar) = self.0.lock().unwrap_or_else(|p| p.into_inner()).take() {
            bar.finish_and_clear();
        }
    }
}

pub async fn run(config: &Config, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    // Bind first: a busy port is reported before a minute of data generation.
    let listener = bind(config).await?;
    let store = open_store(config, Schema::Migrate).await?;
    let options = DemoOptions { scale: usize::from(args.scale), seed: args.seed };
    let started = Instant::now();
    match seed_if_empty(&store, &options, &Bar(Default::default())).await? {
        Some(summary) => say(format_args!(
            "Created the demo subdistrict 静安寺街道 in {} ms: {} regions, {} grids, {} buildings.",
            started.elapsed().as_millis(),
            summary.regions,
            summary.grids,
            summary.buildings
        )),
        None => say("The database already holds regions; serving them as they are."),
    }
    serve(config, store, listener, |url| {
        say(format_args!("Open {url}/map for the grid map; the API is described at {url}/api/v1/openapi.json."));
        say("Demo logins: none are needed yet; staff accounts and roles arrive with the access model.");
    })
    .await
}
