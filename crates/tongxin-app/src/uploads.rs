//! Photos sent with a report or a step: checked, re-encoded and kept in the blob store,
//! or removed again when their record was not written.

use tongxin_core::access::token::random_hex;
use tongxin_core::cases::photo::{self, MAX_BYTES, MAX_PER_STEP, PhotoError};
use tongxin_core::time::{SHANGHAI, Timestamp};
use tongxin_store::cases::NewPhoto;

use crate::{App, Error};

/// The most a body with photos may be: every photo at its limit, and room for the text.
pub const MAX_UPLOAD_BYTES: usize = MAX_PER_STEP * MAX_BYTES + 1024 * 1024;

/// The name of the file parts.
pub const PHOTO_FIELD: &str = "photo";

pub fn photo_error(index: usize, e: &PhotoError) -> Error {
    Error::invalid(PHOTO_FIELD, format!("photo {}: {e}", index + 1))
}

/// Checks, re-encodes and stores photos; returns them ready to record. Nothing is left in
/// the blob store when one of them is refused.
pub async fn keep(app: &App, uploads: Vec<Vec<u8>>) -> Result<Vec<NewPhoto>, Error> {
    if uploads.len() > MAX_PER_STEP {
        return Err(Error::invalid(PHOTO_FIELD, format!("at most {MAX_PER_STEP} photos at a time")));
    }
    let processed = tokio::task::spawn_blocking(move || {
        uploads
            .iter()
            .enumerate()
            .map(|(i, bytes)| photo::process(bytes).map_err(|e| (i, e)))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| Error::Internal(format!("photo processing stopped: {e}")))?
    .map_err(|(i, e)| photo_error(i, &e))?;
    let month = Timestamp::now().to_utc().with_timezone(&SHANGHAI).format("%Y/%m").to_string();
    let mut kept = Vec::new();
    for p in processed {
        let name = random_hex(16);
        let photo = NewPhoto {
            key: format!("cases/{month}/{name}.{}", p.extension()),
            thumb_key: format!("cases/{month}/{name}-thumb.jpg"),
            content_type: p.content_type.to_owned(),
            width: i64::from(p.width),
            height: i64::from(p.height),
            bytes: p.bytes.len() as i64,
        };
        let stored = async {
            app.blobs.put(&photo.key, p.bytes).await?;
            app.blobs.put(&photo.thumb_key, p.thumb).await
        };
        if let Err(e) = stored.await {
            kept.push(photo);
            discard(app, &kept).await;
            return Err(Error::Unavailable(format!("the photo store failed: {e}")));
        }
        kept.push(photo);
    }
    Ok(kept)
}

/// Removes photos whose record was not written. Failures are logged: a leftover file is
/// unreachable (no row names it), never shown.
pub async fn discard(app: &App, photos: &[NewPhoto]) {
    for p in photos {
        for key in [&p.key, &p.thumb_key] {
            if let Err(e) = app.blobs.delete(key).await {
                tracing::warn!(key = %key, error = %e, "could not remove an unrecorded photo");
            }
        }
    }
}
