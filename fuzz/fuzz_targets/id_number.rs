//! Fuzzes the 18-digit ID-number validator, its normaliser and its mask.
#![no_main]

use capture_station::domain::id_number::{IdNumber, complete_with_check, mask, normalize};
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).expect("fixed date");
    if let Ok(id) = IdNumber::parse(input, today) {
        assert_eq!(id.as_str().len(), 18);
        assert!(id.birth_date() <= today);
        let _ = id.sex();
    }
    let _ = normalize(input);
    let _ = mask(input);
    let _ = complete_with_check(input);
});
