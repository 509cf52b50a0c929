//! What the screen says is true now: counts follow an import, a message goes once its form
//! succeeds, a corrected name shows as corrected, the first-run summary tells the camera step as
//! it went, a failed photo is never said to be saved by Enter, the file dialog that cannot open
//! says so, and a failed photo offers the supervisor's sign-in instead of a refusal.

use capture_station::app::capture::CaptureCommand;
use capture_station::app::corrections::CorrectionsCommand;
use std::sync::Arc;

use capture_station::app::command::Command;
use capture_station::app::demo;
use capture_station::app::events::FilePick;
use capture_station::app::first_run::FirstRunStep;
use capture_station::app::state::{Screen, ShotState, SupervisorTab};
use egui::accesskit::Role as A11yRole;
use egui_kittest::kittest::Queryable as _;

use crate::util::booth::{Booth, booth, card_found, first_start_booth};

fn open_tab(booth: &mut Booth, tab: SupervisorTab) {
    booth.app().command(Command::Show(Screen::Supervisor));
    booth.app().command(Command::SupervisorTab(tab));
    booth.harness.run_steps(2);
}

/// An import in the window adds to 待拍 in the status bar at once.
#[test]
fn the_remaining_count_follows_an_import() {
    use capture_station::transfer::sample;
    let mut booth = booth();
    booth.supervisor_over_the_booth();
    let before = booth.app().state.counts.remaining_booked;
    booth
        .harness
        .get_by_label_contains(&format!("待拍 {before}"));
    let orders = sample::sample_orders(2, 91, demo::DEMO_SCHOOL);
    let files = tempfile::tempdir().unwrap();
    booth.drop_file(&files, "两单.xlsx", &sample::write_xlsx(&orders).unwrap());
    booth.import_settled();
    booth.harness.get_by_label("确认导入").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.import.result.is_some());
    booth.settle(move |s| s.counts.remaining_booked == before + 2);
    booth
        .harness
        .get_by_label_contains(&format!("待拍 {}", before + 2));
}

/// A refused account stays beside the accounts until an account is added; a refused file stays
/// on the import screen until a good one is previewed. Neither lingers in the notice strip.
#[test]
fn a_message_goes_when_its_form_next_succeeds() {
    let mut booth = booth();
    booth.supervisor_over_the_booth();
    open_tab(&mut booth, SupervisorTab::Settings);
    booth.settle(|s| !s.supervisor.users.list.is_empty());
    booth.type_into(A11yRole::TextInput, "用户名", "新操作员");
    booth.type_into(A11yRole::PasswordInput, "PIN", "12");
    booth.harness.get_by_label("添加账户").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.users.error.is_some());
    booth.harness.get_by_label("PIN 须为 6–12 位数字");
    assert!(
        booth.app().state.supervisor.settings_error.is_none(),
        "said beside the accounts, not under the settings"
    );
    booth.type_into(A11yRole::PasswordInput, "PIN", "246801");
    booth.harness.get_by_label("添加账户").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.users.list.iter().any(|u| u.name == "新操作员"));
    booth.harness.run_steps(2);
    assert!(
        booth
            .harness
            .query_by_label("PIN 须为 6–12 位数字")
            .is_none()
    );
    assert!(
        booth
            .app()
            .state
            .notice
            .as_ref()
            .is_none_or(|n| n.level != capture_station::app::state::NoticeLevel::Error),
        "no error left in the notice strip"
    );

    // The import screen: a file without 姓名, then a good one.
    use capture_station::transfer::sample;
    let files = tempfile::tempdir().unwrap();
    booth.drop_file(&files, "坏.csv", "订单号,学校\nA1,X大学\n".as_bytes());
    booth.import_settled();
    booth
        .harness
        .get_by_label_contains("表头缺少必需的列：姓名");
    let orders = sample::sample_orders(1, 92, demo::DEMO_SCHOOL);
    booth.drop_file(&files, "好.xlsx", &sample::write_xlsx(&orders).unwrap());
    booth.import_settled();
    assert!(booth.app().state.supervisor.import.preview.is_some());
    assert!(booth.harness.query_by_label_contains("表头缺少").is_none());
}

