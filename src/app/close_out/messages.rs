//! What the close_out feature's screens ask for, and what it asks of the store threads and hears
//! back, apart from the code that handles them.

use crate::store::Session;

#[derive(Debug, Clone, PartialEq)]
pub enum CloseOutCommand {
    /// Show what closing the school now would do.
    PreviewClose {
        school: String,
    },
    /// Close the school now (after the preview); `force` while a window is still open.
    CloseSession {
        school: String,
        force: bool,
    },
    MarkRefunded {
        order_no: String,
        reference: String,
    },
    /// Write the school's refund list (XLSX) into the data folder's `exports/`.
    WriteRefundList {
        school: String,
    },
}

pub enum CloseOutStoreJob {
    PreviewClose {
        school: String,
        calendar: Box<crate::domain::HolidayCalendar>,
    },
    CloseSession {
        school: String,
        force: bool,
        calendar: Box<crate::domain::HolidayCalendar>,
        session: Session,
    },
    LoadRefunds {
        school: String,
    },
    MarkRefunded {
        school: String,
        order_no: String,
        reference: String,
        session: Session,
    },
    WriteRefundList {
        school: String,
        session: Session,
    },
}

#[derive(Debug)]
pub enum CloseOutStoreEvent {
    ClosePreviewed(Box<crate::store::close_out::ClosePreview>),
    Closed(Box<crate::store::close_out::CloseOutcome>),
    Refunds {
        rows: Vec<crate::store::close_out::RefundRow>,
        summary: crate::store::close_out::RefundSummary,
    },
}
