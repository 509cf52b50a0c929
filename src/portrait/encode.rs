//! Resampling the crop to 480×640 and encoding the JPEG: quality never below 60, the highest
//! quality whose file lands inside the size range found by binary search (file size grows with
//! quality), 300 dpi in the header, and never any padding.

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;
use serde::Serialize;

use super::geometry::Crop;
use crate::domain::photo_spec::{DPI, HEIGHT, MIN_JPEG_QUALITY, SizeRange, WIDTH};

/// Cuts `crop` out of `source` and resamples it to 480×640 with Lanczos3.
pub fn resample(source: &RgbImage, crop: &Crop) -> Option<RgbImage> {
    let mut target = RgbImage::new(WIDTH, HEIGHT);
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .crop(crop.left, crop.top, crop.width, crop.height);
    Resizer::new().resize(source, &mut target, &options).ok()?;
    Some(target)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Encoded {
    #[serde(skip)]
    pub bytes: Vec<u8>,
    pub quality: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum EncodeError {
    #[error("even at quality 60 the file is {bytes} bytes, over the {max} allowed")]
    TooLargeAtMinimumQuality { bytes: usize, max: usize },
    #[error("even at quality 100 the file is {bytes} bytes, under the {min} required")]
    TooSmallAtMaximumQuality { bytes: usize, min: usize },
    #[error("JPEG encoding failed: {0}")]
    Failed(String),
}

/// Encodes with the jpeg-encoder crate (standard IJG quantisation tables scaled by quality, so
/// tools that estimate quality from the tables read it back), several times faster than the
/// image crate's encoder, which matters because the size search encodes up to seven times.
pub fn encode_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, EncodeError> {
    let mut bytes = Vec::with_capacity(48 * 1024);
    let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, quality);
    encoder.set_density(jpeg_encoder::PixelDensity::dpi(DPI));
    let (width, height) = (
        u16::try_from(image.width()).map_err(|_| EncodeError::Failed("too wide".into()))?,
        u16::try_from(image.height()).map_err(|_| EncodeError::Failed("too tall".into()))?,
    );
    encoder
        .encode(image.as_raw(), width, height, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| EncodeError::Failed(e.to_string()))?;
    Ok(bytes)
}

/// The highest quality (≥ 60) whose file fits `range`.
pub fn encode_in_range(image: &RgbImage, range: SizeRange) -> Result<Encoded, EncodeError> {
    let lowest = encode_jpeg(image, MIN_JPEG_QUALITY)?;
    if lowest.len() > range.max_bytes {
        return Err(EncodeError::TooLargeAtMinimumQuality {
            bytes: lowest.len(),
            max: range.max_bytes,
        });
    }
    // Invariant: `best` fits under the maximum; search (best.quality, high] for a higher one.
    let mut best = Encoded {
        bytes: lowest,
        quality: MIN_JPEG_QUALITY,
    };
    let (mut low, mut high) = (MIN_JPEG_QUALITY + 1, 100u8);
    while low <= high {
        let quality = low + (high - low) / 2;
        let bytes = encode_jpeg(image, quality)?;
        if bytes.len() <= range.max_bytes {
            best = Encoded { bytes, quality };
            low = quality + 1;
        } else {
            high = quality - 1;
        }
    }
    if best.bytes.len() < range.min_bytes {
        return Err(EncodeError::TooSmallAtMaximumQuality {
            bytes: best.bytes.len(),
            min: range.min_bytes,
        });
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Detail somewhere between a flat backdrop and noise, like a portrait.
    fn textured() -> RgbImage {
        RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
            let (fx, fy) = (x as f32, y as f32);
            let v = 128.0
                + 50.0 * (fx / 6.0).sin() * (fy / 9.0).cos()
                + 30.0 * ((fx + fy) / 23.0).sin();
            let v = v.clamp(0.0, 255.0) as u8;
            image::Rgb([v, v / 2 + 60, 255 - v])
        })
    }

    #[test]
    fn picks_the_highest_quality_that_fits_and_embeds_300_dpi() {
        let image = textured();
        let range = SizeRange {
            min_bytes: 20 * 1024,
            max_bytes: 60 * 1024,
        };
        let encoded = encode_in_range(&image, range).unwrap();
        assert!(range.contains(encoded.bytes.len()));
        assert!(encoded.quality >= MIN_JPEG_QUALITY);
        if encoded.quality < 100 {
            assert!(encode_jpeg(&image, encoded.quality + 1).unwrap().len() > range.max_bytes);
        }
        // JFIF APP0: units 1 (dpi), density 300×300.
        let jfif = encoded
            .bytes
            .windows(5)
            .position(|w| w == b"JFIF\0")
            .unwrap();
        assert_eq!(encoded.bytes[jfif + 7], 1);
        assert_eq!(&encoded.bytes[jfif + 8..jfif + 12], &[1, 44, 1, 44]);
        let decoded = image::load_from_memory(&encoded.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (WIDTH, HEIGHT));
    }

    #[test]
    fn impossible_ranges_say_so_instead_of_breaking_the_rules() {
        let image = textured();
        let tiny = SizeRange {
            min_bytes: 0,
            max_bytes: 1024,
        };
        assert!(matches!(
            encode_in_range(&image, tiny),
            Err(EncodeError::TooLargeAtMinimumQuality { .. })
        ));
        let flat = RgbImage::from_pixel(WIDTH, HEIGHT, image::Rgb([100, 197, 255]));
        assert!(matches!(
            encode_in_range(&flat, SizeRange::default()),
            Err(EncodeError::TooSmallAtMaximumQuality { .. })
        ));
    }
}
