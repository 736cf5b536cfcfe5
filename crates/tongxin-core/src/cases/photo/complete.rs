//! Whether an upload runs to its format's end: a JPEG to the EOI marker after its last
//! scan, a PNG to its IEND chunk, a WebP to the length its RIFF header gives.
//!
//! A photo cut short in transit keeps a good header, so it opens, and lenient decoders
//! paint the missing part grey. Walking the file's structure finds the missing end without
//! decoding a pixel. Bytes after the end (some phones append their own data) are allowed.

use super::PhotoFormat;

/// `Ok` when the file reaches its end marker; otherwise what is missing.
pub(super) fn runs_to_its_end(format: PhotoFormat, bytes: &[u8]) -> Result<(), &'static str> {
    match format {
        PhotoFormat::Jpeg => jpeg(bytes),
        PhotoFormat::Png => png(bytes),
        PhotoFormat::WebP => webp(bytes),
    }
}

const CUT: &str = "the file ends before its image data does";

/// Walks the JPEG's segments by their lengths, and each scan's entropy-coded data to the
/// marker after it, until EOI. Segments are skipped whole, so a thumbnail inside the EXIF
/// segment, with its own EOI, is not taken for the end.
fn jpeg(bytes: &[u8]) -> Result<(), &'static str> {
    let mut at = 2; // after SOI
    loop {
        // Fill bytes (0xFF) may precede a marker; other stray bytes are the strict
        // decoder's to judge.
        let marker_at = next_marker(bytes, at).ok_or(CUT)?;
        let marker = bytes[marker_at + 1];
        at = marker_at + 2;
        match marker {
            0xD9 => return Ok(()),
            // TEM and the restart markers stand alone.
            0x01 | 0xD0..=0xD7 => {}
            _ => {
                let length = bytes.get(at..at + 2).ok_or(CUT)?;
                at += usize::from(u16::from_be_bytes([length[0], length[1]]));
                if at > bytes.len() {
                    return Err(CUT);
                }
                if marker == 0xDA {
                    // Entropy-coded data: a 0xFF in it is followed by 0x00 (a stuffed
                    // byte) or a restart marker; anything else ends the scan.
                    at = end_of_scan(bytes, at).ok_or(CUT)?;
                }
            }
        }
    }
}

/// The position of the next `0xFF xx` marker at or after `from`, past fill bytes.
fn next_marker(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        at += bytes.get(at..)?.iter().position(|b| *b == 0xFF)?;
        match *bytes.get(at + 1)? {
            0xFF => at += 1,
            0x00 => at += 2,
            _ => return Some(at),
        }
    }
}

/// The position of the marker that ends the scan whose data starts at `from`.
fn end_of_scan(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let marker = next_marker(bytes, at)?;
        match bytes[marker + 1] {
            0xD0..=0xD7 => at = marker + 2,
            _ => return Some(marker),
        }
    }
}

/// Walks the PNG's chunks by their lengths until IEND.
fn png(bytes: &[u8]) -> Result<(), &'static str> {
    let mut at = 8; // after the signature
    loop {
        let head = bytes.get(at..at + 8).ok_or(CUT)?;
        let length = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = &head[4..8];
        // the chunk's data and its checksum
        at = at.checked_add(8 + length + 4).ok_or(CUT)?;
        if at > bytes.len() {
            return Err(CUT);
        }
        if kind == b"IEND" {
            return Ok(());
        }
    }
}

/// A WebP is one RIFF chunk; its header gives the length of the rest.
fn webp(bytes: &[u8]) -> Result<(), &'static str> {
    let length = bytes.get(4..8).ok_or(CUT)?;
    let length = u32::from_le_bytes([length[0], length[1], length[2], length[3]]) as usize;
    if bytes.len() < length.saturating_add(8) { Err(CUT) } else { Ok(()) }
}
