//! The booth window's application: [`StationApp`] owns the workers (camera, scanner, preview,
//! portrait, store), drains their events into [`state::AppState`], and applies the screens'
//! [`command::Command`]s. Drawing lives in `ui`; this folder holds no widgets.

pub mod accounts;
mod answers;
mod apply;
pub mod campus;
pub mod campus_worker;
pub mod capture;
mod card_guard;
pub mod close_out;
pub mod command;
pub mod corrections;
pub mod demo;
pub mod events;
pub mod file_dialog;
pub mod first_run;
mod first_run_flow;
pub mod guidance;
pub mod keyboard;
pub mod launch;
mod leaving;
mod logic;
pub mod portrait_worker;
pub mod preview;
pub mod schools;
mod shooting;
pub mod state;
pub mod store_worker;
pub mod student_view;
pub mod tour;
pub mod transfer;
pub mod walk_in;
pub mod walk_in_desk;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use image::RgbImage;

use crate::camera::{CameraHandle, FrameHub, SourceSpec, WatchdogSettings, spawn_camera};
use crate::config::StationConfig;
use crate::domain::capture_code::OpaqueDecoder;
use crate::portrait::pipeline::PortraitSettings;
use crate::scan::debounce::Debouncer;
use crate::scan::worker::{ScannerHandle, spawn_scanner};
use events::{AppEvent, EVENT_CAPACITY};
use keyboard::WedgeDetector;
use portrait_worker::{PortraitJob, spawn_portrait_worker};
use preview::{PreviewHandle, spawn_preview};
use state::{
    AppState, DatabaseHealth, JoinedCampus, OperatorState, Screen, SupervisorState, WalkInForm,
    WindowRole,
};
use store_worker::{StoreSetup, spawn_store_worker};

/// Key of the saved window state in eframe's storage.
const SAVED_STATE_KEY: &str = "capture-station";
/// Frame rate asked of the demo and replay cameras.
const DEMO_FPS: u32 = 30;
/// How long the scanner waits after a code leaves the view before the same code counts again.
const SCAN_LEAVE_GAP: Duration = Duration::from_millis(1500);

/// Where frames come from.
pub enum CameraChoice {
    /// Open this source on the camera thread.
    Source(SourceSpec),
    /// Frames are published into this hub by someone else (tests).
    Hub(FrameHub),
    /// Sources built by `make` on the camera thread, under the usual watchdog (fault drills).
    Custom {
        label: String,
        make: Box<dyn Fn() -> Box<dyn crate::camera::FrameSource> + Send + Sync>,
    },
}

/// Everything the app needs to start; built by [`launch`] or by a test.
pub struct AppSetup {
    pub config: StationConfig,
    pub demo: bool,
    pub camera: CameraChoice,
    /// Process start, for the first-frame measurement.
    pub started: Instant,
    /// Print the first live frame's time as JSON and close (for measuring start-up).
    pub startup_probe: bool,
    /// Walk through the screens and save a PNG of each here, then close.
    pub screenshot_dir: Option<PathBuf>,
    /// Back up the database at start (the real store only).
    pub startup_backup: bool,
    /// The campus this station joined (never in demo mode).
    pub campus: Option<crate::campus::settings::CampusSettings>,
    /// Offer the first-run guide if the store turns out to have no account yet.
    pub first_run_guide: bool,
}

/// What is remembered between runs, beside the window size eframe keeps itself.
#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
struct SavedState {
    screen: Screen,
    language: Option<crate::config::Language>,
}

