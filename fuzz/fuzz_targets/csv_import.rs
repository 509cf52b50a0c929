//! Fuzzes the booking import from raw bytes: encoding detection, CSV parsing and row validation.
#![no_main]

use capture_station::transfer::import::{ImportOptions, validate_file};
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let options = ImportOptions {
        school: None,
        capture_code_rules: Default::default(),
        today: NaiveDate::from_ymd_opt(2026, 6, 1).expect("fixed date"),
    };
    let _ = validate_file(bytes, &options);
});
