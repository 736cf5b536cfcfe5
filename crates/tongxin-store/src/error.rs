//! [`StoreError`]: what can go wrong below the domain, said so that the layer above can
//! answer the caller without guessing.

use sqlx::migrate::MigrateError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database at {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("the database schema is out of date ({applied} of {known} migrations applied); run `tongxin migrate`")]
    SchemaOutOfDate { applied: usize, known: usize },
    #[error("the database schema is newer than this tongxin (it has migration {0}, which this build does not know)")]
    SchemaTooNew(i64),
    #[error("migration {0} was changed after it was applied; restore it or rebuild the database")]
    MigrationChanged(i64),
    #[error("migration failed: {0}")]
    Migrate(#[from] MigrateError),
    #[error("{entity} '{key}' not found")]
    NotFound { entity: &'static str, key: String },
    /// A unique or check constraint refused the write; `field` names the input.
    #[error("{field}: {reason}")]
    Conflict { field: &'static str, reason: String },
    /// The lifecycle does not allow this action now; the error lists what it allows.
    #[error(transparent)]
    Refused(tongxin_core::cases::lifecycle::Refused),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// The blob store (photo files) failed.
    #[error("file storage error: {0}")]
    Blob(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Turns a unique violation into a [`StoreError::Conflict`] naming `field`; any other
    /// error passes through.
    pub fn unique(field: &'static str, reason: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict { field, reason: reason.into() }
            }
            _ => StoreError::Database(e),
        }
    }
}
