//! The booth window driven like a user would, with egui_kittest: the real screens and workers, a
//! temporary database, and frames published straight into the frame hub (no camera thread).

use std::path::Path;
use std::time::{Duration, Instant};

use capture_station::app::command::Command;
use capture_station::app::state::{CardState, Screen, ShotState, WindowRole};
use capture_station::app::{AppSetup, CameraChoice, StationApp, demo};
use capture_station::camera::FrameHub;
use capture_station::camera::synthetic::render_phone_frame;
use capture_station::camera::synthetic_source::{DemoScene, SyntheticSource, demo_camera_codes};
use capture_station::camera::synthetic_student::{StudentScene, render_student_frame};
use capture_station::config::StationConfig;
use capture_station::domain::CorrectableField;
use capture_station::domain::photo_spec::Backdrop;
use capture_station::store::{MatchKind, Store};
use egui::accesskit::Role as A11yRole;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

/// Long enough for a worker on a loaded CI machine; the tests wait on events, not on time.
pub(crate) const WAIT: Duration = Duration::from_secs(30);

/// The other screens' tests run without the student's screen: in a test harness it is drawn as
/// a window over the operator's screen, where it would cover what they click.
const NO_STUDENT_SCREEN: &str = "student_screen = \"off\"\n";

pub(crate) struct Booth {
    pub(crate) harness: Harness<'static, StationApp>,
    pub(crate) dir: tempfile::TempDir,
}

/// A window on a fresh data folder holding the demo bookings.
pub(crate) fn booth() -> Booth {
    booth_stepping(1.0 / 60.0)
}

/// [`booth`] with each simulated frame (and each queued key) `step_seconds` apart.
fn booth_stepping(step_seconds: f32) -> Booth {
    let mut booth = unsigned_booth(step_seconds, true);
    booth.sign_in(demo::DEMO_STAFF, demo::DEMO_STAFF_PIN);
    booth
}

