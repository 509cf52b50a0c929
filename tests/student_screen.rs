//! The student's screen, driven together with the operator's window: in the test harness it is
//! drawn as a window inside the operator's (egui embeds viewports when the backend has only one
//! surface), so both are read from the same accessibility tree.

use capture_station::app::accounts::AccountsCommand;
use capture_station::app::capture::CaptureCommand;
use capture_station::app::corrections::CorrectionsCommand;
use std::time::{Duration, Instant};

use capture_station::app::command::Command;
use capture_station::app::state::{Screen, ShotState, SupervisorTab, WindowRole};
use capture_station::camera::synthetic_source::demo_camera_codes;
use capture_station::i18n::ZH;
use capture_station::store::BookingView;
use egui::accesskit::Role as A11yRole;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

use crate::util::booth::{Booth, booth_configured, card_found};

/// Every text on the student's screen, as its accessibility tree holds it.
fn student_texts(booth: &Booth) -> Vec<String> {
    let window = booth
        .harness
        .get_by_role_and_label(A11yRole::Window, ZH.student_window_title);
    window
        .children_recursive()
        .filter_map(|node| {
            let node = node.accesskit_node();
            node.label().or_else(|| node.value())
        })
        .filter(|text| !text.is_empty())
        .collect()
}

fn shows(texts: &[String], wanted: &str) -> bool {
    texts.iter().any(|text| text.contains(wanted))
}

/// The booking behind the demo phone `index`, as the store has it.
fn booking_of_phone(booth: &Booth, index: usize) -> BookingView {
    let code = demo_camera_codes().remove(index);
    let id = booth.booking_id_of_code(&code);
    booth.store().booking(&id).unwrap()
}

/// Scans demo phone `index` and waits for its card.
fn scan(booth: &mut Booth, index: usize) -> BookingView {
    let booking = booking_of_phone(booth, index);
    booth.show_phone(index);
    let id = booking.booking_id.clone();
    booth.settle(move |s| s.card().is_some_and(|c| c.booking.booking_id == id));
    booking
}

/// No five characters of the ID number in a row anywhere on the student's screen: the last four
/// are all it may show.
#[track_caller]
fn assert_id_hidden(texts: &[String], booking: &BookingView) {
    let Some(id) = booking.student.id_number.as_deref() else {
        return;
    };
    let chars: Vec<char> = id.chars().collect();
    for window in chars.windows(5) {
        let piece: String = window.iter().collect();
        assert!(
            !texts.iter().any(|text| text.contains(&piece)),
            "the student's screen shows '{piece}' of the ID number: {texts:?}"
        );
    }
}

fn disputed_in_store(booth: &Booth, booking: &BookingView) -> bool {
    let stored = booth.store().booking(&booking.booking_id).unwrap();
    stored.details_disputed
}

/// Personal fields of a booking that another student must never see.
fn personal_fields(booking: &BookingView) -> Vec<String> {
    let student = &booking.student;
    let mut fields = vec![student.name.clone()];
    fields.extend(
        student
            .id_number
            .iter()
            .map(|id| id[id.len() - 4..].to_string()),
    );
    fields.extend(student.student_no.clone());
    fields.extend(student.phone.clone());
    fields
}

/// E typed on its own, as the operator's key: the key, its character, then a pause long enough
/// that the wedge detector hands it over as typing, not a scan.
fn press_e(booth: &mut Booth) {
    booth.harness.key_press(egui::Key::E);
    booth.harness.event(egui::Event::Text("e".to_string()));
    booth.harness.run_steps(20);
}

