//! The rules all incoming text meets (they live with the use cases, in
//! [`tongxin_app::text`]), and the layer that holds every request to them.

pub use tongxin_app::text::*;

pub mod layer;

/// Reads one multipart text field, capped at [`tongxin_app::text::MAX_FIELD_BYTES`] while reading, and checks
/// it by the same rules.
pub async fn field_text(
    name: &str,
    part: &mut axum::extract::multipart::Field<'_>,
) -> Result<Result<String, TextProblem>, axum::extract::multipart::MultipartError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = part.chunk().await? {
        if bytes.len() + chunk.len() > tongxin_app::text::MAX_FIELD_BYTES {
            // Drain the rest so the next part can be read, keeping nothing.
            while part.chunk().await?.is_some() {}
            return Ok(Err(TextProblem::TooLong { field: tongxin_app::text::label(name) }));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(tongxin_app::text::utf8(name, bytes))
}
