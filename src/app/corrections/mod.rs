//! The corrections feature of the window: correcting a student's record, disputes, retakes and
//! window overrides. `messages.rs` holds its commands, store jobs and answers; `apply.rs` applies
//! its commands and answers; `work.rs` answers its store jobs on the store threads.

mod apply;
pub mod messages;
pub(super) mod work;

pub use messages::{CorrectionsCommand, CorrectionsStoreEvent, CorrectionsStoreJob};
