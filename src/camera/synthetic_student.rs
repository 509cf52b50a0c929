//! A drawn student in front of the booth backdrop, for the demo camera: a simple shaded face that
//! the real face detector finds and the portrait checks pass, so the whole Space → Enter flow can
//! be shown and tested without a webcam or anyone's real photo.

use image::{Rgb, RgbImage};
use imageproc::drawing::draw_polygon_mut;
use imageproc::point::Point;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StudentScene {
    pub backdrop: [u8; 3],
    /// Horizontal offset of the face from the frame centre, as a fraction of the frame width.
    pub offset: f32,
    pub seed: u64,
}

enum Half {
    Whole,
    Upper,
    Lower,
}

struct Canvas {
    image: RgbImage,
    scale: f32,
    cx: f32,
    cy: f32,
}

impl Canvas {
    /// Fills an ellipse given in the 1080-line design space, relative to the face centre.
    fn ellipse(&mut self, (x, y): (f32, f32), (rx, ry): (f32, f32), half: Half, color: [u8; 3]) {
        let (s, cx, cy) = (self.scale, self.cx, self.cy);
        let (ex, ey, rx, ry) = (cx + x * s, cy + y * s, rx * s, ry * s);
        let (w, h) = (self.image.width() as f32, self.image.height() as f32);
        let y0 = match half {
            Half::Lower => ey,
            _ => ey - ry,
        }
        .max(0.0) as u32;
        let y1 = match half {
            Half::Upper => ey,
            _ => ey + ry,
        }
        .min(h - 1.0)
        .max(0.0) as u32;
        for py in y0..=y1 {
            let dy = (py as f32 + 0.5 - ey) / ry;
            if dy.abs() > 1.0 {
                continue;
            }
            let half_width = rx * (1.0 - dy * dy).sqrt();
            let x0 = (ex - half_width).max(0.0) as u32;
            let x1 = (ex + half_width).min(w - 1.0).max(0.0) as u32;
            for px in x0..=x1 {
                self.image.put_pixel(px, py, Rgb(color));
            }
        }
    }

    fn polygon(&mut self, points: &[(f32, f32)], color: [u8; 3]) {
        let (s, cx, cy) = (self.scale, self.cx, self.cy);
        let points: Vec<Point<i32>> = points
            .iter()
            .map(|(x, y)| Point::new((cx + x * s).round() as i32, (cy + y * s).round() as i32))
            .collect();
        draw_polygon_mut(&mut self.image, &points, Rgb(color));
    }
}

/// Renders the student at `width`×`height`.
pub fn render_student_frame(scene: &StudentScene, width: u32, height: u32) -> RgbImage {
    let scale = height as f32 / 1080.0;
    let mut canvas = Canvas {
        image: RgbImage::from_pixel(width, height, Rgb(scene.backdrop)),
        scale,
        cx: width as f32 * (0.5 + scene.offset),
        cy: height as f32 * 0.435,
    };
    let skin = [226, 184, 152];
    let hair = [25, 20, 18];
    canvas.ellipse((0.0, 465.0), (330.0, 235.0), Half::Whole, [40, 40, 48]);
    canvas.polygon(
        &[(-55.0, 110.0), (55.0, 110.0), (55.0, 260.0), (-55.0, 260.0)],
        [205, 160, 130],
    );
    canvas.ellipse((0.0, -50.0), (132.0, 135.0), Half::Whole, hair);
    canvas.ellipse((0.0, 0.0), (110.0, 145.0), Half::Whole, skin);
    canvas.ellipse((0.0, -120.0), (120.0, 65.0), Half::Upper, hair);
    let eye_y = -20.0;
    for side in [-1.0f32, 1.0] {
        let x = side * 48.0;
        canvas.ellipse((x, eye_y), (24.0, 10.0), Half::Whole, [245, 245, 245]);
        canvas.ellipse((x, eye_y), (11.0, 11.0), Half::Whole, [45, 30, 25]);
        canvas.polygon(
            &[
                (x - 28.0, eye_y - 36.0),
                (x + 28.0, eye_y - 38.0),
                (x + 28.0, eye_y - 30.0),
                (x - 28.0, eye_y - 28.0),
            ],
            [40, 28, 22],
        );
        canvas.ellipse(
            (side * 110.0, eye_y + 17.5),
            (18.0, 32.5),
            Half::Whole,
            [215, 170, 140],
        );
    }
    canvas.polygon(
        &[
            (0.0, eye_y + 10.0),
            (-16.0, eye_y + 70.0),
            (16.0, eye_y + 70.0),
        ],
        [200, 150, 120],
    );
    canvas.ellipse(
        (0.0, eye_y + 71.0),
        (20.0, 9.0),
        Half::Whole,
        [190, 140, 112],
    );
    canvas.ellipse(
        (0.0, eye_y + 112.5),
        (38.0, 17.5),
        Half::Lower,
        [170, 80, 80],
    );

    let mut image = imageproc::filter::gaussian_blur_f32(&canvas.image, 2.0 * scale.max(0.5));
    add_skin_texture(&mut image, scene.backdrop, scene.seed);
    image
}

