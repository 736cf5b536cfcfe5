//! The hash chain: how an entry's hash is made, how the whole log is checked, and how old
//! entries leave without breaking what remains.

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{AuditRecord, COLUMNS, record_from_row};
use crate::{Store, StoreError};

/// SHA-256 over the previous hash and every field of the entry, as a JSON array (which
/// escapes each field unambiguously).
pub fn entry_hash(r: &AuditRecord) -> String {
    let fields = serde_json::json!([
        r.seq,
        r.at.millis(),
        r.actor_kind,
        r.actor_id,
        r.actor_name,
        r.ip,
        r.action,
        r.object_kind,
        r.object_id,
        r.outcome,
        r.detail
    ]);
    let mut hasher = Sha256::new();
    hasher.update(r.prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(fields.to_string().as_bytes());
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    pub reason: String,
}

/// The result of [`Store::verify_audit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub checked: i64,
    pub first_break: Option<Break>,
}

/// Rows read per round trip while verifying.
const BATCH: i64 = 5_000;

impl Store {
    /// Walks the whole log from its anchor and reports the first entry that was edited,
    /// deleted or moved.
    pub async fn verify_audit(&self) -> Result<Verification, StoreError> {
        let anchor = sqlx::query("SELECT seq, hash FROM audit_anchor WHERE id = 1").fetch_one(self.pool()).await?;
        let (mut expected_seq, mut prev_hash): (i64, String) =
            (anchor.try_get::<i64, _>("seq")? + 1, anchor.try_get("hash")?);
        let mut checked = 0;
        loop {
            let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2"))
                .bind(expected_seq)
                .bind(BATCH)
                .fetch_all(self.pool())
                .await?;
            if rows.is_empty() {
                return Ok(Verification { checked, first_break: None });
            }
            for row in &rows {
                let record = record_from_row(row)?;
                let broken =
                    |reason: String| Ok(Verification { checked, first_break: Some(Break { seq: record.seq, reason }) });
                if record.seq != expected_seq {
                    let missing = if record.seq == expected_seq + 1 {
                        format!("entry {expected_seq} is missing (deleted)")
                    } else {
                        format!("entries {expected_seq} to {} are missing (deleted)", record.seq - 1)
                    };
                    return broken(missing);
                }
                if record.prev_hash != prev_hash {
                    return broken(format!(
                        "entry {} does not follow the entry before it (deleted, reordered or replaced)",
                        record.seq
                    ));
                }
                if entry_hash(&record) != record.hash {
                    return broken(format!("entry {} was edited after it was written", record.seq));
                }
                prev_hash = record.hash;
                expected_seq += 1;
                checked += 1;
            }
        }
    }

    /// Deletes entries older than `before_ms`, first moving the anchor to the last of them
    /// so the chain stays verifiable. The database refuses to delete anything younger than
    /// 180 days whatever the caller asks.
    pub async fn purge_audit(&self, before_ms: i64) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let last = sqlx::query("SELECT seq, hash FROM audit_log WHERE at < $1 ORDER BY seq DESC LIMIT 1")
            .bind(before_ms)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(last) = last else { return Ok(0) };
        let (seq, hash): (i64, String) = (last.try_get("seq")?, last.try_get("hash")?);
        sqlx::query("UPDATE audit_anchor SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        let deleted = sqlx::query("DELETE FROM audit_log WHERE seq <= $1").bind(seq).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(deleted.rows_affected())
    }
}
