//! `POST /cases`: one intake for every source. The category must exist and its required
//! attributes be present; the text is plain and at most 4,000 characters; the point is
//! located on the grid (a point outside every region is refused unless an address is
//! given); a report near an open case of the same category, recently, is flagged as its
//! duplicate; an outside order number already on file returns the first case to whoever may
//! see it, and a 409 to anyone else ([`replayed`]).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::photos::PhotoForm;
use super::{CaseView, category_names};
use crate::auth::ApiCaller;
use crate::uploads::WithPhotos;
use crate::{ApiError, App};

pub use tongxin_app::cases::intake::*;

/// Files a case from any channel.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases",
    request_body(content(
        (ReportRequest = "application/json"),
        (PhotoForm = "multipart/form-data"),
    ), description = "JSON; or multipart/form-data with the same JSON in a part named json and up to 6 photos in parts named photo"),
    responses(
        (status = 201, body = CaseView, description = "filed"),
        (status = 200, body = CaseView, description = "the external order number was already on file: the first case"),
        (status = 400, description = "a field is wrong: details.field names it (category, attribute[CODE], description, lat, lng, address, reporter_phone …)"),
        (status = 409, description = "the external order number is already on file for a case outside the caller's reach (details.field = external_ref)"),
        (status = 403), (status = 401)))]
pub async fn create(
    State(app): State<App>,
    who: ApiCaller,
    body: WithPhotos<ReportRequest>,
) -> Result<(StatusCode, Json<CaseView>), ApiError> {
    let (case, created) = file(&app, &who, body.body, body.photos).await?;
    let names = category_names(&app).await?;
    let name = names.get(case.category.as_str()).cloned().unwrap_or_default();
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(CaseView::new(&app, &case, name))))
}
