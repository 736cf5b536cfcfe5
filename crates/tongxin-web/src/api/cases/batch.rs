//! 12345 hotline orders in bulk: a CSV export of the city platform (UTF-8, with or without
//! BOM, or GB18030 as Excel in China saves it) or a JSON array, read into reports and
//! filed through the same intake as the API. Each order is its own case and its own
//! transaction; its order number (工单编号) makes it idempotent, so a file can be sent
//! again after fixing the rows that were refused, and the orders already filed are
//! recognised, not doubled. An Excel workbook is refused by name, not read: one that is
//! read some day must pass `tongxin_core::xlsx_guard` first, as the ledger imports do.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;

use crate::auth::ApiCaller;
use crate::params::Params;
use crate::{ApiError, App};

pub use tongxin_app::cases::batch::*;

/// Files a batch of 12345 orders: the body is the CSV (UTF-8 or GB18030) or JSON file as
/// it came. Each order is its own transaction, and an order number already on file returns
/// that case, so the same file may be sent again. Refused orders are listed with the field
/// at fault; the others are filed.
#[utoipa::path(post, path = "/api/v1/cases/import", tag = "cases",
    params(("dry_run" = Option<bool>, Query, description = "check every order, file none")),
    request_body(content = String, content_type = "text/csv", description = "CSV with a header row (工单编号, 问题类别, 问题描述, 事发地址, 纬度, 经度, 联系电话, attr_CODE …), or a JSON array of orders"),
    responses((status = 200, body = ImportReport), (status = 400, description = "the file cannot be read"), (status = 403)))]
pub async fn handler(
    State(app): State<App>,
    who: ApiCaller,
    params: Params,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ImportReport>, ApiError> {
    let body = body
        .map_err(|e| ApiError::invalid("file", format!("{} (at most {} MB)", e.body_text(), MAX_FILE_BYTES >> 20)))?;
    let dry_run = params.parse::<bool>("dry_run")?.unwrap_or(false);
    Ok(Json(import_file(&app, &who, &body, dry_run).await?))
}
