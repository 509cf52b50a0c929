//! Large and hostile spreadsheets: read row by row on every import path (a station's import, a
//! campus import, the preview the window shows), with the columns no header names skipped as
//! they are read, and refused past the stated limits (200,000 rows, 100 MB) with the figure
//! before memory grows. Each run's peak memory (the process's own high-water mark, which it
//! says as it ends) is asserted under a stated bound.

use std::path::Path;
use std::process::{Command, Stdio};

use capture_station::transfer::sample::{self, HEADERS};

use crate::util::campus_server::TestCampus;
use crate::util::{BOSS, BOSS_PIN, ensure_boss};

/// The most a run may take, in MiB: the program itself (fonts, models, SQLite) is about 40.
const PEAK_BOUND_MIB: u64 = 200;
/// Column AMJ, the last a sheet's row may hold for this reader before it is cut to the header.
const FAR_COLUMN: u16 = 1023;

struct Run {
    success: bool,
    stdout: String,
    stderr: String,
    peak_mib: u64,
}

/// Runs the binary as the test supervisor; it says its own peak resident memory as it ends.
fn measured(data_dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_capture-station"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--user", BOSS])
        .args(args)
        .env("CAPTURE_STATION_PIN", BOSS_PIN)
        .env("CAPTURE_STATION_PEAK_MEMORY", "1")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let peak_kib: u64 = stderr
        .lines()
        .find_map(|line| line.strip_prefix("peak memory: "))
        .and_then(|rest| rest.trim_end_matches(" KiB").parse().ok())
        .unwrap_or_else(|| panic!("no peak memory said: {stderr}"));
    Run {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
        peak_mib: peak_kib / 1024,
    }
}

/// A valid order export of `rows` students, each row also holding a cell in column AMJ.
fn wide_export(rows: usize) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in HEADERS.iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for (index, order) in sample::sample_orders(rows, 31, "宽表大学")
        .iter()
        .enumerate()
    {
        let row = index as u32 + 1;
        for (col, value) in order.fields.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(row, col as u16, value).unwrap();
            }
        }
        sheet.write_string(row, FAR_COLUMN, "x").unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

/// The header, then `rows` rows holding nothing but a cell in column AMJ.
fn sparse_export(rows: u32) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in HEADERS.iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for row in 1..=rows {
        sheet.write_number(row, FAR_COLUMN, 1.0).unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

fn assert_bounded(what: &str, run: &Run) {
    println!("{what}: peak {} MiB", run.peak_mib);
    assert!(
        run.peak_mib < PEAK_BOUND_MIB,
        "{what} took {} MiB (bound {PEAK_BOUND_MIB})",
        run.peak_mib
    );
}

#[test]
fn a_wide_sheet_imports_row_by_row_here_and_on_the_campus_within_the_memory_bound() {
    let files = tempfile::tempdir().unwrap();
    let wide = files.path().join("宽表.xlsx");
    std::fs::write(&wide, wide_export(20_000)).unwrap();
    let wide = wide.to_str().unwrap();

    let local = tempfile::tempdir().unwrap();
    ensure_boss(local.path());
    let preview = measured(local.path(), &["import", "--dry-run", "--json", wide]);
    assert!(preview.success, "{}", preview.stderr);
    assert!(
        preview.stdout.contains("\"inserted\":20000"),
        "{}",
        preview.stdout
    );
    assert_bounded("local preview", &preview);
    let imported = measured(local.path(), &["import", "--json", wide]);
    assert!(imported.success, "{}", imported.stderr);
    assert!(
        imported.stdout.contains("\"inserted\":20000"),
        "{}",
        imported.stdout
    );
    assert_bounded("local import", &imported);

    let campus = TestCampus::start();
    let station = campus.station("宽表");
    let booth = station.photos.parent().unwrap().to_path_buf();
    drop(station);
    let preview = measured(&booth, &["import", "--dry-run", "--json", wide]);
    assert!(preview.success, "{}", preview.stderr);
    assert!(
        preview.stdout.contains("\"inserted\":20000"),
        "{}",
        preview.stdout
    );
    assert_bounded("campus preview", &preview);
    let imported = measured(&booth, &["import", "--json", wide]);
    assert!(imported.success, "{}", imported.stderr);
    assert!(
        imported.stdout.contains("\"inserted\":20000"),
        "{}",
        imported.stdout
    );
    assert_bounded("campus import", &imported);
    assert_eq!(campus.count("SELECT count(*) FROM bookings"), 20_000);
}

#[test]
fn sheets_past_the_limits_are_refused_with_the_figure_before_memory_grows() {
    let files = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    ensure_boss(data.path());

    // 200,000 rows under the header: one row past the limit.
    let sparse = files.path().join("稀疏.xlsx");
    std::fs::write(&sparse, sparse_export(200_000)).unwrap();
    for args in [
        ["import", "--dry-run", sparse.to_str().unwrap()],
        ["import", "--json", sparse.to_str().unwrap()],
    ] {
        let run = measured(data.path(), &args);
        assert!(!run.success, "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains("200000"), "{args:?}: {}", run.stderr);
        assert_bounded(&format!("{args:?} on 200,000 sparse rows"), &run);
    }

    // A CSV of 250,000 lines.
    let csv = files.path().join("长表.csv");
    let mut text = String::from("订单号,姓名,学校\n");
    for index in 0..250_000 {
        text.push_str(&format!("A{index},学生,长表大学\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let run = measured(data.path(), &["import", "--dry-run", csv.to_str().unwrap()]);
    assert!(!run.success);
    assert!(run.stderr.contains("200000"), "{}", run.stderr);
    assert_bounded("250,000-line CSV", &run);

    // A file past 100 MB is refused from its size, never read.
    let huge = files.path().join("巨大.csv");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(101 * 1024 * 1024)
        .unwrap();
    let run = measured(data.path(), &["import", huge.to_str().unwrap()]);
    assert!(!run.success);
    assert!(
        run.stderr.contains("101.0 MB") && run.stderr.contains("100 MB"),
        "{}",
        run.stderr
    );
    assert_bounded("a 101 MB file", &run);
}
