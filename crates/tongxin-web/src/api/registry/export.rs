//! Residents out, as XLSX or CSV (UTF-8 with a BOM): masked by default; with `full=true` the
//! ID numbers and phones in full, which needs `pii.export`. Either way the export is audited
//! with its filters and row count, and every cell a spreadsheet would run as a formula is
//! neutralised. The columns are the ones the import template will read.

use axum::extract::State;
use axum::response::Response;
use serde_json::json;
use tongxin_store::audit::AuditEntry;

use crate::api::cases::export::{Format, attachment, filters_of, to_csv, workbook};
use crate::auth::ApiCaller;
use crate::params::Params;
use crate::{ApiError, App};

pub use tongxin_app::registry::export::*;

/// Residents as XLSX or CSV; `full=true` (with `pii.export`) exports the numbers in full.
#[utoipa::path(get, path = "/api/v1/residents/export", tag = "registry",
    params(("format" = Option<String>, Query, description = "xlsx (default) or csv"), ("full" = Option<bool>, Query),
        ("q" = Option<String>, Query), ("building" = Option<i64>, Query), ("region" = Option<String>, Query),
        ("moved_out" = Option<bool>, Query)),
    responses((status = 200, description = "the file"), (status = 400), (status = 403)))]
pub async fn export(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Response, ApiError> {
    let format: Format =
        params.get("format").unwrap_or("xlsx").parse().map_err(|e: String| ApiError::invalid("format", e))?;
    let full = params.parse::<bool>("full")?.unwrap_or(false);
    let rows = rows(&app, &who, &params.with("offset", 0), full).await?;
    let bytes = match format {
        Format::Csv => to_csv(&rows)?,
        Format::Xlsx => workbook(&rows, "居民", &[(2, 12.0), (3, 21.0), (4, 14.0), (5, 30.0), (9, 24.0)])?,
    };
    let detail =
        json!({ "format": format.extension(), "rows": rows.len() - 1, "full": full, "filters": filters_of(&params) });
    let action = if full { "pii.export" } else { "registry.export" };
    app.store.audit(&who.caller(), AuditEntry::ok(action, "resident", "").with_detail(detail)).await?;
    Ok(attachment(bytes, format, "residents"))
}

/// Households as XLSX or CSV, in the columns of the household import template.
#[utoipa::path(get, path = "/api/v1/households/export", tag = "registry",
    params(("format" = Option<String>, Query, description = "xlsx (default) or csv"),
        ("q" = Option<String>, Query), ("building" = Option<i64>, Query), ("region" = Option<String>, Query)),
    responses((status = 200, description = "the file"), (status = 400), (status = 403)))]
pub async fn export_households(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Response, ApiError> {
    let format: Format =
        params.get("format").unwrap_or("xlsx").parse().map_err(|e: String| ApiError::invalid("format", e))?;
    let rows = household_rows(&app, &who, &params.with("offset", 0)).await?;
    let bytes = match format {
        Format::Csv => to_csv(&rows)?,
        Format::Xlsx => workbook(&rows, "户", &[(0, 30.0), (3, 12.0), (4, 30.0)])?,
    };
    let detail = json!({ "format": format.extension(), "rows": rows.len() - 1, "filters": filters_of(&params) });
    app.store.audit(&who.caller(), AuditEntry::ok("registry.export", "household", "").with_detail(detail)).await?;
    Ok(attachment(bytes, format, "households"))
}
