//! The booth in real hands: a camera that keeps reading codes while staff type and press keys,
//! and every way out of the window while a photo waits. Each test drives the real screens
//! (egui_kittest) and fails on the behaviour first seen at the booth.

use capture_station::app::capture::CaptureCommand;
use capture_station::app::command::Command;
use capture_station::app::corrections::CorrectionsCommand;
use capture_station::app::state::{CardState, Screen, ShotState};
use capture_station::camera::synthetic_source::demo_camera_codes;
use egui::accesskit::Role as A11yRole;
use egui_kittest::kittest::Queryable as _;

use crate::util::booth::{Booth, booth, card_found};

fn card_name(booth: &mut Booth) -> Option<String> {
    booth
        .app()
        .state
        .card()
        .map(|card| card.booking.student.name.clone())
}

fn name_of_code(booth: &Booth, code: &str) -> String {
    let id = booth.booking_id_of_code(code);
    booth.store().booking(&id).unwrap().student.name
}

/// Staff type a walk-in for a student without a booking while the next student's phone is in
/// view. The camera may fill the empty 采集码 field, but it says so and names the code's owner,
/// and saving never opens that other student's booking.
#[test]
fn a_code_read_at_the_walk_in_desk_is_shown_with_its_owner_and_never_books_someone_else() {
    let mut booth = booth();
    booth.harness.get_by_label("现场预约").click();
    booth.harness.run_steps(2);
    let id_number =
        capture_station::domain::id_number::complete_with_check("41010520010203002").unwrap();
    for (label, text) in [
        ("姓名 *", "赵六"),
        ("身份证号 *", id_number.as_str()),
        ("学校 *", "演示大学"),
    ] {
        booth.type_into(A11yRole::TextInput, label, text);
    }
    let bookings_before = booth.store().booking_count().unwrap();
    let code = demo_camera_codes().remove(0);
    let owner = name_of_code(&booth, &code);
    booth.show_phone(0);
    booth.settle(|s| {
        s.walk_in
            .code_from_camera
            .as_ref()
            .is_some_and(|filled| filled.owner.is_some())
    });
    assert_eq!(booth.app().state.walk_in.capture_code, code);
    booth
        .harness
        .get_by_label(&format!("此采集码已有预约：{owner}"));

    booth.harness.get_by_label("保存预约").click();
    booth.harness.run_steps(1);
    booth.settle(|s| !s.walk_in.saving && s.walk_in.error.is_some());
    assert_eq!(booth.app().state.screen, Screen::WalkIn);
    assert!(
        !card_found(&booth.app().state),
        "{owner}'s booking must not be opened for 赵六"
    );
    assert_eq!(booth.store().booking_count().unwrap(), bookings_before);
    let refusal = booth.app().state.walk_in.error.clone().unwrap();
    assert!(refusal.starts_with(&format!("该采集码已属于 {owner} 的预约")));
    booth.harness.get_by_label(&refusal);
    assert_eq!(booth.app().state.walk_in.name, "赵六", "the form is kept");

    // Cleared by hand, the walk-in books: the form was never someone else's.
    booth.app().state.walk_in.capture_code.clear();
    booth.app().state.walk_in.code_from_camera = None;
    booth
        .harness
        .get_by_label_contains("学生暂时无法出示采集码（")
        .click();
    booth.harness.run_steps(1);
    booth.harness.get_by_label("保存预约").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.screen == Screen::Operator && card_found(s));
    assert_eq!(card_name(&mut booth).as_deref(), Some("赵六"));
}

