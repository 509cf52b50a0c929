//! A fault-injecting camera for drills and tests: a "device" that wraps a real source (the
//! synthetic one) and, while a fault is switched on, fails the way USB cameras do — read errors
//! and refused opens (unplugged), a driver that blocks in a read (stall), a different frame size
//! mid-stream, or MJPEG data that does not decode. Every source the worker builds for it shares
//! the device's switch, so a fault lasts across reopens until it is cleared, like a real one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use image::RgbImage;
use serde::Serialize;

use super::worker::{CameraStatus, WatchdogSettings, spawn_camera};
use super::{CameraError, CaptureFormat, FrameHub, FrameSource};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Reads fail and opens are refused (a pulled cable).
    Unplugged,
    /// A read blocks until the fault clears (a hung driver).
    Stall,
    /// Frames suddenly come at another size.
    ResolutionChange,
    /// The camera sends MJPEG data that does not decode.
    GarbageMjpeg,
}

impl Fault {
    pub const ALL: [Fault; 4] = [
        Fault::Unplugged,
        Fault::Stall,
        Fault::ResolutionChange,
        Fault::GarbageMjpeg,
    ];
}

/// The shared switch of one faulty device.
#[derive(Clone, Default)]
pub struct FaultyDevice {
    active: Arc<Mutex<Option<Fault>>>,
    /// Bumped on every change, so a stalled read notices the fault cleared.
    changes: Arc<AtomicU64>,
}

impl FaultyDevice {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn inject(&self, fault: Fault) {
        *self.active.lock().unwrap_or_else(|p| p.into_inner()) = Some(fault);
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    pub fn clear(&self) {
        *self.active.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    fn active(&self) -> Option<Fault> {
        *self.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A source for the camera worker: `inner` builds the healthy source underneath.
    pub fn source(&self, inner: Box<dyn FrameSource>) -> Box<dyn FrameSource> {
        Box::new(FaultySource {
            device: self.clone(),
            inner,
            garbage_seed: 1,
        })
    }
}

struct FaultySource {
    device: FaultyDevice,
    inner: Box<dyn FrameSource>,
    garbage_seed: u64,
}

impl FrameSource for FaultySource {
    fn name(&self) -> String {
        format!("faulty {}", self.inner.name())
    }

    fn formats(&self) -> Vec<CaptureFormat> {
        self.inner.formats()
    }

    fn open(&mut self) -> Result<CaptureFormat, CameraError> {
        if self.device.active() == Some(Fault::Unplugged) {
            return Err(CameraError::Open("no such device (unplugged)".to_string()));
        }
        self.inner.open()
    }

    fn next_frame(&mut self) -> Result<RgbImage, CameraError> {
        match self.device.active() {
            None => self.inner.next_frame(),
            Some(Fault::Unplugged) => Err(CameraError::Read(
                "No such device (os error 19)".to_string(),
            )),
            Some(Fault::Stall) => {
                let seen = self.device.changes.load(Ordering::SeqCst);
                while self.device.changes.load(Ordering::SeqCst) == seen {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(CameraError::Read(
                    "the read returned after a stall".to_string(),
                ))
            }
            Some(Fault::ResolutionChange) => {
                let frame = self.inner.next_frame()?;
                let (w, h) = frame.dimensions();
                Ok(image::imageops::thumbnail(
                    &frame,
                    (w / 2).max(1),
                    (h / 2).max(1),
                ))
            }
            Some(Fault::GarbageMjpeg) => {
                // Pace like a camera, then hand over bytes that look like the start of a JPEG.
                let _ = self.inner.next_frame()?;
                self.garbage_seed = self
                    .garbage_seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1);
                let mut random = fastrand::Rng::with_seed(self.garbage_seed);
                let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
                bytes.extend((0..4096).map(|_| random.u8(..)));
                super::decode_mjpeg(&bytes)
            }
        }
    }

    fn close(&mut self) {
        self.inner.close();
    }
}

/// One fault's timings: how long until the status showed it, and how long after it cleared
/// until frames flowed again.
#[derive(Debug, Clone, Serialize)]
pub struct DrillResult {
    pub fault: Fault,
    pub reason: String,
    pub detected_ms: f64,
    pub live_again_ms: f64,
}

/// Runs each fault against a faulty synthetic camera with the app's own watchdog `settings`:
/// live, inject, wait for the status to show the fault, hold it for `hold`, clear it, wait for
/// the first frame after the camera is live again. `None` in a field means it never happened
/// within `patience`.
pub fn drill(
    settings: WatchdogSettings,
    hold: Duration,
    patience: Duration,
) -> Vec<Result<DrillResult, String>> {
    Fault::ALL
        .iter()
        .map(|&fault| drill_one(fault, settings, hold, patience))
        .collect()
}

fn drill_one(
    fault: Fault,
    settings: WatchdogSettings,
    hold: Duration,
    patience: Duration,
) -> Result<DrillResult, String> {
    let device = FaultyDevice::new();
    let hub = FrameHub::new();
    let maker = device.clone();
    let camera = spawn_camera(
        move || {
            maker.source(Box::new(super::synthetic_source::SyntheticSource::new(
                640, 360, 30,
            )))
        },
        hub.clone(),
        settings,
    );
    if !camera
        .wait_for_status(patience, CameraStatus::is_live)
        .is_live()
    {
        return Err(format!("{fault:?}: the camera never went live"));
    }
    let before = hub.published();
    hub.wait_newer(before, patience)
        .ok_or_else(|| format!("{fault:?}: no frames before the fault"))?;
    let injected = Instant::now();
    device.inject(fault);
    let lost = camera.wait_for_status(patience, |s| matches!(s, CameraStatus::Lost { .. }));
    let detected_ms = injected.elapsed().as_secs_f64() * 1000.0;
    let CameraStatus::Lost { reason } = lost else {
        return Err(format!(
            "{fault:?}: the status never showed the fault ({lost:?})"
        ));
    };
    let hold_left = hold.saturating_sub(injected.elapsed());
    std::thread::sleep(hold_left);
    let cleared = Instant::now();
    let published_at_clear = hub.published();
    device.clear();
    let mut after = published_at_clear;
    loop {
        let Some(frame) = hub.wait_newer(after, patience.saturating_sub(cleared.elapsed())) else {
            return Err(format!("{fault:?}: no frames after the fault cleared"));
        };
        after = frame.sequence;
        // A full-size frame from a live camera: the fault is over for the user.
        if camera.status().is_live() && frame.image.dimensions() == (640, 360) {
            break;
        }
    }
    Ok(DrillResult {
        fault,
        reason: reason.to_string(),
        detected_ms: (detected_ms * 10.0).round() / 10.0,
        live_again_ms: (cleared.elapsed().as_secs_f64() * 10_000.0).round() / 10.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of fault is noticed and recovered from (the timings are the drill's job).
    #[test]
    fn every_fault_is_reported_and_the_camera_recovers() {
        let settings = WatchdogSettings::default();
        for result in drill(
            settings,
            Duration::from_millis(1200),
            Duration::from_secs(20),
        ) {
            let result = result.unwrap();
            assert!(!result.reason.is_empty(), "{result:?}");
        }
    }
}
