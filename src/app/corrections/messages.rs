//! What the corrections feature's screens ask for, and what it asks of the store threads and hears
//! back, apart from the code that handles them.

use crate::domain::CorrectableField;
use crate::store::{BookingView, CorrectionOutcome};

use crate::app::state::*;
use crate::store::Session;

#[derive(Debug, Clone, PartialEq)]
pub enum CorrectionsCommand {
    SelectForCorrection(String),
    Correct {
        booking_id: String,
        field: CorrectableField,
        value: String,
        reason: String,
        confirmed_after_capture: bool,
    },
    ApproveRetake {
        booking_id: String,
    },
    /// 信息有误 (E): the student says the record on the student's screen is wrong. The shot waits
    /// for the supervisor's correction.
    FlagDetails {
        booking_id: String,
    },
    /// A supervisor checked the card's disputed record and allows the shot without a change.
    OverrideDispute {
        booking_id: String,
    },
    /// Open the supervisor's correction screen on the card's disputed record.
    CorrectDisputed {
        booking_id: String,
    },
    /// A supervisor lets the card's student be shot outside the collection windows.
    OverrideWindow {
        booking_id: String,
    },
}

pub enum CorrectionsStoreJob {
    Correct {
        booking_id: String,
        field: CorrectableField,
        value: Option<String>,
        reason: String,
        confirmed: bool,
        session: Session,
    },
    ApproveRetake {
        booking_id: String,
        session: Session,
    },
    SelectForCorrection(String),
    /// 信息有误: the student disputes the record on the student's screen.
    FlagDetails {
        booking_id: String,
        session: Session,
    },
    /// A supervisor checked the disputed record and lets the shot go ahead uncorrected.
    OverrideDispute {
        booking_id: String,
        session: Session,
    },
}

#[derive(Debug)]
pub enum CorrectionsStoreEvent {
    Corrected {
        booking: Box<BookingView>,
        history: Vec<crate::store::CorrectionRecord>,
        outcome: CorrectionOutcome,
    },
    Selected {
        booking: Box<BookingView>,
        history: Vec<crate::store::CorrectionRecord>,
    },
    RetakeApproved(Box<BookingCard>),
    /// The record is flagged; the supervisor's correction screen opens on it.
    DetailsFlagged {
        card: Box<BookingCard>,
        history: Vec<crate::store::CorrectionRecord>,
    },
    DisputeOverridden(Box<BookingCard>),
}
