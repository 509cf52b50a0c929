//! Fuzzes the portrait loader: untrusted image bytes (any format, any declared size) are
//! decoded with the app's limits, and what decodes goes through face detection and the checks.
#![no_main]

use std::cell::RefCell;

use capture_station::portrait::pipeline::{PortraitPipeline, PortraitSettings};
use capture_station::scan::image_input::decode_rgb;
use libfuzzer_sys::fuzz_target;

thread_local! {
    static PIPELINE: RefCell<Option<PortraitPipeline>> = const { RefCell::new(None) };
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(rgb) = decode_rgb(bytes) else {
        return;
    };
    // Detection on a huge (valid) image is slow but not a bug; keep the fuzzer's time on parsing.
    if u64::from(rgb.width()) * u64::from(rgb.height()) > 640 * 640 {
        return;
    }
    PIPELINE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = PortraitPipeline::new(PortraitSettings::default()).ok();
        }
        if let Some(pipeline) = slot.as_mut() {
            let _ = pipeline.process(&rgb);
        }
    });
});
