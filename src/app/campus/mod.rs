//! The campus feature of the window: joining, the campus screen (stations, conflicts,
//! quarantine) and closing a school for the whole campus. `messages.rs` holds its commands, store
//! jobs and answers; `apply.rs` applies its commands and answers; `work.rs` answers its store
//! jobs on the `station-ops` thread through the station's use cases.

mod apply;
pub mod messages;
pub(super) mod work;

pub use messages::{CampusCommand, CampusStoreEvent, CampusStoreJob};
