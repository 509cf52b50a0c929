//! From a detected face to the 学历照片 crop. With the face mesh's landmarks (the usual case),
//! the eye line is the pupils' mean height, the centre line their midpoint, the face width cheek
//! to cheek, and the tilt the line through the pupils. Without them (the mesh saw no face), the
//! face box stands in, calibrated on SeetaFace boxes (pupils at about 0.39 of the box height,
//! cheek to cheek about 0.92 of its width) and refined by the darkest rows in each eye region:
//! enough to say which way to move, never enough for `ok`. The top of the head is the first row
//! above the face that differs from the backdrop. The crop then puts each measure as near the
//! middle of its range as the others allow, or says which way the subject should move.
//!
//! A head tilted by up to [`MAX_LEVEL_DEGREES`](super::level::MAX_LEVEL_DEGREES) is levelled:
//! the measures and the crop are then in levelled coordinates ([`Level`]), and the crop is turned
//! with them.

use image::RgbImage;
use serde::Serialize;

use super::detect::FaceBox;
use super::eyebrows::eyebrow_visibility;
use super::glare::glare_percent;
use super::landmarks::FaceLandmarks;
use super::level::{FrameArea, Level, Overrun};
use crate::domain::photo_spec::{EYE_LINE, FACE_WIDTH, HEAD_TOP, HEIGHT, WIDTH};

/// What was measured on the source image, in its pixels, levelled by `level` (positions are in
/// levelled coordinates; with [`Level::NONE`] those are the frame's own).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FaceMeasures {
    pub eye_line_y: f32,
    pub face_center_x: f32,
    pub face_width: f32,
    pub head_top_y: f32,
    /// Whether the head top was found against the backdrop (else estimated from the face).
    pub head_top_from_backdrop: bool,
    /// Eye-line tilt in degrees left after levelling, as the photo will show it (positive: the
    /// subject's left eye, image right, is lower), or `None` when it could not be measured
    /// with confidence.
    pub roll_degrees: Option<f32>,
    /// The head's pose and expression, when the landmarks were found.
    pub pose: Option<Pose>,
    /// The turn that levels the pupils, which the crop takes with it.
    pub level: Level,
}

/// What the landmarks say about the head and the face beyond where they are.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pose {
    pub yaw_degrees: f32,
    pub pitch_degrees: f32,
    /// Lid gap over eye width, the less open eye.
    pub eye_openness: f32,
    pub mouth_openness: f32,
    /// Percent of the worse lens region that is clipped white.
    pub glare_percent: f32,
    /// How plainly the less visible eyebrow shows against the forehead (see
    /// [`eyebrow_visibility`]).
    pub eyebrow_visibility: f32,
}

/// The chosen crop: a rectangle in levelled coordinates (the frame's own when `level` is
/// [`Level::NONE`]) and the output scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Crop {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    /// Output pixels per source pixel.
    pub scale: f64,
    /// The turn the crop is cut with.
    pub level: Level,
}

impl Crop {
    /// Where a levelled row lands in the output.
    pub fn out_y(&self, levelled_y: f32) -> f32 {
        ((levelled_y as f64 - self.top) * self.scale) as f32
    }

    /// Where a levelled column lands in the output.
    pub fn out_x(&self, levelled_x: f32) -> f32 {
        ((levelled_x as f64 - self.left) * self.scale) as f32
    }

    /// Where a point of the frame lands in the output.
    pub fn out_point(&self, frame_x: f32, frame_y: f32) -> (f32, f32) {
        let (x, y) = self.level.to_levelled(frame_x as f64, frame_y as f64);
        (self.out_x(x as f32), self.out_y(y as f32))
    }
}

/// Why no compliant crop exists, with the fix to tell the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum Framing {
    #[error("the subject is too far: move closer")]
    MoveCloser,
    #[error("the subject is too close: step back")]
    TooClose,
    #[error("the face is too far left in the frame: move toward the centre")]
    MoveRight,
    #[error("the face is too far right in the frame: move toward the centre")]
    MoveLeft,
    #[error("the head is too high in the frame: lower the camera or sit lower")]
    MoveDown,
    #[error("the head is too low in the frame: raise the camera or sit higher")]
    MoveUp,
    #[error("head and face proportions cannot both fit the spec")]
    Proportions,
}

