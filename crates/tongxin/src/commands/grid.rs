//! `tongxin grid import FILE` and `tongxin grid locate LAT LNG`.

use std::process::ExitCode;

use anyhow::Context;
use tongxin_core::geo::{Crs, ImportError, LatLng, Locator};
use tongxin_store::audit::Caller;
use tongxin_store::geo::{RegionFilter, RegionImportError};

use super::{Schema, open_store, say};
use crate::cli::{ImportArgs, LocateArgs};
use crate::config::Config;

pub async fn import(config: &Config, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    if !(args.tolerance.is_finite() && args.tolerance >= 0.0) {
        anyhow::bail!("--tolerance must be a number of square metres, 0 or more");
    }
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let store = open_store(config, Schema::Serve).await?;
    match store.import_regions(&Caller::system("grid import"), &text, args.tolerance, args.dry_run).await {
        Ok(plan) => {
            let verb = if args.dry_run { "would import" } else { "imported" };
            say(format_args!(
                "{}: {verb} {} regions ({} new, {} updated)",
                args.file.display(),
                plan.regions.len(),
                plan.created,
                plan.updated
            ));
            Ok(ExitCode::SUCCESS)
        }
        Err(RegionImportError::Invalid(ImportError::Rejected(problems))) => {
            eprintln!("{}: rejected, nothing was imported. {} problem(s):", args.file.display(), problems.len());
            for problem in &problems {
                eprintln!("  {problem}");
            }
            Ok(ExitCode::FAILURE)
        }
        Err(RegionImportError::Invalid(e)) => {
            Err(anyhow::anyhow!("{}: {e}; nothing was imported", args.file.display()))
        }
        Err(RegionImportError::Store(e)) => Err(e.into()),
    }
}

pub async fn locate(config: &Config, args: &LocateArgs) -> anyhow::Result<ExitCode> {
    let crs: Crs = args.crs.parse()?;
    let point = LatLng::parse(&args.lat, &args.lng, crs)?;
    let store = open_store(config, Schema::Serve).await?;
    let regions = store.regions(&RegionFilter::default()).await?;
    let locator = Locator::build(&regions);
    let Some(path) = locator.locate(point) else {
        eprintln!("no region contains {point} (WGS-84)");
        return Ok(ExitCode::FAILURE);
    };
    if args.json {
        let body = serde_json::json!({ "point": point, "crs": crs, "path": path });
        say(serde_json::to_string_pretty(&body)?);
    } else {
        for region in path.regions() {
            say(format_args!("{:<12} {:<19} {}", region.level, region.code, region.name));
        }
    }
    Ok(ExitCode::SUCCESS)
}
