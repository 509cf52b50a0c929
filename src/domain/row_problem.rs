//! Why one row of an order export was not imported. Every problem of the row is kept, typed, so
//! that the window, the command line and the problem-row workbook word it in their own language
//! (`i18n` holds the Chinese); the English here is for logs and the command line's JSON.

use super::booking::BookingStatus;
use super::capture_code::CaptureCodeError;
use super::id_number::IdNumberError;
use super::money::AmountError;
use super::slot::SlotError;
use super::text::{Field, TextError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    #[error(transparent)]
    Text(#[from] TextError),
    #[error("{0} is empty")]
    Missing(Field),
    #[error("the ID number is stored as a number and has lost digits; format the column as text")]
    IdNumberAsNumber,
    #[error("ID number: {0}")]
    IdNumber(#[from] IdNumberError),
    #[error(transparent)]
    Amount(#[from] AmountError),
    #[error("payment method '{0}' is unknown")]
    PaymentUnknown(String),
    #[error(transparent)]
    Slot(#[from] SlotError),
    #[error(transparent)]
    CaptureCode(#[from] CaptureCodeError),
    #[error("payment time '{0}' is not a time like 2026-11-01 10:23:45")]
    PaidAt(String),
    #[error("school '{file}' is not the school given ('{given}')")]
    OtherSchool { file: String, given: String },
    #[error("the school is empty: add the column or choose the school")]
    NoSchool,
    #[error("order number {order_no} repeats row {first}")]
    RepeatsRow { order_no: String, first: usize },
    #[error("the capture code already belongs to order {}", .0.as_deref().unwrap_or("(walk-in)"))]
    CodeTaken(Option<String>),
    #[error("order {order_no} is already {status}; change it through a correction")]
    ChangedAfterBooking {
        order_no: String,
        status: BookingStatus,
    },
}
