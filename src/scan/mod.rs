//! Capture-code scanning: frames → grey pixels → QR payloads → debounced, validated scan events.
//! The `scan` command and the live scanner worker share exactly the same decoding path.

pub mod debounce;
pub mod decode;
pub mod image_input;
pub mod locate;
pub mod pacing;
pub mod resample;
pub mod worker;

pub use decode::{FrameCodes, decode_frame};
pub use image_input::{ImageInputError, decode_gray};
pub use worker::{ScanEvent, ScannerHandle, spawn_scanner};
