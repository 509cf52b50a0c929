//! Helpers shared by the integration tests: a temporary station, and running the real binary.

use std::path::{Path, PathBuf};
use std::process::Output;

use capture_station::domain::CaptureCodeRules;
use capture_station::transfer::ImportOptions;
use chrono::NaiveDate;

pub fn options(school: Option<&str>) -> ImportOptions {
    ImportOptions {
        school: school.map(str::to_string),
        capture_code_rules: CaptureCodeRules::default(),
        today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    }
}

/// Runs the binary against a data folder and returns its output.
pub fn run(data_dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_capture-station"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("the binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}