fn unsigned_booth(step_seconds: f32, seeded: bool) -> Booth {
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
fn booth_with(step_seconds: f32, seeded: bool, camera: CameraChoice, config: &str) -> Booth {
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

fn open_booth(
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
    fn click_scrolled(&mut self, label: &str) {
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

#[test]
fn scan_space_enter_saves_the_photo() {
    let mut booth = booth();
    booth.show_phone(0);
    booth.settle(card_found);
    let code = demo_camera_codes().remove(0);
    let booking_id = booth.booking_id_of_code(&code);
    let name = booth.store().booking(&booking_id).unwrap().student.name;
    booth.harness.get_by_label(&name);
    // The operator sees the masked ID number, never the whole one.
    let id_number = booth
        .store()
        .booking(&booking_id)
        .unwrap()
        .student
        .id_number
        .unwrap();
    assert!(booth.harness.query_by_label(&id_number).is_none());
    booth
        .harness
        .get_by_label(&capture_station::domain::id_number::mask(&id_number));
    let phone = booth
        .store()
        .booking(&booking_id)
        .unwrap()
        .student
        .phone
        .unwrap();
    assert!(booth.harness.query_by_label(&phone).is_none());
    booth
        .harness
        .get_by_label(&capture_station::domain::text::mask_phone(&phone));

    booth.show_student();
    booth.harness.key_press(egui::Key::Space);
    booth.harness.run_steps(1);
    booth.settle(|s| matches!(s.operator.shot, ShotState::Ready { .. }));
    booth.harness.get_by_label("保存 (Enter)");
    booth.harness.key_press(egui::Key::Enter);
    booth.harness.run_steps(1);
    // The day's counts follow the save as their own event.
    booth.settle(|s| matches!(s.operator.shot, ShotState::Saved { .. }) && s.counts.captured == 1);

    let store = booth.store();
    assert_eq!(store.booking(&booking_id).unwrap().status, "captured");
    let captures = store.captures_for(&booking_id).unwrap();
    assert_eq!(captures.len(), 1);
    assert!(captures[0].spec_ok && !captures[0].overridden);
    let photo = booth
        .dir
        .path()
        .join("photos")
        .join(&captures[0].photo_path);
    let jpeg = std::fs::read(&photo).unwrap();
    let image = image::load_from_memory(&jpeg).unwrap();
    assert_eq!((image.width(), image.height()), (480, 640));
    assert!(
        captures[0].original_path.is_some(),
        "the original is kept for re-cropping"
    );

    // Already captured now: a second scan warns and Space does not shoot.
    booth.app().command(Command::ClearCard);
    booth.show_phone(1);
    booth.settle(card_found);
    // The next scan waits while that card is up; Esc takes it.
    booth.show_phone(0);
    booth.settle(|s| s.operator.next_up.is_some());
    booth.app().command(Command::ClearCard);
    booth.settle(
        |s| matches!(&s.operator.card, CardState::Found(c) if c.booking.status == "captured"),
    );
    booth.harness.get_by_label("该学生已采集：重拍需主管批准");
    booth.harness.key_press(egui::Key::Space);
    booth.harness.run_steps(2);
    assert!(matches!(booth.app().state.operator.shot, ShotState::None));

    // A supervisor approves one retake from the card; the retake replaces the photo, and the
    // first one stays on disk as history.
    booth.app().command(Command::Login {
        name: demo::DEMO_SUPERVISOR.to_string(),
        pin: demo::DEMO_SUPERVISOR_PIN.to_string(),
    });
    booth.settle(|s| s.role == WindowRole::Supervisor);
    booth.harness.get_by_label("批准重拍").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.card().is_some_and(|c| c.booking.retake_approved));
    booth.shoot_and_save();
    let captures = booth.store().captures_for(&booking_id).unwrap();
    assert_eq!(captures.len(), 2);
    assert_eq!(captures.iter().filter(|c| c.superseded).count(), 1);
    assert!(
        !booth.store().booking(&booking_id).unwrap().retake_approved,
        "the approval is used up"
    );
}

#[test]
fn unknown_code_opens_a_prefilled_walk_in_that_is_ready_to_shoot() {
    let mut booth = booth();
    let unknown = demo_camera_codes().pop().unwrap();
    booth.show_phone(2);
    booth.settle(|s| matches!(s.operator.card, CardState::Unknown(_)));
    assert!(booth.harness.query_all_by_label("未找到预约").count() >= 1);
    booth.harness.get_by_label("现场预约 (F2)").click();
    booth.harness.run_steps(2);
    assert_eq!(booth.app().state.screen, Screen::WalkIn);
    assert_eq!(booth.app().state.walk_in.capture_code, unknown);

    let id_number =
        capture_station::domain::id_number::complete_with_check("41010520010203002").unwrap();
    for (label, text) in [
        ("姓名 *", "赵六"),
        ("身份证号 *", id_number.as_str()),
        ("学校 *", "演示大学"),
    ] {
        booth.type_into(A11yRole::TextInput, label, text);
    }
    booth.harness.get_by_label("✓ 身份证号有效");
    booth.harness.get_by_label("保存预约").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.screen == Screen::Operator && card_found(s) && s.counts.walk_ins == 1);
    let card = booth.app().state.card().unwrap().clone();
    assert_eq!(card.booking.source, "walk_in");
    assert_eq!(card.booking.capture_code.as_deref(), Some(unknown.as_str()));
    assert!(
        card.shoot_block().is_none(),
        "the walk-in is ready to shoot"
    );

    // The same code again shows that booking instead of making a second one.
    booth.app().command(Command::StartWalkIn {
        capture_code: Some(unknown.clone()),
    });
    booth.app().state.walk_in.name = "赵六".to_string();
    booth.app().state.walk_in.id_number = id_number.clone();
    booth.app().state.walk_in.school = "演示大学".to_string();
    booth.app().command(Command::SaveWalkIn);
    booth.settle(|s| s.screen == Screen::Operator);
    assert_eq!(
        booth.store().lookup(&unknown, 5).unwrap().len(),
        1,
        "no second booking"
    );
}

#[test]
fn an_invalid_id_number_shows_its_reason_and_blocks_saving() {
    let mut booth = booth();
    booth.harness.get_by_label("现场预约").click();
    booth.harness.run_steps(2);
    let bookings_before = booth.store().booking_count().unwrap();
    let mut bad =
        capture_station::domain::id_number::complete_with_check("41010520010203002").unwrap();
    let wrong_check = if bad.ends_with('1') { "2" } else { "1" };
    bad.replace_range(17..18, wrong_check);
    for (label, text) in [
        ("姓名 *", "钱七"),
        ("身份证号 *", bad.as_str()),
        ("学校 *", "演示大学"),
    ] {
        booth.type_into(A11yRole::TextInput, label, text);
    }
    use capture_station::i18n::Worded as _;
    let reason = capture_station::domain::IdNumber::parse(&bad, chrono::Local::now().date_naive())
        .unwrap_err()
        .zh();
    booth.harness.get_by_label(&format!("× {reason}"));
    booth.harness.get_by_label("保存预约").click();
    booth.harness.run_steps(2);
    assert!(!booth.app().state.walk_in.saving);
    // Even the command path refuses: the form is validated again before anything is sent.
    booth.app().command(Command::SaveWalkIn);
    assert!(!booth.app().state.walk_in.saving);
    assert_eq!(booth.store().booking_count().unwrap(), bookings_before);
}

#[test]
fn corrections_need_the_supervisor_and_are_audited() {
    let mut booth = booth();
    let code = demo_camera_codes().remove(0);
    let booking_id = booth.booking_id_of_code(&code);
    let correct = |reason: &str| Command::Correct {
        booking_id: booking_id.clone(),
        field: CorrectableField::Name,
        value: "更正后".to_string(),
        reason: reason.to_string(),
        confirmed_after_capture: false,
    };

    // An operator is refused, and nothing is written.
    booth.app().command(correct("证件为准"));
    booth.harness.run_steps(2);
    booth.harness.get_by_label("需要主管登录");
    assert!(
        booth
            .store()
            .corrections_for(&booking_id)
            .unwrap()
            .is_empty()
    );
    booth.harness.get_by_label("主管").click();
    booth.harness.run_steps(2);
    assert!(booth.harness.query_by_label("保存更正").is_none());

    // Logged in with the PIN, the correction goes through and is in the history.
    booth.type_into(A11yRole::TextInput, "主管用户名", demo::DEMO_SUPERVISOR);
    booth.type_into(A11yRole::PasswordInput, "PIN", demo::DEMO_SUPERVISOR_PIN);
    booth.harness.get_by_label("登录").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.role == WindowRole::Supervisor);
    booth
        .app()
        .command(Command::SelectForCorrection(booking_id.clone()));
    booth.settle(|s| s.supervisor.selected.is_some());
    booth.app().state.supervisor.correction.value = "更正后".to_string();
    booth.app().state.supervisor.correction.reason = "证件为准".to_string();
    booth.harness.run_steps(2);
    booth.harness.get_by_label("保存更正").click();
    booth.harness.run_steps(1);
    booth.settle(|s| !s.supervisor.history.is_empty());

    let store = booth.store();
    assert_eq!(store.booking(&booking_id).unwrap().student.name, "更正后");
    let history = store.corrections_for(&booking_id).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].reason, "证件为准");
    assert_eq!(
        history[0].who,
        format!("{}(supervisor)", demo::DEMO_SUPERVISOR)
    );
    // The window's refusal earlier went to the store as well, so it is in the audit log.
    let events = store.recent_events(200).unwrap();
    let refused = events
        .iter()
        .find(|e| e.kind == "refused")
        .expect("the refusal is logged");
    assert_eq!(refused.detail["action"], "correct_identity");
    assert_eq!(refused.actor, format!("{}(staff)", demo::DEMO_STAFF));
    assert!(store.verify_event_chain().unwrap().is_none());
    booth.harness.get_by_label_contains("→ 更正后");
}

