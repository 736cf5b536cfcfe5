//! The safety pledge from a resident's phone: `GET /api/v1/me/pledge` (the text, and the
//! e-bike owners in the registry who share the signed-in phone) and `POST /api/v1/me/pledge`
//! (sign for one of them, once: channel online, collected by 线上). Only residents signed
//! in with a one-time code; staff get a 404.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::auth::ApiCaller;
use crate::{ApiError, App};

pub use tongxin_app::registry::pledge_online::*;

/// The safety pledge and whom the signed-in resident may sign it for.
#[utoipa::path(get, path = "/api/v1/me/pledge", tag = "registry",
    responses((status = 200, body = MyPledge), (status = 401), (status = 404, description = "not a resident")))]
pub async fn show(State(app): State<App>, who: ApiCaller) -> Result<Json<MyPledge>, ApiError> {
    Ok(Json(my_pledge(&app, &who).await?))
}

/// Signs the safety pledge online, once per e-bike owner.
#[utoipa::path(post, path = "/api/v1/me/pledge", tag = "registry", request_body = SignRequest,
    responses((status = 201, body = SignedPledge), (status = 400), (status = 401),
        (status = 404, description = "not a resident, or not an e-bike owner with this phone"),
        (status = 409, description = "already signed (details.field: resident_id)")))]
pub async fn sign_handler(
    State(app): State<App>,
    who: ApiCaller,
    body: Result<Json<SignRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<SignedPledge>), ApiError> {
    let Json(request) = body.map_err(|e| ApiError::invalid("body", e.body_text()))?;
    Ok((StatusCode::CREATED, Json(sign(&app, &who, request.resident_id).await?)))
}
