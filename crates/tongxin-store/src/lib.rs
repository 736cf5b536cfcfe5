//! Tongxin's persistence: one [`Store`] API over two backends, SQLite and PostgreSQL.
//!
//! # Layout
//!
//! - [`Store`] (this file): connecting, the backend, transactions.
//! - [`migrate`]: embedded migrations, one folder per backend (`migrations/sqlite`,
//!   `migrations/postgres`), and the schema check that keeps PostgreSQL from serving on an
//!   out-of-date schema.
//! - [`geo`]: regions and buildings.
//! - [`access`]: staff users, sessions, API keys, resident accounts and their codes.
//! - [`cases`]: the category catalog, cases, their timeline, transitions and the overdue sweep.
//! - [`blobs`]: uploaded files, in a directory or an S3-compatible bucket.
//! - [`notifications`]: the outbox of notices to reporters, departments and shift leads.
//! - [`audit`]: the append-only, hash-chained audit log; [`audit::Caller`] names who acts.
//! - [`error`]: [`StoreError`], including the constraint violations turned into "which
//!   field, and why" where the query runs.
//! - `testing` (feature `testing`): [`testing::TestDb`], a fresh migrated database per
//!   test, and [`backend_tests!`], which runs one test body on both backends.
//!
//! # One query, two backends
//!
//! Queries go through sqlx's `Any` driver and are written once, with `$1` placeholders,
//! which both SQLite and PostgreSQL accept. Portable SQL is the rule: timestamps are
//! `BIGINT` milliseconds, upserts use `ON CONFLICT … DO UPDATE`, which both speak. What
//! cannot be portable (how a write transaction starts, locking) is chosen by [`Backend`]
//! in this crate and nowhere else. SQLite has no boolean type, so booleans are read with
//! [`row_bool`].

pub mod access;
pub mod audit;
pub mod blobs;
pub mod booking;
pub mod campaigns;
pub mod cases;
pub mod error;
pub mod geo;
pub mod migrate;
pub mod notifications;
pub mod registry;
#[cfg(feature = "testing")]
pub mod testing;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Connection, Executor, Row, Transaction};

pub use error::StoreError;
pub use migrate::SchemaStatus;
pub use sqlx;

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Chooses the backend from a database URL.
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Connection settings beyond the URL.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub max_connections: u32,
    /// PostgreSQL only: the schema to work in (tests use one fresh schema each).
    pub pg_schema: Option<String>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { max_connections: 10, pg_schema: None }
    }
}

/// The handle every layer above uses. Cheap to clone; clones share one pool.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish()
    }
}

/// A write transaction; commit it or it rolls back when dropped.
pub type Tx = Transaction<'static, Any>;

impl Store {
    /// Connects, without migrating. SQLite files are created when missing and run with
    /// WAL, synchronous=FULL (an acknowledged write survives a crash), foreign keys on
    /// and a busy timeout.
    pub async fn connect(url: &str, options: StoreOptions) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url_with_mode = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_owned(),
        };
        let connect_options = AnyConnectOptions::from_str(&url_with_mode)
            .map_err(|e| StoreError::Connect { url: redact(url), source: e })?;
        // One direct attempt first: the pool would retry a refused connection until its
        // acquire timeout, and a wrong URL deserves an answer at once.
        let probe = sqlx::AnyConnection::connect_with(&connect_options)
            .await
            .map_err(|e| StoreError::Connect { url: redact(url), source: e })?;
        probe.close().await.ok();
        let schema = options.pg_schema.clone();
        let pool = AnyPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                let setup = match (backend, &schema) {
                    (Backend::Sqlite, _) => Some(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;"
                            .to_owned(),
                    ),
                    (Backend::Postgres, Some(schema)) => Some(format!("SET search_path TO \"{schema}\"")),
                    (Backend::Postgres, None) => None,
                };
                Box::pin(async move {
                    if let Some(sql) = setup {
                        conn.execute(sqlx::raw_sql(&sql)).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(connect_options)
            .await
            .map_err(|e| StoreError::Connect { url: redact(url), source: e })?;
        Ok(Self { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Checks the database answers; `/readyz` uses it.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one
    /// failing when it upgrades a read lock.
    pub async fn begin_write(&self) -> Result<Tx, StoreError> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Reads a boolean column: PostgreSQL stores `BOOLEAN`, SQLite stores `INTEGER` 0 or 1.
pub fn row_bool(row: &sqlx::any::AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    match row.try_get::<bool, _>(column) {
        Ok(value) => Ok(value),
        Err(_) => row.try_get::<i64, _>(column).map(|v| v != 0),
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:****{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_url() {
        assert_eq!(Backend::from_url("sqlite://data/t.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("postgres://u@h/db").unwrap(), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://u@h/db").unwrap(), Backend::Postgres);
        assert!(matches!(Backend::from_url("mysql://h/db"), Err(StoreError::UnsupportedUrl(_))));
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://tx:secret@db:5432/tx"), "postgres://tx:****@db:5432/tx");
        assert_eq!(redact("postgres://tx@db/tx"), "postgres://tx@db/tx");
        assert_eq!(redact("sqlite://./data/tongxin.db"), "sqlite://./data/tongxin.db");
    }
}
