//! Resampling the crop to 480×640 and encoding the JPEG: quality never below 60, the highest
//! quality whose file lands inside the size range found by binary search (file size grows with
//! quality), 300 dpi in the header, and never any padding.

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;
use serde::Serialize;

use super::geometry::Crop;
use super::level::{FrameArea, levelled_region};
use crate::domain::photo_spec::{DPI, HEIGHT, MIN_JPEG_QUALITY, SizeRange, WIDTH};

/// Cuts `crop` out of `source` and resamples it to 480×640 with Lanczos3. A turned crop is
/// first cut out level at the source's scale (bilinear), then resampled; `None` when any of
/// its corners would fall off the frame, which would mean padding.
pub fn resample(source: &RgbImage, crop: &Crop) -> Option<RgbImage> {
    let mut target = RgbImage::new(WIDTH, HEIGHT);
    let resize = |from: &RgbImage, left: f64, top: f64, target: &mut RgbImage| {
        let options = ResizeOptions::new()
            .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
            .crop(left, top, crop.width, crop.height);
        Resizer::new().resize(from, target, &options).ok()
    };
    if !crop.level.is_turned() {
        resize(source, crop.left, crop.top, &mut target)?;
        return Some(target);
    }
    let (width, height) = source.dimensions();
    if !FrameArea::new(width, height, crop.level).holds(
        crop.left,
        crop.top,
        crop.width,
        crop.height,
    ) {
        return None;
    }
    let (left, top) = (crop.left.floor(), crop.top.floor());
    let region_size = (
        ((crop.left + crop.width).ceil() - left) as u32,
        ((crop.top + crop.height).ceil() - top) as u32,
    );
    let region = levelled_region(source, &crop.level, (left as i64, top as i64), region_size);
    resize(&region, crop.left - left, crop.top - top, &mut target)?;
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
/// image crate's encoder, which matters because the size search encodes several times. Its
/// AVX2 path is chosen at run time where the processor has it.
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
///
/// File size grows with quality, so the answer is found by narrowing a bracket: the highest
/// quality known to fit and the lowest known not to. The next quality to try is predicted, not
/// halved: JPEG size follows a power of the IJG table scale (200 − 2·quality), so a straight
/// line through the two bracket ends in log–log space lands close to the answer. That takes
/// about four encodes where a binary search took seven, and the high qualities it avoids are the
/// slow ones. The answer is exactly the binary search's.
pub fn encode_in_range(image: &RgbImage, range: SizeRange) -> Result<Encoded, EncodeError> {
    let lowest = encode_jpeg(image, MIN_JPEG_QUALITY)?;
    if lowest.len() > range.max_bytes {
        return Err(EncodeError::TooLargeAtMinimumQuality {
            bytes: lowest.len(),
            max: range.max_bytes,
        });
    }
    // Invariants: `best` fits; `too_big` (quality, size) does not, nor does anything above it;
    // the answer lies in [best.quality, too_big.0).
    let mut best = Encoded {
        bytes: lowest,
        quality: MIN_JPEG_QUALITY,
    };
    let mut too_big: Option<(u8, usize)> = None;
    loop {
        let high = too_big.map_or(101, |(quality, _)| quality);
        if high <= best.quality + 1 {
            break;
        }
        let low = best.quality;
        let predicted = predict_quality(
            (low, best.bytes.len()),
            too_big.filter(|(quality, _)| *quality <= 100),
            range.max_bytes,
        );
        // Kept strictly inside the bracket, so that every try narrows it.
        let quality = predicted.clamp(low + 1, high - 1);
        let bytes = encode_jpeg(image, quality)?;
        if bytes.len() <= range.max_bytes {
            best = Encoded { bytes, quality };
        } else {
            too_big = Some((quality, bytes.len()));
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

/// The IJG quality scale as a multiplier of the base tables (never zero: quality 100 is 1).
fn table_scale(quality: u8) -> f64 {
    (200.0 - 2.0 * quality as f64).max(1.0)
}

/// The quality whose size should be `target`, from a fitting point and, when known, a point
/// over the limit; without one, from a typical slope (size ∝ scale^−0.66 on portraits).
fn predict_quality(fits: (u8, usize), over: Option<(u8, usize)>, target: usize) -> u8 {
    const TYPICAL_EXPONENT: f64 = -0.66;
    let ln_scale = |quality: u8| table_scale(quality).ln();
    let (fit_scale, fit_size) = (ln_scale(fits.0), (fits.1.max(1) as f64).ln());
    let slope = match over {
        Some((quality, size)) if ln_scale(quality) < fit_scale => {
            ((size.max(1) as f64).ln() - fit_size) / (ln_scale(quality) - fit_scale)
        }
        _ => TYPICAL_EXPONENT,
    };
    let slope = if slope < -0.05 {
        slope
    } else {
        TYPICAL_EXPONENT
    };
    let scale = (fit_scale + ((target as f64).ln() - fit_size) / slope).exp();
    // Rounded toward the fitting side: the next try then usually fits, and the one after it
    // confirms the answer from above.
    ((200.0 - scale) / 2.0).floor().clamp(0.0, 100.0) as u8
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

    /// The bracketing search finds exactly what trying every quality would.
    #[test]
    fn the_search_finds_the_highest_quality_that_fits() {
        let image = textured();
        let sizes: Vec<usize> = (MIN_JPEG_QUALITY..=100)
            .map(|q| encode_jpeg(&image, q).unwrap().len())
            .collect();
        for max_kb in [25, 40, 55, 70, 90, 120, 200, 400] {
            let range = SizeRange {
                min_bytes: 0,
                max_bytes: max_kb * 1024,
            };
            let expected = (MIN_JPEG_QUALITY..=100)
                .zip(&sizes)
                .filter(|(_, size)| **size <= range.max_bytes)
                .map(|(q, _)| q)
                .max();
            let found = encode_in_range(&image, range).ok().map(|e| e.quality);
            assert_eq!(found, expected, "max {max_kb} KB");
        }
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
