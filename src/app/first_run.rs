//! The first-run guide's state: which step is showing, the cameras found, the settings being
//! chosen before they can be saved, and what was done or skipped. It is pure; the app moves it
//! on from commands and store events, and `ui::first_run` draws it.

use crate::camera::webcam::FormatPreference;
use crate::camera::{CaptureFormat, SourceSpec};
use crate::config::ConfigFile;

/// The guide's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FirstRunStep {
    Camera,
    Supervisor,
    Station,
    Import,
    Campus,
    Finished,
}

impl FirstRunStep {
    /// The five steps the user works through (the summary is not one of them).
    pub const WORK: [FirstRunStep; 5] = [
        Self::Camera,
        Self::Supervisor,
        Self::Station,
        Self::Import,
        Self::Campus,
    ];

    pub fn next(self) -> Self {
        match self {
            Self::Camera => Self::Supervisor,
            Self::Supervisor => Self::Station,
            Self::Station => Self::Import,
            Self::Import => Self::Campus,
            Self::Campus | Self::Finished => Self::Finished,
        }
    }

    /// Whether 跳过 is offered. The supervisor account is not: nobody could sign in without it,
    /// and every later step (and 主管 → 设置 itself) needs it.
    pub fn skippable(self) -> bool {
        !matches!(self, Self::Supervisor | Self::Finished)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    Done,
    Skipped,
    /// The camera step found no camera to choose.
    NoCamera,
}

/// A camera the guide offers: its config.toml setting, a name, and the formats it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraOption {
    pub setting: String,
    pub name: super::state::CameraName,
    pub formats: Vec<CaptureFormat>,
}

impl CameraOption {
    /// The options for the cameras the system reports, each as `device:N`.
    pub fn from_listings(listings: Vec<crate::camera::webcam::CameraListing>) -> Vec<Self> {
        listings
            .into_iter()
            .filter(|listing| listing.index.parse::<u32>().is_ok())
            .map(|listing| Self {
                setting: format!("device:{}", listing.index),
                name: super::state::CameraName::Device {
                    index: listing.index.parse().unwrap_or(0),
                    name: Some(listing.name).filter(|name| !name.trim().is_empty()),
                },
                formats: listing.formats,
            })
            .collect()
    }
}

/// The guide, from its first step to the summary.
#[derive(Debug, Clone)]
pub struct FirstRun {
    pub step: FirstRunStep,
    /// `None` while the system is still asked which cameras there are.
    pub cameras: Option<Vec<CameraOption>>,
    /// The setting of the camera running now, which is the one chosen until another is picked.
    pub running: Option<String>,
    /// The settings as chosen so far. Saving needs the supervisor, so the camera chosen in the
    /// first step waits here until the account exists.
    pub draft: ConfigFile,
    /// The settings as last saved, for a skipped step to fall back to.
    pub saved: ConfigFile,
    /// A save is on its way to the store; the step moves on when it is confirmed.
    pub saving: bool,
    pub outcomes: Vec<(FirstRunStep, StepOutcome)>,
}

impl FirstRun {
    pub fn new(settings: &ConfigFile) -> Self {
        Self {
            step: FirstRunStep::Camera,
            cameras: None,
            running: None,
            draft: settings.clone(),
            saved: settings.clone(),
            saving: false,
            outcomes: Vec::new(),
        }
    }

    pub fn outcome(&self, step: FirstRunStep) -> Option<StepOutcome> {
        self.outcomes
            .iter()
            .find(|(s, _)| *s == step)
            .map(|(_, outcome)| *outcome)
    }

    /// Records the current step's outcome and shows the next one.
    pub fn advance(&mut self, outcome: StepOutcome) {
        let step = self.step;
        self.outcomes.retain(|(s, _)| *s != step);
        self.outcomes.push((step, outcome));
        self.saving = false;
        self.step = step.next();
    }

    /// Whether the option is the camera chosen: the one picked, else the one running.
    pub fn is_chosen(&self, option: &CameraOption) -> bool {
        match &self.draft.camera {
            Some(picked) => *picked == option.setting,
            None => self.running.as_deref() == Some(option.setting.as_str()),
        }
    }

    /// The camera (and format) picked: kept in the draft until it can be saved.
    pub fn pick_camera(&mut self, setting: &str, format: Option<&CaptureFormat>) {
        self.running = Some(setting.to_string());
        self.draft.camera = Some(setting.to_string());
        self.draft.camera_resolution = format.map(|f| format!("{}x{}", f.width, f.height));
        self.draft.camera_format = format.map(|f| f.fourcc.clone());
    }

