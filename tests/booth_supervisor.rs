//! The supervisor's work in the booth window, driven like a user would: corrections, closing a
//! school, importing bookings, exporting photos, joining a campus.

use capture_station::app::accounts::AccountsCommand;
use capture_station::app::campus::CampusCommand;
use capture_station::app::capture::CaptureCommand;
use capture_station::app::close_out::CloseOutCommand;
use capture_station::app::command::Command;
use capture_station::app::corrections::CorrectionsCommand;
use capture_station::app::demo;
use capture_station::app::state::{Screen, WindowRole};
use capture_station::app::transfer::TransferCommand;
use capture_station::camera::synthetic::render_phone_frame;
use capture_station::camera::synthetic_source::demo_camera_codes;
use capture_station::domain::CorrectableField;
use egui::accesskit::Role as A11yRole;
use egui_kittest::kittest::Queryable as _;

use crate::util::booth::*;
#[test]
fn corrections_need_the_supervisor_and_are_audited() {
    let mut booth = booth();
    let code = demo_camera_codes().remove(0);
    let booking_id = booth.booking_id_of_code(&code);
    let correct = |reason: &str| {
        Command::Corrections(CorrectionsCommand::Correct {
            booking_id: booking_id.clone(),
            field: CorrectableField::Name,
            value: "更正后".to_string(),
            reason: reason.to_string(),
            confirmed_after_capture: false,
        })
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
    booth.app().command(Command::Corrections(
        CorrectionsCommand::SelectForCorrection(booking_id.clone()),
    ));
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
fn the_supervisor_closes_out_with_a_preview_and_a_confirmation() {
    let mut booth = booth();
    booth
        .app()
        .command(Command::Accounts(AccountsCommand::Login {
            name: demo::DEMO_SUPERVISOR.to_string(),
            pin: demo::DEMO_SUPERVISOR_PIN.to_string(),
        }));
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
    booth
        .app()
        .command(Command::CloseOut(CloseOutCommand::MarkRefunded {
            order_no: order,
            reference: "WX-1".to_string(),
        }));
    booth.settle(|s| s.supervisor.close_out.summary.done == 1);
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
    booth
        .app()
        .command(Command::Capture(CaptureCommand::Search {
            query: orders[7].name().to_string(),
            for_supervisor: false,
        }));
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
    booth
        .app()
        .command(Command::Transfer(TransferCommand::ConfirmImport));
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
    booth
        .app()
        .command(Command::Transfer(TransferCommand::StartExport));
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
    let token = campus.join_token().to_text();
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
    // From the join on, the campus checks a supervisor's PIN itself: the supervisor signed in
    // before it is signed out, told why, and signs in again.
    booth.settle(|s| s.role != WindowRole::Supervisor);
    booth.harness.get_by_label_contains("请重新登录主管账户");
    booth.supervisor_over_the_booth();
    booth.harness.get_by_label("主管").click();
    booth.harness.run_steps(2);
    booth.harness.get_by_label("校区").click();
    booth.harness.run_steps(2);
    booth.settle(|s| {
        let campus = &s.supervisor.campus;
        campus.overview.is_some() && !campus.busy
    });

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
    booth.app().command(Command::Campus(CampusCommand::LoadGate(
        "校区大学".to_string(),
    )));
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
    // After the close (a new station now would block its gate): the next station's join code.
    booth.app().command(Command::SupervisorTab(
        capture_station::app::state::SupervisorTab::Campus,
    ));
    booth.settle(|s| !s.supervisor.campus.busy);
    // One-time, issued by the server when asked, shown as a QR
    // code and as text. It registers one station; the same code again is refused.
    assert!(booth.app().state.supervisor.campus.join_code.is_none());
    booth.click_scrolled("生成加入码");
    booth.settle(|s| s.supervisor.campus.join_code.is_some());
    let shown = booth
        .app()
        .state
        .supervisor
        .campus
        .join_code
        .clone()
        .unwrap();
    booth.harness.get_by_label_contains(&shown.valid_until);
    let next = capture_station::campus::token::JoinToken::parse(&shown.text).unwrap();
    capture_station::campus::server::CampusClient::enrol(
        &next,
        "东门-3",
        std::time::Duration::from_secs(10),
    )
    .unwrap();
    let again = capture_station::campus::server::CampusClient::enrol(
        &next,
        "东门-4",
        std::time::Duration::from_secs(10),
    )
    .unwrap_err();
    assert!(
        matches!(
            again,
            capture_station::campus::CampusError::Refusal(
                capture_station::campus::CampusRefusal::JoinCodeRefused
            )
        ),
        "{again}"
    );

    // A new password for this station's own campus login, from the window: the old one stops
    // working at once, and the screen goes on with the new one.
    let folder = booth.dir.path().to_path_buf();
    let old_login = capture_station::campus::settings::CampusSettings::load(&folder)
        .unwrap()
        .unwrap()
        .login;
    booth.click_scrolled("更换本工位校区密码");
    booth.settle(|s| !s.supervisor.campus.busy);
    booth.harness.run_steps(1);
    booth
        .harness
        .get_by_label_contains("本工位的校区登录密码已更换");
    assert!(
        capture_station::campus::tls::connect(&old_login, std::time::Duration::from_secs(10))
            .is_err(),
        "the old password still works"
    );

    // A laptop is stolen: its station is revoked from this window, after a confirmation.
    booth.app().command(Command::Campus(CampusCommand::Refresh));
    booth.settle(|s| {
        let campus = &s.supervisor.campus;
        !campus.busy
            && campus
                .overview
                .as_ref()
                .is_some_and(|o| o.stations.iter().any(|station| station.name == "东门-3"))
    });
    booth.harness.run_steps(1);
    // Rows by name: 东门-1, 东门-2, 东门-3, then this station (which has no button).
    assert_eq!(
        booth.harness.query_all_by_label("吊销").count(),
        3,
        "one per other station"
    );
    fn third(booth: &Booth) -> egui_kittest::Node<'_> {
        booth.harness.query_all_by_label("吊销").nth(2).unwrap()
    }
    third(&booth).scroll_to_me();
    booth.harness.run_steps(100);
    third(&booth).click();
    booth.harness.run_steps(2);
    booth
        .harness
        .get_by_label("吊销此工位？其校区登录立即失效；已上传的照片和记录保留： 东门-3");
    booth.click_scrolled("确认吊销");
    booth.settle(|s| {
        let campus = &s.supervisor.campus;
        !campus.busy
            && campus.overview.as_ref().is_some_and(|o| {
                o.stations
                    .iter()
                    .any(|station| station.name == "东门-3" && station.revoked)
            })
    });
    booth.harness.run_steps(1);
    booth.harness.get_by_label("已吊销");
    assert_eq!(
        campus.count("SELECT count(*) FROM stations WHERE revoked_at IS NOT NULL"),
        1
    );
}
