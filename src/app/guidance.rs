//! The live guidance thread: measures the newest camera frame's face (landmarks, framing, pose)
//! about a dozen times a second and leaves the advice for the UI, so the operator sees "请靠近"
//! or "请摆正头部" before pressing Space, not after. A panic on one frame is caught and logged;
//! the thread goes on with the next.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::preview::RateMeter;
use crate::camera::FrameHub;
use crate::portrait::pipeline::{Guidance, PortraitPipeline, PortraitSettings};

/// Shortest time between two guided frames: about 12 a second is live enough for advice and
/// leaves the booth's second core to the scanner.
const MIN_INTERVAL: Duration = Duration::from_millis(80);
/// Advice about a frame older than this is not shown: the camera has moved on (a phone may be in
/// front of it now), and a green "pose fine" about someone who left would be untrue.
pub const STALE_AFTER: Duration = Duration::from_millis(1500);

/// The newest advice, with the camera frame it came from and the rate it is made at.
#[derive(Debug, Default)]
pub struct GuidanceSlot {
    pub latest: Option<Guidance>,
    pub sequence: u64,
    /// When the camera took the frame the advice is about: advice about a frame long gone
    /// (the thread slowed or stuck) is not shown as if it were about the student there now.
    pub frame_at: Option<Instant>,
    pub per_second: f32,
}

pub type SharedGuidance = Arc<Mutex<GuidanceSlot>>;

pub struct GuidanceHandle {
    pub slot: SharedGuidance,
    stop: Arc<AtomicBool>,
}

impl Drop for GuidanceHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

pub fn spawn_guidance(
    hub: FrameHub,
    settings: PortraitSettings,
    wake: Box<dyn Fn() + Send>,
) -> std::io::Result<GuidanceHandle> {
    let slot: SharedGuidance = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let (worker_slot, worker_stop) = (Arc::clone(&slot), Arc::clone(&stop));
    std::thread::Builder::new()
        .name("guidance".to_string())
        .spawn(move || {
            let mut pipeline = match PortraitPipeline::new(settings) {
                Ok(pipeline) => pipeline,
                Err(error) => {
                    tracing::error!("live guidance off: the face models did not load: {error}");
                    return;
                }
            };
            let mut last = 0;
            let mut rate = RateMeter::default();
            while !worker_stop.load(Ordering::Relaxed) {
                let Some(frame) = hub.wait_newer(last, Duration::from_millis(200)) else {
                    continue;
                };
                last = frame.sequence;
                let started = Instant::now();
                let guidance = catch_unwind(AssertUnwindSafe(|| pipeline.guide(&frame.image)));
                let Ok(guidance) = guidance else {
                    tracing::error!(
                        frame = frame.sequence,
                        "live guidance panicked; frame skipped"
                    );
                    continue;
                };
                let per_second = rate.tick();
                let mut slot = worker_slot.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(per_second) = per_second {
                    slot.per_second = per_second;
                }
                // The advice, not its timing, decides whether the window must redraw.
                let changed = slot.latest.as_ref().is_none_or(|old| {
                    (old.face_found, &old.hints) != (guidance.face_found, &guidance.hints)
                });
                slot.latest = Some(guidance);
                slot.sequence = frame.sequence;
                slot.frame_at = Some(frame.captured_at);
                drop(slot);
                if changed {
                    wake();
                }
                if let Some(rest) = MIN_INTERVAL.checked_sub(started.elapsed()) {
                    std::thread::sleep(rest);
                }
            }
        })?;
    Ok(GuidanceHandle { slot, stop })
}
