//! Residents out, as XLSX or CSV (UTF-8 with a BOM): masked by default; with `full=true` the
//! ID numbers and phones in full, which needs `pii.export`. Either way the export is audited
//! with its filters and row count, and every cell a spreadsheet would run as a formula is
//! neutralised. The columns are the ones the import template will read.

use tongxin_core::access::Permission;
use tongxin_store::registry::ResidentRecord;

use super::{search_households, search_residents};
use crate::caller::Who;
use crate::cases::export::neutralise;
use crate::params::Params;
use crate::registry_import::Kind;
use crate::{App, Error};

/// The most rows one export holds.
pub const MAX_ROWS: usize = 100_000;

/// The import template's columns, in its order.
pub fn header(kind: Kind) -> Vec<String> {
    kind.template().columns.iter().map(|c| c.0.to_owned()).collect()
}

pub async fn row(app: &App, r: &ResidentRecord, full: bool) -> Result<Vec<String>, Error> {
    let (id, phone) = if full {
        let (id, phone) = app.store.resident_sealed(r.id).await?;
        let open = |field: &str, sealed: Option<Vec<u8>>| -> Result<String, Error> {
            sealed
                .map(|s| app.pii.open(field, &s).map_err(|e| Error::Internal(e.to_string())))
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
pub async fn rows(app: &App, who: &Who, params: &Params, full: bool) -> Result<Vec<Vec<String>>, Error> {
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
            return Err(Error::invalid("limit", format!("more than {MAX_ROWS} residents match; narrow the search")));
        }
        if page.len() < 500 {
            return Ok(out);
        }
        offset += 500;
    }
}

/// The households' rows (header first) for `who`, with the household list's filters.
pub async fn household_rows(app: &App, who: &Who, params: &Params) -> Result<Vec<Vec<String>>, Error> {
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
            return Err(Error::invalid("limit", format!("more than {MAX_ROWS} households match; narrow the search")));
        }
        if page.len() < 500 {
            return Ok(out);
        }
        offset += 500;
    }
}
