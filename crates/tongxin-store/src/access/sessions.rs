//! Server-side sessions. The cookie holds a random token; the table holds its digest, so a
//! copy of the database lets nobody in. Expiry rules live in `tongxin_core::access::password`.

use sqlx::Row;
use tongxin_core::access::password::{SESSION_IDLE_MS, SESSION_MAX_MS};
use tongxin_core::access::token::{digest, random_token};

use crate::{Store, StoreError};

/// Whose session it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Staff(i64),
    Resident(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_digest: String,
    pub subject: Subject,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

impl Session {
    /// Whether the session has ended: 30 idle minutes, or 12 hours since login.
    pub fn is_expired(&self, now_ms: i64) -> bool {
        now_ms >= self.expires_at || now_ms - self.last_seen_at >= SESSION_IDLE_MS
    }
}

/// `last_seen_at` is written at most this often, so that reading pages does not turn
/// every request into a write.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

impl Store {
    /// Starts a session and returns it with the raw token for the cookie. A new token is
    /// made at every login, so a token planted before login is worth nothing after it.
    pub async fn create_session(
        &self,
        subject: Subject,
        ip: &str,
        now_ms: i64,
    ) -> Result<(Session, String), StoreError> {
        let token = random_token();
        let session = Session {
            token_digest: digest(&token),
            subject,
            csrf_token: random_token(),
            created_at: now_ms,
            last_seen_at: now_ms,
            expires_at: now_ms + SESSION_MAX_MS,
        };
        let (user, resident) = match subject {
            Subject::Staff(id) => (Some(id), None),
            Subject::Resident(id) => (None, Some(id)),
        };
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, resident_id, csrf_token, ip, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
        )
        .bind(&session.token_digest)
        .bind(user)
        .bind(resident)
        .bind(&session.csrf_token)
        .bind(ip)
        .bind(now_ms)
        .bind(session.expires_at)
        .execute(self.pool())
        .await?;
        Ok((session, token))
    }

    /// The live session for a cookie token. An expired one is deleted and not returned;
    /// a live one has its idle clock restarted.
    pub async fn session(&self, token: &str, now_ms: i64) -> Result<Option<Session>, StoreError> {
        let token_digest = digest(token);
        let row = sqlx::query(
            "SELECT user_id, resident_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = $1",
        )
        .bind(&token_digest)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let subject = match (row.try_get::<Option<i64>, _>("user_id")?, row.try_get::<Option<i64>, _>("resident_id")?) {
            (Some(id), None) => Subject::Staff(id),
            (None, Some(id)) => Subject::Resident(id),
            _ => return Err(StoreError::Corrupt("a session belongs to neither a user nor a resident".into())),
        };
        let session = Session {
            token_digest,
            subject,
            csrf_token: row.try_get("csrf_token")?,
            created_at: row.try_get("created_at")?,
            last_seen_at: row.try_get("last_seen_at")?,
            expires_at: row.try_get("expires_at")?,
        };
        if session.is_expired(now_ms) {
            self.end_session(&session.token_digest).await?;
            return Ok(None);
        }
        if now_ms - session.last_seen_at >= TOUCH_EVERY_MS {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now_ms)
                .bind(&session.token_digest)
                .execute(self.pool())
                .await?;
        }
        Ok(Some(session))
    }

    pub async fn end_session(&self, token_digest: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_digest).execute(self.pool()).await?;
        Ok(())
    }

    /// Deletes every ended session; the server runs it from time to time.
    pub async fn purge_sessions(&self, now_ms: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now_ms)
            .bind(now_ms - SESSION_IDLE_MS)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Sessions of one staff account (the account page lists them).
    pub async fn count_sessions(&self, subject: Subject) -> Result<i64, StoreError> {
        let (column, id) = match subject {
            Subject::Staff(id) => ("user_id", id),
            Subject::Resident(id) => ("resident_id", id),
        };
        let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM sessions WHERE {column} = $1"))
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }
}
