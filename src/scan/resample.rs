//! Resampling grey frames for the decoders and the locator: area-filtered downscales that keep
//! fine patterns as grey instead of aliasing them.

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::GrayImage;

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
    let mut target = GrayImage::new(new_width, new_height);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Box));
    Resizer::new().resize(gray, &mut target, &options).ok()?;
    Some(target)
}

#[cfg(test)]
mod tests {
    use super::*;

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