/// Fine grain on everything but the backdrop: a real face has texture, and the sharpness check
/// rightly refuses a perfectly smooth one.
fn add_skin_texture(image: &mut RgbImage, backdrop: [u8; 3], seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    for pixel in image.pixels_mut() {
        let distance: i32 = pixel
            .0
            .iter()
            .zip(backdrop)
            .map(|(a, b)| (*a as i32 - b as i32).abs())
            .sum();
        if distance <= 30 {
            continue;
        }
        // Sum of uniforms: close enough to Gaussian grain, σ ≈ 8.
        let grain = (0..4).map(|_| rng.f32() - 0.5).sum::<f32>() * 14.0;
        for channel in pixel.0.iter_mut() {
            *channel = (*channel as f32 + grain).clamp(0.0, 255.0) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::photo_spec::{Backdrop, SizeRange};
    use crate::portrait::pipeline::{PortraitPipeline, PortraitSettings};

    #[test]
    fn the_drawn_student_passes_the_portrait_checks() {
        let scene = StudentScene {
            backdrop: Backdrop::Blue.rgb(),
            offset: 0.0,
            seed: 1,
        };
        let frame = render_student_frame(&scene, 1920, 1080);
        let mut pipeline = PortraitPipeline::new(PortraitSettings {
            backdrop: Backdrop::Blue,
            size: SizeRange::default(),
        })
        .unwrap();
        let portrait = pipeline.process(&frame).unwrap();
        let failed: Vec<_> = portrait.report.checks.iter().filter(|c| !c.ok).collect();
        assert!(portrait.report.ok, "failed checks: {failed:?}");
        assert_eq!(portrait.image.dimensions(), (480, 640));
    }

    /// The soak loop draws its students at 1280×720 with a seed and an offset from the clock:
    /// every one of them must pass, or a soak run fails at random.
    #[test]
    fn every_drawn_student_the_soak_uses_passes() {
        let mut pipeline = PortraitPipeline::new(PortraitSettings::default()).unwrap();
        let mut failures = Vec::new();
        for seed in 0..40u64 {
            let scene = StudentScene {
                backdrop: Backdrop::Blue.rgb(),
                offset: ((seed % 7) as f32 - 3.0) * 0.01,
                seed,
            };
            let frame = render_student_frame(&scene, 1280, 720);
            let report = match pipeline.process(&frame) {
                Ok(portrait) => portrait.report,
                Err(report) => report,
            };
            if !report.ok {
                let failed: Vec<_> = report
                    .checks
                    .iter()
                    .filter(|c| !c.ok)
                    .map(|c| (c.rule, c.value))
                    .collect();
                failures.push((seed, failed));
            }
        }
        assert!(failures.is_empty(), "{failures:?}");
    }
}
