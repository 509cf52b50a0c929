//! The camera worker: a supervisor thread that runs the source on a device thread of its own,
//! watches the time since the last frame, and on an error, a stall or a panic reports the fault
//! and starts over with a freshly built source. nokhwa can block forever inside a read, so a
//! stalled device thread is abandoned (it exits if it ever wakes) rather than waited for; the UI
//! only ever reads the hub and the status, and never waits on the camera.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, sync_channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{CameraError, CaptureFormat, FrameHub, FrameSource};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraStatus {
    Starting,
    Live {
        source: String,
        format: CaptureFormat,
    },
    /// "camera lost": why, and the worker is about to reopen.
    Lost {
        reason: CameraFault,
    },
    Stopped,
}

/// Why the camera is down; `i18n` words it for the status bar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CameraFault {
    #[error(transparent)]
    Device(#[from] CameraError),
    #[error("the camera thread panicked")]
    Panicked,
    #[error("could not start the camera thread")]
    ThreadNotStarted,
    #[error("the camera stopped")]
    Stopped,
    #[error("the camera did not start")]
    DidNotStart,
    #[error("no frames for {:.1} s", .quiet.as_secs_f32())]
    NoFrames { quiet: Duration },
    #[error("only corrupt frames for {:.1} s ({detail})", .quiet.as_secs_f32())]
    CorruptFrames { quiet: Duration, detail: String },
    #[error("the frame size changed from {}×{} to {}×{}", .from.0, .from.1, .to.0, .to.1)]
    SizeChanged { from: (u32, u32), to: (u32, u32) },
}

impl CameraStatus {
    pub fn is_live(&self) -> bool {
        matches!(self, Self::Live { .. })
    }
}

/// How quickly faults are noticed and retried.
#[derive(Debug, Clone, Copy)]
pub struct WatchdogSettings {
    /// No frame for this long while live counts as a stall.
    pub stall_after: Duration,
    /// Opening may take this long before it counts as failed.
    pub open_timeout: Duration,
    /// Pause before reopening after a fault.
    pub retry_after: Duration,
}

impl Default for WatchdogSettings {
    fn default() -> Self {
        // Within the promise to show a fault in 1 s (with the window's 200 ms redraw heartbeat)
        // and be live 2 s after it clears; a webcam slowed to 5 fps in dim light is still live.
        Self {
            stall_after: Duration::from_millis(600),
            open_timeout: Duration::from_secs(5),
            retry_after: Duration::from_millis(300),
        }
    }
}

struct Shared {
    status: Mutex<CameraStatus>,
    changed: Condvar,
    stop: AtomicBool,
    generation: AtomicU64,
    live_since: Mutex<Option<Instant>>,
    /// The last frame that did not decode, while no good frame has come since.
    decode_error: Mutex<Option<String>>,
}

impl Shared {
    fn set_status(&self, status: CameraStatus) {
        let mut current = self.status.lock().unwrap_or_else(|p| p.into_inner());
        if *current != status {
            match &status {
                CameraStatus::Lost { reason } => tracing::warn!(%reason, "camera lost"),
                CameraStatus::Live { source, format } => {
                    tracing::info!(%source, %format, "camera live")
                }
                _ => {}
            }
            *current = status;
            self.changed.notify_all();
        }
    }
}

/// Owns the worker; dropping it stops the camera.
pub struct CameraHandle {
    shared: Arc<Shared>,
    supervisor: Option<JoinHandle<()>>,
}

impl CameraHandle {
    pub fn status(&self) -> CameraStatus {
        self.shared
            .status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Waits until `wanted` holds for the status, or `timeout` passes; returns the last status.
    pub fn wait_for_status(
        &self,
        timeout: Duration,
        wanted: impl Fn(&CameraStatus) -> bool,
    ) -> CameraStatus {
        let status = self.shared.status.lock().unwrap_or_else(|p| p.into_inner());
        let (status, _) = self
            .shared
            .changed
            .wait_timeout_while(status, timeout, |s| !wanted(s))
            .unwrap_or_else(|p| p.into_inner());
        status.clone()
    }

    pub fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.changed.notify_all();
        if let Some(supervisor) = self.supervisor.take() {
            let _ = supervisor.join();
        }
    }
}

