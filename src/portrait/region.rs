//! Pixel regions outlined by landmarks: which pixels a polygon covers, and their brightness.
//! Shared by the checks that read the skin and hair around the eyes.

use image::RgbImage;

/// Whether `(x, y)` lies inside the polygon (even-odd rule).
pub fn inside(polygon: &[(f32, f32)], (x, y): (f32, f32)) -> bool {
    let mut inside = false;
    let mut previous = polygon.len().saturating_sub(1);
    for (index, &(xi, yi)) in polygon.iter().enumerate() {
        let (xj, yj) = polygon[previous];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        previous = index;
    }
    inside
}

/// Rec. 601 luma of one pixel, 0–255.
pub fn luma(pixel: &image::Rgb<u8>) -> f32 {
    let [r, g, b] = pixel.0;
    0.299 * r as f32 + 0.587 * g as f32 + 0.114 * b as f32
}

/// Mean luma of the frame's pixels whose centres lie inside `polygon`, or `None` when it
/// covers no pixel of the frame.
pub fn mean_luma(frame: &RgbImage, polygon: &[(f32, f32)]) -> Option<f32> {
    let bound = |pick: fn(&(f32, f32)) -> f32, fold: fn(f32, f32) -> f32, start: f32| {
        polygon.iter().map(pick).fold(start, fold)
    };
    let x0 = bound(|p| p.0, f32::min, f32::MAX).max(0.0) as u32;
    let y0 = bound(|p| p.1, f32::min, f32::MAX).max(0.0) as u32;
    let x1 = (bound(|p| p.0, f32::max, 0.0).max(0.0).ceil() as u32).min(frame.width());
    let y1 = (bound(|p| p.1, f32::max, 0.0).max(0.0).ceil() as u32).min(frame.height());
    let (mut sum, mut count) = (0.0f64, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            if inside(polygon, (x as f32 + 0.5, y as f32 + 0.5)) {
                sum += luma(frame.get_pixel(x, y)) as f64;
                count += 1;
            }
        }
    }
    (count > 0).then(|| (sum / count as f64) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mean_covers_only_the_polygon() {
        let mut frame = RgbImage::from_pixel(40, 40, image::Rgb([200, 200, 200]));
        for y in 10..20 {
            for x in 10..20 {
                frame.put_pixel(x, y, image::Rgb([20, 20, 20]));
            }
        }
        let dark_square = [(10.0, 10.0), (20.0, 10.0), (20.0, 20.0), (10.0, 20.0)];
        assert!((mean_luma(&frame, &dark_square).unwrap() - 20.0).abs() < 0.01);
        let outside = [(50.0, 50.0), (60.0, 50.0), (60.0, 60.0)];
        assert_eq!(mean_luma(&frame, &outside), None);
    }
}
