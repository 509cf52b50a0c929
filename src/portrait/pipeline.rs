//! One call from a frame to a finished portrait: detect exactly one face, measure it, plan the
//! crop, resample, check, and encode inside the size range. Used alike for live frames, stills
//! in the CLI and the shot in the booth window.

use std::time::Instant;

use image::RgbImage;
use serde::Serialize;

use super::checks::{Check, MAX_ROLL_DEGREES, placement_checks, pose_checks, run_checks};
use super::detect::{FaceBox, FaceDetector};
use super::encode::{EncodeError, encode_in_range, resample};
use super::geometry::{Crop, CropAdjust, FaceMeasures, Framing, fallback_crop, measure, plan_crop};
use super::landmarks::{FaceLandmarks, FaceMesh, MIN_PRESENCE};
use crate::domain::photo_spec::{Backdrop, SizeRange};

#[derive(Debug, Clone, Copy, Default)]
pub struct PortraitSettings {
    pub backdrop: Backdrop,
    pub size: SizeRange,
}

/// Why no portrait could be made at all.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum PortraitError {
    #[error("no face found")]
    NoFace,
    #[error("{count} faces found; exactly one person must be in the frame")]
    SeveralFaces { count: usize },
    #[error("{0}")]
    Framing(Framing),
    #[error("{0}")]
    Encode(EncodeError),
    #[error("the crop could not be resampled")]
    Resample,
}

/// Milliseconds spent in each stage of one run; a stage that did not run stays 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct StageTimes {
    /// Face detection (including the second pass at twice the width when the first finds none).
    pub detect_ms: f64,
    /// The face mesh and the iris model.
    pub landmarks_ms: f64,
    /// Eye line, roll and head top on the source frame, and the crop plan (levelled, and again
    /// as the frame stands when no levelled crop fits).
    pub measure_ms: f64,
    /// Cutting the crop out (turned, when levelled) and resampling it to 480×640.
    pub resample_ms: f64,
    pub checks_ms: f64,
    /// The JPEG size search.
    pub encode_ms: f64,
}

/// Times consecutive stages with one clock.
struct StageClock {
    started: Instant,
    lap: Instant,
}

impl StageClock {
    fn start() -> Self {
        let now = Instant::now();
        Self {
            started: now,
            lap: now,
        }
    }

    /// Milliseconds since the previous lap (or the start).
    fn lap(&mut self) -> f64 {
        let now = Instant::now();
        let ms = round_ms(now - self.lap);
        self.lap = now;
        ms
    }

    fn total(&self) -> f64 {
        round_ms(self.started.elapsed())
    }
}

fn round_ms(duration: std::time::Duration) -> f64 {
    (duration.as_secs_f64() * 1e4).round() / 10.0
}

/// The report printed by `capture-station portrait --json` and shown beside the shot.
#[derive(Debug, Clone, Serialize)]
pub struct PortraitReport {
    pub ok: bool,
    pub checks: Vec<Check>,
    pub bytes: usize,
    pub quality: u8,
    pub ms: f64,
    /// Where `ms` went, stage by stage.
    pub stages: StageTimes,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<PortraitError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crop: Option<Crop>,
}

impl PortraitReport {
    /// The report of a shot that produced no portrait, with the reason as its one check.
    pub fn failed(error: PortraitError) -> Self {
        Self {
            ok: false,
            checks: vec![Check::new("face", 0.0, [1.0, 1.0])],
            bytes: 0,
            quality: 0,
            ms: 0.0,
            stages: StageTimes::default(),
            error: Some(error),
            crop: None,
        }
    }
}

/// Live advice for the operator: what the student should fix, framing first; none when the
/// face is placed and posed for a compliant photo.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guidance {
    pub face_found: bool,
    pub hints: Vec<Hint>,
    pub ms: f64,
}

impl Guidance {
    pub fn ready(&self) -> bool {
        self.face_found && self.hints.is_empty()
    }
}

/// One thing to fix; `i18n` words it for the operator and the student.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Hint {
    /// A failed check, and on which side.
    Check {
        rule: &'static str,
        outcome: super::checks::Outcome,
    },
    /// No compliant crop: where the student should move.
    Framing { framing: Framing },
    /// No face, or more than one.
    Face { error: PortraitError },
}

impl Hint {
    fn of(check: &Check) -> Self {
        Self::Check {
            rule: check.rule,
            outcome: check.outcome,
        }
    }
}

#[derive(Debug)]
pub struct Portrait {
    pub image: RgbImage,
    pub jpeg: Vec<u8>,
    pub report: PortraitReport,
}

pub struct PortraitPipeline {
    detector: FaceDetector,
    mesh: FaceMesh,
    settings: PortraitSettings,
}

impl PortraitPipeline {
    pub fn new(settings: PortraitSettings) -> std::io::Result<Self> {
        Ok(Self {
            detector: FaceDetector::new()?,
            mesh: FaceMesh::new().map_err(std::io::Error::other)?,
            settings,
        })
    }

    /// The one face in `frame` and its landmarks (when the mesh is confident), or why there is
    /// none.
    fn find_face(
        &mut self,
        frame: &RgbImage,
        stages: &mut StageTimes,
        clock: &mut StageClock,
    ) -> Result<(FaceBox, Option<FaceLandmarks>), PortraitError> {
        let faces = self.detector.detect(frame);
        stages.detect_ms = clock.lap();
        let face = match faces.as_slice() {
            [] => return Err(PortraitError::NoFace),
            [face] => *face,
            many => return Err(PortraitError::SeveralFaces { count: many.len() }),
        };
        let landmarks = match self.mesh.landmarks(frame, &face) {
            Ok(marks) if marks.presence >= MIN_PRESENCE => Some(marks),
            Ok(_) => None,
            Err(error) => {
                tracing::warn!("face landmarks failed: {error}");
                None
            }
        };
        stages.landmarks_ms = clock.lap();
        Ok((face, landmarks))
    }

