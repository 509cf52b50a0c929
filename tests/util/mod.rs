//! Helpers shared by the integration tests: a temporary station, and running the real binary.

pub mod booth;
pub mod booth_frame;
pub mod campus_server;
pub mod use_graph;

use std::path::{Path, PathBuf};
use std::process::Output;

use capture_station::domain::CaptureCodeRules;
use capture_station::store::{Session, Store};
use capture_station::transfer::ImportOptions;
use chrono::NaiveDate;

pub fn options(school: Option<&str>) -> ImportOptions {
    ImportOptions {
        school: school.map(str::to_string),
        capture_code_rules: CaptureCodeRules::default(),
        today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    }
}

/// The supervisor account every test station gets.
pub const BOSS: &str = "测试主管";
pub const BOSS_PIN: &str = "246810";

/// The test supervisor's session on `store`, creating the account on a fresh store.
pub fn boss(store: &mut Store) -> Session {
    if store.user_count().unwrap() == 0 {
        return store.create_first_supervisor(BOSS, BOSS_PIN).unwrap();
    }
    store.login(BOSS, BOSS_PIN).unwrap()
}

/// Creates the test supervisor in the station at `data_dir` if it has no accounts yet.
pub fn ensure_boss(data_dir: &Path) {
    std::fs::create_dir_all(data_dir).unwrap();
    let mut store = Store::open(&data_dir.join("station.sqlite3")).unwrap();
    if store.user_count().unwrap() == 0 {
        store.create_first_supervisor(BOSS, BOSS_PIN).unwrap();
    }
}

/// Runs the binary against a data folder as the test supervisor and returns its output.
pub fn run(data_dir: &Path, args: &[&str]) -> Output {
    ensure_boss(data_dir);
    run_as(data_dir, Some((BOSS, BOSS_PIN)), args)
}

/// Runs the binary as `user` (name, PIN), or with no `--user` at all.
pub fn run_as(data_dir: &Path, user: Option<(&str, &str)>, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_capture-station"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("RUST_LOG")
        .env_remove("CAPTURE_STATION_PIN")
        .stdin(std::process::Stdio::null());
    if let Some((name, pin)) = user {
        command
            .arg("--user")
            .arg(name)
            .env("CAPTURE_STATION_PIN", pin);
    }
    command.args(args).output().expect("the binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A rejected row's problems as the window words them in Chinese.
pub fn zh_reason(rejection: &capture_station::store::ImportRejection) -> String {
    capture_station::i18n::errors::row_problems(
        &rejection.problems,
        capture_station::config::Language::Chinese,
    )
}

/// Saves `jpeg` as the booking's accepted photo (the store does not decode it).
pub fn save_photo(
    store: &mut Store,
    data_dir: &Path,
    booking_id: &str,
    session: &Session,
    jpeg: &[u8],
) -> capture_station::store::captures::CaptureRecord {
    store
        .save_capture(
            &data_dir.join("photos"),
            capture_station::store::captures::NewCapture {
                booking_id,
                jpeg,
                original_jpeg: None,
                spec_report: serde_json::json!({}),
                spec_ok: true,
                overridden: false,
                session,
            },
        )
        .unwrap()
}
