//! Photos of a case: what is accepted and what is kept.
//!
//! An upload is accepted when its first bytes say JPEG, PNG or WebP (the file's name and
//! declared type are ignored) and it is at most [`MAX_BYTES`]. It must be whole: it runs to
//! its format's end (see [`complete`]) and every pixel decodes, a JPEG in the decoder's
//! strict mode. Lenient decoders, like browsers, paint what a file cut short lacks in grey;
//! such a photo is refused ([`PhotoError::Incomplete`]), never kept. It is decoded under
//! [`limits`] (so a small file cannot expand into gigabytes), turned upright by its EXIF
//! orientation, scaled down to [`MAX_SIDE`], and encoded again: a PNG as PNG, anything
//! else as JPEG. Re-encoding writes pixels only, so EXIF (camera, time, GPS position) and
//! every other piece of metadata are gone. A [`THUMB_SIDE`] JPEG thumbnail is made too.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageBuffer, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, RgbImage};
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;

mod complete;

/// The largest upload accepted: 10 MB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The longest side of a kept photo, in pixels.
pub const MAX_SIDE: u32 = 2560;
/// The longest side of a thumbnail.
pub const THUMB_SIDE: u32 = 320;
/// The most photos one report or step carries.
pub const MAX_PER_STEP: usize = 6;
const JPEG_QUALITY: u8 = 85;

/// The formats accepted, by their magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoFormat {
    Jpeg,
    Png,
    WebP,
}

impl PhotoFormat {
    /// The format the first bytes announce, if it is one of ours.
    pub fn sniff(bytes: &[u8]) -> Option<PhotoFormat> {
        match bytes {
            [0xFF, 0xD8, 0xFF, ..] => Some(PhotoFormat::Jpeg),
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(PhotoFormat::Png),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(PhotoFormat::WebP),
            _ => None,
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            PhotoFormat::Jpeg => ImageFormat::Jpeg,
            PhotoFormat::Png => ImageFormat::Png,
            PhotoFormat::WebP => ImageFormat::WebP,
        }
    }
}

/// Why an upload was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the photo is empty")]
    Empty,
    #[error("the photo is {bytes} bytes; at most 10 MB is accepted")]
    TooLarge { bytes: usize },
    #[error("the file is not a JPEG, PNG or WebP image (its content is checked, not its name)")]
    NotAPhoto,
    #[error("the image is {width}×{height} pixels; at most 50 megapixels are accepted")]
    TooManyPixels { width: u32, height: u32 },
    #[error("the image cannot be read: {0}")]
    Unreadable(String),
    /// The file ends early or its image data is damaged: only part of it would decode.
    #[error("the image is incomplete or damaged ({INCOMPLETE}): {0}")]
    Incomplete(String),
}

/// The words for [`PhotoError::Incomplete`], in every message that reports it; pages look
/// for them to explain the refusal in the reader's language.
pub const INCOMPLETE: &str = "照片不完整或已损坏";

/// The most pixels decoded (a 50-megapixel camera).
pub const MAX_PIXELS: u64 = 50_000_000;

/// Decoding limits: memory for the pixels and the work around them.
fn limits() -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    limits
}

/// A photo ready to keep: the re-encoded image and its thumbnail.
#[derive(Debug, Clone)]
pub struct Processed {
    pub bytes: Vec<u8>,
    /// `image/jpeg` or `image/png`.
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
    pub thumb: Vec<u8>,
    /// The format that was uploaded.
    pub uploaded_as: PhotoFormat,
}

impl Processed {
    /// The file extension of the kept photo.
    pub fn extension(&self) -> &'static str {
        if self.content_type == "image/png" { "png" } else { "jpg" }
    }
}

