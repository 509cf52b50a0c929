//! What the walk_in_desk feature's screens ask for, and what it asks of the store threads and hears
//! back, apart from the code that handles them.

use crate::app::state::*;
use crate::store::NewBooking;
use crate::store::Session;

#[derive(Debug, Clone, PartialEq)]
pub enum WalkInCommand {
    /// Open the walk-in desk, pre-filled with a capture code.
    StartWalkIn {
        capture_code: Option<String>,
    },
    SaveWalkIn,
    /// Save the walk-in with a school not known yet, which staff confirmed is meant.
    ConfirmNewSchool,
}

pub enum WalkInStoreJob {
    CreateWalkIn {
        booking: Box<NewBooking>,
        session: Session,
    },
}

#[derive(Debug)]
pub enum WalkInStoreEvent {
    WalkInCreated(Box<BookingCard>),
    WalkInDuplicate(Box<BookingCard>),
    /// The walk-in's capture code belongs to another student's booking: nothing was saved.
    WalkInCodeTaken {
        owner: String,
    },
}
