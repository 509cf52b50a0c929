//! Levelling a tilted head: the crop is turned about the pupils' midpoint so that the line
//! through the pupils is level in the photo. People stand with a natural tilt of a few degrees
//! that they cannot correct by a degree or two on request, and the spec cares about the pupils
//! in the photo, not the student's neck. Up to [`MAX_LEVEL_DEGREES`]; past that the student is
//! asked to straighten up.
//!
//! Measures and crops of a levelled face live in *levelled coordinates*: the frame turned by
//! `-degrees` about the pupils' midpoint. The turned crop is cut from real pixels only: a crop
//! is accepted only when all four of its corners fall inside the frame ([`FrameArea`]), so the
//! photo never holds a padded corner.

use image::RgbImage;
use serde::Serialize;

/// The largest roll the crop absorbs by turning.
pub const MAX_LEVEL_DEGREES: f64 = 10.0;
/// A roll below this is left as it is: nobody sees it in the photo (the spec allows 3°), and
/// the turned cut costs several milliseconds.
pub const MIN_LEVEL_DEGREES: f64 = 0.75;

/// How the frame is turned for a levelled crop: by the pupils' roll, about their midpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Level {
    /// The turn taken out, in degrees: the pupils' roll in the frame (positive: the pupil on
    /// the image's right is lower). 0: the frame as it is.
    pub degrees: f64,
    pub centre_x: f64,
    pub centre_y: f64,
}

impl Level {
    /// The frame as it is.
    pub const NONE: Self = Self {
        degrees: 0.0,
        centre_x: 0.0,
        centre_y: 0.0,
    };

    /// The turn that levels pupils rolled by `roll_degrees` about `centre`, or none past
    /// [`MAX_LEVEL_DEGREES`], below [`MIN_LEVEL_DEGREES`] or for a roll that could not be
    /// measured.
    pub fn for_pupils(roll_degrees: f64, (centre_x, centre_y): (f64, f64)) -> Self {
        if !roll_degrees.is_finite()
            || roll_degrees.abs() > MAX_LEVEL_DEGREES
            || roll_degrees.abs() < MIN_LEVEL_DEGREES
        {
            return Self::NONE;
        }
        Self {
            degrees: roll_degrees,
            centre_x,
            centre_y,
        }
    }

    pub fn is_turned(&self) -> bool {
        self.degrees != 0.0
    }

    fn sin_cos(&self) -> (f64, f64) {
        self.degrees.to_radians().sin_cos()
    }

    /// Where a point in levelled coordinates lies in the frame.
    pub fn to_frame(&self, x: f64, y: f64) -> (f64, f64) {
        let (sin, cos) = self.sin_cos();
        let (dx, dy) = (x - self.centre_x, y - self.centre_y);
        (
            self.centre_x + cos * dx - sin * dy,
            self.centre_y + sin * dx + cos * dy,
        )
    }

    /// Where a point of the frame lies in levelled coordinates.
    pub fn to_levelled(&self, x: f64, y: f64) -> (f64, f64) {
        let (sin, cos) = self.sin_cos();
        let (dx, dy) = (x - self.centre_x, y - self.centre_y);
        (
            self.centre_x + cos * dx + sin * dy,
            self.centre_y - sin * dx + cos * dy,
        )
    }
}

/// Which side of the frame a crop runs over, for telling the student which way to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overrun {
    Above,
    Below,
    Left,
    Right,
}

/// The frame's pixels as seen in levelled coordinates: which crops lie wholly on them.
#[derive(Debug, Clone, Copy)]
pub struct FrameArea {
    pub width: f64,
    pub height: f64,
    pub level: Level,
    /// The turn's sine and cosine, worked out once: the crop search asks thousands of times.
    sin: f64,
    cos: f64,
}

/// How far a corner may fall outside the frame (rounding, not padding).
const EDGE_SLACK: f64 = 1e-6;

impl FrameArea {
    pub fn new(width: u32, height: u32, level: Level) -> Self {
        let (sin, cos) = level.sin_cos();
        Self {
            width: width as f64,
            height: height as f64,
            level,
            sin,
            cos,
        }
    }

    /// Where a levelled point lies in the frame ([`Level::to_frame`] with the turn cached).
    fn frame_point(&self, x: f64, y: f64) -> (f64, f64) {
        let (dx, dy) = (x - self.level.centre_x, y - self.level.centre_y);
        (
            self.level.centre_x + self.cos * dx - self.sin * dy,
            self.level.centre_y + self.sin * dx + self.cos * dy,
        )
    }

    fn corners(top: f64, width: f64, height: f64) -> [(f64, f64); 4] {
        [
            (0.0, top),
            (width, top),
            (0.0, top + height),
            (width, top + height),
        ]
    }