#[test]
fn a_keyboard_wedge_burst_counts_as_a_scan() {
    // A wedge scanner types every character within a few milliseconds, then Enter: each queued
    // key is one simulated frame, 5 ms apart.
    let mut booth = booth_stepping(0.005);
    let code = demo_camera_codes().remove(1);
    for character in code.chars() {
        booth
            .harness
            .event(egui::Event::Text(character.to_string()));
    }
    booth.harness.key_press(egui::Key::Enter);
    booth.harness.run_steps(1);
    booth.settle(card_found);
    let card = booth.app().state.card().unwrap().clone();
    assert_eq!(card.booking.capture_code.as_deref(), Some(code.as_str()));
    assert!(
        !booth.app().state.operator.search.open,
        "a scan, not a search"
    );
}

#[test]
fn the_english_toggle_switches_every_screen() {
    let mut booth = booth();
    booth.harness.get_by_label("拍摄");
    booth.harness.get_by_label("English").click();
    booth.harness.run_steps(2);
    booth.harness.get_by_label("Capture");
    booth.harness.get_by_label("Walk-in");
    assert!(booth.harness.query_by_label("拍摄").is_none());
    booth.harness.get_by_label("Walk-in").click();
    booth.harness.run_steps(2);
    booth.harness.get_by_label("Save booking");
    booth.harness.get_by_label("中文").click();
    booth.harness.run_steps(2);
    booth.harness.get_by_label("保存预约");
}

/// The bundled fonts cover every character of 通用规范汉字表 (8,105), so Chinese renders on a
/// machine with no CJK font at all.
#[test]
fn the_bundled_font_covers_the_8105_standard_characters() {
    let list = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts/tongyong-guifan-hanzi-8105.txt"),
    )
    .unwrap();
    let characters: Vec<char> = list.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(characters.len(), 8105);
    let ctx = egui::Context::default();
    capture_station::ui::theme::install(&ctx);
    ctx.run_ui(Default::default(), |_| {})
        .textures_delta
        .clear();
    let font = egui::FontId::proportional(20.0);
    let missing: Vec<char> = ctx.fonts_mut(|fonts| {
        characters
            .iter()
            .copied()
            .filter(|c| !fonts.has_glyph(&font, *c))
            .collect()
    });
    assert!(
        missing.is_empty(),
        "{} missing, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
    // And the check can fail: an Extension G character is in no bundled font.
    assert!(!ctx.fonts_mut(|fonts| fonts.has_glyph(&font, '\u{30000}')));
    ctx.run_ui(Default::default(), |_| {})
        .textures_delta
        .clear();
}

#[test]
fn the_supervisor_closes_out_with_a_preview_and_a_confirmation() {
    let mut booth = booth();
    booth.app().command(Command::Login {
        name: demo::DEMO_SUPERVISOR.to_string(),
        pin: demo::DEMO_SUPERVISOR_PIN.to_string(),
    });
    booth.settle(|s| s.role == WindowRole::Supervisor);
    booth.app().command(Command::Show(Screen::Supervisor));
    booth.app().command(Command::SupervisorTab(
        capture_station::app::state::SupervisorTab::CloseOut,
    ));
    booth.settle(|s| !s.supervisor.schools.is_empty());
    booth.harness.get_by_label("预览").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.close_out.preview.is_some());
    let preview = booth
        .app()
        .state
        .supervisor
        .close_out
        .preview
        .clone()
        .unwrap();
    assert_eq!(preview.to_cancel, demo::DEMO_BOOKINGS);
    assert!(
        preview.open_window.is_some(),
        "the demo window runs until after today"
    );
    // Still open: confirming needs the recorded force.
    booth.harness.get_by_label("确认结束采集").click();
    booth.harness.run_steps(2);
    assert!(booth.app().state.supervisor.close_out.outcome.is_none());
    booth.harness.get_by_label("仍要结束（将被记录）").click();
    booth.harness.run_steps(1);
    booth.harness.get_by_label("确认结束采集").click();
    booth.harness.run_steps(2);
    // It refunds money: the window asks once more, with the count and the amount.
    assert!(booth.app().state.supervisor.close_out.outcome.is_none());
    booth.harness.get_by_label_contains(&format!(
        "将取消 {} 个未采集的订单，退款共 {} 元",
        preview.to_cancel,
        capture_station::domain::money::format_yuan(preview.refund_total_fen)
    ));
    booth.harness.get_by_label("确认结束并退款").click();
    booth.harness.run_steps(1);
    booth.settle(|s| {
        s.supervisor.close_out.outcome.is_some() && !s.supervisor.close_out.refunds.is_empty()
    });
    let outcome = booth
        .app()
        .state
        .supervisor
        .close_out
        .outcome
        .clone()
        .unwrap();
    assert_eq!(outcome.cancelled, demo::DEMO_BOOKINGS);
    assert!(outcome.forced);
    let store = booth.store();
    assert_eq!(
        store.refunds(demo::DEMO_SCHOOL).unwrap().len(),
        demo::DEMO_BOOKINGS
    );
    assert!(
        store
            .recent_events(5)
            .unwrap()
            .iter()
            .any(|e| e.kind == "session_closed" && e.detail["forced"] == true)
    );

    let order = store.refunds(demo::DEMO_SCHOOL).unwrap()[0]
        .order_no
        .clone()
        .unwrap();
    booth.app().command(Command::MarkRefunded {
        order_no: order,
        reference: "WX-1".to_string(),
    });
    booth.settle(|s| s.supervisor.close_out.summary.done == 1);
}

