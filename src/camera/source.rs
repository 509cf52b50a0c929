//! What every frame source shares: the frame, the trait a source implements, its errors, the
//! capture format it reports, and the pacer that holds a replayed or synthetic source to its
//! frame rate.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use image::RgbImage;
use serde::Serialize;

/// One camera frame. The pixels sit behind an `Arc`, so the preview, the scanner and the capture
/// share one copy.
#[derive(Debug, Clone)]
pub struct Frame {
    pub image: Arc<RgbImage>,
    pub captured_at: Instant,
    /// Counts up from 1 for every frame the hub receives.
    pub sequence: u64,
}

/// A format a source can deliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaptureFormat {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// `MJPEG`, `YUYV`, … for webcams; `RGB` for files and synthetic frames.
    pub fourcc: String,
}

impl std::fmt::Display for CaptureFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}×{} {} @ {} fps",
            self.width, self.height, self.fourcc, self.fps
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CameraError {
    #[error("no camera found")]
    NoCamera,
    #[error("the camera could not be opened: {0}")]
    Open(String),
    #[error("the camera stopped delivering frames: {0}")]
    Read(String),
    #[error("a frame could not be decoded: {0}")]
    Decode(String),
    #[error("no images to replay in {0}")]
    NothingToReplay(PathBuf),
}

/// Decodes one MJPEG frame, as the webcam delivers it.
pub fn decode_mjpeg(bytes: &[u8]) -> Result<image::RgbImage, CameraError> {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
        .map(|image| image.into_rgb8())
        .map_err(|e| CameraError::Decode(e.to_string().trim().replace('\n', " ")))
}

/// Anything that delivers frames. `next_frame` blocks until the next frame is due. A source lives
/// on the camera worker's device thread from creation to drop (webcam handles cannot move between
/// threads), so the worker is given a way to build one rather than a source.
pub trait FrameSource {
    /// A short human name: "synthetic", "replay: DIR", "USB Camera (device 0)".
    fn name(&self) -> String;
    /// Formats the source can deliver (what it would pick is first).
    fn formats(&self) -> Vec<CaptureFormat>;
    /// Starts delivering; returns the format in use.
    fn open(&mut self) -> Result<CaptureFormat, CameraError>;
    fn next_frame(&mut self) -> Result<RgbImage, CameraError>;
    fn close(&mut self);
}

/// Paces a file or synthetic source to its frame rate, as a camera's shutter would. Frame rate 0
/// means as fast as asked (tests, benchmarks).
#[derive(Debug, Clone, Default)]
pub struct Pacer {
    fps: u32,
    next_due: Option<Instant>,
}

impl Pacer {
    pub fn new(fps: u32) -> Self {
        Self {
            fps,
            next_due: None,
        }
    }

    /// Blocks until the next frame is due.
    pub fn wait(&mut self) {
        if self.fps == 0 {
            return;
        }
        let period = std::time::Duration::from_secs_f64(1.0 / self.fps as f64);
        let now = Instant::now();
        let due = self.next_due.unwrap_or(now);
        if due > now {
            std::thread::sleep(due - now); // pacing the source, not synchronising
        }
        self.next_due = Some(due.max(now) + period);
    }

    pub fn restart(&mut self) {
        self.next_due = None;
    }
}
