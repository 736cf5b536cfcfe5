//! Resident accounts (a phone number and one-time codes), the codes themselves, and the
//! outbox of the development SMS sink.
//!
//! The phone number is stored sealed, with its blind index for lookup and its masked form
//! for lists; this module never sees it in the clear.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::access::Actor;
use tongxin_core::access::token::same;
use tongxin_core::geo::RegionCode;
use tongxin_core::time::Timestamp;

use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, row_bool};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResidentAccount {
    pub id: i64,
    /// `138****5678`
    pub phone_masked: String,
    pub display_name: String,
    /// The grid the resident lives in, when known; staff see the account within it.
    pub region_code: Option<RegionCode>,
    pub disabled: bool,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

impl ResidentAccount {
    pub fn actor(&self) -> Actor {
        Actor::resident(self.id, &self.phone_masked)
    }
}

/// The result of checking a one-time code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpCheck {
    Valid,
    Wrong,
    /// No code was sent, it expired, or it was already used.
    Missing,
    /// Five wrong tries: the code is void.
    TooManyTries,
}

/// A message the development SMS sink kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentSms {
    pub phone_masked: String,
    pub body: String,
    pub created_at: i64,
}

const COLUMNS: &str = "id, phone_masked, display_name, region_code, disabled, created_at, last_login_at";
const MAX_OTP_TRIES: i64 = 5;

