//! Reading a ledger file: an XLSX workbook or a CSV file (UTF-8, with or without a BOM, or
//! GB18030 as Chinese Excel saves it). The file is first inspected whole — format, sheet,
//! headers, merged cells, formulas — and refused with one clear message before any row is
//! read. The rows are then streamed in chunks from a blocking thread through a bounded
//! channel, so a 100,000-row file never sits in memory as rows.
//!
//! A workbook is opened only after [`xlsx_guard::check`] has inflated it into nothing
//! and found it within its limits: calamine holds a run of whitespace in a sheet as one
//! piece, so a small file could otherwise take gigabytes.

use std::io::Cursor;
use std::sync::Arc;

use calamine::{DataRef, Reader, Xlsx};
use tokio::sync::mpsc;
use tongxin_core::xlsx_guard;

/// The largest file taken.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

/// Rows sent at a time.
const CHUNK: usize = 500;

/// One data row: its number as the spreadsheet shows it (the header is row 1) and its
/// cells in the template's column order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
    /// The columns whose cell was a number of 16 digits or more: Excel keeps only 15
    /// significant digits, so such an ID number has lost its last digits.
    pub long_numbers: Vec<usize>,
    /// The first column whose cell holds a control character that text may not hold
    /// (`crate::text`): such a row is refused, never stored.
    pub control: Option<usize>,
}

impl Row {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// Why a file is refused as a whole, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FileProblem(pub String);

fn problem(text: impl Into<String>) -> FileProblem {
    FileProblem(text.into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Csv,
}

/// What the template expects of a file of one kind.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// The sheet's name in the template.
    pub sheet: &'static str,
    /// The columns: Chinese header, English header, required.
    pub columns: &'static [(&'static str, &'static str, bool)],
}

/// A file that passed inspection: where its columns are, and how many rows it has.
#[derive(Debug, Clone)]
pub struct Layout {
    format: Format,
    sheet: String,
    /// For each template column, its position in the file (None: the file lacks it).
    positions: Vec<Option<usize>>,
    /// Data rows (the header excluded), blank ones included.
    pub rows: usize,
    /// The file's columns the template does not know (they are ignored).
    pub ignored: Vec<String>,
}

fn sniff(bytes: &[u8]) -> Result<Format, FileProblem> {
    if bytes.is_empty() {
        return Err(problem("文件是空的"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(problem(format!(
            "文件有 {:.1} MB，超过 {} MB 的上限；请分成几个文件导入",
            bytes.len() as f64 / 1048576.0,
            MAX_BYTES / 1048576
        )));
    }
    if is_xlsx(bytes) {
        return Ok(Format::Xlsx);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        let encrypted: Vec<u8> = "EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes).collect();
        return Err(if bytes.windows(encrypted.len()).any(|w| w == encrypted.as_slice()) {
            problem("文件设有打开密码；请在 Excel 中取消密码（文件 → 信息 → 保护工作簿）后再导入")
        } else {
            problem("这是旧版 Excel（.xls）文件；请在 Excel 中另存为 .xlsx 或 CSV 后再导入")
        });
    }
    if bytes.contains(&0) {
        return Err(problem("无法识别的文件：请上传 .xlsx 或 .csv 文件"));
    }
    Ok(Format::Csv)
}

/// The text of a CSV file: UTF-8 (a BOM is dropped) or GB18030.
fn csv_text(bytes: &[u8]) -> Result<String, FileProblem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, _, bad) = encoding_rs::GB18030.decode(bytes);
    if bad {
        return Err(problem("CSV 文件的编码无法识别：请存为 UTF-8 或 GB18030（Excel 的「CSV（逗号分隔）」）"));
    }
    Ok(text.into_owned())
}

/// Matches the header row to the template's columns.
fn positions(header: &[String], template: &Template) -> Result<(Vec<Option<usize>>, Vec<String>), FileProblem> {
    let clean = |h: &str| h.trim().trim_start_matches('\u{feff}').trim_end_matches(['*', '＊']).trim().to_owned();
    let header: Vec<String> = header.iter().map(|h| clean(h)).collect();
    let positions: Vec<Option<usize>> = template
        .columns
        .iter()
        .map(|(zh, en, _)| header.iter().position(|h| h == zh || h.eq_ignore_ascii_case(en)))
        .collect();
    let missing: Vec<&str> = template
        .columns
        .iter()
        .zip(&positions)
        .filter(|((_, _, required), at)| *required && at.is_none())
        .map(|((zh, _, _), _)| *zh)
        .collect();
    if missing.is_empty() && positions.iter().any(Option::is_some) {
        let ignored = header
            .iter()
            .enumerate()
            .filter(|(i, h)| !h.is_empty() && !positions.contains(&Some(*i)))
            .map(|(_, h)| h.clone())
            .collect();
        return Ok((positions, ignored));
    }
    let expected: Vec<&str> = template.columns.iter().map(|c| c.0).collect();
    Err(problem(format!(
        "第 1 行应为表头；缺少列：{}。模板的表头是：{}",
        if missing.is_empty() { expected.join("、") } else { missing.join("、") },
        expected.join("、")
    )))
}

/// Whether the file is a zip, as an XLSX is.
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Opens a workbook that passes the guard. Every reading of a workbook opens it here.
fn open_xlsx(bytes: &[u8]) -> Result<Xlsx<Cursor<&[u8]>>, FileProblem> {
    xlsx_guard::check(bytes).map_err(|refused| problem(refused.to_string()))?;
    Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        tracing::debug!(error = %e, "an unreadable workbook");
        problem("文件已损坏，或不是 Excel 工作簿；请在 Excel 中打开后另存为 .xlsx 再导入")
    })
}

