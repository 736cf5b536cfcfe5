//! A case's photos, behind `GET /cases/{id}/photos`, `POST /cases/{id}/photos` (more
//! pictures outside any step) and `GET /cases/{id}/photos/{photo}` (the image, or
//! `?size=thumb`).
//!
//! Photos are read through their case, so whoever sees the case sees its photos and
//! nobody else does. They are served only as the image type they were re-encoded to, with
//! `nosniff`, a sandboxing CSP and an attachment-safe name: never as a page.

use serde::{Deserialize, Serialize};
use tongxin_core::access::{ActorKind, Permission};
use tongxin_store::cases::{CaseRecord, Photo};
use utoipa::ToSchema;

use super::{Reach, visible};
use crate::caller::Who;
use crate::uploads::{discard, keep};
use crate::{App, Error};

/// The multipart form of a request with photos (for the OpenAPI document).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PhotoForm {
    /// The JSON body the endpoint otherwise takes.
    json: Option<String>,
    /// Up to 6 JPEG, PNG or WebP files of at most 10 MB each; repeat the part.
    #[schema(value_type = Vec<String>, format = Binary)]
    photo: Vec<Vec<u8>>,
}

/// A kept photo.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoView {
    pub id: i64,
    #[schema(example = "/api/v1/cases/42/photos/7")]
    pub url: String,
    pub thumbnail_url: String,
    /// image/jpeg or image/png
    pub content_type: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    pub uploaded_at: String,
    pub uploaded_by: String,
    /// The timeline step it came with (report, feedback, add_photos …).
    pub step: Option<String>,
}

impl PhotoView {
    pub fn new(photo: &Photo, step: Option<&str>) -> Self {
        let url = format!("/api/v1/cases/{}/photos/{}", photo.case_id, photo.id);
        Self {
            id: photo.id,
            thumbnail_url: format!("{url}?size=thumb"),
            url,
            content_type: photo.content_type.clone(),
            width: photo.width,
            height: photo.height,
            bytes: photo.bytes,
            uploaded_at: photo.created_at.to_shanghai_rfc3339(),
            uploaded_by: photo.actor_name.clone(),
            step: step.map(str::to_owned),
        }
    }
}

/// A case's photos as views, each with the step it came with.
pub async fn views(app: &App, case_id: i64) -> Result<Vec<PhotoView>, Error> {
    let events = app.store.case_events(case_id).await?;
    let photos = app.store.case_photos(case_id).await?;
    Ok(photos
        .iter()
        .map(|p| {
            let step = p.event_id.and_then(|id| events.iter().find(|e| e.id == id)).map(|e| e.action.as_str());
            PhotoView::new(p, step)
        })
        .collect())
}

/// Whether the caller may add photos to `case`: its reporter, its department, or staff
/// who report, verify or check cases in its region; while it is open.
pub fn may_add(who: &Who, reach: &Reach, case: &CaseRecord) -> bool {
    let actor = &who.actor;
    match actor.kind {
        ActorKind::Resident => case.reporter_resident == Some(actor.id),
        _ => {
            (actor.is_staff() && case.reporter_user == Some(actor.id))
                || (actor.can(Permission::CasesHandle)
                    && case.department.as_ref().is_some_and(|d| reach.departments.contains(d)))
                || (actor.covers(&case.region)
                    && [Permission::CasesReport, Permission::CasesVerify, Permission::CasesCheck]
                        .into_iter()
                        .any(|p| actor.can(p)))
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AddPhotosRequest {
    /// What the photos show, for the timeline.
    #[serde(default)]
    pub note: String,
}

/// Checks and keeps photos for a case and records them; the pages use it too.
pub async fn add_to(app: &App, who: &Who, id: i64, note: &str, uploads: Vec<Vec<u8>>) -> Result<Vec<PhotoView>, Error> {
    let reach = Reach::of(app, who).await?;
    let case = visible(app, who, &reach, id).await?;
    if !may_add(who, &reach, &case) {
        if !who.actor.can(Permission::CasesReport) {
            who.require(app, Permission::CasesReport).await?;
        }
        return Err(who
            .out_of_scope(app, "case", &id.to_string(), Error::Forbidden { permission: Permission::CasesReport })
            .await);
    }
    if !case.state.status.is_open() {
        return Err(Error::Conflict { field: "case".into(), message: "photos are added to open cases only".into() });
    }
    if uploads.is_empty() {
        return Err(Error::invalid("photo", "send at least one photo"));
    }
    let note = note.trim();
    if note.chars().count() > 2000 {
        return Err(Error::invalid("note", "a note has at most 2000 characters"));
    }
    let photos = keep(app, uploads).await?;
    match app.store.add_photos(&who.caller(), id, note, &photos).await {
        Ok(added) => Ok(added.iter().map(|p| PhotoView::new(p, Some("add_photos"))).collect()),
        Err(e) => {
            discard(app, &photos).await;
            Err(e.into())
        }
    }
}
