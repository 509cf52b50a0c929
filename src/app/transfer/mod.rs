//! The transfer feature of the window: importing bookings, exporting photos, the school's report.
//! `messages.rs` holds its commands, store jobs and answers; `apply.rs` applies its commands and
//! answers; `work.rs` answers its store jobs on the store threads.

mod apply;
pub mod messages;
pub(super) mod work;

pub use messages::{TransferCommand, TransferStoreEvent, TransferStoreJob};
