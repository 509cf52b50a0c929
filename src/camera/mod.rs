//! Frame sources behind one trait — the real webcam (nokhwa), replayed image files, and
//! synthetic scenes — plus the hub that hands the newest frame to whoever wants it, and the
//! supervised worker that keeps a source running through errors and stalls.

pub mod fault;
pub mod hub;
pub mod replay;
pub mod synthetic;
pub mod synthetic_source;
pub mod synthetic_student;
pub mod webcam;
pub mod worker;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use image::RgbImage;
use serde::Serialize;

pub use hub::FrameHub;
pub use worker::{CameraFault, CameraHandle, CameraStatus, WatchdogSettings, spawn_camera};

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

/// Which source to use, as written on the command line or in the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    Synthetic,
    /// The demo camera with no one at the counter: a busy scene and no code, to measure what an
    /// idle booth costs.
    SyntheticIdle,
    Replay(PathBuf),
    Device(u32),
}

/// A camera as the window names it (worded by `i18n`): the system's own name for a device when it
/// has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraName {
    /// Frames published by a test, not a camera.
    Test,
    Demo,
    Replay(PathBuf),
    Device {
        index: u32,
        name: Option<String>,
    },
}

impl CameraName {
    pub fn of(spec: &SourceSpec) -> Self {
        match spec {
            SourceSpec::Synthetic | SourceSpec::SyntheticIdle => Self::Demo,
            SourceSpec::Replay(path) => Self::Replay(path.clone()),
            SourceSpec::Device(index) => Self::Device {
                index: *index,
                name: None,
            },
        }
    }
}

impl std::str::FromStr for SourceSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.split_once(':') {
            None if text == "synthetic" => Ok(Self::Synthetic),
            Some(("synthetic", "idle")) => Ok(Self::SyntheticIdle),
            Some(("replay", path)) if !path.is_empty() => Ok(Self::Replay(PathBuf::from(path))),
            Some(("device", index)) => index
                .parse()
                .map(Self::Device)
                .map_err(|_| format!("'{index}' is not a device number")),
            _ => Err(format!(
                "'{text}' is not a source: use synthetic, synthetic:idle, replay:DIR or device:N"
            )),
        }
    }
}

impl SourceSpec {
    /// Builds a fresh source; the worker calls this again to reopen after a fault.
    pub fn build(&self, fps: u32) -> Box<dyn FrameSource> {
        self.build_with(fps, &webcam::FormatPreference::default())
    }

    /// [`Self::build`] with the settings' wanted webcam size and format.
    pub fn build_with(
        &self,
        fps: u32,
        preference: &webcam::FormatPreference,
    ) -> Box<dyn FrameSource> {
        match self {
            Self::Synthetic => Box::new(synthetic_source::SyntheticSource::new(1920, 1080, fps)),
            Self::SyntheticIdle => {
                Box::new(synthetic_source::SyntheticSource::idle(1920, 1080, fps))
            }
            Self::Replay(path) => Box::new(replay::ReplaySource::new(path.clone(), fps)),
            Self::Device(index) => Box::new(webcam::WebcamSource::with_preference(
                *index,
                preference.clone(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_specs_parse() {
        assert_eq!("synthetic".parse(), Ok(SourceSpec::Synthetic));
        assert_eq!("synthetic:idle".parse(), Ok(SourceSpec::SyntheticIdle));
        assert_eq!("device:2".parse(), Ok(SourceSpec::Device(2)));
        assert_eq!(
            "replay:/tmp/x".parse(),
            Ok(SourceSpec::Replay(PathBuf::from("/tmp/x")))
        );
        assert!("device:x".parse::<SourceSpec>().is_err());
        assert!("webcam".parse::<SourceSpec>().is_err());
    }
}
