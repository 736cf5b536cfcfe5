//! Residents out, as XLSX or CSV (UTF-8 with a BOM): masked by default; with `full=true` the
//! ID numbers and phones in full, which needs `pii.export`. Either way the export is audited
//! with its filters and row count, and every cell a spreadsheet would run as a formula is
//! neutralised. The columns are the ones the import template will read.

use axum::extract::State;
use axum::response::Response;
use serde_json::json;
use tongxin_core::access::Permission;
use tongxin_store::audit::AuditEntry;
use tongxin_store::registry::ResidentRecord;

use super::{search_households, search_residents};
use crate::api::cases::export::{Format, attachment, filters_of, neutralise, to_csv, workbook};
use crate::api::params::Params;
use crate::auth::{ApiCaller, Who};
use crate::registry_import::Kind;
use crate::{ApiError, App};

/// The most rows one export holds.
pub const MAX_ROWS: usize = 100_000;

/// The import template's columns, in its order.
fn header(kind: Kind) -> Vec<String> {
    kind.template().columns.iter().map(|c| c.0.to_owned()).collect()
}

async fn row(app: &App, r: &ResidentRecord, full: bool) -> Result<Vec<String>, ApiError> {
    let (id, phone) = if full {
        let (id, phone) = app.store.resident_sealed(r.id).await?;
        let open = |field: &str, sealed: Option<Vec<u8>>| -> Result<String, ApiError> {
            sealed
                .map(|s| app.pii.open(field, &s).map_err(|e| ApiError::Internal(e.to_string())))
                .transpose()
                .map(Option::unwrap_or_default)
        };
        (open("resident_id", id)?, open("phone", phone)?)
    } else {
        (r.id_masked.clone(), r.phone_masked.clone())
    };
    let tags: Vec<&str> = r.tags.iter().map(|t| t.zh()).collect();
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    Ok([
        r.name.clone(),
        r.gender.zh().to_owned(),
        r.birth_date.to_string(),
        id,
        phone,
        r.building_address.clone(),
        r.unit.clone(),
        r.room.clone(),
        r.role.zh().to_owned(),
        tags.join("、"),
        date(r.moved_in),
        date(r.moved_out),
    ]
    .iter()
    .map(|c| neutralise(c))
    .collect())
}

/// The export's rows (header first) for `who`, with the list's filters.
pub async fn rows(app: &App, who: &Who, params: &Params, full: bool) -> Result<Vec<Vec<String>>, ApiError> {
    if full {
        who.require(app, Permission::PiiExport).await?;
    }
    let mut out = vec![header(Kind::Residents)];
    let mut offset = 0;
    loop {
        let page = search_residents(app, who, &params.with("limit", 500).with("offset", offset)).await?;
        for r in &page {
            out.push(row(app, r, full).await?);
        }
        if out.len() > MAX_ROWS + 1 {
            return Err(ApiError::invalid("limit", format!("more than {MAX_ROWS} residents match; narrow the search")));
        }
        if page.len() < 500 {
            return Ok(out);
        }
        offset += 500;
    }
}

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

/// The households' rows (header first) for `who`, with the household list's filters.
async fn household_rows(app: &App, who: &Who, params: &Params) -> Result<Vec<Vec<String>>, ApiError> {
    let mut out = vec![header(Kind::Households)];
    let mut offset = 0;
    loop {
        let page = search_households(app, who, &params.with("limit", 500).with("offset", offset)).await?;
        for h in &page {
            out.push(
                [&h.building_address, &h.unit, &h.room, h.registration.zh(), &h.notes]
                    .iter()
                    .map(|c| neutralise(c))
                    .collect(),
            );
        }
        if out.len() > MAX_ROWS + 1 {
            return Err(ApiError::invalid(
                "limit",
                format!("more than {MAX_ROWS} households match; narrow the search"),
            ));
        }
        if page.len() < 500 {
            return Ok(out);
        }
        offset += 500;
    }
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
