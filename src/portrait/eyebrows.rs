//! Whether the eyebrows show: the brief asks for ears and eyebrows visible, and fringes over
//! the brows are a common reason for a retake. The face mesh places a brow even under hair,
//! so the pixels decide: a visible brow is darker than the forehead just above it, and that
//! forehead is skin, about as bright as the cheeks. Under a fringe, brow and forehead are the
//! same hair.

use image::RgbImage;

use super::landmarks::{FaceLandmarks, point};
use super::region::mean_luma;

/// The forehead bands above each brow: how many, and how thick, in brow thicknesses.
const FOREHEAD_BANDS: usize = 6;
const FOREHEAD_BAND_STEP: f32 = 0.25;

/// How plainly the eyebrows show, for the less visible one: the brightest forehead band just above
/// the brow less the brow itself, over the cheeks' brightness. Bare brows read about 0.15–0.5; a
/// fringe over them about 0 or below. NaN when a region falls outside the frame.
pub fn eyebrow_visibility(frame: &RgbImage, marks: &FaceLandmarks) -> f32 {
    use point::*;
    let brows = [
        (RIGHT_BROW_UPPER, RIGHT_BROW_LOWER, RIGHT_MID_CHEEK),
        (LEFT_BROW_UPPER, LEFT_BROW_LOWER, LEFT_MID_CHEEK),
    ];
    brows
        .into_iter()
        .map(|(upper, lower, cheek)| brow_contrast(frame, marks, upper, lower, cheek))
        .fold(f32::INFINITY, |worst, next| {
            if worst.is_nan() || next.is_nan() {
                f32::NAN
            } else {
                worst.min(next)
            }
        })
}

fn brow_contrast(
    frame: &RgbImage,
    marks: &FaceLandmarks,
    upper: [usize; 5],
    lower: [usize; 5],
    cheek: usize,
) -> f32 {
    let at = |index: usize| (marks.points[index][0], marks.points[index][1]);
    let upper: Vec<(f32, f32)> = upper.into_iter().map(at).collect();
    let lower: Vec<(f32, f32)> = lower.into_iter().map(at).collect();
    // The forehead is read in thin bands stacked above the brow's upper edge, along the brow's
    // own up direction so that they follow it through roll and yaw; the brightest band counts.
    // A fringe that stops a little above a bare brow leaves a strip of skin in the lower bands;
    // a fringe over the brow leaves none.
    let band_at = |from: f32, to: f32| -> Vec<(f32, f32)> {
        let edge = |reach: f32| -> Vec<(f32, f32)> {
            upper
                .iter()
                .zip(&lower)
                .map(|(&(ux, uy), &(lx, ly))| (ux + reach * (ux - lx), uy + reach * (uy - ly)))
                .collect()
        };
        let mut outline = edge(to);
        outline.extend(edge(from).into_iter().rev());
        outline
    };
    let forehead = (0..FOREHEAD_BANDS)
        .filter_map(|band| {
            let from = band as f32 * FOREHEAD_BAND_STEP;
            mean_luma(frame, &band_at(from, from + FOREHEAD_BAND_STEP))
        })
        .fold(None, |best: Option<f32>, next| {
            Some(best.map_or(next, |b| b.max(next)))
        });
    let brow_outline: Vec<(f32, f32)> = upper.iter().chain(lower.iter().rev()).copied().collect();
    // The cheek patch: a square as wide as the brow is thick, twice over.
    let (cx, cy) = at(cheek);
    let thickness = upper
        .iter()
        .zip(&lower)
        .map(|(&(ux, uy), &(lx, ly))| (ux - lx).hypot(uy - ly))
        .sum::<f32>()
        / upper.len() as f32;
    let half = thickness.max(2.0);
    let cheek_square = [
        (cx - half, cy - half),
        (cx + half, cy - half),
        (cx + half, cy + half),
        (cx - half, cy + half),
    ];
    match (
        mean_luma(frame, &brow_outline),
        forehead,
        mean_luma(frame, &cheek_square),
    ) {
        (Some(brow), Some(forehead), Some(cheek)) => {
            // A forehead brighter than the cheeks (a flash's highlight) is no more skin for it.
            (forehead.min(cheek) - brow) / cheek.max(1.0)
        }
        _ => f32::NAN,
    }
}