pub struct StationApp {
    pub state: AppState,
    campus: crate::campus::link::CampusSlot,
    /// The campus joined, until the store is open and its sync worker may start.
    campus_waiting: Option<crate::campus::settings::CampusSettings>,
    campus_jobs: std::sync::mpsc::SyncSender<campus_worker::CampusJob>,
    config: StationConfig,
    hub: FrameHub,
    camera: Option<CameraHandle>,
    scanner: Option<ScannerHandle>,
    preview: PreviewHandle,
    guidance: guidance::GuidanceHandle,
    store_jobs: store_worker::StoreJobs,
    portrait_jobs: SyncSender<PortraitJob>,
    events: Receiver<AppEvent>,
    /// For reports from short-lived threads (the camera query, the file dialog).
    event_sender: SyncSender<AppEvent>,
    keys: WedgeDetector,
    /// The source the camera thread runs, when the app started one (not in tests' own hubs).
    camera_spec: Option<SourceSpec>,
    /// Show the first-run guide once the store reports that it has no account.
    offer_first_run: bool,
    /// The frame the current shot was made from, kept for nudges.
    shot_frame: Option<Arc<RgbImage>>,
    shot_original: Option<Vec<u8>>,
    textures: ui::Textures,
    started: Instant,
    first_frame_ms: Option<f64>,
    startup_probe: bool,
    /// The screenshot tour of the student's screen draws it in the main window.
    student_in_root: bool,
    egui_ctx: egui::Context,
    /// The card as last drawn: the operator's keys act on what they saw.
    shown_card: state::ShownCard,
    /// The card shown when the operator began typing (a lone E flags that card).
    card_when_typing_began: Option<String>,
    /// The last code "scanned away from 拍摄" was said for, so a phone held in view is not
    /// announced again and again.
    scan_elsewhere_said: Option<String>,
    /// Idle time passed while a photo was unsaved; the operator has been told once.
    idle_sign_out_held: bool,
    /// Shows the system's file dialog (tests put their own in its place).
    file_picker: file_dialog::FilePicker,
}

use crate::ui;

pub use logic::SUPERVISOR_IDLE_LOGOUT;