/// After a rename the list beside the correction form shows the new name.
#[test]
fn the_correction_list_shows_the_record_as_corrected() {
    let mut booth = booth();
    booth.supervisor_over_the_booth();
    open_tab(&mut booth, SupervisorTab::Corrections);
    let code = capture_station::camera::synthetic_source::demo_camera_codes().remove(0);
    let booking_id = booth.booking_id_of_code(&code);
    let name = booth.store().booking(&booking_id).unwrap().student.name;
    booth
        .app()
        .command(Command::Capture(CaptureCommand::Search {
            query: name.clone(),
            for_supervisor: true,
        }));
    booth.settle(|s| !s.supervisor.search.results.is_empty());
    booth.app().command(Command::Corrections(
        CorrectionsCommand::SelectForCorrection(booking_id.clone()),
    ));
    booth.settle(|s| s.supervisor.selected.is_some());
    booth
        .harness
        .get_by_label_contains(&format!("正在更正：{name}"));
    // All seven fields are in view, not in a drop-down.
    for field in ["姓名", "身份证号", "学号", "学校", "院系", "专业", "层次"] {
        assert!(
            booth.harness.query_all_by_label(field).count() >= 1,
            "{field}"
        );
    }
    let renamed = format!("{name}萍");
    booth.app().state.supervisor.correction.value = renamed.clone();
    booth.app().state.supervisor.correction.reason = "证件为准".to_string();
    booth.harness.run_steps(2);
    booth.harness.get_by_label("保存更正").click();
    booth.harness.run_steps(1);
    let wanted = renamed.clone();
    booth.settle(move |s| {
        s.supervisor
            .search
            .results
            .iter()
            .any(|hit| hit.booking.student.name == wanted)
    });
    booth.harness.run_steps(2);
    // The result line (and the history's "→ 新名"): the list no longer says the old name alone.
    let lines = booth
        .harness
        .query_all_by_label_contains(&format!("{renamed} · "))
        .count();
    assert!(lines >= 1);
}

/// No camera found: the summary says so, not 已完成. A bad size typed and skipped does not
/// follow the supervisor into the summary or 主管 → 设置.
#[test]
fn the_first_run_summary_tells_the_camera_step_as_it_went() {
    let mut booth = first_start_booth();
    booth.settle(|s| s.first_run.as_ref().is_some_and(|g| g.cameras.is_some()));
    booth.app().state.first_run.as_mut().unwrap().cameras = Some(Vec::new());
    booth.harness.run_steps(2);
    booth.harness.get_by_label("下一步").click();
    booth.harness.run_steps(2);
    booth.type_into(A11yRole::TextInput, "用户名", "王主管");
    booth.type_into(A11yRole::PasswordInput, "PIN", "135790");
    booth.type_into(A11yRole::PasswordInput, "再次输入 PIN", "135790");
    booth.harness.get_by_label("创建主管并登录").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.session.is_some());
    booth.harness.run_steps(2);
    booth.type_into(A11yRole::TextInput, "照片大小 (KB)", "四十");
    booth.harness.get_by_label("保存并继续").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.settings_error.is_some());
    booth.harness.run_steps(2);
    booth.harness.get_by_label_contains("照片大小“四十”无效");
    for _ in 0..3 {
        booth.harness.get_by_label("跳过").click();
        booth.harness.run_steps(2);
    }
    assert_eq!(
        booth.app().state.first_run.as_ref().map(|g| g.step),
        Some(FirstRunStep::Finished)
    );
    booth.harness.get_by_label("未找到摄像头");
    assert!(
        booth
            .harness
            .query_by_label_contains("照片大小“四十”")
            .is_none()
    );
    booth.harness.get_by_label("开始拍摄").click();
    booth.harness.run_steps(2);
    open_tab(&mut booth, SupervisorTab::Settings);
    assert!(
        booth
            .harness
            .query_by_label_contains("照片大小“四十”")
            .is_none()
    );
}

fn booth_with_failed_photo() -> Booth {
    let mut booth = booth();
    booth.show_phone(0);
    booth.settle(card_found);
    booth.show_student();
    booth.harness.key_press(egui::Key::Space);
    booth.harness.run_steps(1);
    booth.settle(|s| matches!(s.operator.shot, ShotState::Ready { .. }));
    let ShotState::Ready { report, .. } = &mut booth.app().state.operator.shot else {
        unreachable!("settled on Ready");
    };
    report.ok = false;
    report.checks[0].ok = false;
    booth.harness.run_steps(2);
    booth
}

