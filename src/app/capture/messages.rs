//! What the capture feature's screens ask for, and what it asks of the store threads and hears
//! back, apart from the code that handles them.

use crate::app::state::*;
use crate::store::Session;

#[derive(Debug, Clone, PartialEq)]
pub enum CaptureCommand {
    /// Take the live frame and make the portrait (Space) of the card's student, if the card
    /// still shows `booking_id` (`None`: no card was shown).
    Capture {
        booking_id: Option<String>,
    },
    /// Save the shot (Enter) against `booking_id`, the card shown when the key was pressed.
    /// `override_checks` saves a shot that failed its checks, recorded.
    Accept {
        booking_id: Option<String>,
        override_checks: bool,
    },
    /// Arm or disarm the override for a failed shot.
    ArmOverride(bool),
    /// Drop the shot and shoot again (R).
    Retake,
    /// Move or zoom the crop (arrows, + and -).
    Nudge {
        right: i32,
        down: i32,
        zoom_in: i32,
    },
    /// A capture code typed by a keyboard-wedge scanner or pasted.
    ResolveCode(String),
    OpenSearch,
    Search {
        query: String,
        for_supervisor: bool,
    },
    OpenBooking(String),
    ClearCard,
}

pub enum CaptureStoreJob {
    ResolveCode(String),
    Search {
        query: String,
        generation: u64,
        for_supervisor: bool,
    },
    OpenBooking(String),
    SaveCapture(Box<SaveRequest>),
}

#[derive(Debug)]
pub enum CaptureStoreEvent {
    CodeResolved {
        code: String,
        card: Option<Box<BookingCard>>,
    },
    SearchResults {
        generation: u64,
        for_supervisor: bool,
        hits: Vec<crate::store::LookupHit>,
    },
    CardLoaded(Box<BookingCard>),
    CaptureSaved {
        booking_id: String,
    },
}

/// A shot to save against `booking_id`, with its check report.
pub struct SaveRequest {
    pub booking_id: String,
    pub jpeg: Vec<u8>,
    pub original_jpeg: Option<Vec<u8>>,
    pub report: serde_json::Value,
    pub spec_ok: bool,
    pub overridden: bool,
    pub session: Session,
}
