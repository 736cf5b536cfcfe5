//! The notification outbox. A step of a case queues its notices here, in its own
//! transaction ([`Store::notify_in`]): one row per recipient, with the text already
//! written. A worker on any node claims due rows ([`Store::claim_notifications`]: on
//! PostgreSQL with `FOR UPDATE SKIP LOCKED`, and a lease so no other node takes them while
//! they are sent), delivers them, and records the outcome
//! ([`Store::finish_notification`]): sent, or tried again later with a growing delay, or
//! given up after [`MAX_ATTEMPTS`]. Staff and residents also read theirs in the app.
//! Each row keeps the variables of its text too ([`Params`]), for SMS gateways that send
//! only pre-approved templates.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::cases::notify::notices;
use tongxin_core::time::Timestamp;

mod recipients;

use recipients::recipients;

use crate::audit::Caller;
use crate::{Backend, Store, StoreError, Tx};

/// Tries before a notification is given up.
pub const MAX_ATTEMPTS: i64 = 6;

/// The wait before try `attempts + 1`, after `attempts` failed ones.
pub fn retry_delay_ms(attempts: i64) -> i64 {
    const MINUTE: i64 = 60_000;
    match attempts {
        ..=1 => MINUTE,
        2 => 5 * MINUTE,
        3 => 30 * MINUTE,
        4 => 120 * MINUTE,
        _ => 360 * MINUTE,
    }
}

/// The variables of a notice's text by name (`number`, `category`; `service`, `when`,
/// `site`), as a template gateway fills them in.
pub type Params = BTreeMap<String, String>;

/// Who receives a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Recipient {
    /// A staff account.
    Staff(i64),
    /// A resident account.
    Resident(i64),
    /// The contact given with this case's report (a caller's phone), sealed on the case.
    Contact(i64),
    /// A registry resident (`residents.id`), by the phone in their record: booking notices.
    Person(i64),
}

impl Recipient {
    pub fn kind(self) -> &'static str {
        match self {
            Recipient::Staff(_) => "staff",
            Recipient::Resident(_) => "resident",
            Recipient::Contact(_) => "contact",
            Recipient::Person(_) => "person",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Recipient::Staff(id) | Recipient::Resident(id) | Recipient::Contact(id) | Recipient::Person(id) => id,
        }
    }

    pub fn from_parts(kind: &str, id: i64) -> Result<Recipient, StoreError> {
        match kind {
            "staff" => Ok(Recipient::Staff(id)),
            "resident" => Ok(Recipient::Resident(id)),
            "contact" => Ok(Recipient::Contact(id)),
            "person" => Ok(Recipient::Person(id)),
            other => Err(StoreError::Corrupt(format!("unknown recipient kind '{other}'"))),
        }
    }
}

/// A queued notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub case_id: Option<i64>,
    pub case_number: String,
    pub kind: String,
    pub recipient: Recipient,
    pub text: String,
    /// The variables of `text`.
    pub params: Params,
    pub created_at: Timestamp,
    /// pending, sent or failed
    pub status: String,
    pub attempts: i64,
    pub last_error: String,
    /// The channels that already carried it.
    pub delivered: Vec<String>,
    pub read: bool,
}

/// A claimed notification, with what delivery needs: the sealed phone of a resident or a
/// caller (opened only by the sender).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub notification: Notification,
    pub phone_sealed: Option<Vec<u8>>,
}

const COLUMNS: &str = "n.id, n.case_id, c.number, n.kind, n.recipient_kind, n.recipient_id, n.text, n.params, \
    n.created_at, n.status, n.attempts, n.last_error, n.delivered, n.read_at";

