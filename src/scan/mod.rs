//! Capture-code scanning: image bytes → grey pixels → QR payloads. The `scan` command and (later)
//! the live scanner worker share exactly this code path.

pub mod decode;
pub mod image_input;

pub use decode::{FrameCodes, decode_frame};
pub use image_input::{ImageInputError, decode_gray};
