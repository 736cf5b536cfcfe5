use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

use super::*;

/// A private marker hidden in metadata; it must never survive processing.
const SECRET: &[u8] = b"GPS 31.2235N 121.4455E";

/// A `width`×`height` JPEG, left half red, right half blue.
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image =
        RgbImage::from_fn(width, height, |x, _| if x < width / 2 { Rgb([220, 0, 0]) } else { Rgb([0, 0, 220]) });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 95).encode_image(&image).unwrap();
    out
}

/// An APP1 EXIF segment: orientation `orientation` and an image description holding SECRET.
fn exif_segment(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08"); // big-endian, IFD0 at 8
    tiff.extend_from_slice(&2u16.to_be_bytes()); // two entries
    // ImageDescription (0x010E), ASCII, count, offset to the text after the IFD
    let text_offset = 8 + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&0x010Eu16.to_be_bytes());
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&(SECRET.len() as u32 + 1).to_be_bytes());
    tiff.extend_from_slice(&(text_offset as u32).to_be_bytes());
    // Orientation (0x0112), SHORT, 1, value
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    tiff.extend_from_slice(SECRET);
    tiff.push(0);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);
    segment
}

/// A JPEG with the EXIF segment right after its start marker.
fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let plain = jpeg(width, height);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&exif_segment(orientation));
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png(image: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(image.as_raw(), image.width(), image.height(), ExtendedColorType::Rgba8)
        .unwrap();
    out
}

/// A PNG chunk with its length and checksum.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

#[test]
fn the_content_decides_not_the_name() {
    assert_eq!(PhotoFormat::sniff(&jpeg(4, 4)), Some(PhotoFormat::Jpeg));
    assert_eq!(PhotoFormat::sniff(&png(&RgbaImage::new(2, 2))), Some(PhotoFormat::Png));
    assert_eq!(PhotoFormat::sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(PhotoFormat::WebP));
    assert_eq!(PhotoFormat::sniff(b"RIFF\x10\0\0\0WAVEfmt "), None, "a WAV file is RIFF too");
    assert_eq!(PhotoFormat::sniff(b"GIF89a"), None);
    // an HTML page named photo.jpg
    assert_eq!(process(b"<html><script>alert(1)</script></html>").unwrap_err(), PhotoError::NotAPhoto);
    assert_eq!(process(b"").unwrap_err(), PhotoError::Empty);
}

#[test]
fn exif_and_gps_are_gone_and_the_photo_stands_upright() {
    let upload = jpeg_with_exif(40, 20, 6); // 6: rotate 90° clockwise to view
    assert!(contains(&upload, SECRET) && contains(&upload, b"Exif"));
    let kept = process(&upload).unwrap();
    assert_eq!(kept.content_type, "image/jpeg");
    assert_eq!((kept.width, kept.height), (20, 40), "turned upright by its orientation");
    for bytes in [&kept.bytes, &kept.thumb] {
        assert!(!contains(bytes, SECRET), "the GPS text survived");
        assert!(!contains(bytes, b"Exif"), "an EXIF segment survived");
        assert_eq!(PhotoFormat::sniff(bytes), Some(PhotoFormat::Jpeg));
    }
    // after a 90° clockwise turn the red (left) half is on top
    let upright = image::load_from_memory(&kept.bytes).unwrap().to_rgb8();
    let (top, bottom) = (upright.get_pixel(10, 5).0, upright.get_pixel(10, 35).0);
    assert!(top[0] > 150 && top[2] < 80, "top is red: {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 80, "bottom is blue: {bottom:?}");
}

#[test]
fn a_png_stays_png_without_its_text_chunks() {
    let image = RgbaImage::from_fn(30, 10, |x, _| Rgba([0, 128, 0, if x < 15 { 255 } else { 0 }]));
    let plain = png(&image);
    // insert a tEXt chunk after IHDR (8 bytes signature + 25 bytes IHDR chunk)
    let mut upload = plain[..33].to_vec();
    upload.extend_from_slice(&chunk(b"tEXt", &[b"Comment\0".as_slice(), SECRET].concat()));
    upload.extend_from_slice(&plain[33..]);
    assert!(contains(&upload, SECRET));
    let kept = process(&upload).unwrap();
    assert_eq!((kept.content_type, kept.extension()), ("image/png", "png"));
    assert!(!contains(&kept.bytes, SECRET) && !contains(&kept.thumb, SECRET));
    let decoded = image::load_from_memory(&kept.bytes).unwrap().to_rgba8();
    assert_eq!(decoded.get_pixel(25, 5).0[3], 0, "transparency is kept in the PNG");
    // the thumbnail is a JPEG on white
    let thumb = image::load_from_memory(&kept.thumb).unwrap().to_rgb8();
    assert!(thumb.get_pixel(thumb.width() - 1, 0).0.iter().all(|c| *c > 240), "transparent parts turn white");
}

#[test]
fn webp_becomes_jpeg() {
    let image = RgbaImage::from_pixel(16, 12, Rgba([10, 20, 200, 255]));
    let mut upload = Vec::new();
    WebPEncoder::new_lossless(&mut upload).encode(image.as_raw(), 16, 12, ExtendedColorType::Rgba8).unwrap();
    let kept = process(&upload).unwrap();
    assert_eq!(
        (kept.uploaded_as, kept.content_type, kept.width, kept.height),
        (PhotoFormat::WebP, "image/jpeg", 16, 12)
    );
}

#[test]
fn big_photos_are_scaled_and_thumbnailed() {
    let kept = process(&jpeg(3000, 1000)).unwrap();
    assert_eq!((kept.width, kept.height), (2560, 853));
    let thumb = image::load_from_memory(&kept.thumb).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 107));
    let small = process(&jpeg(64, 48)).unwrap();
    assert_eq!((small.width, small.height), (64, 48), "small photos keep their size");
}

