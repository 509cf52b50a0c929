//! The live scanner: a named thread that takes the newest frame from the hub, decodes it with the
//! same code as `capture-station scan`, debounces, validates the payload through the domain's
//! capture-code decoder, and sends events over a bounded channel. A panic while handling a frame
//! is caught and logged; the worker goes on with the next frame.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{
    Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError, sync_channel,
};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::debounce::Debouncer;
use super::decode::UnreadTrouble;
use super::decode::decode_frame_near;
use super::pacing::LiveLooks;
use crate::camera::FrameHub;
use crate::domain::capture_code::mask;
use crate::domain::{CaptureCode, CaptureCodeDecoder, CaptureCodeError};

/// What the scanner tells the UI. Its `Debug` form (what a log line shows) hides a join token
/// whole (the capture code masks itself).
#[derive(Clone, PartialEq, Eq)]
pub enum ScanEvent {
    /// A valid capture code came into view.
    Scanned { payload: CaptureCode, at: Instant },
    /// A QR code came into view but is not a valid capture code.
    Rejected {
        reason: CaptureCodeError,
        at: Instant,
    },
    /// Whether any QR code is in view now (for the preview's marker); sent on change.
    CodeInView(bool),
    /// A campus join token came into view (never logged: it holds a credential).
    JoinToken(String),
    /// A code has been in view for a second without reading, and why (`None`: no longer);
    /// sent on change.
    Hint(Option<UnreadTrouble>),
}

impl std::fmt::Debug for ScanEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanEvent::Scanned { payload, at } => f
                .debug_struct("Scanned")
                .field("payload", payload)
                .field("at", at)
                .finish(),
            ScanEvent::Rejected { reason, at } => f
                .debug_struct("Rejected")
                .field("reason", reason)
                .field("at", at)
                .finish(),
            ScanEvent::CodeInView(in_view) => f.debug_tuple("CodeInView").field(in_view).finish(),
            ScanEvent::JoinToken(_) => f.write_str("JoinToken(<hidden>)"),
            ScanEvent::Hint(hint) => f.debug_tuple("Hint").field(hint).finish(),
        }
    }
}

enum ScanCommand {
    Reset,
    Stop,
}

/// Events the channel holds before the scanner starts dropping them (the UI drains it every
/// frame, so this only fills if the UI is stuck).
const EVENT_CAPACITY: usize = 64;

#[derive(Default)]
struct Progress {
    last_sequence: u64,
    frames: u64,
    panics: u64,
    /// Wall time spent handling frames: the scanner's share of one core.
    busy: Duration,
}

