//! The changes a station reports to the rest of a campus: their kinds and payloads, the
//! vocabulary of the sync protocol. Pure data: the store writes them to its outbox in the same
//! transaction as the change, a campus server checks and applies them, and a station applies
//! the ones it pulls.

use serde::{Deserialize, Serialize};

use crate::domain::NewBooking;

/// The kinds of change a station reports.
pub mod kind {
    /// A booking made at the booth (a walk-in), or imported at the server.
    pub const BOOKING: &str = "booking";
    /// A photo saved against a booking (first shot or approved retake).
    pub const CAPTURE: &str = "capture";
    /// An imported order whose fields or capture code a later import changed (made on the
    /// server, pulled by stations).
    pub const BOOKING_UPDATED: &str = "booking_updated";
    /// A supervisor's 信息更正 of one field of a student's record.
    pub const CORRECTION: &str = "correction";
    /// A supervisor's exception for one booking (a shot outside the collection window): audit
    /// only, kept on the server with the station's log.
    pub const EXCEPTION: &str = "exception";
    /// The supervisor settled a campus conflict (made on the server, pulled by stations).
    pub const CONFLICT_RESOLVED: &str = "conflict_resolved";
    /// A refund mark: an order put up for refund at close-out, or its refund marked done.
    pub const REFUND: &str = "refund";
}

/// The two refund marks a station makes.
pub mod refund_status {
    /// Closed out uncaptured: cancelled and put up for refund, due by a date.
    pub const PENDING: &str = "refund_pending";
    /// The money went back, with the payment platform's reference.
    pub const REFUNDED: &str = "refunded";
}

/// Which photo of a capture an upload carries.
pub mod photo_kind {
    /// The accepted 480×640 JPEG; it travels with its capture event.
    pub const ACCEPTED: &str = "accepted";
    /// The full-resolution original; it follows in the background.
    pub const ORIGINAL: &str = "original";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingPayload {
    pub booking_id: String,
    pub student_id: String,
    pub booking: NewBooking,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapturePayload {
    pub capture_id: String,
    pub booking_id: String,
    /// sha256 of the accepted JPEG, which travels with the event.
    pub sha256: String,
    pub original_sha256: Option<String>,
    pub spec_ok: bool,
    pub overridden: bool,
    /// The booking was already captured here: an approved retake.
    pub retake: bool,
    pub operator: String,
    pub captured_at: String,
    pub spec_report: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionPayload {
    pub booking_id: String,
    pub student_id: String,
    /// A [`crate::domain::CorrectableField`] name.
    pub field: String,
    /// What the record said when the supervisor changed it: the server compares it with what
    /// it holds, and a difference is a conflict, never a silent overwrite.
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: String,
    pub who: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundPayload {
    pub booking_id: String,
    /// One of [`refund_status`].
    pub status: String,
    /// For a pending refund: the date it is due (working days after the close).
    pub due_date: Option<String>,
    /// For a done refund: the payment platform's reference.
    pub reference: Option<String>,
    pub who: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionPayload {
    /// What was let through, e.g. `window_overridden`.
    pub what: String,
    pub booking_id: String,
    pub who: String,
}
