//! `tongxin calendar add|show|remove`: later years of the working-day calendar.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Datelike;
use tongxin_core::cases::calendar::{DayKind, parse_notice};
use tongxin_store::audit::Caller;

use super::{Schema, open_store, say};
use crate::cli::{CalendarAddArgs, CalendarRemoveArgs, CalendarShowArgs};
use crate::config::Config;

const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

pub async fn add(config: &Config, args: &CalendarAddArgs) -> anyhow::Result<ExitCode> {
    let text = if args.file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("cannot read standard input")?;
        text
    } else {
        std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?
    };
    let days = match parse_notice(&text) {
        Ok(days) => days,
        Err(problems) => {
            for p in &problems {
                eprintln!("  {p}");
            }
            eprintln!("{}: {} problems; nothing was saved", args.file.display(), problems.len());
            return Ok(ExitCode::FAILURE);
        }
    };
    let (rest, work) = (days.iter().filter(|d| !d.working).count(), days.iter().filter(|d| d.working).count());
    if args.dry_run {
        say(format_args!(
            "{}: {rest} holidays and {work} make-up working days; nothing saved (dry run)",
            args.file.display()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let store = open_store(config, Schema::Serve).await?;
    store.set_calendar_days(&Caller::system("calendar add"), &days).await?;
    say(format_args!(
        "{}: saved {rest} holidays and {work} make-up working days; running servers pick them up within a few seconds",
        args.file.display()
    ));
    Ok(ExitCode::SUCCESS)
}

pub async fn show(config: &Config, args: &CalendarShowArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(config, Schema::Serve).await?;
    let calendar = store.calendar(config.working_hours.clone()).await?;
    let days = calendar.special_days(args.year);
    if days.is_empty() {
        say(format_args!(
            "{}: no holidays on record; weekends rest and weekdays work until the State Council's notice is added (tongxin calendar add FILE)",
            args.year
        ));
        return Ok(ExitCode::SUCCESS);
    }
    for (date, kind) in days {
        let weekday = WEEKDAYS[date.weekday().num_days_from_monday() as usize];
        let (what, name) = match &kind {
            DayKind::Holiday(name) => ("休", name.as_str()),
            DayKind::MakeupWorkday(name) => ("班", name.as_str()),
            DayKind::Workday | DayKind::Weekend => continue,
        };
        say(format_args!("{date} 周{weekday} {what} {name}"));
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn remove(config: &Config, args: &CalendarRemoveArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(config, Schema::Serve).await?;
    match store.remove_calendar_day(&Caller::system("calendar remove"), args.date).await {
        Ok(()) => {
            say(format_args!("{}: removed", args.date));
            Ok(ExitCode::SUCCESS)
        }
        Err(tongxin_store::StoreError::NotFound { .. }) => {
            eprintln!("{}: no day was added for this date (the shipped calendar cannot be removed)", args.date);
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
