//! Photo rows: which case and which step of its timeline a kept photo belongs to. The files
//! themselves are in [`crate::blobs::Blobs`]; the web layer writes them first, then the row
//! in the same transaction as the step, and removes the files if that transaction fails.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::cases::lifecycle::Status;
use tongxin_core::time::Timestamp;

use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, Tx};

/// A processed photo already in the blob store, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPhoto {
    pub key: String,
    pub thumb_key: String,
    pub content_type: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
}

/// A recorded photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub id: i64,
    pub case_id: i64,
    /// The timeline step it came with.
    pub event_id: Option<i64>,
    pub key: String,
    pub thumb_key: String,
    pub content_type: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    pub created_at: Timestamp,
    pub actor_name: String,
}

const COLUMNS: &str =
    "id, case_id, event_id, object_key, thumb_key, content_type, width, height, bytes, created_at, actor_name";

fn photo_from_row(row: &AnyRow) -> Result<Photo, StoreError> {
    Ok(Photo {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        event_id: row.try_get("event_id")?,
        key: row.try_get("object_key")?,
        thumb_key: row.try_get("thumb_key")?,
        content_type: row.try_get("content_type")?,
        width: row.try_get("width")?,
        height: row.try_get("height")?,
        bytes: row.try_get("bytes")?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        actor_name: row.try_get("actor_name")?,
    })
}

impl Store {
    /// Records photos of a step inside its transaction.
    pub(crate) async fn add_photos_in(
        tx: &mut Tx,
        caller: &Caller,
        case_id: i64,
        event_id: i64,
        photos: &[NewPhoto],
    ) -> Result<(), StoreError> {
        for p in photos {
            sqlx::query(
                "INSERT INTO case_photos (case_id, event_id, object_key, thumb_key, content_type, width, height, bytes, \
                   created_at, actor_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(case_id)
            .bind(event_id)
            .bind(&p.key)
            .bind(&p.thumb_key)
            .bind(&p.content_type)
            .bind(p.width)
            .bind(p.height)
            .bind(p.bytes)
            .bind(Timestamp::now().millis())
            .bind(&caller.display_name)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Adds photos to a case outside any step (more pictures of the place, of the work):
    /// one timeline entry, `add_photos`, in the case's current status.
    pub async fn add_photos(
        &self,
        caller: &Caller,
        case_id: i64,
        note: &str,
        photos: &[NewPhoto],
    ) -> Result<Vec<Photo>, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT status FROM cases WHERE id = $1").bind(case_id).fetch_optional(&mut *tx).await?;
        let row = row.ok_or(StoreError::NotFound { entity: "case", key: case_id.to_string() })?;
        let status: Status = row.try_get::<String, _>("status")?.parse().map_err(|e: String| StoreError::Corrupt(e))?;
        let data = json!({ "photos": photos.len() });
        let event = Self::add_event(&mut tx, caller, case_id, "add_photos", Some(status), status, note, data).await?;
        Self::add_photos_in(&mut tx, caller, case_id, event, photos).await?;
        sqlx::query("UPDATE cases SET updated_at = $1 WHERE id = $2")
            .bind(Timestamp::now().millis())
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        let detail = json!({ "photos": photos.len(), "event": event });
        self.audit_in(&mut tx, caller, AuditEntry::ok("case.photos", "case", case_id).with_detail(detail)).await?;
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM case_photos WHERE event_id = $1 ORDER BY id"))
            .bind(event)
            .fetch_all(&mut *tx)
            .await?;
        let added = rows.iter().map(photo_from_row).collect::<Result<Vec<_>, _>>()?;
        tx.commit().await?;
        Ok(added)
    }

    /// A case's photos, oldest first.
    pub async fn case_photos(&self, case_id: i64) -> Result<Vec<Photo>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM case_photos WHERE case_id = $1 ORDER BY id"))
            .bind(case_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(photo_from_row).collect()
    }

    /// One photo of a case.
    pub async fn case_photo(&self, case_id: i64, photo_id: i64) -> Result<Option<Photo>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM case_photos WHERE case_id = $1 AND id = $2"))
            .bind(case_id)
            .bind(photo_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(photo_from_row).transpose()
    }
}
