//! Turning file bytes into pixels safely: the format is sniffed from the content (files often
//! carry the wrong extension), and declared dimensions are checked before any pixel buffer is
//! allocated, so a decompression bomb is refused instead of exhausting memory.

use std::io::Cursor;

use image::{DynamicImage, GrayImage, ImageDecoder, ImageReader, Limits, RgbImage};

/// Largest side accepted from a still: well above any camera, far below a bomb.
pub const MAX_SIDE: u32 = 12_000;
const MAX_ALLOC_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ImageInputError {
    #[error("not an image this app can read (PNG, JPEG, GIF or WebP)")]
    UnknownFormat,
    #[error("image is {width}×{height}, larger than the {MAX_SIDE}×{MAX_SIDE} accepted")]
    TooLarge { width: u32, height: u32 },
    #[error("the image file is damaged or truncated: {0}")]
    Damaged(String),
}

/// Decodes `bytes` to 8-bit grey, refusing unknown formats and oversized images.
pub fn decode_gray(bytes: &[u8]) -> Result<GrayImage, ImageInputError> {
    decode_checked(bytes).map(DynamicImage::into_luma8)
}

/// Decodes `bytes` to 8-bit RGB, with the same checks.
pub fn decode_rgb(bytes: &[u8]) -> Result<RgbImage, ImageInputError> {
    decode_checked(bytes).map(DynamicImage::into_rgb8)
}

/// A complete JPEG has an end-of-image marker after its last scan.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last_scan = bytes
        .windows(2)
        .rposition(|w| w == [0xFF, 0xDA])
        .unwrap_or(0);
    bytes[last_scan..].windows(2).any(|w| w == [0xFF, 0xD9])
}

fn decode_checked(bytes: &[u8]) -> Result<DynamicImage, ImageInputError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageInputError::Damaged(e.to_string()))?;
    match reader.format() {
        None => return Err(ImageInputError::UnknownFormat),
        Some(image::ImageFormat::Jpeg) if !jpeg_is_complete(bytes) => {
            // The JPEG decoder fills a cut-off file with grey rather than failing.
            return Err(ImageInputError::Damaged(
                "the JPEG is truncated (no end-of-image marker)".to_string(),
            ));
        }
        Some(_) => {}
    }
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| ImageInputError::Damaged(e.to_string()))?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ImageInputError::TooLarge { width, height });
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageInputError::Damaged(e.to_string()))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC_BYTES);
    reader.limits(limits);
    let damaged = |e: image::ImageError| ImageInputError::Damaged(e.to_string());
    let mut decoder = reader.into_decoder().map_err(damaged)?;
    // Phones and cameras store stills sideways and say so in EXIF; a portrait must be upright.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(damaged)?;
    image.apply_orientation(orientation);
    Ok(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_bytes(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        GrayImage::new(width, height)
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn reads_by_content_not_name() {
        let gray = decode_gray(&png_bytes(3, 2)).unwrap();
        assert_eq!(gray.dimensions(), (3, 2));
    }

    #[test]
    fn exif_orientation_is_honoured() {
        // A 40×20 JPEG whose EXIF says "rotate 90° clockwise to view" (orientation 6).
        let exif: Vec<u8> = [
            &b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01"[..],
            &[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06, 0, 0],
            &[0, 0, 0, 0],
        ]
        .concat();
        let pixels = RgbImage::new(40, 20);
        let mut bytes = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, 90);
        encoder.add_app_segment(1, exif).unwrap();
        encoder
            .encode(pixels.as_raw(), 40, 20, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        assert_eq!(decode_rgb(&bytes).unwrap().dimensions(), (20, 40));
    }

    #[test]
    fn refuses_garbage_truncation_and_bombs() {
        assert!(matches!(
            decode_gray(b"hello"),
            Err(ImageInputError::UnknownFormat)
        ));
        let bytes = png_bytes(64, 64);
        assert!(matches!(
            decode_gray(&bytes[..bytes.len() / 2]),
            Err(ImageInputError::Damaged(_))
        ));
        // A PNG header that declares 20000×20000: refused from the header alone.
        let mut bomb = png_bytes(1, 1);
        bomb[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let crc = crc32fast::hash(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(
            decode_gray(&bomb),
            Err(ImageInputError::TooLarge {
                width: 20_000,
                height: 20_000
            })
        ));
    }
}
