//! The face's tilt and centre line from its mirror symmetry: the line about which the face's
//! edges (eyes, brows, nose, mouth) mirror best gives the roll and where the middle between the
//! eyes lies. Edge strength is compared rather than brightness, so light from one side does not
//! read as asymmetry. A face that mirrors about no line clearly (turned, half hidden, too soft)
//! gives `None`, and the roll check then fails instead of passing unmeasured.

use image::{GrayImage, RgbImage};

use super::detect::FaceBox;

/// The face's mirror line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SymmetryAxis {
    /// Positive when the subject's left eye (image right) is lower.
    pub roll_degrees: f32,
    /// A point of the line, in source pixels.
    pub through: (f32, f32),
    /// How much better the face mirrors about this line than about lines tilted 10° or more
    /// away from it, as a fraction (0 none, 1 perfect).
    pub confidence: f32,
}

impl SymmetryAxis {
    /// Where the mirror line crosses the row `y`: the centre between the eyes at the eye line.
    pub fn center_x_at(&self, y: f32) -> f32 {
        self.through.0 - (y - self.through.1) * self.roll_degrees.to_radians().tan()
    }
}

/// Tilts searched, in degrees either way: beyond this SeetaFace stops finding the face.
const MAX_TILT_DEGREES: f32 = 24.0;
/// The least confidence for a line to count as found. Calibrated on the eight shared portraits
/// composed at tilts from −15° to 15°: faces large enough to crop score 0.3–0.6 and track the
/// tilt to within about 1.5°; the small faces of full-length photos score 0.1–0.25, and below
/// 0.15 their lines were wrong (18° for a face tilted −10°).
pub const MIN_CONFIDENCE: f32 = 0.15;
/// Least mean edge strength (luma levels between neighbouring samples) for a face to be
/// measured at all.
const MIN_MEAN_EDGE: f32 = 1.0;
/// Samples across and down the mirrored patch.
const GRID_COLUMNS: usize = 32;
const GRID_ROWS: usize = 40;

/// The face's mirror line, or `None` when no line stands out.
pub fn symmetry_axis(rgb: &RgbImage, face: &FaceBox) -> Option<SymmetryAxis> {
    let patch = FacePatch::new(rgb, face)?;
    let (cx, cy) = (face.center_x(), face.y + 0.52 * face.height);
    let score = |degrees: f32, shift: f32| patch.asymmetry(face, (cx, cy), degrees, shift);

    // Coarse search over tilt and sideways shift, then a finer one around the best.
    let shifts: Vec<f32> = (-5..=5).map(|i| i as f32 * 0.025 * face.width).collect();
    let mut best = (f32::MAX, 0.0f32, 0.0f32);
    let mut by_tilt: Vec<(f32, f32)> = Vec::new();
    let mut degrees = -MAX_TILT_DEGREES;
    while degrees <= MAX_TILT_DEGREES {
        let (value, shift) = shifts
            .iter()
            .map(|&shift| (score(degrees, shift), shift))
            .min_by(|a, b| a.0.total_cmp(&b.0))?;
        by_tilt.push((degrees, value));
        if value < best.0 {
            best = (value, degrees, shift);
        }
        degrees += 2.0;
    }
    let (_, coarse_degrees, coarse_shift) = best;
    for step in -4..=4 {
        let degrees = coarse_degrees + step as f32 * 0.5;
        for shift_step in -2..=2 {
            let shift = coarse_shift + shift_step as f32 * 0.01 * face.width;
            let value = score(degrees, shift);
            if value < best.0 {
                best = (value, degrees, shift);
            }
        }
    }
    let (value, degrees, shift) = best;
    // How clearly the best line beats lines tilted well away from it.
    let mut far: Vec<f32> = by_tilt
        .iter()
        .filter(|(d, _)| (d - degrees).abs() >= 10.0)
        .map(|(_, v)| *v)
        .collect();
    far.sort_by(f32::total_cmp);
    let reference = *far.get(far.len() / 2)?;
    if !(reference.is_finite() && reference > 0.0 && value.is_finite()) {
        return None;
    }
    let confidence = 1.0 - value / reference;
    let (sin, cos) = degrees.to_radians().sin_cos();
    let axis = SymmetryAxis {
        roll_degrees: degrees,
        through: (cx + cos * shift, cy + sin * shift),
        confidence,
    };
    (confidence >= MIN_CONFIDENCE).then_some(axis)
}

/// A blurred grey copy of the face and its surroundings, sampled with bilinear interpolation.
struct FacePatch {
    gray: GrayImage,
    origin: (f32, f32),
}

impl FacePatch {
    fn new(rgb: &RgbImage, face: &FaceBox) -> Option<Self> {
        let margin = 0.35 * face.width.max(face.height);
        let x0 = (face.x - margin).max(0.0) as u32;
        let y0 = (face.y - margin).max(0.0) as u32;
        let x1 = ((face.x + face.width + margin).max(0.0) as u32).min(rgb.width());
        let y1 = ((face.y + face.height + margin).max(0.0) as u32).min(rgb.height());
        if x1 <= x0 + 16 || y1 <= y0 + 16 {
            return None;
        }
        let gray = GrayImage::from_fn(x1 - x0, y1 - y0, |x, y| {
            let [r, g, b] = rgb.get_pixel(x0 + x, y0 + y).0;
            image::Luma([((299 * r as u32 + 587 * g as u32 + 114 * b as u32) / 1000) as u8])
        });
        // Blur to about the grid's spacing so that samples do not alias on skin texture.
        let radius = ((face.width / GRID_COLUMNS as f32) / 2.0).max(1.0) as u32;
        let gray = imageproc::filter::box_filter(&gray, radius, radius);
        Some(Self {
            gray,
            origin: (x0 as f32, y0 as f32),
        })
    }

