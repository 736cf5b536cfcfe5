//! 12345 hotline orders in bulk: a CSV export of the city platform (UTF-8, with or without
//! BOM, or GB18030 as Excel in China saves it) or a JSON array, read into reports and
//! filed through the same intake as the API. Each order is its own case and its own
//! transaction; its order number (工单编号) makes it idempotent, so a file can be sent
//! again after fixing the rows that were refused, and the orders already filed are
//! recognised, not doubled. An Excel workbook is refused by name, not read: one that is
//! read some day must pass `tongxin_core::xlsx_guard` first, as the ledger imports do.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use tongxin_core::access::{ActorKind, ApiScope, Permission};
use tongxin_core::cases::catalog::CategoryCode;
use tongxin_core::cases::report::Source;
use utoipa::ToSchema;

use super::intake::{ReportRequest, file, prepare, replayed};
use crate::caller::Who;
use crate::{App, Error};

/// The largest order file taken at once (a day of 12345 orders is far smaller).
pub const MAX_FILE_BYTES: usize = 10 << 20;

/// The columns read, by their English and Chinese names.
pub const COLUMNS: [(&str, &[&str]); 10] = [
    ("external_ref", &["external_ref", "工单编号", "工单号", "order_no"]),
    ("category", &["category", "问题类别", "类别", "类别代码"]),
    ("description", &["description", "问题描述", "诉求内容", "内容"]),
    ("address", &["address", "地址", "事发地址"]),
    ("lat", &["lat", "纬度"]),
    ("lng", &["lng", "经度"]),
    ("crs", &["crs", "坐标系"]),
    ("reporter_name", &["reporter_name", "来电人", "联系人"]),
    ("reporter_phone", &["reporter_phone", "联系电话", "来电号码"]),
    ("source", &["source", "来源"]),
];

/// One order as read: its row (1 = the first after the header) and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub row: usize,
    pub fields: BTreeMap<String, Value>,
}

/// What became of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created {
        number: String,
    },
    /// The order number was already on file: that case.
    AlreadyFiled {
        number: String,
    },
    /// Dry run: it would be filed.
    Valid,
    Refused {
        field: String,
        message: String,
        /// The API's error code for it: invalid_parameter, or conflict (an order number on
        /// file for a case outside the caller's reach).
        code: &'static str,
    },
}

/// The text of a file: UTF-8 (a BOM is dropped), or else GB18030.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// Reads orders from CSV (with a header row) or JSON (an array of objects, or
/// `{"orders": [...]}`). A file that cannot be read at all is an error; rows are checked
/// one by one later.
pub fn read_orders(bytes: &[u8]) -> Result<Vec<Order>, String> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Err("an Excel workbook (.xlsx) is not read here; save the orders as CSV or JSON".into());
    }
    let text = decode(bytes);
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') { json_orders(trimmed) } else { csv_orders(&text) }
}

/// Orders as a JSON array, or an object holding one under `orders`.
fn json_orders(text: &str) -> Result<Vec<Order>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("the JSON cannot be read: {e}"))?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("orders") {
            Some(Value::Array(items)) => items,
            _ => return Err("a JSON file is an array of orders, or {\"orders\": [...]}".into()),
        },
        _ => return Err("a JSON file is an array of orders".into()),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::Object(map) => Ok(Order { row: i + 1, fields: map.into_iter().collect() }),
            _ => Err(format!("order {} is not an object", i + 1)),
        })
        .collect()
}

/// Orders as CSV rows under a header of known column names (any of each one's aliases).
fn csv_orders(text: &str) -> Result<Vec<Order>, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| format!("the CSV header cannot be read: {e}"))?.clone();
    let names: Vec<Option<String>> = headers
        .iter()
        .map(|h| {
            let h = h.trim().to_lowercase();
            if let Some(code) = h.strip_prefix("attr_").or_else(|| h.strip_prefix("attribute.")) {
                return Some(format!("attr_{code}"));
            }
            COLUMNS.iter().find(|(_, aliases)| aliases.contains(&h.as_str())).map(|(name, _)| (*name).to_owned())
        })
        .collect();
    for required in ["external_ref", "category", "description"] {
        if !names.iter().any(|n| n.as_deref() == Some(required)) {
            let aliases = COLUMNS.iter().find(|(n, _)| *n == required).map_or(&[][..], |(_, a)| *a);
            return Err(format!("the CSV has no {required} column (any of: {})", aliases.join(", ")));
        }
    }
    let mut orders = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("row {}: {e}", i + 1))?;
        let mut fields = BTreeMap::new();
        for (name, value) in names.iter().zip(record.iter()) {
            if let Some(name) = name
                && !value.is_empty()
            {
                fields.insert(name.clone(), Value::from(value));
            }
        }
        if !fields.is_empty() {
            orders.push(Order { row: i + 1, fields });
        }
    }
    Ok(orders)
}

