//! Import of generated order exports in every supported form, through the library.

use capture_station::store::Store;
use capture_station::transfer::sample::{self, CsvEncoding};
use capture_station::transfer::{ImportError, import_file};

use crate::util::options;

/// Header plus one good row and a set of bad ones, as text rows.
fn rows_with_problems() -> Vec<Vec<String>> {
    let orders = sample::sample_orders(3, 1, "示例大学");
    let mut rows = sample::as_rows(&orders);
    // Row 5: empty name. Row 6: bad ID. Row 7: bad amount. Row 8: bad slot. Row 9: duplicate of 2.
    let mut empty_name = orders[0].fields.to_vec();
    empty_name[0] = "BAD-1".into();
    empty_name[1] = String::new();
    empty_name[13] = String::new();
    let mut bad_id = orders[0].fields.to_vec();
    bad_id[0] = "BAD-2".into();
    bad_id[3] = "110105194912310021".into();
    bad_id[13] = String::new();
    let mut bad_amount = orders[0].fields.to_vec();
    bad_amount[0] = "BAD-3".into();
    bad_amount[10] = "二十五".into();
    bad_amount[13] = String::new();
    let mut bad_slot = orders[0].fields.to_vec();
    bad_slot[0] = "BAD-4".into();
    bad_slot[12] = "2026-11-31 09:00-10:00".into();
    bad_slot[13] = String::new();
    let duplicate = orders[0].fields.to_vec();
    rows.extend([empty_name, bad_id, bad_amount, bad_slot, duplicate]);
    rows
}

fn check_problem_report(report: &capture_station::transfer::ImportReport) {
    assert_eq!(report.inserted, 3);
    let rows: Vec<usize> = report.rejected.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![5, 6, 7, 8, 9], "{:?}", report.rejected);
    assert!(crate::util::zh_reason(&report.rejected[0]).contains("姓名"));
    assert!(crate::util::zh_reason(&report.rejected[1]).contains("身份证号"));
    assert!(crate::util::zh_reason(&report.rejected[2]).contains("二十五"));
    assert!(crate::util::zh_reason(&report.rejected[3]).contains("预约时段"));
    assert!(crate::util::zh_reason(&report.rejected[4]).contains("第 2 行"));
}

#[test]
fn gb18030_csv_with_bad_rows() {
    let bytes = sample::write_csv(&rows_with_problems(), CsvEncoding::Gb18030).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err(), "really GB18030");
    let mut store = Store::open_in_memory().unwrap();
    let boss = crate::util::boss(&mut store);
    let report = import_file(&mut store, &bytes, "t.csv", &options(None), &boss).unwrap();
    check_problem_report(&report);
    assert_eq!(store.booking_count().unwrap(), 3);
    let hit = &store.lookup("WX0100000000", 5).unwrap()[0];
    assert_eq!(hit.booking.student.school, "示例大学");
}

#[test]
fn utf8_bom_csv_with_bad_rows() {
    let bytes = sample::write_csv(&rows_with_problems(), CsvEncoding::Utf8Bom).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let boss = crate::util::boss(&mut store);
    let report = import_file(&mut store, &bytes, "t.csv", &options(None), &boss).unwrap();
    check_problem_report(&report);
}

#[test]
fn xlsx_with_bad_rows_and_reimport_is_idempotent() {
    let rows = rows_with_problems();
    let orders: Vec<sample::SampleOrder> = rows[1..]
        .iter()
        .map(|r| sample::SampleOrder {
            fields: r.clone().try_into().unwrap(),
        })
        .collect();
    let bytes = sample::write_xlsx(&orders).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let boss = crate::util::boss(&mut store);
    let first = import_file(&mut store, &bytes, "t.xlsx", &options(None), &boss).unwrap();
    check_problem_report(&first);

    let again = import_file(&mut store, &bytes, "t.xlsx", &options(None), &boss).unwrap();
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(store.booking_count().unwrap(), 3);

    // One changed phone number updates that order and nothing else.
    let mut changed = orders.clone();
    changed[1].fields[9] = "13911112222".into();
    let bytes = sample::write_xlsx(&changed).unwrap();
    let third = import_file(&mut store, &bytes, "t.xlsx", &options(None), &boss).unwrap();
    assert_eq!((third.inserted, third.updated, third.unchanged), (0, 1, 2));
    assert_eq!(store.lookup("2222", 5).unwrap().len(), 1);
    assert_eq!(store.booking_count().unwrap(), 3);
}