#[test]
fn the_student_checks_their_own_record_and_the_screen_clears_between_students() {
    let mut booth = booth_configured("");
    booth.harness.run_steps(2);
    let waiting = student_texts(&booth);
    assert!(shows(&waiting, ZH.student_show_code), "{waiting:?}");

    let first = scan(&mut booth, 0);
    booth.harness.run_steps(2);
    let texts = student_texts(&booth);
    assert!(shows(&texts, &first.student.name), "{texts:?}");
    assert!(shows(&texts, &first.student.school), "{texts:?}");
    let id = first
        .student
        .id_number
        .clone()
        .expect("demo students have ID numbers");
    let masked = format!("{}{}", "*".repeat(id.len() - 4), &id[id.len() - 4..]);
    assert!(shows(&texts, &masked), "{texts:?}");
    assert_id_hidden(&texts, &first);
    assert!(shows(&texts, ZH.student_details_wrong), "{texts:?}");
    // The operator still sees the card's usual masked ID.
    booth
        .harness
        .get_by_label(&capture_station::domain::id_number::mask(&id));

    // Esc clears the card, and the student's screen with it, in the same frame.
    booth.harness.key_press(egui::Key::Escape);
    booth.harness.run_steps(1);
    let cleared = student_texts(&booth);
    assert!(shows(&cleared, ZH.student_show_code), "{cleared:?}");
    for field in personal_fields(&first) {
        assert!(!shows(&cleared, &field), "'{field}' stayed: {cleared:?}");
    }

    // The next student sees only their own record.
    let second = scan(&mut booth, 1);
    booth.harness.run_steps(2);
    let texts = student_texts(&booth);
    assert!(shows(&texts, &second.student.name), "{texts:?}");
    assert_id_hidden(&texts, &second);
    for field in personal_fields(&first) {
        assert!(
            !shows(&texts, &field),
            "'{field}' of the last student: {texts:?}"
        );
    }
    // A new scan waits while the card is up; Esc takes it, and clears the card at once:
    // nothing of this student stays while the next one is looked up.
    booth
        .app()
        .command(Command::Capture(CaptureCommand::ResolveCode(
            demo_camera_codes().remove(2),
        )));
    booth.harness.run_steps(1);
    assert!(shows(&student_texts(&booth), &second.student.name));
    booth
        .app()
        .command(Command::Capture(CaptureCommand::ClearCard));
    booth.harness.run_steps(1);
    let texts = student_texts(&booth);
    for field in personal_fields(&second) {
        assert!(
            !shows(&texts, &field),
            "'{field}' after the next scan: {texts:?}"
        );
    }
}

#[test]
fn details_wrong_blocks_the_shot_until_the_supervisor_saves_a_correction() {
    let mut booth = booth_configured("");
    let booking = scan(&mut booth, 0);
    press_e(&mut booth);
    booth.settle(|s| s.card().is_some_and(|c| c.booking.details_disputed));
    assert!(disputed_in_store(&booth, &booking));
    let texts = student_texts(&booth);
    assert!(shows(&texts, ZH.student_details_flagged), "{texts:?}");
    booth.harness.get_by_label(ZH.details_disputed);
    // The search box did not open for the E.
    assert!(!booth.app().state.operator.search.open);

    // Space is refused, and says why.
    booth.show_student();
    booth.harness.key_press(egui::Key::Space);
    booth.harness.run_steps(2);
    assert!(matches!(booth.app().state.operator.shot, ShotState::None));
    assert!(booth.app().state.operator.countdown_started.is_none());

    // 去更正 opens the supervisor's correction screen on this student.
    booth.harness.get_by_label(ZH.open_correction).click();
    booth.harness.run_steps(2);
    assert_eq!(booth.app().state.screen, Screen::Supervisor);
    booth.supervisor_over_the_booth();
    booth.harness.run_steps(2);
    assert_eq!(booth.app().state.supervisor.tab, SupervisorTab::Corrections);
    let selected = booth.app().state.supervisor.selected.clone().unwrap();
    assert_eq!(selected.booking_id, booking.booking_id);
    booth.harness.get_by_label(ZH.disputed_banner);
    booth.app().state.supervisor.correction.value = "更正后姓名".to_string();
    booth.app().state.supervisor.correction.reason = "学生当场核对".to_string();
    booth.harness.run_steps(2);
    booth.harness.get_by_label("保存更正").click();
    booth.harness.run_steps(1);
    booth.settle(|s| {
        s.card()
            .is_some_and(|c| !c.booking.details_disputed && c.booking.student.name == "更正后姓名")
    });
    // The student sees the corrected record.
    booth.app().command(Command::Show(Screen::Operator));
    booth.harness.run_steps(2);
    let texts = student_texts(&booth);
    assert!(shows(&texts, "更正后姓名"), "{texts:?}");
    assert!(!shows(&texts, ZH.student_details_flagged), "{texts:?}");

    // Now Space shoots and Enter saves: the same two keys as ever.
    booth.shoot_and_save();
    let kinds: Vec<String> = booth
        .store()
        .recent_events(50)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.iter().any(|k| k == "details_disputed"), "{kinds:?}");
    assert!(kinds.iter().any(|k| k == "correction"), "{kinds:?}");
}