    /// The camera settings go back to the saved ones (the step was skipped).
    pub fn forget_camera(&mut self) {
        self.draft.camera = self.saved.camera.clone();
        self.draft.camera_resolution = self.saved.camera_resolution.clone();
        self.draft.camera_format = self.saved.camera_format.clone();
    }

    /// The station's settings go back to the saved ones (the step was skipped).
    pub fn forget_station(&mut self) {
        self.draft.station_name = self.saved.station_name.clone();
        self.draft.backdrop = self.saved.backdrop.clone();
        self.draft.jpeg_kb = self.saved.jpeg_kb.clone();
    }

    /// Whether the draft holds anything not saved yet.
    pub fn draft_unsaved(&self) -> bool {
        self.draft != self.saved
    }

    /// The format picked for the camera in the draft, if one was.
    pub fn picked_format(&self) -> Option<FormatPreference> {
        self.draft.camera.as_ref()?;
        let size = self
            .draft
            .camera_resolution
            .as_deref()
            .and_then(|text| text.split_once('x'))
            .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)));
        Some(FormatPreference {
            size,
            fourcc: self.draft.camera_format.clone(),
        })
    }
}

/// How a source is written in config.toml, for offering the camera already running.
pub fn source_setting(spec: &SourceSpec) -> String {
    match spec {
        SourceSpec::Synthetic => "synthetic".to_string(),
        SourceSpec::SyntheticIdle => "synthetic:idle".to_string(),
        SourceSpec::Replay(path) => format!("replay:{}", path.display()),
        SourceSpec::Device(index) => format!("device:{index}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(fourcc: &str, width: u32, height: u32) -> CaptureFormat {
        CaptureFormat {
            width,
            height,
            fps: 30,
            fourcc: fourcc.to_string(),
        }
    }

    #[test]
    fn steps_run_in_order_and_only_the_account_cannot_be_skipped() {
        let mut guide = FirstRun::new(&ConfigFile::default());
        let mut seen = vec![guide.step];
        while guide.step != FirstRunStep::Finished {
            guide.advance(if guide.step.skippable() {
                StepOutcome::Skipped
            } else {
                StepOutcome::Done
            });
            seen.push(guide.step);
        }
        assert_eq!(&seen[..5], &FirstRunStep::WORK);
        assert_eq!(
            guide.outcome(FirstRunStep::Supervisor),
            Some(StepOutcome::Done)
        );
        assert_eq!(
            guide.outcome(FirstRunStep::Camera),
            Some(StepOutcome::Skipped)
        );
        assert!(!FirstRunStep::Supervisor.skippable());
        assert!(FirstRunStep::WORK.iter().filter(|s| s.skippable()).count() == 4);
    }

    #[test]
    fn a_picked_camera_waits_in_the_draft_and_a_skip_restores_the_saved_one() {
        let saved = ConfigFile {
            camera: Some("device:0".to_string()),
            ..Default::default()
        };
        let mut guide = FirstRun::new(&saved);
        assert!(!guide.draft_unsaved());
        guide.pick_camera("device:2", Some(&format("MJPEG", 1280, 720)));
        assert!(guide.draft_unsaved());
        assert_eq!(guide.draft.camera_resolution.as_deref(), Some("1280x720"));
        assert_eq!(
            guide.picked_format(),
            Some(FormatPreference {
                size: Some((1280, 720)),
                fourcc: Some("MJPEG".to_string())
            })
        );
        guide.pick_camera("device:1", None);
        assert_eq!(guide.picked_format(), Some(FormatPreference::default()));
        guide.forget_camera();
        assert!(!guide.draft_unsaved());
        assert_eq!(guide.draft.camera.as_deref(), Some("device:0"));

        guide.draft.station_name = Some("东门-1".to_string());
        guide.draft.jpeg_kb = Some("25-35".to_string());
        guide.forget_station();
        assert!(!guide.draft_unsaved());
    }

    #[test]
    fn only_numbered_cameras_are_offered_as_devices() {
        let listing = |index: &str, name: &str| crate::camera::webcam::CameraListing {
            index: index.to_string(),
            name: name.to_string(),
            description: String::new(),
            formats: vec![format("YUYV", 640, 480)],
        };
        let options = CameraOption::from_listings(vec![
            listing("0", "HD Webcam"),
            listing("/dev/x", "?"),
            listing("3", " "),
        ]);
        assert_eq!(options.len(), 2);
        assert_eq!(options[0].setting, "device:0");
        assert_eq!(crate::i18n::ZH.camera_name(&options[0].name), "HD Webcam");
        assert_eq!(crate::i18n::ZH.camera_name(&options[1].name), "摄像头 3");
        assert_eq!(
            source_setting(&SourceSpec::Replay("/tmp/clips".into())),
            "replay:/tmp/clips"
        );
    }
}
