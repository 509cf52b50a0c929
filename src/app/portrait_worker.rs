//! The portrait thread: turns the frame taken at Space (and every nudge of it) into the checked
//! 480×640 JPEG, and keeps a full-size JPEG of the original so the photo can be re-cropped later.
//! A panic on one frame is caught and reported as a failed shot.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{SyncSender, sync_channel};

use image::RgbImage;

use crate::portrait::geometry::CropAdjust;
use crate::portrait::pipeline::{
    Portrait, PortraitError, PortraitPipeline, PortraitReport, PortraitSettings,
};

/// JPEG quality of the kept original: close to lossless, yet a few hundred KB at 1080p.
const ORIGINAL_QUALITY: u8 = 92;

pub enum PortraitJob {
    Process {
        shot_id: u64,
        frame: Arc<RgbImage>,
        adjust: CropAdjust,
        keep_original: bool,
    },
    Settings(PortraitSettings),
}

#[derive(Debug)]
pub struct PortraitOutcome {
    pub shot_id: u64,
    pub result: Result<Portrait, PortraitReport>,
    pub original_jpeg: Option<Vec<u8>>,
}

/// Where the worker sends each outcome; `false` when no one listens any more (the window
/// closed), and the worker stops.
pub type PortraitSink = Box<dyn Fn(Box<PortraitOutcome>) -> bool + Send>;

pub fn spawn_portrait_worker(
    settings: PortraitSettings,
    send: PortraitSink,
) -> std::io::Result<SyncSender<PortraitJob>> {
    let (jobs, receiver) = sync_channel::<PortraitJob>(4);
    std::thread::Builder::new()
        .name("portrait".to_string())
        .spawn(move || {
            let mut pipeline = match PortraitPipeline::new(settings) {
                Ok(pipeline) => pipeline,
                Err(error) => {
                    tracing::error!("the face detector did not load: {error}");
                    return;
                }
            };
            for job in receiver {
                match job {
                    PortraitJob::Settings(settings) => match PortraitPipeline::new(settings) {
                        Ok(new) => pipeline = new,
                        Err(error) => tracing::error!("portrait settings not applied: {error}"),
                    },
                    PortraitJob::Process {
                        shot_id,
                        frame,
                        adjust,
                        keep_original,
                    } => {
                        let outcome = catch_unwind(AssertUnwindSafe(|| PortraitOutcome {
                            shot_id,
                            result: pipeline.process_adjusted(&frame, adjust),
                            original_jpeg: keep_original.then(|| encode_original(&frame)).flatten(),
                        }))
                        .unwrap_or_else(|_| {
                            tracing::error!(
                                shot_id,
                                "the portrait pipeline panicked; shot dropped"
                            );
                            PortraitOutcome {
                                shot_id,
                                result: Err(PortraitReport::failed(PortraitError::Resample)),
                                original_jpeg: None,
                            }
                        });
                        if !send(Box::new(outcome)) {
                            return;
                        }
                    }
                }
            }
        })?;
    Ok(jobs)
}

fn encode_original(frame: &RgbImage) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut bytes, ORIGINAL_QUALITY);
    let (width, height) = (
        u16::try_from(frame.width()).ok()?,
        u16::try_from(frame.height()).ok()?,
    );
    encoder
        .encode(frame.as_raw(), width, height, jpeg_encoder::ColorType::Rgb)
        .ok()?;
    Some(bytes)
}
