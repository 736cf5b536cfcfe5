//! `tongxin demo`: create the demo subdistrict when the database is empty, then serve it.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use tongxin_core::access::password::Password;
use tongxin_core::access::token::random_hex;
use tongxin_core::pii::PiiCipher;
use tongxin_demo::{DemoOptions, Progress, access, seed_if_empty};

use super::serve::{bind, serve};
use super::{Schema, open_store, say};
use crate::cli::DemoArgs;
use crate::config::{Config, write_private};

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

/// Where the demo keeps its generated password, so later starts can print it.
const PASSWORD_FILE: &str = "demo-password.txt";

pub async fn run(config: &Config, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    // Bind first: a busy port is reported before any work.
    let listener = bind(config).await?;
    let key = config.demo_secret_key()?;
    let password = demo_password(config, args.demo_password.as_deref())?;
    let store = open_store(config, Schema::Migrate).await?;
    let options = DemoOptions {
        scale: usize::from(args.scale),
        seed: args.seed,
        case_months: args.case_months,
        households: args.households,
    };
    let started = Instant::now();
    match seed_if_empty(&store, &options, &Bar(Default::default())).await? {
        Some(summary) => say(format_args!(
            "Created the demo subdistrict 静安寺街道 in {} ms: {} regions, {} grids, {} buildings, {} cases.",
            started.elapsed().as_millis(),
            summary.regions,
            summary.grids,
            summary.buildings,
            summary.cases
        )),
        None => say("The database already holds regions; serving them as they are."),
    }
    let (password, set_now) = password;
    let pii = PiiCipher::new(&key);
    let usernames = access::ensure_accounts(&store, &pii, set_now.then_some(&password)).await?;
    let started = Instant::now();
    if let Some(r) = tongxin_demo::seed_registry_if_empty(&store, &pii, &options, &Bar(Default::default())).await? {
        say(format_args!(
            "Created the registry in {} ms: {} households, {} residents, {} e-bikes, {} charging sheds ({} checked in the 2020 sweep), {} pledges.",
            started.elapsed().as_millis(),
            r.households,
            r.residents,
            r.ebikes,
            r.sheds,
            r.shed_checks,
            r.pledges
        ));
    }
    let started = Instant::now();
    if let Some(c) = tongxin_demo::seed_campaigns_if_empty(&store, &options).await? {
        say(format_args!(
            "Created {} campaigns in {} ms, with {} visits: the finished 2020 e-bike sweep and shed check, a garbage-sorting check half done, a patrol running (/campaigns).",
            c.campaigns,
            started.elapsed().as_millis(),
            c.visits
        ));
    }
    let started = Instant::now();
    if let Some(b) = tongxin_demo::seed_booking_if_empty(&store, &pii, &options).await? {
        say(format_args!(
            "Created the service door in {} ms: {} categories, {} services at {} sites, {} slots, {} care assessments, {} past bookings.",
            started.elapsed().as_millis(),
            b.categories,
            b.services,
            b.sites,
            b.slots,
            b.assessed,
            b.past_bookings
        ));
        if let Some((site, secret)) = &b.kiosk {
            say(format_args!(
                "Kiosk mode: open /kiosk/{site} on the kiosk and enter its key (shown this once): {secret}"
            ));
            for (name, age, id) in &b.kiosk_residents {
                say(format_args!(
                    "  Sign in there as {name} ({age}) with the ID number {id} and the PIN {}.",
                    tongxin_demo::booking::KIOSK_PIN
                ));
            }
        }
    }
    serve(config, store, listener, &key, true, |url| {
        say(format_args!("Open {url}/ and sign in; the API is described at {url}/api/v1/openapi.json."));
        say(format_args!("Demo logins (password for all: {}):", password.expose()));
        for (username, _, role, region) in access::STAFF {
            say(format_args!("  {username:<12} {:<12} {}", role.zh(), region.unwrap_or("静安寺街道")));
        }
        if !config.resident_login {
            say("Resident sign-in is off (TONGXIN_RESIDENT_LOGIN=false).");
        } else if config.sms.is_gateway() {
            say(format_args!("Residents sign in at {url}/resident/login; codes go out through the SMS gateway."));
        } else {
            say(format_args!(
                "Residents sign in at {url}/resident/login with any mobile number; the code shows at {url}/dev/sms."
            ));
        }
        debug_assert_eq!(usernames.len(), access::STAFF.len());
    })
    .await
}

/// The demo password and whether to set it on every account now: the one given, else the
/// one kept from an earlier start, else a new one (kept for the next start).
fn demo_password(config: &Config, given: Option<&str>) -> anyhow::Result<(Password, bool)> {
    config.prepare_data_dir()?;
    let path = config.data_dir.join(PASSWORD_FILE);
    if let Some(given) = given {
        let password = Password::parse(given).context("--demo-password")?;
        write_private(&path, given)?;
        return Ok((password, true));
    }
    if let Ok(kept) = std::fs::read_to_string(&path)
        && let Ok(password) = Password::parse(kept.trim_end_matches('\n'))
    {
        return Ok((password, false));
    }
    let fresh = format!("tongxin-{}", random_hex(6));
    write_private(&path, &fresh)?;
    Ok((Password::parse(&fresh).expect("19 characters"), true))
}
