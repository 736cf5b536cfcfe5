//! API keys for machine clients. A key reads `tx_PREFIX_SECRET`; the prefix finds the row
//! and is shown in lists, the secret is stored only as a digest and shown once.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::access::token::{digest, random_hex, random_token, same};
use tongxin_core::access::{Actor, ApiScope};
use tongxin_core::geo::RegionCode;
use tongxin_core::time::Timestamp;

use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    /// The public part, e.g. `tx_1a2b3c4d`, by which an operator recognises a key.
    pub prefix: String,
    pub scopes: Vec<ApiScope>,
    /// `None`: every region.
    pub regions: Option<Vec<RegionCode>>,
    pub created_by: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl ApiKey {
    pub fn actor(&self) -> Actor {
        Actor::api_key(self.id, &self.name, &self.scopes, self.regions.clone())
    }
}

const COLUMNS: &str =
    "id, name, prefix, secret_hash, scopes, regions, created_by, created_at, last_used_at, revoked_at";

fn key_from_row(row: &AnyRow) -> Result<ApiKey, StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("api key: {e}"));
    let scopes: String = row.try_get("scopes")?;
    let regions: Option<String> = row.try_get("regions")?;
    Ok(ApiKey {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        prefix: row.try_get("prefix")?,
        scopes: scopes.split(',').map(|s| s.parse::<ApiScope>().map_err(|e| corrupt(&e))).collect::<Result<_, _>>()?,
        regions: regions
            .map(|r| r.split(',').map(|c| RegionCode::parse(c).map_err(|e| corrupt(&e))).collect::<Result<_, _>>())
            .transpose()?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

/// `last_used_at` is written at most this often.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

impl Store {
    /// Creates a key and returns it with the full secret, which is never stored or shown
    /// again.
    pub async fn create_api_key(
        &self,
        caller: &Caller,
        name: &str,
        scopes: &[ApiScope],
        regions: Option<&[RegionCode]>,
    ) -> Result<(ApiKey, String), StoreError> {
        if scopes.is_empty() {
            return Err(StoreError::Conflict { field: "scopes", reason: "a key needs at least one scope".into() });
        }
        let prefix = format!("tx_{}", random_hex(4));
        let secret = format!("{prefix}_{}", random_token());
        let mut tx = self.begin_write().await?;
        for code in regions.unwrap_or_default() {
            let exists = sqlx::query("SELECT 1 AS one FROM regions WHERE code = $1")
                .bind(code.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(StoreError::Conflict { field: "regions", reason: format!("there is no region {code}") });
            }
        }
        let scope_list = scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",");
        let region_list = regions.map(|r| r.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(","));
        let id: i64 = sqlx::query(
            "INSERT INTO api_keys (name, prefix, secret_hash, scopes, regions, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(name.trim())
        .bind(&prefix)
        .bind(digest(&secret))
        .bind(&scope_list)
        .bind(&region_list)
        .bind(&caller.actor.name)
        .bind(Timestamp::now().millis())
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::unique("name", format!("a key named '{}' exists", name.trim())))?
        .try_get("id")?;
        let detail =
            json!({ "after": { "name": name.trim(), "prefix": prefix, "scopes": scope_list, "regions": region_list } });
        self.audit_in(&mut tx, caller, AuditEntry::ok("apikey.create", "api_key", id).with_detail(detail)).await?;
        tx.commit().await?;
        let key = self.api_key(id).await?.ok_or(StoreError::NotFound { entity: "api key", key: id.to_string() })?;
        Ok((key, secret))
    }

    pub async fn api_key(&self, id: i64) -> Result<Option<ApiKey>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM api_keys WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(key_from_row).transpose()
    }

    pub async fn api_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM api_keys ORDER BY name")).fetch_all(self.pool()).await?;
        rows.iter().map(key_from_row).collect()
    }

    /// The live (unrevoked) key a presented secret belongs to.
    pub async fn authenticate_api_key(&self, secret: &str, now_ms: i64) -> Result<Option<ApiKey>, StoreError> {
        // `tx_` and 8 hex digits, then `_` and the secret (whose base64url may hold more `_`).
        let Some(prefix) =
            secret.get(..11).filter(|p| p.starts_with("tx_") && secret.as_bytes().get(11) == Some(&b'_'))
        else {
            return Ok(None);
        };
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL"))
            .bind(prefix)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let stored: String = row.try_get("secret_hash")?;
        if !same(&stored, &digest(secret)) {
            return Ok(None);
        }
        let key = key_from_row(&row)?;
        if key.last_used_at.is_none_or(|t| now_ms - t >= TOUCH_EVERY_MS) {
            sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
                .bind(now_ms)
                .bind(key.id)
                .execute(self.pool())
                .await?;
        }
        Ok(Some(key))
    }

    /// Revokes a key by id; it stops working at once.
    pub async fn revoke_api_key(&self, caller: &Caller, id: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(Timestamp::now().millis())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound { entity: "live api key", key: id.to_string() });
        }
        self.audit_in(&mut tx, caller, AuditEntry::ok("apikey.revoke", "api_key", id)).await?;
        tx.commit().await?;
        Ok(())
    }
}