impl Drop for CameraHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts the camera: `make_source` builds a source on the device thread, again after every fault.
pub fn spawn_camera<F>(make_source: F, hub: FrameHub, settings: WatchdogSettings) -> CameraHandle
where
    F: Fn() -> Box<dyn FrameSource> + Send + Sync + 'static,
{
    let shared = Arc::new(Shared {
        status: Mutex::new(CameraStatus::Starting),
        changed: Condvar::new(),
        stop: AtomicBool::new(false),
        generation: AtomicU64::new(0),
        live_since: Mutex::new(None),
        decode_error: Mutex::new(None),
    });
    let make_source = Arc::new(make_source);
    let supervisor_shared = Arc::clone(&shared);
    let supervisor = std::thread::Builder::new()
        .name("camera-supervisor".to_string())
        .spawn(move || supervise(&supervisor_shared, make_source, &hub, settings))
        .ok();
    if supervisor.is_none() {
        shared.set_status(CameraStatus::Lost {
            reason: CameraFault::ThreadNotStarted,
        });
    }
    CameraHandle { shared, supervisor }
}

fn supervise<F>(
    shared: &Arc<Shared>,
    make_source: Arc<F>,
    hub: &FrameHub,
    settings: WatchdogSettings,
) where
    F: Fn() -> Box<dyn FrameSource> + Send + Sync + 'static,
{
    while !shared.stop.load(Ordering::SeqCst) {
        let generation = shared.generation.fetch_add(1, Ordering::SeqCst) + 1;
        *shared.live_since.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let (fault_sender, faults) = sync_channel::<CameraFault>(1);
        let device_shared = Arc::clone(shared);
        let device_hub = hub.clone();
        let device_make = Arc::clone(&make_source);
        let started = std::thread::Builder::new()
            .name(format!("camera-device-{generation}"))
            .spawn(move || {
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    run_device(
                        &device_shared,
                        generation,
                        device_make.as_ref(),
                        &device_hub,
                    )
                }));
                let reason = match outcome {
                    Ok(reason) => reason,
                    Err(_) => Some(CameraFault::Panicked),
                };
                if let Some(reason) = reason {
                    let _ = fault_sender.send(reason);
                }
            });
        if let Err(error) = started {
            tracing::warn!(%error, "could not start the device thread");
            shared.set_status(CameraStatus::Lost {
                reason: CameraFault::ThreadNotStarted,
            });
        } else {
            let spawned_at = Instant::now();
            loop {
                if shared.stop.load(Ordering::SeqCst) {
                    break;
                }
                match faults.recv_timeout(Duration::from_millis(20)) {
                    Ok(reason) => {
                        shared.set_status(CameraStatus::Lost { reason });
                        break;
                    }
                    Err(RecvTimeoutError::Disconnected) => {
                        if !shared.stop.load(Ordering::SeqCst) {
                            shared.set_status(CameraStatus::Lost {
                                reason: CameraFault::Stopped,
                            });
                        }
                        break;
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                }
                let live_since = *shared.live_since.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                match live_since {
                    Some(since) => {
                        let last = hub.last_published_at().map_or(since, |t| t.max(since));
                        let quiet = now.saturating_duration_since(last);
                        if quiet > settings.stall_after {
                            let corrupt = shared
                                .decode_error
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .take();
                            let reason = match corrupt {
                                Some(detail) => CameraFault::CorruptFrames { quiet, detail },
                                None => CameraFault::NoFrames { quiet },
                            };
                            shared.set_status(CameraStatus::Lost { reason });
                            break;
                        }
                    }
                    None if now.duration_since(spawned_at) > settings.open_timeout => {
                        shared.set_status(CameraStatus::Lost {
                            reason: CameraFault::DidNotStart,
                        });
                        break;
                    }
                    None => {}
                }
            }
        }
        // Retiring the generation makes an abandoned device thread exit if it ever wakes.
        shared.generation.fetch_add(1, Ordering::SeqCst);
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let status = shared.status.lock().unwrap_or_else(|p| p.into_inner());
        let _ = shared
            .changed
            .wait_timeout_while(status, settings.retry_after, |_| {
                !shared.stop.load(Ordering::SeqCst)
            });
    }
    shared.set_status(CameraStatus::Stopped);
}

