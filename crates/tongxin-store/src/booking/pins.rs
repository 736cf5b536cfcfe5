//! Kiosk PINs (终端口令) and the lockout of kiosk sign-ins.
//!
//! A PIN is kept as an argon2id hash per resident ([`Store::set_kiosk_pin`]). Failed
//! sign-ins are counted in `kiosk_throttle`, so that every node sees the same counts: per
//! ID number, by its blind index (whether or not anyone has that number, so that a lock
//! says nothing about who exists), and per kiosk. Each failure is audited
//! (`booking.kiosk.sign_in`, failed) with the lock it may start (`booking.kiosk.lock`), in
//! the transaction that counts it; attempts refused by a lock in force are not counted.

use serde_json::json;
use sqlx::Row;
use tongxin_core::booking::pin::{PER_ID, PER_KIOSK, Throttle};
use tongxin_core::time::Timestamp;

use crate::audit::{AuditEntry, Caller, Outcome};
use crate::{Store, StoreError, Tx};

/// What a failure counts against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guarded {
    /// An ID number as typed: its blind index, and its masked form for the audit log.
    IdNumber { index: String, masked: String },
    /// A kiosk, by its API key.
    Kiosk(i64),
}

impl Guarded {
    fn subject(&self) -> String {
        match self {
            Guarded::IdNumber { index, .. } => format!("id:{index}"),
            Guarded::Kiosk(key) => format!("kiosk:{key}"),
        }
    }

    fn throttle(&self) -> Throttle {
        match self {
            Guarded::IdNumber { .. } => PER_ID,
            Guarded::Kiosk(_) => PER_KIOSK,
        }
    }

    fn audit_object(&self) -> (&'static str, String) {
        match self {
            Guarded::IdNumber { masked, .. } => ("id_number", masked.clone()),
            Guarded::Kiosk(key) => ("api_key", key.to_string()),
        }
    }
}

/// A resident's PIN as the operator console and the phone page show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PinState {
    /// When the PIN was last set; `None`: they have none.
    pub set_at: Option<Timestamp>,
    /// The end of a lock of their ID number in force.
    pub locked_until: Option<Timestamp>,
}

/// One failed sign-in to record.
#[derive(Debug, Clone)]
pub struct Failure<'a> {
    /// The ID number typed, when it was a valid one, then the kiosk.
    pub guarded: &'a [Guarded],
    /// Why, for the audit log: `unknown`, `no_pin`, `wrong_pin`, `malformed`.
    pub reason: &'static str,
    pub kiosk: i64,
}

impl Store {
    /// Sets (or replaces) a resident's kiosk PIN, given as its hash, and lifts any lock on
    /// their ID number: whoever sets it has just heard from the resident.
    pub async fn set_kiosk_pin(&self, caller: &Caller, resident_id: i64, pin_hash: &str) -> Result<(), StoreError> {
        let now = Timestamp::now().millis();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT id_index FROM residents WHERE id = $1")
            .bind(resident_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound { entity: "resident", key: resident_id.to_string() })?;
        let index: Option<String> = row.try_get("id_index")?;
        let replaced = sqlx::query("SELECT 1 AS one FROM kiosk_pins WHERE resident_id = $1")
            .bind(resident_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        sqlx::query(
            "INSERT INTO kiosk_pins (resident_id, pin_hash, set_at) VALUES ($1, $2, $3) \
             ON CONFLICT (resident_id) DO UPDATE SET pin_hash = excluded.pin_hash, set_at = excluded.set_at",
        )
        .bind(resident_id)
        .bind(pin_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // The audit entry first: its lock comes before the counter's row lock in every
        // transaction here, so two of them never wait on each other.
        let subject = index.map(|i| format!("id:{i}"));
        let unlocked = match &subject {
            Some(s) => locked_until(&mut tx, s, now).await?.is_some(),
            None => false,
        };
        let entry = AuditEntry::ok("booking.kiosk.pin_set", "resident", resident_id)
            .with_detail(json!({ "replaced": replaced, "unlocked": unlocked }));
        self.audit_in(&mut tx, caller, entry).await?;
        if let Some(s) = &subject {
            clear_in(&mut tx, s).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether a resident has a PIN, since when, and whether their ID number is locked.
    pub async fn kiosk_pin_state(&self, resident_id: i64) -> Result<PinState, StoreError> {
        let now = Timestamp::now().millis();
        let row = sqlx::query(
            "SELECT p.set_at, t.locked_until FROM residents r \
             LEFT JOIN kiosk_pins p ON p.resident_id = r.id \
             LEFT JOIN kiosk_throttle t ON t.subject = 'id:' || r.id_index AND t.locked_until > $2 \
             WHERE r.id = $1",
        )
        .bind(resident_id)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(PinState::default()) };
        Ok(PinState {
            set_at: row.try_get::<Option<i64>, _>("set_at")?.map(Timestamp::from_millis),
            locked_until: row.try_get::<Option<i64>, _>("locked_until")?.map(Timestamp::from_millis),
        })
    }

    /// The living resident with this ID number (by its blind index) and their PIN's hash,
    /// when they have both.
    pub async fn kiosk_pin_of(&self, id_index: &str) -> Result<Option<(i64, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT r.id, p.pin_hash FROM residents r JOIN kiosk_pins p ON p.resident_id = r.id \
             WHERE r.id_index = $1 AND r.moved_out IS NULL",
        )
        .bind(id_index)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((r.try_get("id")?, r.try_get("pin_hash")?))).transpose()
    }

    /// The end of the latest lock in force on any of `guarded`.
    pub async fn kiosk_locked_until(&self, guarded: &[Guarded], now: i64) -> Result<Option<i64>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let mut until = None;
        for g in guarded {
            let row = sqlx::query("SELECT locked_until FROM kiosk_throttle WHERE subject = $1 AND locked_until > $2")
                .bind(g.subject())
                .bind(now)
                .fetch_optional(&mut *conn)
                .await?;
            if let Some(row) = row {
                until = until.max(row.try_get::<Option<i64>, _>("locked_until")?);
            }
        }
        Ok(until)
    }