/// Most upscaling accepted before the picture would go soft: beyond it, "move closer".
pub const MAX_UPSCALE: f64 = 1.6;
/// How far from centre (output pixels) the face may sit when the frame edge forces it.
pub const CENTRE_TOLERANCE: f64 = 20.0;

/// How far inside its range (output pixels) the crop keeps each measure, from the range's
/// minimum and from its maximum, so that a checker measuring a few pixels differently still
/// agrees. Each is the largest disagreement on that side between these measures and MediaPipe's
/// on the same 480×640 outputs (108 crops of the keyable shared portraits on three backdrops),
/// plus up to a pixel: head top ±2.0 px; eye line 2.1 px lower by MediaPipe; face width 6.5 px
/// narrower and 8.0 px wider by MediaPipe (the cheek landmarks sit on the soft contour). One
/// margin of 8 px for all three refused tall-haired students whose head top, eye line and face
/// width can only all fit with a few pixels to spare.
pub const SPEC_MARGINS: PlacementMargins = PlacementMargins {
    head_top: [3.0, 3.0],
    eye_line: [3.0, 3.0],
    face_width: [7.0, 9.0],
};

/// The margins each placement measure keeps inside its range, in output pixels: above the
/// range's minimum, and below its maximum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacementMargins {
    pub head_top: [f64; 2],
    pub eye_line: [f64; 2],
    pub face_width: [f64; 2],
}

/// How far the closest measure is beyond its own margin, in output pixels: negative when one of
/// them is nearer its range's edge than its margin allows. The planner maximises it and the
/// `spec_margin` check requires it to be at least 0.
pub fn spec_margin_left(head_top: f64, eye_line: f64, face_width: f64) -> f64 {
    let inside = |value: f64, range: crate::domain::photo_spec::PixelRange, margins: [f64; 2]| {
        (value - range.min as f64 - margins[0]).min(range.max as f64 - value - margins[1])
    };
    [
        inside(head_top, HEAD_TOP, SPEC_MARGINS.head_top),
        inside(eye_line, EYE_LINE, SPEC_MARGINS.eye_line),
        inside(face_width, FACE_WIDTH, SPEC_MARGINS.face_width),
    ]
    .into_iter()
    .fold(f64::MAX, f64::min)
}

/// Measures the face in `face` (a detector's box), from its landmarks when the mesh found them.
/// With `level_the_pupils`, a roll up to [`MAX_LEVEL_DEGREES`](super::level::MAX_LEVEL_DEGREES)
/// is taken out by turning about the pupils' midpoint (which the turn leaves in place, so the
/// eye line and the centre line are the same in both coordinates).
pub fn measure(
    rgb: &RgbImage,
    face: &FaceBox,
    landmarks: Option<&FaceLandmarks>,
    level_the_pupils: bool,
) -> FaceMeasures {
    let level = match landmarks {
        Some(marks) if level_the_pupils => Level::for_pupils(
            marks.roll_degrees() as f64,
            (marks.eyes_middle_x() as f64, marks.eye_line_y() as f64),
        ),
        _ => Level::NONE,
    };
    // The face box, moved with its centre into levelled coordinates.
    let (centre_x, centre_y) =
        level.to_levelled(face.center_x() as f64, (face.y + face.height / 2.0) as f64);
    let face = FaceBox {
        x: centre_x as f32 - face.width / 2.0,
        y: centre_y as f32 - face.height / 2.0,
        ..*face
    };
    let face = &face;
    let estimated_top = face.y - 0.42 * face.height;
    let found_top = head_top_against_backdrop(rgb, face, &level)
        .filter(|top| *top > face.y - 1.0 * face.height && *top < face.y + 0.1 * face.height);
    let head_top_y = found_top.unwrap_or(estimated_top.max(0.0));
    let head_top_from_backdrop = found_top.is_some();
    match landmarks {
        Some(marks) => FaceMeasures {
            eye_line_y: marks.eye_line_y(),
            face_center_x: marks.eyes_middle_x(),
            face_width: marks.face_width(),
            head_top_y,
            head_top_from_backdrop,
            roll_degrees: Some(marks.roll_degrees() - level.degrees as f32),
            level,
            pose: Some(Pose {
                yaw_degrees: marks.yaw_degrees(),
                pitch_degrees: marks.pitch_degrees(),
                // Only the iris model's lids see an eye close: without them, not measured.
                eye_openness: if marks.irises_read {
                    marks.eye_openness().into_iter().fold(f32::MAX, f32::min)
                } else {
                    f32::NAN
                },
                mouth_openness: marks.mouth_openness(),
                glare_percent: glare_percent(rgb, marks),
                eyebrow_visibility: eyebrow_visibility(rgb, marks),
            }),
        },
        None => FaceMeasures {
            eye_line_y: refine_eye_line(rgb, face).unwrap_or(face.y + 0.39 * face.height),
            face_center_x: face.center_x(),
            face_width: 0.92 * face.width,
            head_top_y,
            head_top_from_backdrop,
            roll_degrees: None,
            pose: None,
            level,
        },
    }
}

