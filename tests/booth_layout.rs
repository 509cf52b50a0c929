//! Layout at the booth laptop's 1366×768: nothing moves under a click, nothing covers a field,
//! the buttons that matter are in view, and the long lists show enough to work with.

use capture_station::app::capture::CaptureCommand;
use capture_station::app::command::Command;
use capture_station::app::state::{Screen, SupervisorTab};
use egui::accesskit::Role as A11yRole;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

use crate::util::booth::{booth, booth_configured, card_found};

fn window() -> egui::Rect {
    egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1366.0, 768.0))
}

/// The fields below the ID number stay where they are when its verdict appears: a click aimed
/// at 学号 lands in 学号.
#[test]
fn the_walk_in_form_does_not_move_while_typing() {
    let mut booth = booth();
    booth.app().command(Command::Show(Screen::WalkIn));
    booth.harness.run_steps(2);
    let field = |booth: &crate::util::booth::Booth, label: &str| {
        booth
            .harness
            .get_by_role_and_label(A11yRole::TextInput, label)
            .rect()
    };
    let before = [
        field(&booth, "学号"),
        field(&booth, "学校 *"),
        field(&booth, "院系"),
    ];
    let id_number =
        capture_station::domain::id_number::complete_with_check("41010520010203002").unwrap();
    booth.type_into(A11yRole::TextInput, "身份证号 *", &id_number);
    booth.harness.get_by_label("✓ 身份证号有效");
    booth.type_into(A11yRole::TextInput, "学校 *", "演示");
    let after = [
        field(&booth, "学号"),
        field(&booth, "学校 *"),
        field(&booth, "院系"),
    ];
    // It moved 28 px when the verdict appeared; a pixel of text metrics is not a move.
    for (b, a) in before.iter().zip(&after) {
        assert!((b.top() - a.top()).abs() <= 2.0, "{b:?} moved to {a:?}");
    }
}

/// The student's inset copy has a place of its own: over the live view's corner, clear of the
/// search box, every button and the status bar.
#[test]
fn the_inset_student_screen_covers_no_field_or_button() {
    let mut booth = booth_configured("student_screen = \"inset\"\n");
    booth.show_student();
    booth.harness.run_steps(2);
    booth.show_phone(0);
    booth.settle(card_found);
    booth
        .app()
        .command(Command::Capture(CaptureCommand::OpenSearch));
    booth.harness.run_steps(3);
    let inset = booth
        .harness
        .get_by_role_and_label(A11yRole::Window, "学生屏幕 · 学历照片采集站")
        .rect();
    assert!(inset.width() >= 150.0, "{inset:?}");
    let live = booth.harness.get_by_label("实时画面").rect();
    assert!(
        live.contains_rect(inset),
        "inside the live view: {inset:?} in {live:?}"
    );
    let search = booth
        .harness
        .get_by_role_and_label(A11yRole::TextInput, "查找 (Ctrl+F)")
        .rect();
    assert!(
        !inset.intersects(search),
        "{inset:?} over the search {search:?}"
    );
    for button in booth.harness.query_all_by_role(A11yRole::Button) {
        let rect = button.rect();
        assert!(
            !inset.intersects(rect),
            "{inset:?} over the button {:?} at {rect:?}",
            button.accesskit_node().label()
        );
    }
}

/// 主管 → 设置: 保存设置 is in view at 1366×768 without scrolling.
#[test]
fn the_settings_save_button_is_in_view() {
    let mut booth = booth();
    booth.supervisor_over_the_booth();
    booth.app().command(Command::Show(Screen::Supervisor));
    booth
        .app()
        .command(Command::SupervisorTab(SupervisorTab::Settings));
    booth.harness.run_steps(3);
    let save = booth.harness.get_by_label("保存设置").rect();
    assert!(window().contains_rect(save), "{save:?}");
    assert!(save.top() < 300.0, "above the fields: {save:?}");
}

/// Check boxes and radio buttons as large as the text beside them.
#[test]
fn check_boxes_are_as_large_as_their_text() {
    let mut booth = booth();
    booth.app().command(Command::Show(Screen::WalkIn));
    booth.harness.run_steps(2);
    let style = booth.harness.ctx.style_of(booth.harness.ctx.theme());
    let text = style
        .text_styles
        .get(&egui::TextStyle::Body)
        .map_or(0.0, |font| font.size);
    assert!(
        style.spacing.icon_width >= text,
        "{} < {text}",
        style.spacing.icon_width
    );
    let no_id = booth
        .harness
        .get_by_role_and_label(A11yRole::CheckBox, "无身份证（遗失 / 识别失败 / 其他证件）")
        .rect();
    assert!(no_id.height() >= text, "{no_id:?}");
}

/// The import's problem rows: with 30 of them, at least a dozen are in view at 1366×768.
#[test]
fn a_dozen_problem_rows_are_in_view() {
    use capture_station::transfer::sample;
    let mut booth = booth();
    booth.supervisor_over_the_booth();
    let mut orders = sample::sample_orders(40, 94, capture_station::app::demo::DEMO_SCHOOL);
    for order in orders.iter_mut().take(30) {
        order.fields[1].clear();
    }
    let files = tempfile::tempdir().unwrap();
    booth.drop_file(&files, "问题多.xlsx", &sample::write_xlsx(&orders).unwrap());
    booth.import_settled();
    booth.harness.run_steps(2);
    let visible = booth
        .harness
        .query_all_by_label_contains("行号 ")
        .filter(|row| window().contains_rect(row.rect()) && row.rect().bottom() < 700.0)
        .count();
    assert!(visible >= 12, "only {visible} problem rows in view");
}
