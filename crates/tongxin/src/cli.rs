//! The command line: one binary, one verb per job. Every subcommand takes the global
//! `--data-dir`, `--database-url` and `--config`, so an administrative command acts on
//! the same database as the server.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod sms;
pub use sms::SmsArgs;

#[derive(Debug, Parser)]
#[command(
    name = "tongxin",
    version,
    about = "Tongxin (同心): run a subdistrict — cases, services and the community registry"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes. Each falls back to its `TONGXIN_*` variable, then to
/// the configuration file, then to its default (see docs/configuration.md).
#[derive(Debug, Args, Default)]
pub struct GlobalArgs {
    /// Directory for the SQLite database, keys and files [default: ./data]
    #[arg(long, global = true, env = "TONGXIN_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite://PATH or postgres://USER@HOST/DB [default: sqlite file in the data directory]
    #[arg(long, global = true, env = "TONGXIN_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// File holding the 32-byte key that encrypts personal data (base64 or hex); the key
    /// itself may instead be given in TONGXIN_SECRET_KEY
    #[arg(long, global = true, env = "TONGXIN_SECRET_KEY_FILE", value_name = "FILE")]
    pub secret_key_file: Option<PathBuf>,
    /// A TOML configuration file, read after flags and environment variables
    #[arg(long, global = true, env = "TONGXIN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log filter, e.g. info or tongxin=debug,sqlx=warn [default: info]
    #[arg(long, global = true, env = "TONGXIN_LOG", value_name = "FILTER")]
    pub log: Option<String>,
    /// Log format: text or json [default: text]
    #[arg(long, global = true, env = "TONGXIN_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web pages and APIs
    Serve(ServeArgs),
    /// Create the demo subdistrict (静安寺街道) if the database is empty, then serve it
    Demo(DemoArgs),
    /// Apply pending database migrations
    Migrate,
    /// The grid geography: import region polygons, locate a point
    #[command(subcommand)]
    Grid(GridCommand),
    /// Staff accounts: add, list, disable, enable, reset a password
    #[command(subcommand)]
    User(UserCommand),
    /// API keys for machine clients: create, list, revoke
    #[command(subcommand)]
    Apikey(ApikeyCommand),
    /// Cases: import 12345 hotline orders, export case lists
    #[command(subcommand)]
    Cases(CasesCommand),
    /// The working-day calendar: add a later year's holidays, show a year, remove a day
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// The audit log: verify its hash chain
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Import a registry ledger (台账) from Excel or CSV: households, then residents, then e-bikes
    Import(LedgerImportArgs),
    /// Print a new random secret key for TONGXIN_SECRET_KEY
    Keygen,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff account; prints a generated password unless --password-stdin is given
    Add(UserAddArgs),
    /// List staff accounts
    List,
    /// Disable an account and end its sessions
    Disable(UsernameArg),
    /// Enable a disabled account
    Enable(UsernameArg),
    /// Set a new password (generated, or read from stdin), lift a lock, end sessions
    ResetPassword(ResetArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The login name
    #[arg(long)]
    pub username: String,
    /// The name shown on pages
    #[arg(long)]
    pub name: Option<String>,
    /// A role: admin, intake, dispatcher, shiftlead, gridworker, department, operator, kiosk, viewer, auditor (repeatable)
    #[arg(long = "role", required = true)]
    pub roles: Vec<String>,
    /// A region code the account is bound to (repeatable)
    #[arg(long = "region", required = true)]
    pub regions: Vec<String>,
    /// Read the password from the first line of standard input instead of generating one
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct UsernameArg {
    pub username: String,
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    pub username: String,
    /// Read the password from the first line of standard input instead of generating one
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum ApikeyCommand {
    /// Create a key and print it (shown this once)
    Create(ApikeyCreateArgs),
    /// List keys
    List,
    /// Revoke a key by id or name
    Revoke(KeyRef),
}

#[derive(Debug, Args)]
pub struct ApikeyCreateArgs {
    /// A name that says who uses the key
    #[arg(long)]
    pub name: String,
    /// What the key may do: read, open311, sensor, hotline, kiosk (repeatable)
    #[arg(long = "scope", required = true)]
    pub scopes: Vec<String>,
    /// A region code the key is bound to (repeatable); without it, every region
    #[arg(long = "region")]
    pub regions: Vec<String>,
}

#[derive(Debug, Args)]
pub struct KeyRef {
    /// The key's id or name
    pub key: String,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check every entry's hash and link; names the first edited, deleted or reordered entry
    Verify,
}

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "TONGXIN_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Seconds between checks for region changes made by other processes [default: 5]
    #[arg(long, env = "TONGXIN_GEO_REFRESH_SECS", value_name = "SECS")]
    pub geo_refresh_secs: Option<u64>,
    /// Take client addresses from X-Forwarded-For (only behind a reverse proxy you run)
    #[arg(long, env = "TONGXIN_TRUST_PROXY")]
    pub trust_proxy: Option<bool>,
    /// Days to keep audit entries, at least 180 [default: 365]
    #[arg(long, env = "TONGXIN_AUDIT_RETENTION_DAYS", value_name = "DAYS")]
    pub audit_retention_days: Option<u32>,
    /// Working periods of a working day, for deadlines [default: 09:00-12:00,13:00-18:00]
    #[arg(long, env = "TONGXIN_WORKING_HOURS", value_name = "PERIODS")]
    pub working_hours: Option<String>,
    /// A new case this close (metres) to an open case of its category is a duplicate [default: 50]
    #[arg(long, env = "TONGXIN_DUPLICATE_RADIUS_M", value_name = "METRES")]
    pub duplicate_radius_m: Option<f64>,
    /// … when that case was reported within this many hours [default: 72]
    #[arg(long, env = "TONGXIN_DUPLICATE_WINDOW_HOURS", value_name = "HOURS")]
    pub duplicate_window_hours: Option<i64>,
    /// Keep case photos in this S3-compatible bucket instead of DATA_DIR/photos; the keys come
    /// from TONGXIN_S3_ACCESS_KEY_ID and TONGXIN_S3_SECRET_ACCESS_KEY
    #[arg(long, env = "TONGXIN_S3_BUCKET", value_name = "BUCKET")]
    pub s3_bucket: Option<String>,
    /// The S3 service's URL when it is not AWS (MinIO, OSS, COS …)
    #[arg(long, env = "TONGXIN_S3_ENDPOINT", value_name = "URL")]
    pub s3_endpoint: Option<String>,
    /// Also post every notification, signed, to this URL (an IM bridge, 政务微信, a city
    /// platform); the signing secret comes from TONGXIN_WEBHOOK_SECRET
    #[arg(long, env = "TONGXIN_WEBHOOK_URL", value_name = "URL")]
    pub webhook_url: Option<String>,
    /// Open311: answer a POST with a token (the batch style) instead of the request id
    #[arg(long, env = "TONGXIN_OPEN311_BATCH", value_name = "BOOL")]
    pub open311_batch: Option<bool>,
    /// Open311: requests a minute one client address may file [default: 30]
    #[arg(long, env = "TONGXIN_OPEN311_PER_IP", value_name = "N")]
    pub open311_per_ip: Option<u32>,
    /// Open311: requests a minute one API key may file [default: 600]
    #[arg(long, env = "TONGXIN_OPEN311_PER_KEY", value_name = "N")]
    pub open311_per_key: Option<u32>,
    /// The bucket's region [default: us-east-1]
    #[arg(long, env = "TONGXIN_S3_REGION", value_name = "REGION")]
    pub s3_region: Option<String>,
    #[command(flatten)]
    pub sms: SmsArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// Multiply the size of the demo (for benchmarks): N times the communities, grids and buildings
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=76))]
    pub scale: u16,
    /// Seed of the generator; the same seed gives the same subdistrict
    #[arg(long, default_value_t = tongxin_demo::DemoOptions::default().seed)]
    pub seed: u64,
    /// Months of past cases to create, in every state and following the seasons (0: none)
    #[arg(long, default_value_t = tongxin_demo::DemoOptions::default().case_months, value_parser = clap::value_parser!(u32).range(0..=36))]
    pub case_months: u32,
    /// Households in the demo registry (0: none); about 2.25 residents each, and e-bikes,
    /// charging sheds and safety pledges in proportion
    #[arg(long, default_value_t = tongxin_demo::DemoOptions::default().households, value_parser = clap::value_parser!(u32).range(0..=500_000))]
    pub households: u32,
    /// One password for every demo account (at least 12 characters); without it, one is
    /// generated at the first start and kept in the data directory
    #[arg(long, env = "TONGXIN_DEMO_PASSWORD", value_name = "PASSWORD", hide_env_values = true)]
    pub demo_password: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum GridCommand {
    /// Import regions from a GeoJSON FeatureCollection; a file with any problem imports nothing
    Import(ImportArgs),
    /// Print the subdistrict, community, grid and building group holding a point
    Locate(LocateArgs),
}