/// The darkest row band in each eye region (pupils and lashes), averaged; `None` when the two
/// disagree so much that one probably found a brow or hair instead.
fn refine_eye_line(rgb: &RgbImage, face: &FaceBox) -> Option<f32> {
    let luma = |x: u32, y: u32| {
        let [r, g, b] = rgb.get_pixel(x, y).0;
        (299 * r as u32 + 587 * g as u32 + 114 * b as u32) as f32 / 1000.0
    };
    let darkest_row = |x0: f32, x1: f32| -> Option<f32> {
        let (y0, y1) = (face.y + 0.30 * face.height, face.y + 0.48 * face.height);
        let (x0, x1) = (x0.max(0.0) as u32, (x1.max(0.0) as u32).min(rgb.width()));
        let (y0, y1) = (y0.max(0.0) as u32, (y1.max(0.0) as u32).min(rgb.height()));
        if x1 <= x0 + 2 || y1 <= y0 + 4 {
            return None;
        }
        let rows: Vec<f32> = (y0..y1)
            .map(|y| (x0..x1).map(|x| luma(x, y)).sum::<f32>() / (x1 - x0) as f32)
            .collect();
        let smoothed: Vec<f32> = (0..rows.len())
            .map(|i| {
                let lo = i.saturating_sub(2);
                let hi = (i + 3).min(rows.len());
                rows[lo..hi].iter().sum::<f32>() / (hi - lo) as f32
            })
            .collect();
        let (index, _) = smoothed
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))?;
        Some(y0 as f32 + index as f32)
    };
    let left = darkest_row(face.x + 0.15 * face.width, face.x + 0.45 * face.width)?;
    let right = darkest_row(face.x + 0.55 * face.width, face.x + 0.85 * face.width)?;
    if (left - right).abs() > 0.08 * face.height {
        return None;
    }
    Some((left + right) / 2.0)
}

fn color_distance(a: [u8; 3], b: [u8; 3]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (*x as f32 - y as f32).powi(2))
        .sum::<f32>()
        .sqrt()
}

/// The backdrop colour as seen: the median of the two top corners.
pub fn seen_backdrop(rgb: &RgbImage) -> [u8; 3] {
    let (w, h) = rgb.dimensions();
    let patch = (w / 20).max(2);
    let rows = (h / 20).max(2);
    let mut samples: Vec<[u8; 3]> = Vec::new();
    for y in 0..rows.min(h) {
        for x in (0..patch.min(w)).chain(w.saturating_sub(patch)..w) {
            samples.push(rgb.get_pixel(x, y).0);
        }
    }
    let mut out = [0u8; 3];
    for (c, value) in out.iter_mut().enumerate() {
        let mut channel: Vec<u8> = samples.iter().map(|s| s[c]).collect();
        channel.sort_unstable();
        *value = channel.get(channel.len() / 2).copied().unwrap_or(0);
    }
    out
}