/// An order as a report: attributes gathered, coordinates parsed, a category named in
/// words turned into its code.
pub fn request(order: &Order, categories: &BTreeMap<String, String>) -> Result<ReportRequest, Error> {
    let text = |name: &str| -> Option<String> {
        order.fields.get(name).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
    };
    let number = |name: &str| -> Result<Option<f64>, Error> {
        match order.fields.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(v) => v
                .as_str()
                .and_then(|s| s.trim().parse::<f64>().ok())
                .map(Some)
                .ok_or_else(|| Error::invalid(name, format!("{name} must be a number"))),
        }
    };
    let raw_category = text("category").unwrap_or_default();
    let category = match categories.get(raw_category.trim()) {
        Some(code) => code.clone(),
        None if raw_category.trim().is_empty() || CategoryCode::parse(raw_category.trim()).is_ok() => raw_category,
        None => {
            return Err(Error::invalid(
                "category",
                format!("no category has the code or name '{}'", raw_category.trim()),
            ));
        }
    };
    let mut attributes: BTreeMap<String, Value> = match order.fields.get("attributes") {
        Some(Value::Object(map)) => map.clone().into_iter().collect(),
        _ => BTreeMap::new(),
    };
    for (name, value) in &order.fields {
        if let Some(code) = name.strip_prefix("attr_") {
            attributes.insert(code.to_owned(), value.clone());
        }
    }
    Ok(ReportRequest {
        category,
        description: text("description").unwrap_or_default(),
        lat: number("lat")?,
        lng: number("lng")?,
        crs: text("crs"),
        address: text("address"),
        attributes,
        building_id: None,
        reporter_name: text("reporter_name"),
        reporter_phone: text("reporter_phone"),
        external_ref: text("external_ref"),
        source: Some(text("source").unwrap_or_else(|| Source::Hotline.as_str().to_owned())),
    })
}

/// Files each order (or, with `dry_run`, only checks it); one outcome per order.
pub async fn import(app: &App, who: &Who, orders: &[Order], dry_run: bool) -> Result<Vec<(usize, Outcome)>, Error> {
    // Categories may be named by code (E0101) or by name (暴露垃圾).
    let categories: BTreeMap<String, String> =
        app.store.categories().await?.into_iter().map(|c| (c.name, c.code.to_string())).collect();
    let mut outcomes = Vec::new();
    for order in orders {
        let outcome = match request(order, &categories) {
            Err(e) => refused(e),
            Ok(request) if request.external_ref.as_deref().is_none_or(|r| r.trim().is_empty()) => Outcome::Refused {
                field: "external_ref".into(),
                message: "every order needs its order number".into(),
                code: "invalid_parameter",
            },
            Ok(request) => {
                let source =
                    request.source.as_deref().unwrap_or("hotline").parse::<Source>().unwrap_or(Source::Hotline);
                let reference = request.external_ref.clone().unwrap_or_default();
                match app.store.case_by_external_ref(source, reference.trim()).await? {
                    // The same replay rule as one order through the API: only a case the
                    // caller may have is named.
                    Some(existing) => match replayed(app, who, existing).await {
                        Ok(case) => Outcome::AlreadyFiled { number: case.number },
                        Err(e) => refused(e),
                    },
                    None if dry_run => match prepare(app, who, request).await {
                        Ok(_) => Outcome::Valid,
                        Err(e) => refused(e),
                    },
                    None => match file(app, who, request, Vec::new()).await {
                        Ok((case, true)) => Outcome::Created { number: case.number },
                        Ok((case, false)) => Outcome::AlreadyFiled { number: case.number },
                        Err(e) => refused(e),
                    },
                }
            }
        };
        outcomes.push((order.row, outcome));
    }
    Ok(outcomes)
}

/// Who may file orders in bulk: a key with the `hotline` scope, a console job, or staff who
/// register cases (intake).
pub async fn may_import(app: &App, who: &Who) -> Result<(), Error> {
    match who.actor.kind {
        ActorKind::ApiKey if who.actor.api_scopes.contains(&ApiScope::Hotline) => Ok(()),
        ActorKind::System => Ok(()),
        _ => who.require(app, Permission::CasesRegister).await,
    }
}

/// What became of one order, as the API and the page show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowOutcome {
    /// 1 = the first order (the row after the header).
    pub row: usize,
    /// created, already_filed, valid (dry run) or refused
    pub outcome: &'static str,
    /// The case number, when there is a case.
    pub number: Option<String>,
    pub field: Option<String>,
    pub message: Option<String>,
    /// For a refused order, the API's error code: invalid_parameter, or conflict when its
    /// order number is on file for a case outside the caller's reach.
    pub code: Option<&'static str>,
}