#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// File 12345 hotline orders from a CSV (UTF-8 or GB18030) or JSON file; each order
    /// number is filed once, so the same file can be sent again
    Import(CasesImportArgs),
    /// Write the cases matching the filters to a CSV (UTF-8 with BOM) or XLSX file
    Export(CasesExportArgs),
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Add the holidays (休) and make-up working days (班) of a State Council notice, one
    /// per line: `2027-01-01 休 元旦`, `2027-02-07 班 春节`; all or nothing
    Add(CalendarAddArgs),
    /// Print a year's holidays and make-up working days
    Show(CalendarShowArgs),
    /// Take back a day added earlier
    Remove(CalendarRemoveArgs),
}

#[derive(Debug, Args)]
pub struct CalendarAddArgs {
    /// The file of days, one per line (`-` for standard input)
    pub file: PathBuf,
    /// Check the days and report, without saving
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CalendarShowArgs {
    /// The year, e.g. 2027
    pub year: i32,
}

#[derive(Debug, Args)]
pub struct CalendarRemoveArgs {
    /// The day, e.g. 2027-02-07
    pub date: chrono::NaiveDate,
}

#[derive(Debug, Args)]
pub struct LedgerImportArgs {
    /// What the file holds: households (户), residents (居民), ebikes (电动车), sheds (充电棚) or pledges (安全承诺书)
    pub kind: String,
    /// The .xlsx or .csv file, with the template's header row
    pub file: PathBuf,
    /// all: any refused row imports nothing; valid: import the valid rows, report the rest
    #[arg(long, default_value = "all")]
    pub mode: String,
    /// Check every row and report, without writing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Where to write the error report [default: FILE.errors.xlsx]
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CasesImportArgs {
    /// The file: CSV with a header row (工单编号, 问题类别, 问题描述, 事发地址, 纬度, 经度, 联系电话 …) or JSON
    pub file: PathBuf,
    /// Check every order and report, without filing anything
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CasesExportArgs {
    /// Where to write the file
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// csv or xlsx [default: from the file's extension, else csv]
    #[arg(long)]
    pub format: Option<String>,
    /// Statuses, comma-separated (reported, registered, …, or open)
    #[arg(long)]
    pub status: Option<String>,
    /// A class (E05) or subclass (E0503)
    #[arg(long)]
    pub category: Option<String>,
    /// Cases in this region and below
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long)]
    pub department: Option<String>,
    #[arg(long)]
    pub source: Option<String>,
    /// Only cases past their step's deadline
    #[arg(long)]
    pub overdue: bool,
    /// Reported on or after this date (2026-11-01) or time
    #[arg(long)]
    pub since: Option<String>,
    /// Reported before this date or time
    #[arg(long)]
    pub until: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The GeoJSON file; each feature has properties "code" and "name"
    pub file: PathBuf,
    /// Check the file and report, without writing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Overlap between siblings (and area outside the parent) tolerated, in square metres
    #[arg(long, default_value_t = 1.0, value_name = "M2")]
    pub tolerance: f64,
}

#[derive(Debug, Args)]
pub struct LocateArgs {
    /// Latitude
    #[arg(allow_hyphen_values = true)]
    pub lat: String,
    /// Longitude
    #[arg(allow_hyphen_values = true)]
    pub lng: String,
    /// Coordinate system of the point: wgs84, gcj02 (高德/腾讯) or bd09 (百度)
    #[arg(long, default_value = "wgs84")]
    pub crs: String,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_has_help_and_the_global_options() {
        let mut cli = Cli::command();
        cli.build(); // propagates the global options into every subcommand
        let verbs = [
            vec!["serve"],
            vec!["demo"],
            vec!["migrate"],
            vec!["grid", "import"],
            vec!["grid", "locate"],
            vec!["user", "add"],
            vec!["user", "list"],
            vec!["user", "disable"],
            vec!["user", "enable"],
            vec!["user", "reset-password"],
            vec!["apikey", "create"],
            vec!["apikey", "list"],
            vec!["apikey", "revoke"],
            vec!["audit", "verify"],
            vec!["keygen"],
        ];
        for path in verbs {
            let mut cmd = &mut cli;
            for name in &path {
                cmd = cmd.find_subcommand_mut(name).unwrap_or_else(|| panic!("no subcommand {path:?}"));
            }
            let help = cmd.render_long_help().to_string();
            for option in ["--data-dir", "--database-url", "--config"] {
                assert!(help.contains(option), "{path:?} --help lacks {option}:\n{help}");
            }
            assert!(cmd.get_about().is_some(), "{path:?} has no description");
        }
    }

