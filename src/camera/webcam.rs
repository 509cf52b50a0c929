//! The real webcam through nokhwa (V4L2 on Linux). Asks for MJPEG 1920×1080 at 30 fps, else the
//! best the camera offers, and decodes MJPEG with zune-jpeg (through the image crate).

use image::RgbImage;
use nokhwa::Camera;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution,
};

use super::source::{CameraError, CaptureFormat, FrameSource};

/// The format the booth wants: sharp enough to crop a 480×640 portrait from a 1080p frame.
const PREFERRED: (u32, u32, u32) = (1920, 1080, 30);

pub struct WebcamSource {
    index: u32,
    camera: Option<Camera>,
    /// The settings' wanted size and pixel format; used when the camera offers them.
    preference: FormatPreference,
}

/// A wanted capture size and/or pixel format (`MJPG`/`MJPEG` or `YUYV`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormatPreference {
    pub size: Option<(u32, u32)>,
    pub fourcc: Option<String>,
}

impl FormatPreference {
    /// The best offered format that matches the preference, else [`choose_format`]'s pick.
    pub fn choose(&self, offered: &[CaptureFormat]) -> Option<CaptureFormat> {
        let wanted_fourcc = self
            .fourcc
            .as_deref()
            .map(|f| match f.to_ascii_uppercase().as_str() {
                "MJPG" | "MJPEG" => "MJPEG".to_string(),
                other => other.to_string(),
            });
        let matching: Vec<CaptureFormat> = offered
            .iter()
            .filter(|f| self.size.is_none_or(|(w, h)| (f.width, f.height) == (w, h)))
            .filter(|f| wanted_fourcc.as_deref().is_none_or(|c| f.fourcc == c))
            .cloned()
            .collect();
        if (self.size.is_some() || self.fourcc.is_some()) && !matching.is_empty() {
            return choose_format(&matching).or_else(|| {
                matching
                    .into_iter()
                    .max_by_key(|f| (f.width * f.height, f.fps))
            });
        }
        choose_format(offered)
    }
}

/// The first camera the system reports, without opening it: for choosing the demo camera.
pub fn first_camera_index() -> Option<u32> {
    nokhwa::query(ApiBackend::Auto)
        .ok()?
        .into_iter()
        .find_map(|info| match info.index() {
            CameraIndex::Index(n) => Some(*n),
            CameraIndex::String(_) => None,
        })
}

/// A camera the system reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CameraListing {
    pub index: String,
    pub name: String,
    pub description: String,
    pub formats: Vec<CaptureFormat>,
}

impl WebcamSource {
    pub fn new(index: u32) -> Self {
        Self::with_preference(index, FormatPreference::default())
    }

    pub fn with_preference(index: u32, preference: FormatPreference) -> Self {
        Self {
            index,
            camera: None,
            preference,
        }
    }
}

/// The cameras present, with their formats. An empty list is not an error.
pub fn list_cameras() -> Result<Vec<CameraListing>, CameraError> {
    let cameras = match nokhwa::query(ApiBackend::Auto) {
        Ok(cameras) => cameras,
        Err(error) => {
            tracing::info!(%error, "camera query failed; treating as no cameras");
            return Ok(Vec::new());
        }
    };
    Ok(cameras
        .into_iter()
        .map(|info| {
            let formats = match info.index() {
                CameraIndex::Index(n) => WebcamSource::new(*n).formats(),
                CameraIndex::String(_) => Vec::new(),
            };
            CameraListing {
                index: info.index().to_string(),
                name: info.human_name(),
                description: info.description().to_string(),
                formats,
            }
        })
        .collect())
}

fn to_capture_format(format: &CameraFormat) -> CaptureFormat {
    CaptureFormat {
        width: format.width(),
        height: format.height(),
        fps: format.frame_rate(),
        fourcc: format.format().to_string(),
    }
}

/// Picks MJPEG 1080p30 when offered, else the largest MJPEG, else the largest YUYV, preferring
/// higher frame rates at equal size.
pub fn choose_format(offered: &[CaptureFormat]) -> Option<CaptureFormat> {
    let (w, h, fps) = PREFERRED;
    if let Some(exact) = offered
        .iter()
        .find(|f| f.fourcc == "MJPEG" && (f.width, f.height, f.fps) == (w, h, fps))
    {
        return Some(exact.clone());
    }
    offered
        .iter()
        .filter(|f| f.fourcc == "MJPEG" || f.fourcc == "YUYV")
        .filter(|f| f.fps >= 10)
        .max_by_key(|f| {
            (
                f.fourcc == "MJPEG",
                (f.width * f.height).min(w * h),
                f.fps.min(fps),
            )
        })
        .cloned()
}

impl FrameSource for WebcamSource {
    fn name(&self) -> String {
        format!("webcam (device {})", self.index)
    }

    fn formats(&self) -> Vec<CaptureFormat> {
        let request = RequestedFormat::with_formats(
            RequestedFormatType::None,
            &[FrameFormat::MJPEG, FrameFormat::YUYV],
        );
        Camera::new(CameraIndex::Index(self.index), request)
            .and_then(|mut camera| camera.compatible_camera_formats())
            .map(|formats| formats.iter().map(to_capture_format).collect())
            .unwrap_or_default()
    }

