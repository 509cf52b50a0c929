//! The campus from a joined booth's command line, as the window has it. A supervisor sees and
//! settles the campus's conflicts: `campus status` counts them, `campus conflicts` names the
//! student, the order, both stations and saves both photos, `campus resolve` decides (a
//! supervisor's, checked by the campus). An account added here is listed at once; the report
//! names stations as the campus does.

use serde_json::Value;

use crate::util::campus_server::{TestCampus, ordered};
use crate::util::{BOSS, BOSS_PIN, run_as};

#[test]
fn conflicts_are_counted_listed_with_names_and_photos_and_settled_from_the_command_line() {
    let campus = TestCampus::start();
    let mut a = campus.station("东门");
    let mut b = campus.station("西门");
    campus
        .admin_client()
        .import_bookings(&[ordered("CLI-1", "C1")])
        .unwrap();
    a.sync();
    b.sync();
    let booking = a.store.booking_by_order_no("CLI-1").unwrap().booking_id;
    // Both booths photograph the student while the Wi-Fi is down.
    a.capture(&booking);
    b.capture(&booking);
    a.sync();
    b.sync();

    let booth = a.photos.parent().unwrap().to_path_buf();
    let boss = Some((BOSS, BOSS_PIN));
    let json = |args: &[&str]| -> Value {
        let output = run_as(&booth, None, args);
        assert!(output.status.success(), "{args:?}: {output:?}");
        serde_json::from_slice(&output.stdout).unwrap()
    };
    assert_eq!(json(&["campus", "status", "--json"])["open_conflicts"], 1);

    let photos = tempfile::tempdir().unwrap();
    let listed = json(&[
        "campus",
        "conflicts",
        "--json",
        "--photos",
        photos.path().to_str().unwrap(),
    ]);
    let conflict = &listed[0];
    assert_eq!(conflict["kind"], "double_capture");
    assert_eq!(conflict["name"], "学生C1");
    assert_eq!(conflict["order_no"], "CLI-1");
    assert_eq!(conflict["station"], "西门");
    assert_eq!(conflict["other_station"], "东门");
    for side in ["current_photo", "other_photo"] {
        let path = conflict[side].as_str().unwrap();
        assert!(std::fs::metadata(path).unwrap().len() > 0, "{side}");
    }
    let text = run_as(&booth, None, &["campus", "conflicts"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("学生C1")
            && text.contains("CLI-1")
            && text.contains("同一预约被两个工位拍摄"),
        "{text}"
    );

    let id = conflict["id"].as_i64().unwrap().to_string();
    // Not without a supervisor, and not with a decision the kind does not take.
    let anonymous = run_as(
        &booth,
        None,
        &["campus", "resolve", &id, "--decision", "keep_existing"],
    );
    assert!(!anonymous.status.success());
    let wrong = run_as(
        &booth,
        boss,
        &["campus", "resolve", &id, "--decision", "keep_both"],
    );
    assert!(!wrong.status.success(), "{wrong:?}");
    let settled = run_as(
        &booth,
        boss,
        &["campus", "resolve", &id, "--decision", "keep_existing"],
    );
    assert!(settled.status.success(), "{settled:?}");
    assert_eq!(json(&["campus", "status", "--json"])["open_conflicts"], 0);
    let decided_by: String = campus
        .admin()
        .query_one("SELECT decided_by FROM conflicts", &[])
        .unwrap()
        .get(0);
    assert!(decided_by.contains(BOSS), "{decided_by}");
}

#[test]
fn an_account_added_at_a_joined_booth_is_listed_at_once() {
    let campus = TestCampus::start();
    let station = campus.station("东门");
    let booth = station.photos.parent().unwrap().to_path_buf();
    drop(station);
    let boss = Some((BOSS, BOSS_PIN));
    let added = std::process::Command::new(env!("CARGO_BIN_EXE_capture-station"))
        .arg("--data-dir")
        .arg(&booth)
        .args([
            "--user",
            BOSS,
            "user",
            "add",
            "--name",
            "操作员甲",
            "--role",
            "operator",
        ])
        .env("CAPTURE_STATION_PIN", BOSS_PIN)
        .env("CAPTURE_STATION_NEW_PIN", "135792")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(added.status.success(), "{added:?}");
    let listed = run_as(&booth, boss, &["user", "list", "--json"]);
    assert!(listed.status.success(), "{listed:?}");
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|account| account["name"].as_str())
        .collect();
    assert!(names.contains(&"操作员甲"), "{listed}");
    assert!(names.contains(&BOSS), "{listed}");
}

#[test]
fn the_report_at_a_joined_booth_names_every_station_as_the_campus_does() {
    let campus = TestCampus::start();
    let mut a = campus.station("东门");
    let mut b = campus.station("西门");
    campus
        .admin_client()
        .import_bookings(&[ordered("REP-1", "P1"), ordered("REP-2", "P2")])
        .unwrap();
    a.sync();
    b.sync();
    let first = a.store.booking_by_order_no("REP-1").unwrap().booking_id;
    let second = b.store.booking_by_order_no("REP-2").unwrap().booking_id;
    a.capture(&first);
    b.capture(&second);
    b.sync();
    a.sync();
    let booth = a.photos.parent().unwrap().to_path_buf();
    let report = run_as(&booth, None, &["report", "--school", "校区大学", "--json"]);
    assert!(report.status.success(), "{report:?}");
    let report: Value = serde_json::from_slice(&report.stdout).unwrap();
    let mut stations: Vec<&str> = report["per_hour"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|hour| hour["station"].as_str())
        .collect();
    stations.sort();
    assert_eq!(stations, ["东门", "西门"], "{report}");
    assert_eq!(report["captured"], 2);
}
