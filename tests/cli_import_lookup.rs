//! The real binary: `import --json`, `lookup --json`, exit codes and `--version`.

use capture_station::transfer::sample::{self, CsvEncoding};
use serde_json::Value;

use crate::util::{run, stdout, write};

#[test]
fn import_then_lookup_through_the_binary() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let orders = sample::sample_orders(20, 5, "示例大学");
    // A wrong extension on purpose: the format is sniffed from the content.
    let file = write(
        files.path(),
        "orders.csv",
        &sample::write_xlsx(&orders).unwrap(),
    );

    let output = run(data.path(), &["import", file.to_str().unwrap(), "--json"]);
    assert!(output.status.success(), "{output:?}");
    let report: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(report["inserted"], 20);
    assert_eq!(report["rejected"], Value::Array(vec![]));

    let output = run(data.path(), &["import", file.to_str().unwrap(), "--json"]);
    let report: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(
        (report["inserted"].clone(), report["unchanged"].clone()),
        (0.into(), 20.into())
    );

    let order = &orders[7];
    for query in [
        order.capture_code(),
        order.order_no(),
        order.id_number(),
        order.student_no(),
    ] {
        let output = run(data.path(), &["lookup", query, "--json"]);
        assert!(output.status.success());
        let hits: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
        assert_eq!(hits[0]["order_no"], order.order_no(), "query {query}");
        assert_eq!(hits[0]["student"]["name"], order.name());
        assert_eq!(hits[0]["status"], "booked");
        assert_eq!(hits[0]["capture_code"], order.capture_code());
    }
    assert!(data.path().join("station.sqlite3").exists());
    assert!(data.path().join("logs/capture-station.log").exists());
}