#[test]
fn a_scan_at_the_walk_in_desk_fills_the_code_and_never_switches_screens() {
    let mut booth = booth();
    booth.harness.get_by_label("现场预约").click();
    booth.harness.run_steps(2);
    let codes = demo_camera_codes();
    booth.show_phone(2);
    booth.settle(|s| !s.walk_in.capture_code.is_empty());
    assert_eq!(booth.app().state.walk_in.capture_code, codes[2]);
    booth.show_phone(0);
    booth.settle(|s| s.notice.is_some());
    assert_eq!(booth.app().state.screen, Screen::WalkIn);
    assert_eq!(
        booth.app().state.walk_in.capture_code,
        codes[2],
        "the form keeps its code"
    );
}

#[test]
fn the_first_run_creates_the_supervisor_in_the_window() {
    let mut booth = unsigned_booth(1.0 / 60.0, false);
    booth.harness.get_by_label("首次使用：创建主管账户");
    booth.type_into(A11yRole::TextInput, "用户名", "李主管");
    booth.type_into(A11yRole::PasswordInput, "PIN", "864209");
    booth.type_into(A11yRole::PasswordInput, "再次输入 PIN", "864200");
    booth.harness.get_by_label("创建主管并登录").click();
    booth.harness.run_steps(2);
    booth.harness.get_by_label("两次输入的 PIN 不一致");
    assert_eq!(booth.store().user_count().unwrap(), 0);

    booth.type_into(A11yRole::PasswordInput, "PIN", "864209");
    booth.type_into(A11yRole::PasswordInput, "再次输入 PIN", "864209");
    booth.harness.get_by_label("创建主管并登录").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.session.is_some());
    assert_eq!(booth.app().state.role, WindowRole::Supervisor);
    let store = booth.store();
    assert_eq!(store.user_count().unwrap(), 1);
    let hash: String = store
        .connection()
        .query_row("SELECT pin_hash FROM users", [], |r| r.get(0))
        .unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains("864209"));
}

#[test]
fn wrong_pins_are_refused_and_idle_time_signs_everyone_out() {
    let mut booth = unsigned_booth(1.0 / 60.0, true);
    booth.type_into(A11yRole::TextInput, "用户名", demo::DEMO_STAFF);
    booth.type_into(A11yRole::PasswordInput, "PIN", "999999");
    booth.harness.get_by_label("登录").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.sign_in.message.is_some());
    booth.harness.get_by_label_contains("再错 4 次将锁定");
    assert!(booth.app().state.session.is_none());

    booth.type_into(A11yRole::PasswordInput, "PIN", demo::DEMO_STAFF_PIN);
    booth.harness.get_by_label("登录").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.session.is_some());
    booth.harness.get_by_label("请学生出示采集码");

    // Pretend the booth was left alone for longer than the idle limit.
    let limit = StationConfig::load(booth.dir.path()).unwrap().idle_logout;
    let idle = limit + Duration::from_secs(1);
    booth.app().state.last_activity -= idle;
    booth.harness.run_steps(2);
    assert!(booth.app().state.session.is_none());
    booth.harness.get_by_label("请登录");
    assert!(booth.harness.query_by_label("请学生出示采集码").is_none());
    booth.settle(|s| s.accounts.is_some());
    let events = booth.store().recent_events(5).unwrap();
    let logout = events.iter().find(|e| e.kind == "logout").unwrap();
    assert_eq!(logout.detail["reason"], "idle");
}

#[test]
fn an_operator_account_cannot_book_a_walk_in_even_through_the_form() {
    let mut booth = unsigned_booth(1.0 / 60.0, true);
    booth.sign_in(demo::DEMO_OPERATOR, demo::DEMO_OPERATOR_PIN);
    let bookings_before = booth.store().booking_count().unwrap();
    booth.app().command(Command::StartWalkIn {
        capture_code: Some("CSWALKIN-OPERATOR-1".to_string()),
    });
    booth.app().state.walk_in.name = "王小明".to_string();
    booth.app().state.walk_in.id_number = "110105200001010016".to_string();
    booth.app().state.walk_in.school = demo::DEMO_SCHOOL.to_string();
    booth.app().command(Command::SaveWalkIn);
    booth.settle(|s| !s.walk_in.saving);
    // Said beside the form whose save was refused.
    let refusal = booth.app().state.walk_in.error.clone();
    assert!(
        refusal.as_deref().is_some_and(|n| n.contains("权限不足")),
        "{refusal:?}"
    );
    let store = booth.store();
    assert_eq!(store.booking_count().unwrap(), bookings_before);
    let refused = &store.recent_events(1).unwrap()[0];
    assert_eq!(refused.kind, "refused");
    assert_eq!(refused.detail["action"], "create_walk_in");
}

/// Draws frames until `done` holds (a camera thread is running, so there is nothing to wait on
/// but the next frame); returns how many frames were drawn.
fn draw_until(
    booth: &mut Booth,
    done: impl Fn(&capture_station::app::state::AppState) -> bool,
) -> usize {
    let deadline = Instant::now() + WAIT;
    let mut frames = 0;
    while !done(&booth.app().state) {
        assert!(
            Instant::now() < deadline,
            "the window never reached the expected state"
        );
        booth.harness.step();
        frames += 1;
    }
    booth.harness.run_steps(2);
    frames
}