/// The answer to an import: counts, and one line per order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    pub orders: usize,
    pub created: usize,
    pub already_filed: usize,
    pub valid: usize,
    pub refused: usize,
    pub rows: Vec<RowOutcome>,
}

impl ImportReport {
    pub fn new(dry_run: bool, outcomes: Vec<(usize, Outcome)>) -> Self {
        let count = |wanted: &str, rows: &[RowOutcome]| rows.iter().filter(|r| r.outcome == wanted).count();
        let rows: Vec<RowOutcome> = outcomes
            .into_iter()
            .map(|(row, outcome)| {
                let line =
                    |outcome, number| RowOutcome { row, outcome, number, field: None, message: None, code: None };
                match outcome {
                    Outcome::Created { number } => line("created", Some(number)),
                    Outcome::AlreadyFiled { number } => line("already_filed", Some(number)),
                    Outcome::Valid => line("valid", None),
                    Outcome::Refused { field, message, code } => RowOutcome {
                        row,
                        outcome: "refused",
                        number: None,
                        field: Some(field),
                        message: Some(message),
                        code: Some(code),
                    },
                }
            })
            .collect();
        ImportReport {
            dry_run,
            orders: rows.len(),
            created: count("created", &rows),
            already_filed: count("already_filed", &rows),
            valid: count("valid", &rows),
            refused: count("refused", &rows),
            rows,
        }
    }
}

/// Reads and files (or with `dry_run`, checks) a file of orders for `who`.
pub async fn import_file(app: &App, who: &Who, bytes: &[u8], dry_run: bool) -> Result<ImportReport, Error> {
    may_import(app, who).await?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::invalid("file", format!("the file is larger than {} MB", MAX_FILE_BYTES >> 20)));
    }
    let orders = read_orders(bytes).map_err(|e| Error::invalid("file", format!("{e}; nothing was filed")))?;
    if orders.is_empty() {
        return Err(Error::invalid("file", "the file holds no orders"));
    }
    Ok(ImportReport::new(dry_run, import(app, who, &orders, dry_run).await?))
}

pub fn refused(e: Error) -> Outcome {
    let code = e.code();
    match e {
        Error::InvalidParameter { field, message } | Error::Conflict { field, message } => {
            Outcome::Refused { field, message, code }
        }
        other => Outcome::Refused { field: "order".into(), message: other.to_string(), code },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_headers_gb18030_and_attributes() {
        let csv = "工单编号,问题类别,问题描述,事发地址,纬度,经度,联系电话,attr_floor\n\
                   SH001,楼道堆物,三楼楼道堆物,华山路 1 号,31.22,121.44,13800001111,3\n\
                   ,,,,,,,\n\
                   SH002,E0101,垃圾满溢,\"常德路 2 号, 北门\",,,,\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(csv);
        for bytes in [csv.as_bytes().to_vec(), gbk.into_owned(), [b"\xEF\xBB\xBF".as_slice(), csv.as_bytes()].concat()]
        {
            let orders = read_orders(&bytes).unwrap();
            assert_eq!(orders.len(), 2, "the blank row is skipped");
            assert_eq!(orders[0].fields["category"], "楼道堆物");
            assert_eq!(orders[0].fields["attr_floor"], "3");
            assert_eq!((orders[1].row, orders[1].fields["address"].as_str()), (3, Some("常德路 2 号, 北门")));
        }
        let names = BTreeMap::from([("楼道堆物".to_owned(), "E0103".to_owned())]);
        let orders = read_orders(csv.as_bytes()).unwrap();
        let r = request(&orders[0], &names).unwrap();
        assert_eq!((r.category.as_str(), r.lat, r.attributes["floor"].as_str()), ("E0103", Some(31.22), Some("3")));
        assert_eq!(r.source.as_deref(), Some("hotline"));
    }

    #[test]
    fn json_files_and_unreadable_ones() {
        let orders = read_orders(
            br#"{"orders": [{"external_ref": "A", "category": "E0101", "description": "x", "lat": 31.2}]}"#,
        )
        .unwrap();
        assert_eq!(orders[0].fields["lat"], 31.2);
        assert!(read_orders(b"[1, 2]").unwrap_err().contains("order 1"));
        assert!(read_orders(b"{\"x\": 1}").is_err());
        assert!(read_orders(b"PK\x03\x04\x14\0").unwrap_err().contains("save the orders as CSV"));
        let missing = read_orders("问题描述,地址\nx,y\n".as_bytes()).unwrap_err();
        assert!(missing.contains("external_ref") && missing.contains("工单编号"), "{missing}");
        let bad_number = Order { row: 1, fields: BTreeMap::from([("lat".to_owned(), Value::from("北纬"))]) };
        assert!(
            matches!(request(&bad_number, &BTreeMap::new()), Err(Error::InvalidParameter { field, .. }) if field == "lat")
        );
    }
}
