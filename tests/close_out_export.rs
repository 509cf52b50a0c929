//! Issue #6 through the binary: close a school's period, follow the refunds, export the photos for
//! upload, verify the export, and report.

use capture_station::store::Store;
use capture_station::store::captures::NewCapture;
use capture_station::transfer::sample;

use crate::util::{run, stdout, write};

/// A data folder with 20 imported orders of 示例大学 (collection window 11-02..11-04), the first
/// 8 photographed.
fn station() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let orders = sample::sample_orders(20, 9, "示例大学");
    let file = write(
        dir.path(),
        "orders.xlsx",
        &sample::write_xlsx(&orders).unwrap(),
    );
    assert!(
        run(dir.path(), &["import", file.to_str().unwrap()])
            .status
            .success()
    );
    let added = run(
        dir.path(),
        &[
            "school",
            "add",
            "示例大学",
            "--window",
            "2026-11-02..2026-11-04",
        ],
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let mut store = Store::open(&dir.path().join("station.sqlite3")).unwrap();
    let boss = crate::util::boss(&mut store);
    for (index, order) in orders.iter().take(8).enumerate() {
        let booking = store.booking_by_order_no(order.order_no()).unwrap();
        let jpeg = format!("\u{FFFD}JPEG photo {index}").into_bytes();
        store
            .save_capture(
                &dir.path().join("photos"),
                NewCapture {
                    booking_id: &booking.booking_id,
                    jpeg: &jpeg,
                    original_jpeg: None,
                    spec_report: serde_json::json!({}),
                    spec_ok: true,
                    overridden: false,
                    session: &boss,
                },
            )
            .unwrap();
    }
    dir
}

fn json(output: &std::process::Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout(output).trim()).unwrap()
}

#[test]
fn close_out_is_refused_while_open_then_idempotent() {
    let dir = station();
    let early = run(
        dir.path(),
        &[
            "close-session",
            "--school",
            "示例大学",
            "--at",
            "2026-11-03T12:00:00",
        ],
    );
    assert!(!early.status.success());
    assert!(String::from_utf8_lossy(&early.stderr).contains("still open"));

    let args = [
        "close-session",
        "--school",
        "示例大学",
        "--at",
        "2026-11-06T18:00:00",
        "--json",
    ];
    let first = json(&run(dir.path(), &args));
    assert_eq!(first["cancelled"], 12);
    assert_eq!(first["refund_total_fen"], 12 * 2500);
    assert_eq!(first["due_date"], "2026-11-11");
    assert_eq!(first["already_closed"], 0);
    let second = json(&run(dir.path(), &args));
    assert_eq!(
        (
            second["cancelled"].as_u64(),
            second["already_closed"].as_u64()
        ),
        (Some(0), Some(12))
    );

    let list = dir.path().join("refunds.csv");
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
    assert!(listed.status.success());
    let bytes = std::fs::read(&list).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with BOM for Excel"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("订单号,姓名,学号,金额,支付方式,支付时间,退款截止日期,状态"));
    assert_eq!(text.lines().count(), 13);

    let order = text
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    assert!(
        run(
            dir.path(),
            &["refund", "mark", &order, "--ref", "WX-4200001"]
        )
        .status
        .success()
    );
    let summary = json(&run(
        dir.path(),
        &["refund", "summary", "--school", "示例大学", "--json"],
    ));
    assert_eq!(
        (summary["done"].as_u64(), summary["pending"].as_u64()),
        (Some(1), Some(11))
    );

    let report = json(&run(
        dir.path(),
        &["report", "--school", "示例大学", "--json"],
    ));
    assert_eq!(report["captured"], 8);
    assert_eq!(report["refunds_pending"], 11);
    assert_eq!(report["refunds_done"], 1);
}

#[test]
fn export_then_verify_catches_tampering() {
    let dir = station();
    let out = dir.path().join("upload");
    let exported = run(
        dir.path(),
        &[
            "export",
            "--school",
            "示例大学",
            "--out",
            out.to_str().unwrap(),
            "--zip",
            "--json",
        ],
    );
    let report = json(&exported);
    assert_eq!(report["report"]["photos"], 8);
    assert!(out.join("示例大学.zip").exists());
    let verified = run(dir.path(), &["verify-export", out.to_str().unwrap()]);
    assert!(verified.status.success(), "{}", stdout(&verified));

    let folder = out.join("示例大学");
    let photo = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "jpg"))
        .unwrap();
    let mut bytes = std::fs::read(&photo).unwrap();
    bytes[3] ^= 0x20;
    std::fs::write(&photo, bytes).unwrap();
    let caught = run(
        dir.path(),
        &["verify-export", out.to_str().unwrap(), "--json"],
    );
    assert!(!caught.status.success());
    assert!(stdout(&caught).contains("\"changed\":["));

    let by_name = run(
        dir.path(),
        &[
            "export",
            "--school",
            "示例大学",
            "--out",
            out.to_str().unwrap(),
            "--naming",
            "{nope}.jpg",
        ],
    );
    assert!(!by_name.status.success());
}