/// A code in view that will not read: after a second of it the operator is told what the
/// student should change, and the advice goes as soon as a code reads.
#[test]
fn a_code_that_will_not_read_brings_advice_and_a_read_clears_it() {
    use capture_station::camera::synthetic::{PhoneScene, scramble_code_middle};
    let mut booth = booth();
    // The phone wobbles in the hand: a few pixels over from frame to frame.
    let frames: Vec<image::RgbImage> = (0..5)
        .map(|step| {
            let mut scene = PhoneScene::plain("CSDEMO-scrambled-0123456789abcdefghijklmnop");
            scene.code_side_px = 300.0;
            scene.center = (0.5 + 0.002 * step as f32, 0.5);
            let mut frame = render_phone_frame(&scene, 1920, 1080);
            scramble_code_middle(&mut frame, &scene);
            frame
        })
        .collect();
    let deadline = Instant::now() + WAIT;
    let mut step = 0;
    while booth.app().state.operator.scan_hint.is_none() {
        assert!(Instant::now() < deadline, "no advice for the student");
        booth
            .app()
            .hub()
            .publish(frames[step % frames.len()].clone());
        booth.harness.step();
        step += 1;
    }
    booth.harness.run_steps(2);
    booth.harness.get_by_label("⚠ 请把手机拿近一些");
    assert!(!card_found(&booth.app().state));
    booth.show_phone(0);
    booth.settle(|s| card_found(s) && s.operator.scan_hint.is_none());
    assert!(booth.harness.query_by_label("⚠ 请把手机拿近一些").is_none());
}

#[test]
fn camera_faults_show_in_the_status_bar_while_the_window_keeps_drawing() {
    use capture_station::camera::fault::{Fault, FaultyDevice};
    let device = FaultyDevice::new();
    let maker = device.clone();
    let camera = CameraChoice::Custom {
        label: "faulty".to_string(),
        make: Box::new(move || maker.source(Box::new(SyntheticSource::new(640, 360, 30)))),
    };
    let mut booth = booth_with_camera(1.0 / 60.0, true, camera);
    booth.sign_in(demo::DEMO_STAFF, demo::DEMO_STAFF_PIN);
    draw_until(&mut booth, |s| s.camera_live);
    for fault in Fault::ALL {
        device.inject(fault);
        let frames = draw_until(&mut booth, |s| !s.camera_live);
        assert!(frames > 0, "{fault:?}");
        booth.harness.get_by_label_contains("摄像头无画面");
        // The operator can still work the window while the camera is down.
        booth.harness.get_by_label("现场预约").click();
        booth.harness.run_steps(2);
        assert_eq!(booth.app().state.screen, Screen::WalkIn);
        booth.app().command(Command::Show(Screen::Operator));
        device.clear();
        // Live again: waiting for frames at first, then 正常 with its rate.
        draw_until(&mut booth, |s| s.camera_live && s.camera_fps >= 0.5);
        booth.harness.run_steps(1);
        booth.harness.get_by_label_contains("摄像头正常");
    }
}

/// The defect: at 1366×768 the check list ran off the bottom and the result photo was cut, so
/// the operator could not see the chin before Enter. At 1366×768 and 1920×1080, with every
/// check failed (the worst case), the whole photo and every failed check lie inside the window,
/// and the live view takes the room that is left.
#[test]
fn the_result_photo_and_every_failed_check_fit_the_window() {
    for (width, height) in [(1366.0, 768.0), (1920.0, 1080.0)] {
        let size = egui::vec2(width, height);
        let mut booth = booth();
        booth.harness.set_size(size);
        booth.harness.run_steps(2);
        booth.show_phone(0);
        booth.settle(card_found);
        booth.show_student();
        booth.harness.key_press(egui::Key::Space);
        booth.harness.run_steps(1);
        booth.settle(|s| matches!(s.operator.shot, ShotState::Ready { .. }));
        // The real shot passes: the live view takes the room the card and photo leave.
        let window = egui::Rect::from_min_size(egui::Pos2::ZERO, size);
        let live = booth.harness.get_by_label("实时画面").rect();
        assert!(window.contains_rect(live), "{size:?}: live view {live:?}");
        assert!(
            live.width() >= 0.45 * width,
            "{size:?}: the live view is only {} px wide",
            live.width()
        );
        let ShotState::Ready { report, .. } = &mut booth.app().state.operator.shot else {
            unreachable!("settled on Ready");
        };
        report.ok = false;
        let failed: Vec<String> = report
            .checks
            .iter_mut()
            .map(|check| {
                check.ok = false;
                check.outcome = capture_station::portrait::checks::Outcome::High;
                let text = capture_station::i18n::checks::check_failure(
                    check,
                    None,
                    capture_station::config::Language::Chinese,
                );
                format!("× {text}")
            })
            .collect();
        assert!(failed.len() >= 13, "every check is listed: {failed:?}");
        booth.harness.run_steps(3);

        let photo = booth.harness.get_by_label("成片 480×640").rect();
        assert!(
            window.contains_rect(photo),
            "{size:?}: the result photo {photo:?} is cut"
        );
        assert!(
            (photo.width() / photo.height() - 0.75).abs() < 0.01 && photo.height() >= 300.0,
            "{size:?}: the result photo is {photo:?}"
        );
        for label in &failed {
            let rect = booth.harness.get_by_label(label).rect();
            assert!(
                window.contains_rect(rect),
                "{size:?}: the failed check {label:?} at {rect:?} lies outside the window"
            );
        }
        let live = booth.harness.get_by_label("实时画面").rect();
        assert!(window.contains_rect(live), "{size:?}: live view {live:?}");
    }
}

/// A file dropped on the window, as winit hands it over.
#[derive(Debug)]
struct DroppedPath(std::path::PathBuf);

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
        self.app().command(Command::Login {
            name: demo::DEMO_SUPERVISOR.to_string(),
            pin: demo::DEMO_SUPERVISOR_PIN.to_string(),
        });
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