#[test]
fn missing_header_and_empty_file_import_nothing() {
    let orders = sample::sample_orders(2, 2, "示例大学");
    let mut rows = sample::as_rows(&orders);
    for row in &mut rows {
        row.remove(1); // 姓名
    }
    let bytes = sample::write_csv(&rows, CsvEncoding::Utf8).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let boss = crate::util::boss(&mut store);
    let error = import_file(&mut store, &bytes, "t.csv", &options(None), &boss).unwrap_err();
    assert!(
        matches!(&error, ImportError::MissingHeaders(m) if m == &vec![capture_station::domain::Field::Name]),
        "{error}"
    );
    assert!(import_file(&mut store, b"", "e.csv", &options(None), &boss).is_err());
    let empty_xlsx = sample::write_xlsx(&[]).unwrap();
    let report = import_file(&mut store, &empty_xlsx, "e.xlsx", &options(None), &boss).unwrap();
    assert_eq!(
        report,
        Default::default(),
        "header only: nothing to do, nothing refused"
    );
    assert_eq!(store.booking_count().unwrap(), 0);
}

#[test]
fn captured_orders_are_not_changed_by_reimport() {
    let orders = sample::sample_orders(1, 3, "示例大学");
    let bytes = sample::write_xlsx(&orders).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let boss = crate::util::boss(&mut store);
    import_file(&mut store, &bytes, "t.xlsx", &options(None), &boss).unwrap();
    let booking = store.booking_by_order_no(orders[0].order_no()).unwrap();
    store
        .set_status(
            &booking.booking_id,
            capture_station::domain::BookingStatus::Captured,
            &boss,
        )
        .unwrap();
    let mut renamed = orders.clone();
    renamed[0].fields[1] = "改名".into();
    let bytes = sample::write_xlsx(&renamed).unwrap();
    let report = import_file(&mut store, &bytes, "t.xlsx", &options(None), &boss).unwrap();
    assert_eq!(report.rejected.len(), 1);
    assert!(crate::util::zh_reason(&report.rejected[0]).contains("信息更正"));
    assert_eq!(
        store
            .booking_by_order_no(orders[0].order_no())
            .unwrap()
            .student
            .name,
        orders[0].name()
    );
}

#[test]
fn a_capture_code_cannot_move_to_another_order() {
    let orders = sample::sample_orders(2, 4, "示例大学");
    let mut stolen = orders.clone();
    stolen[1].fields[13] = orders[0].capture_code().to_string();
    let bytes = sample::write_xlsx(&stolen).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let boss = crate::util::boss(&mut store);
    let report = import_file(&mut store, &bytes, "t.xlsx", &options(None), &boss).unwrap();
    assert_eq!(report.inserted, 1);
    assert_eq!(report.rejected[0].row, 3);
    assert!(crate::util::zh_reason(&report.rejected[0]).contains("采集码"));
}

/// A remark typed with Alt+Enter in Excel (a line break inside the cell) is kept, folded to one
/// line, and the row imports; a name with an invisible direction override is refused.
#[test]
fn a_remark_with_line_breaks_imports_and_a_disguised_name_does_not() {
    let csv = "订单号,姓名,学校,备注\r\n\
               NOTE-1,张备注,示例大学,\"第一行\r\n第二行\"\r\n\
               NOTE-2,\"李\u{202E}四\",示例大学,\r\n";
    let mut store = Store::open_in_memory().unwrap();
    let boss = crate::util::boss(&mut store);
    let report = import_file(&mut store, csv.as_bytes(), "t.csv", &options(None), &boss).unwrap();
    assert_eq!(report.inserted, 1, "{report:?}");
    assert_eq!(report.rejected.len(), 1, "{report:?}");
    assert!(
        crate::util::zh_reason(&report.rejected[0]).contains("姓名"),
        "{}",
        crate::util::zh_reason(&report.rejected[0])
    );
    let hit = &store.lookup("NOTE-1", 5).unwrap()[0];
    assert_eq!(hit.booking.note.as_deref(), Some("第一行 第二行"));
}

/// A school named `..` would export into the folder above the chosen one, and a name too long
/// for a file name would stop the export halfway: both rows are refused at import, with why.
#[test]
fn a_school_that_is_not_a_folder_name_and_an_overlong_name_are_refused() {
    let long_name = "𠀀".repeat(61);
    let csv = format!(
        "订单号,姓名,学校\r\nDOT-1,张三,..\r\nLONG-1,{long_name},示例大学\r\nOK-1,李四,示例大学\r\n"
    );
    let mut store = Store::open_in_memory().unwrap();
    let boss = crate::util::boss(&mut store);
    let report = import_file(&mut store, csv.as_bytes(), "t.csv", &options(None), &boss).unwrap();
    assert_eq!(report.inserted, 1, "{report:?}");
    let reasons: Vec<String> = report.rejected.iter().map(crate::util::zh_reason).collect();
    assert!(reasons[0].contains("不能是“.”或“..”"), "{reasons:?}");
    assert!(reasons[1].contains("超过 60 个字"), "{reasons:?}");
}