/// A card is up; the next student's phone comes into view. The card stays, the scan waits as
/// 下一位, and E flags the student the operator is looking at. Esc then takes the next one.
#[test]
fn a_scan_while_a_card_is_up_waits_as_the_next_student() {
    let mut booth = booth();
    let codes = demo_camera_codes();
    let first = name_of_code(&booth, &codes[0]);
    let second = name_of_code(&booth, &codes[1]);
    booth.show_phone(0);
    booth.settle(card_found);
    assert_eq!(card_name(&mut booth), Some(first.clone()));

    booth.show_phone(1);
    booth.settle(|s| {
        s.operator
            .next_up
            .as_ref()
            .is_some_and(|next| next.name.is_some())
    });
    assert_eq!(
        card_name(&mut booth),
        Some(first.clone()),
        "the card is never swapped"
    );
    booth.harness.get_by_label(&format!("下一位：{second}"));

    // E alone, typed now, is 信息有误 for the student on the card.
    booth.harness.event(egui::Event::Text("e".to_string()));
    booth.harness.run_steps(20);
    booth.settle(|s| s.card().is_some_and(|c| c.booking.details_disputed));
    let first_id = booth.booking_id_of_code(&codes[0]);
    let second_id = booth.booking_id_of_code(&codes[1]);
    assert!(booth.store().booking(&first_id).unwrap().details_disputed);
    assert!(!booth.store().booking(&second_id).unwrap().details_disputed);

    booth.harness.key_press(egui::Key::Escape);
    booth.harness.run_steps(1);
    booth.settle(|s| s.card().is_some_and(|c| c.booking.booking_id == second_id));
    assert!(booth.app().state.operator.next_up.is_none());
}

/// The next student is held while a photo waits for Enter, and comes up by itself once the
/// photo is saved, which lands on the student it was taken of.
#[test]
fn the_held_student_comes_up_once_the_photo_is_saved() {
    let mut booth = booth();
    let codes = demo_camera_codes();
    let first_id = booth.booking_id_of_code(&codes[0]);
    let second_id = booth.booking_id_of_code(&codes[1]);
    booth.show_phone(0);
    booth.settle(card_found);
    booth.show_student();
    booth.harness.key_press(egui::Key::Space);
    booth.harness.run_steps(1);
    booth.settle(|s| matches!(s.operator.shot, ShotState::Ready { .. }));
    booth.show_phone(1);
    booth.settle(|s| s.operator.next_up.is_some());
    booth.show_student();
    booth.harness.key_press(egui::Key::Enter);
    booth.harness.run_steps(1);
    booth.settle(|s| s.card().is_some_and(|c| c.booking.booking_id == second_id));
    let store = booth.store();
    assert_eq!(store.captures_for(&first_id).unwrap().len(), 1);
    assert!(store.captures_for(&second_id).unwrap().is_empty());
}

/// A command meant for the card the operator saw is refused once another card is up.
#[test]
fn an_action_for_a_card_that_is_gone_does_nothing() {
    let mut booth = booth();
    let codes = demo_camera_codes();
    let first_id = booth.booking_id_of_code(&codes[0]);
    booth.show_phone(1);
    booth.settle(card_found);
    booth
        .app()
        .command(Command::Corrections(CorrectionsCommand::FlagDetails {
            booking_id: first_id.clone(),
        }));
    booth.harness.run_steps(2);
    booth
        .harness
        .get_by_label("学生卡片已更换，未执行：请核对后重新操作");
    assert!(!booth.store().booking(&first_id).unwrap().details_disputed);
    let up = booth.app().state.card().unwrap().booking.booking_id.clone();
    assert!(!booth.store().booking(&up).unwrap().details_disputed);
}

fn booth_with_unsaved_photo() -> Booth {
    let mut booth = booth();
    booth.show_phone(0);
    booth.settle(card_found);
    booth.show_student();
    booth.harness.key_press(egui::Key::Space);
    booth.harness.run_steps(1);
    booth.settle(|s| matches!(s.operator.shot, ShotState::Ready { .. }));
    booth
}

fn still_unsaved(booth: &mut Booth) {
    assert!(
        matches!(booth.app().state.operator.shot, ShotState::Ready { .. }),
        "the photo is still there"
    );
    assert!(booth.app().state.session.is_some(), "still signed in");
    booth
        .harness
        .get_by_label("当前照片尚未保存：按 Enter 保存，或按 R 放弃");
}

