//! Charging sheds, e-bikes and pledges out, as XLSX or CSV (UTF-8 with a BOM), with the
//! lists' filters: `GET /api/v1/{sheds,ebikes,pledges}/export?format=xlsx|csv`. The ledgers
//! hold names and addresses but no ID numbers or phones, so there is nothing to unmask;
//! each export is audited as `registry.export` with its kind, filters and row count, and
//! every cell a spreadsheet would run as a formula is neutralised.

use axum::extract::State;
use axum::response::Response;
use serde_json::json;
use tongxin_store::audit::AuditEntry;

use crate::api::cases::export::{Format, attachment, filters_of, to_csv, workbook};
use crate::auth::{ApiCaller, Who};
use crate::params::Params;
use crate::{ApiError, App};

pub use tongxin_app::registry::ledger_export::*;

/// Charging sheds as XLSX or CSV, with the list's filters.
#[utoipa::path(get, path = "/api/v1/sheds/export", tag = "registry",
    params(("format" = Option<String>, Query, description = "xlsx (default) or csv"), ("q" = Option<String>, Query),
        ("status" = Option<String>, Query), ("region" = Option<String>, Query)),
    responses((status = 200, description = "the file"), (status = 400), (status = 403)))]
pub async fn sheds(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Response, ApiError> {
    export(&app, &who, &params, Ledger::Sheds).await
}

/// E-bikes as XLSX or CSV, with the list's filters.
#[utoipa::path(get, path = "/api/v1/ebikes/export", tag = "registry",
    params(("format" = Option<String>, Query, description = "xlsx (default) or csv"), ("q" = Option<String>, Query),
        ("status" = Option<String>, Query), ("shed" = Option<i64>, Query), ("region" = Option<String>, Query)),
    responses((status = 200, description = "the file"), (status = 400), (status = 403)))]
pub async fn ebikes(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Response, ApiError> {
    export(&app, &who, &params, Ledger::Ebikes).await
}

/// Safety pledges as XLSX or CSV, with the list's filters.
#[utoipa::path(get, path = "/api/v1/pledges/export", tag = "registry",
    params(("format" = Option<String>, Query, description = "xlsx (default) or csv"), ("q" = Option<String>, Query),
        ("region" = Option<String>, Query)),
    responses((status = 200, description = "the file"), (status = 400), (status = 403)))]
pub async fn pledges(State(app): State<App>, who: ApiCaller, params: Params) -> Result<Response, ApiError> {
    export(&app, &who, &params, Ledger::Pledges).await
}

pub async fn export(app: &App, who: &Who, params: &Params, ledger: Ledger) -> Result<Response, ApiError> {
    let format: Format =
        params.get("format").unwrap_or("xlsx").parse().map_err(|e: String| ApiError::invalid("format", e))?;
    let rows = ledger.rows(app, who, &params.with("offset", 0)).await?;
    let (stem, sheet, _, widths) = ledger.layout();
    let bytes = match format {
        Format::Csv => to_csv(&rows)?,
        Format::Xlsx => workbook(&rows, sheet, widths)?,
    };
    let detail =
        json!({ "kind": stem, "format": format.extension(), "rows": rows.len() - 1, "filters": filters_of(params) });
    app.store.audit(&who.caller(), AuditEntry::ok("registry.export", "ledger", stem).with_detail(detail)).await?;
    Ok(attachment(bytes, format, stem))
}