/// The first row above the face (levelled by `level`) where the columns over the face stop
/// looking like the backdrop. A turned row partly off the frame is judged on its pixels on the
/// frame, and skipped when fewer than half are.
fn head_top_against_backdrop(rgb: &RgbImage, face: &FaceBox, level: &Level) -> Option<f32> {
    let backdrop = seen_backdrop(rgb);
    let x0 = (face.center_x() - 0.35 * face.width).max(0.0) as u32;
    let x1 = ((face.center_x() + 0.35 * face.width) as u32).min(rgb.width());
    let bottom = (face.y.max(0.0) as u32).min(rgb.height());
    if x1 <= x0 {
        return None;
    }
    let span = (x1 - x0) as f32;
    let area = FrameArea::new(rgb.width(), rgb.height(), *level);
    let mut first_backdrop_row_seen = false;
    for y in 0..bottom {
        let (mut seen, mut differing) = (0u32, 0u32);
        for x in x0..x1 {
            let pixel = if level.is_turned() {
                area.pixel(rgb, x as f64 + 0.5, y as f64 + 0.5)
            } else {
                Some(rgb.get_pixel(x, y).0)
            };
            if let Some(pixel) = pixel {
                seen += 1;
                differing += u32::from(color_distance(pixel, backdrop) > 45.0);
            }
        }
        if (seen as f32) < span / 2.0 {
            continue;
        }
        let differing = differing as f32 * span / seen as f32;
        if differing / span < 0.05 {
            first_backdrop_row_seen = true;
        } else if differing / span > 0.15 {
            // Hair touching the top edge means the top is out of frame: not found.
            return first_backdrop_row_seen.then_some(y as f32);
        }
    }
    None
}