/// Checks, decodes and re-encodes an upload. CPU-bound: run it off the async threads.
pub fn process(upload: &[u8]) -> Result<Processed, PhotoError> {
    if upload.is_empty() {
        return Err(PhotoError::Empty);
    }
    if upload.len() > MAX_BYTES {
        return Err(PhotoError::TooLarge { bytes: upload.len() });
    }
    let format = PhotoFormat::sniff(upload).ok_or(PhotoError::NotAPhoto)?;
    complete::runs_to_its_end(format, upload).map_err(|e| PhotoError::Incomplete(e.into()))?;
    let mut reader = ImageReader::with_format(Cursor::new(upload), format.image_format());
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = if format == PhotoFormat::Jpeg {
        drop(decoder);
        decode_jpeg_strictly(upload)?
    } else {
        DynamicImage::from_decoder(decoder).map_err(unreadable)?
    };
    image.apply_orientation(orientation);
    if image.width() > MAX_SIDE || image.height() > MAX_SIDE {
        image = image.resize(MAX_SIDE, MAX_SIDE, FilterType::Lanczos3);
    }
    let (bytes, content_type) = if format == PhotoFormat::Png {
        (encode_png(&image)?, "image/png")
    } else {
        (encode_jpeg(&flatten(&image))?, "image/jpeg")
    };
    let thumb = encode_jpeg(&flatten(&image.thumbnail(THUMB_SIDE, THUMB_SIDE)))?;
    Ok(Processed { bytes, content_type, width: image.width(), height: image.height(), thumb, uploaded_as: format })
}

fn unreadable(e: image::ImageError) -> PhotoError {
    match e {
        image::ImageError::Limits(_) => PhotoError::Unreadable("it needs more memory to decode than is allowed".into()),
        // The format was recognised, so data that breaks it is a damaged or cut-off file.
        image::ImageError::Decoding(_) | image::ImageError::IoError(_) => PhotoError::Incomplete(e.to_string()),
        other => PhotoError::Unreadable(other.to_string()),
    }
}

/// Decodes a JPEG in zune-jpeg's strict mode. `image` runs the same decoder leniently: at
/// an early end of data or a broken entropy stream it stops and fills the rest with grey,
/// and reports success. Strict mode makes both an error.
fn decode_jpeg_strictly(upload: &[u8]) -> Result<DynamicImage, PhotoError> {
    let broken = |e: zune_jpeg::errors::DecodeErrors| PhotoError::Incomplete(e.to_string());
    // The pixel count is already checked; the decoder's own size limit would refuse
    // panoramas that are within it.
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX));
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(upload), options);
    decoder.decode_headers().map_err(broken)?;
    let (Some((width, height)), Some(input)) = (decoder.dimensions(), decoder.input_colorspace()) else {
        return Err(PhotoError::Incomplete("the headers name no size".into()));
    };
    // As `image` does: grey and colour stay as they are, anything else (CMYK, YCCK) is RGB.
    let output = match input {
        ColorSpace::Luma | ColorSpace::LumaA | ColorSpace::RGB | ColorSpace::RGBA => input,
        _ => ColorSpace::RGB,
    };
    decoder.set_options(decoder.options().jpeg_set_out_colorspace(output));
    let pixels = decoder.decode().map_err(broken)?;
    let (width, height) = (width as u32, height as u32);
    let image = match output {
        ColorSpace::Luma => ImageBuffer::from_raw(width, height, pixels).map(DynamicImage::ImageLuma8),
        ColorSpace::LumaA => ImageBuffer::from_raw(width, height, pixels).map(DynamicImage::ImageLumaA8),
        ColorSpace::RGBA => ImageBuffer::from_raw(width, height, pixels).map(DynamicImage::ImageRgba8),
        _ => ImageBuffer::from_raw(width, height, pixels).map(DynamicImage::ImageRgb8),
    };
    image.ok_or_else(|| PhotoError::Incomplete("fewer pixels than its size needs".into()))
}

/// The image on a white background, without transparency.
fn flatten(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    })
}

fn encode_jpeg(image: &RgbImage) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(image)
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    Ok(out)
}

fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, PhotoError> {
    let image = if image.color().has_alpha() { DynamicImage::from(image.to_rgba8()) } else { image.to_rgb8().into() };
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(image.as_bytes(), image.width(), image.height(), image.color().into())
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
#[path = "photo_tests.rs"]
mod tests;
