//! Embedded migrations, one folder per backend, and the schema check.
//!
//! SQLite migrates itself at start (the file belongs to this one process). PostgreSQL is
//! shared by several `tongxin serve` nodes, so it is migrated on purpose with
//! `tongxin migrate`, and a node refuses to serve on an out-of-date schema.

use sqlx::migrate::{Migrate, Migrator};

use crate::{Backend, Store, StoreError};

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// Where the schema stands against this build's migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaStatus {
    pub applied: usize,
    pub known: usize,
}

impl SchemaStatus {
    pub fn is_current(&self) -> bool {
        self.applied == self.known
    }
}

impl Store {
    fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE,
            Backend::Postgres => &POSTGRES,
        }
    }

    /// Applies every pending migration; returns how many were applied now.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let before = self.schema_status().await?;
        self.migrator().run(self.pool()).await?;
        Ok(self.migrator().iter().count() - before.applied)
    }

    /// Compares the applied migrations with this build's, refusing a schema that is
    /// newer than the build or whose applied migrations were edited afterwards.
    pub async fn schema_status(&self) -> Result<SchemaStatus, StoreError> {
        let mut conn = self.pool().acquire().await?;
        conn.ensure_migrations_table().await?;
        let applied = conn.list_applied_migrations().await?;
        let migrator = self.migrator();
        for migration in &applied {
            let known = migrator.iter().find(|m| m.version == migration.version);
            match known {
                None => return Err(StoreError::SchemaTooNew(migration.version)),
                Some(m) if m.checksum != migration.checksum => {
                    return Err(StoreError::MigrationChanged(migration.version));
                }
                Some(_) => {}
            }
        }
        Ok(SchemaStatus { applied: applied.len(), known: migrator.iter().count() })
    }

    /// Errors unless the schema is exactly this build's.
    pub async fn ensure_current_schema(&self) -> Result<(), StoreError> {
        let status = self.schema_status().await?;
        if status.is_current() {
            Ok(())
        } else {
            Err(StoreError::SchemaOutOfDate { applied: status.applied, known: status.known })
        }
    }

    /// What a starting server does: SQLite migrates, PostgreSQL must already be current.
    pub async fn prepare_for_serving(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => self.migrate().await.map(drop),
            Backend::Postgres => self.ensure_current_schema().await,
        }
    }
}