impl StationApp {
    pub fn new(cc: &eframe::CreationContext<'_>, setup: AppSetup) -> anyhow::Result<Self> {
        ui::theme::install(&cc.egui_ctx);
        // Screenshots and start-up probes show the defaults, whatever the last run left.
        let scripted = setup.screenshot_dir.is_some() || setup.startup_probe;
        // A screenshot tour (the Windows test under Wine, the README's pictures) fails on the
        // first character no font can draw, rather than saving a picture with a box in a name.
        if setup.screenshot_dir.is_some() {
            cc.egui_ctx
                .set_missing_glyph_policy(egui::MissingGlyphPolicy::Panic);
        }
        let saved: SavedState = cc
            .storage
            .filter(|_| !scripted)
            .and_then(|storage| eframe::get_value(storage, SAVED_STATE_KEY))
            .unwrap_or_default();
        let config = setup.config;
        let monitors = cc
            .winit_window()
            .map(|window| window.available_monitors().count());
        let (event_sender, events) = sync_channel(EVENT_CAPACITY);
        let waker = |ctx: &egui::Context| -> Box<dyn Fn() + Send> {
            let ctx = ctx.clone();
            Box::new(move || ctx.request_repaint())
        };

        let hub = match &setup.camera {
            CameraChoice::Hub(hub) => hub.clone(),
            CameraChoice::Source(_) | CameraChoice::Custom { .. } => FrameHub::new(),
        };
        let mut camera_spec = None;
        let (camera, camera_name) = match setup.camera {
            CameraChoice::Hub(_) => (None, state::CameraName::Test),
            CameraChoice::Custom { label, make } => (
                Some(spawn_camera(make, hub.clone(), WatchdogSettings::default())),
                state::CameraName::Device {
                    index: 0,
                    name: Some(label),
                },
            ),
            CameraChoice::Source(spec) => {
                camera_spec = Some(spec.clone());
                (
                    Some(start_camera(spec.clone(), config.camera_preference(), &hub)),
                    state::CameraName::of(&spec),
                )
            }
        };
        let scanner_wake = {
            let ctx = cc.egui_ctx.clone();
            let sender = event_sender.clone();
            Box::new(move || {
                let _ = sender.try_send(AppEvent::ScannerWake);
                ctx.request_repaint();
            }) as Box<dyn Fn() + Send>
        };
        let decoder = Arc::new(OpaqueDecoder {
            rules: config.capture_code_rules.clone(),
        });
        let scanner = spawn_scanner(
            hub.clone(),
            decoder,
            Debouncer::new(SCAN_LEAVE_GAP),
            Some(scanner_wake),
        )?;
        let preview = spawn_preview(hub.clone(), waker(&cc.egui_ctx))?;
        let guidance = guidance::spawn_guidance(
            hub.clone(),
            PortraitSettings {
                backdrop: config.backdrop,
                size: config.jpeg_size,
            },
            waker(&cc.egui_ctx),
        )?;
        let portrait_jobs = spawn_portrait_worker(
            PortraitSettings {
                backdrop: config.backdrop,
                size: config.jpeg_size,
            },
            {
                let sender = event_sender.clone();
                let wake = waker(&cc.egui_ctx);
                Box::new(move |outcome| {
                    let delivered = sender.send(AppEvent::Portrait(outcome)).is_ok();
                    wake();
                    delivered
                })
            },
        )?;
        let campus: crate::campus::link::CampusSlot = Arc::default();
        let joined = setup.campus.as_ref().map(|settings| JoinedCampus {
            station: settings.station.clone(),
            server: settings.login.address(),
        });
        let campus_jobs = {
            let sender = event_sender.clone();
            let ctx = cc.egui_ctx.clone();
            campus_worker::spawn_campus_worker(
                config.data_dir.clone(),
                setup.campus.clone(),
                Box::new(move |event| {
                    let _ = sender.send(AppEvent::Campus(event));
                    ctx.request_repaint();
                }),
            )?
        };
        let store_jobs = spawn_store_worker(
            StoreSetup {
                database_path: config.database_path(),
                photos_dir: config.photos_dir(),
                backups_dir: setup
                    .startup_backup
                    .then(|| config.data_dir.join(crate::config::BACKUPS_FOLDER)),
                seed_demo: setup.demo,
                capture_code_rules: config.capture_code_rules.clone(),
                data_dir: config.data_dir.clone(),
                campus: campus.clone(),
            },
            {
                let sender = event_sender.clone();
                let ctx = cc.egui_ctx.clone();
                Arc::new(move |event| {
                    let _ = sender.send(AppEvent::Store(event));
                    ctx.request_repaint();
                })
            },
        )?;

        let state = AppState {
            screen: saved.screen,
            language: saved.language.unwrap_or(config.language),
            demo: setup.demo,
            station_name: config.station_name.clone(),
            data_dir: config.data_dir.clone(),
            database_path: config.database_path(),
            database: DatabaseHealth::Opening,
            camera_name,
            camera_live: false,
            camera_fault: None,
            camera_fps: 0.0,
            role: WindowRole::Operator,
            session: None,
            elevated: None,
            accounts: None,
            sign_in: Default::default(),
            last_activity: Instant::now(),
            counts: Default::default(),
            notice: None,
            operator: OperatorState::default(),
            walk_in: WalkInForm::new(config.walk_in_amount_fen, config.walk_in_payment),
            supervisor: SupervisorState {
                settings: config.file.clone(),
                campus: state::CampusScreen {
                    joined,
                    ..Default::default()
                },
                ..SupervisorState::default()
            },
            campus: campus.get().map(|link| link.status()),
            student_screen: config.student_screen,
            monitors,
            student_window_size: student_view::WINDOW_SIZE,
            countdown: config.countdown,
            first_run: None,
            close_dialog: false,
            close_confirmed: false,
        };
        Ok(Self {
            state,
            config,
            hub,
            camera,
            scanner: Some(scanner),
            preview,
            guidance,
            store_jobs,
            portrait_jobs,
            events,
            event_sender,
            keys: WedgeDetector::default(),
            camera_spec,
            offer_first_run: setup.first_run_guide && !setup.demo,
            shot_frame: None,
            shot_original: None,
            textures: ui::Textures::default(),
            started: setup.started,
            first_frame_ms: None,
            startup_probe: setup.startup_probe,
            student_in_root: false,
            egui_ctx: cc.egui_ctx.clone(),
            shown_card: Default::default(),
            card_when_typing_began: None,
            scan_elsewhere_said: None,
            idle_sign_out_held: false,
            file_picker: file_dialog::system_file_picker(),
            campus,
            campus_waiting: setup.campus,
            campus_jobs,
        })
    }