/// The crop that keeps every measure as far inside its range as possible: it searches the scale
/// and the head-top position for the largest worst-case margin (face width, head top, eye line,
/// each beyond its own `SPEC_MARGINS`), so that a checker measuring a few pixels differently
/// still agrees. Aiming each measure at its own middle is not always possible: a tall bun and a
/// small face pull in opposite ways.
pub fn plan_crop(
    measures: &FaceMeasures,
    source_width: u32,
    source_height: u32,
) -> Result<Crop, Framing> {
    let (w, h) = (source_width as f64, source_height as f64);
    let face = measures.face_width as f64;
    let eye = measures.eye_line_y as f64;
    let top = measures.head_top_y as f64;
    let eye_to_top = (eye - top).max(1.0);
    let (out_w, out_h) = (WIDTH as f64, HEIGHT as f64);
    let range = |r: crate::domain::photo_spec::PixelRange| (r.min as f64, r.max as f64);
    let (face_lo, face_hi) = range(FACE_WIDTH);
    let (top_lo, top_hi) = range(HEAD_TOP);
    let (eye_lo, eye_hi) = range(EYE_LINE);

    let area = FrameArea::new(source_width, source_height, measures.level);
    let k_fit = (out_w / w).max(out_h / h);
    // Where a face width and a head-top row put the crop, and how well it keeps the margins.
    let place = |face_out: f64, top_out: f64| -> Placement {
        let k = face_out / face;
        if k < k_fit || k > MAX_UPSCALE {
            return Placement::OffScale;
        }
        let eye_out = top_out + k * eye_to_top;
        if eye_out < eye_lo || eye_out > eye_hi {
            return Placement::OffScale;
        }
        let crop_top = top - top_out / k;
        let (crop_w, crop_h) = (out_w / k, out_h / k);
        // Horizontal: centred, or nearly so when the frame edge forces it.
        let wanted_left = measures.face_center_x as f64 - crop_w / 2.0;
        let Some((lowest, highest)) = area.left_span(crop_top, crop_w, crop_h) else {
            return Placement::Overruns(area.overrun(wanted_left, crop_top, crop_w, crop_h));
        };
        let crop_left = wanted_left.clamp(lowest, highest);
        if ((crop_left - wanted_left) * k).abs() > CENTRE_TOLERANCE {
            return Placement::OffCentre(if crop_left > wanted_left {
                Framing::MoveRight
            } else {
                Framing::MoveLeft
            });
        }
        let middles = [
            (face_out - face_lo).min(face_hi - face_out),
            (top_out - top_lo).min(top_hi - top_out),
            (eye_out - eye_lo).min(eye_hi - eye_out),
        ];
        // The worst margin beyond its own allowance decides; the others break ties, pulling
        // toward the middles.
        let margin =
            spec_margin_left(top_out, eye_out, face_out) + 0.01 * middles.iter().sum::<f64>();
        Placement::Fits {
            margin,
            k,
            top_out,
            crop_left,
        }
    };
    // (margin, scale, head-top output row, left)
    let mut best: Option<(f64, f64, f64, f64)> = None;
    let keep_if_better = |best: &mut Option<(f64, f64, f64, f64)>, placement: Placement| {
        if let Placement::Fits {
            margin,
            k,
            top_out,
            crop_left,
        } = placement
            && best.is_none_or(|(m, _, _, _)| margin > m)
        {
            *best = Some((margin, k, top_out, crop_left));
        }
    };
    let mut any_in_spec_scale = false;
    let mut frame_blocked_above = false;
    let mut frame_blocked_below = false;
    // The way the student should move when a crop fits above and below but not beside.
    let mut blocked_beside: Option<Framing> = None;
    const FACE_STEP: f64 = 1.0;
    const TOP_STEP: f64 = 0.5;
    let face_steps = ((face_hi - face_lo) / FACE_STEP) as i32;
    let top_steps = ((top_hi - top_lo) / TOP_STEP) as i32;
    for step in 0..=face_steps {
        let face_out = face_lo + FACE_STEP * step as f64;
        for t in 0..=top_steps {
            let placement = place(face_out, top_lo + TOP_STEP * t as f64);
            match placement {
                Placement::OffScale => continue,
                Placement::Overruns(Some(Overrun::Above)) => frame_blocked_above = true,
                Placement::Overruns(Some(Overrun::Below)) => frame_blocked_below = true,
                Placement::OffCentre(way) => {
                    blocked_beside.get_or_insert(way);
                }
                _ => {}
            }
            any_in_spec_scale = true;
            keep_if_better(&mut best, placement);
        }
    }
    // Around the best of that grid, a finer one: tall hair and a small face can leave a margin
    // of a fraction of a pixel that the coarse steps step over.
    if let Some((_, k, top_out, _)) = best {
        let face_out = k * face;
        for i in -10..=10 {
            for j in -10..=10 {
                keep_if_better(
                    &mut best,
                    place(
                        face_out + FACE_STEP * i as f64 / 10.0,
                        top_out + TOP_STEP * j as f64 / 10.0,
                    ),
                );
            }
        }
    }
    let Some((_, k, top_out, crop_left)) = best else {
        let smallest_face_fits = face_lo / face <= MAX_UPSCALE;
        let largest_face_fits = face_hi / face >= k_fit;
        return Err(if !smallest_face_fits {
            Framing::MoveCloser
        } else if !largest_face_fits {
            Framing::TooClose
        } else if !any_in_spec_scale {
            Framing::Proportions
        } else if let Some(beside) = blocked_beside {
            beside
        } else if frame_blocked_above {
            Framing::MoveDown
        } else if frame_blocked_below {
            Framing::MoveUp
        } else {
            Framing::Proportions
        });
    };
    Ok(Crop {
        left: crop_left,
        top: top - top_out / k,
        width: out_w / k,
        height: out_h / k,
        scale: k,
        level: measures.level,
    })
}

/// What one candidate scale and head-top row give, in `plan_crop`'s search.
enum Placement {
    /// The scale is outside what the frame allows, or the eye line falls out of its range.
    OffScale,
    /// The crop runs off the frame, above or below when one of them is the reason.
    Overruns(Option<Overrun>),
    /// The frame's side edge would push the face off centre: the way the student should move.
    OffCentre(Framing),
    Fits {
        margin: f64,
        k: f64,
        top_out: f64,
        crop_left: f64,
    },
}

/// The operator's nudges on top of the automatic crop: `right`/`down` in steps of 2% of the
/// crop, `zoom_in` in steps of 4% (positive makes the face larger).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CropAdjust {
    pub right: i32,
    pub down: i32,
    pub zoom_in: i32,
}

impl CropAdjust {
    pub fn is_none(&self) -> bool {
        *self == Self::default()
    }