/// 主管 → 导入预约: an XLSX dropped on the window is previewed (nothing written), confirmed,
/// imported with the CLI's code, and its students are then found by a scan and by a search.
#[test]
fn a_dropped_xlsx_is_previewed_then_imported_and_found_by_scan_and_search() {
    use capture_station::transfer::sample;
    let mut booth = booth_stepping(0.005);
    booth.supervisor_over_the_booth();
    let before = booth.store().booking_count().unwrap();
    let orders = sample::sample_orders(12, 77, "导入测试大学");
    let files = tempfile::tempdir().unwrap();
    booth.drop_file(
        &files,
        "预约订单.xlsx",
        &sample::write_xlsx(&orders).unwrap(),
    );
    booth.import_settled();
    assert_eq!(booth.app().state.screen, Screen::Supervisor);
    booth.harness.get_by_label_contains("格式：XLSX");
    booth
        .harness
        .get_by_label("若导入： 新增 12，更新 0，未变 0，问题行 0");
    assert_eq!(
        booth.store().booking_count().unwrap(),
        before,
        "a preview writes nothing"
    );

    booth.harness.get_by_label("确认导入").click();
    booth.harness.run_steps(1);
    booth.import_settled();
    // In the result and in the notice strip.
    let done = "导入完成： 新增 12，更新 0，未变 0，问题行 0";
    assert!(booth.harness.query_all_by_label(done).count() >= 1);
    assert_eq!(booth.store().booking_count().unwrap(), before + 12);

    // A scan (keyboard-wedge burst) at the operator screen finds an imported student.
    booth.app().command(Command::Show(Screen::Operator));
    booth.harness.run_steps(2);
    let order = &orders[4];
    for character in order.capture_code().chars() {
        booth
            .harness
            .event(egui::Event::Text(character.to_string()));
    }
    booth.harness.key_press(egui::Key::Enter);
    booth.harness.run_steps(1);
    booth.settle(card_found);
    assert_eq!(
        booth
            .app()
            .state
            .card()
            .unwrap()
            .booking
            .order_no
            .as_deref(),
        Some(order.order_no())
    );
    // And the search finds one by name.
    booth.app().command(Command::Search {
        query: orders[7].name().to_string(),
        for_supervisor: false,
    });
    booth.settle(|s| !s.operator.search.results.is_empty());
    let found = &booth.app().state.operator.search.results[0].booking;
    assert_eq!(found.student.name, orders[7].name());
}

/// Bad rows are listed with the spreadsheet row they are on (CRLF, as Excel saves), and the
/// rows that are fine are imported; the rejected rows can be written back as a workbook.
#[test]
fn rejected_rows_are_listed_with_their_spreadsheet_rows() {
    let mut booth = booth();
    booth.supervisor_over_the_booth();
    let csv = "订单号,姓名,身份证号,学校\r\n\
               IMP-1,张三,11010519491231002X,X大学\r\n\
               IMP-2,,11010519491231002X,X大学\r\n\
               IMP-3,王五,110105194912310021,X大学\r\n";
    let files = tempfile::tempdir().unwrap();
    booth.drop_file(&files, "orders.csv", csv.as_bytes());
    booth.import_settled();
    booth
        .harness
        .get_by_label("若导入： 新增 1，更新 0，未变 0，问题行 2");
    booth.harness.get_by_label("行号 3");
    booth.harness.get_by_label("行号 4");
    booth.harness.get_by_label("确认导入").click();
    booth.harness.run_steps(1);
    booth.import_settled();
    let result = booth.app().state.supervisor.import.result.clone().unwrap();
    let rows: Vec<usize> = result.rejected.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![3, 4]);
    assert!(crate::util::zh_reason(&result.rejected[1]).contains("身份证号"));
    assert_eq!(booth.store().lookup("IMP-1", 1).unwrap().len(), 1);

    booth.harness.get_by_label("导出问题行 (XLSX)").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.close_out.written.is_some());
    let written = booth
        .app()
        .state
        .supervisor
        .close_out
        .written
        .clone()
        .unwrap();
    let table =
        capture_station::transfer::table::read_table(&std::fs::read(written).unwrap()).unwrap();
    let first: Vec<String> = table.rows[1].1.iter().map(|c| c.as_text()).collect();
    assert_eq!(first[..3], ["3", "IMP-2", ""]);
    assert!(first.last().unwrap().contains("姓名"), "{first:?}");
}

/// A file without 姓名 is refused with the header named, and nothing is written.
#[test]
fn a_file_missing_a_required_header_is_refused_and_nothing_is_written() {
    let mut booth = booth();
    booth.supervisor_over_the_booth();
    let before = booth.store().booking_count().unwrap();
    let files = tempfile::tempdir().unwrap();
    booth.drop_file(&files, "orders.csv", "订单号,学校\nA1,X大学\n".as_bytes());
    booth.import_settled();
    let refused = booth.app().state.supervisor.import.refused.clone().unwrap();
    let refused = refused.text(capture_station::config::Language::Chinese);
    assert!(refused.contains("姓名"), "{refused}");
    assert!(booth.app().state.supervisor.import.preview.is_none());
    assert!(booth.harness.query_by_label("确认导入").is_none());
    assert_eq!(booth.store().booking_count().unwrap(), before);
}

/// Staff signed in at the booth cannot preview or import: a dropped file reaches the supervisor
/// sign-in, the import never runs, and the refusal is logged.
#[test]
fn booth_staff_cannot_import() {
    use capture_station::transfer::sample;
    let mut booth = booth();
    let before = booth.store().booking_count().unwrap();
    let files = tempfile::tempdir().unwrap();
    let orders = sample::sample_orders(3, 78, "导入测试大学");
    booth.drop_file(&files, "orders.xlsx", &sample::write_xlsx(&orders).unwrap());
    booth.harness.run_steps(3);
    assert_eq!(booth.app().state.screen, Screen::Supervisor);
    booth.harness.get_by_label("主管登录");
    booth.app().command(Command::ConfirmImport);
    booth.harness.run_steps(3);
    let import = &booth.app().state.supervisor.import;
    assert!(import.preview.is_none() && import.result.is_none() && !import.busy);
    assert_eq!(booth.store().booking_count().unwrap(), before);
}

