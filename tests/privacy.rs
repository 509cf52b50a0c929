//! Roles and PII through the real binary: the command line refuses changes without a login or
//! with the wrong role (and logs the refusal), the log file never holds a full ID number, phone
//! number or capture code, and what leaves the store (exports, backups) is owner-only.

use capture_station::camera::synthetic_source::demo_camera_codes;
use capture_station::store::captures::NewCapture;
use capture_station::store::{Role, Store};
use capture_station::transfer::sample;

use crate::util::{BOSS, BOSS_PIN, boss, run, run_as, stdout, write};

const OPERATOR: &str = "小王";
const OPERATOR_PIN: &str = "975310";

/// A station with imported orders, an operator account, and three photographed students.
fn station() -> (tempfile::TempDir, Vec<sample::SampleOrder>) {
    let dir = tempfile::tempdir().unwrap();
    let orders = sample::sample_orders(12, 4, "示例大学");
    let file = write(
        dir.path(),
        "orders.xlsx",
        &sample::write_xlsx(&orders).unwrap(),
    );
    let imported = run(dir.path(), &["import", file.to_str().unwrap()]);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let mut store = Store::open(&dir.path().join("station.sqlite3")).unwrap();
    let supervisor = boss(&mut store);
    store
        .add_user(&supervisor, OPERATOR, Role::Operator, OPERATOR_PIN)
        .unwrap();
    let operator = store.login(OPERATOR, OPERATOR_PIN).unwrap();
    for order in orders.iter().take(3) {
        let booking = store.booking_by_order_no(order.order_no()).unwrap();
        store
            .save_capture(
                &dir.path().join("photos"),
                NewCapture {
                    booking_id: &booking.booking_id,
                    jpeg: b"\xFF\xD8 a photo \xFF\xD9",
                    original_jpeg: None,
                    spec_report: serde_json::json!({}),
                    spec_ok: true,
                    overridden: false,
                    session: &operator,
                },
            )
            .unwrap();
    }
    (dir, orders)
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_command_line_checks_the_signer_and_logs_refusals() {
    let (dir, _) = station();
    let close = ["close-session", "--school", "示例大学", "--force"];

    let anonymous = run_as(dir.path(), None, &close);
    assert!(!anonymous.status.success());
    assert!(
        stderr(&anonymous).contains("--user"),
        "{}",
        stderr(&anonymous)
    );

    let wrong_pin = run_as(dir.path(), Some((BOSS, "000000")), &close);
    assert!(!wrong_pin.status.success());
    assert!(stderr(&wrong_pin).contains("PIN"), "{}", stderr(&wrong_pin));

    let operator = Some((OPERATOR, OPERATOR_PIN));
    for args in [
        &close[..],
        &["refund", "mark", "WX0400000001", "--ref", "R1"],
        &["export", "--school", "示例大学", "--out", "/tmp/never"],
        &["user", "add", "--name", "冒名", "--role", "supervisor"],
    ] {
        let refused = run_as(dir.path(), operator, args);
        assert!(!refused.status.success(), "{args:?} went through");
        assert!(
            stderr(&refused).contains("权限不足"),
            "{}",
            stderr(&refused)
        );
    }
    assert!(!std::path::Path::new("/tmp/never/示例大学").exists());

    let store = Store::open(&dir.path().join("station.sqlite3")).unwrap();
    let events = store.recent_events(50).unwrap();
    let refusals = events.iter().filter(|e| e.kind == "refused").count();
    assert_eq!(refusals, 4);
    assert!(events.iter().any(|e| e.kind == "login_failed"));
    assert!(store.verify_event_chain().unwrap().is_none());
    assert_eq!(
        store
            .counts_by_status()
            .unwrap()
            .iter()
            .find(|(s, _)| s.as_str() == "refund_pending"),
        None,
        "nothing was closed"
    );

    // The supervisor adds a staff account from the command line.
    let added = std::process::Command::new(env!("CARGO_BIN_EXE_capture-station"))
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "--user", BOSS, "user", "add", "--name", "前台", "--role", "staff",
        ])
        .env("CAPTURE_STATION_PIN", BOSS_PIN)
        .env("CAPTURE_STATION_NEW_PIN", "192837")
        .output()
        .unwrap();
    assert!(added.status.success(), "{}", stderr(&added));
    let listed = run(dir.path(), &["user", "list", "--json"]);
    assert!(stdout(&listed).contains("\"staff\""), "{}", stdout(&listed));
    assert!(!stdout(&listed).contains("192837"));
}

#[test]
fn logs_never_hold_id_numbers_phones_or_capture_codes() {
    let (dir, orders) = station();
    // As an older version left them: readable by everyone. The next run restricts them.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let logs = dir.path().join("logs");
        std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(
            logs.join("capture-station.log"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
    }
    for order in &orders[..4] {
        let tail = &order.phone()[order.phone().len() - 4..];
        for query in [order.id_number(), order.capture_code(), order.phone(), tail] {
            assert!(
                run(dir.path(), &["lookup", query, "--json"])
                    .status
                    .success()
            );
        }
    }
    // A refused import row, a scan session with the demo codes, an export and a refund list:
    // the paths where a careless log line would print what it handles.
    let mut rows = sample::as_rows(&orders);
    rows[1][3] = "110105194912310021".to_string();
    let bad = write(
        dir.path(),
        "bad.csv",
        &sample::write_csv(&rows, sample::CsvEncoding::Utf8).unwrap(),
    );
    run(dir.path(), &["import", bad.to_str().unwrap()]);
    let probe = run(
        dir.path(),
        &[
            "camera",
            "--probe",
            "--source",
            "synthetic",
            "--seconds",
            "2",
        ],
    );
    assert!(probe.status.success(), "{}", stderr(&probe));
    let out = dir.path().join("upload");
    let exported = run(
        dir.path(),
        &[
            "export",
            "--school",
            "示例大学",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(exported.status.success(), "{}", stderr(&exported));
    let list = dir.path().join("refunds.xlsx");
    let listed = run(
        dir.path(),
        &[
            "refund",
            "list",
            "--school",
            "示例大学",
            "--out",
            list.to_str().unwrap(),
        ],
    );
    assert!(listed.status.success(), "{}", stderr(&listed));

    let log = std::fs::read_to_string(dir.path().join("logs/capture-station.log")).unwrap();
    assert!(
        log.contains("capture code scanned"),
        "the probe scanned nothing"
    );
    let mut secrets: Vec<String> = demo_camera_codes();
    for order in &orders {
        secrets.extend([
            order.id_number().to_string(),
            order.phone().to_string(),
            order.capture_code().to_string(),
        ]);
    }
    secrets.push("110105194912310021".to_string());
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        assert!(!log.contains(secret.as_str()), "the log holds {secret}");
    }

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(dir.path()), 0o700, "data folder");
        assert_eq!(mode(&dir.path().join("station.sqlite3")), 0o600, "database");
        assert_eq!(mode(&dir.path().join("logs")), 0o700, "logs folder");
        assert_eq!(
            mode(&dir.path().join("logs/capture-station.log")),
            0o600,
            "log file"
        );
        let folder = out.join("示例大学");
        assert_eq!(mode(&folder), 0o700, "export folder");
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "jpg") {
                assert_eq!(mode(&path), 0o600, "{}", path.display());
            }
        }
        assert_eq!(mode(&list), 0o600, "refund list");
        let backup = run(dir.path(), &["backup"]);
        assert!(backup.status.success());
        assert_eq!(mode(&dir.path().join("backups")), 0o700, "backups folder");
    }
}