    /// Moves and scales `crop`, kept inside the `width`×`height` frame. A turned crop that
    /// would run off the frame is made smaller about its centre until it lies on it (by up to
    /// half), as the photo may hold no padded corner.
    pub fn apply(&self, crop: &Crop, width: u32, height: u32) -> Crop {
        let zoom = 1.04f64.powi(self.zoom_in.clamp(-20, 20));
        let (w, h) = (width as f64, height as f64);
        let area = FrameArea::new(width, height, crop.level);
        let centre_x = crop.left + crop.width / 2.0 - self.right as f64 * 0.02 * crop.width;
        let centre_y = crop.top + crop.height / 2.0 - self.down as f64 * 0.02 * crop.height;
        let mut crop_w = (crop.width / zoom).min(w).min(h * 0.75);
        let place = |crop_w: f64| {
            let crop_h = crop_w * 4.0 / 3.0;
            Crop {
                left: (centre_x - crop_w / 2.0).clamp(0.0, (w - crop_w).max(0.0)),
                top: (centre_y - crop_h / 2.0).clamp(0.0, (h - crop_h).max(0.0)),
                width: crop_w,
                height: crop_h,
                scale: WIDTH as f64 / crop_w,
                level: crop.level,
            }
        };
        let smallest = crop_w / 2.0;
        let mut placed = place(crop_w);
        while !area.holds(placed.left, placed.top, placed.width, placed.height)
            && crop_w * 0.98 >= smallest
        {
            crop_w *= 0.98;
            placed = place(crop_w);
        }
        placed
    }
}

