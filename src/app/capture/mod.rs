//! The capture feature of the window: finding the student, shooting and saving the photo.
//! `messages.rs` holds its commands, store jobs and answers; `apply.rs` applies its commands and
//! answers; `work.rs` answers its store jobs on the store threads.

mod apply;
pub mod messages;
pub(super) mod work;

pub use messages::{CaptureCommand, CaptureStoreEvent, CaptureStoreJob};
