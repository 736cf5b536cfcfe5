//! The workbooks an import hands out: the error report of a refused file, and a blank
//! template for each kind.

use super::{Kind, RowError};
use crate::Error;

/// The error report: one row per problem — row, column, value (numbers masked), reason.
pub fn report(errors: &[RowError]) -> Result<Vec<u8>, Error> {
    let header = ["行号", "列", "内容", "原因"].map(str::to_owned).to_vec();
    let mut rows = vec![header];
    for e in errors {
        rows.push(
            [e.line.to_string(), e.column.clone(), e.value.clone(), e.reason.clone()]
                .iter()
                .map(|c| crate::cases::export::neutralise(c))
                .collect(),
        );
    }
    crate::cases::export::workbook(&rows, "错误报告", &[(0, 8.0), (1, 12.0), (2, 24.0), (3, 60.0)])
}

/// A blank template: the header (required columns marked *), every column formatted as
/// text so Excel keeps an ID number's digits, and a sheet explaining each column.
pub fn template(kind: Kind) -> Result<Vec<u8>, Error> {
    use rust_xlsxwriter::{Format, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("cannot write the template: {e}"));
    let t = kind.template();
    let mut book = Workbook::new();
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold().set_num_format("@");
    let sheet = book.add_worksheet();
    sheet.set_name(t.sheet).map_err(failed)?;
    for (c, (zh, _, required)) in t.columns.iter().enumerate() {
        let c = c as u16;
        sheet.set_column_format(c, &text).map_err(failed)?;
        sheet.set_column_width(c, if *zh == "身份证号" || *zh == "地址" { 22.0 } else { 12.0 }).map_err(failed)?;
        sheet
            .write_string_with_format(0, c, format!("{zh}{}", if *required { "*" } else { "" }), &bold)
            .map_err(failed)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    let help = book.add_worksheet();
    help.set_name("填写说明").map_err(failed)?;
    help.set_column_width(0, 14.0).map_err(failed)?;
    help.set_column_width(1, 90.0).map_err(failed)?;
    for (r, (zh, _, required)) in t.columns.iter().enumerate() {
        let r = r as u32;
        help.write_string_with_format(r, 0, *zh, &bold).map_err(failed)?;
        let note = format!("{}{}", if *required { "必填。" } else { "" }, super::kinds::column_help(kind, zh));
        help.write_string(r, 1, note).map_err(failed)?;
    }
    book.save_to_buffer().map_err(failed)
}
