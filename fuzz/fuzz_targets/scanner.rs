//! Fuzzes the QR scanner on arbitrary small grey images (the first two bytes give the size).
#![no_main]

use capture_station::scan::decode::decode_frame;
use image::GrayImage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // The scanner catches a decoder's panic and goes on (see scan::decode); libFuzzer's hook
        // would abort on it anyway. A panic that escapes the scanner still aborts: it unwinds
        // into libFuzzer's C frame.
        std::panic::set_hook(Box::new(|_| {}));
    },
    |input: &[u8]| {
    let [w, h, pixels @ ..] = input else {
        return;
    };
    let (width, height) = (u32::from(*w % 160) + 1, u32::from(*h % 160) + 1);
    let mut data = vec![255u8; (width * height) as usize];
    for (dst, src) in data.iter_mut().zip(pixels.iter()) {
        *dst = *src;
    }
    let Some(gray) = GrayImage::from_raw(width, height, data) else {
        return;
    };
    let _ = decode_frame(&gray);
    }
);
