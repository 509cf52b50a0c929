//! The pure rules of on-site graduation photo collection: ID numbers, capture codes, bookings and
//! their status machine, collection windows, working days and money. Nothing here does I/O, so
//! every rule is unit-tested on its own and shared by the store, the CLI and the UI.

pub mod booking;
pub mod capture_code;
pub mod changes;
pub mod collection;
pub mod correction;
pub mod id_number;
pub mod money;
pub mod new_booking;
pub mod photo_spec;
pub mod roles;
pub mod row_problem;
pub mod slot;
pub mod text;
pub mod walk_in;
pub mod working_days;

pub use booking::{BookingSource, BookingStatus, PaymentMethod, TransitionError, check_transition};
pub use capture_code::{CaptureCode, CaptureCodeDecoder, CaptureCodeError, CaptureCodeRules};
pub use collection::CollectionWindow;
pub use correction::CorrectableField;
pub use id_number::{IdNumber, IdNumberError, Sex};
pub use new_booking::NewBooking;
pub use row_problem::RowProblem;
pub use text::{Field, TextError};
pub use working_days::HolidayCalendar;
