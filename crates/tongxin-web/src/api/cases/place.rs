//! Where a case is: the registered building an address names, and `POST
//! /cases/{id}/place`, which puts a case filed without a grid (or on the wrong one) on the
//! grid by its building or its point.
//!
//! A report's address is matched against the registry ([`tongxin_core::geo::address`]):
//! exactly, then by the building's name, then by street, 弄 and 号. One building gives the
//! case its point, grid and building; several, or none, leave it with the subdistrict, and
//! its page asks a dispatcher to choose.

use axum::Json;
use axum::extract::{Path, State};

use super::read::CaseDetail;
use crate::auth::ApiCaller;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::cases::place::*;

/// Puts a case on the grid, by a building or a point.
#[utoipa::path(post, path = "/api/v1/cases/{id}/place", tag = "cases",
    params(("id" = i64, Path)), request_body = PlaceRequest,
    responses(
        (status = 200, body = CaseDetail, description = "placed; the timeline has a place step"),
        (status = 400, description = "no building or point, an unknown building, a point outside the grid or the caller's regions"),
        (status = 409, description = "the case is closed or rejected"),
        (status = 403), (status = 404)))]
pub async fn handler(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
    body: Result<Json<PlaceRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<CaseDetail>, ApiError> {
    let id = id_param(&raw)?;
    let Json(request) = body.map_err(|e| ApiError::invalid("body", e.body_text()))?;
    place(&app, &who, id, request).await?;
    Ok(Json(super::read::detail(&app, &who, id).await?))
}