    /// The lefts at which a crop of `width`×`height` whose top is `top` lies wholly on the
    /// frame, as a closed interval; `None` when there is none.
    pub fn left_span(&self, top: f64, width: f64, height: f64) -> Option<(f64, f64)> {
        // A corner's frame position is linear in `left`: x = cos·left + bx, y = sin·left + by.
        let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
        for (dx, y) in Self::corners(top, width, height) {
            let (bx, by) = self.frame_point(dx, y);
            for (slope, base, limit) in [(self.cos, bx, self.width), (self.sin, by, self.height)] {
                let (min, max) = (-EDGE_SLACK, limit + EDGE_SLACK);
                if slope.abs() < 1e-12 {
                    if base < min || base > max {
                        return None;
                    }
                    continue;
                }
                let (a, b) = ((min - base) / slope, (max - base) / slope);
                lo = lo.max(a.min(b));
                hi = hi.min(a.max(b));
            }
        }
        (lo <= hi).then_some((lo, hi))
    }

    /// The pixel of `frame` (the frame this area was made for) at levelled position `(x, y)`,
    /// nearest neighbour, or `None` off the frame.
    pub fn pixel(&self, frame: &RgbImage, x: f64, y: f64) -> Option<[u8; 3]> {
        let (fx, fy) = self.frame_point(x, y);
        if fx < 0.0 || fy < 0.0 || fx >= frame.width() as f64 || fy >= frame.height() as f64 {
            return None;
        }
        Some(frame.get_pixel(fx as u32, fy as u32).0)
    }

    /// Whether the crop lies wholly on the frame.
    pub fn holds(&self, left: f64, top: f64, width: f64, height: f64) -> bool {
        self.left_span(top, width, height)
            .is_some_and(|(lo, hi)| left >= lo - EDGE_SLACK && left <= hi + EDGE_SLACK)
    }

    /// The side a crop placed at `left` runs over first: the top or bottom edge before the
    /// sides, as the student's height is the harder thing to change.
    pub fn overrun(&self, left: f64, top: f64, width: f64, height: f64) -> Option<Overrun> {
        let corners =
            Self::corners(top, width, height).map(|(dx, y)| self.frame_point(left + dx, y));
        let over = |test: fn(&Self, (f64, f64)) -> bool| corners.iter().any(|c| test(self, *c));
        if over(|_, (_, y)| y < -EDGE_SLACK) {
            Some(Overrun::Above)
        } else if over(|area, (_, y)| y > area.height + EDGE_SLACK) {
            Some(Overrun::Below)
        } else if over(|_, (x, _)| x < -EDGE_SLACK) {
            Some(Overrun::Left)
        } else if over(|area, (x, _)| x > area.width + EDGE_SLACK) {
            Some(Overrun::Right)
        } else {
            None
        }
    }
}

/// The levelled region with top-left corner `(left, top)` (levelled coordinates, whole
/// pixels) and `width`×`height` pixels, sampled bilinearly from `frame`. Positions a fraction of
/// a pixel past the frame's edge take the edge pixel; the caller keeps the region on the frame.
///
/// A crop at the source's scale is up to a megapixel and a half, so the sampling is in 16.16
/// fixed point, stepping along each row, and the rows are shared between two threads.
pub fn levelled_region(
    frame: &RgbImage,
    level: &Level,
    (left, top): (i64, i64),
    (width, height): (u32, u32),
) -> RgbImage {
    let mut out = RgbImage::new(width, height);
    if frame.width() == 0 || frame.height() == 0 || width == 0 || height == 0 {
        return out;
    }
    let row_bytes = width as usize * 3;
    let half = (height as usize).div_ceil(2) * row_bytes;
    let (upper, lower) = out.split_at_mut(half);
    let sample_rows = |rows: &mut [u8], first_row: usize| {
        for (index, row) in rows.chunks_exact_mut(row_bytes).enumerate() {
            let v = first_row + index;
            sample_row(frame, level, (left as f64, top as f64 + v as f64), row);
        }
    };
    std::thread::scope(|scope| {
        scope.spawn(|| sample_rows(lower, half / row_bytes));
        sample_rows(upper, 0);
    });
    out
}

