//! `tongxin cases import FILE` (12345 hotline orders) and `tongxin cases export --out FILE`.

use std::process::ExitCode;

use anyhow::Context;
use tongxin_app::caller::Who;
use tongxin_app::cases::batch::{Outcome, import as import_orders, read_orders};
use tongxin_app::cases::export::{Format, build, collect};
use tongxin_app::cases::read::filter;
use tongxin_app::params::Params;
use tongxin_app::{App, Config as AppConfig};
use tongxin_core::access::Actor;
use tongxin_store::cases::CaseScope;

use super::{Schema, open_store, say};
use crate::cli::{CasesExportArgs, CasesImportArgs};
use crate::config::Config;

/// The server's state, for a console job that files or reads cases the way the API does.
pub(super) async fn app(config: &Config) -> anyhow::Result<App> {
    let store = open_store(config, Schema::Serve).await?;
    let settings = AppConfig {
        working_hours: config.working_hours.clone(),
        duplicate_radius_m: config.duplicate_radius_m,
        duplicate_window_hours: config.duplicate_window_hours,
        photos: config.photos.clone(),
        ..AppConfig::default()
    };
    Ok(App::new(store, settings, &config.secret_key()?).await?)
}

pub(super) fn console(job: &str) -> Who {
    Who { actor: Actor::system(job), display_name: job.to_owned(), ip: "local".into(), session: None, unread: None }
}

pub async fn import(config: &Config, args: &CasesImportArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let orders = read_orders(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}; nothing was filed", args.file.display()))?;
    let app = app(config).await?;
    let outcomes = import_orders(&app, &console("12345 import"), &orders, args.dry_run).await?;
    let (mut created, mut existing, mut valid, mut refused) = (0, 0, 0, 0);
    for (row, outcome) in &outcomes {
        match outcome {
            Outcome::Created { .. } => created += 1,
            Outcome::AlreadyFiled { .. } => existing += 1,
            Outcome::Valid => valid += 1,
            Outcome::Refused { field, message, .. } => {
                refused += 1;
                eprintln!("  row {row}: {field}: {message}");
            }
        }
    }
    let done = if args.dry_run { format!("{valid} would be filed") } else { format!("{created} filed") };
    say(format_args!(
        "{}: {} orders: {done}, {existing} already on file, {refused} refused",
        args.file.display(),
        outcomes.len()
    ));
    Ok(if refused == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

pub async fn export(config: &Config, args: &CasesExportArgs) -> anyhow::Result<ExitCode> {
    let from_name = args.out.extension().and_then(|e| e.to_str()).filter(|e| *e == "xlsx" || *e == "csv");
    let format: Format = args
        .format
        .as_deref()
        .or(from_name)
        .unwrap_or("csv")
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--format: {e}"))?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (name, value) in [
        ("status", &args.status),
        ("category", &args.category),
        ("region", &args.region),
        ("department", &args.department),
        ("source", &args.source),
        ("since", &args.since),
        ("until", &args.until),
    ] {
        if let Some(value) = value {
            pairs.push((name.to_owned(), value.clone()));
        }
    }
    if args.overdue {
        pairs.push(("overdue".into(), "true".into()));
    }
    let wanted = filter(&Params::from_pairs(pairs)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = app(config).await?;
    let cases = collect(&app, &CaseScope { all: true, ..Default::default() }, wanted)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let bytes = build(&app, &cases, format).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(&args.out, bytes).with_context(|| format!("cannot write {}", args.out.display()))?;
    let detail = serde_json::json!({ "format": format.extension(), "rows": cases.len(), "file": args.out.display().to_string() });
    app.store
        .audit(
            &tongxin_store::audit::Caller::system("cases export"),
            tongxin_store::audit::AuditEntry::ok("cases.export", "case", "").with_detail(detail),
        )
        .await?;
    say(format_args!("{}: {} cases", args.out.display(), cases.len()));
    Ok(ExitCode::SUCCESS)
}
