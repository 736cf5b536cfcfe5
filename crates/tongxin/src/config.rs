//! Typed configuration. Each setting is taken from its flag, else its `TONGXIN_*`
//! environment variable (clap reads both), else the TOML file named by `--config`, else
//! its default. Every setting is documented in docs/configuration.md.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;

mod sms;

use tongxin_app::config::Open311Config;
use tongxin_app::notify::WebhookConfig;
use tongxin_app::sms::SmsConfig;
use tongxin_core::cases::calendar::WorkingHours;
use tongxin_core::pii::SecretKey;
use tongxin_store::blobs::{BlobConfig, S3Config};

use crate::cli::{GlobalArgs, LogFormat, ServeArgs, SmsArgs};

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
    secret_key_file: Option<PathBuf>,
    trust_proxy: Option<bool>,
    audit_retention_days: Option<u32>,
    working_hours: Option<String>,
    duplicate_radius_m: Option<f64>,
    duplicate_window_hours: Option<i64>,
    s3_bucket: Option<String>,
    s3_endpoint: Option<String>,
    s3_region: Option<String>,
    webhook_url: Option<String>,
    open311_batch: Option<bool>,
    open311_per_ip: Option<u32>,
    open311_per_key: Option<u32>,
    open311_contact: Option<String>,
    open311_agency: Option<String>,
    resident_login: Option<bool>,
    sms_gateway: Option<String>,
    sms_url: Option<String>,
    sms_format: Option<String>,
    sms_token_header: Option<String>,
    sms_sign_name: Option<String>,
    sms_templates: Option<String>,
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
    /// Where the secret key comes from, if anywhere was configured.
    pub secret_key: SecretSource,
    pub trust_proxy: bool,
    pub audit_retention_days: u32,
    pub working_hours: WorkingHours,
    pub duplicate_radius_m: f64,
    pub duplicate_window_hours: i64,
    /// Where case photos are kept: DATA_DIR/photos, or an S3 bucket.
    pub photos: BlobConfig,
    /// Where notifications are also posted, signed.
    pub webhook: Option<WebhookConfig>,
    pub open311: Open311Config,
    /// Residents may sign in with a code texted to them.
    pub resident_login: bool,
    /// The gateway that texts codes and notices, if any.
    pub sms: SmsConfig,
}

/// Where the key that encrypts personal data comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// `TONGXIN_SECRET_KEY` (never printed).
    Value(String),
    File(PathBuf),
    None,
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Value(_) => f.write_str("Value(****)"),
            SecretSource::File(path) => write!(f, "File({})", path.display()),
            SecretSource::None => f.write_str("None"),
        }
    }
}

/// The demo's own key, generated at its first start.
pub const DEMO_KEY_FILE: &str = "secret.key";

impl Config {
    /// The secret key for `serve` and the administrative verbs: configured, or a clear
    /// error saying how to configure it.
    pub fn secret_key(&self) -> anyhow::Result<SecretKey> {
        match &self.secret_key {
            SecretSource::Value(text) => SecretKey::parse(text).context("TONGXIN_SECRET_KEY"),
            SecretSource::File(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the secret key file {}", path.display()))?;
                SecretKey::parse(&text).with_context(|| format!("the secret key file {}", path.display()))
            }
            SecretSource::None => bail!(
                "no secret key: looked in TONGXIN_SECRET_KEY (unset), TONGXIN_SECRET_KEY_FILE / --secret-key-file / \
                 secret_key_file (unset) and {} (no such file). Set one of them to 32 bytes in base64 or hex \
                 (`tongxin keygen` prints one); it encrypts residents' personal data",
                self.data_dir.join(DEMO_KEY_FILE).display()
            ),
        }
    }

