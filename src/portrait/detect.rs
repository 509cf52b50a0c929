//! Face detection with rustface (SeetaFace, pure Rust, offline). The model is embedded in the
//! binary from assets/. Detection runs on a copy about 320 px wide: at full 1080p it takes about
//! a second, at that size tens of milliseconds.

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{GrayImage, RgbImage};

static MODEL: &[u8] = include_bytes!("../../assets/seeta_fd_frontal_v1.0.bin");

/// Width of the copy faces are searched in.
pub const DETECTION_WIDTH: u32 = 320;

/// A face, in the coordinates of the image it was found in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub score: f64,
}

impl FaceBox {
    pub fn center_x(&self) -> f32 {
        self.x + self.width / 2.0
    }
}

pub struct FaceDetector {
    inner: Box<dyn rustface::Detector>,
}

impl FaceDetector {
    pub fn new() -> std::io::Result<Self> {
        let model = rustface::read_model(MODEL)?;
        let mut inner = rustface::create_detector_with_model(model);
        inner.set_min_face_size(24);
        inner.set_score_thresh(2.0);
        inner.set_pyramid_scale_factor(0.8);
        inner.set_slide_window_step(4, 4);
        Ok(Self { inner })
    }

    /// Faces in `rgb`, best first, in `rgb`'s coordinates. When nothing is found at the usual
    /// width, a second pass at twice the width finds faces too small for it, so that a subject
    /// standing far back hears "move closer" rather than "no face". Only the small copy is ever
    /// turned grey: converting a whole 1080p frame cost more than the detection.
    pub fn detect(&mut self, rgb: &RgbImage) -> Vec<FaceBox> {
        let faces = self.detect_at_width(rgb, DETECTION_WIDTH);
        if faces.is_empty() && rgb.width() >= DETECTION_WIDTH * 3 {
            return self.detect_at_width(rgb, DETECTION_WIDTH * 2);
        }
        faces
    }

    fn detect_at_width(&mut self, rgb: &RgbImage, target_width: u32) -> Vec<FaceBox> {
        let width = rgb.width();
        let small = small_gray(rgb, target_width);
        let scale = width as f32 / small.width() as f32;
        let data = rustface::ImageData::new(small.as_raw(), small.width(), small.height());
        let mut faces: Vec<FaceBox> = self
            .inner
            .detect(&data)
            .into_iter()
            .map(|face| {
                let b = face.bbox();
                FaceBox {
                    x: b.x() as f32 * scale,
                    y: b.y() as f32 * scale,
                    width: b.width() as f32 * scale,
                    height: b.height() as f32 * scale,
                    score: face.score(),
                }
            })
            .collect();
        faces.sort_by(|a, b| b.score.total_cmp(&a.score));
        faces
    }
}

/// A grey copy `target_width` wide (area filter), or the whole image in grey if it is smaller.
fn small_gray(rgb: &RgbImage, target_width: u32) -> GrayImage {
    let (width, height) = rgb.dimensions();
    if width <= target_width {
        return image::imageops::grayscale(rgb);
    }
    let target_height =
        ((height as f64 * target_width as f64 / width as f64).round() as u32).max(1);
    let mut small = RgbImage::new(target_width, target_height);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Box));
    match Resizer::new().resize(rgb, &mut small, &options) {
        Ok(()) => image::imageops::grayscale(&small),
        Err(_) => image::imageops::grayscale(rgb),
    }
}