/// `A1`-style name of a cell.
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = String::new();
    let mut n = col + 1;
    while n > 0 {
        letters.insert(0, (b'A' + ((n - 1) % 26) as u8) as char);
        n = (n - 1) / 26;
    }
    format!("{letters}{}", row + 1)
}

/// The text of a workbook cell. Dates become `2020-01-05`; whole numbers lose their `.0`.
fn text_of(cell: &DataRef<'_>) -> (String, bool) {
    match cell {
        DataRef::Empty => (String::new(), false),
        DataRef::String(s) => (s.trim().to_owned(), false),
        DataRef::SharedString(s) => (s.trim().to_owned(), false),
        DataRef::Int(i) => (i.to_string(), i.unsigned_abs() >= 1_000_000_000_000_000),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e20 => (format!("{f:.0}"), f.abs() >= 1e15),
        DataRef::Float(f) => (f.to_string(), false),
        DataRef::Bool(b) => ((if *b { "是" } else { "否" }).to_owned(), false),
        DataRef::DateTime(d) => {
            let day = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(d.as_f64().floor() as i64)));
            (day.map(|d| d.to_string()).unwrap_or_default(), false)
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => (s.chars().take(10).collect(), false),
        DataRef::Error(e) => (format!("#{e:?}"), false),
    }
}

/// Checks a file of the `template`'s kind as a whole. Nothing is imported from a file
/// refused here.
pub fn inspect(bytes: &[u8], template: &Template) -> Result<Layout, FileProblem> {
    match sniff(bytes)? {
        Format::Csv => {
            let text = csv_text(bytes)?;
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
            let mut records = reader.records();
            let header: Vec<String> = match records.next() {
                Some(Ok(r)) => r.iter().map(str::to_owned).collect(),
                Some(Err(e)) => return Err(problem(format!("CSV 文件无法读取：{e}"))),
                None => return Err(problem("文件是空的")),
            };
            let (positions, ignored) = positions(&header, template)?;
            let mut rows = 0;
            for record in records {
                record.map_err(|e| problem(format!("CSV 文件第 {} 行无法读取：{e}", rows + 2)))?;
                rows += 1;
            }
            Ok(Layout { format: Format::Csv, sheet: String::new(), positions, rows, ignored })
        }
        Format::Xlsx => {
            let mut book = open_xlsx(bytes)?;
            let names = book.sheet_names();
            let sheet = if names.iter().any(|n| n == template.sheet) {
                template.sheet.to_owned()
            } else if names.len() == 1 {
                names[0].clone()
            } else {
                return Err(problem(format!(
                    "找不到名为「{}」的工作表；文件中的工作表有：{}。请把数据放在「{}」工作表中（可下载模板对照）",
                    template.sheet,
                    names.join("、"),
                    template.sheet
                )));
            };
            if let Some(Ok(merged)) = book.worksheet_merge_cells(&sheet)
                && let Some(first) = merged.first()
            {
                return Err(problem(format!(
                    "工作表「{sheet}」有 {} 处合并单元格（如 {}:{}）；请取消合并并在每一格填上内容后再导入",
                    merged.len(),
                    cell_name(first.start.0, first.start.1),
                    cell_name(first.end.0, first.end.1)
                )));
            }
            {
                let mut cells =
                    book.worksheet_cells_reader(&sheet).map_err(|_| problem("工作表无法读取，文件可能已损坏"))?;
                while let Some(cell) = cells.next_formula().map_err(|_| problem("工作表无法读取，文件可能已损坏"))?
                {
                    if !cell.get_value().is_empty() {
                        let (row, col) = cell.get_position();
                        return Err(problem(format!(
                            "单元格 {} 是公式（={}）；请把公式列复制后「选择性粘贴 → 数值」，再导入",
                            cell_name(row, col),
                            cell.get_value()
                        )));
                    }
                }
            }
            let mut header = Vec::new();
            let mut rows = 0usize;
            let mut first_row = None;
            let mut cells =
                book.worksheet_cells_reader(&sheet).map_err(|_| problem("工作表无法读取，文件可能已损坏"))?;
            while let Some(cell) = cells.next_cell().map_err(|_| problem("工作表无法读取，文件可能已损坏"))?
            {
                let (row, col) = cell.get_position();
                let first = *first_row.get_or_insert(row);
                if row == first {
                    let col = col as usize;
                    if header.len() <= col {
                        header.resize(col + 1, String::new());
                    }
                    header[col] = text_of(cell.get_value()).0;
                } else {
                    rows = rows.max((row - first) as usize);
                }
            }
            if first_row.is_none() {
                return Err(problem(format!("工作表「{sheet}」是空的")));
            }
            if first_row != Some(0) {
                return Err(problem(format!("工作表「{sheet}」的第 1 行应为表头，但第 1 行是空的")));
            }
            let (positions, ignored) = positions(&header, template)?;
            Ok(Layout { format: Format::Xlsx, sheet, positions, rows, ignored })
        }
    }
}

