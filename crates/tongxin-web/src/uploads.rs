//! Forms that carry photos, and keeping the photos.
//!
//! A report or a step may come as `multipart/form-data`: text fields plus up to
//! [`MAX_PER_STEP`] files in parts named `photo`. [`FormWithPhotos`] reads such a body (or
//! a plain urlencoded one) without ever holding more than one photo over the limit: a
//! part is refused as soon as it passes 10 MB. [`keep`] then checks each photo by its
//! content, re-encodes it off the async threads (EXIF and GPS gone), and writes it and its
//! thumbnail to the blob store under keys the server makes. If the change that should
//! record them fails, [`discard`] removes the files again.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use tongxin_core::cases::photo::{MAX_BYTES, MAX_PER_STEP, PhotoError};

use crate::ApiError;
use crate::params::Params;

pub use tongxin_app::uploads::{MAX_UPLOAD_BYTES, PHOTO_FIELD, discard, keep, photo_error};

/// A form body, urlencoded or multipart, with the photos it carried. A problem with the
/// photos does not lose the text: it is kept in `problem`, so a page can show the form
/// again with what was typed.
pub struct FormWithPhotos {
    pub fields: Params,
    pub photos: Vec<Vec<u8>>,
    pub problem: Option<ApiError>,
}

impl<S: Send + Sync> FromRequest<S> for FormWithPhotos {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let bytes = axum::body::Bytes::from_request(request, state)
                .await
                .map_err(|e| ApiError::invalid("body", e.body_text()))?;
            // Read as a form whatever its declared type, so held to the text rules here.
            let pairs = crate::text::decode_form(&bytes).map_err(|e| ApiError::invalid(e.field(), e.to_string()))?;
            return Ok(FormWithPhotos { fields: Params::from_pairs(pairs), photos: Vec::new(), problem: None });
        }
        let mut form =
            Multipart::from_request(request, state).await.map_err(|e| ApiError::invalid("body", e.body_text()))?;
        read_parts(&mut form).await
    }
}

fn too_big(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::invalid(
            PHOTO_FIELD,
            format!(
                "the upload is larger than {} MB in all; send at most {MAX_PER_STEP} photos of 10 MB",
                MAX_UPLOAD_BYTES >> 20
            ),
        )
    } else {
        ApiError::invalid("body", e.body_text())
    }
}

async fn read_parts(form: &mut Multipart) -> Result<FormWithPhotos, ApiError> {
    let mut fields = Vec::new();
    let mut photos = Vec::new();
    let mut problem = None;
    while let Some(mut part) = form.next_field().await.map_err(too_big)? {
        let name = part.name().unwrap_or_default().to_owned();
        if name != PHOTO_FIELD {
            let text = crate::text::field_text(&name, &mut part).await.map_err(too_big)?;
            fields.push((name, text.map_err(|e| ApiError::invalid(e.field(), e.to_string()))?));
            continue;
        }
        // An empty file input still sends a part: no name, no bytes.
        let index = photos.len();
        let mut bytes = Vec::new();
        let mut over = false;
        while let Some(chunk) = part.chunk().await.map_err(too_big)? {
            if bytes.len() + chunk.len() > MAX_BYTES {
                over = true;
            } else if !over {
                bytes.extend_from_slice(&chunk);
            }
        }
        if over {
            problem.get_or_insert(photo_error(index, &PhotoError::TooLarge { bytes: MAX_BYTES + 1 }).into());
            photos.push(Vec::new());
        } else if !bytes.is_empty() {
            photos.push(bytes);
        }
        if photos.len() > MAX_PER_STEP {
            problem.get_or_insert(ApiError::invalid(PHOTO_FIELD, format!("at most {MAX_PER_STEP} photos at a time")));
        }
    }
    crate::text::check_repeats(&fields).map_err(|e| ApiError::invalid(e.field(), e.to_string()))?;
    Ok(FormWithPhotos { fields: Params::from_pairs(fields), photos, problem })
}

impl FormWithPhotos {
    /// The photos, or the problem found while reading them.
    pub fn checked_photos(&mut self) -> Result<Vec<Vec<u8>>, ApiError> {
        match self.problem.take() {
            Some(problem) => Err(problem),
            None => Ok(std::mem::take(&mut self.photos)),
        }
    }
}

/// A JSON API body that may come with photos: plain JSON, or `multipart/form-data` with
/// the same JSON in a part named `json` and the files in parts named `photo`. An empty
/// body reads as `{}`.
pub struct WithPhotos<T> {
    pub body: T,
    pub photos: Vec<Vec<u8>>,
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    let text = if text.trim().is_empty() { "{}" } else { text };
    serde_json::from_str(text).map_err(|e| ApiError::invalid("body", format!("the JSON body is not right: {e}")))
}

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for WithPhotos<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type =
            request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        if content_type.starts_with("multipart/form-data") {
            let mut form = FormWithPhotos::from_request(request, state).await?;
            let photos = form.checked_photos()?;
            return Ok(WithPhotos { body: parse_json(form.fields.raw("json"))?, photos });
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|e| ApiError::invalid("body", e.body_text()))?;
        if !bytes.is_empty() && !content_type.starts_with("application/json") {
            return Err(ApiError::invalid("body", "send application/json, or multipart/form-data with photos"));
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::invalid("body", "the body is not UTF-8"))?;
        Ok(WithPhotos { body: parse_json(text)?, photos: Vec::new() })
    }
}