fn account_from_row(row: &AnyRow) -> Result<ResidentAccount, StoreError> {
    Ok(ResidentAccount {
        id: row.try_get("id")?,
        phone_masked: row.try_get("phone_masked")?,
        display_name: row.try_get("display_name")?,
        region_code: row
            .try_get::<Option<String>, _>("region_code")?
            .map(|c| RegionCode::parse(&c).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()?,
        disabled: row_bool(row, "disabled")?,
        created_at: row.try_get("created_at")?,
        last_login_at: row.try_get("last_login_at")?,
    })
}

/// A resident account to create: the phone already sealed, indexed and masked.
#[derive(Debug, Clone)]
pub struct NewResidentAccount {
    pub phone_sealed: Vec<u8>,
    pub phone_index: String,
    pub phone_masked: String,
    pub display_name: String,
    pub region_code: Option<RegionCode>,
}

impl Store {
    pub async fn create_resident_account(
        &self,
        caller: &Caller,
        new: &NewResidentAccount,
    ) -> Result<ResidentAccount, StoreError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO resident_accounts (phone_sealed, phone_index, phone_masked, display_name, region_code, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&new.phone_sealed)
        .bind(&new.phone_index)
        .bind(&new.phone_masked)
        .bind(&new.display_name)
        .bind(new.region_code.as_ref().map(|c| c.as_str()))
        .bind(Timestamp::now().millis())
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::unique("phone", "an account with this phone number exists"))?
        .try_get("id")?;
        let detail = json!({ "after": { "phone": new.phone_masked, "region": new.region_code } });
        self.audit_in(
            &mut tx,
            caller,
            AuditEntry::ok("resident_account.create", "resident_account", id).with_detail(detail),
        )
        .await?;
        tx.commit().await?;
        self.resident_account(id).await?.ok_or(StoreError::NotFound { entity: "resident account", key: id.to_string() })
    }

    pub async fn resident_account(&self, id: i64) -> Result<Option<ResidentAccount>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM resident_accounts WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    pub async fn resident_account_by_phone(&self, phone_index: &str) -> Result<Option<ResidentAccount>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM resident_accounts WHERE phone_index = $1"))
            .bind(phone_index)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    /// Accounts in the given subtrees (`None`: all), by id, with the total.
    pub async fn resident_accounts(
        &self,
        within: Option<&[RegionCode]>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ResidentAccount>, i64), StoreError> {
        // One LIKE pattern per bound region, as $1…$n; codes are digits only.
        let patterns: Vec<String> = within.unwrap_or_default().iter().map(|c| format!("{c}%")).collect();
        let condition = match within {
            None => "1 = 1".to_owned(),
            Some([]) => "1 = 0".to_owned(),
            Some(_) => {
                let terms: Vec<String> = (1..=patterns.len()).map(|i| format!("region_code LIKE ${i}")).collect();
                format!("({})", terms.join(" OR "))
            }
        };
        let n = patterns.len();
        let sql = format!(
            "SELECT {COLUMNS} FROM resident_accounts WHERE {condition} ORDER BY id LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let count_sql = format!("SELECT COUNT(*) AS n FROM resident_accounts WHERE {condition}");
        let (mut query, mut count) = (sqlx::query(&sql), sqlx::query(&count_sql));
        for p in &patterns {
            query = query.bind(p.as_str());
            count = count.bind(p.as_str());
        }
        let rows = query.bind(limit).bind(offset).fetch_all(self.pool()).await?;
        let total: i64 = count.fetch_one(self.pool()).await?.try_get("n")?;
        Ok((rows.iter().map(account_from_row).collect::<Result<_, _>>()?, total))
    }

    /// The sealed phone number, for the few who may see it in full.
    pub async fn resident_phone_sealed(&self, id: i64) -> Result<Vec<u8>, StoreError> {
        let row = sqlx::query("SELECT phone_sealed FROM resident_accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound { entity: "resident account", key: id.to_string() })?;
        Ok(row.try_get("phone_sealed")?)
    }

    pub async fn record_resident_login(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE resident_accounts SET last_login_at = $1 WHERE id = $2")
            .bind(now_ms)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Stores a new code for a phone, replacing any earlier one. Returns `false`, storing
    /// nothing, when a code went to the same phone less than `min_gap_ms` ago.
    pub async fn put_otp(
        &self,
        phone_index: &str,
        code_digest: &str,
        now_ms: i64,
        ttl_ms: i64,
        min_gap_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let recent = sqlx::query("SELECT sent_at FROM otp_codes WHERE phone_index = $1")
            .bind(phone_index)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = recent
            && now_ms - row.try_get::<i64, _>("sent_at")? < min_gap_ms
        {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO otp_codes (phone_index, code_hash, attempts, sent_at, expires_at) VALUES ($1, $2, 0, $3, $4) \
             ON CONFLICT (phone_index) DO UPDATE SET code_hash = excluded.code_hash, attempts = 0, \
               sent_at = excluded.sent_at, expires_at = excluded.expires_at",
        )
        .bind(phone_index)
        .bind(code_digest)
        .bind(now_ms)
        .bind(now_ms + ttl_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Checks a code. A valid code is used up; five wrong ones void it.
    pub async fn check_otp(&self, phone_index: &str, code_digest: &str, now_ms: i64) -> Result<OtpCheck, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT code_hash, attempts, expires_at FROM otp_codes WHERE phone_index = $1")
            .bind(phone_index)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else { return Ok(OtpCheck::Missing) };
        let (stored, attempts, expires_at): (String, i64, i64) =
            (row.try_get("code_hash")?, row.try_get("attempts")?, row.try_get("expires_at")?);
        let verdict = if expires_at <= now_ms {
            OtpCheck::Missing
        } else if attempts >= MAX_OTP_TRIES {
            OtpCheck::TooManyTries
        } else if same(&stored, code_digest) {
            OtpCheck::Valid
        } else {
            OtpCheck::Wrong
        };
        match verdict {
            OtpCheck::Wrong => {
                sqlx::query("UPDATE otp_codes SET attempts = attempts + 1 WHERE phone_index = $1")
                    .bind(phone_index)
                    .execute(&mut *tx)
                    .await?;
            }
            OtpCheck::Valid | OtpCheck::Missing => {
                sqlx::query("DELETE FROM otp_codes WHERE phone_index = $1").bind(phone_index).execute(&mut *tx).await?;
            }
            OtpCheck::TooManyTries => {}
        }
        tx.commit().await?;
        Ok(verdict)
    }

    pub async fn push_sms(&self, phone_masked: &str, body: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sms_outbox (phone_masked, body, created_at) VALUES ($1, $2, $3)")
            .bind(phone_masked)
            .bind(body)
            .bind(Timestamp::now().millis())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The newest messages first.
    pub async fn sent_sms(&self, limit: i64) -> Result<Vec<SentSms>, StoreError> {
        let rows = sqlx::query("SELECT phone_masked, body, created_at FROM sms_outbox ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(SentSms {
                    phone_masked: r.try_get("phone_masked")?,
                    body: r.try_get("body")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }
}