/// A cell read into the template's order.
fn place(layout: &Layout, raw: &[(String, bool)], line: usize) -> Row {
    let mut cells = Vec::with_capacity(layout.positions.len());
    let mut long_numbers = Vec::new();
    let mut control = None;
    for (i, at) in layout.positions.iter().enumerate() {
        let (text, long) = at.and_then(|p| raw.get(p)).cloned().unwrap_or_default();
        if long {
            long_numbers.push(i);
        }
        if control.is_none() && text.chars().any(crate::text::is_forbidden) {
            control = Some(i);
        }
        cells.push(text);
    }
    Row { line, cells, long_numbers, control }
}

/// Streams the data rows of an inspected file, `CHUNK` at a time, from a blocking thread.
pub fn stream(bytes: Arc<Vec<u8>>, layout: Layout) -> mpsc::Receiver<Result<Vec<Row>, FileProblem>> {
    let (tx, rx) = mpsc::channel(4);
    tokio::task::spawn_blocking(move || {
        let result = match layout.format {
            Format::Csv => stream_csv(&bytes, &layout, &tx),
            Format::Xlsx => stream_xlsx(&bytes, &layout, &tx),
        };
        if let Err(e) = result {
            tx.blocking_send(Err(e)).ok();
        }
    });
    rx
}

type Sender = mpsc::Sender<Result<Vec<Row>, FileProblem>>;

/// Sends a chunk; false when the receiver has gone (the import stopped).
fn send(tx: &Sender, chunk: &mut Vec<Row>) -> bool {
    tx.blocking_send(Ok(std::mem::take(chunk))).is_ok()
}

fn stream_csv(bytes: &[u8], layout: &Layout, tx: &Sender) -> Result<(), FileProblem> {
    let text = csv_text(bytes)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let mut chunk = Vec::with_capacity(CHUNK);
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| problem(format!("CSV 文件第 {} 行无法读取：{e}", i + 2)))?;
        let raw: Vec<(String, bool)> = record.iter().map(|c| (c.trim().to_owned(), false)).collect();
        chunk.push(place(layout, &raw, i + 2));
        if chunk.len() == CHUNK && !send(tx, &mut chunk) {
            return Ok(());
        }
    }
    if !chunk.is_empty() {
        send(tx, &mut chunk);
    }
    Ok(())
}

fn stream_xlsx(bytes: &[u8], layout: &Layout, tx: &Sender) -> Result<(), FileProblem> {
    let broken = || problem("工作表无法读取，文件可能已损坏");
    let mut book = open_xlsx(bytes)?;
    let mut cells = book.worksheet_cells_reader(&layout.sheet).map_err(|_| broken())?;
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut raw: Vec<(String, bool)> = Vec::new();
    let mut current: Option<u32> = None;
    let finish = |row: u32, raw: &mut Vec<(String, bool)>, chunk: &mut Vec<Row>| {
        if row > 0 {
            chunk.push(place(layout, raw, row as usize + 1));
        }
        raw.clear();
    };
    while let Some(cell) = cells.next_cell().map_err(|_| broken())? {
        let (row, col) = cell.get_position();
        if current != Some(row) {
            if let Some(previous) = current {
                finish(previous, &mut raw, &mut chunk);
                if chunk.len() >= CHUNK && !send(tx, &mut chunk) {
                    return Ok(());
                }
            }
            current = Some(row);
        }
        let col = col as usize;
        if raw.len() <= col {
            raw.resize(col + 1, (String::new(), false));
        }
        raw[col] = text_of(cell.get_value());
    }
    if let Some(previous) = current {
        finish(previous, &mut raw, &mut chunk);
    }
    if !chunk.is_empty() {
        send(tx, &mut chunk);
    }
    Ok(())
}
