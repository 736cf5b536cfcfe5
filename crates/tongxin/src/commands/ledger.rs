//! `tongxin import KIND FILE`: a ledger (台账) in from Excel or CSV, with a progress bar,
//! the same checks and transaction as the upload page, and the error report written
//! beside the file.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use tongxin_app::registry_import::{self, Options, Progress};

use super::cases::{app, console};
use super::say;
use crate::cli::LedgerImportArgs;
use crate::config::Config;

fn bar(progress: &Progress, bar: &mut Option<(ProgressBar, &'static str)>) {
    let phase = progress.phase();
    let total = progress.total.load(std::sync::atomic::Ordering::Relaxed) as u64;
    if bar.as_ref().is_none_or(|(_, p)| *p != phase) {
        if let Some((old, _)) = bar.take() {
            old.finish_and_clear();
        }
        if phase == "checking" || phase == "writing" {
            let label = if phase == "checking" { "checking" } else { "writing" };
            let b = ProgressBar::new(total).with_message(label);
            if let Ok(style) = ProgressStyle::with_template("{msg:>9} [{bar:40}] {pos}/{len} rows ({eta})") {
                b.set_style(style.progress_chars("=> "));
            }
            *bar = Some((b, phase));
        }
    }
    if let Some((b, _)) = bar {
        b.set_position(progress.done.load(std::sync::atomic::Ordering::Relaxed) as u64);
    }
}

pub async fn import(config: &Config, args: &LedgerImportArgs) -> anyhow::Result<ExitCode> {
    let kind: registry_import::Kind = args.kind.parse().map_err(|e: String| anyhow::anyhow!(e))?;
    let mode: registry_import::Mode = args.mode.parse().map_err(|e: String| anyhow::anyhow!("--mode: {e}"))?;
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let file_name = args.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let options = Options { kind, mode, dry_run: args.dry_run, file_name };
    let app = app(config).await?;
    let progress = Arc::new(Progress::default());
    let task = {
        let (app, progress, options) = (app.clone(), progress.clone(), options.clone());
        tokio::spawn(async move {
            registry_import::run(&app, &console("ledger import"), Arc::new(bytes), &options, &progress).await
        })
    };
    let mut shown = None;
    while !task.is_finished() {
        bar(&progress, &mut shown);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if let Some((b, _)) = shown {
        b.finish_and_clear();
    }
    let outcome = match task.await? {
        Ok(outcome) => outcome,
        Err(Ok(problem)) => {
            say(format_args!("{}: {problem}; nothing was imported", args.file.display()));
            return Ok(ExitCode::FAILURE);
        }
        Err(Err(e)) => anyhow::bail!("{e}"),
    };
    for e in outcome.errors.iter().take(20) {
        eprintln!("  row {} {}: {}", e.line, e.column, e.reason);
    }
    if outcome.errors.len() > 20 {
        eprintln!("  … and {} more", outcome.errors.len() - 20);
    }
    if !outcome.errors.is_empty() {
        let report = args.report.clone().unwrap_or_else(|| args.file.with_extension("errors.xlsx"));
        let bytes = registry_import::report(&outcome.errors).map_err(|e| anyhow::anyhow!("{e}"))?;
        std::fs::write(&report, bytes).with_context(|| format!("cannot write {}", report.display()))?;
        say(format_args!("the error report: {}", report.display()));
    }
    let done = if args.dry_run {
        "checked, nothing written".to_owned()
    } else if outcome.written {
        format!("{} added, {} updated, {} unchanged", outcome.added, outcome.updated, outcome.unchanged)
    } else {
        "nothing imported".to_owned()
    };
    say(format_args!("{}: {} rows: {done}; {} refused", args.file.display(), outcome.rows, outcome.refused));
    Ok(if outcome.refused == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