#[test]
fn oversize_broken_and_bomb_uploads_are_refused() {
    let mut big = jpeg(8, 8);
    big.resize(MAX_BYTES + 1, 0);
    assert_eq!(process(&big).unwrap_err(), PhotoError::TooLarge { bytes: MAX_BYTES + 1 });

    let truncated = &jpeg(64, 64)[..40];
    assert!(matches!(process(truncated).unwrap_err(), PhotoError::Incomplete(_)));

    // a tiny PNG claiming to be 50,000 × 50,000 pixels
    let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = 50_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&50_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    bomb.extend_from_slice(&chunk(b"IHDR", &ihdr));
    bomb.extend_from_slice(&chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    bomb.extend_from_slice(&chunk(b"IEND", &[]));
    assert_eq!(process(&bomb).unwrap_err(), PhotoError::TooManyPixels { width: 50_000, height: 50_000 });
}

/// The corpus beside this module: libjpeg's output, whole and cut.
const PROGRESSIVE: &[u8] = include_bytes!("photo/corpus/progressive.jpg");
const RESTARTS: &[u8] = include_bytes!("photo/corpus/restarts.jpg");
const CUT_IN_HALF: &[u8] = include_bytes!("photo/corpus/cut-in-half.jpg");

fn incomplete(upload: &[u8]) -> bool {
    matches!(process(upload), Err(PhotoError::Incomplete(_)))
}

#[test]
fn jpegs_cut_short_are_refused_whole_ones_kept() {
    for whole in [PROGRESSIVE, RESTARTS] {
        let kept = process(whole).unwrap();
        assert_eq!((kept.width, kept.height), (96, 64));
    }
    assert!(incomplete(CUT_IN_HALF), "{:?}", process(CUT_IN_HALF).map(|p| p.width));
    let ours = jpeg(64, 64);
    for whole in [ours.as_slice(), PROGRESSIVE, RESTARTS] {
        for cut in [whole.len() / 3, whole.len() / 2, whole.len() - 40, whole.len() - 2] {
            assert!(incomplete(&whole[..cut]), "cut at {cut} of {}", whole.len());
        }
    }
    // An end marker stuck onto the cut: the structure ends, the image data does not, and
    // the strict decoder runs out of it. (zune-jpeg notices this only in a plain baseline
    // scan, not in a progressive one or one with restart markers; a transfer cut short
    // never adds the marker, and the walk above catches that.)
    let mut patched = ours[..ours.len() / 2].to_vec();
    patched.extend_from_slice(&[0xFF, 0xD9]);
    assert!(incomplete(&patched));
    // bytes after the end are allowed: some phones append their own
    let mut trailing = ours.clone();
    trailing.extend_from_slice(b"\0\0trailer");
    assert!(process(&trailing).is_ok());
    assert!(PhotoError::Incomplete("x".into()).to_string().contains(INCOMPLETE));
}

#[test]
fn pngs_and_webps_cut_short_are_refused() {
    let image = RgbaImage::from_fn(40, 30, |x, y| Rgba([x as u8 * 6, y as u8 * 8, 100, 255]));
    let whole = png(&image);
    assert!(process(&whole).is_ok());
    assert!(incomplete(&whole[..whole.len() / 2]), "cut inside IDAT");
    assert!(incomplete(&whole[..whole.len() - 12]), "no IEND");
    // the image data cut, then closed with a proper IEND: the decoder finds rows missing
    let idat_start = 8 + 25;
    let idat_len = u32::from_be_bytes(whole[idat_start..idat_start + 4].try_into().unwrap()) as usize;
    let data = &whole[idat_start + 8..idat_start + 8 + idat_len];
    let mut closed = whole[..idat_start].to_vec();
    closed.extend_from_slice(&chunk(b"IDAT", &data[..data.len() / 2]));
    closed.extend_from_slice(&chunk(b"IEND", &[]));
    assert!(incomplete(&closed), "{:?}", process(&closed).map(|p| p.width));

    let mut webp = Vec::new();
    WebPEncoder::new_lossless(&mut webp).encode(image.as_raw(), 40, 30, ExtendedColorType::Rgba8).unwrap();
    assert!(process(&webp).is_ok());
    assert!(incomplete(&webp[..webp.len() / 2]));
    assert!(incomplete(&webp[..webp.len() - 1]));
}