/// One levelled row starting at levelled position `(x, y)` (its first pixel's top-left
/// corner), into `row` (RGB).
fn sample_row(frame: &RgbImage, level: &Level, (x, y): (f64, f64), row: &mut [u8]) {
    const ONE: i64 = 1 << 16;
    let (frame_w, frame_h) = (frame.width() as usize, frame.height() as usize);
    let raw = frame.as_raw();
    let stride = frame_w * 3;
    let (sin, cos) = level.sin_cos();
    // The frame position of the first pixel centre, less half a pixel, so that whole numbers
    // are pixel centres; each step right moves by (cos, sin).
    let (x0, y0) = level.to_frame(x + 0.5, y + 0.5);
    let mut fx = ((x0 - 0.5) * ONE as f64) as i64;
    let mut fy = ((y0 - 0.5) * ONE as f64) as i64;
    let (step_x, step_y) = ((cos * ONE as f64) as i64, (sin * ONE as f64) as i64);
    let (max_x, max_y) = ((frame_w as i64 - 1) * ONE, (frame_h as i64 - 1) * ONE);
    for pixel in row.chunks_exact_mut(3) {
        let (cx, cy) = (fx.clamp(0, max_x), fy.clamp(0, max_y));
        let (ix, iy) = ((cx >> 16) as usize, (cy >> 16) as usize);
        let (tx, ty) = (((cx >> 8) & 0xFF) as u32, ((cy >> 8) & 0xFF) as u32);
        let a = iy * stride + ix * 3;
        let right = if ix + 1 < frame_w { 3 } else { 0 };
        let down = if iy + 1 < frame_h { stride } else { 0 };
        for (channel, value) in pixel.iter_mut().enumerate() {
            let at = |offset: usize| u32::from(raw[a + offset + channel]);
            let upper = at(0) * (256 - tx) + at(right) * tx;
            let lower = at(down) * (256 - tx) + at(down + right) * tx;
            *value = ((upper * (256 - ty) + lower * ty + (1 << 15)) >> 16) as u8;
        }
        fx += step_x;
        fy += step_y;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levelling_turns_the_pupils_level_and_back() {
        let (right, left): ((f64, f64), (f64, f64)) = ((900.0, 500.0), (1000.0, 510.0));
        let roll = (left.1 - right.1).atan2(left.0 - right.0).to_degrees();
        let centre = ((right.0 + left.0) / 2.0, (right.1 + left.1) / 2.0);
        let level = Level::for_pupils(roll, centre);
        let (a, b) = (
            level.to_levelled(right.0, right.1),
            level.to_levelled(left.0, left.1),
        );
        assert!((a.1 - b.1).abs() < 1e-9, "{a:?} {b:?}");
        let back = level.to_frame(a.0, a.1);
        assert!((back.0 - right.0).abs() < 1e-9 && (back.1 - right.1).abs() < 1e-9);
        assert_eq!(Level::for_pupils(12.0, centre), Level::NONE);
        assert_eq!(
            Level::for_pupils(0.5, centre),
            Level::NONE,
            "too small to see"
        );
        assert_eq!(Level::for_pupils(f64::NAN, centre), Level::NONE);
    }

    #[test]
    fn a_turned_crop_is_held_only_with_every_corner_on_the_frame() {
        let flat = FrameArea::new(1920, 1080, Level::NONE);
        assert_eq!(
            flat.left_span(0.0, 480.0, 640.0),
            Some((0.0 - 1e-6, 1440.0 + 1e-6))
        );
        assert_eq!(flat.left_span(-1.0, 480.0, 640.0), None);
        assert_eq!(
            flat.overrun(700.0, -1.0, 480.0, 640.0),
            Some(Overrun::Above)
        );

        let turned = FrameArea::new(1920, 1080, Level::for_pupils(8.0, (960.0, 540.0)));
        // At the top edge a turned crop loses its upper corners, wherever it stands.
        assert!(!turned.holds(720.0, 0.0, 480.0, 640.0));
        assert_eq!(
            turned.overrun(720.0, 0.0, 480.0, 640.0),
            Some(Overrun::Above)
        );
        let (lo, hi) = turned.left_span(200.0, 480.0, 640.0).unwrap();
        assert!(lo > 0.0 && hi < 1440.0 && turned.holds(720.0, 200.0, 480.0, 640.0));
        for left in [lo, hi] {
            for (x, y) in [(0.0, 200.0), (480.0, 200.0), (0.0, 840.0), (480.0, 840.0)] {
                let (fx, fy) = turned.level.to_frame(left + x, y);
                assert!((-1e-3..=1920.001).contains(&fx) && (-1e-3..=1080.001).contains(&fy));
            }
        }
    }

    #[test]
    fn a_levelled_region_samples_the_turned_frame() {
        // A frame whose pixel value is its column: a region turned by 90° would read rows.
        let mut frame = RgbImage::new(64, 64);
        for (x, _, pixel) in frame.enumerate_pixels_mut() {
            *pixel = image::Rgb([(x * 4) as u8, 0, 0]);
        }
        let level = Level {
            degrees: 5.0,
            centre_x: 32.0,
            centre_y: 32.0,
        };
        let region = levelled_region(&frame, &level, (24, 24), (16, 16));
        for v in 0..16 {
            for u in 0..16 {
                let (fx, _) = level.to_frame(24.0 + u as f64 + 0.5, 24.0 + v as f64 + 0.5);
                let expected = (fx - 0.5) * 4.0;
                let got = region.get_pixel(u, v).0[0] as f64;
                assert!(
                    (got - expected).abs() <= 1.0,
                    "({u},{v}) {got} vs {expected}"
                );
            }
        }
    }
}
