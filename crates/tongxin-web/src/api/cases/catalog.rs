//! `GET /categories` and `GET /departments`: what a reporting form and the dispatcher need.

use axum::Json;
use axum::extract::State;
use tongxin_core::access::Permission;

use crate::auth::ApiCaller;
use crate::{ApiError, App};

pub use tongxin_app::cases::catalog::*;

/// The category catalog, for reporting forms.
#[utoipa::path(get, path = "/api/v1/categories", tag = "cases", responses((status = 200, body = [CategoryView])))]
pub async fn categories(State(app): State<App>, who: ApiCaller) -> Result<Json<Vec<CategoryView>>, ApiError> {
    if !who.actor.can(Permission::CasesReport) && !super::Reach::reads_cases(&who) {
        who.require(&app, Permission::CasesRead).await?;
    }
    Ok(Json(active_categories(&app).await?))
}

#[utoipa::path(get, path = "/api/v1/departments", tag = "cases", responses((status = 200, body = [DepartmentView]), (status = 403)))]
pub async fn departments(State(app): State<App>, who: ApiCaller) -> Result<Json<Vec<DepartmentView>>, ApiError> {
    if !super::Reach::reads_cases(&who) {
        who.require(&app, Permission::CasesRead).await?;
    }
    Ok(Json(app.store.departments().await?.into_iter().map(|(code, name)| DepartmentView { code, name }).collect()))
}
