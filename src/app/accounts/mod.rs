//! The accounts feature of the window: signing in and out, and managing the accounts. `messages.rs`
//! holds its commands, store jobs and answers; `apply.rs` applies its commands and answers;
//! `work.rs` answers its store jobs on the store threads.

mod apply;
pub mod messages;
pub(super) mod work;

pub use messages::{AccountsCommand, AccountsStoreEvent, AccountsStoreJob};
