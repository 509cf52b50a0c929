//! The one channel every worker reports on. The app drains it at the start of each frame; tests
//! block on it to wait for a worker without sleeping.

use super::campus_worker::CampusEvent;
pub use super::file_dialog::FilePick;
use super::portrait_worker::PortraitOutcome;
use super::store_worker::StoreEvent;

#[derive(Debug)]
pub enum AppEvent {
    Store(StoreEvent),
    Portrait(Box<PortraitOutcome>),
    Campus(CampusEvent),
    /// The scanner has events waiting in its own queue.
    ScannerWake,
    /// The cameras the system reports, asked for by the first-run guide.
    CamerasFound(Vec<super::first_run::CameraOption>),
    /// What the system's file dialog gave, and what it was asked for.
    FilePicked(super::file_dialog::PickWhat, FilePick),
}

/// Room for bursts; workers block when it is full, which only happens if the UI stops draining.
pub const EVENT_CAPACITY: usize = 256;
