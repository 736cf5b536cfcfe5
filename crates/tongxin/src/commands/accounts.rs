//! `tongxin user …`, `tongxin apikey …` and `tongxin audit verify`: account administration
//! at the server's console, acting as the system (every change is still audited).

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use tongxin_core::access::password::Password;
use tongxin_core::access::token::random_hex;
use tongxin_core::access::{ApiScope, Role};
use tongxin_core::geo::RegionCode;
use tongxin_store::Store;
use tongxin_store::access::{NewUser, User};
use tongxin_store::audit::Caller;

use super::{Schema, open_store, say};
use crate::cli::{ApikeyCommand, UserCommand};
use crate::config::Config;

fn codes(raw: &[String]) -> anyhow::Result<Vec<RegionCode>> {
    raw.iter().map(|r| RegionCode::parse(r).with_context(|| format!("--region {r}"))).collect()
}

/// A password from stdin, or a generated one that is printed once.
fn password(from_stdin: bool) -> anyhow::Result<(Password, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the password from stdin")?;
        let password = Password::parse(line.trim_end_matches(['\n', '\r'])).context("the password")?;
        return Ok((password, false));
    }
    let generated = format!("{}-{}-{}", random_hex(3), random_hex(3), random_hex(3));
    Ok((Password::parse(&generated).expect("20 characters"), true))
}

async fn user_named(store: &Store, username: &str) -> anyhow::Result<User> {
    store.user_by_username(username).await?.ok_or_else(|| anyhow!("there is no account named '{username}'"))
}

fn describe(user: &User) -> String {
    let roles: Vec<_> = user.roles.iter().map(|r| r.as_str()).collect();
    let regions: Vec<_> = user.regions.iter().map(|c| c.as_str()).collect();
    let mut flags = Vec::new();
    if user.disabled {
        flags.push("disabled");
    }
    if user.locked_until.is_some_and(|t| t > tongxin_core::time::Timestamp::now().millis()) {
        flags.push("locked");
    }
    if user.has_totp {
        flags.push("totp");
    }
    format!(
        "{:<16} {:<24} {:<24} {} {}",
        user.username,
        user.display_name,
        roles.join(","),
        regions.join(","),
        flags.join(",")
    )
}

pub async fn user(config: &Config, command: UserCommand) -> anyhow::Result<ExitCode> {
    let store = open_store(config, Schema::Serve).await?;
    match command {
        UserCommand::Add(args) => {
            let roles = args.roles.iter().map(|r| r.parse::<Role>()).collect::<Result<Vec<_>, _>>()?;
            let (password, generated) = password(args.password_stdin)?;
            let new = NewUser {
                display_name: args.name.unwrap_or_else(|| args.username.clone()),
                username: args.username,
                password_hash: password.hash(),
                roles,
                regions: codes(&args.regions)?,
            };
            let user = store.create_user(&Caller::system("user add"), &new).await?;
            say(describe(&user));
            if generated {
                say(format_args!("password: {} (shown once)", password.expose()));
            }
        }
        UserCommand::List => {
            for user in store.users().await? {
                say(describe(&user));
            }
        }
        UserCommand::Disable(arg) => {
            let user = user_named(&store, &arg.username).await?;
            store.set_user_disabled(&Caller::system("user disable"), user.id, true).await?;
            say(format_args!("{} is disabled; its sessions have ended", user.username));
        }
        UserCommand::Enable(arg) => {
            let user = user_named(&store, &arg.username).await?;
            store.set_user_disabled(&Caller::system("user enable"), user.id, false).await?;
            say(format_args!("{} is enabled", user.username));
        }
        UserCommand::ResetPassword(args) => {
            let user = user_named(&store, &args.username).await?;
            let (password, generated) = password(args.password_stdin)?;
            store.reset_password(&Caller::system("user reset-password"), user.id, &password.hash()).await?;
            say(format_args!("{} has a new password; any lock is lifted and its sessions have ended", user.username));
            if generated {
                say(format_args!("password: {} (shown once)", password.expose()));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn apikey(config: &Config, command: ApikeyCommand) -> anyhow::Result<ExitCode> {
    let store = open_store(config, Schema::Serve).await?;
    match command {
        ApikeyCommand::Create(args) => {
            let scopes = args.scopes.iter().map(|s| s.parse::<ApiScope>()).collect::<Result<Vec<_>, _>>()?;
            let regions = codes(&args.regions)?;
            let regions = (!regions.is_empty()).then_some(regions);
            let caller = Caller::system("apikey create");
            let (key, secret) = store.create_api_key(&caller, &args.name, &scopes, regions.as_deref()).await?;
            say(format_args!("created key {} ({}) with scopes {}", key.id, key.name, args.scopes.join(",")));
            say(format_args!("key: {secret}"));
            say("It is shown this once. Send it as: Authorization: Bearer <key>");
        }
        ApikeyCommand::List => {
            for key in store.api_keys().await? {
                let scopes: Vec<_> = key.scopes.iter().map(|s| s.as_str()).collect();
                let regions = key.regions.map_or("all regions".to_owned(), |r| {
                    r.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",")
                });
                let state = if key.revoked_at.is_some() { "revoked" } else { "live" };
                say(format_args!(
                    "{:<4} {:<20} {:<12} {:<16} {regions} {state}",
                    key.id,
                    key.name,
                    key.prefix,
                    scopes.join(",")
                ));
            }
        }
        ApikeyCommand::Revoke(arg) => {
            let keys = store.api_keys().await?;
            let key = keys
                .iter()
                .find(|k| k.id.to_string() == arg.key || k.name == arg.key)
                .ok_or_else(|| anyhow!("there is no key with id or name '{}'", arg.key))?;
            store.revoke_api_key(&Caller::system("apikey revoke"), key.id).await?;
            say(format_args!("key {} ({}) is revoked", key.id, key.name));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn verify_audit(config: &Config) -> anyhow::Result<ExitCode> {
    let store = open_store(config, Schema::Serve).await?;
    let verification = store.verify_audit().await?;
    match verification.first_break {
        None => {
            say(format_args!("audit log intact: {} entries verified", verification.checked));
            Ok(ExitCode::SUCCESS)
        }
        Some(b) => {
            eprintln!(
                "audit log BROKEN at entry {}: {} ({} entries before it verified)",
                b.seq, b.reason, verification.checked
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
