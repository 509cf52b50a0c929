//! What can be wrong with a walk-in form's field, typed so that the desk words it in its own
//! language (`i18n`). The form's rules are in `app::walk_in`.

use super::capture_code::CaptureCodeError;
use super::id_number::IdNumberError;
use super::money::AmountError;
use super::text::TextError;

/// What is wrong with one of the form's fields; `i18n` words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalkInProblem {
    #[error(transparent)]
    Text(#[from] TextError),
    #[error(transparent)]
    IdNumber(#[from] IdNumberError),
    #[error("the ID number is empty (choose \"no ID card\" if the student has none)")]
    IdNumberMissing,
    #[error("without an ID card the student number is required")]
    StudentNoNeeded,
    #[error(transparent)]
    Amount(#[from] AmountError),
    #[error(transparent)]
    CaptureCode(#[from] CaptureCodeError),
    #[error(
        "the capture code is empty: scan the student's code, or tick \"The student cannot show a capture code now\""
    )]
    CaptureCodeMissing,
}
