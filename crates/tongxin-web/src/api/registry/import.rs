//! Ledger imports over HTTP (`registry.write`): download a template, post a file, follow
//! the import, download the error report. An import runs in the background on the node
//! that took the file; its starter follows it there.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tongxin_app::registry_import::{self};
use tongxin_core::access::Permission;

use crate::auth::ApiCaller;
use crate::params::Params;
use crate::{ApiError, App};

pub use tongxin_app::registry::import::*;

fn xlsx(bytes: Vec<u8>, name: &str) -> Response {
    let disposition = format!("attachment; filename*=UTF-8''{}", urlencoding(name));
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// A blank template for a ledger, with its columns explained.
#[utoipa::path(get, path = "/api/v1/registry/templates/{kind}", tag = "registry",
    params(("kind" = String, Path, description = "households, residents, ebikes, sheds or pledges")),
    responses((status = 200, description = "an XLSX template", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 400), (status = 403)))]
pub async fn template(State(app): State<App>, who: ApiCaller, Path(raw): Path<String>) -> Result<Response, ApiError> {
    who.require(&app, Permission::ResidentsRead).await?;
    let kind = kind(raw.trim_end_matches(".xlsx"))?;
    Ok(xlsx(registry_import::template(kind)?, &format!("{}-导入模板.xlsx", kind.zh())))
}

/// Starts importing a ledger: the body is the XLSX or CSV file. Answers 202 with the
/// import to follow.
#[utoipa::path(post, path = "/api/v1/registry/imports", tag = "registry",
    params(("kind" = String, Query, description = "households, residents, ebikes, sheds or pledges"),
        ("mode" = Option<String>, Query, description = "all (default: any refused row imports nothing) or valid (import the valid rows, report the rest)"),
        ("dry_run" = Option<bool>, Query, description = "check every row, write nothing"),
        ("file_name" = Option<String>, Query)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "an .xlsx workbook or a .csv file (UTF-8 or GB18030), at most 32 MB; a workbook inflates to at most 200 MB, at most 100:1"),
    responses((status = 202, body = ImportView), (status = 400, description = "the file is empty, too large, or a workbook past the inflation limits"), (status = 403)))]
pub async fn create(
    State(app): State<App>,
    who: ApiCaller,
    params: Params,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<ImportView>), ApiError> {
    let body = body.map_err(|e| {
        ApiError::invalid(
            "file",
            format!(
                "{}: the file is larger than {} MB (文件过大)",
                e.body_text(),
                registry_import::sheet::MAX_BYTES >> 20
            ),
        )
    })?;
    let options = options(&params, None)?;
    let job = start(&app, &who, body.to_vec(), options).await?.map_err(|refused| past_limits(&refused))?;
    Ok((StatusCode::ACCEPTED, Json(ImportView::of(&job))))
}

/// Where an import stands, and its result once finished.
#[utoipa::path(get, path = "/api/v1/registry/imports/{id}", tag = "registry", params(("id" = String, Path)),
    responses((status = 200, body = ImportView), (status = 403), (status = 404)))]
pub async fn one(State(app): State<App>, who: ApiCaller, Path(id): Path<String>) -> Result<Json<ImportView>, ApiError> {
    let job = job(&app, &who, &id).await?;
    Ok(Json(ImportView::of(&job)))
}

/// The finished import's problems as XLSX: row, column, value (numbers masked), reason.
#[utoipa::path(get, path = "/api/v1/registry/imports/{id}/report", tag = "registry", params(("id" = String, Path)),
    responses((status = 200, description = "XLSX"), (status = 403), (status = 404), (status = 409, description = "still running")))]
pub async fn report(State(app): State<App>, who: ApiCaller, Path(id): Path<String>) -> Result<Response, ApiError> {
    let (bytes, name) = report_of(&app, &who, &id).await?;
    Ok(xlsx(bytes, &name))
}