/// The device thread's body: returns why it stopped, or `None` when it was told to.
fn run_device(
    shared: &Shared,
    generation: u64,
    make_source: &dyn Fn() -> Box<dyn FrameSource>,
    hub: &FrameHub,
) -> Option<CameraFault> {
    let current = || {
        shared.generation.load(Ordering::SeqCst) == generation
            && !shared.stop.load(Ordering::SeqCst)
    };
    let mut source = make_source();
    let format = match source.open() {
        Ok(format) => format,
        Err(error) => return Some(CameraFault::Device(error)),
    };
    if !current() {
        source.close();
        return None;
    }
    *shared.live_since.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    shared.set_status(CameraStatus::Live {
        source: source.name(),
        format,
    });
    let mut frame_size: Option<(u32, u32)> = None;
    loop {
        let frame = source.next_frame();
        if !current() {
            source.close();
            return None;
        }
        match frame {
            Ok(image) => {
                let size = image.dimensions();
                if let Some(expected) = frame_size
                    && expected != size
                {
                    // Reopening renegotiates the format; the preview and the crop guide are
                    // then built for the new size instead of a stale one.
                    source.close();
                    return Some(CameraFault::SizeChanged {
                        from: expected,
                        to: size,
                    });
                }
                frame_size = Some(size);
                *shared
                    .decode_error
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()) = None;
                hub.publish(image);
            }
            // One bad MJPEG frame happens on a busy USB bus: skip it. Only corrupt frames for
            // longer than the stall limit count as a fault, which the watchdog reports.
            Err(CameraError::Decode(error)) => {
                *shared
                    .decode_error
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()) = Some(error);
            }
            Err(error) => {
                source.close();
                return Some(CameraFault::Device(error));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::mpsc::Receiver;

    use image::RgbImage;

    use super::*;

    /// What one opened instance of the fault-injecting source does.
    enum Behaviour {
        /// Delivers frames forever.
        Healthy,
        /// Delivers `n` frames, then fails.
        FailAfter(usize),
        /// Delivers `n` frames, then blocks until the sender is dropped (a stalled driver).
        StallAfter(usize, Receiver<()>),
        /// Fails to open.
        FailToOpen,
        /// Panics on the first read.
        Panic,
    }

    struct FaultySource {
        behaviour: Behaviour,
        delivered: usize,
    }

    impl FrameSource for FaultySource {
        fn name(&self) -> String {
            "faulty".to_string()
        }
        fn formats(&self) -> Vec<CaptureFormat> {
            Vec::new()
        }
        fn open(&mut self) -> Result<CaptureFormat, CameraError> {
            if matches!(self.behaviour, Behaviour::FailToOpen) {
                return Err(CameraError::Open("unplugged".to_string()));
            }
            Ok(CaptureFormat {
                width: 4,
                height: 4,
                fps: 0,
                fourcc: "RGB".to_string(),
            })
        }
        fn next_frame(&mut self) -> Result<RgbImage, CameraError> {
            self.delivered += 1;
            // Real cameras pace themselves; this keeps the test source from spinning a core.
            std::thread::sleep(Duration::from_millis(2));
            match &self.behaviour {
                Behaviour::Healthy => Ok(RgbImage::new(4, 4)),
                Behaviour::FailAfter(n) | Behaviour::StallAfter(n, _) if self.delivered <= *n => {
                    Ok(RgbImage::new(4, 4))
                }
                Behaviour::FailAfter(_) => Err(CameraError::Read("USB error".to_string())),
                Behaviour::StallAfter(_, release) => {
                    let _ = release.recv();
                    Err(CameraError::Read("woke after stall".to_string()))
                }
                Behaviour::FailToOpen => Err(CameraError::Read("not open".to_string())),
                Behaviour::Panic => panic!("driver bug"),
            }
        }
        fn close(&mut self) {}
    }

    fn scripted(behaviours: Vec<Behaviour>) -> impl Fn() -> Box<dyn FrameSource> + Send + Sync {
        let script = Arc::new(Mutex::new(VecDeque::from(behaviours)));
        move || {
            let behaviour = script
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Behaviour::Healthy);
            Box::new(FaultySource {
                behaviour,
                delivered: 0,
            }) as Box<dyn FrameSource>
        }
    }

    fn fast() -> WatchdogSettings {
        WatchdogSettings {
            stall_after: Duration::from_millis(150),
            open_timeout: Duration::from_secs(2),
            retry_after: Duration::from_millis(20),
        }
    }

    const PATIENCE: Duration = Duration::from_secs(10);

    #[test]
    fn errors_are_reported_then_the_camera_reopens() {
        let hub = FrameHub::new();
        let camera = spawn_camera(
            scripted(vec![Behaviour::FailAfter(3), Behaviour::FailToOpen]),
            hub.clone(),
            fast(),
        );
        let lost = camera.wait_for_status(PATIENCE, |s| matches!(s, CameraStatus::Lost { .. }));
        assert!(
            matches!(lost, CameraStatus::Lost { reason } if reason.to_string().contains("USB error"))
        );
        assert!(
            camera
                .wait_for_status(PATIENCE, CameraStatus::is_live)
                .is_live()
        );
        let before = hub.published();
        assert!(
            hub.wait_newer(before, PATIENCE).is_some(),
            "frames flow again"
        );
    }

    #[test]
    fn a_stall_is_noticed_and_the_device_replaced() {
        let hub = FrameHub::new();
        let (release, stalled) = sync_channel(0);
        let camera = spawn_camera(
            scripted(vec![Behaviour::StallAfter(2, stalled)]),
            hub.clone(),
            fast(),
        );
        let lost = camera.wait_for_status(PATIENCE, |s| matches!(s, CameraStatus::Lost { .. }));
        assert!(
            matches!(lost, CameraStatus::Lost { reason } if matches!(reason, CameraFault::NoFrames { .. }))
        );
        assert!(
            camera
                .wait_for_status(PATIENCE, CameraStatus::is_live)
                .is_live()
        );
        let before = hub.published();
        assert!(hub.wait_newer(before, PATIENCE).is_some());
        drop(release); // the abandoned thread wakes and must exit without publishing
    }

    #[test]
    fn a_panicking_driver_does_not_take_the_worker_down() {
        let hub = FrameHub::new();
        let camera = spawn_camera(scripted(vec![Behaviour::Panic]), hub.clone(), fast());
        // The panic or the silence it causes, whichever the watchdog sees first, is a fault…
        let lost = camera.wait_for_status(PATIENCE, |s| matches!(s, CameraStatus::Lost { .. }));
        assert!(matches!(lost, CameraStatus::Lost { .. }), "{lost:?}");
        // …and the worker survives it and reopens.
        assert!(
            camera
                .wait_for_status(PATIENCE, CameraStatus::is_live)
                .is_live()
        );
        let before = hub.published();
        assert!(hub.wait_newer(before, PATIENCE).is_some());
    }

    #[test]
    fn stop_ends_the_worker() {
        let mut camera = spawn_camera(scripted(vec![]), FrameHub::new(), fast());
        assert!(
            camera
                .wait_for_status(PATIENCE, CameraStatus::is_live)
                .is_live()
        );
        camera.stop();
        assert_eq!(camera.status(), CameraStatus::Stopped);
    }
}