/// A photo that failed its checks: the booth never says Enter saves it, and staff are offered
/// the supervisor's sign-in where the override is, which then saves it, recorded.
#[test]
fn a_failed_photo_is_saved_only_through_the_supervisor_signing_in_beside_it() {
    let mut booth = booth_with_failed_photo();
    booth.harness.key_press(egui::Key::Escape);
    booth.harness.run_steps(2);
    booth
        .harness
        .get_by_label("当前照片未通过检查、尚未保存：按 R 重拍，或请主管强制保存");
    assert!(
        booth
            .harness
            .query_by_label_contains("按 Enter 保存")
            .is_none()
    );

    booth.harness.get_by_label("检查未通过，仍要保存…").click();
    booth.harness.run_steps(2);
    assert!(
        booth
            .harness
            .query_by_label_contains("确认强制保存")
            .is_none(),
        "staff are not offered a button that can only be refused"
    );
    booth.type_into(A11yRole::TextInput, "主管用户名", demo::DEMO_SUPERVISOR);
    booth.type_into(A11yRole::PasswordInput, "PIN", demo::DEMO_SUPERVISOR_PIN);
    booth.harness.get_by_label("登录").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.elevated.is_some());
    booth.harness.run_steps(2);
    booth
        .harness
        .get_by_label("确认强制保存 (Ctrl+Enter)，将被记录")
        .click();
    booth.harness.run_steps(1);
    booth.settle(|s| matches!(s.operator.shot, ShotState::Saved { .. }));
    let booking = booth.app().state.card().unwrap().booking.booking_id.clone();
    let captures = booth.store().captures_for(&booking).unwrap();
    assert!(captures[0].overridden);
}

/// Where no file dialog can be shown, 选择文件… says how else to give the file.
#[test]
fn a_file_dialog_that_cannot_open_says_what_to_do_instead() {
    let mut booth = booth();
    booth.supervisor_over_the_booth();
    booth
        .app()
        .set_file_picker(Arc::new(|_, _: &str| FilePick::Unavailable));
    open_tab(&mut booth, SupervisorTab::Import);
    booth.harness.get_by_label("选择文件…").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.import.no_file_dialog);
    booth.harness.get_by_label_contains("请把文件拖到本窗口上");

    // A dialog that works: the file picked is previewed, and the hint goes.
    use capture_station::transfer::sample;
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join("订单.xlsx");
    let orders = sample::sample_orders(1, 93, demo::DEMO_SCHOOL);
    std::fs::write(&path, sample::write_xlsx(&orders).unwrap()).unwrap();
    booth
        .app()
        .set_file_picker(Arc::new(move |_, _: &str| FilePick::Picked(path.clone())));
    booth.harness.get_by_label("选择文件…").click();
    booth.harness.run_steps(1);
    booth.import_settled();
    assert!(booth.app().state.supervisor.import.preview.is_some());
    assert!(
        booth
            .harness
            .query_by_label_contains("请把文件拖到本窗口上")
            .is_none()
    );
}

/// 导出照片 has its own 选择文件夹…: the folder picked becomes the export's target (a Windows
/// booth has no path to type from memory), and a dialog that cannot open says what to do.
#[test]
fn the_export_folder_is_picked_with_the_system_dialog() {
    use capture_station::app::file_dialog::PickWhat;
    let mut booth = booth();
    booth.supervisor_over_the_booth();
    let usb = tempfile::tempdir().unwrap();
    let folder = usb.path().join("U盘");
    let picked = folder.clone();
    booth
        .app()
        .set_file_picker(Arc::new(move |what, _: &str| match what {
            PickWhat::ExportFolder => FilePick::Picked(picked.clone()),
            PickWhat::OrderFile => FilePick::Cancelled,
        }));
    open_tab(&mut booth, SupervisorTab::Export);
    booth.harness.get_by_label("选择文件夹…").click();
    booth.harness.run_steps(1);
    let wanted = folder.display().to_string();
    booth.settle(move |s| s.supervisor.export.folder == wanted);

    booth
        .app()
        .set_file_picker(Arc::new(|_, _: &str| FilePick::Unavailable));
    booth.harness.get_by_label("选择文件夹…").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.export.no_folder_dialog);
    booth
        .harness
        .get_by_label_contains("请把文件夹拖到本窗口上");
    // The folder picked before is kept.
    assert_eq!(
        booth.app().state.supervisor.export.folder,
        folder.display().to_string()
    );
}

/// A message the window wrote in Chinese does not stay, in Chinese, after the switch to English.
#[test]
fn a_message_does_not_outlive_the_language_it_was_written_in() {
    let mut booth = booth();
    booth.show_phone(0);
    booth.settle(card_found);
    booth.shoot_and_save();
    booth.settle(|s| {
        s.notice.as_ref().is_some_and(|notice| {
            notice
                .text
                .text(capture_station::config::Language::Chinese)
                .starts_with("已保存")
        })
    });
    booth.harness.get_by_label("English").click();
    booth.harness.run_steps(2);
    assert!(booth.harness.query_by_label_contains("已保存").is_none());
    booth.harness.get_by_label("Capture");
}