#[test]
fn a_supervisor_may_check_the_record_and_let_the_shot_go_ahead() {
    let mut booth = booth_configured("");
    let booking = scan(&mut booth, 0);
    booth.harness.get_by_label(ZH.flag_details_button).click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.card().is_some_and(|c| c.booking.details_disputed));
    // Booth staff cannot lift it.
    assert!(booth.harness.query_by_label(ZH.override_dispute).is_none());
    booth
        .app()
        .command(Command::Corrections(CorrectionsCommand::OverrideDispute {
            booking_id: booking.booking_id.clone(),
        }));
    booth.harness.run_steps(2);
    assert!(disputed_in_store(&booth, &booking));

    booth.supervisor_over_the_booth();
    assert_eq!(booth.app().state.role, WindowRole::Supervisor);
    booth.harness.run_steps(2);
    booth.harness.get_by_label(ZH.override_dispute).click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.card().is_some_and(|c| !c.booking.details_disputed));
    assert!(!disputed_in_store(&booth, &booking));
    assert!(
        booth
            .store()
            .recent_events(20)
            .unwrap()
            .iter()
            .any(|e| e.kind == "details_dispute_overridden")
    );
}

#[test]
fn the_countdown_then_the_photo_for_approval_then_thanks_with_nothing_personal_left() {
    let mut booth = booth_configured("countdown = true\n");
    let booking = scan(&mut booth, 0);
    booth.show_student();
    booth.harness.key_press(egui::Key::Space);
    booth.harness.run_steps(1);
    assert!(booth.app().state.operator.countdown_started.is_some());
    assert!(matches!(booth.app().state.operator.shot, ShotState::None));
    let texts = student_texts(&booth);
    assert!(texts.iter().any(|t| t == "3"), "{texts:?}");
    // A second Space during the count does not start another.
    booth.harness.key_press(egui::Key::Space);
    booth.harness.run_steps(1);
    assert!(matches!(booth.app().state.operator.shot, ShotState::None));

    // The count runs on the clock; move its start back instead of sleeping through it.
    booth.app().state.operator.countdown_started =
        Some(Instant::now() - Duration::from_millis(2500));
    booth.harness.run_steps(1);
    let texts = student_texts(&booth);
    assert!(texts.iter().any(|t| t == "1"), "{texts:?}");
    booth.app().state.operator.countdown_started = Some(Instant::now() - Duration::from_secs(3));
    booth.harness.run_steps(1);
    booth.settle(|s| matches!(s.operator.shot, ShotState::Ready { .. }));
    let texts = student_texts(&booth);
    assert!(shows(&texts, ZH.student_happy), "{texts:?}");

    booth.harness.key_press(egui::Key::Enter);
    booth.harness.run_steps(1);
    booth.settle(|s| matches!(s.operator.shot, ShotState::Saved { .. }));
    let texts = student_texts(&booth);
    assert!(shows(&texts, ZH.student_thanks), "{texts:?}");
    for field in personal_fields(&booking) {
        assert!(
            !shows(&texts, &field),
            "'{field}' after the save: {texts:?}"
        );
    }
    assert!(card_found(&booth.app().state));

    // A count under way stops when the booth signs out: nobody is shot unattended.
    scan(&mut booth, 1);
    booth.show_student();
    booth.harness.key_press(egui::Key::Space);
    booth.harness.run_steps(1);
    assert!(booth.app().state.operator.countdown_started.is_some());
    booth
        .app()
        .command(Command::Accounts(AccountsCommand::SignOut));
    booth.harness.run_steps(2);
    assert!(booth.app().state.operator.countdown_started.is_none());
    assert!(matches!(booth.app().state.operator.shot, ShotState::None));
}
