//! The first-run guide of a real booth, walked with egui_kittest: cameras shown live (replay
//! folders stand in for webcams, since this machine has none), the supervisor account, the
//! station's settings with a bad value refused, an order file with a bad row, the campus step
//! skipped, the summary, and no guide on the next start; and a camera saved under 设置 running
//! without a restart.

use std::path::Path;
use std::time::Instant;

use capture_station::app::first_run::{CameraOption, FirstRunStep};
use capture_station::app::state::Screen;
use capture_station::camera::CaptureFormat;
use capture_station::config::StationConfig;
use capture_station::transfer::sample::{CsvEncoding, as_rows, sample_orders, write_csv};
use egui::accesskit::Role as A11yRole;
use egui_kittest::kittest::Queryable as _;

use crate::util::booth::{Booth, WAIT, first_start_booth};

/// A folder of identical frames of one colour and size: a camera that is easy to tell apart.
fn replay_folder(root: &Path, name: &str, size: (u32, u32), colour: [u8; 3]) -> String {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for n in 0..3 {
        image::RgbImage::from_pixel(size.0, size.1, image::Rgb(colour))
            .save(dir.join(format!("frame-{n}.png")))
            .unwrap();
    }
    format!("replay:{}", dir.display())
}

fn step(booth: &mut Booth) -> Option<FirstRunStep> {
    booth.app().state.first_run.as_ref().map(|guide| guide.step)
}

/// Waits (on the frame hub, not by sleeping) for a frame of `size`: the camera picked is the one
/// running. Then the window draws it.
#[track_caller]
fn wait_for_frames_of(booth: &mut Booth, size: (u32, u32)) {
    let hub = booth.app().hub().clone();
    let deadline = Instant::now() + WAIT;
    let mut after = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let frame = hub
            .wait_newer(after, left)
            .unwrap_or_else(|| panic!("no frame of {size:?} from the camera picked"));
        if frame.image.dimensions() == size {
            break;
        }
        after = frame.sequence;
    }
    booth.harness.run_steps(2);
    assert!(booth.app().state.camera_live);
}

fn saved_settings(booth: &Booth) -> capture_station::config::ConfigFile {
    StationConfig::load(booth.dir.path()).unwrap().file
}

