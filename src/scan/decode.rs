//! Finding capture-code QR codes in one frame. rqrr does the decoding; this module gives it the
//! views of the frame that make it robust: an area-downscaled working copy, the inverted image
//! for dark-mode screens, and the full resolution for small codes. Every decoder call is isolated
//! so that a panic inside rqrr costs one attempt, never the scanner.

use std::panic::{AssertUnwindSafe, catch_unwind};

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::GrayImage;

/// Long side of the working copy. 1080p frames shrink to this before the first attempt: rqrr's
/// cost grows with the pixel count, and a phone screen at booth distance stays readable.
pub const WORKING_LONG_SIDE: u32 = 1280;

/// What one frame gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameCodes {
    /// Decoded payloads, in the order found, without repeats.
    pub codes: Vec<String>,
    /// Decoder panics caught while reading this frame.
    pub panics: usize,
}

/// Decodes every QR code it can find in `gray`, trying cheaper views first.
pub fn decode_frame(gray: &GrayImage) -> FrameCodes {
    let mut result = FrameCodes::default();
    if gray.width() < 21 || gray.height() < 21 {
        return result;
    }
    let working = downscale_long_side(gray, WORKING_LONG_SIDE);
    let working = working.as_ref().unwrap_or(gray);
    let attempts: [(&GrayImage, bool); 2] = [(working, false), (working, true)];
    for (image, inverted) in attempts {
        attempt(image, inverted, &mut result);
        if !result.codes.is_empty() {
            return result;
        }
    }
    if working.dimensions() != gray.dimensions() {
        attempt(gray, false, &mut result);
        if !result.codes.is_empty() {
            return result;
        }
    }
    // Large, soft codes (a phone held close) decode better with less detail.
    let long_side = working.width().max(working.height());
    if long_side > 480
        && let Some(smaller) = downscale_long_side(working, long_side / 2)
    {
        attempt(&smaller, false, &mut result);
    }
    result
}

/// One rqrr pass over `image`, optionally inverted; a panic inside rqrr is caught and counted.
fn attempt(image: &GrayImage, inverted: bool, result: &mut FrameCodes) {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let (width, height) = (image.width() as usize, image.height() as usize);
        let pixels = image.as_raw();
        let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
            let value = pixels[y * width + x];
            if inverted { 255 - value } else { value }
        });
        prepared
            .detect_grids()
            .into_iter()
            .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
            .collect::<Vec<String>>()
    }));
    match outcome {
        Ok(codes) => {
            for code in codes {
                if !result.codes.contains(&code) {
                    result.codes.push(code);
                }
            }
        }
        Err(_) => {
            result.panics += 1;
            tracing::warn!(inverted, "the QR decoder panicked on a frame; skipped");
        }
    }
}

/// An area-filtered copy whose long side is `long_side`, or `None` if the image is not larger.
pub fn downscale_long_side(gray: &GrayImage, long_side: u32) -> Option<GrayImage> {
    let (width, height) = gray.dimensions();
    let current = width.max(height);
    if current <= long_side || long_side == 0 {
        return None;
    }
    let scale = long_side as f64 / current as f64;
    let new_width = ((width as f64 * scale).round() as u32).max(1);
    let new_height = ((height as f64 * scale).round() as u32).max(1);
    let source = Image::from_vec_u8(width, height, gray.as_raw().clone(), PixelType::U8).ok()?;
    let mut target = Image::new(new_width, new_height, PixelType::U8);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Box));
    Resizer::new().resize(&source, &mut target, &options).ok()?;
    GrayImage::from_raw(new_width, new_height, target.into_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_and_blank_frames_give_nothing() {
        assert_eq!(decode_frame(&GrayImage::new(1, 1)), FrameCodes::default());
        assert_eq!(
            decode_frame(&GrayImage::new(640, 480)),
            FrameCodes::default()
        );
    }

    #[test]
    fn downscale_keeps_aspect_and_averages() {
        let mut gray = GrayImage::new(1920, 1080);
        for (x, _, pixel) in gray.enumerate_pixels_mut() {
            pixel.0[0] = if x % 2 == 0 { 0 } else { 255 };
        }
        let small = downscale_long_side(&gray, 960).unwrap();
        assert_eq!(small.dimensions(), (960, 540));
        let middle = small.get_pixel(480, 270).0[0];
        assert!(
            (120..=135).contains(&middle),
            "area filter averages stripes: {middle}"
        );
        assert!(downscale_long_side(&small, 2000).is_none());
    }
}