    /// The demo's key: the configured one, else the one kept in the data directory,
    /// created on first use (readable by the owner only).
    pub fn demo_secret_key(&self) -> anyhow::Result<SecretKey> {
        if self.secret_key != SecretSource::None {
            return self.secret_key();
        }
        self.prepare_data_dir()?;
        let path = self.data_dir.join(DEMO_KEY_FILE);
        if path.exists() {
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
            return SecretKey::parse(&text).with_context(|| format!("the demo key file {}", path.display()));
        }
        let key = SecretKey::generate();
        write_private(&path, &key.to_base64())?;
        Ok(key)
    }
}

/// Where the key is looked for, in this order, by every verb: `TONGXIN_SECRET_KEY`, then
/// `TONGXIN_SECRET_KEY_FILE` (or `--secret-key-file`, or `secret_key_file` in the TOML
/// file), then `DATA_DIR/secret.key` if it exists (the file `tongxin demo` makes), so that
/// an administrative verb run on a demo's data directory opens the same personal data.
fn secret_source(configured_file: Option<PathBuf>, data_dir: &Path) -> SecretSource {
    if let Some(value) = std::env::var("TONGXIN_SECRET_KEY").ok().filter(|v| !v.trim().is_empty()) {
        return SecretSource::Value(value);
    }
    if let Some(path) = configured_file {
        return SecretSource::File(path);
    }
    let kept = data_dir.join(DEMO_KEY_FILE);
    if kept.is_file() { SecretSource::File(kept) } else { SecretSource::None }
}