    fn open(&mut self) -> Result<CaptureFormat, CameraError> {
        let offered = self.formats();
        if offered.is_empty() {
            return Err(CameraError::NoCamera);
        }
        let chosen = self
            .preference
            .choose(&offered)
            .ok_or_else(|| CameraError::Open("no MJPEG or YUYV format offered".to_string()))?;
        let fourcc = if chosen.fourcc == "MJPEG" {
            FrameFormat::MJPEG
        } else {
            FrameFormat::YUYV
        };
        let exact = CameraFormat::new(
            Resolution::new(chosen.width, chosen.height),
            fourcc,
            chosen.fps,
        );
        let wanted = [fourcc];
        let request = RequestedFormat::with_formats(RequestedFormatType::Exact(exact), &wanted);
        let mut camera = Camera::new(CameraIndex::Index(self.index), request)
            .map_err(|e| CameraError::Open(e.to_string()))?;
        camera
            .open_stream()
            .map_err(|e| CameraError::Open(e.to_string()))?;
        let in_use = to_capture_format(&camera.camera_format());
        self.camera = Some(camera);
        Ok(in_use)
    }

    fn next_frame(&mut self) -> Result<RgbImage, CameraError> {
        let camera = self
            .camera
            .as_mut()
            .ok_or_else(|| CameraError::Read("the camera is not open".to_string()))?;
        let buffer = camera
            .frame()
            .map_err(|e| CameraError::Read(e.to_string()))?;
        let resolution = buffer.resolution();
        match buffer.source_frame_format() {
            FrameFormat::MJPEG => super::source::decode_mjpeg(buffer.buffer()),
            FrameFormat::YUYV => {
                yuyv_to_rgb(buffer.buffer(), resolution.width(), resolution.height())
            }
            other => Err(CameraError::Decode(format!(
                "unsupported pixel format {other}"
            ))),
        }
    }

    fn close(&mut self) {
        if let Some(mut camera) = self.camera.take() {
            let _ = camera.stop_stream();
        }
    }
}

/// Converts packed YUYV 4:2:2 (BT.601, limited range) to RGB.
pub fn yuyv_to_rgb(data: &[u8], width: u32, height: u32) -> Result<RgbImage, CameraError> {
    let expected = width as usize * height as usize * 2;
    if data.len() < expected || !width.is_multiple_of(2) {
        return Err(CameraError::Decode(format!(
            "YUYV frame has {} bytes, {width}×{height} needs {expected}",
            data.len()
        )));
    }
    let mut rgb = Vec::with_capacity(width as usize * height as usize * 3);
    for chunk in data[..expected].chunks_exact(4) {
        let (y0, u, y1, v) = (
            chunk[0] as f32,
            chunk[1] as f32,
            chunk[2] as f32,
            chunk[3] as f32,
        );
        for y in [y0, y1] {
            let c = 1.164 * (y - 16.0);
            let (d, e) = (u - 128.0, v - 128.0);
            rgb.push((c + 1.596 * e).clamp(0.0, 255.0) as u8);
            rgb.push((c - 0.392 * d - 0.813 * e).clamp(0.0, 255.0) as u8);
            rgb.push((c + 2.017 * d).clamp(0.0, 255.0) as u8);
        }
    }
    RgbImage::from_raw(width, height, rgb)
        .ok_or_else(|| CameraError::Decode("YUYV conversion size mismatch".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(fourcc: &str, width: u32, height: u32, fps: u32) -> CaptureFormat {
        CaptureFormat {
            width,
            height,
            fps,
            fourcc: fourcc.to_string(),
        }
    }

    #[test]
    fn prefers_mjpeg_1080p30_then_the_best_offered() {
        let offered = [
            format("YUYV", 1920, 1080, 5),
            format("MJPEG", 1920, 1080, 30),
            format("MJPEG", 1280, 720, 60),
        ];
        assert_eq!(
            choose_format(&offered),
            Some(format("MJPEG", 1920, 1080, 30))
        );
        let offered = [
            format("YUYV", 1280, 720, 10),
            format("MJPEG", 1280, 720, 30),
        ];
        assert_eq!(
            choose_format(&offered),
            Some(format("MJPEG", 1280, 720, 30))
        );
        let preference = FormatPreference {
            size: Some((1280, 720)),
            fourcc: Some("YUYV".to_string()),
        };
        assert_eq!(
            preference.choose(&offered),
            Some(format("YUYV", 1280, 720, 10))
        );
        let unmet = FormatPreference {
            size: Some((640, 360)),
            fourcc: None,
        };
        assert_eq!(unmet.choose(&offered), Some(format("MJPEG", 1280, 720, 30)));
        let offered = [format("YUYV", 640, 480, 30), format("NV12", 1920, 1080, 30)];
        assert_eq!(choose_format(&offered), Some(format("YUYV", 640, 480, 30)));
        assert_eq!(choose_format(&[]), None);
    }

    #[test]
    fn yuyv_grey_and_bad_sizes() {
        let rgb = yuyv_to_rgb(&[126, 128, 126, 128], 2, 1).unwrap();
        assert!(
            rgb.pixels()
                .all(|p| p.0.iter().all(|c| (125..=130).contains(c)))
        );
        assert!(yuyv_to_rgb(&[0; 3], 2, 1).is_err());
    }

    #[test]
    fn no_webcam_here_is_not_an_error() {
        assert!(list_cameras().is_ok());
    }
}
