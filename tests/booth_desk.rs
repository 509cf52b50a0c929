//! The smaller things people noticed at the desk: a mistyped school is caught before it makes a
//! new school, a walk-in without a code is booked on purpose and named before an export starts,
//! a supervisor over the operator's shoulder shows no whole numbers and leaves when idle, the
//! manifest names the station and the local time, and accounts are managed from the window.

use capture_station::app::command::Command;
use capture_station::app::demo;
use capture_station::app::state::{Screen, ShotState, SupervisorTab};
use egui::accesskit::Role as A11yRole;
use egui_kittest::kittest::Queryable as _;

use crate::util::booth::{Booth, booth, card_found};

fn fill_walk_in(booth: &mut Booth, name: &str, sequence: u32, school: &str) {
    booth.app().command(Command::Show(Screen::WalkIn));
    booth.settle(|s| s.supervisor.schools_loaded);
    let id_number = capture_station::domain::id_number::complete_with_check(&format!(
        "41010520010203{sequence:03}"
    ))
    .unwrap();
    booth.type_into(A11yRole::TextInput, "姓名 *", name);
    booth.type_into(A11yRole::TextInput, "身份证号 *", &id_number);
    booth.type_into(A11yRole::TextInput, "学校 *", school);
}

/// 演示大學 typed for 演示大学: the save asks, offers the known school, and nothing is booked
/// under a new school by a typo.
#[test]
fn a_mistyped_school_is_caught_before_it_makes_a_new_school() {
    let mut booth = booth();
    let schools_before = booth.store().schools().unwrap().len();
    fill_walk_in(&mut booth, "孙八", 50, "演示大學");
    booth.type_into(A11yRole::TextInput, "采集码 *", "CSWALKIN-TYPO-1");
    booth.harness.get_by_label("保存预约").click();
    booth.harness.run_steps(2);
    assert!(!booth.app().state.walk_in.saving, "nothing was sent");
    booth
        .harness
        .get_by_label_contains("学校“演示大學”尚无任何预约");
    booth.harness.get_by_label("确认新学校并保存");
    // The known school, offered beside the field: one click, then the save goes through.
    booth.harness.get_by_label(demo::DEMO_SCHOOL).click();
    booth.harness.run_steps(1);
    assert_eq!(booth.app().state.walk_in.school, demo::DEMO_SCHOOL);
    booth.harness.get_by_label("保存预约").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.screen == Screen::Operator && card_found(s));
    assert_eq!(
        booth.app().state.card().unwrap().booking.student.school,
        demo::DEMO_SCHOOL
    );
    assert_eq!(booth.store().schools().unwrap().len(), schools_before);
}

/// A walk-in without a capture code is booked only when staff tick that the student has none
/// now; the export by 采集码 then names that student before anything is written.
#[test]
fn a_walk_in_without_a_code_is_decided_at_the_desk_and_named_before_the_export() {
    let mut booth = booth();
    fill_walk_in(&mut booth, "周九", 52, demo::DEMO_SCHOOL);
    booth.harness.get_by_label("保存预约").click();
    booth.harness.run_steps(2);
    booth
        .harness
        .get_by_label_contains("采集码为空：请扫描学生的采集码");
    booth
        .harness
        .get_by_label_contains("学生暂时无法出示采集码（")
        .click();
    booth.harness.run_steps(1);
    booth.harness.get_by_label("保存预约").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.screen == Screen::Operator && card_found(s));
    booth.shoot_and_save();

    booth.supervisor_over_the_booth();
    booth.app().command(Command::Show(Screen::Supervisor));
    booth
        .app()
        .command(Command::SupervisorTab(SupervisorTab::Export));
    booth.settle(|s| !s.supervisor.schools.is_empty());
    let stick = tempfile::tempdir().unwrap();
    booth.app().state.supervisor.export.school = demo::DEMO_SCHOOL.to_string();
    booth.app().state.supervisor.export.folder = stick.path().display().to_string();
    booth.harness.run_steps(1);
    booth.harness.get_by_label("检查空间").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.export.plan.is_some());
    let plan = booth.app().state.supervisor.export.plan.clone().unwrap();
    assert_eq!(plan.unnamed.len(), 1, "{plan:?}");
    assert!(plan.unnamed[0].starts_with("周九"));
    booth
        .harness
        .get_by_label_contains("1 名学生无法按所选方式命名");
    booth.harness.get_by_label("开始导出").click();
    booth.harness.run_steps(2);
    assert!(
        !booth.app().state.supervisor.export.busy,
        "refused to start"
    );
    assert_eq!(std::fs::read_dir(stick.path()).unwrap().count(), 0);

    // Named by 身份证号 instead, the same student exports, and the manifest names this
    // station and the local time with its offset.
    booth.harness.get_by_label("身份证号.jpg").click();
    booth.harness.run_steps(1);
    booth.harness.get_by_label("检查空间").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.export.plan.is_some());
    assert!(
        booth
            .app()
            .state
            .supervisor
            .export
            .plan
            .as_ref()
            .unwrap()
            .unnamed
            .is_empty()
    );
    booth.harness.get_by_label("开始导出").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.export.result.is_some());
    let folder = stick.path().join(demo::DEMO_SCHOOL);
    let manifest =
        std::fs::read_to_string(folder.join(capture_station::transfer::export::MANIFEST_CSV))
            .unwrap();
    let station = booth.app().config().station_name.clone();
    let row = manifest.lines().find(|line| line.contains("周九")).unwrap();
    assert!(row.contains(&format!(",{station},")), "{row}");
    let offset = chrono::Local::now().format("%:z").to_string();
    assert!(row.contains(&format!(" {offset},")), "{row}");
    let store = booth.store();
    assert!(!row.contains(store.station_id()), "no station id: {row}");
}

