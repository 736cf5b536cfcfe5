//! Kiosks (自助终端) at service sites. A kiosk device holds an API key with the kiosk scope,
//! bound to one site. A resident signs in at it with their ID number and kiosk PIN
//! (checked and throttled with [`super::pins`]), or with a one-time code their phone shows
//! as a QR code; the sign-in lasts while they use it and ends after [`KIOSK_IDLE_MS`]
//! without a request.

use serde_json::json;
use sqlx::Row;
use tongxin_core::access::token::{digest, random_token};
use tongxin_core::time::Timestamp;

use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError};

/// A kiosk sign-in ends after this long without a request.
pub const KIOSK_IDLE_MS: i64 = 60_000;
/// A phone's sign-in code lasts this long.
pub const KIOSK_CODE_MS: i64 = 5 * 60_000;

impl Store {
    /// Binds a kiosk-scope key to the site it stands at (again: to another site).
    pub async fn bind_kiosk(&self, caller: &Caller, api_key_id: i64, site_id: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO kiosks (api_key_id, site_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (api_key_id) DO UPDATE SET site_id = excluded.site_id",
        )
        .bind(api_key_id)
        .bind(site_id)
        .bind(Timestamp::now().millis())
        .execute(&mut *tx)
        .await?;
        let entry =
            AuditEntry::ok("booking.kiosk.bind", "api_key", api_key_id).with_detail(json!({ "site_id": site_id }));
        self.audit_in(&mut tx, caller, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The site a kiosk key is bound to.
    pub async fn kiosk_site(&self, api_key_id: i64) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT site_id FROM kiosks WHERE api_key_id = $1")
            .bind(api_key_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("site_id")).transpose()?)
    }

    /// Signs a resident in at a kiosk; the session token for the kiosk's cookie. `how` is
    /// `pin` (then `id_index` is the ID number's blind index, whose failed attempts are
    /// forgotten) or `qr`.
    pub async fn open_kiosk_session(
        &self,
        caller: &Caller,
        api_key_id: i64,
        resident_id: i64,
        how: &str,
        id_index: Option<&str>,
    ) -> Result<String, StoreError> {
        let token = random_token();
        let now = Timestamp::now().millis();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO kiosk_sessions (token_hash, api_key_id, resident_id, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(digest(&token))
        .bind(api_key_id)
        .bind(resident_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let entry = AuditEntry::ok("booking.kiosk.sign_in", "resident", resident_id).with_detail(json!({ "by": how }));
        self.audit_in(&mut tx, caller, entry).await?;
        if let Some(index) = id_index {
            super::pins::clear_in(&mut tx, &format!("id:{index}")).await?;
        }
        tx.commit().await?;
        Ok(token)
    }

    /// The resident signed in at kiosk `api_key_id` with `token`, if they used it within the
    /// last minute; the use keeps the session alive.
    pub async fn kiosk_session(&self, api_key_id: i64, token: &str) -> Result<Option<i64>, StoreError> {
        let now = Timestamp::now().millis();
        let row = sqlx::query(
            "SELECT resident_id FROM kiosk_sessions WHERE token_hash = $1 AND api_key_id = $2 AND last_seen > $3",
        )
        .bind(digest(token))
        .bind(api_key_id)
        .bind(now - KIOSK_IDLE_MS)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        sqlx::query("UPDATE kiosk_sessions SET last_seen = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(digest(token))
            .execute(self.pool())
            .await?;
        Ok(Some(row.try_get("resident_id")?))
    }

    /// Ends a kiosk sign-in, and any that went idle.
    pub async fn close_kiosk_session(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM kiosk_sessions WHERE token_hash = $1 OR last_seen <= $2")
            .bind(digest(token))
            .bind(Timestamp::now().millis() - KIOSK_IDLE_MS)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// A one-time code for resident `resident_id` to sign in at a kiosk, for their phone to
    /// show as a QR code; valid for five minutes.
    pub async fn kiosk_code(&self, resident_id: i64) -> Result<String, StoreError> {
        let code = format!("TXK-{}", random_token());
        sqlx::query("INSERT INTO kiosk_codes (code_hash, resident_id, expires_at) VALUES ($1, $2, $3)")
            .bind(digest(&code))
            .bind(resident_id)
            .bind(Timestamp::now().millis() + KIOSK_CODE_MS)
            .execute(self.pool())
            .await?;
        Ok(code)
    }

    /// Uses a code once: the resident it signs in, if it is fresh and unused.
    pub async fn use_kiosk_code(&self, code: &str) -> Result<Option<i64>, StoreError> {
        let now = Timestamp::now().millis();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE kiosk_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING resident_id",
        )
        .bind(now)
        .bind(digest(code.trim()))
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(row.map(|r| r.try_get("resident_id")).transpose()?)
    }
}
