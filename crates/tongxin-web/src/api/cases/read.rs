//! `GET /cases` and `GET /cases/{id}`.

use axum::Json;
use axum::extract::{Path, State};

use super::{CaseView, category_names};
use crate::auth::ApiCaller;
use crate::params::Params;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::cases::read::*;

/// Lists cases, newest first, with cursor pagination.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases",
    params(
        ("status" = Option<String>, Query, description = "a status, a comma list, or open"),
        ("category" = Option<String>, Query, description = "a class (E05) or subclass (E0503)"),
        ("region" = Option<String>, Query, description = "cases in this region and below"),
        ("department" = Option<String>, Query), ("source" = Option<String>, Query),
        ("overdue" = Option<bool>, Query, description = "only cases past their step's deadline"),
        ("since" = Option<String>, Query), ("until" = Option<String>, Query),
        ("q" = Option<String>, Query, description = "words in the description, address or number"),
        ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query, description = "1–500, default 50"),
    ),
    responses((status = 200, body = CasePage), (status = 400), (status = 403)))]
pub async fn list(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Json<CasePage>, ApiError> {
    let (cases, next_cursor) = search(&app, &who, &params).await?;
    let names = category_names(&app).await?;
    let items = cases
        .iter()
        .map(|c| CaseView::new(&app, c, names.get(c.category.as_str()).cloned().unwrap_or_default()))
        .collect();
    Ok(Json(CasePage { items, next_cursor }))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseDetail), (status = 403), (status = 404)))]
pub async fn one(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
) -> Result<Json<CaseDetail>, ApiError> {
    let id = id_param(&raw)?;
    detail(&app, &who, id).await.map(Json).map_err(ApiError::from)
}
