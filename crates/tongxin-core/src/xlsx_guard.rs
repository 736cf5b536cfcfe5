//! The guard every XLSX passes before a workbook reader opens it.
//!
//! An XLSX is a zip of XML parts. calamine reads a part through quick-xml, and whitespace
//! inside `<sheetData>` becomes one text event, held whole in memory: a 1 MB upload whose
//! sheet inflates to 1 GB takes 1 GB of memory before a single cell is read. A streaming
//! reader would not help. So [`check`] first inflates every entry of the zip into nothing
//! and counts the bytes that come out. The sizes in the zip's headers are never trusted (a
//! file can claim a small size and inflate to a large one); the counting stops as soon as
//! a limit is passed, so the check itself holds one buffer at a time, whatever the file.
//!
//! The limits, for the whole file and for each entry: at most [`MAX_INFLATED`] inflated;
//! at most [`MAX_RATIO`]:1 between inflated and compressed bytes once more than
//! [`RATIO_FROM`] has come out (a small part compresses very well and harms nobody); at
//! most [`MAX_ENTRIES`] entries (each costs the zip reader memory before anything is
//! inflated). A real ledger of 100,000 rows inflates to about 40 MB, at 10:1.
//!
//! Every caller that opens an XLSX calls [`check`] first, on the same bytes it then
//! hands to the reader. It is a plain function over bytes, CPU-bound: run it off async
//! threads.

use std::io::{self, Cursor, Read};

/// The most a file may inflate to, all its entries together: 200 MB.
pub const MAX_INFLATED: u64 = 200 * 1024 * 1024;
/// The highest compression ratio taken, inflated to compressed, past [`RATIO_FROM`].
pub const MAX_RATIO: u64 = 100;
/// Inflated bytes below which the ratio is not looked at: 10 MB.
pub const RATIO_FROM: u64 = 10 * 1024 * 1024;
/// The most entries a file may hold (a workbook has a few dozen).
pub const MAX_ENTRIES: usize = 10_000;

/// Why a file was refused. The words (in Chinese, for the staff who upload ledgers) name
/// the limit passed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Not a zip, or a damaged one: no workbook reader could open it either.
    #[error("文件已损坏，或不是 Excel 工作簿；请在 Excel 中打开后另存为 .xlsx 再导入")]
    Damaged,
    #[error("文件中的部件超过 {MAX_ENTRIES} 个的上限，不是正常的 Excel 工作簿")]
    TooManyEntries,
    #[error("文件解压后超过 {} MB 的上限；请检查文件内容，或分成几个文件导入", MAX_INFLATED >> 20)]
    TooLarge,
    #[error(
        "文件的压缩比超过 {MAX_RATIO}:1 的上限（解压后的内容大多是空白或重复），不是正常的台账；请在 Excel 中打开后另存为 .xlsx 再导入"
    )]
    TooCompressed,
}

impl Refused {
    /// Whether a limit was passed (as opposed to a file that is simply unreadable).
    pub fn is_limit(&self) -> bool {
        !matches!(self, Refused::Damaged)
    }

    /// The same in English, for the API's messages.
    pub fn english(&self) -> String {
        match self {
            Refused::Damaged => "the file is not an XLSX workbook, or it is damaged".into(),
            Refused::TooManyEntries => format!("the file holds more than {MAX_ENTRIES} parts"),
            Refused::TooLarge => format!("the file inflates to more than {} MB", MAX_INFLATED >> 20),
            Refused::TooCompressed => {
                format!("the file inflates more than {MAX_RATIO}:1 (past {} MB)", RATIO_FROM >> 20)
            }
        }
    }
}

/// What a file that passed inflates to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inflated {
    pub entries: usize,
    pub bytes: u64,
}

/// Inflates every entry of the zip in `bytes` into nothing, counting, and refuses the
/// file at the first limit passed.
pub fn check(bytes: &[u8]) -> Result<Inflated, Refused> {
    // The zip reader keeps a record per central directory entry, and reserves room for
    // as many as the end record claims: count the entries it could find first.
    if central_headers(bytes) > MAX_ENTRIES {
        return Err(Refused::TooManyEntries);
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Refused::Damaged)?;
    if archive.len() > MAX_ENTRIES {
        return Err(Refused::TooManyEntries);
    }
    let file_len = bytes.len() as u64;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(entry) => entry,
            // A method this build cannot inflate (bzip2, LZMA …) cannot be inflated by
            // the workbook reader either, which uses the same zip crate: harmless.
            Err(zip::result::ZipError::UnsupportedArchive(_)) => continue,
            Err(_) => return Err(Refused::Damaged),
        };
        // The compressed size is the header's claim too; it cannot be more than the file.
        let compressed = entry.compressed_size().min(file_len).max(1);
        let by_ratio = RATIO_FROM.max(compressed.saturating_mul(MAX_RATIO));
        let allowed = by_ratio.min(MAX_INFLATED - total);
        let inflated = count(&mut entry, allowed)?;
        if inflated > allowed {
            return Err(if total + inflated > MAX_INFLATED { Refused::TooLarge } else { Refused::TooCompressed });
        }
        total += inflated;
        if total > RATIO_FROM && total > file_len.saturating_mul(MAX_RATIO) {
            return Err(Refused::TooCompressed);
        }
    }
    Ok(Inflated { entries: archive.len(), bytes: total })
}

/// The bytes `entry` inflates to, counted up to one past `allowed`.
fn count(entry: &mut impl Read, allowed: u64) -> Result<u64, Refused> {
    io::copy(&mut entry.take(allowed + 1), &mut io::sink()).map_err(|_| Refused::Damaged)
}

/// How many central directory headers (`PK\x01\x02`) the file holds: at most as many
/// entries as the zip reader can parse.
fn central_headers(bytes: &[u8]) -> usize {
    const SIGNATURE: &[u8; 4] = b"PK\x01\x02";
    bytes.windows(4).filter(|w| w == SIGNATURE).count()
}

#[cfg(any(test, feature = "testing"))]
pub mod hostile;

#[cfg(test)]
#[path = "xlsx_guard_tests.rs"]
mod tests;
