//! Case lists out, as CSV (UTF-8 with a BOM, so Excel in China opens it right) or XLSX.
//! `GET /cases/export?format=csv|xlsx` takes the list's filters and the caller's reach;
//! `tongxin cases export` does the same from the console. Every cell that a spreadsheet
//! would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a return) is
//! neutralised with a leading apostrophe. Reporters' personal data is never exported.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tongxin_core::access::Permission;
use tongxin_core::time::Timestamp;
use tongxin_store::audit::AuditEntry;

use super::read::filter;
use crate::auth::ApiCaller;
use crate::params::Params;
use crate::{ApiError, App};

pub use tongxin_app::cases::export::*;

#[utoipa::path(get, path = "/api/v1/cases/export", tag = "cases",
    params(("format" = String, Query, description = "csv (UTF-8 with BOM) or xlsx"),
        ("status" = Option<String>, Query), ("category" = Option<String>, Query), ("region" = Option<String>, Query),
        ("department" = Option<String>, Query), ("source" = Option<String>, Query), ("overdue" = Option<bool>, Query),
        ("since" = Option<String>, Query), ("until" = Option<String>, Query), ("q" = Option<String>, Query)),
    responses((status = 200, description = "the file", content_type = "text/csv"), (status = 400), (status = 403)))]
pub async fn export(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Response, ApiError> {
    who.require(&app, Permission::CasesRead).await?;
    let format: Format =
        params.get("format").unwrap_or("csv").parse().map_err(|e: String| ApiError::invalid("format", e))?;
    let reach = super::Reach::of(&app, &who).await?;
    let mut wanted = filter(&params)?;
    wanted.before = None;
    let cases = collect(&app, &reach.scope(&who), wanted).await?;
    let bytes = build(&app, &cases, format).await?;
    let detail = json!({ "format": format.extension(), "rows": cases.len(), "filters": filters_of(&params) });
    app.store.audit(&who.caller(), AuditEntry::ok("cases.export", "case", "").with_detail(detail)).await?;
    Ok(attachment(bytes, format, "cases"))
}

/// An exported file as a download: `STEM-YYYYMMDD-HHMM.EXT`, typed, never sniffed.
pub fn attachment(bytes: Vec<u8>, format: Format, stem: &str) -> Response {
    let name = format!("{stem}-{}.{}", Timestamp::now().to_utc().format("%Y%m%d-%H%M"), format.extension());
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
