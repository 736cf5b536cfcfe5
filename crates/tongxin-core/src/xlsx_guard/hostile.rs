//! Hostile workbooks for tests, made here beside the guard they attack so that every
//! crate's tests (the guard's own, the import over HTTP, the command line) share one
//! corpus. They are built streaming: a file that inflates to a gigabyte is made holding
//! only its compressed megabyte.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// `base`, an XLSX, with `spaces` spaces written at the start of `<sheetData>` in its part
/// `sheet` (like `xl/worksheets/sheet1.xml`). The file stays a valid workbook with the
/// same cells; the whitespace is one text event to an XML reader.
pub fn inflating(base: &[u8], sheet: &str, spaces: u64) -> Vec<u8> {
    let mut archive = ZipArchive::new(Cursor::new(base)).expect("a zip");
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("an entry");
        if entry.name() != sheet {
            out.raw_copy_file(entry).expect("copied");
            continue;
        }
        let mut xml = String::new();
        entry.read_to_string(&mut xml).expect("the sheet's XML");
        let (head, tail) = match xml.find("<sheetData/>") {
            Some(at) => (format!("{}<sheetData>", &xml[..at]), format!("</sheetData>{}", &xml[at + 12..])),
            None => {
                let at = xml.find("<sheetData>").expect("sheetData") + "<sheetData>".len();
                (xml[..at].to_owned(), xml[at..].to_owned())
            }
        };
        out.start_file(sheet, options).expect("started");
        out.write_all(head.as_bytes()).expect("written");
        let chunk = vec![b' '; 1 << 20];
        let mut left = spaces;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            out.write_all(&chunk[..n]).expect("written");
            left -= n as u64;
        }
        out.write_all(tail.as_bytes()).expect("written");
    }
    out.finish().expect("finished").into_inner()
}

/// `zip` with its entry `name` claiming `claimed` bytes uncompressed, in its local header
/// and in its central directory record; its data and checksum are left as they are.
pub fn lying_sizes(zip: &[u8], name: &str, claimed: u32) -> Vec<u8> {
    let (local, central) = {
        let mut archive = ZipArchive::new(Cursor::new(zip)).expect("a zip");
        let entry = archive.by_name(name).expect("the entry");
        (entry.header_start() as usize, entry.central_header_start() as usize)
    };
    let mut out = zip.to_vec();
    assert_eq!(&out[local..local + 4], b"PK\x03\x04");
    assert_eq!(&out[central..central + 4], b"PK\x01\x02");
    // uncompressed size: offset 22 in a local header, 24 in a central one
    out[local + 22..local + 26].copy_from_slice(&claimed.to_le_bytes());
    out[central + 24..central + 28].copy_from_slice(&claimed.to_le_bytes());
    out
}

/// A zip of `n` empty entries, each costing the zip reader a record.
pub fn many_entries(n: usize) -> Vec<u8> {
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for i in 0..n {
        out.start_file(format!("{i}"), options).expect("started");
    }
    out.finish().expect("finished").into_inner()
}