/// 主管 → 导出照片: after a real capture, a folder dropped on the export tab becomes the target;
/// the space check shows the photos and the room, and the export runs the CLI's code and is
/// verified against its manifest at once. Booth staff cannot start it.
#[test]
fn the_supervisor_exports_photos_from_the_window_and_they_verify() {
    let mut booth = booth();
    booth.show_phone(0);
    booth.settle(card_found);
    booth.shoot_and_save();

    // Staff at the booth: refused, nothing written.
    let stick = tempfile::tempdir().unwrap();
    booth.app().state.supervisor.export.school = demo::DEMO_SCHOOL.to_string();
    booth.app().state.supervisor.export.folder = stick.path().display().to_string();
    booth.app().command(Command::StartExport);
    booth.harness.run_steps(3);
    assert!(!booth.app().state.supervisor.export.busy);
    assert_eq!(std::fs::read_dir(stick.path()).unwrap().count(), 0);

    booth.supervisor_over_the_booth();
    booth.app().command(Command::Show(Screen::Supervisor));
    booth.app().command(Command::SupervisorTab(
        capture_station::app::state::SupervisorTab::Export,
    ));
    booth.settle(|s| !s.supervisor.schools.is_empty());
    booth.app().state.supervisor.export.folder.clear();
    booth
        .harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(DroppedPath(stick.path().to_path_buf())));
    booth.harness.run_steps(2);
    assert_eq!(
        booth.app().state.supervisor.export.folder,
        stick.path().display().to_string(),
        "a folder dropped on the export tab is the target, not an import"
    );
    booth.harness.get_by_label("检查空间").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.export.plan.is_some());
    let plan = booth.app().state.supervisor.export.plan.clone().unwrap();
    assert_eq!(plan.photos, 1);
    assert!(plan.fits() && plan.available_bytes.is_some());

    booth.harness.get_by_label("开始导出").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.export.result.is_some());
    booth.harness.get_by_label("✓ 校验通过");
    let folder = stick.path().join(demo::DEMO_SCHOOL);
    let verdicts = capture_station::transfer::export::verify_export(&folder).unwrap();
    assert!(verdicts.iter().all(|v| v.ok()) && verdicts[0].photos == 1);
}

