//! The walk_in_desk feature of the window: booking a walk-in at the desk. `messages.rs` holds its
//! commands, store jobs and answers; `apply.rs` applies its commands and answers; `work.rs` answers
//! its store jobs on the store threads.

mod apply;
pub mod messages;
pub(super) mod work;

pub use messages::{WalkInCommand, WalkInStoreEvent, WalkInStoreJob};
