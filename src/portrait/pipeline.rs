//! One call from a frame to a finished portrait: detect exactly one face, measure it, plan the
//! crop, resample, check, and encode inside the size range. Used alike for live frames, stills
//! in the CLI and the shot in the booth window.

use std::time::Instant;

use image::RgbImage;
use serde::Serialize;

use super::checks::{Check, run_checks};
use super::detect::FaceDetector;
use super::encode::{EncodeError, encode_in_range, resample};
use super::geometry::{Crop, CropAdjust, Framing, fallback_crop, measure, plan_crop};
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

impl PortraitError {
    pub fn message_zh(&self) -> String {
        match self {
            Self::NoFace => "未检测到人脸".to_string(),
            Self::SeveralFaces { count } => format!("检测到{count}张人脸，画面中只能有一人"),
            Self::Framing(framing) => framing.message_zh().to_string(),
            Self::Encode(EncodeError::TooLargeAtMinimumQuality { .. }) => {
                "质量60时文件仍超过上限".to_string()
            }
            Self::Encode(EncodeError::TooSmallAtMaximumQuality { .. }) => {
                "质量100时文件仍小于下限".to_string()
            }
            Self::Encode(EncodeError::Failed(_)) | Self::Resample => "图像处理失败".to_string(),
        }
    }
}

/// The report printed by `capture-station portrait --json` and shown beside the shot.
#[derive(Debug, Clone, Serialize)]
pub struct PortraitReport {
    pub ok: bool,
    pub checks: Vec<Check>,
    pub bytes: usize,
    pub quality: u8,
    pub ms: f64,
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
            checks: vec![Check {
                rule: "face",
                value: 0.0,
                range: [1.0, 1.0],
                ok: false,
                message: format!("{} {error}", error.message_zh()),
            }],
            bytes: 0,
            quality: 0,
            ms: 0.0,
            error: Some(error),
            crop: None,
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
    settings: PortraitSettings,
}

impl PortraitPipeline {
    pub fn new(settings: PortraitSettings) -> std::io::Result<Self> {
        Ok(Self {
            detector: FaceDetector::new()?,
            settings,
        })
    }

    /// Makes the portrait from `frame`. On failure the report says why (with `ok: false`).
    pub fn process(&mut self, frame: &RgbImage) -> Result<Portrait, PortraitReport> {
        self.process_adjusted(frame, CropAdjust::default())
    }

    /// [`Self::process`] with the operator's nudges applied to the planned crop. When no crop
    /// fits the spec, nudging starts from a fallback crop, and the checks say what is wrong.
    pub fn process_adjusted(
        &mut self,
        frame: &RgbImage,
        adjust: CropAdjust,
    ) -> Result<Portrait, PortraitReport> {
        let started = Instant::now();
        let failed = |error: PortraitError| PortraitReport {
            ms: elapsed_ms(started),
            ..PortraitReport::failed(error)
        };
        let faces = self.detector.detect(frame);
        let face = match faces.as_slice() {
            [] => return Err(failed(PortraitError::NoFace)),
            [face] => *face,
            many => {
                return Err(failed(PortraitError::SeveralFaces { count: many.len() }));
            }
        };
        let backdrop = self.settings.backdrop.rgb();
        let measures = measure(frame, &face, backdrop);
        let (width, height) = frame.dimensions();
        let crop = match plan_crop(&measures, width, height) {
            Ok(crop) if adjust.is_none() => crop,
            Ok(crop) => adjust.apply(&crop, width, height),
            Err(_) if !adjust.is_none() => {
                adjust.apply(&fallback_crop(&measures, width, height), width, height)
            }
            Err(framing) => return Err(failed(PortraitError::Framing(framing))),
        };
        let image = resample(frame, &crop).ok_or_else(|| failed(PortraitError::Resample))?;
        let checks = run_checks(&image, &measures, &crop, backdrop);
        let encoded = encode_in_range(&image, self.settings.size)
            .map_err(|error| failed(PortraitError::Encode(error)))?;
        let report = PortraitReport {
            ok: checks.iter().all(|c| c.ok),
            checks,
            bytes: encoded.bytes.len(),
            quality: encoded.quality,
            ms: elapsed_ms(started),
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

fn elapsed_ms(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1e4).round() / 10.0
}