    #[test]
    fn parses_the_documented_invocations() {
        let cli =
            Cli::try_parse_from(["tongxin", "--data-dir", "/tmp/x", "demo", "--listen", "127.0.0.1:0", "--scale", "3"])
                .unwrap();
        assert_eq!(cli.global.data_dir, Some(PathBuf::from("/tmp/x")));
        let Command::Demo(demo) = cli.command else { panic!() };
        assert_eq!(demo.scale, 3);
        assert_eq!(demo.serve.listen, Some("127.0.0.1:0".parse().unwrap()));

        let cli = Cli::try_parse_from(["tongxin", "grid", "locate", "31.2235", "121.4455", "--crs", "gcj02"]).unwrap();
        let Command::Grid(GridCommand::Locate(args)) = cli.command else { panic!() };
        assert_eq!((args.lat.as_str(), args.lng.as_str(), args.crs.as_str()), ("31.2235", "121.4455", "gcj02"));

        let cli = Cli::try_parse_from([
            "tongxin",
            "grid",
            "import",
            "x.geojson",
            "--dry-run",
            "--database-url",
            "sqlite://y.db",
        ])
        .unwrap();
        assert_eq!(cli.global.database_url.as_deref(), Some("sqlite://y.db"));
        assert!(Cli::try_parse_from(["tongxin", "demo", "--scale", "0"]).is_err());
        let cli = Cli::try_parse_from([
            "tongxin", "apikey", "create", "--name", "fms", "--scope", "open311", "--scope", "read",
        ])
        .unwrap();
        let Command::Apikey(ApikeyCommand::Create(args)) = cli.command else { panic!() };
        assert_eq!(args.scopes, ["open311", "read"]);
        let cli = Cli::try_parse_from([
            "tongxin",
            "user",
            "add",
            "--username",
            "gw3",
            "--role",
            "gridworker",
            "--region",
            "310106013001001",
        ])
        .unwrap();
        assert!(matches!(cli.command, Command::User(UserCommand::Add(_))));
        assert!(Cli::try_parse_from(["tongxin", "user", "add", "--username", "x"]).is_err(), "a role is required");
        assert!(Cli::try_parse_from(["tongxin", "serve", "--listen", "nowhere"]).is_err());
    }
}