/// The window's and the CLI's export refuse a target without room before writing anything:
/// with an injected 1 MB of free space, and on a real 4 MiB tmpfs (where the test may mount).
#[test]
fn an_export_that_will_not_fit_is_refused_before_anything_is_written() {
    use capture_station::transfer::export::Naming;
    use capture_station::transfer::school_export::{
        ExportRequest, SchoolExportError, available_space, export_school,
    };
    let dir = station();
    let mut store = Store::open(&dir.path().join("station.sqlite3")).unwrap();
    let boss = crate::util::boss(&mut store);
    let photos = dir.path().join("photos");
    let request = |out: &std::path::Path| ExportRequest {
        school: "示例大学".to_string(),
        out: out.to_path_buf(),
        naming: Naming::parse("{capture_code}.jpg").unwrap(),
        zip: false,
        only_reexports: false,
        station_name: None,
    };
    let out = dir.path().join("stick");
    let refused = export_school(
        &mut store,
        &photos,
        &boss,
        &request(&out),
        |_| Some(1_000_000),
        |_, _| {},
    )
    .unwrap_err();
    assert!(
        matches!(
            refused,
            SchoolExportError::NoSpace {
                available: 1_000_000,
                ..
            }
        ),
        "{refused}"
    );
    assert!(refused.to_string().contains("1 MB free"), "{refused}");
    assert!(!out.exists(), "nothing may be written");

    if let Some(disk) = crate::disk_full::SmallDisk::mount("4m") {
        let refused = export_school(
            &mut store,
            &photos,
            &boss,
            &request(&disk.mount_point),
            available_space,
            |_, _| {},
        )
        .unwrap_err();
        assert!(
            matches!(refused, SchoolExportError::NoSpace { .. }),
            "{refused}"
        );
        assert_eq!(std::fs::read_dir(&disk.mount_point).unwrap().count(), 0);
    }

    // With room, the same export runs and verifies.
    let done = export_school(
        &mut store,
        &photos,
        &boss,
        &request(&out),
        available_space,
        |_, _| {},
    )
    .unwrap();
    assert_eq!(done.report.photos, 8);
    assert!(done.verdict.is_some_and(|v| v.ok()));

    // A correction after capture flags one photo; it alone goes out into its own folder, and
    // the full export's folder still verifies against its manifest.
    let order = sample::sample_orders(20, 9, "示例大学").remove(2);
    let booking = store.booking_by_order_no(order.order_no()).unwrap();
    store
        .correct_student(
            capture_station::store::Correction {
                booking_id: &booking.booking_id,
                field: capture_station::domain::CorrectableField::Name,
                new_value: Some("更正后".to_string()),
                reason: "证件姓名",
                confirmed_after_capture: true,
            },
            &boss,
        )
        .unwrap();
    let only = ExportRequest {
        only_reexports: true,
        station_name: None,
        ..request(&out)
    };
    let again = export_school(
        &mut store,
        &photos,
        &boss,
        &only,
        available_space,
        |_, _| {},
    )
    .unwrap();
    assert_eq!((again.report.photos, again.reexported), (1, 1));
    assert!(again.report.folder.ends_with("示例大学-更正重导"));
    assert!(again.verdict.is_some_and(|v| v.ok()));
    let full = capture_station::transfer::export::verify_export(&out.join("示例大学")).unwrap();
    assert!(full.iter().all(|v| v.ok()), "{full:?}");
    let none_left = export_school(
        &mut store,
        &photos,
        &boss,
        &only,
        available_space,
        |_, _| {},
    );
    assert!(matches!(
        none_left,
        Err(SchoolExportError::NothingToExport(_))
    ));
}

/// A name or a remark typed as `=…`, `+…`, `-…` or `@…` would run as a formula when the office
/// opens the manifest in Excel: in the CSV such text starts with an apostrophe, while the file
/// names `verify-export` reads back stay exact, and the export still verifies.
#[test]
fn a_formula_in_a_name_stays_text_in_the_manifest_and_the_export_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "订单号,姓名,学号,学校,备注\r\nF-1,=HYPERLINK(\"http://x\"),-7,示例大学,@SUM(A1)\r\n";
    let file = write(dir.path(), "orders.csv", csv.as_bytes());
    let imported = run(dir.path(), &["import", file.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", stdout(&imported));
    let added = run(
        dir.path(),
        &[
            "school",
            "add",
            "示例大学",
            "--window",
            "2026-11-02..2026-11-04",
        ],
    );
    assert!(added.status.success());
    let mut store = Store::open(&dir.path().join("station.sqlite3")).unwrap();
    let boss = crate::util::boss(&mut store);
    let booking = store.booking_by_order_no("F-1").unwrap();
    crate::util::save_photo(
        &mut store,
        dir.path(),
        &booking.booking_id,
        &boss,
        b"\xFF\xD8 a photo",
    );
    let out = dir.path().join("upload");
    let exported = run(
        dir.path(),
        &[
            "export",
            "--school",
            "示例大学",
            "--out",
            out.to_str().unwrap(),
            "--naming",
            "{student_no}_{name}.jpg",
        ],
    );
    assert!(exported.status.success(), "{}", stdout(&exported));
    let manifest = std::fs::read(out.join("示例大学").join("manifest.csv")).unwrap();
    let text = String::from_utf8_lossy(manifest.strip_prefix(b"\xEF\xBB\xBF").unwrap());
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[1], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&row[2], "'-7");
    assert_eq!(&row[10], "-7_=HYPERLINK(_http___x_).jpg");
    let verified = run(dir.path(), &["verify-export", out.to_str().unwrap()]);
    assert!(verified.status.success(), "{}", stdout(&verified));
}
