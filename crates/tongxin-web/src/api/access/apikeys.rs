//! API keys (`apikeys.manage`): list, create (the secret is shown once), revoke. A key is
//! bound to regions within its creator's; by default, to exactly the creator's. Its scopes
//! may grant only permissions its creator holds, and only such a key may be revoked
//! ([`tongxin_core::access::delegation::may_confer`]): a 403 naming the one lacking.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tongxin_core::access::Permission;

use crate::auth::ApiCaller;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::access::apikeys::*;

#[utoipa::path(get, path = "/api/v1/apikeys", tag = "access", responses((status = 200, body = [ApiKeyView]), (status = 403)))]
pub async fn list(State(app): State<App>, who: ApiCaller) -> Result<Json<Vec<ApiKeyView>>, ApiError> {
    Ok(Json(visible_keys(&app, &who).await?.iter().map(ApiKeyView::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/apikeys", tag = "access", request_body = NewKeyRequest,
    responses((status = 201, body = NewKeyResponse), (status = 400), (status = 403), (status = 409, description = "the name is taken")))]
pub async fn create(
    State(app): State<App>,
    who: ApiCaller,
    raw: Result<Json<NewKeyRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<NewKeyResponse>), ApiError> {
    who.require(&app, Permission::ApiKeysManage).await?;
    let Json(request) = raw.map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let (key, secret) = create_key(&app, &who, request).await?;
    Ok((StatusCode::CREATED, Json(NewKeyResponse { key: ApiKeyView::from(&key), secret })))
}

#[utoipa::path(delete, path = "/api/v1/apikeys/{id}", tag = "access", params(("id" = i64, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub async fn revoke(State(app): State<App>, who: ApiCaller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    revoke_key(&app, &who, id_param(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
