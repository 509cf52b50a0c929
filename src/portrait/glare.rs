//! Glare on glasses: clipped, colourless highlights over the lenses. A lens sits around each
//! eye, wider than the eye itself. The eye's own opening is left out: the whites of the eyes
//! and the catchlight in a pupil clip under a bright flash without any glasses.

use image::RgbImage;

use super::landmarks::{FaceLandmarks, point};
use super::region::inside;

/// A channel value this high in all three channels counts as clipped white.
const CLIPPED: u8 = 245;

/// The share (percent) of the worse lens region that is clipped white.
pub fn glare_percent(frame: &RgbImage, marks: &FaceLandmarks) -> f32 {
    use point::*;
    let eyes = [
        (
            RIGHT_EYE_OUTER,
            RIGHT_EYE_INNER,
            RIGHT_EYE_CONTOUR,
            marks.pupils[0],
        ),
        (
            LEFT_EYE_OUTER,
            LEFT_EYE_INNER,
            LEFT_EYE_CONTOUR,
            marks.pupils[1],
        ),
    ];
    eyes.into_iter()
        .map(|(outer, inner, contour, pupil)| {
            let (ax, ay) = (marks.points[outer][0], marks.points[outer][1]);
            let (bx, by) = (marks.points[inner][0], marks.points[inner][1]);
            let width = (bx - ax).hypot(by - ay).max(1.0);
            let centre = ((ax + bx) / 2.0, (ay + by) / 2.0);
            // The lower lid runs outer to inner corner, then the upper lid back again.
            let opening: Vec<(f32, f32)> = contour[..9]
                .iter()
                .chain(contour[9..].iter().rev())
                .map(|&i| (marks.points[i][0], marks.points[i][1]))
                .collect();
            lens_glare(frame, centre, width, pupil, &opening)
        })
        .fold(0.0, f32::max)
}

/// Clipped share of a lens-sized box around one eye, leaving out the eye's opening and a
/// catchlight-sized disc at the pupil.
fn lens_glare(
    frame: &RgbImage,
    (cx, cy): (f32, f32),
    eye_width: f32,
    pupil: (f32, f32),
    opening: &[(f32, f32)],
) -> f32 {
    let (half_w, half_h) = (0.9 * eye_width, 0.65 * eye_width);
    let catchlight = 0.25 * eye_width;
    let x0 = (cx - half_w).max(0.0) as u32;
    let y0 = (cy - half_h).max(0.0) as u32;
    let x1 = ((cx + half_w).max(0.0) as u32).min(frame.width());
    let y1 = ((cy + half_h).max(0.0) as u32).min(frame.height());
    let (mut clipped, mut counted) = (0u32, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            let point = (x as f32 + 0.5, y as f32 + 0.5);
            if (point.0 - pupil.0).hypot(point.1 - pupil.1) < catchlight || inside(opening, point) {
                continue;
            }
            counted += 1;
            if frame.get_pixel(x, y).0.iter().all(|&c| c >= CLIPPED) {
                clipped += 1;
            }
        }
    }
    if counted == 0 {
        return 0.0;
    }
    clipped as f32 * 100.0 / counted as f32
}