/// Writes a file only its owner can read.
pub fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))
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
        let secret_key = secret_source(global.secret_key_file.clone().or(file.secret_key_file), &data_dir);
        let audit_retention_days =
            serve.and_then(|s| s.audit_retention_days).or(file.audit_retention_days).unwrap_or(365);
        if audit_retention_days < 180 {
            bail!("audit_retention_days must be at least 180 (the audit log is kept at least 180 days)");
        }
        let working_hours = match serve.and_then(|s| s.working_hours.clone()).or(file.working_hours) {
            Some(text) => text.parse::<WorkingHours>().context("working_hours")?,
            None => WorkingHours::default(),
        };
        let duplicate_radius_m = serve.and_then(|s| s.duplicate_radius_m).or(file.duplicate_radius_m).unwrap_or(50.0);
        if !(duplicate_radius_m.is_finite() && duplicate_radius_m > 0.0 && duplicate_radius_m <= 1000.0) {
            bail!("duplicate_radius_m must be between 0 and 1000 metres");
        }
        let duplicate_window_hours =
            serve.and_then(|s| s.duplicate_window_hours).or(file.duplicate_window_hours).unwrap_or(72);
        if !(1..=720).contains(&duplicate_window_hours) {
            bail!("duplicate_window_hours must be between 1 and 720");
        }
        let photos = match serve.and_then(|s| s.s3_bucket.clone()).or(file.s3_bucket) {
            None => BlobConfig::Directory(data_dir.join("photos")),
            Some(bucket) => {
                let key = |name: &str| {
                    std::env::var(name)
                        .ok()
                        .filter(|v| !v.trim().is_empty())
                        .with_context(|| format!("s3_bucket is set: set {name} too"))
                };
                let endpoint = serve.and_then(|s| s.s3_endpoint.clone()).or(file.s3_endpoint);
                if endpoint.as_deref().is_some_and(|e| !(e.starts_with("http://") || e.starts_with("https://"))) {
                    bail!("s3_endpoint must be an http:// or https:// URL");
                }
                BlobConfig::S3(S3Config {
                    bucket,
                    endpoint,
                    region: serve
                        .and_then(|s| s.s3_region.clone())
                        .or(file.s3_region)
                        .unwrap_or_else(|| "us-east-1".into()),
                    access_key_id: key("TONGXIN_S3_ACCESS_KEY_ID")?,
                    secret_access_key: key("TONGXIN_S3_SECRET_ACCESS_KEY")?,
                })
            }
        };
        let webhook = match serve.and_then(|s| s.webhook_url.clone()).or(file.webhook_url) {
            None => None,
            Some(url) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    bail!("webhook_url must be an http:// or https:// URL");
                }
                let secret = std::env::var("TONGXIN_WEBHOOK_SECRET")
                    .ok()
                    .filter(|v| v.trim().len() >= 16)
                    .context("webhook_url is set: set TONGXIN_WEBHOOK_SECRET to at least 16 characters to sign with")?;
                Some(WebhookConfig { url, secret })
            }
        };
        let open311 = Open311Config {
            batch: serve.and_then(|s| s.open311_batch).or(file.open311_batch).unwrap_or(false),
            per_ip_per_minute: serve.and_then(|s| s.open311_per_ip).or(file.open311_per_ip).unwrap_or(30),
            per_key_per_minute: serve.and_then(|s| s.open311_per_key).or(file.open311_per_key).unwrap_or(600),
            contact: file.open311_contact,
            agency: file.open311_agency,
        };
        if open311.per_ip_per_minute == 0 || open311.per_key_per_minute == 0 {
            bail!("open311_per_ip and open311_per_key must be at least 1");
        }
        let file_sms = SmsArgs {
            resident_login: file.resident_login,
            sms_gateway: file.sms_gateway,
            sms_url: file.sms_url,
            sms_format: file.sms_format,
            sms_token_header: file.sms_token_header,
            sms_sign_name: file.sms_sign_name,
            sms_templates: file.sms_templates,
        };
        let (resident_login, sms) =
            sms::load(sms::merge(serve.map(|s| &s.sms), file_sms), |name| std::env::var(name).ok())?;
        Ok(Config {
            resident_login,
            sms,
            open311,
            photos,
            webhook,
            working_hours,
            duplicate_radius_m,
            duplicate_window_hours,
            secret_key,
            trust_proxy: serve.and_then(|s| s.trust_proxy).or(file.trust_proxy).unwrap_or(false),
            audit_retention_days,
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
        let serve = ServeArgs { listen: Some("127.0.0.1:1".parse().unwrap()), ..Default::default() };
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
    fn retention_cannot_go_below_180_days() {
        let serve = ServeArgs { audit_retention_days: Some(90), ..Default::default() };
        let err = Config::load(&global(), Some(&serve)).unwrap_err().to_string();
        assert!(err.contains("at least 180"), "{err}");
        let serve = ServeArgs { audit_retention_days: Some(400), ..Default::default() };
        assert_eq!(Config::load(&global(), Some(&serve)).unwrap().audit_retention_days, 400);
    }

    #[test]
    fn the_demo_keeps_its_own_key_and_serve_asks_for_one() {
        let dir = tempfile::tempdir().unwrap();
        let g = GlobalArgs { data_dir: Some(dir.path().join("d")), ..global() };
        let config = Config::load(&g, None).unwrap();
        if config.secret_key == SecretSource::None {
            let err = config.secret_key().unwrap_err().to_string();
            assert!(err.contains("TONGXIN_SECRET_KEY") && err.contains("TONGXIN_SECRET_KEY_FILE"), "{err}");
            assert!(err.contains(&dir.path().join("d").join(DEMO_KEY_FILE).display().to_string()), "{err}");
            let first = config.demo_secret_key().unwrap();
            assert_eq!(config.demo_secret_key().unwrap(), first, "the same key on the next start");
            // Every other verb on that data directory now finds the demo's key.
            let again = Config::load(&g, None).unwrap();
            assert_eq!(again.secret_key, SecretSource::File(dir.path().join("d").join(DEMO_KEY_FILE)));
            assert_eq!(again.secret_key().unwrap(), first);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(dir.path().join("d").join(DEMO_KEY_FILE)).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600);
            }
        }
    }

    #[test]
    fn passwords_never_print() {
        let url = DatabaseUrl("postgres://tx:hunter2@db/tx".into());
        assert!(!format!("{url:?} {url}").contains("hunter2"));
    }
}