#[test]
fn the_guide_sets_up_a_real_booth_and_does_not_come_back() {
    let mut booth = first_start_booth();
    booth.settle(|s| s.first_run.as_ref().is_some_and(|g| g.cameras.is_some()));
    booth.harness.run_steps(2);
    booth.harness.get_by_label("首次设置");
    booth.harness.get_by_label("步骤 1/5 · 选择摄像头");
    // The booth's tabs wait until the guide is finished.
    assert!(booth.harness.query_by_label("现场预约").is_none());

    // What the system reports is replaced by two stand-in cameras.
    let frames = tempfile::tempdir().unwrap();
    let wide = replay_folder(frames.path(), "wide", (640, 360), [200, 40, 40]);
    let small = replay_folder(frames.path(), "small", (320, 240), [40, 40, 200]);
    booth.app().state.first_run.as_mut().unwrap().cameras = Some(vec![
        CameraOption {
            setting: wide.clone(),
            name: capture_station::app::state::CameraName::Device {
                index: 0,
                name: Some("Camera A".to_string()),
            },
            formats: Vec::new(),
        },
        CameraOption {
            setting: small.clone(),
            name: capture_station::app::state::CameraName::Device {
                index: 0,
                name: Some("Camera B".to_string()),
            },
            formats: vec![CaptureFormat {
                width: 320,
                height: 240,
                fps: 30,
                fourcc: "YUYV".to_string(),
            }],
        },
    ]);
    booth.harness.run_steps(2);
    booth.harness.get_by_label("Camera A").click();
    booth.harness.run_steps(1);
    wait_for_frames_of(&mut booth, (640, 360));
    booth.harness.get_by_label("Camera B (1 种格式)").click();
    booth.harness.run_steps(1);
    wait_for_frames_of(&mut booth, (320, 240));
    booth.harness.run_steps(2);
    booth.harness.get_by_label_contains("实时画面：");
    // Its format can be chosen; the choice waits for the supervisor before it is saved.
    booth.harness.get_by_label("格式").click();
    booth.harness.run_steps(2);
    booth.harness.get_by_label("320×240 YUYV @ 30 fps").click();
    booth.harness.run_steps(2);
    let draft = booth.app().state.first_run.as_ref().unwrap().draft.clone();
    assert_eq!(draft.camera.as_deref(), Some(small.as_str()));
    assert_eq!(draft.camera_resolution.as_deref(), Some("320x240"));
    assert_eq!(saved_settings(&booth).camera, None, "nothing saved yet");

    booth.harness.get_by_label("下一步").click();
    booth.harness.run_steps(2);
    assert_eq!(step(&mut booth), Some(FirstRunStep::Supervisor));
    assert!(
        booth.harness.query_by_label("跳过").is_none(),
        "the account cannot be skipped"
    );
    booth.type_into(A11yRole::TextInput, "用户名", "李主管");
    booth.type_into(A11yRole::PasswordInput, "PIN", "864209");
    booth.type_into(A11yRole::PasswordInput, "再次输入 PIN", "864209");
    booth.harness.get_by_label("创建主管并登录").click();
    booth.harness.run_steps(1);
    booth.settle(|s| {
        s.session.is_some()
            && s.first_run
                .as_ref()
                .is_some_and(|g| g.saved.camera.is_some())
    });
    assert_eq!(step(&mut booth), Some(FirstRunStep::Station));
    let saved = saved_settings(&booth);
    assert_eq!(saved.camera.as_deref(), Some(small.as_str()));
    assert_eq!(saved.camera_format.as_deref(), Some("YUYV"));
    assert_eq!(booth.store().user_count().unwrap(), 1);

    // The station: a bad size range is refused with its reason, and the step stays.
    booth.harness.run_steps(2);
    booth.type_into(A11yRole::TextInput, "站点名称", "东门-1");
    booth.harness.get_by_label("白色").click();
    booth.type_into(A11yRole::TextInput, "照片大小 (KB)", "四十");
    booth.harness.get_by_label("保存并继续").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.supervisor.settings_error.is_some());
    booth.harness.run_steps(2);
    assert_eq!(step(&mut booth), Some(FirstRunStep::Station));
    assert!(booth.harness.query_all_by_label_contains("四十").count() >= 1);
    let field = booth
        .harness
        .get_by_role_and_label(A11yRole::TextInput, "照片大小 (KB)");
    field.click();
    booth.harness.run_steps(1);
    booth
        .harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    booth.harness.run_steps(1);
    booth
        .harness
        .get_by_role_and_label(A11yRole::TextInput, "照片大小 (KB)")
        .type_text("25-35");
    booth.harness.run_steps(2);
    booth.harness.get_by_label("保存并继续").click();
    booth.harness.run_steps(1);
    booth.settle(|s| {
        s.first_run
            .as_ref()
            .is_some_and(|g| g.step == FirstRunStep::Import)
    });
    let saved = saved_settings(&booth);
    assert_eq!(saved.station_name.as_deref(), Some("东门-1"));
    assert_eq!(saved.backdrop.as_deref(), Some("white"));
    assert_eq!(saved.jpeg_kb.as_deref(), Some("25-35"));
    assert_eq!(saved.camera.as_deref(), Some(small.as_str()), "kept");
    assert_eq!(booth.app().state.station_name, "东门-1");

    // The bookings: a file with one bad row is previewed with that row, then imported.
    booth.harness.run_steps(2);
    booth.harness.get_by_label("选择文件…");
    let mut rows = as_rows(&sample_orders(10, 31, "首启测试大学"));
    rows[4][1].clear();
    let files = tempfile::tempdir().unwrap();
    booth.drop_file(
        &files,
        "预约订单.csv",
        &write_csv(&rows, CsvEncoding::Gb18030).unwrap(),
    );
    booth.import_settled();
    booth.harness.run_steps(2);
    booth
        .harness
        .get_by_label("若导入： 新增 9，更新 0，未变 0，问题行 1");
    booth.harness.get_by_label("行号 5");
    booth.harness.get_by_label("确认导入").click();
    booth.harness.run_steps(1);
    booth.import_settled();
    assert_eq!(booth.store().booking_count().unwrap(), 9);
    assert_eq!(
        step(&mut booth),
        Some(FirstRunStep::Import),
        "the guide waits"
    );
    booth.harness.get_by_label("下一步").click();
    booth.harness.run_steps(2);

    // The campus is optional: this booth works alone.
    assert_eq!(step(&mut booth), Some(FirstRunStep::Campus));
    booth.harness.get_by_label("加入校区");
    assert_eq!(
        booth.app().state.supervisor.campus.station_name,
        "东门-1",
        "the station's name is offered as its campus name"
    );
    booth.harness.get_by_label("跳过").click();
    booth.harness.run_steps(2);

    assert_eq!(step(&mut booth), Some(FirstRunStep::Finished));
    assert_eq!(booth.harness.query_all_by_label("已完成").count(), 4);
    assert_eq!(booth.harness.query_all_by_label("已跳过").count(), 1);
    booth.harness.get_by_label("开始拍摄").click();
    booth.harness.run_steps(2);
    assert!(booth.app().state.first_run.is_none());
    assert_eq!(booth.app().state.screen, Screen::Operator);
    booth.harness.get_by_label("请学生出示采集码");
    booth.harness.get_by_label("现场预约");
}

