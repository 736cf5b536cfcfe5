//! The command line: one binary, one verb per job. Every subcommand takes the global
//! `--data-dir`, `--database-url` and `--config`, so an administrative command acts on
//! the same database as the server.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
}

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "TONGXIN_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Seconds between checks for region changes made by other processes [default: 5]
    #[arg(long, env = "TONGXIN_GEO_REFRESH_SECS", value_name = "SECS")]
    pub geo_refresh_secs: Option<u64>,
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
}

#[derive(Debug, Subcommand)]
pub enum GridCommand {
    /// Import regions from a GeoJSON FeatureCollection; a file with any problem imports nothing
    Import(ImportArgs),
    /// Print the subdistrict, community, grid and building group holding a point
    Locate(LocateArgs),
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
        for path in [vec!["serve"], vec!["demo"], vec!["migrate"], vec!["grid", "import"], vec!["grid", "locate"]] {
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
        assert!(Cli::try_parse_from(["tongxin", "serve", "--listen", "nowhere"]).is_err());
    }
}
