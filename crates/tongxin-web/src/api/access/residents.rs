//! Resident accounts as staff see them (`residents.read`), within their regions: masked by
//! default; one field of one record revealed with a stated purpose (`pii.reveal`); the
//! list exported as CSV, masked, or in full with `pii.export`. Reveals and exports are
//! audited.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::auth::ApiCaller;
use crate::params::Params;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::access::residents::*;

/// Lists resident accounts in the caller's regions, masked.
#[utoipa::path(get, path = "/api/v1/resident-accounts", tag = "access",
    params(("phone" = Option<String>, Query, description = "the full number: finds that one account"), ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = ResidentAccountPage), (status = 400), (status = 403)))]
pub async fn list(
    State(app): State<App>,
    who: ApiCaller,
    params: Params,
) -> Result<Json<ResidentAccountPage>, ApiError> {
    let (accounts, total) = search(&app, &who, &params).await?;
    Ok(Json(ResidentAccountPage { items: accounts.iter().map(ResidentAccountView::from).collect(), total }))
}

#[utoipa::path(get, path = "/api/v1/resident-accounts/{id}", tag = "access", params(("id" = i64, Path)),
    responses((status = 200, body = ResidentAccountView), (status = 403), (status = 404)))]
pub async fn one(
    State(app): State<App>,
    who: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<ResidentAccountView>, ApiError> {
    let account = visible_account(&app, &who, id_param(&id)?).await?;
    Ok(Json(ResidentAccountView::from(&account)))
}

/// Shows one field in full; the purpose is recorded in the audit log.
#[utoipa::path(post, path = "/api/v1/resident-accounts/{id}/reveal", tag = "access", params(("id" = i64, Path)), request_body = RevealRequest,
    responses((status = 200, description = "{\"field\": \"phone\", \"value\": \"13812345678\"}"), (status = 400), (status = 403), (status = 404)))]
pub async fn reveal(
    State(app): State<App>,
    who: ApiCaller,
    Path(id): Path<String>,
    raw: Result<Json<RevealRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Json(request) = raw.map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let value = reveal_field(&app, &who, id_param(&id)?, &request.field, &request.purpose).await?;
    Ok(Json(json!({ "field": request.field, "value": value })))
}

/// The caller's resident accounts as CSV; `full=true` exports phone numbers in full.
#[utoipa::path(get, path = "/api/v1/resident-accounts.csv", tag = "access", params(("full" = Option<bool>, Query)),
    responses((status = 200, description = "CSV, UTF-8 with BOM", content_type = "text/csv"), (status = 403)))]
pub async fn export(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Response, ApiError> {
    let full = params.parse::<bool>("full")?.unwrap_or(false);
    let csv = export_csv(&app, &who, full).await?;
    let disposition = "attachment; filename=\"resident-accounts.csv\"";
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, disposition)], csv)
        .into_response())
}