    fn sample(&self, x: f32, y: f32) -> f32 {
        let (x, y) = (x - self.origin.0, y - self.origin.1);
        let (w, h) = (self.gray.width() as f32, self.gray.height() as f32);
        let x = x.clamp(0.0, w - 1.001);
        let y = y.clamp(0.0, h - 1.001);
        let (ix, iy) = (x as u32, y as u32);
        let (fx, fy) = (x - ix as f32, y - iy as f32);
        let at = |dx: u32, dy: u32| self.gray.get_pixel(ix + dx, iy + dy).0[0] as f32;
        let top = at(0, 0) * (1.0 - fx) + at(1, 0) * fx;
        let bottom = at(0, 1) * (1.0 - fx) + at(1, 1) * fx;
        top * (1.0 - fy) + bottom * fy
    }

    /// How differently the two halves' edges look when mirrored about the line through
    /// `centre` shifted sideways by `shift` and tilted by `degrees`: mean absolute difference of
    /// edge strength over the mean edge strength.
    fn asymmetry(&self, face: &FaceBox, centre: (f32, f32), degrees: f32, shift: f32) -> f32 {
        let (sin, cos) = degrees.to_radians().sin_cos();
        let half_width = 0.36 * face.width;
        let (top, bottom) = (-0.30 * face.height, 0.30 * face.height);
        let mut grid = [[0f32; GRID_COLUMNS]; GRID_ROWS];
        for (row, cells) in grid.iter_mut().enumerate() {
            let v = top + (bottom - top) * row as f32 / (GRID_ROWS - 1) as f32;
            for (column, cell) in cells.iter_mut().enumerate() {
                let u = -half_width + 2.0 * half_width * column as f32 / (GRID_COLUMNS - 1) as f32;
                let (along, down) = (u + shift, v);
                let x = centre.0 + cos * along - sin * down;
                let y = centre.1 + sin * along + cos * down;
                *cell = self.sample(x, y);
            }
        }
        let edge = |row: usize, column: usize| {
            (grid[row][column + 1] - grid[row][column - 1]).abs()
                + (grid[row + 1][column] - grid[row - 1][column]).abs()
        };
        let (mut difference, mut strength) = (0.0f32, 0.0f32);
        for row in 1..GRID_ROWS - 1 {
            for column in 1..GRID_COLUMNS / 2 {
                let mirrored = GRID_COLUMNS - 1 - column;
                let (a, b) = (edge(row, column), edge(row, mirrored));
                difference += (a - b).abs();
                strength += a + b;
            }
        }
        // A face with hardly any edges (flat, or far out of focus) mirrors about every line.
        let cells = ((GRID_ROWS - 2) * (GRID_COLUMNS / 2 - 1) * 2) as f32;
        if strength / cells < MIN_MEAN_EDGE {
            return f32::INFINITY;
        }
        2.0 * difference / strength
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face_box() -> FaceBox {
        FaceBox {
            x: 100.0,
            y: 100.0,
            width: 200.0,
            height: 200.0,
            score: 10.0,
        }
    }

    /// Two dark eyes and a mouth, mirrored about a line tilted by `degrees` through (200, 200).
    fn drawn_face(degrees: f32) -> RgbImage {
        let (sin, cos) = degrees.to_radians().sin_cos();
        RgbImage::from_fn(400, 400, |x, y| {
            let (dx, dy) = (x as f32 - 200.0, y as f32 - 200.0);
            let (u, v) = (cos * dx + sin * dy, -sin * dx + cos * dy);
            let eye = ((u.abs() - 45.0).powi(2) / 400.0 + (v + 30.0).powi(2) / 100.0) < 1.0;
            let mouth = (u.powi(2) / 1600.0 + (v - 55.0).powi(2) / 64.0) < 1.0;
            let nose = u.abs() < 6.0 && v > -10.0 && v < 25.0;
            let value = if eye || mouth {
                40
            } else if nose {
                150
            } else {
                200
            };
            image::Rgb([value, value, value])
        })
    }

    #[test]
    fn the_tilt_of_a_drawn_face_is_found() {
        for degrees in [-12.0f32, -4.0, 0.0, 5.0, 15.0] {
            let axis = symmetry_axis(&drawn_face(degrees), &face_box()).unwrap();
            assert!(
                (axis.roll_degrees - degrees).abs() <= 1.0,
                "drawn at {degrees}°, found {axis:?}"
            );
            assert!((axis.center_x_at(200.0) - 200.0).abs() <= 4.0, "{axis:?}");
        }
    }

    #[test]
    fn a_featureless_face_has_no_axis() {
        let flat = RgbImage::from_pixel(400, 400, image::Rgb([200, 180, 170]));
        assert_eq!(symmetry_axis(&flat, &face_box()), None);
    }
}