/// 主管 → 校区 on a real campus server: the booth joins with the token its camera reads from
/// another station's QR code, then shows every station and a double capture with both photos,
/// and the supervisor's choice becomes the booking's photo on the server.
#[test]
fn the_supervisor_joins_a_campus_by_its_token_settles_a_double_capture_and_imports_for_the_campus()
{
    use crate::util::campus_server::{TestCampus, ordered};
    use capture_station::camera::synthetic::PhoneScene;
    let campus = TestCampus::start();
    let mut a = campus.station("东门-1");
    let mut b = campus.station("东门-2");
    campus
        .admin_client()
        .import_bookings(&[ordered("UI-DOUBLE", "UD1")])
        .unwrap();
    a.sync();
    b.sync();
    let booking = a.store.booking_by_order_no("UI-DOUBLE").unwrap().booking_id;
    let photo = |shade: u8| {
        let image = image::RgbImage::from_pixel(90, 120, image::Rgb([shade, 90, 200]));
        capture_station::portrait::encode::encode_jpeg(&image, 90).unwrap()
    };
    a.capture_photo(&booking, &photo(40));
    let b_shot = b.capture_photo(&booking, &photo(220));
    a.sync();
    assert_eq!(b.sync().conflicts, 1);

    let mut booth = booth_stepping(0.005);
    booth.supervisor_over_the_booth();
    booth.harness.get_by_label("主管").click();
    booth.harness.run_steps(2);
    booth.harness.get_by_label("校区").click();
    booth.harness.run_steps(2);
    booth.harness.get_by_label_contains("本工位为单机模式");
    // The join token, shown as a QR code by a station that already joined, held to the camera.
    let token = campus.enrol.to_token();
    let frame = render_phone_frame(&PhoneScene::plain(&token), 1920, 1080);
    booth.app().hub().publish(frame);
    booth.settle(|s| s.supervisor.campus.token == token);
    booth.type_into(A11yRole::TextInput, "本工位名称", "主管工位");
    booth.harness.get_by_label("加入校区").click();
    booth.harness.run_steps(1);
    booth.settle(|s| {
        let campus = &s.supervisor.campus;
        campus.joined.is_some() && campus.overview.is_some() && !campus.busy
    });
    assert!(
        capture_station::campus::settings::CampusSettings::load(booth.dir.path())
            .unwrap()
            .is_some(),
        "the station remembers its campus"
    );
    for name in ["东门-1", "东门-2", "主管工位"] {
        booth.harness.get_by_label(name);
    }
    booth.harness.get_by_label("同一预约被两个工位拍摄");
    booth.harness.get_by_label("查看").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.campus.conflict_photos.is_some());
    let shown = booth
        .app()
        .state
        .supervisor
        .campus
        .conflict_photos
        .clone()
        .unwrap();
    assert!(
        shown.current.is_some() && shown.other.is_some(),
        "both photos are shown"
    );
    booth.harness.get_by_label("改用冲突照片").click();
    booth.harness.run_steps(1);
    booth.settle(|s| {
        let campus = &s.supervisor.campus;
        !campus.busy
            && campus
                .overview
                .as_ref()
                .is_some_and(|o| o.conflicts.is_empty())
    });
    booth.harness.get_by_label("没有待处理的冲突");
    let active: String = campus
        .admin()
        .query_one(
            "SELECT id::text FROM captures WHERE active AND booking_id = $1::text::uuid",
            &[&booking],
        )
        .unwrap()
        .get(0);
    assert_eq!(active, b_shot.id);
    let decided_by: String = campus
        .admin()
        .query_one("SELECT decided_by FROM conflicts", &[])
        .unwrap()
        .get(0);
    assert_eq!(decided_by, format!("{}@主管工位", demo::DEMO_SUPERVISOR));

    // A joined station's import goes to the campus: the server previews and applies it, and
    // this station gets the orders through its pull, like every other station.
    let csv = "订单号,姓名,学校\r\nUI-IMP-1,周一,校区大学\r\nUI-IMP-2,,校区大学\r\nUI-IMP-3,吴三,校区大学\r\n";
    let files = tempfile::tempdir().unwrap();
    booth.drop_file(&files, "orders.csv", csv.as_bytes());
    booth.import_settled();
    booth
        .harness
        .get_by_label("若导入： 新增 2，更新 0，未变 0，问题行 1");
    assert_eq!(
        campus.count("SELECT count(*) FROM bookings WHERE order_no LIKE 'UI-IMP-%'"),
        0,
        "the server's preview keeps nothing"
    );
    booth.harness.get_by_label("确认导入").click();
    booth.harness.run_steps(1);
    booth.import_settled();
    assert!(
        booth
            .harness
            .query_all_by_label("导入完成： 新增 2，更新 0，未变 0，问题行 1")
            .count()
            >= 1
    );
    assert_eq!(
        campus.count("SELECT count(*) FROM bookings WHERE order_no LIKE 'UI-IMP-%'"),
        2
    );
    // Each sync pass stamps last_sync; the orders arrive within a pass or two of the import.
    for _ in 0..5 {
        if !booth.store().lookup("UI-IMP-3", 1).unwrap().is_empty() {
            break;
        }
        let before = booth
            .app()
            .state
            .campus
            .as_ref()
            .and_then(|c| c.last_sync.clone());
        booth.settle(|s| s.campus.as_ref().and_then(|c| c.last_sync.clone()) != before);
    }
    assert_eq!(
        booth.store().lookup("UI-IMP-3", 1).unwrap()[0]
            .booking
            .student
            .name,
        "吴三"
    );

    // 校区结算: the gate names who blocks it; this booth seals, 东门-2 seals at its own booth,
    // 东门-1 is written off with a reason, and the close refunds the two students nobody
    // photographed (the double-captured one is not among them).
    booth.app().command(Command::SupervisorTab(
        capture_station::app::state::SupervisorTab::Campus,
    ));
    booth
        .app()
        .command(Command::CampusLoadGate("校区大学".to_string()));
    booth.settle(|s| {
        let form = &s.supervisor.campus.close;
        !form.busy && form.gate.is_some()
    });
    booth.harness.run_steps(1);
    booth
        .harness
        .get_by_label_contains("以下工位尚未封存： 东门-1、东门-2、主管工位");
    assert!(
        booth
            .harness
            .query_by_label_contains("校区结算：退款")
            .is_none(),
        "no close while stations block it"
    );
    booth.click_scrolled("封存本工位（停止拍摄该校并上传全部事件）");
    booth.settle(|s| !s.supervisor.campus.close.busy);
    let mut b_client = b.client();
    capture_station::campus::close_out::seal_station(
        &mut b.store,
        &mut b_client,
        &b.photos,
        "校区大学",
        &b.session,
    )
    .unwrap();
    booth.app().state.supervisor.campus.close.write_off_station = "东门-1".to_string();
    booth
        .harness
        .get_by_role_and_label(A11yRole::TextInput, "原因（必填，将记入日志）")
        .scroll_to_me();
    booth.harness.run_steps(100);
    booth.type_into(
        A11yRole::TextInput,
        "原因（必填，将记入日志）",
        "电脑故障，已送修",
    );
    booth.click_scrolled("放弃该工位");

    booth.settle(|s| {
        let form = &s.supervisor.campus.close;
        !form.busy
            && form
                .gate
                .as_ref()
                .is_some_and(|g| g.gate.iter().all(|station| !station.blocks()))
    });
    booth.harness.run_steps(1);
    booth.harness.get_by_label_contains("已放弃（");
    booth.click_scrolled("校区结算：退款给从未拍摄的学生");
    booth.settle(|s| {
        let form = &s.supervisor.campus.close;
        !form.busy && form.outcome.is_some()
    });
    let outcome = booth
        .app()
        .state
        .supervisor
        .campus
        .close
        .outcome
        .clone()
        .unwrap();
    assert_eq!(outcome.refunded, 2, "{outcome:?}");
    assert_eq!(outcome.written_off.len(), 1, "{outcome:?}");
    booth.harness.get_by_label_contains("校区报表");
    assert_eq!(
        campus.count(
            "SELECT count(*) FROM bookings WHERE status = 'refund_pending' AND order_no LIKE 'UI-IMP-%'"
        ),
        2
    );
}

/// The booth laptops are 1366 px wide, and the data folder's path alone took a third of that:
/// the status bar names the database file and leaves its folder to the hover, so that the
/// English bar, whose words are longer, stays on one line.
#[test]
fn the_status_bar_names_the_database_file_not_its_folder() {
    let mut booth = booth();
    booth.harness.get_by_label("English").click();
    booth.harness.run_steps(2);
    booth.harness.get_by_label("Database station.sqlite3");
    let folder = booth.dir.path().display().to_string();
    assert!(booth.harness.query_by_label_contains(&folder).is_none());
}