pub struct ScannerHandle {
    commands: SyncSender<ScanCommand>,
    events: Receiver<ScanEvent>,
    progress: Arc<(Mutex<Progress>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl ScannerHandle {
    /// The next event, if one is waiting.
    pub fn try_event(&self) -> Option<ScanEvent> {
        self.events.try_recv().ok()
    }

    pub fn event_timeout(&self, timeout: Duration) -> Option<ScanEvent> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Makes the current code count again when next seen (after the card was cleared, say).
    pub fn reset(&self) {
        let _ = self.commands.try_send(ScanCommand::Reset);
    }

    /// Waits until the frame with hub sequence `sequence` (or a later one) has been scanned.
    pub fn wait_scanned(&self, sequence: u64, timeout: Duration) -> bool {
        let (lock, done) = &*self.progress;
        let progress = lock.lock().unwrap_or_else(|p| p.into_inner());
        let (progress, _) = done
            .wait_timeout_while(progress, timeout, |p| p.last_sequence < sequence)
            .unwrap_or_else(|p| p.into_inner());
        progress.last_sequence >= sequence
    }

    /// Frames scanned and panics caught so far.
    pub fn counts(&self) -> (u64, u64) {
        let progress = self.progress.0.lock().unwrap_or_else(|p| p.into_inner());
        (progress.frames, progress.panics)
    }

    /// Time spent handling frames so far, the scanner's load on one core.
    pub fn busy_time(&self) -> Duration {
        self.progress
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .busy
    }
}

impl Drop for ScannerHandle {
    fn drop(&mut self) {
        let _ = self.commands.try_send(ScanCommand::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the scanner on `hub`. `wake` is called after each event, so a UI can repaint.
pub fn spawn_scanner(
    hub: FrameHub,
    decoder: Arc<dyn CaptureCodeDecoder>,
    debouncer: Debouncer,
    wake: Option<Box<dyn Fn() + Send>>,
) -> std::io::Result<ScannerHandle> {
    let (commands, command_receiver) = sync_channel(8);
    let (event_sender, events) = sync_channel(EVENT_CAPACITY);
    let progress = Arc::new((Mutex::new(Progress::default()), Condvar::new()));
    let worker_progress = Arc::clone(&progress);
    let thread = std::thread::Builder::new()
        .name("qr-scanner".to_string())
        .spawn(move || {
            let mut worker = Worker {
                debouncer,
                decoder,
                events: event_sender,
                wake,
                looks: LiveLooks::default(),
            };
            let mut last_sequence = 0;
            loop {
                match command_receiver.try_recv() {
                    Ok(ScanCommand::Stop) | Err(TryRecvError::Disconnected) => break,
                    Ok(ScanCommand::Reset) => worker.debouncer.reset(),
                    Err(TryRecvError::Empty) => {}
                }
                let Some(frame) = hub.wait_newer(last_sequence, Duration::from_millis(100)) else {
                    continue;
                };
                last_sequence = frame.sequence;
                let started = Instant::now();
                let handled = catch_unwind(AssertUnwindSafe(|| worker.handle(&frame)));
                let spent = started.elapsed();
                {
                    let (lock, done) = &*worker_progress;
                    let mut progress = lock.lock().unwrap_or_else(|p| p.into_inner());
                    progress.frames += 1;
                    progress.last_sequence = frame.sequence;
                    progress.busy += spent;
                    if handled.is_err() {
                        progress.panics += 1;
                        tracing::error!(
                            sequence = frame.sequence,
                            "scanner panicked on a frame; skipped"
                        );
                    }
                    done.notify_all();
                }
                // Idle, the scanner rests in proportion to the look it just made, then takes the
                // newest frame: the frames it passes over show the same empty counter.
                let rest = worker.looks.rest_after(spent, started);
                if !rest.is_zero() {
                    match command_receiver.recv_timeout(rest) {
                        Ok(ScanCommand::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                        Ok(ScanCommand::Reset) => worker.debouncer.reset(),
                        Err(RecvTimeoutError::Timeout) => {}
                    }
                }
            }
        })?;
    Ok(ScannerHandle {
        commands,
        events,
        progress,
        thread: Some(thread),
    })
}

struct Worker {
    debouncer: Debouncer,
    decoder: Arc<dyn CaptureCodeDecoder>,
    events: SyncSender<ScanEvent>,
    wake: Option<Box<dyn Fn() + Send>>,
    looks: LiveLooks,
}

impl Worker {
    fn handle(&mut self, frame: &crate::camera::Frame) {
        let gray = image::imageops::grayscale(frame.image.as_ref());
        let effort = self.looks.next_effort(Instant::now());
        let found = decode_frame_near(&gray, effort, self.looks.read_in(Instant::now()));
        let changes = self.looks.record(&found, Instant::now());
        if let Some(in_view) = changes.in_view {
            self.send(ScanEvent::CodeInView(in_view));
        }
        if let Some(hint) = changes.hint {
            self.send(ScanEvent::Hint(hint));
        }
        let Some(payload) = self.debouncer.observe(&found.codes, frame.captured_at) else {
            return;
        };
        if payload.starts_with(crate::domain::capture_code::CAMPUS_TOKEN_SCHEME) {
            self.send(ScanEvent::JoinToken(payload));
            return;
        }
        let event = match self.decoder.decode(&payload) {
            Ok(code) => {
                tracing::info!(code = %mask(code.as_str()), "capture code scanned");
                ScanEvent::Scanned {
                    payload: code,
                    at: frame.captured_at,
                }
            }
            Err(reason) => {
                tracing::info!(%reason, "QR code rejected");
                ScanEvent::Rejected {
                    reason,
                    at: frame.captured_at,
                }
            }
        };
        self.send(event);
    }

    fn send(&self, event: ScanEvent) {
        match self.events.try_send(event) {
            Ok(()) => {
                if let Some(wake) = &self.wake {
                    wake();
                }
            }
            Err(TrySendError::Full(event)) => {
                tracing::warn!(?event, "scan event dropped: the UI is not reading events");
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dropped event is logged with `?event`: neither a join token (it holds a password) nor a
    /// whole capture code may reach the log file that way.
    #[test]
    fn the_debug_form_hides_join_tokens_and_masks_capture_codes() {
        let token = "capture-station-campus://station_x:9f2c1e5d7a3b4c6d8e0f1a2b3c4d5e6f@10.0.0.2:5432/campus";
        let shown = format!("{:?}", ScanEvent::JoinToken(token.to_string()));
        assert_eq!(shown, "JoinToken(<hidden>)");
        let code = "CSDEMO-20261207-ABCDEFGHJK";
        let scanned = ScanEvent::Scanned {
            payload: OpaqueDecoder::default().decode(code).unwrap(),
            at: Instant::now(),
        };
        let shown = format!("{scanned:?}");
        assert!(!shown.contains(code), "{shown}");
        assert!(shown.contains(&mask(code)), "{shown}");
    }
    use crate::camera::synthetic::{PhoneScene, render_phone_frame};
    use crate::domain::CaptureCodeRules;
    use crate::domain::capture_code::OpaqueDecoder;

    const PATIENCE: Duration = Duration::from_secs(20);

    fn frame_with(payload: Option<&str>) -> image::RgbImage {
        let mut scene = PhoneScene::plain(payload.unwrap_or("unused"));
        if payload.is_none() {
            scene.payload = None;
        }
        render_phone_frame(&scene, 960, 540)
    }

    fn scanner(hub: &FrameHub, rules: CaptureCodeRules) -> ScannerHandle {
        spawn_scanner(
            hub.clone(),
            Arc::new(OpaqueDecoder { rules }),
            Debouncer::default(),
            None,
        )
        .unwrap()
    }

    /// The next event that is not a CodeInView change.
    fn next_scan(scanner: &ScannerHandle) -> Option<ScanEvent> {
        while let Some(event) = scanner.event_timeout(PATIENCE) {
            if !matches!(event, ScanEvent::CodeInView(_)) {
                return Some(event);
            }
        }
        None
    }

    #[test]
    fn a_code_held_in_view_is_one_scan_and_reset_allows_another() {
        let hub = FrameHub::new();
        let scanner = scanner(&hub, CaptureCodeRules::default());
        let with_code = frame_with(Some("CSDEMO-worker"));
        let first = hub.publish(with_code.clone());
        match next_scan(&scanner) {
            Some(ScanEvent::Scanned { payload, .. }) => {
                assert_eq!(payload.as_str(), "CSDEMO-worker")
            }
            other => panic!("expected a scan, got {other:?}"),
        }
        for _ in 0..3 {
            let sequence = hub.publish(with_code.clone());
            assert!(scanner.wait_scanned(sequence, PATIENCE));
        }
        assert!(scanner.wait_scanned(first + 3, PATIENCE));
        let mut extra = Vec::new();
        while let Some(event) = scanner.try_event() {
            extra.push(event);
        }
        assert!(
            extra
                .iter()
                .all(|e| matches!(e, ScanEvent::CodeInView(true))),
            "no second scan: {extra:?}"
        );
        scanner.reset();
        // The reset is read before the next frame is handled.
        let sequence = hub.publish(frame_with(None));
        assert!(scanner.wait_scanned(sequence, PATIENCE));
        hub.publish(with_code);
        assert!(matches!(
            next_scan(&scanner),
            Some(ScanEvent::Scanned { .. })
        ));
    }

    #[test]
    fn an_invalid_payload_is_rejected_with_its_reason() {
        let hub = FrameHub::new();
        let rules = CaptureCodeRules {
            max_len: 8,
            pattern: None,
        };
        let scanner = scanner(&hub, rules);
        hub.publish(frame_with(Some("CSDEMO-much-too-long")));
        match next_scan(&scanner) {
            Some(ScanEvent::Rejected { reason, .. }) => {
                assert!(matches!(reason, CaptureCodeError::TooLong { .. }))
            }
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn code_in_view_changes_are_reported() {
        let hub = FrameHub::new();
        let scanner = scanner(&hub, CaptureCodeRules::default());
        hub.publish(frame_with(Some("CSDEMO-view")));
        assert_eq!(
            scanner.event_timeout(PATIENCE),
            Some(ScanEvent::CodeInView(true))
        );
        let _ = next_scan(&scanner);
        hub.publish(frame_with(None));
        assert_eq!(
            scanner.event_timeout(PATIENCE),
            Some(ScanEvent::CodeInView(false))
        );
    }
}
