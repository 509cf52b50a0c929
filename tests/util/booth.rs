//! The booth window under egui_kittest for the window tests: the real screens and workers, a
//! temporary database, frames published straight into the frame hub, and the person's moves
//! (scan, type, click, drop a file, shoot and save).

use capture_station::app::accounts::AccountsCommand;
use std::path::Path;
use std::time::{Duration, Instant};

use capture_station::app::command::Command;
use capture_station::app::state::{CardState, ShotState, WindowRole};
use capture_station::app::{AppSetup, CameraChoice, StationApp, demo};
use capture_station::camera::FrameHub;
use capture_station::camera::synthetic::render_phone_frame;
use capture_station::camera::synthetic_source::{DemoScene, SyntheticSource};
use capture_station::camera::synthetic_student::{StudentScene, render_student_frame};
use capture_station::config::StationConfig;
use capture_station::domain::photo_spec::Backdrop;
use capture_station::store::{MatchKind, Store};
use egui::accesskit::Role as A11yRole;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

/// Long enough for a worker on a loaded CI machine; the tests wait on events, not on time.
pub(crate) const WAIT: Duration = Duration::from_secs(30);

/// The other screens' tests run without the student's screen: in a test harness it is drawn as
/// a window over the operator's screen, where it would cover what they click.
pub(crate) const NO_STUDENT_SCREEN: &str = "student_screen = \"off\"\n";

pub(crate) struct Booth {
    pub(crate) harness: Harness<'static, StationApp>,
    pub(crate) dir: tempfile::TempDir,
}

/// A window on a fresh data folder holding the demo bookings.
pub(crate) fn booth() -> Booth {
    booth_stepping(1.0 / 60.0)
}

/// [`booth`] with each simulated frame (and each queued key) `step_seconds` apart.
pub(crate) fn booth_stepping(step_seconds: f32) -> Booth {
    let mut booth = unsigned_booth(step_seconds, true);
    booth.sign_in(demo::DEMO_STAFF, demo::DEMO_STAFF_PIN);
    booth
}

pub(crate) fn unsigned_booth(step_seconds: f32, seeded: bool) -> Booth {
    booth_with_camera(step_seconds, seeded, CameraChoice::Hub(FrameHub::new()))
}

/// A signed-in booth on the demo bookings whose config.toml is `config`.
pub(crate) fn booth_configured(config: &str) -> Booth {
    let mut booth = booth_with(1.0 / 60.0, true, CameraChoice::Hub(FrameHub::new()), config);
    booth.sign_in(demo::DEMO_STAFF, demo::DEMO_STAFF_PIN);
    booth
}

pub(crate) fn booth_with_camera(step_seconds: f32, seeded: bool, camera: CameraChoice) -> Booth {
    booth_with(step_seconds, seeded, camera, NO_STUDENT_SCREEN)
}

/// A window on a fresh data folder (with the demo bookings and accounts if `seeded`), showing
/// its sign-in screen.
pub(crate) fn booth_with(
    step_seconds: f32,
    seeded: bool,
    camera: CameraChoice,
    config: &str,
) -> Booth {
    let booth = open_booth(step_seconds, seeded, camera, config, false, false);
    // Nothing of the booth shows before someone signs in.
    assert!(booth.harness.query_by_label("请学生出示采集码").is_none());
    booth
}

/// A real booth's first start: an empty store, no account, and the first-run guide offered.
pub(crate) fn first_start_booth() -> Booth {
    open_booth(
        1.0 / 60.0,
        false,
        CameraChoice::Hub(FrameHub::new()),
        NO_STUDENT_SCREEN,
        true,
        false,
    )
}

/// A signed-in booth on the demo bookings that draws a box for a character no font has, as the
/// real window does, instead of failing the test (kittest's default).
pub(crate) fn booth_drawing_boxes() -> Booth {
    let mut booth = open_booth(
        1.0 / 60.0,
        true,
        CameraChoice::Hub(FrameHub::new()),
        NO_STUDENT_SCREEN,
        false,
        true,
    );
    booth.sign_in(demo::DEMO_STAFF, demo::DEMO_STAFF_PIN);
    booth
}

pub(crate) fn open_booth(
    step_seconds: f32,
    seeded: bool,
    camera: CameraChoice,
    config: &str,
    first_run_guide: bool,
    draw_boxes: bool,
) -> Booth {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    let config = StationConfig::load(dir.path()).unwrap();
    let mut store = Store::open(&config.database_path()).unwrap();
    if seeded {
        demo::seed(&mut store, &config.capture_code_rules).unwrap();
    }
    drop(store);
    let setup = AppSetup {
        config,
        demo: false,
        camera,
        started: Instant::now(),
        startup_probe: false,
        screenshot_dir: None,
        startup_backup: false,
        campus: None,
        first_run_guide,
    };
    let mut builder = Harness::builder()
        .with_size(egui::vec2(1366.0, 768.0))
        .with_step_dt(step_seconds);
    if draw_boxes {
        builder = builder.allow_missing_glyphs();
    }
    let harness = builder.build_eframe(move |cc| StationApp::new(cc, setup).unwrap());
    let mut booth = Booth { harness, dir };
    booth.settle(|s| {
        matches!(
            s.database,
            capture_station::app::state::DatabaseHealth::Healthy
        ) && s.accounts.is_some()
    });
    booth
}