/// 退出, 退出演示, 主管退出 and idle time all refuse with the same reason while a photo is
/// unsaved; closing the window asks.
#[test]
fn every_way_out_refuses_while_a_photo_is_unsaved() {
    let mut booth = booth_with_unsaved_photo();
    booth.harness.get_by_label("退出").click();
    booth.harness.run_steps(2);
    still_unsaved(&mut booth);

    booth.app().state.notice = None;
    booth.app().state.demo = true;
    booth.harness.run_steps(1);
    booth.harness.get_by_label("退出演示").click();
    booth.harness.run_steps(2);
    still_unsaved(&mut booth);

    booth.app().state.notice = None;
    booth.supervisor_over_the_booth();
    booth.app().command(Command::Show(Screen::Supervisor));
    booth.harness.run_steps(2);
    booth.harness.get_by_label("主管退出").click();
    booth.harness.run_steps(2);
    assert!(booth.app().state.elevated.is_some());
    booth.app().command(Command::Show(Screen::Operator));
    still_unsaved(&mut booth);

    // Left alone past the idle limit: the supervisor goes, the booth and its photo stay.
    let limit = capture_station::config::StationConfig::load(booth.dir.path())
        .unwrap()
        .idle_logout;
    booth.app().state.last_activity -= limit + std::time::Duration::from_secs(1);
    booth.harness.run_steps(2);
    assert!(booth.app().state.elevated.is_none());
    assert!(booth.app().state.session.is_some());
    assert!(matches!(
        booth.app().state.operator.shot,
        ShotState::Ready { .. }
    ));
    booth
        .harness
        .get_by_label("长时间无操作，但有照片尚未保存：保存或放弃后才会自动退出");

    // The window's close button: the close waits, and the window asks.
    press_window_close(&mut booth);
    booth.harness.get_by_label("有照片尚未保存");
    booth.harness.get_by_label("返回照片").click();
    booth.harness.run_steps(2);
    assert!(!booth.app().state.close_dialog);
    assert!(matches!(
        booth.app().state.operator.shot,
        ShotState::Ready { .. }
    ));
}

/// A re-crop (+) on its way when the photo is dropped (R): its result is dropped with it, and no
/// spinner outlives the shot.
#[test]
fn a_portrait_result_for_a_dropped_shot_leaves_nothing_behind() {
    let mut booth = booth_with_unsaved_photo();
    booth.harness.event(egui::Event::Text("+".to_string()));
    booth.harness.run_steps(1);
    assert!(matches!(
        booth.app().state.operator.shot,
        ShotState::Processing { .. }
    ));
    // Pressed again before the result: nothing, and no search opens.
    booth.harness.event(egui::Event::Text("+".to_string()));
    booth.harness.run_steps(20);
    assert!(!booth.app().state.operator.search.open);
    booth.harness.key_press(egui::Key::R);
    booth.harness.run_steps(1);
    assert!(matches!(booth.app().state.operator.shot, ShotState::None));
    let dropped_before = booth.app().state.operator.portrait_results_dropped;
    booth.settle(|s| s.operator.portrait_results_dropped > dropped_before);
    assert!(booth.harness.query_by_label("正在处理照片…").is_none());
    assert!(booth.harness.query_by_label("请稍候").is_none());
    assert!(matches!(
        booth.app().state.operator.card,
        CardState::Found(_)
    ));
}

/// The plus and minus keys zoom a result. Pressed before the shot they do nothing: no search
/// box opens with "+++" in it, and Space still shoots.
#[test]
fn zoom_keys_before_the_shot_leave_space_to_shoot() {
    let mut booth = booth();
    booth.show_phone(0);
    booth.settle(card_found);
    booth.show_student();
    for key in ["+", "+", "-", "="] {
        booth.harness.event(egui::Event::Text(key.to_string()));
        booth.harness.run_steps(20);
    }
    assert!(!booth.app().state.operator.search.open, "a search opened");
    booth.harness.key_press(egui::Key::Space);
    booth.harness.run_steps(1);
    booth.settle(|s| !matches!(s.operator.shot, ShotState::None));
}

/// The close dialog asks about an unsaved photo. Enter behind it saves nothing (the operator is
/// answering the dialog), and once the photo is gone the dialog goes too, rather than warning
/// of a photo that no longer exists.
#[test]
fn the_close_dialog_holds_the_keys_and_leaves_with_the_photo() {
    let mut booth = booth_with_unsaved_photo();
    let booking = booth.app().card_booking_id().unwrap();
    press_window_close(&mut booth);
    booth.harness.key_press(egui::Key::Enter);
    booth.harness.run_steps(3);
    assert!(matches!(
        booth.app().state.operator.shot,
        ShotState::Ready { .. }
    ));
    assert!(booth.store().captures_for(&booking).unwrap().is_empty());
    assert!(booth.app().state.close_dialog);

    // The photo is dropped (a result that failed to come does the same): no more warning.
    booth
        .app()
        .command(Command::Capture(CaptureCommand::Retake));
    booth.harness.run_steps(2);
    assert!(!booth.app().state.close_dialog);
    assert!(booth.harness.query_by_label("有照片尚未保存").is_none());
}

