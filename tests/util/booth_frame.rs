//! Booth-like test frames: a portrait whose plain backdrop is replaced by the booth's light blue,
//! placed at a chosen size and position on a 1920×1080 frame. Used by tests and benchmarks in
//! place of real booth photos, which this project does not have.
// Shared with the portrait and landmark benchmarks; each uses part of it.
#![allow(dead_code)]

use image::{Rgb, RgbImage, imageops};

use capture_station::domain::photo_spec::Backdrop;
use capture_station::portrait::geometry::seen_backdrop;
use imageproc::geometric_transformations::{Border, Interpolation, rotate_about_center};

/// Replaces `portrait`'s own plain backdrop (its top-corner colour, flood-filled from the border
/// so that a highlight on the face is kept) with `backdrop`, then scales it to `height` px and
/// places its centre at `center` on a `width`×`frame_height` frame filled with the backdrop.
pub fn compose_booth_frame(
    portrait: &RgbImage,
    backdrop: Backdrop,
    height: u32,
    center: (i64, i64),
    size: (u32, u32),
) -> RgbImage {
    place_on_backdrop(
        &key_backdrop(portrait, backdrop),
        backdrop,
        height,
        center,
        size,
    )
}

/// `portrait` with its own plain backdrop (its top-corner colour, flood-filled from the border
/// so that a highlight on the face is kept) replaced by `backdrop`. A busy background stays.
pub fn key_backdrop(portrait: &RgbImage, backdrop: Backdrop) -> RgbImage {
    let original = seen_backdrop(portrait);
    let target = backdrop.rgb();
    let mut keyed = portrait.clone();
    let (w, h) = keyed.dimensions();
    if w == 0 || h == 0 {
        return keyed;
    }
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
    keyed
}

/// Scales an already keyed portrait to `height` px and places its centre at `center` on a
/// `width`×`frame_height` frame filled with the backdrop.
pub fn place_on_backdrop(
    keyed: &RgbImage,
    backdrop: Backdrop,
    height: u32,
    center: (i64, i64),
    (width, frame_height): (u32, u32),
) -> RgbImage {
    let target = backdrop.rgb();
    let scaled_width = (keyed.width() as f64 * height as f64 / keyed.height().max(1) as f64) as u32;
    let scaled = imageops::resize(
        keyed,
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

/// `portrait` turned by `degrees` about its centre (positive turns it clockwise on screen, which
/// lowers the subject's left eye, on the image's right), its corners filled with its own
/// backdrop colour so that [`key_backdrop`] still finds them.
pub fn roll_portrait(portrait: &RgbImage, degrees: f32) -> RgbImage {
    let fill = Rgb(seen_backdrop(portrait));
    rotate_about_center(
        portrait,
        degrees.to_radians(),
        Interpolation::Bilinear,
        Border::Constant(fill),
    )
}

/// One composed frame of a varied set, named after how it was made.
pub struct VariedFrame {
    pub name: String,
    pub frame: RgbImage,
}

/// Heights the portraits are scaled to on a 1080p frame: far, middle and near.
pub const VARIED_HEIGHTS: [u32; 3] = [760, 950, 1150];
/// Where the portrait's centre goes: the middle, left and low, right and high.
pub const VARIED_CENTRES: [(i64, i64); 3] = [(960, 600), (760, 660), (1160, 520)];

/// The natural tilts the portraits are turned by, one per centre in [`VARIED_CENTRES`]: level,
/// and the few degrees people stand with, which the crop levels.
pub const VARIED_ROLLS: [f32; 3] = [0.0, 5.0, -4.0];

/// Every portrait at every height and centre in [`VARIED_HEIGHTS`] and [`VARIED_CENTRES`] (each
/// centre with its roll from [`VARIED_ROLLS`]), on a 1920×1080 `backdrop`: the set the portrait
/// benchmark times, instead of one frame. Each portrait is keyed once a roll.
pub fn varied_booth_frames(
    portraits: &[(String, RgbImage)],
    backdrop: Backdrop,
) -> Vec<VariedFrame> {
    let mut frames = Vec::new();
    for (name, portrait) in portraits {
        let keyed = VARIED_ROLLS.map(|roll| {
            let turned = if roll == 0.0 {
                portrait.clone()
            } else {
                roll_portrait(portrait, roll)
            };
            key_backdrop(&turned, backdrop)
        });
        for height in VARIED_HEIGHTS {
            for ((cx, cy), (keyed, roll)) in VARIED_CENTRES
                .into_iter()
                .zip(keyed.iter().zip(VARIED_ROLLS))
            {
                frames.push(VariedFrame {
                    name: format!("{name}@h{height}+{cx}+{cy}r{roll}"),
                    frame: place_on_backdrop(keyed, backdrop, height, (cx, cy), (1920, 1080)),
                });
            }
        }
    }
    frames
}

/// The images in `dir` (sniffed, not trusted by extension), by file name, sorted; files that do
/// not decode are skipped.
pub fn load_portraits(dir: &std::path::Path) -> std::io::Result<Vec<(String, RgbImage)>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    Ok(paths
        .into_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(&path).ok()?;
            let image = capture_station::scan::image_input::decode_rgb(&bytes).ok()?;
            let name = path.file_stem()?.to_string_lossy().into_owned();
            Some((name, image))
        })
        .collect())
}
