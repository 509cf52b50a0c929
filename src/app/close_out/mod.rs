//! The close_out feature of the window: closing a school at this station, and its refunds.
//! `messages.rs` holds its commands, store jobs and answers; `apply.rs` applies its commands and
//! answers; `work.rs` answers its store jobs on the store threads.

mod apply;
pub mod messages;
pub(super) mod work;

pub use messages::{CloseOutCommand, CloseOutStoreEvent, CloseOutStoreJob};