    /// Counts one failed sign-in against each of its subjects, audited; locks each that
    /// reaches its limit, audited. The end of the latest lock in force afterwards, if any.
    pub async fn record_kiosk_failure(
        &self,
        caller: &Caller,
        failure: &Failure<'_>,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.begin_write().await?;
        let shown = failure.guarded.iter().find_map(|g| match g {
            Guarded::IdNumber { masked, .. } => Some(masked.clone()),
            Guarded::Kiosk(_) => None,
        });
        let entry = AuditEntry::ok("booking.kiosk.sign_in", "id_number", shown.unwrap_or_default())
            .with_outcome(Outcome::Failed)
            .with_detail(json!({ "reason": failure.reason, "kiosk": failure.kiosk }));
        self.audit_in(&mut tx, caller, entry).await?;
        let mut until = None;
        for g in failure.guarded {
            let (failures, locked_until) = count_in(&mut tx, g, now).await?;
            let lock = match locked_until {
                Some(end) => Some(end),
                None if failures >= g.throttle().failures => {
                    let end = now + g.throttle().lock_ms;
                    lock_in(&mut tx, &g.subject(), end).await?;
                    let (kind, object) = g.audit_object();
                    let detail = json!({
                        "failures": failures,
                        "until": Timestamp::from_millis(end).to_shanghai_rfc3339(),
                        "kiosk": failure.kiosk,
                    });
                    let entry = AuditEntry::ok("booking.kiosk.lock", kind, object).with_detail(detail);
                    self.audit_in(&mut tx, caller, entry).await?;
                    Some(end)
                }
                None => None,
            };
            until = until.max(lock);
        }
        tx.commit().await?;
        Ok(until)
    }
}

/// Adds one failure to `g`'s count, starting a new window when the last one has passed;
/// a subject locked already is not counted. The count, and the lock in force.
async fn count_in(tx: &mut Tx, g: &Guarded, now: i64) -> Result<(i64, Option<i64>), StoreError> {
    // One statement, so that concurrent failures on PostgreSQL queue on the row's lock
    // and each sees the count of those before it.
    let row = sqlx::query(
        "INSERT INTO kiosk_throttle (subject, failures, window_start, locked_until) VALUES ($1, 1, $2, NULL) \
         ON CONFLICT (subject) DO UPDATE SET \
           failures = CASE WHEN kiosk_throttle.locked_until > $2 THEN kiosk_throttle.failures \
                           WHEN kiosk_throttle.window_start <= $3 THEN 1 \
                           ELSE kiosk_throttle.failures + 1 END, \
           window_start = CASE WHEN kiosk_throttle.locked_until > $2 THEN kiosk_throttle.window_start \
                               WHEN kiosk_throttle.window_start <= $3 THEN $2 \
                               ELSE kiosk_throttle.window_start END \
         RETURNING failures, locked_until",
    )
    .bind(g.subject())
    .bind(now)
    .bind(now - g.throttle().window_ms)
    .fetch_one(&mut **tx)
    .await?;
    let locked: Option<i64> = row.try_get("locked_until")?;
    Ok((row.try_get("failures")?, locked.filter(|end| *end > now)))
}

async fn lock_in(tx: &mut Tx, subject: &str, until: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE kiosk_throttle SET failures = 0, locked_until = $1 WHERE subject = $2")
        .bind(until)
        .bind(subject)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn locked_until(tx: &mut Tx, subject: &str, now: i64) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT locked_until FROM kiosk_throttle WHERE subject = $1 AND locked_until > $2")
        .bind(subject)
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| r.try_get::<Option<i64>, _>("locked_until")).transpose()?.flatten())
}

/// Forgets a subject's failures and lock. Call it after the transaction's audit entry
/// (see [`Store::set_kiosk_pin`]).
pub(super) async fn clear_in(tx: &mut Tx, subject: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM kiosk_throttle WHERE subject = $1").bind(subject).execute(&mut **tx).await?;
    Ok(())
}
