//! Fuzzes the capture-code payload rules: any string a phone's QR could carry.
#![no_main]

use capture_station::domain::capture_code::{CaptureCodeRules, mask};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|payload: &str| {
    let rules = CaptureCodeRules::default();
    if let Ok(code) = rules.validate(payload) {
        assert!(!code.as_str().is_empty());
        assert!(!code.as_str().chars().any(char::is_control));
        let _ = mask(code.as_str());
    }
    let _ = mask(payload);
});
