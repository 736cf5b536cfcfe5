//! The JSON API under `/api/v1`. One folder per capability; [`openapi`] describes it all
//! at `/api/v1/openapi.json`. Errors are [`crate::ApiError`] everywhere, including for
//! unknown paths and bad path parameters.

use axum::Router;
use axum::routing::get;

use crate::{ApiError, App};

pub mod access;
pub mod booking;
pub mod campaigns;
pub mod cases;
pub mod geo;
pub mod notifications;
pub mod openapi;
pub mod registry;

pub fn routes() -> Router<App> {
    Router::new()
        .merge(geo::routes())
        .merge(access::routes())
        .merge(cases::routes())
        .merge(registry::routes())
        .merge(booking::routes())
        .merge(campaigns::routes())
        .route("/notifications", get(notifications::list))
        .route("/notifications/read", axum::routing::post(notifications::read))
        .route("/openapi.json", get(openapi::document))
        .fallback(|| async { ApiError::NotFound { code: "no_route", message: "no such API endpoint".into() } })
}
