//! The caller's own notices: `GET /notifications` and `POST /notifications/read`. Staff
//! and residents have an inbox; API keys do not.

use axum::Json;
use axum::extract::State;
use tongxin_core::time::Timestamp;

use crate::auth::ApiCaller;
use crate::params::Params;
use crate::{ApiError, App};

pub use tongxin_app::notifications::*;

#[utoipa::path(get, path = "/api/v1/notifications", tag = "cases",
    params(("limit" = Option<i64>, Query, description = "1–200, default 50")),
    responses((status = 200, body = Inbox), (status = 400), (status = 401)))]
pub async fn list(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Json<Inbox>, ApiError> {
    let me = recipient(&who)?;
    let limit = params.parse::<i64>("limit")?.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid("limit", "limit is 1 to 200"));
    }
    let items = app.store.notifications_for(me, limit).await?.iter().map(NotificationView::from).collect();
    Ok(Json(Inbox { items, unread: app.store.unread_notifications(me).await? }))
}

#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "cases",
    responses((status = 200, body = Marked), (status = 400), (status = 401)))]
pub async fn read(State(app): State<App>, who: ApiCaller) -> Result<Json<Marked>, ApiError> {
    let me = recipient(&who)?;
    Ok(Json(Marked { marked: app.store.mark_notifications_read(me, Timestamp::now()).await? }))
}
