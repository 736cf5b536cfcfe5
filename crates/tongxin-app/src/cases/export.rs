//! Case lists out, as CSV (UTF-8 with a BOM, so Excel in China opens it right) or XLSX.
//! `GET /cases/export?format=csv|xlsx` takes the list's filters and the caller's reach;
//! `tongxin cases export` does the same from the console. Every cell that a spreadsheet
//! would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a return) is
//! neutralised with a leading apostrophe. Reporters' personal data is never exported.

use std::collections::HashMap;

use tongxin_core::time::Timestamp;
use tongxin_store::cases::{CaseFilter, CaseRecord, CaseScope};

use super::category_names;
use crate::labels::{source_key, status_key};
use crate::params::Params;
use crate::{App, Error};

/// The most rows one export holds.
pub const MAX_ROWS: usize = 50_000;

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(format!("format is csv or xlsx, not '{other}'")),
        }
    }
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// A cell as text a spreadsheet will not run: a leading `=`, `+`, `-`, `@`, tab or return
/// gets an apostrophe in front.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() }
}

pub const HEADER: [&str; 17] = [
    "编号",
    "来源",
    "类别代码",
    "类别",
    "状态",
    "问题描述",
    "地址",
    "所在区划",
    "网格",
    "处置部门",
    "上报时间",
    "当前环节时限",
    "是否超期",
    "结案时间",
    "返工次数",
    "评价",
    "外部工单号",
];

/// The rows of an export, header first, every cell neutralised.
pub fn rows(
    cases: &[CaseRecord],
    categories: &HashMap<String, String>,
    departments: &HashMap<String, String>,
    now: Timestamp,
) -> Vec<Vec<String>> {
    let zh = crate::i18n::zh_cn();
    let time = |t: Option<Timestamp>| {
        t.map(|t| t.to_shanghai_rfc3339().replace('T', " ")[..16].to_owned()).unwrap_or_default()
    };
    let mut out = vec![HEADER.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()];
    for c in cases {
        let row = vec![
            c.number.clone(),
            zh.get(source_key(c.source)).to_owned(),
            c.category.to_string(),
            categories.get(c.category.as_str()).cloned().unwrap_or_default(),
            zh.get(status_key(c.state.status)).to_owned(),
            tongxin_core::pii::mask_numbers_in(&c.description),
            tongxin_core::pii::mask_numbers_in(&c.address),
            c.region.to_string(),
            c.grid.as_ref().map(|g| g.to_string()).unwrap_or_default(),
            c.department.as_ref().map(|d| departments.get(d).cloned().unwrap_or_else(|| d.clone())).unwrap_or_default(),
            time(Some(c.created_at)),
            time(c.step_due_at),
            if c.step_due_at.is_some_and(|d| d < now) { "是".into() } else { "否".into() },
            time(c.closed_at),
            c.rework_count.to_string(),
            c.rating.map(|r| r.to_string()).unwrap_or_default(),
            c.external_ref.clone().unwrap_or_default(),
        ];
        out.push(row.iter().map(|cell| neutralise(cell)).collect());
    }
    out
}

/// CSV bytes: a UTF-8 BOM, then the rows.
pub fn to_csv(rows: &[Vec<String>]) -> Result<Vec<u8>, Error> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    for row in rows {
        writer.write_record(row).map_err(|e| Error::Internal(e.to_string()))?;
    }
    writer.into_inner().map_err(|e| Error::Internal(e.to_string()))
}

/// XLSX bytes: one sheet, a bold frozen header, every cell written as text.
pub fn to_xlsx(rows: &[Vec<String>]) -> Result<Vec<u8>, Error> {
    workbook(rows, "案件", &[(0, 16.0), (5, 40.0), (6, 24.0), (10, 17.0), (11, 17.0), (13, 17.0)])
}

/// XLSX bytes of one sheet named `name`: a bold frozen header, every cell written as text
/// (so an ID number keeps its digits), the given column widths.
pub fn workbook(rows: &[Vec<String>], name: &str, widths: &[(u16, f64)]) -> Result<Vec<u8>, Error> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("cannot write the workbook: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(name).map_err(failed)?;
    let bold = CellFormat::new().set_bold();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if r == 0 {
                sheet.write_string_with_format(r, c, cell, &bold).map_err(failed)?;
            } else {
                sheet.write_string(r, c, cell).map_err(failed)?;
            }
        }
    }
    for (c, width) in widths {
        sheet.set_column_width(*c, *width).map_err(failed)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    workbook.save_to_buffer().map_err(failed)
}

/// Every case in `scope` matching `filter`, up to [`MAX_ROWS`], newest first.
pub async fn collect(app: &App, scope: &CaseScope, filter: CaseFilter) -> Result<Vec<CaseRecord>, Error> {
    let mut all = Vec::new();
    let mut page = CaseFilter { limit: 1000, ..filter };
    loop {
        let batch = app.store.cases(scope, &page).await?;
        let last = batch.last().map(|c| c.id);
        let full = batch.len() as i64 == page.limit;
        all.extend(batch);
        if all.len() >= MAX_ROWS {
            return Err(Error::invalid(
                "limit",
                format!("more than {MAX_ROWS} cases match; narrow the filters (since, until, status, region)"),
            ));
        }
        match last {
            Some(id) if full => page.before = Some(id),
            _ => return Ok(all),
        }
    }
}

/// The file of an export.
pub async fn build(app: &App, cases: &[CaseRecord], format: Format) -> Result<Vec<u8>, Error> {
    let categories = category_names(app).await?;
    let departments: HashMap<String, String> = app.store.departments().await?.into_iter().collect();
    let rows = rows(cases, &categories, &departments, Timestamp::now());
    match format {
        Format::Csv => to_csv(&rows),
        Format::Xlsx => to_xlsx(&rows),
    }
}

/// The filters of an export as sent (for its audit entry), without the format and `full`.
pub fn filters_of(params: &Params) -> serde_json::Map<String, serde_json::Value> {
    params.pairs().filter(|(k, _)| !matches!(*k, "format" | "full")).map(|(k, v)| (k.to_owned(), v.into())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for dangerous in ["=1+1", "+86 138", "-2", "@SUM(A1)", "\t=x", "\r=x", "=HYPERLINK(\"http://evil\")"] {
            assert!(neutralise(dangerous).starts_with('\''), "{dangerous:?}");
        }
        for safe in ["楼道堆物", "20261127-00001", "1 + 1", "", "a=b"] {
            assert_eq!(neutralise(safe), safe);
        }
    }

    #[test]
    fn csv_starts_with_a_bom_and_quotes_what_it_must() {
        let rows =
            vec![vec!["编号".to_owned(), "描述".to_owned()], vec!["1".to_owned(), "有逗号, 和\"引号\"".to_owned()]];
        let bytes = to_csv(&rows).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert_eq!(text, "编号,描述\n1,\"有逗号, 和\"\"引号\"\"\"\n");
        let xlsx = to_xlsx(&rows).unwrap();
        assert!(xlsx.starts_with(b"PK"), "an xlsx is a zip");
    }
}
