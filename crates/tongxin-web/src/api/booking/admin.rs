//! Running the catalogue over HTTP (`booking.manage`): a service saved whole (its rules,
//! sites and weekly timetable), a site's opening hours, and the days a site is closed.
//! Slots already laid out stay as they are; the routine lays out new ones from the new
//! timetable, and a closure refuses bookings for its day at once.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tongxin_core::access::Permission;
use tongxin_core::booking::timetable::Hours;

use super::ServiceView;
use crate::auth::ApiCaller;
use crate::{ApiError, App};

pub use tongxin_app::booking::admin::*;

/// Adds or replaces a service (matched on its code), with its sites and timetable.
#[utoipa::path(put, path = "/api/v1/booking/services/{code}", tag = "booking", params(("code" = String, Path)),
    request_body = ServiceBody,
    responses((status = 200, body = ServiceView), (status = 400), (status = 403), (status = 422, description = "details.problems")))]
pub async fn put_service(
    State(app): State<App>,
    who: ApiCaller,
    Path(code): Path<String>,
    body: Result<Json<ServiceBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<ServiceView>, ApiError> {
    who.require(&app, Permission::BookingManage).await?;
    let ok_code = !code.is_empty() && code.len() <= 32 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !ok_code {
        return Err(ApiError::invalid("code", "a service code is 1 to 32 letters, digits or '-'"));
    }
    let Json(body) = body.map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let sites: Vec<String> = app.store.sites().await?.into_iter().map(|s| s.code).collect();
    let categories: Vec<String> = app.store.service_categories().await?.into_iter().map(|c| c.code).collect();
    let mut service = checked(&sites, &categories, &code, body)?;
    if let Some(old) = app.store.service(&code).await? {
        service.position = old.position;
    }
    app.store.save_catalog(&who.caller(), &[], &[], std::slice::from_ref(&service)).await?;
    let saved = app.store.service(&code).await?.ok_or_else(|| ApiError::Internal("the service vanished".into()))?;
    Ok(Json(ServiceView::from(&saved)))
}

/// Changes a site's opening hours (slots not yet laid out follow them).
#[utoipa::path(put, path = "/api/v1/booking/sites/{code}/hours", tag = "booking", params(("code" = String, Path)),
    request_body = HoursBody, responses((status = 204), (status = 400), (status = 403), (status = 404)))]
pub async fn put_hours(
    State(app): State<App>,
    who: ApiCaller,
    Path(code): Path<String>,
    body: Result<Json<HoursBody>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    who.require(&app, Permission::BookingManage).await?;
    let Json(body) = body.map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let site = crate::api::booking::site_named(&app, &code).await?;
    let days: [&str; 7] = body
        .hours
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .try_into()
        .map_err(|_| ApiError::invalid("hours", "seven entries, Monday first"))?;
    let hours = Hours::parse(&days).map_err(|e| ApiError::invalid("hours", e))?;
    let new = site.with_hours(hours);
    app.store.save_catalog(&who.caller(), &[], &[new], &[]).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Closes a site on a day: bookings for that day are refused from now on.
#[utoipa::path(post, path = "/api/v1/booking/sites/{code}/closures", tag = "booking", params(("code" = String, Path)),
    request_body = ClosureBody, responses((status = 204), (status = 400), (status = 403), (status = 404)))]
pub async fn close_site(
    State(app): State<App>,
    who: ApiCaller,
    Path(code): Path<String>,
    body: Result<Json<ClosureBody>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    who.require(&app, Permission::BookingManage).await?;
    let Json(body) = body.map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let day = chrono::NaiveDate::parse_from_str(&body.day, "%Y-%m-%d")
        .map_err(|_| ApiError::invalid("day", format!("'{}' is not a date like 2026-12-01", body.day)))?;
    if body.reason.chars().count() > 200 {
        return Err(ApiError::invalid("reason", "at most 200 characters"));
    }
    let site = crate::api::booking::site_named(&app, &code).await?;
    app.store.close_site(&who.caller(), site.id, day, body.reason.trim()).await?;
    Ok(StatusCode::NO_CONTENT)
}
