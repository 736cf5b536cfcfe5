//! `/healthz` (the process answers), `/readyz` (and so does the database, with a current
//! schema) and `/metrics` (Prometheus text format).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::{ApiError, App};

pub fn routes() -> Router<App> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics))
}

async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(app): State<App>) -> Result<impl IntoResponse, ApiError> {
    app.store.ping().await.map_err(|e| ApiError::Unavailable(e.to_string()))?;
    app.store.ensure_current_schema().await?;
    Ok((StatusCode::OK, Json(json!({ "status": "ready", "database": app.store.backend().as_str() }))))
}

async fn metrics(State(app): State<App>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], app.metrics.render())
}
