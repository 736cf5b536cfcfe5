//! A fresh, migrated database per test, on either backend.
//!
//! SQLite tests get a new file in a temporary directory. PostgreSQL tests get a new schema
//! in the database named by `TONGXIN_TEST_DATABASE_URL`, dropped when the test ends, so
//! tests run in parallel without seeing each other. When that variable is set the
//! PostgreSQL tests must really run: an unreachable server fails them.
//!
//! Write the test body once, as an `async fn(TestDb)`, and list it in [`backend_tests!`]:
//!
//! ```ignore
//! async fn stores_a_region(db: TestDb) { /* use db.store */ }
//! tongxin_store::backend_tests!(stores_a_region);
//! ```

pub mod booking;
pub mod data_text;
pub mod safety;

use crate::{Backend, Store, StoreOptions};

/// The variable that turns the PostgreSQL half of the suite on.
pub const PG_URL_VAR: &str = "TONGXIN_TEST_DATABASE_URL";

/// A store for one test. The database goes away with it.
pub struct TestDb {
    pub store: Store,
    /// The URL and options that reach the same database, for code under test that
    /// connects by itself (the CLI, a second server node).
    pub url: String,
    pub options: StoreOptions,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        Self::sqlite_with(true).await
    }

    /// `None` when `TONGXIN_TEST_DATABASE_URL` is unset; panics when it is set but the
    /// server cannot be used.
    pub async fn postgres() -> Option<TestDb> {
        Self::postgres_with(true).await
    }

    /// The same database on `backend`, left empty, with no migrations applied.
    pub async fn unmigrated(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite_with(false).await),
            Backend::Postgres => Self::postgres_with(false).await,
        }
    }

    async fn sqlite_with(migrate: bool) -> TestDb {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let options = StoreOptions::default();
        let store = Store::connect(&url, options.clone()).await.expect("open a SQLite test database");
        if migrate {
            store.migrate().await.expect("migrate the SQLite test database");
        }
        TestDb { store, url, options, _dir: Some(dir), pg_schema: None }
    }

    async fn postgres_with(migrate: bool) -> Option<TestDb> {
        let url = std::env::var(PG_URL_VAR).ok().filter(|u| !u.is_empty())?;
        let schema = format!("tx_test_{}", uuid::Uuid::new_v4().simple());
        let admin =
            admin(&url).await.unwrap_or_else(|e| panic!("{PG_URL_VAR} is set but PostgreSQL cannot be used: {e}"));
        sqlx::query(&format!("CREATE SCHEMA \"{schema}\"")).execute(admin.pool()).await.expect("create a test schema");
        admin.close().await;
        let options = StoreOptions { max_connections: 5, pg_schema: Some(schema.clone()) };
        let store = Store::connect(&url, options.clone()).await.expect("connect to the test schema");
        assert_eq!(store.backend(), Backend::Postgres, "{PG_URL_VAR} must be a postgres:// URL");
        if migrate {
            store.migrate().await.expect("migrate the PostgreSQL test schema");
        }
        Some(TestDb { store, url: url.clone(), options, _dir: None, pg_schema: Some((url, schema)) })
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// A URL that reaches this same database from another process (the CLI under test):
    /// for PostgreSQL it selects the test's schema through the `options` parameter.
    pub fn standalone_url(&self) -> String {
        match &self.pg_schema {
            None => self.url.clone(),
            Some((url, schema)) => {
                let joiner = if url.contains('?') { '&' } else { '?' };
                format!("{url}{joiner}options=-c%20search_path%3D{schema}")
            }
        }
    }
}

impl Store {
    /// Runs one raw statement; tests use it to play someone with direct database access.
    pub async fn execute_raw(&self, sql: &str) -> Result<u64, crate::StoreError> {
        Ok(sqlx::query(sql).execute(self.pool()).await?.rows_affected())
    }
}

/// One connection to the database itself (no test schema), for creating and dropping schemas.
async fn admin(url: &str) -> Result<Store, crate::StoreError> {
    Store::connect(url, StoreOptions { max_connections: 1, pg_schema: None }).await
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((url, schema)) = self.pg_schema.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on; a short-lived
        // runtime on its own thread drops the schema.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let admin = admin(&url).await.ok()?;
                let sql = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                let done = sqlx::query(&sql).execute(admin.pool()).await.ok();
                admin.close().await;
                done
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("note: could not drop a PostgreSQL test schema");
        }
    }
}

/// Runs each listed `async fn(TestDb)` twice: in module `sqlite` always, and in module
/// `postgres` when `TONGXIN_TEST_DATABASE_URL` is set.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::testing::TestDb::sqlite().await).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    match $crate::testing::TestDb::postgres().await {
                        Some(db) => super::$name(db).await,
                        None => eprintln!("skipped: {} is not set", $crate::testing::PG_URL_VAR),
                    }
                }
            )+
        }
    };
}