impl Booth {
    /// Signs in through the sign-in screen, as a person would.
    pub(crate) fn sign_in(&mut self, name: &str, pin: &str) {
        self.type_into(A11yRole::TextInput, "用户名", name);
        self.type_into(A11yRole::PasswordInput, "PIN", pin);
        self.harness.get_by_label("登录").click();
        self.harness.run_steps(1);
        self.settle(|s| s.session.is_some());
    }

    pub(crate) fn app(&mut self) -> &mut StationApp {
        self.harness.state_mut()
    }

    /// Waits for the workers until `done` holds, then draws a few frames.
    #[track_caller]
    pub(crate) fn settle(&mut self, done: impl Fn(&capture_station::app::state::AppState) -> bool) {
        let reached = self.app().wait_until(WAIT, done);
        let state = &self.app().state;
        assert!(
            reached,
            "the app did not reach the expected state (screen {:?}, notice {:?})",
            state.screen, state.notice
        );
        self.harness.run_steps(3);
    }

    pub(crate) fn show_phone(&mut self, code_index: usize) {
        let source = SyntheticSource::new(1920, 1080, 0);
        let phone = source
            .scenes()
            .iter()
            .filter_map(|scene| match scene {
                DemoScene::Phone(phone) => Some(phone),
                DemoScene::Student(_) => None,
            })
            .nth(code_index)
            .unwrap();
        let frame = render_phone_frame(phone, 1920, 1080);
        self.app().hub().publish(frame);
    }

    pub(crate) fn show_student(&mut self) {
        let scene = StudentScene {
            backdrop: Backdrop::Blue.rgb(),
            offset: 0.0,
            seed: 3,
        };
        self.app()
            .hub()
            .publish(render_student_frame(&scene, 1920, 1080));
    }

    /// Clicks into the text field named `label` and types `text`, as a person would.
    /// Clicks a button that may sit below the fold, as a user scrolls to it first.
    pub(crate) fn click_scrolled(&mut self, label: &str) {
        self.harness.get_by_label(label).scroll_to_me();
        // The scroll is animated: let it end before aiming at the button.
        self.harness.run_steps(100);
        self.harness.get_by_label(label).click();
        self.harness.run_steps(1);
    }

    pub(crate) fn type_into(&mut self, role: A11yRole, label: &str, text: &str) {
        self.harness.get_by_role_and_label(role, label).click();
        self.harness.run_steps(2);
        self.harness
            .get_by_role_and_label(role, label)
            .type_text(text);
        self.harness.run_steps(2);
    }

    pub(crate) fn store(&self) -> Store {
        let config = StationConfig::load(self.dir.path()).unwrap();
        Store::open(&config.database_path()).unwrap()
    }

    pub(crate) fn booking_id_of_code(&self, code: &str) -> String {
        let hit = self.store().lookup(code, 1).unwrap().remove(0);
        assert_eq!(hit.matched_by, MatchKind::CaptureCode);
        hit.booking.booking_id
    }
}

pub(crate) fn card_found(state: &capture_station::app::state::AppState) -> bool {
    matches!(state.operator.card, CardState::Found(_))
}

/// A file dropped on the window, as winit hands it over.
#[derive(Debug)]
pub(crate) struct DroppedPath(pub(crate) std::path::PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

impl Booth {
    /// A supervisor signs in over the booth's session, as on the 主管 tab.
    /// The student in front of the camera, then Space and Enter: the operator's two keys.
    pub(crate) fn shoot_and_save(&mut self) {
        self.show_student();
        self.harness.key_press(egui::Key::Space);
        self.harness.run_steps(1);
        self.settle(|s| matches!(s.operator.shot, ShotState::Ready { .. }));
        self.harness.key_press(egui::Key::Enter);
        self.harness.run_steps(1);
        self.settle(|s| matches!(s.operator.shot, ShotState::Saved { .. }));
    }

    pub(crate) fn supervisor_over_the_booth(&mut self) {
        self.app()
            .command(Command::Accounts(AccountsCommand::Login {
                name: demo::DEMO_SUPERVISOR.to_string(),
                pin: demo::DEMO_SUPERVISOR_PIN.to_string(),
            }));
        self.settle(|s| s.role == WindowRole::Supervisor);
    }

    /// Drops `bytes`, saved as `name` in a temporary folder, onto the window.
    pub(crate) fn drop_file(&mut self, files: &tempfile::TempDir, name: &str, bytes: &[u8]) {
        let path = files.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        self.harness
            .input_mut()
            .dropped_files
            .push(std::sync::Arc::new(DroppedPath(path)));
        self.harness.run_steps(1);
    }

    pub(crate) fn import_settled(&mut self) {
        self.settle(|s| {
            let import = &s.supervisor.import;
            !import.busy
                && (import.preview.is_some() || import.result.is_some() || import.refused.is_some())
        });
    }
}