/// A supervisor signed in over the operator's session sees the card as the queue does (masked)
/// and is signed out after a short idle time; the booth's user stays.
#[test]
fn a_supervisor_over_the_shoulder_shows_no_whole_numbers_and_leaves_when_idle() {
    let mut booth = booth();
    booth.show_phone(0);
    booth.settle(card_found);
    let student = booth.app().state.card().unwrap().booking.student.clone();
    let id = student.id_number.clone().unwrap();
    booth.supervisor_over_the_booth();
    booth.harness.run_steps(2);
    assert!(booth.harness.query_by_label(&id).is_none());
    booth
        .harness
        .get_by_label(&capture_station::domain::id_number::mask(&id));
    let idle = capture_station::app::SUPERVISOR_IDLE_LOGOUT + std::time::Duration::from_secs(1);
    booth.app().state.last_activity -= idle;
    booth.harness.run_steps(2);
    assert!(booth.app().state.elevated.is_none());
    assert!(booth.app().state.session.is_some(), "the booth stays");
    booth
        .harness
        .get_by_label("主管长时间无操作，已退出主管登录");
    assert!(matches!(booth.app().state.operator.shot, ShotState::None));
}

/// 主管 → 设置: a PIN reset from the window ends a lock and takes the new PIN; a disabled
/// account cannot sign in; the last supervisor cannot be disabled.
#[test]
fn accounts_are_reset_and_disabled_from_the_window() {
    let mut booth = booth();
    booth.supervisor_over_the_booth();
    booth.app().command(Command::Show(Screen::Supervisor));
    booth
        .app()
        .command(Command::SupervisorTab(SupervisorTab::Settings));
    booth.settle(|s| !s.supervisor.users.list.is_empty());
    let row_button = |booth: &mut Booth, name: &str, button: &str| {
        let index = booth
            .app()
            .state
            .supervisor
            .users
            .list
            .iter()
            .position(|u| u.name == name)
            .unwrap();
        booth
            .harness
            .query_all_by_label(button)
            .nth(index)
            .unwrap()
            .click();
        booth.harness.run_steps(2);
    };
    row_button(&mut booth, demo::DEMO_OPERATOR, "重置 PIN");
    booth.type_into(
        A11yRole::PasswordInput,
        &format!("新 PIN： {}", demo::DEMO_OPERATOR),
        "480213",
    );
    booth.harness.get_by_label("确认新 PIN").click();
    booth.harness.run_steps(1);
    booth.settle(|s| {
        s.notice.as_ref().is_some_and(|n| {
            n.level == capture_station::app::state::NoticeLevel::Success
                && n.text
                    .text(capture_station::config::Language::Chinese)
                    .contains("新 PIN")
        })
    });
    let mut store = booth.store();
    assert!(store.login(demo::DEMO_OPERATOR, "480213").is_ok());
    drop(store);

    row_button(&mut booth, demo::DEMO_OPERATOR, "停用");
    booth.settle(|s| {
        s.supervisor
            .users
            .list
            .iter()
            .any(|u| u.name == demo::DEMO_OPERATOR && u.disabled)
    });
    booth
        .harness
        .get_by_label_contains(&format!("{} (已停用)", demo::DEMO_OPERATOR));
    assert!(booth.store().login(demo::DEMO_OPERATOR, "480213").is_err());

    // The supervisor signed in cannot disable their own account.
    row_button(&mut booth, demo::DEMO_SUPERVISOR, "停用");
    booth.settle(|s| s.supervisor.users.error.is_some());
    booth.harness.get_by_label("不能停用自己的账户");
    let events = booth.store().recent_events(20).unwrap();
    assert!(events.iter().any(|e| e.kind == "user_disabled"));
    assert!(events.iter().any(|e| e.kind == "pin_reset"));
}
