//! A case's photos: `GET /cases/{id}/photos`, `POST /cases/{id}/photos` (more pictures
//! outside any step) and `GET /cases/{id}/photos/{photo}` (the image, or `?size=thumb`).
//!
//! Photos are read through their case, so whoever sees the case sees its photos and
//! nobody else does. They are served only as the image type they were re-encoded to, with
//! `nosniff`, a sandboxing CSP and an attachment-safe name: never as a page.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::{Reach, visible};
use crate::auth::ApiCaller;
use crate::params::Params;
use crate::params::id_param;
use crate::uploads::WithPhotos;
use crate::{ApiError, App};

pub use tongxin_app::cases::photos::*;

#[utoipa::path(get, path = "/api/v1/cases/{id}/photos", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = [PhotoView]), (status = 403), (status = 404)))]
pub async fn list(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
) -> Result<Json<Vec<PhotoView>>, ApiError> {
    let id = id_param(&raw)?;
    let reach = Reach::of(&app, &who).await?;
    visible(&app, &who, &reach, id).await?;
    Ok(Json(views(&app, id).await?))
}

/// Adds photos to an open case, as one step of its timeline (`add_photos`).
#[utoipa::path(post, path = "/api/v1/cases/{id}/photos", tag = "cases", params(("id" = i64, Path)),
    request_body(content((PhotoForm = "multipart/form-data")),
        description = "up to 6 photos in parts named photo; a part named json may carry {\"note\": \"…\"}"),
    responses((status = 201, body = [PhotoView]), (status = 400, description = "details.field is photo: not a JPEG, PNG or WebP image, over 10 MB, or none sent"),
        (status = 403), (status = 404), (status = 409, description = "the case is closed")))]
pub async fn add(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
    body: WithPhotos<AddPhotosRequest>,
) -> Result<(axum::http::StatusCode, Json<Vec<PhotoView>>), ApiError> {
    let id = id_param(&raw)?;
    let added = add_to(&app, &who, id, &body.body.note, body.photos).await?;
    Ok((axum::http::StatusCode::CREATED, Json(added)))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/photos/{photo}", tag = "cases",
    params(("id" = i64, Path), ("photo" = i64, Path), ("size" = Option<String>, Query, description = "thumb for the 320-pixel thumbnail")),
    responses((status = 200, description = "the image (image/jpeg or image/png)", content_type = "image/jpeg"),
        (status = 403), (status = 404)))]
pub async fn image(
    State(app): State<App>,
    who: ApiCaller,
    Path((raw_id, raw_photo)): Path<(String, String)>,
    params: Params,
) -> Result<Response, ApiError> {
    let id = id_param(&raw_id)?;
    let photo_id = id_param(&raw_photo)?;
    let reach = Reach::of(&app, &who).await?;
    let case = visible(&app, &who, &reach, id).await?;
    let not_found = || ApiError::not_found(format!("case {id} has no photo {photo_id}"));
    let photo = app.store.case_photo(id, photo_id).await?.ok_or_else(not_found)?;
    let thumb = match params.get("size") {
        None | Some("full") => false,
        Some("thumb") => true,
        Some(other) => return Err(ApiError::invalid("size", format!("size is thumb or full, not '{other}'"))),
    };
    let (key, content_type) =
        if thumb { (&photo.thumb_key, "image/jpeg") } else { (&photo.key, photo.content_type.as_str()) };
    let bytes = app.blobs.get(key).await?.ok_or_else(|| {
        tracing::error!(photo = photo.id, "a recorded photo is missing from the photo store");
        not_found()
    })?;
    let extension = if content_type == "image/png" { "png" } else { "jpg" };
    let name = format!("{}-{}{}.{extension}", case.number, photo.id, if thumb { "-thumb" } else { "" });
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(if content_type == "image/png" { "image/png" } else { "image/jpeg" }),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
