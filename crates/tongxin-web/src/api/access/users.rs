//! Staff accounts: list, create, disable, enable, reset a password, remove a second
//! factor. The caller manages only accounts whose regions all lie within their own (any
//! other answers 404), and only accounts holding no permission the caller lacks (a 403
//! naming it, audited): the rule of [`tongxin_core::access::delegation`] (三员分立).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tongxin_core::access::password::Password;

use crate::auth::ApiCaller;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::access::users::*;

/// Lists the accounts in the caller's regions; `needs_permission` marks those they may not
/// act on.
#[utoipa::path(get, path = "/api/v1/users", tag = "access", responses((status = 200, body = [UserView]), (status = 401), (status = 403)))]
pub async fn list(State(app): State<App>, who: ApiCaller) -> Result<Json<Vec<UserView>>, ApiError> {
    let users = listed_users(&app, &who).await?;
    Ok(Json(users.iter().map(|u| UserView::for_caller(&who, u)).collect()))
}

/// Creates an account bound to regions within the caller's, with roles whose permissions
/// the caller holds (an auditor only by another auditor or at the console).
#[utoipa::path(post, path = "/api/v1/users", tag = "access", request_body = NewUserRequest,
    responses((status = 201, body = UserView), (status = 400), (status = 403, description = "the caller lacks users.manage, or a permission one of the roles brings: error.message names it"), (status = 404), (status = 409, description = "the username is taken")))]
pub async fn create(
    State(app): State<App>,
    who: ApiCaller,
    raw: Result<Json<NewUserRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    require_manager(&app, &who).await?;
    let Json(request) = raw.map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let new = parse_new_user(&app, &who, request).await?;
    let user = app.store.create_user(&who.caller(), &new).await?;
    Ok((StatusCode::CREATED, Json(UserView::for_caller(&who, &user))))
}

/// Disables an account and ends its sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "access", params(("id" = i64, Path)), responses((status = 204), (status = 403, description = "the account holds a permission the caller lacks"), (status = 404), (status = 409)))]
pub async fn disable(State(app): State<App>, who: ApiCaller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    set_disabled(&app, &who, id_param(&id)?, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enables a disabled account.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "access", params(("id" = i64, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub async fn enable(State(app): State<App>, who: ApiCaller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    set_disabled(&app, &who, id_param(&id)?, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a new password; lifts a lock and ends the account's sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "access", params(("id" = i64, Path)), request_body = PasswordRequest,
    responses((status = 204), (status = 400), (status = 403), (status = 404)))]
pub async fn reset_password(
    State(app): State<App>,
    who: ApiCaller,
    Path(id): Path<String>,
    raw: Result<Json<PasswordRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let user = managed_user(&app, &who, id_param(&id)?).await?;
    let Json(request) = raw.map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let password = Password::parse(&request.password).map_err(|e| ApiError::invalid("password", e.to_string()))?;
    let hash = crate::auth::login::hash_password(password).await?;
    app.store.reset_password(&who.caller(), user.id, &hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes an account's second factor (a lost phone).
#[utoipa::path(delete, path = "/api/v1/users/{id}/totp", tag = "access", params(("id" = i64, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub async fn remove_totp(
    State(app): State<App>,
    who: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let user = managed_user(&app, &who, id_param(&id)?).await?;
    app.store.set_totp(&who.caller(), user.id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
