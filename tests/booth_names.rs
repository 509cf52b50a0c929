//! Names never lose characters: traditional and rare characters are drawn on the walk-in form,
//! the card, the search results and the student's screen, and a character no font has is a
//! visible box with a warning to check the ID card. kittest fails a test on any character drawn
//! without a glyph, so drawing these screens is the assertion.

use capture_station::app::state::Screen;
use capture_station::ui::theme::can_draw;
use egui::accesskit::Role as A11yRole;
use egui_kittest::kittest::Queryable as _;

use crate::util::booth::{Booth, booth_configured, booth_drawing_boxes, card_found};

/// Books a walk-in through the form, as the desk would, and waits for its card.
fn book_walk_in(booth: &mut Booth, name: &str, school: &str, sequence: u32) {
    booth
        .app()
        .command(capture_station::app::command::Command::Show(Screen::WalkIn));
    booth.harness.run_steps(2);
    let id_number = capture_station::domain::id_number::complete_with_check(&format!(
        "41010520010203{sequence:03}"
    ))
    .unwrap();
    booth.type_into(A11yRole::TextInput, "姓名 *", name);
    booth.type_into(A11yRole::TextInput, "身份证号 *", &id_number);
    booth.type_into(A11yRole::TextInput, "学校 *", school);
    booth
        .harness
        .get_by_label_contains("学生暂时无法出示采集码（")
        .click();
    booth.harness.run_steps(2);
    booth.harness.get_by_label("保存预约").click();
    booth.harness.run_steps(2);
    // A school not known yet is asked about once: it is meant here.
    if booth.harness.query_by_label("确认新学校并保存").is_some() {
        booth.harness.get_by_label("确认新学校并保存").click();
        booth.harness.run_steps(1);
    }
    let wanted = name.to_string();
    booth.settle(move |s| {
        s.screen == Screen::Operator
            && s.card()
                .is_some_and(|card| card.booking.student.name == wanted)
    });
}

#[test]
fn traditional_and_rare_characters_are_drawn_on_every_screen() {
    // With the student's screen on (inset in the test window), so it draws the name too.
    let mut booth = booth_configured("");
    let names = ["張曉明", "陳大文", "𠮷田花子", "李䶮", "龘龘"];
    for (index, name) in names.into_iter().enumerate() {
        book_walk_in(&mut booth, name, "演示大學", 10 + 2 * index as u32);
        // The card and the student's screen, in full, with no warning: every character has a
        // glyph (kittest fails the test on one drawn without).
        assert_eq!(booth.harness.query_all_by_label(name).count(), 2, "{name}");
        assert!(can_draw(&booth.harness.ctx, name), "{name}");
        assert!(
            booth
                .harness
                .query_by_label("姓名含无法显示的字，请核对身份证")
                .is_none()
        );
        booth
            .app()
            .command(capture_station::app::command::Command::Capture(
                capture_station::app::capture::CaptureCommand::ClearCard,
            ));
        booth.harness.run_steps(2);
    }
    // The search lists each by name, its school in traditional characters beside it.
    booth
        .app()
        .command(capture_station::app::command::Command::Capture(
            capture_station::app::capture::CaptureCommand::OpenSearch,
        ));
    booth.harness.run_steps(2);
    for name in names {
        booth
            .app()
            .command(capture_station::app::command::Command::Capture(
                capture_station::app::capture::CaptureCommand::Search {
                    query: name.to_string(),
                    for_supervisor: false,
                },
            ));
        let wanted = name.to_string();
        booth.settle(move |s| {
            s.operator
                .search
                .results
                .iter()
                .any(|hit| hit.booking.student.name == wanted)
        });
        booth.harness.get_by_label_contains(&format!("{name} · "));
        booth.harness.get_by_label_contains("演示大學");
    }
}

#[test]
fn a_character_no_font_has_is_a_box_and_the_card_says_to_check_the_id_card() {
    let mut booth = booth_drawing_boxes();
    // U+30000, the first of CJK Extension G, is in no bundled font (nor in a system one here).
    let name = "王\u{30000}";
    assert!(!can_draw(&booth.harness.ctx, name));
    book_walk_in(&mut booth, name, "演示大学", 40);
    assert!(card_found(&booth.app().state));
    booth.harness.get_by_label(name);
    booth
        .harness
        .get_by_label("姓名含无法显示的字，请核对身份证");
}
