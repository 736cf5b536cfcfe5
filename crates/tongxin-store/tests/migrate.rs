//! Migrations and the schema check, on both backends.

use tongxin_store::testing::TestDb;
use tongxin_store::{Backend, StoreError};

async fn check(backend: Backend) {
    let Some(db) = TestDb::unmigrated(backend).await else {
        eprintln!("skipped: {} is not set", tongxin_store::testing::PG_URL_VAR);
        return;
    };
    let store = &db.store;
    let status = store.schema_status().await.unwrap();
    assert_eq!(status.applied, 0);
    assert!(status.known >= 1);
    let err = store.ensure_current_schema().await.unwrap_err();
    assert!(matches!(err, StoreError::SchemaOutOfDate { applied: 0, .. }));
    assert!(err.to_string().contains("run `tongxin migrate`"), "{err}");

    match backend {
        // SQLite migrates itself when it starts serving …
        Backend::Sqlite => store.prepare_for_serving().await.unwrap(),
        // … PostgreSQL refuses until someone runs `tongxin migrate`.
        Backend::Postgres => {
            assert!(matches!(store.prepare_for_serving().await, Err(StoreError::SchemaOutOfDate { .. })));
            assert_eq!(store.migrate().await.unwrap(), status.known);
        }
    }
    store.ensure_current_schema().await.unwrap();
    assert_eq!(store.migrate().await.unwrap(), 0, "migrating twice applies nothing");
    store.ping().await.unwrap();
}

#[tokio::test]
async fn sqlite_schema_check() {
    check(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_schema_check() {
    check(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_runs_with_wal_and_full_sync() {
    use sqlx::Row;
    let db = TestDb::sqlite().await;
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    // Settings that persist in the file: journal mode.
    let mode: String = sqlx::query("PRAGMA journal_mode").fetch_one(&pool).await.unwrap().get(0);
    assert_eq!(mode, "wal");
    pool.close().await;
}

#[tokio::test]
async fn an_unreachable_server_is_a_clear_error() {
    let err = tongxin_store::Store::connect(
        "postgres://nobody@127.0.0.1:1/none",
        tongxin_store::StoreOptions { max_connections: 1, pg_schema: None },
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().starts_with("cannot connect to the database at postgres://nobody@127.0.0.1:1/none"),
        "{err}"
    );
}