/// A crop to start nudging from when [`plan_crop`] found none: the face at the middle of the
/// width range, its head top at the middle of its band, centred, kept inside the frame.
pub fn fallback_crop(measures: &FaceMeasures, width: u32, height: u32) -> Crop {
    let face_out = (FACE_WIDTH.min + FACE_WIDTH.max) as f64 / 2.0;
    let top_out = (HEAD_TOP.min + HEAD_TOP.max) as f64 / 2.0;
    let k = face_out / (measures.face_width as f64).max(1.0);
    let base = Crop {
        left: measures.face_center_x as f64 - WIDTH as f64 / k / 2.0,
        top: measures.head_top_y as f64 - top_out / k,
        width: WIDTH as f64 / k,
        height: HEIGHT as f64 / k,
        scale: k,
        level: measures.level,
    };
    CropAdjust::default().apply(&base, width, height)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measures(face_width: f32, eye: f32, top: f32, center: f32) -> FaceMeasures {
        FaceMeasures {
            eye_line_y: eye,
            face_center_x: center,
            face_width,
            head_top_y: top,
            head_top_from_backdrop: true,
            roll_degrees: Some(0.0),
            pose: None,
            level: Level::NONE,
        }
    }

    fn in_spec(m: &FaceMeasures, crop: &Crop) {
        assert!(
            HEAD_TOP.contains(crop.out_y(m.head_top_y)),
            "top {}",
            crop.out_y(m.head_top_y)
        );
        assert!(
            EYE_LINE.contains(crop.out_y(m.eye_line_y)),
            "eye {}",
            crop.out_y(m.eye_line_y)
        );
        let face = m.face_width * crop.scale as f32;
        assert!(FACE_WIDTH.contains(face), "face {face}");
        assert!((crop.out_x(m.face_center_x) - 240.0).abs() <= CENTRE_TOLERANCE as f32);
        assert!((crop.width * crop.scale - 480.0).abs() < 1e-6);
    }

    #[test]
    fn nudges_move_and_zoom_the_crop_inside_the_frame() {
        let crop = Crop {
            left: 700.0,
            top: 200.0,
            width: 480.0,
            height: 640.0,
            scale: 1.0,
            level: Level::NONE,
        };
        let right = CropAdjust {
            right: 1,
            ..CropAdjust::default()
        }
        .apply(&crop, 1920, 1080);
        assert!(
            right.left < crop.left,
            "moving the subject right moves the crop left"
        );
        let zoomed = CropAdjust {
            zoom_in: 1,
            ..CropAdjust::default()
        }
        .apply(&crop, 1920, 1080);
        assert!(zoomed.width < crop.width && zoomed.scale > crop.scale);
        assert!((zoomed.height / zoomed.width - 4.0 / 3.0).abs() < 1e-9);
        let far = CropAdjust {
            down: -500,
            ..CropAdjust::default()
        }
        .apply(&crop, 1920, 1080);
        assert!(far.top >= 0.0 && far.top + far.height <= 1080.0 + 1e-9);
    }

    #[test]
    fn a_well_placed_face_aims_at_the_middles() {
        // At scale 0.8, eyes 212 px below the head top put the top at 80 when the eyes are at 250.
        let m = measures(300.0, 500.0, 288.0, 960.0);
        let crop = plan_crop(&m, 1920, 1080).unwrap();
        in_spec(&m, &crop);
        assert!((crop.out_y(m.eye_line_y) - 250.0).abs() < 3.0);
        assert!((crop.out_y(m.head_top_y) - 80.0).abs() < 3.0);
        assert!((m.face_width * crop.scale as f32 - 240.0).abs() < 3.0);
    }

    #[test]
    fn faces_that_cannot_fit_say_which_way_to_move() {
        assert_eq!(
            plan_crop(&measures(60.0, 500.0, 460.0, 960.0), 1920, 1080),
            Err(Framing::MoveCloser)
        );
        assert_eq!(
            plan_crop(&measures(900.0, 500.0, 100.0, 960.0), 1920, 1080),
            Err(Framing::TooClose)
        );
        assert_eq!(
            plan_crop(&measures(300.0, 500.0, 330.0, 120.0), 1920, 1080),
            Err(Framing::MoveRight)
        );
        assert_eq!(
            plan_crop(&measures(300.0, 500.0, 330.0, 1850.0), 1920, 1080),
            Err(Framing::MoveLeft)
        );
        assert_eq!(
            plan_crop(&measures(300.0, 200.0, 20.0, 960.0), 1920, 1080),
            Err(Framing::MoveDown)
        );
    }

    #[test]
    fn when_the_middles_cannot_all_be_met_every_measure_keeps_a_margin() {
        // A tall head (a bun): eyes a full face width below the top of the hair.
        let m = measures(200.0, 600.0, 400.0, 960.0);
        let crop = plan_crop(&m, 1920, 1080).unwrap();
        in_spec(&m, &crop);
        let eye = crop.out_y(m.eye_line_y);
        let top = crop.out_y(m.head_top_y);
        let face = m.face_width * crop.scale as f32;
        let margin = [
            eye - 200.0,
            300.0 - eye,
            top - 50.0,
            110.0 - top,
            face - 180.0,
            300.0 - face,
        ]
        .into_iter()
        .fold(f32::MAX, f32::min);
        assert!(margin >= 10.0, "eye {eye}, top {top}, face {face}");
    }

    #[test]
    fn tall_hair_over_a_small_face_fits_within_each_measures_own_margin() {
        // Eyes 1.29 face widths below the top of the hair: the head top, the eye line and the
        // face width can all be kept inside their ranges only a few pixels from the edges, closer
        // than one 8 px margin for all three would allow.
        let m = measures(200.0, 658.0, 400.0, 960.0);
        let crop = plan_crop(&m, 1920, 1080).unwrap();
        in_spec(&m, &crop);
        let (top, eye) = (crop.out_y(m.head_top_y), crop.out_y(m.eye_line_y));
        let face = m.face_width * crop.scale as f32;
        let left = spec_margin_left(top as f64, eye as f64, face as f64);
        assert!(left >= 0.0, "top {top}, eye {eye}, face {face}: {left}");
        assert!(top - 50.0 < 8.0 || 300.0 - eye < 8.0 || face - 180.0 < 8.0);
        // Four pixels more of hair and no crop keeps every margin: the check then refuses it.
        let taller = measures(200.0, 658.0, 396.0, 960.0);
        let crop = plan_crop(&taller, 1920, 1080).unwrap();
        let face = taller.face_width as f64 * crop.scale;
        let top = crop.out_y(taller.head_top_y) as f64;
        let eye = crop.out_y(taller.eye_line_y) as f64;
        assert!(spec_margin_left(top, eye, face) < 0.0);
    }

    #[test]
    fn near_an_edge_the_crop_shifts_within_the_ranges() {
        let m = measures(300.0, 330.0, 150.0, 960.0);
        let crop = plan_crop(&m, 1920, 1080).unwrap();
        in_spec(&m, &crop);
        assert!(crop.top >= 0.0);
    }
}