    /// The frame hub the scanner and preview read (tests publish into it).
    pub fn hub(&self) -> &FrameHub {
        &self.hub
    }

    /// Blocks until `done` holds or `timeout` passes, handling worker events as they arrive.
    /// For tests and the screenshot tour: it waits on the event channel, never by sleeping.
    pub fn wait_until(&mut self, timeout: Duration, done: impl Fn(&AppState) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            self.drain_scanner();
            if done(&self.state) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.events.recv_timeout(left) {
                Ok(event) => self.handle_event(event),
                Err(_) => return done(&self.state),
            }
        }
    }

    /// Applies a command as if a screen had sent it (tests drive the app through this too).
    pub fn command(&mut self, command: command::Command) {
        self.apply(command);
    }

    /// Draws the student's screen in the main window, at its size (for the screenshot tour of
    /// that screen).
    pub fn show_student_screen_in_root(&mut self) {
        self.student_in_root = true;
        self.state.student_screen = crate::config::StudentScreenMode::Off;
    }

    /// Puts `picker` in place of the system's file dialog (for tests, which have no desktop).
    pub fn set_file_picker(&mut self, picker: file_dialog::FilePicker) {
        self.file_picker = picker;
    }

    pub fn config(&self) -> &StationConfig {
        &self.config
    }
}

/// Starts the camera thread on `spec`, reopening it after faults as usual.
fn start_camera(
    spec: SourceSpec,
    preference: crate::camera::webcam::FormatPreference,
    hub: &FrameHub,
) -> CameraHandle {
    let make = move || spec.build_with(DEMO_FPS, &preference);
    spawn_camera(make, hub.clone(), WatchdogSettings::default())
}

impl StationApp {
    /// Stops the camera thread and starts `spec` in its place, into the same frame hub: the
    /// guide's preview of each camera, and a camera setting saved under 设置.
    pub(crate) fn switch_camera(
        &mut self,
        spec: SourceSpec,
        preference: crate::camera::webcam::FormatPreference,
    ) {
        if let Some(mut old) = self.camera.take() {
            old.stop();
        }
        tracing::info!(camera = ?spec, ?preference, "switching the camera");
        self.state.camera_name = state::CameraName::of(&spec);
        self.state.camera_live = false;
        self.camera = Some(start_camera(spec.clone(), preference, &self.hub));
        self.camera_spec = Some(spec);
    }
}

impl Drop for StationApp {
    fn drop(&mut self) {
        if let Some(mut camera) = self.camera.take() {
            camera.stop();
        }
        self.scanner.take();
    }
}

impl eframe::App for StationApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.before_frame(&ctx);
        self.draw(ui, &ctx);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.startup_probe {
            return;
        }
        eframe::set_value(
            storage,
            SAVED_STATE_KEY,
            &SavedState {
                screen: self.state.screen,
                language: Some(self.state.language),
            },
        );
    }
}

impl StationApp {
    /// Draws the frame and applies what the person asked for, after [`Self::before_frame`].
    pub(super) fn draw(&mut self, ui: &mut egui::Ui, ctx: &egui::Context) {
        let ctx = ctx.clone();
        if self.student_in_root {
            ui::student::fill(ui, &self.state, &mut self.textures);
            self.after_frame(&ctx);
            return;
        }
        self.close_requested(&ctx);
        let commands = ui::show(ui, &mut self.state, &mut self.textures);
        self.remember_shown_card();
        // Nobody stands in front of the camera while the booth is being set up (or before the
        // store has said whether it needs setting up).
        if self.state.first_run.is_none() && !self.offer_first_run {
            ui::student::show(&ctx, &mut self.state, &mut self.textures);
        }
        for command in commands {
            self.apply(command);
        }
        self.after_frame(&ctx);
    }
}
