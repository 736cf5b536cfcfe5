//! Staff accounts.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::access::password::after_failed_login;
use tongxin_core::access::{Actor, Role};
use tongxin_core::geo::RegionCode;
use tongxin_core::time::Timestamp;

use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, Tx, row_bool};

/// A staff account, without its secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub regions: Vec<RegionCode>,
    pub disabled: bool,
    /// While set and in the future, logins are refused.
    pub locked_until: Option<i64>,
    pub has_totp: bool,
}

impl User {
    /// The actor this account acts as.
    pub fn actor(&self) -> Actor {
        Actor::staff(self.id, &self.username, self.roles.clone(), self.regions.clone())
    }

    pub fn is_locked(&self, now_ms: i64) -> bool {
        self.locked_until.is_some_and(|until| until > now_ms)
    }
}

/// A staff account to create; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: Vec<Role>,
    pub regions: Vec<RegionCode>,
}

const COLUMNS: &str = "id, username, display_name, disabled, locked_until, totp_sealed IS NOT NULL AS has_totp";

impl Store {
    async fn user_from_row(&self, row: &AnyRow) -> Result<User, StoreError> {
        let id: i64 = row.try_get("id")?;
        let roles = self.user_list(id, "SELECT role AS value FROM user_roles WHERE user_id = $1 ORDER BY role", |v| {
            v.parse::<Role>().map_err(|e| e.to_string())
        });
        let regions = self.user_list(
            id,
            "SELECT region_code AS value FROM user_regions WHERE user_id = $1 ORDER BY region_code",
            |v| RegionCode::parse(v).map_err(|e| e.to_string()),
        );
        let (roles, regions) = (roles.await?, regions.await?);
        Ok(User {
            id,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            roles,
            regions,
            disabled: row_bool(row, "disabled")?,
            locked_until: row.try_get("locked_until")?,
            has_totp: row_bool(row, "has_totp")?,
        })
    }

    /// One of an account's lists (roles, regions), each row's `value` parsed.
    async fn user_list<T>(
        &self,
        id: i64,
        sql: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Vec<T>, StoreError> {
        let rows = sqlx::query(sql).bind(id).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let value: String = r.try_get("value")?;
                parse(&value).map_err(|e| StoreError::Corrupt(format!("account {id}: {e}")))
            })
            .collect()
    }

    pub async fn create_user(&self, caller: &Caller, new: &NewUser) -> Result<User, StoreError> {
        if new.roles.is_empty() {
            return Err(StoreError::Conflict { field: "roles", reason: "an account needs at least one role".into() });
        }
        let now = Timestamp::now().millis();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(&new.username)
        .bind(&new.display_name)
        .bind(&new.password_hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::unique("username", format!("the username '{}' is taken", new.username)))?
        .try_get("id")?;
        Self::set_roles_and_regions(&mut tx, id, &new.roles, &new.regions).await?;
        let detail = json!({ "after": { "username": new.username, "roles": new.roles, "regions": new.regions } });
        self.audit_in(&mut tx, caller, AuditEntry::ok("user.create", "user", id).with_detail(detail)).await?;
        tx.commit().await?;
        self.user(id).await?.ok_or(StoreError::NotFound { entity: "user", key: id.to_string() })
    }

    async fn set_roles_and_regions(
        tx: &mut Tx,
        id: i64,
        roles: &[Role],
        regions: &[RegionCode],
    ) -> Result<(), StoreError> {
        for role in roles {
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(role.as_str())
                .execute(&mut **tx)
                .await?;
        }
        for region in regions {
            sqlx::query("INSERT INTO user_regions (user_id, region_code) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(region.as_str())
                .execute(&mut **tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                        StoreError::Conflict { field: "regions", reason: format!("there is no region {region}") }
                    }
                    _ => StoreError::Database(e),
                })?;
        }
        Ok(())
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => Ok(Some(self.user_from_row(&row).await?)),
            None => Ok(None),
        }
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE username = $1"))
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => Ok(Some(self.user_from_row(&row).await?)),
            None => Ok(None),
        }
    }

    /// The stored password hash and sealed TOTP secret, for login only.
    pub async fn user_credentials(&self, id: i64) -> Result<(String, Option<Vec<u8>>), StoreError> {
        let row = sqlx::query("SELECT password_hash, totp_sealed FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        Ok((row.try_get("password_hash")?, row.try_get("totp_sealed")?))
    }

    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows =
            sqlx::query(&format!("SELECT {COLUMNS} FROM users ORDER BY username")).fetch_all(self.pool()).await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in &rows {
            users.push(self.user_from_row(row).await?);
        }
        Ok(users)
    }

    /// Disables or re-enables an account. Disabling ends its sessions at once.
    pub async fn set_user_disabled(&self, caller: &Caller, id: i64, disabled: bool) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
            .bind(disabled)
            .bind(Timestamp::now().millis())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound { entity: "user", key: id.to_string() });
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        }
        let action = if disabled { "user.disable" } else { "user.enable" };
        self.audit_in(&mut tx, caller, AuditEntry::ok(action, "user", id)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password, lifts any lock and ends the account's sessions.
    pub async fn reset_password(&self, caller: &Caller, id: i64, password_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL, updated_at = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(Timestamp::now().millis())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound { entity: "user", key: id.to_string() });
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        self.audit_in(&mut tx, caller, AuditEntry::ok("user.reset_password", "user", id)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets (or, with `None`, removes) the account's sealed TOTP secret.
    pub async fn set_totp(&self, caller: &Caller, id: i64, sealed: Option<&[u8]>) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET totp_sealed = $1, updated_at = $2 WHERE id = $3")
            .bind(sealed.map(<[u8]>::to_vec))
            .bind(Timestamp::now().millis())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let action = if sealed.is_some() { "user.totp_enroll" } else { "user.totp_remove" };
        self.audit_in(&mut tx, caller, AuditEntry::ok(action, "user", id)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Counts a failed login; returns the end of the lock when this one locked the account.
    pub async fn record_failed_login(&self, id: i64, now_ms: i64) -> Result<Option<i64>, StoreError> {
        let mut tx = self.begin_write().await?;
        let failed: i64 = sqlx::query("SELECT failed_logins FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let (failed, locked_until) = after_failed_login(failed, now_ms);
        sqlx::query("UPDATE users SET failed_logins = $1, locked_until = COALESCE($2, locked_until) WHERE id = $3")
            .bind(failed)
            .bind(locked_until)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(locked_until)
    }

    pub async fn record_successful_login(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
