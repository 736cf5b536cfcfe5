//! `tongxin`: the one binary. It reads the command line and configuration, sets up
//! logging, and hands over to one module per verb in [`commands`].
//!
//! # Layout
//!
//! - [`cli`]: the clap definition of every verb and option.
//! - [`config`]: typed configuration (flags → `TONGXIN_*` → TOML file → defaults).
//! - [`commands`]: `serve`, `demo`, `migrate`, `grid import`, `grid locate`.
//!
//! Errors end the process with one line on stderr and exit code 1, never a panic.

mod cli;
mod commands;
mod config;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, LogFormat};
use crate::config::Config;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tongxin_store::blobs::install_tls();
    let serve_args = match &cli.command {
        Command::Serve(args) => Some(args),
        Command::Demo(args) => Some(&args.serve),
        _ => None,
    };
    let config = match Config::load(&cli.global, serve_args) {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    init_logging(&config);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&e.into()),
    };
    match runtime.block_on(commands::run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => fail(&e),
    }
}

fn fail(e: &anyhow::Error) -> ExitCode {
    eprintln!("error: {e:#}");
    ExitCode::FAILURE
}

fn init_logging(config: &Config) {
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
