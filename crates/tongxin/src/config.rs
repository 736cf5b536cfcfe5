//! Typed configuration. Each setting is taken from its flag, else its `TONGXIN_*`
//! environment variable (clap reads both), else the TOML file named by `--config`, else
//! its default. Every setting is documented in docs/configuration.md.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;

use crate::cli::{GlobalArgs, LogFormat, ServeArgs};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./data";

/// The optional TOML file. Keys are the variable names without `TONGXIN_`, in lower case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<SocketAddr>,
    log: Option<String>,
    log_format: Option<LogFormat>,
    geo_refresh_secs: Option<u64>,
}

/// A database URL, which may hold a password: `Debug` and `Display` hide it.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", tongxin_store::redact(&self.0))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&tongxin_store::redact(&self.0))
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    pub listen: SocketAddr,
    pub log: String,
    pub log_format: LogFormat,
    pub geo_refresh: Duration,
}

impl Config {
    /// Resolves every setting. `serve` carries the server's own flags when there are any.
    pub fn load(global: &GlobalArgs, serve: Option<&ServeArgs>) -> anyhow::Result<Config> {
        let file = match &global.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let data_dir = global.data_dir.clone().or(file.data_dir).unwrap_or_else(|| DEFAULT_DATA_DIR.into());
        let database_url = global
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("tongxin.db").display()));
        let listen = serve
            .and_then(|s| s.listen)
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("the default address parses"));
        let geo_refresh_secs = serve.and_then(|s| s.geo_refresh_secs).or(file.geo_refresh_secs).unwrap_or(5);
        if geo_refresh_secs == 0 {
            bail!("geo_refresh_secs must be at least 1");
        }
        Ok(Config {
            data_dir,
            database_url: DatabaseUrl(database_url),
            listen,
            log: global.log.clone().or(file.log).unwrap_or_else(|| "info".into()),
            log_format: global.log_format.or(file.log_format).unwrap_or_default(),
            geo_refresh: Duration::from_secs(geo_refresh_secs),
        })
    }

    /// Creates the data directory if needed and proves it writable, so that a wrong
    /// directory is one clear error at start rather than a failure later.
    pub fn prepare_data_dir(&self) -> anyhow::Result<()> {
        let dir = &self.data_dir;
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create the data directory {}", dir.display()))?;
        let probe = dir.join(".tongxin-write-test");
        std::fs::write(&probe, b"ok")
            .with_context(|| format!("the data directory {} is not writable", dir.display()))?;
        std::fs::remove_file(&probe).ok();
        Ok(())
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("configuration file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global() -> GlobalArgs {
        GlobalArgs::default()
    }

    #[test]
    fn defaults() {
        let c = Config::load(&global(), None).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.database_url.expose(), "sqlite://./data/tongxin.db");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.geo_refresh, Duration::from_secs(5));
    }

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tongxin.toml");
        std::fs::write(&path, "data_dir = \"/srv/tongxin\"\nlisten = \"0.0.0.0:9000\"\nlog = \"debug\"\n").unwrap();
        let mut g = global();
        g.config = Some(path.clone());
        let c = Config::load(&g, None).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/srv/tongxin"));
        assert_eq!(c.database_url.expose(), "sqlite:///srv/tongxin/tongxin.db");
        assert_eq!(c.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(c.log, "debug");

        g.data_dir = Some("/elsewhere".into());
        let serve = ServeArgs { listen: Some("127.0.0.1:1".parse().unwrap()), geo_refresh_secs: None };
        let c = Config::load(&g, Some(&serve)).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/elsewhere"));
        assert_eq!(c.listen.to_string(), "127.0.0.1:1");
    }

    #[test]
    fn a_bad_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tongxin.toml");
        std::fs::write(&path, "listen_on = \"x\"\n").unwrap();
        let g = GlobalArgs { config: Some(path), ..global() };
        let err = format!("{:#}", Config::load(&g, None).unwrap_err());
        assert!(err.contains("unknown field `listen_on`"), "{err}");
    }

    #[test]
    fn passwords_never_print() {
        let url = DatabaseUrl("postgres://tx:hunter2@db/tx".into());
        assert!(!format!("{url:?} {url}").contains("hunter2"));
    }
}
