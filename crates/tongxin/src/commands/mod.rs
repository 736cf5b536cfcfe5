//! One module per verb. Each opens the store the way its job needs (see [`open_store`]).

mod accounts;
mod calendar;
mod cases;
mod demo;
mod grid;
mod ledger;
mod serve;

use std::process::ExitCode;

use anyhow::Context;
use tongxin_store::{Backend, Store, StoreOptions};

use crate::cli::{AuditCommand, CalendarCommand, CasesCommand, Command, GridCommand};
use crate::config::Config;

pub async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve(_) => serve::run(&config).await,
        Command::Demo(args) => demo::run(&config, &args).await,
        Command::Migrate => migrate(&config).await,
        Command::Grid(GridCommand::Import(args)) => grid::import(&config, &args).await,
        Command::Grid(GridCommand::Locate(args)) => grid::locate(&config, &args).await,
        Command::User(command) => accounts::user(&config, command).await,
        Command::Apikey(command) => accounts::apikey(&config, command).await,
        Command::Cases(CasesCommand::Import(args)) => cases::import(&config, &args).await,
        Command::Cases(CasesCommand::Export(args)) => cases::export(&config, &args).await,
        Command::Calendar(CalendarCommand::Add(args)) => calendar::add(&config, &args).await,
        Command::Calendar(CalendarCommand::Show(args)) => calendar::show(&config, &args).await,
        Command::Calendar(CalendarCommand::Remove(args)) => calendar::remove(&config, &args).await,
        Command::Audit(AuditCommand::Verify) => accounts::verify_audit(&config).await,
        Command::Import(args) => ledger::import(&config, &args).await,
        Command::Keygen => {
            say(tongxin_core::pii::SecretKey::generate().to_base64());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints a line for the operator. A closed stdout (a supervisor that stopped reading)
/// must not take a running server down, so write errors are ignored.
pub fn say(text: impl std::fmt::Display) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// How a command may treat the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Apply pending migrations on either backend (`migrate`, `demo`).
    Migrate,
    /// SQLite migrates itself; PostgreSQL must already be current (`serve`, admin jobs).
    Serve,
}

/// Connects to the configured database, creating the data directory for SQLite.
pub async fn open_store(config: &Config, schema: Schema) -> anyhow::Result<Store> {
    let url = config.database_url.expose();
    if Backend::from_url(url)? == Backend::Sqlite {
        config.prepare_data_dir()?;
    }
    let store = Store::connect(url, StoreOptions::default()).await?;
    match schema {
        Schema::Migrate => {
            store.migrate().await.context("cannot migrate the database")?;
        }
        Schema::Serve => store.prepare_for_serving().await?,
    }
    Ok(store)
}

async fn migrate(config: &Config) -> anyhow::Result<ExitCode> {
    let url = config.database_url.expose();
    if Backend::from_url(url)? == Backend::Sqlite {
        config.prepare_data_dir()?;
    }
    let store = Store::connect(url, StoreOptions::default()).await?;
    let applied = store.migrate().await?;
    let status = store.schema_status().await?;
    say(format_args!(
        "applied {applied} migration(s); the {} schema at {} is current ({} migrations)",
        store.backend().as_str(),
        config.database_url,
        status.known
    ));
    Ok(ExitCode::SUCCESS)
}
