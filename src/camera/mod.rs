//! Frame sources behind one trait — the real webcam (nokhwa), replayed image files, and
//! synthetic scenes — plus the hub that hands the newest frame to whoever wants it, and the
//! supervised worker that keeps a source running through errors and stalls.

pub mod fault;
pub mod hub;
pub mod replay;
pub mod source;
pub mod synthetic;
pub mod synthetic_source;
pub mod synthetic_student;
pub mod webcam;
pub mod worker;

use std::path::PathBuf;

pub use hub::FrameHub;
pub use source::{CameraError, CaptureFormat, Frame, FrameSource, Pacer, decode_mjpeg};
pub use worker::{CameraFault, CameraHandle, CameraStatus, WatchdogSettings, spawn_camera};

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
