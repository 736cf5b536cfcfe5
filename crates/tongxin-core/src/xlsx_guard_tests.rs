use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::hostile::{inflating, lying_sizes, many_entries};
use super::*;

const SHEET: &str = "xl/worksheets/sheet1.xml";
const MB: u64 = 1024 * 1024;

/// A zip of the named parts, deflated.
fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in parts {
        out.start_file(*name, options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The parts of a workbook that matter here: one sheet with one row.
fn workbook() -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", br#"<?xml version="1.0"?><Types/>"#),
        ("xl/workbook.xml", r#"<workbook><sheets><sheet name="居民" r:id="rId1"/></sheets></workbook>"#.as_bytes()),
        (SHEET, r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row></sheetData></worksheet>"#.as_bytes()),
    ])
}

#[test]
fn ordinary_workbooks_pass_and_are_counted() {
    let book = workbook();
    let inflated = check(&book).unwrap();
    assert_eq!(inflated.entries, 3);
    assert!(inflated.bytes > 100 && inflated.bytes < 1000, "{inflated:?}");
    // 5 MB of blank cells compresses 1000:1, and is still too small to matter
    let blank = inflating(&book, SHEET, 5 * MB);
    assert!(blank.len() < 100 * 1024);
    assert_eq!(check(&blank).unwrap().bytes, inflated.bytes + 5 * MB);
}

#[test]
fn a_sheet_that_inflates_a_thousandfold_is_refused() {
    // 300 MB of whitespace inside <sheetData>, in a file of about 300 KB
    let bomb = inflating(&workbook(), SHEET, 300 * MB);
    assert!(bomb.len() < 600 * 1024, "{} bytes", bomb.len());
    assert_eq!(check(&bomb), Err(Refused::TooCompressed));
    let words = Refused::TooCompressed.to_string();
    assert!(words.contains("压缩比超过 100:1"), "{words}");
    assert!(Refused::TooCompressed.english().contains("100:1"));
}

#[test]
fn the_sizes_in_the_headers_are_not_believed() {
    let bomb = inflating(&workbook(), SHEET, 300 * MB);
    let liar = lying_sizes(&bomb, SHEET, 4096);
    let mut archive = zip::ZipArchive::new(Cursor::new(liar.as_slice())).unwrap();
    assert_eq!(archive.by_name(SHEET).unwrap().size(), 4096, "the header claims 4 KB");
    assert_eq!(check(&liar), Err(Refused::TooCompressed));
}

/// `bytes` of text that deflates about 30:1: blanks with a few pseudo-random letters.
fn text(bytes: u64) -> impl Iterator<Item = Vec<u8>> {
    let mut seed = 13u32;
    (0..bytes / 1024).map(move |_| {
        let mut chunk = vec![b' '; 1024];
        for byte in chunk.iter_mut().take(24) {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            *byte = b'a' + (seed >> 16) as u8 % 26;
        }
        chunk
    })
}

#[test]
fn more_than_200_mb_inflated_is_refused_at_any_ratio() {
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    // two parts of 110 MB: each within the limit, the two together past it
    for name in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
        out.start_file(name, options).unwrap();
        for chunk in text(110 * MB) {
            out.write_all(&chunk).unwrap();
        }
    }
    let big = out.finish().unwrap().into_inner();
    assert!(big.len() as u64 * MAX_RATIO > 220 * MB, "the ratio is within the limit: {} bytes", big.len());
    assert_eq!(check(&big), Err(Refused::TooLarge));
    assert!(Refused::TooLarge.to_string().starts_with("文件解压后超过 200 MB"));
}

#[test]
fn many_entries_and_broken_files_are_refused() {
    assert!(check(&many_entries(100)).is_ok());
    assert_eq!(check(&many_entries(MAX_ENTRIES + 1)), Err(Refused::TooManyEntries));
    assert_eq!(check(b"PK\x03\x04 not a zip at all"), Err(Refused::Damaged));
    assert_eq!(check(b""), Err(Refused::Damaged));
    // the sheet's deflated data damaged in the middle
    let mut broken = inflating(&workbook(), SHEET, MB);
    let middle = broken.len() / 2;
    broken[middle..middle + 64].fill(0xAA);
    assert_eq!(check(&broken), Err(Refused::Damaged));
    assert!(!Refused::Damaged.is_limit() && Refused::TooLarge.is_limit());
}
