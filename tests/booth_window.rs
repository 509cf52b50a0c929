//! The booth window driven like a user would, with egui_kittest: the real screens and workers, a
//! temporary database, and frames published straight into the frame hub (no camera thread).

use capture_station::app::accounts::AccountsCommand;
use capture_station::app::capture::CaptureCommand;
use capture_station::app::command::Command;
use capture_station::app::state::{CardState, Screen, ShotState, WindowRole};
use capture_station::app::walk_in_desk::WalkInCommand;
use capture_station::app::{CameraChoice, demo};
use capture_station::camera::synthetic::render_phone_frame;
use capture_station::camera::synthetic_source::{SyntheticSource, demo_camera_codes};
use capture_station::config::StationConfig;
use egui::accesskit::Role as A11yRole;
use egui_kittest::kittest::Queryable as _;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::util::booth::*;
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
    booth
        .app()
        .command(Command::Capture(CaptureCommand::ClearCard));
    booth.show_phone(1);
    booth.settle(card_found);
    // The next scan waits while that card is up; Esc takes it.
    booth.show_phone(0);
    booth.settle(|s| s.operator.next_up.is_some());
    booth
        .app()
        .command(Command::Capture(CaptureCommand::ClearCard));
    booth.settle(
        |s| matches!(&s.operator.card, CardState::Found(c) if c.booking.status == "captured"),
    );
    booth.harness.get_by_label("该学生已采集：重拍需主管批准");
    booth.harness.key_press(egui::Key::Space);
    booth.harness.run_steps(2);
    assert!(matches!(booth.app().state.operator.shot, ShotState::None));

    // A supervisor approves one retake from the card; the retake replaces the photo, and the
    // first one stays on disk as history.
    booth
        .app()
        .command(Command::Accounts(AccountsCommand::Login {
            name: demo::DEMO_SUPERVISOR.to_string(),
            pin: demo::DEMO_SUPERVISOR_PIN.to_string(),
        }));
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
    booth
        .app()
        .command(Command::WalkIn(WalkInCommand::StartWalkIn {
            capture_code: Some(unknown.clone()),
        }));
    booth.app().state.walk_in.name = "赵六".to_string();
    booth.app().state.walk_in.id_number = id_number.clone();
    booth.app().state.walk_in.school = "演示大学".to_string();
    booth
        .app()
        .command(Command::WalkIn(WalkInCommand::SaveWalkIn));
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
    booth
        .app()
        .command(Command::WalkIn(WalkInCommand::SaveWalkIn));
    assert!(!booth.app().state.walk_in.saving);
    assert_eq!(booth.store().booking_count().unwrap(), bookings_before);
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
    booth
        .app()
        .command(Command::WalkIn(WalkInCommand::StartWalkIn {
            capture_code: Some("CSWALKIN-OPERATOR-1".to_string()),
        }));
    booth.app().state.walk_in.name = "王小明".to_string();
    booth.app().state.walk_in.id_number = "110105200001010016".to_string();
    booth.app().state.walk_in.school = demo::DEMO_SCHOOL.to_string();
    booth
        .app()
        .command(Command::WalkIn(WalkInCommand::SaveWalkIn));
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