fn notification_from_row(row: &AnyRow) -> Result<Notification, StoreError> {
    let read_at: Option<i64> = row.try_get("read_at")?;
    Ok(Notification {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        case_number: row.try_get::<Option<String>, _>("number")?.unwrap_or_default(),
        kind: row.try_get("kind")?,
        recipient: Recipient::from_parts(&row.try_get::<String, _>("recipient_kind")?, row.try_get("recipient_id")?)?,
        text: row.try_get("text")?,
        params: serde_json::from_str(&row.try_get::<String, _>("params")?)
            .map_err(|e| StoreError::Corrupt(format!("notification params: {e}")))?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
        delivered: row
            .try_get::<String, _>("delivered")?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        read: read_at.is_some(),
    })
}

impl Store {
    /// Queues the notices `step` sends about case `case_id`, inside the step's transaction.
    /// The caller is not told of their own step. Returns how many were queued.
    pub(crate) async fn notify_in(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        case_id: i64,
        step: &str,
    ) -> Result<usize, StoreError> {
        let list = notices(step);
        if list.is_empty() {
            return Ok(0);
        }
        let row = sqlx::query(
            "SELECT c.number, c.source, c.region_code, c.department_code, c.reporter_user, c.reporter_resident, \
               c.reporter_sealed IS NOT NULL AS has_contact, k.name AS category_name \
             FROM cases c JOIN categories k ON k.code = c.category_code WHERE c.id = $1",
        )
        .bind(case_id)
        .fetch_one(&mut **tx)
        .await?;
        let number: String = row.try_get("number")?;
        let category: String = row.try_get("category_name")?;
        let me = match caller.actor.kind {
            tongxin_core::access::ActorKind::Staff => Some(Recipient::Staff(caller.actor.id)),
            tongxin_core::access::ActorKind::Resident => Some(Recipient::Resident(caller.actor.id)),
            _ => None,
        };
        let now = Timestamp::now().millis();
        let mut queued = 0;
        for (audience, notice) in list {
            let mut recipients = recipients(tx, case_id, &row, audience).await?;
            recipients.sort();
            recipients.dedup();
            let text = notice.text(&number, &category);
            let params = params_json(&[("number", &number), ("category", &category)]);
            for recipient in recipients.into_iter().filter(|r| Some(*r) != me) {
                sqlx::query(
                    "INSERT INTO notifications (case_id, kind, recipient_kind, recipient_id, text, params, created_at, \
                       next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                )
                .bind(case_id)
                .bind(notice.as_str())
                .bind(recipient.kind())
                .bind(recipient.id())
                .bind(&text)
                .bind(&params)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// Claims up to `limit` notifications due at `now` for `lease_ms`: no other worker takes
    /// them meanwhile. Each comes with the sealed phone its delivery may need.
    pub async fn claim_notifications(
        &self,
        now: Timestamp,
        limit: i64,
        lease_ms: i64,
    ) -> Result<Vec<Outgoing>, StoreError> {
        let mut tx = self.begin_write().await?;
        let lock = if self.backend() == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let rows = sqlx::query(&format!(
            "SELECT id FROM notifications WHERE status = 'pending' AND next_attempt_at <= $1 AND claimed_until <= $1 \
             ORDER BY id LIMIT $2{lock}"
        ))
        .bind(now.millis())
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let ids = rows.iter().map(|r| r.try_get::<i64, _>("id")).collect::<Result<Vec<_>, _>>()?;
        for id in &ids {
            sqlx::query("UPDATE notifications SET claimed_until = $1 WHERE id = $2")
                .bind(now.millis() + lease_ms)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let mut claimed = Vec::new();
        for id in ids {
            let row = sqlx::query(&format!(
                "SELECT {COLUMNS}, r.phone_sealed AS resident_phone, c.reporter_sealed AS contact, \
                   p.phone_sealed AS person_phone \
                 FROM notifications n LEFT JOIN cases c ON c.id = n.case_id \
                 LEFT JOIN resident_accounts r ON n.recipient_kind = 'resident' AND r.id = n.recipient_id \
                 LEFT JOIN residents p ON n.recipient_kind = 'person' AND p.id = n.recipient_id \
                 WHERE n.id = $1"
            ))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let notification = notification_from_row(&row)?;
            let phone_sealed = match notification.recipient {
                Recipient::Resident(_) => row.try_get("resident_phone")?,
                Recipient::Contact(_) => row.try_get("contact")?,
                Recipient::Person(_) => row.try_get("person_phone")?,
                Recipient::Staff(_) => None,
            };
            claimed.push(Outgoing { notification, phone_sealed });
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// Records a delivery: sent, or to be tried again (given up after [`MAX_ATTEMPTS`]).
    /// `delivered` names every channel that has carried it so far, this try included.
    pub async fn finish_notification(
        &self,
        id: i64,
        outcome: Result<(), String>,
        delivered: &[String],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE notifications SET delivered = $1 WHERE id = $2")
            .bind(delivered.join(","))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        match outcome {
            Ok(()) => {
                sqlx::query(
                    "UPDATE notifications SET status = 'sent', attempts = attempts + 1, sent_at = $1, claimed_until = 0, \
                     last_error = '' WHERE id = $2",
                )
                .bind(now.millis())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            Err(error) => {
                let row = sqlx::query("SELECT attempts FROM notifications WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                let attempts: i64 = row.try_get::<i64, _>("attempts")? + 1;
                let status = if attempts >= MAX_ATTEMPTS { "failed" } else { "pending" };
                let error: String = error.chars().take(500).collect();
                sqlx::query(
                    "UPDATE notifications SET status = $1, attempts = $2, next_attempt_at = $3, claimed_until = 0, \
                     last_error = $4 WHERE id = $5",
                )
                .bind(status)
                .bind(attempts)
                .bind(now.millis() + retry_delay_ms(attempts))
                .bind(error)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// A recipient's notifications, newest first.
    pub async fn notifications_for(&self, recipient: Recipient, limit: i64) -> Result<Vec<Notification>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM notifications n LEFT JOIN cases c ON c.id = n.case_id \
             WHERE n.recipient_kind = $1 AND n.recipient_id = $2 ORDER BY n.id DESC LIMIT $3"
        ))
        .bind(recipient.kind())
        .bind(recipient.id())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(notification_from_row).collect()
    }

    /// Every notification about a case, oldest first (for tests and the case's history).
    pub async fn case_notifications(&self, case_id: i64) -> Result<Vec<Notification>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM notifications n LEFT JOIN cases c ON c.id = n.case_id WHERE n.case_id = $1 ORDER BY n.id"
        ))
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(notification_from_row).collect()
    }

    /// How many of a recipient's notifications are unread.
    pub async fn unread_notifications(&self, recipient: Recipient) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM notifications WHERE recipient_kind = $1 AND recipient_id = $2 AND read_at IS NULL",
        )
        .bind(recipient.kind())
        .bind(recipient.id())
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Marks all of a recipient's notifications read.
    pub async fn mark_notifications_read(&self, recipient: Recipient, now: Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE recipient_kind = $2 AND recipient_id = $3 AND read_at IS NULL",
        )
        .bind(now.millis())
        .bind(recipient.kind())
        .bind(recipient.id())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }
}

impl Store {
    /// Queues a notice that is not about a case (a booking's), inside the caller's
    /// transaction; `text` carries no personal data beyond what its recipient may read,
    /// and `params` are its variables.
    pub(crate) async fn notice_in(
        &self,
        tx: &mut Tx,
        kind: &str,
        recipient: Recipient,
        text: &str,
        params: &[(&str, &str)],
    ) -> Result<(), StoreError> {
        let now = Timestamp::now().millis();
        sqlx::query(
            "INSERT INTO notifications (case_id, kind, recipient_kind, recipient_id, text, params, created_at, \
               next_attempt_at) VALUES (NULL, $1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(kind)
        .bind(recipient.kind())
        .bind(recipient.id())
        .bind(text)
        .bind(params_json(params))
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

/// A notice's variables as the JSON the `params` column holds.
fn params_json(params: &[(&str, &str)]) -> String {
    let map: Params = params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    serde_json::to_string(&map).unwrap_or_else(|_| "{}".into())
}
