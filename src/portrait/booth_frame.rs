//! Booth-like test frames: a portrait whose plain backdrop is replaced by the booth's light blue,
//! placed at a chosen size and position on a 1920×1080 frame. Used by tests and benchmarks in
//! place of real booth photos, which this project does not have.

use image::{Rgb, RgbImage, imageops};

use super::geometry::seen_backdrop;
use crate::domain::photo_spec::Backdrop;

/// Replaces `portrait`'s own plain backdrop (its top-corner colour, flood-filled from the border
/// so that a highlight on the face is kept) with `backdrop`, then scales it to `height` px and
/// places its centre at `center` on a `width`×`frame_height` frame filled with the backdrop.
pub fn compose_booth_frame(
    portrait: &RgbImage,
    backdrop: Backdrop,
    height: u32,
    center: (i64, i64),
    (width, frame_height): (u32, u32),
) -> RgbImage {
    let original = seen_backdrop(portrait);
    let target = backdrop.rgb();
    let mut keyed = portrait.clone();
    let (w, h) = keyed.dimensions();
    let near_backdrop = |pixel: &Rgb<u8>| {
        pixel
            .0
            .iter()
            .zip(original)
            .map(|(a, b)| (*a as f32 - b as f32).powi(2))
            .sum::<f32>()
            .sqrt()
            < 28.0
    };
    let mut seen = vec![false; (w * h) as usize];
    let mut queue: std::collections::VecDeque<(u32, u32)> = (0..w)
        .flat_map(|x| [(x, 0), (x, h - 1)])
        .chain((0..h).flat_map(|y| [(0, y), (w - 1, y)]))
        .collect();
    while let Some((x, y)) = queue.pop_front() {
        let index = (y * w + x) as usize;
        if seen[index] || !near_backdrop(keyed.get_pixel(x, y)) {
            continue;
        }
        seen[index] = true;
        keyed.put_pixel(x, y, Rgb(target));
        if x > 0 {
            queue.push_back((x - 1, y));
        }
        if x + 1 < w {
            queue.push_back((x + 1, y));
        }
        if y > 0 {
            queue.push_back((x, y - 1));
        }
        if y + 1 < h {
            queue.push_back((x, y + 1));
        }
    }
    let scaled_width = (portrait.width() as f64 * height as f64 / portrait.height() as f64) as u32;
    let scaled = imageops::resize(
        &keyed,
        scaled_width.max(1),
        height,
        imageops::FilterType::Triangle,
    );
    let mut frame = RgbImage::from_pixel(width, frame_height, Rgb(target));
    imageops::overlay(
        &mut frame,
        &scaled,
        center.0 - scaled.width() as i64 / 2,
        center.1 - scaled.height() as i64 / 2,
    );
    frame
}
