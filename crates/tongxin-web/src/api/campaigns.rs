//! Campaigns over JSON (`/api/v1/campaigns`, `/api/v1/me/tasks`, `/api/v1/tasks/{id}/visits`):
//! create one from a template or a checklist, read its progress, reassign its tasks, and
//! the grid worker's tasks and visits. The rules are [`tongxin_app::campaigns`]'.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::ApiCaller;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::campaigns::visit::{TaskView, VisitRequest, VisitView};
pub use tongxin_app::campaigns::*;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/campaigns", get(list).post(create))
        .route("/campaigns/templates", get(templates))
        .route("/campaigns/{id}", get(one))
        .route("/campaigns/{id}/reassign", post(reassign_handler))
        .route("/campaigns/{id}/report.xlsx", get(report_xlsx))
        .route("/me/tasks", get(my_tasks))
        .route("/tasks/{id}/visits", get(visits).post(visit))
}

/// A campaign just created, and how many visit tasks it made.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub campaign: CampaignView,
    pub tasks: i64,
}

/// A shipped template.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    pub code: String,
    pub name: String,
    pub target_kind: String,
}

#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns",
    responses((status = 200, body = Vec<CampaignView>), (status = 401), (status = 403)))]
pub async fn list(State(app): State<App>, who: ApiCaller) -> Result<Json<Vec<CampaignView>>, ApiError> {
    Ok(Json(tongxin_app::campaigns::list(&app, &who).await?))
}

#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", request_body = CampaignRequest,
    responses((status = 201, body = Created), (status = 400), (status = 403), (status = 404)))]
pub async fn create(
    State(app): State<App>,
    who: ApiCaller,
    Json(request): Json<CampaignRequest>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let (campaign, tasks) = tongxin_app::campaigns::create(&app, &who, request).await?;
    Ok((StatusCode::CREATED, Json(Created { campaign, tasks })))
}

#[utoipa::path(get, path = "/api/v1/campaigns/templates", tag = "campaigns",
    responses((status = 200, body = Vec<TemplateView>), (status = 401)))]
pub async fn templates(_who: ApiCaller) -> Json<Vec<TemplateView>> {
    Json(shipped().into_iter().map(|(code, name, target_kind)| TemplateView { code, name, target_kind }).collect())
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns",
    params(("id" = i64, Path)),
    responses((status = 200, body = ProgressView), (status = 403), (status = 404)))]
pub async fn one(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
) -> Result<Json<ProgressView>, ApiError> {
    Ok(Json(progress(&app, &who, id_param(&raw)?).await?))
}

/// How many tasks changed hands.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reassigned {
    pub changed: u64,
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/reassign", tag = "campaigns", request_body = ReassignRequest,
    params(("id" = i64, Path)),
    responses((status = 200, body = Reassigned), (status = 400), (status = 403), (status = 404)))]
pub async fn reassign_handler(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
    Json(request): Json<ReassignRequest>,
) -> Result<Json<Reassigned>, ApiError> {
    Ok(Json(Reassigned { changed: reassign(&app, &who, id_param(&raw)?, request).await? }))
}

#[utoipa::path(get, path = "/api/v1/me/tasks", tag = "campaigns",
    responses((status = 200, body = Vec<TaskView>), (status = 401), (status = 403)))]
pub async fn my_tasks(State(app): State<App>, who: ApiCaller) -> Result<Json<Vec<TaskView>>, ApiError> {
    Ok(Json(visit::my_tasks(&app, &who).await?))
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/visits", tag = "campaigns", request_body = VisitRequest,
    params(("id" = i64, Path)),
    responses((status = 201, body = VisitView, description = "stored"),
        (status = 200, body = VisitView, description = "the same client_id again: the first visit, unchanged"),
        (status = 400), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn visit(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
    Json(request): Json<VisitRequest>,
) -> Result<(StatusCode, Json<VisitView>), ApiError> {
    let stored = visit::record(&app, &who, id_param(&raw)?, request).await?;
    let status = if stored.new { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(stored)))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}/visits", tag = "campaigns",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<VisitView>), (status = 403), (status = 404)))]
pub async fn visits(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
) -> Result<Json<Vec<VisitView>>, ApiError> {
    Ok(Json(visit::visits(&app, &who, id_param(&raw)?).await?))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/report.xlsx", tag = "campaigns",
    params(("id" = i64, Path)),
    responses((status = 200, description = "the report per community and grid, as XLSX",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403), (status = 404)))]
pub async fn report_xlsx(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    let id = id_param(&raw)?;
    let report = report::report(&app, &who, id).await?;
    let bytes = report.workbook()?;
    Ok(crate::api::cases::export::attachment(
        bytes,
        crate::api::cases::export::Format::Xlsx,
        &format!("campaign-{id}-report"),
    ))
}