#[test]
fn skipped_steps_change_nothing_and_an_account_ends_the_guide_for_good() {
    let mut booth = first_start_booth();
    booth.settle(|s| s.first_run.as_ref().is_some_and(|g| g.cameras.is_some()));
    booth.harness.run_steps(2);
    booth.harness.get_by_label("跳过").click();
    booth.harness.run_steps(2);
    booth.type_into(A11yRole::TextInput, "用户名", "王主管");
    booth.type_into(A11yRole::PasswordInput, "PIN", "135790");
    booth.type_into(A11yRole::PasswordInput, "再次输入 PIN", "135790");
    booth.harness.get_by_label("创建主管并登录").click();
    booth.harness.run_steps(1);
    booth.settle(|s| s.session.is_some());
    booth.harness.run_steps(2);
    // Signed out at the station step (by hand here; idle time does the same), the window asks
    // for the supervisor, and the guide goes on where it was.
    booth.harness.get_by_label("退出").click();
    booth.harness.run_steps(1);
    // The sign-in waits for the store to count the accounts again after the sign-out.
    booth.settle(|s| s.session.is_none() && s.accounts.is_some());
    booth.harness.get_by_label("请登录");
    assert!(booth.harness.query_by_label("首次设置").is_none());
    booth.sign_in("王主管", "135790");
    booth.harness.run_steps(2);
    assert_eq!(step(&mut booth), Some(FirstRunStep::Station));
    booth.harness.get_by_label("步骤 3/5 · 本站设置");
    // A station name typed and then skipped is not saved.
    booth.type_into(A11yRole::TextInput, "站点名称", "不要保存");
    for _ in 0..3 {
        booth.harness.get_by_label("跳过").click();
        booth.harness.run_steps(2);
    }
    assert_eq!(step(&mut booth), Some(FirstRunStep::Finished));
    assert_eq!(booth.harness.query_all_by_label("已跳过").count(), 4);
    assert_eq!(booth.harness.query_all_by_label("已完成").count(), 1);
    let saved = saved_settings(&booth);
    assert_eq!(saved.station_name, None);
    assert_eq!(saved.camera, None);
    booth.harness.get_by_label("开始拍摄").click();
    booth.harness.run_steps(2);
    assert!(booth.app().state.first_run.is_none());

    // Next start on the same folder: an account exists, so the sign-in shows, not the guide.
    let dir = booth.dir;
    let config = StationConfig::load(dir.path()).unwrap();
    let setup = capture_station::app::AppSetup {
        config,
        demo: false,
        camera: capture_station::app::CameraChoice::Hub(capture_station::camera::FrameHub::new()),
        started: std::time::Instant::now(),
        startup_probe: false,
        screenshot_dir: None,
        startup_backup: false,
        campus: None,
        first_run_guide: true,
    };
    let harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1366.0, 768.0))
        .build_eframe(move |cc| capture_station::app::StationApp::new(cc, setup).unwrap());
    let mut again = Booth { harness, dir };
    again.settle(|s| s.accounts == Some(1));
    again.harness.run_steps(2);
    assert!(again.app().state.first_run.is_none());
    again.harness.get_by_label("请登录");
    assert!(again.harness.query_by_label("首次设置").is_none());
}

/// 主管 → 设置: a camera saved there runs at once; it used to wait for a restart.
#[test]
fn a_camera_saved_in_the_settings_runs_without_a_restart() {
    use capture_station::app::CameraChoice;
    use capture_station::app::command::Command;
    use capture_station::camera::SourceSpec;

    let frames = tempfile::tempdir().unwrap();
    let first = replay_folder(frames.path(), "first", (640, 360), [30, 160, 30]);
    let second = replay_folder(frames.path(), "second", (320, 240), [160, 30, 160]);
    let spec: SourceSpec = first.parse().unwrap();
    let mut booth =
        crate::util::booth::booth_with_camera(1.0 / 60.0, true, CameraChoice::Source(spec));
    booth.sign_in(
        capture_station::app::demo::DEMO_STAFF,
        capture_station::app::demo::DEMO_STAFF_PIN,
    );
    booth.supervisor_over_the_booth();
    wait_for_frames_of(&mut booth, (640, 360));

    let mut settings = booth.app().state.supervisor.settings.clone();
    settings.camera = Some(second.clone());
    booth
        .app()
        .command(Command::SaveSettings(Box::new(settings)));
    booth.settle(|s| {
        matches!(&s.camera_name, capture_station::app::state::CameraName::Replay(path) if path.ends_with("second"))
    });
    wait_for_frames_of(&mut booth, (320, 240));
    assert_eq!(
        saved_settings(&booth).camera.as_deref(),
        Some(second.as_str())
    );
    booth.harness.get_by_label("设置已保存");
}