/// One student waits as 下一位: the first booked student held keeps the place against later
/// phones; a code with no booking gives way to one with.
#[test]
fn the_first_booked_student_held_keeps_the_next_place() {
    let mut booth = booth();
    let codes = demo_camera_codes();
    let second = name_of_code(&booth, &codes[1]);
    booth.show_phone(0);
    booth.settle(card_found);
    let held = |booth: &mut Booth| {
        booth
            .app()
            .state
            .operator
            .next_up
            .as_ref()
            .map(|next| next.code.clone())
    };
    booth
        .app()
        .command(Command::Capture(CaptureCommand::ResolveCode(
            codes[2].clone(),
        )));
    booth.settle(|s| {
        s.operator
            .next_up
            .as_ref()
            .is_some_and(|next| next.name == Some(None))
    });
    booth
        .app()
        .command(Command::Capture(CaptureCommand::ResolveCode(
            codes[1].clone(),
        )));
    let wanted = second.clone();
    booth.settle(move |s| {
        s.operator
            .next_up
            .as_ref()
            .is_some_and(|next| next.name == Some(Some(wanted.clone())))
    });
    booth
        .app()
        .command(Command::Capture(CaptureCommand::ResolveCode(
            codes[2].clone(),
        )));
    booth.harness.run_steps(3);
    assert_eq!(held(&mut booth).as_ref(), Some(&codes[1]));
    booth.harness.get_by_label(&format!("下一位：{second}"));
}

/// The message under the screen names the student on the card, never the one before: a card
/// opened from the search says so, Esc takes 已识别 down with its card, and a save that brings
/// up the next student is still confirmed.
#[test]
fn the_message_names_the_student_on_the_card() {
    let mut booth = booth();
    let codes = demo_camera_codes();
    let first = name_of_code(&booth, &codes[0]);
    let second = name_of_code(&booth, &codes[1]);
    let second_id = booth.booking_id_of_code(&codes[1]);
    booth.show_phone(0);
    booth.settle(card_found);
    booth.harness.get_by_label(&format!("已识别 {first}"));
    booth.show_student();
    booth
        .app()
        .command(Command::Capture(CaptureCommand::ClearCard));
    booth.harness.run_steps(2);
    assert!(
        booth
            .harness
            .query_by_label(&format!("已识别 {first}"))
            .is_none()
    );
    booth
        .app()
        .command(Command::Capture(CaptureCommand::OpenBooking(
            second_id.clone(),
        )));
    booth.settle(|s| s.card().is_some_and(|c| c.booking.booking_id == second_id));
    booth.harness.run_steps(1);
    booth.harness.get_by_label(&format!("已选择 {second}"));

    // Shot and saved while the first student's phone waits: both names are said.
    booth
        .app()
        .command(Command::Capture(CaptureCommand::ClearCard));
    booth.show_phone(1);
    booth.settle(card_found);
    booth.show_student();
    booth.harness.key_press(egui::Key::Space);
    booth.harness.run_steps(1);
    booth.settle(|s| matches!(s.operator.shot, ShotState::Ready { .. }));
    booth
        .app()
        .command(Command::Capture(CaptureCommand::ResolveCode(
            codes[0].clone(),
        )));
    booth.settle(|s| {
        s.operator
            .next_up
            .as_ref()
            .is_some_and(|n| n.name.is_some())
    });
    booth.harness.key_press(egui::Key::Enter);
    booth.harness.run_steps(1);
    booth.settle(|s| s.card().is_some_and(|c| c.booking.student.name == first));
    booth.harness.run_steps(1);
    booth
        .harness
        .get_by_label(&format!("已保存 {second} · 已识别 {first}"));
}

/// The window's close button (the title bar's ×): the close waits, and the window asks.
fn press_window_close(booth: &mut Booth) {
    booth
        .harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    booth.harness.run_steps(2);
    assert!(booth.app().state.close_dialog);
}