    /// The face's measures and its crop: levelled when the pupils' roll is within what the crop
    /// absorbs and a levelled crop fits the frame. When none fits (a turned crop loses its
    /// corners first near the frame's edge), a roll small enough to pass as it is gets the crop
    /// as the frame stands; a larger one keeps the levelled plan's answer, which says which way
    /// to move, rather than asking the student to straighten up by a few degrees.
    fn plan(
        frame: &RgbImage,
        face: &FaceBox,
        landmarks: Option<&FaceLandmarks>,
    ) -> (FaceMeasures, Result<Crop, Framing>) {
        let (width, height) = frame.dimensions();
        let levelled = measure(frame, face, landmarks, true);
        let planned = plan_crop(&levelled, width, height);
        if planned.is_ok() || !levelled.level.is_turned() {
            return (levelled, planned);
        }
        if levelled.level.degrees.abs() <= MAX_ROLL_DEGREES {
            let as_it_stands = measure(frame, face, landmarks, false);
            if let Ok(crop) = plan_crop(&as_it_stands, width, height) {
                return (as_it_stands, Ok(crop));
            }
        }
        (levelled, planned)
    }

    /// What the operator should have the student do before pressing Space, for a live frame:
    /// the framing and pose checks only (no resampling or encoding), fast enough for the preview.
    pub fn guide(&mut self, frame: &RgbImage) -> Guidance {
        let mut clock = StageClock::start();
        let mut stages = StageTimes::default();
        let (face, landmarks) = match self.find_face(frame, &mut stages, &mut clock) {
            Ok(found) => found,
            Err(error) => {
                return Guidance {
                    face_found: false,
                    hints: vec![Hint::Face { error }],
                    ms: clock.total(),
                };
            }
        };
        let (measures, planned) = Self::plan(frame, &face, landmarks.as_ref());
        let mut hints = Vec::new();
        let placement = match planned {
            Ok(crop) => placement_checks(&measures, &crop),
            Err(framing) => {
                hints.push(Hint::Framing { framing });
                Vec::new()
            }
        };
        for check in placement.iter().chain(&pose_checks(&measures)) {
            let hint = Hint::of(check);
            if !check.ok && !hints.contains(&hint) {
                hints.push(hint);
            }
        }
        Guidance {
            face_found: true,
            hints,
            ms: clock.total(),
        }
    }

    /// Makes the portrait from `frame`. On failure the report says why (with `ok: false`).
    #[expect(
        clippy::result_large_err,
        reason = "the failure report is the answer shown to the operator, made once per shot"
    )]
    pub fn process(&mut self, frame: &RgbImage) -> Result<Portrait, PortraitReport> {
        self.process_adjusted(frame, CropAdjust::default())
    }

    /// [`Self::process`] with the operator's nudges applied to the planned crop. When no crop
    /// fits the spec, nudging starts from a fallback crop, and the checks say what is wrong.
    #[expect(
        clippy::result_large_err,
        reason = "the failure report is the answer shown to the operator, made once per shot"
    )]
    pub fn process_adjusted(
        &mut self,
        frame: &RgbImage,
        adjust: CropAdjust,
    ) -> Result<Portrait, PortraitReport> {
        let mut clock = StageClock::start();
        let mut stages = StageTimes::default();
        let failed =
            |error: PortraitError, clock: &StageClock, stages: StageTimes| PortraitReport {
                ms: clock.total(),
                stages,
                ..PortraitReport::failed(error)
            };
        let (face, landmarks) = self
            .find_face(frame, &mut stages, &mut clock)
            .map_err(|error| failed(error, &clock, stages))?;
        let (width, height) = frame.dimensions();
        let (measures, planned) = Self::plan(frame, &face, landmarks.as_ref());
        let crop = match planned {
            Ok(crop) if adjust.is_none() => crop,
            Ok(crop) => adjust.apply(&crop, width, height),
            Err(_) if !adjust.is_none() => {
                adjust.apply(&fallback_crop(&measures, width, height), width, height)
            }
            Err(framing) => {
                stages.measure_ms = clock.lap();
                return Err(failed(PortraitError::Framing(framing), &clock, stages));
            }
        };
        stages.measure_ms = clock.lap();
        let Some(image) = resample(frame, &crop) else {
            return Err(failed(PortraitError::Resample, &clock, stages));
        };
        stages.resample_ms = clock.lap();
        let checks = run_checks(&image, &measures, &crop, self.settings.backdrop.rgb());
        stages.checks_ms = clock.lap();
        let encoded = encode_in_range(&image, self.settings.size);
        stages.encode_ms = clock.lap();
        let encoded =
            encoded.map_err(|error| failed(PortraitError::Encode(error), &clock, stages))?;
        let report = PortraitReport {
            ok: checks.iter().all(|c| c.ok),
            checks,
            bytes: encoded.bytes.len(),
            quality: encoded.quality,
            ms: clock.total(),
            stages,
            error: None,
            crop: Some(crop),
        };
        Ok(Portrait {
            image,
            jpeg: encoded.bytes,
            report,
        })
    }
}