/// The file from the defect report, as Excel's "Save as CSV" writes it (CRLF) and as a Unix tool
/// does (LF): the bad ID number is on spreadsheet row 4 both ways.
#[test]
fn a_rejected_row_is_named_by_its_spreadsheet_row_whatever_the_line_endings() {
    let rows = [
        "订单号,姓名,身份证号,学校",
        "A1,张三,11010519491231002X,X大学",
        "A2,李四,11010519491231002X,X大学",
        "A3,王五,110105194912310021,X大学",
    ];
    for ending in ["\r\n", "\n", "\r"] {
        let data = tempfile::tempdir().unwrap();
        let files = tempfile::tempdir().unwrap();
        let text: String = rows.iter().map(|row| format!("{row}{ending}")).collect();
        let file = write(files.path(), "crlf.csv", text.as_bytes());
        let output = run(data.path(), &["import", file.to_str().unwrap(), "--json"]);
        assert!(output.status.success(), "{output:?}");
        let report: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
        let bad_id = report["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["reason"].as_str().unwrap().contains("ID number"))
            .unwrap_or_else(|| panic!("no ID rejection with {ending:?}: {report}"));
        assert_eq!(bad_id["row"], 4, "line ending {ending:?}: {report}");
    }
}

#[test]
fn refused_files_exit_non_zero_with_a_clear_message() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let no_name = sample::write_csv(
        &[
            vec!["订单号".into(), "学校".into()],
            vec!["A1".into(), "示例大学".into()],
        ],
        CsvEncoding::Utf8,
    )
    .unwrap();
    let file = write(files.path(), "no-name.csv", &no_name);
    let output = run(data.path(), &["import", file.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("姓名"));

    let empty = write(files.path(), "empty.xlsx", b"");
    let output = run(data.path(), &["import", empty.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("empty"));

    let output = run(data.path(), &["import", "/no/such/file.xlsx"]);
    assert!(!output.status.success());
}

#[test]
fn version_names_the_commit() {
    let data = tempfile::tempdir().unwrap();
    let output = run(data.path(), &["--version"]);
    let text = stdout(&output);
    assert!(text.starts_with("capture-station 0."), "{text}");
    assert!(text.contains('('), "{text}");
}

#[test]
fn data_folder_comes_from_the_flag_then_the_environment() {
    let from_env = tempfile::tempdir().unwrap();
    let from_flag = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_capture-station");
    let output = std::process::Command::new(binary)
        .args(["lookup", "nobody"])
        .env("CAPTURE_STATION_DATA", from_env.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(from_env.path().join("station.sqlite3").exists());

    let output = std::process::Command::new(binary)
        .arg("--data-dir")
        .arg(from_flag.path())
        .args(["lookup", "nobody"])
        .env("CAPTURE_STATION_DATA", from_env.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(from_flag.path().join("station.sqlite3").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(from_flag.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "the data folder is private");
    }
}

#[test]
fn audit_verify_catches_a_row_edited_in_sqlite() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let orders = sample::sample_orders(3, 9, "示例大学");
    let file = write(
        files.path(),
        "orders.xlsx",
        &sample::write_xlsx(&orders).unwrap(),
    );
    for _ in 0..2 {
        assert!(
            run(data.path(), &["import", file.to_str().unwrap()])
                .status
                .success()
        );
    }
    let output = run(data.path(), &["audit", "verify", "--json"]);
    assert!(output.status.success(), "{output:?}");
    let report: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(report["ok"], true);

    let conn = rusqlite::Connection::open(data.path().join("station.sqlite3")).unwrap();
    conn.execute_batch(
        "DROP TRIGGER events_no_update;
         UPDATE events SET actor = 'someone else' WHERE seq = 1;",
    )
    .unwrap();
    drop(conn);
    let output = run(data.path(), &["audit", "verify", "--json"]);
    assert!(!output.status.success());
    let report: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["broken"]["seq"], 1);
}

#[test]
fn backup_then_restore_through_the_binary() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let first = sample::sample_orders(2, 10, "示例大学");
    let file = write(files.path(), "a.xlsx", &sample::write_xlsx(&first).unwrap());
    assert!(
        run(data.path(), &["import", file.to_str().unwrap()])
            .status
            .success()
    );
    let output = run(data.path(), &["backup", "--keep", "2"]);
    assert!(output.status.success(), "{output:?}");
    let backup = only_backup(data.path());
    let more = sample::sample_orders(3, 11, "示例大学");
    let file = write(files.path(), "b.xlsx", &sample::write_xlsx(&more).unwrap());
    assert!(
        run(data.path(), &["import", file.to_str().unwrap()])
            .status
            .success()
    );
    let output = run(data.path(), &["restore", backup.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    let output = run(data.path(), &["lookup", more[0].order_no(), "--json"]);
    assert_eq!(
        stdout(&output).trim(),
        "[]",
        "the later import is gone after the restore"
    );
    let output = run(data.path(), &["lookup", first[0].order_no(), "--json"]);
    assert_ne!(stdout(&output).trim(), "[]");
}

/// The one backup in the data folder's `backups/`.
fn only_backup(data: &std::path::Path) -> std::path::PathBuf {
    std::fs::read_dir(data.join("backups"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
}

/// With accounts, a restore needs a supervisor; it holds the folder's lock, leaves no copy
/// half-made, and the restored audit log says who restored what. A joined booth refuses it.
#[test]
fn a_restore_needs_a_supervisor_and_is_recorded_and_a_joined_booth_refuses_it() {
    use crate::util::{BOSS, BOSS_PIN, ensure_boss, run_as};
    let data = tempfile::tempdir().unwrap();
    ensure_boss(data.path());
    let boss = Some((BOSS, BOSS_PIN));
    let output = run_as(data.path(), boss, &["backup"]);
    assert!(output.status.success(), "{output:?}");
    let backup = only_backup(data.path());
    let backup = backup.to_str().unwrap();

    let anonymous = run_as(data.path(), None, &["restore", backup]);
    assert!(!anonymous.status.success());
    assert!(
        String::from_utf8_lossy(&anonymous.stderr).contains("--user"),
        "{anonymous:?}"
    );
    let wrong_pin = run_as(data.path(), Some((BOSS, "000000")), &["restore", backup]);
    assert!(!wrong_pin.status.success(), "{wrong_pin:?}");

    let restored = run_as(data.path(), boss, &["restore", backup]);
    assert!(restored.status.success(), "{restored:?}");
    let leftovers: Vec<_> = std::fs::read_dir(data.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".restoring-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let conn = rusqlite::Connection::open(data.path().join("station.sqlite3")).unwrap();
    let (actor, detail): (String, String) = conn
        .query_row(
            "SELECT actor, detail FROM events WHERE kind = 'database_restored'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(actor.contains(BOSS), "{actor}");
    assert!(detail.contains("replaced_kept_as"), "{detail}");
    drop(conn);
    let verified = run(data.path(), &["audit", "verify", "--json"]);
    assert!(verified.status.success(), "{verified:?}");

    // At a booth joined to a campus: refused, with the reason and the way to move a laptop.
    std::fs::write(
        data.path().join("campus.toml"),
        "station = \"东门-1\"\nhost = \"127.0.0.1\"\nport = 5432\ndatabase = \"campus\"\n\
         user = \"station_x\"\npassword = \"pw\"\n",
    )
    .unwrap();
    let joined = run_as(data.path(), boss, &["restore", backup]);
    assert!(!joined.status.success(), "{joined:?}");
    let said = String::from_utf8_lossy(&joined.stderr);
    assert!(
        said.contains("已加入校区") && said.contains("吊销"),
        "{said}"
    );
}

/// A command that changes the data folder refuses to run beside the process that holds it (the
/// window), and says which process that is; a command that only reads runs.
#[test]
fn a_second_writer_on_the_data_folder_is_refused_and_told_who_holds_it() {
    use crate::util::{BOSS, BOSS_PIN, ensure_boss, run_as};
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    ensure_boss(data.path());
    let orders = sample::sample_orders(2, 12, "示例大学");
    let file = write(
        files.path(),
        "a.xlsx",
        &sample::write_xlsx(&orders).unwrap(),
    );
    let boss = Some((BOSS, BOSS_PIN));
    assert!(
        run_as(data.path(), boss, &["import", file.to_str().unwrap()])
            .status
            .success()
    );
    // This test process stands in for the window.
    let window = capture_station::platform::FolderLock::take(data.path(), "窗口 / window").unwrap();
    let refused = run_as(data.path(), boss, &["import", file.to_str().unwrap()]);
    assert!(!refused.status.success(), "{refused:?}");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("正被另一个程序使用") && said.contains(&std::process::id().to_string()),
        "{said}"
    );
    let lookup = run(data.path(), &["lookup", orders[0].order_no(), "--json"]);
    assert!(lookup.status.success(), "{lookup:?}");
    assert_ne!(stdout(&lookup).trim(), "[]");
    drop(window);
    assert!(
        run_as(data.path(), boss, &["import", file.to_str().unwrap()])
            .status
            .success()
    );
}

/// `capture-station … | head -1` closes the pipe before the command has written everything: the
/// command ends quietly (it used to panic with "failed printing to stdout: Broken pipe").
#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    crate::util::ensure_boss(dir.path());
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_capture-station"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["user", "list"])
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!said.contains("panicked"), "{said}");
    assert!(output.status.success(), "{:?}: {said}", output.status);
}

/// `soak-capture --booking` for a student already photographed says so and fails; it used to
/// exit 0 with no output.
#[test]
fn a_one_shot_for_a_photographed_student_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "订单号,姓名,学校\r\nSHOT-1,张三,示例大学\r\n";
    let file = write(dir.path(), "orders.csv", csv.as_bytes());
    assert!(
        run(dir.path(), &["import", file.to_str().unwrap()])
            .status
            .success()
    );
    let mut store =
        capture_station::store::Store::open(&dir.path().join("station.sqlite3")).unwrap();
    let boss = crate::util::boss(&mut store);
    let booking = store.booking_by_order_no("SHOT-1").unwrap();
    crate::util::save_photo(
        &mut store,
        dir.path(),
        &booking.booking_id,
        &boss,
        b"\xFF\xD8 a photo",
    );
    let again = run(
        dir.path(),
        &[
            "soak-capture",
            "--school",
            "示例大学",
            "--booking",
            "SHOT-1",
            "--count",
            "1",
        ],
    );
    assert!(!again.status.success(), "{}", stdout(&again));
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains("不在待拍状态"), "{said}");
}

/// Warnings on standard error carry no colour codes when it is not a terminal (a file, a pipe):
/// they used to reach redirected logs as `\x1b[33m WARN\x1b[0m`.
#[test]
fn messages_on_a_redirected_stderr_have_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    crate::util::ensure_boss(dir.path());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_capture-station"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--verbose", "user", "list"])
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("INFO"),
        "nothing was logged to stderr: {said}"
    );
    assert!(!said.contains('\u{1b}'), "{said:?}");
}
