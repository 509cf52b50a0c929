//! A booking about to be stored: the fields the importer and the walk-in form fill in, which a
//! station's change log also carries to the rest of a campus. Pure data.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::domain::{BookingSource, PaymentMethod};

/// Stored form of business times (payment time): local, to the second.
pub(crate) const LOCAL_TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// A validated booking with its student, ready to store. Built by the importer or the walk-in
/// form; the store trusts that its fields already passed the domain rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewBooking {
    pub order_no: Option<String>,
    pub source: BookingSource,
    pub name: String,
    pub sex: Option<String>,
    pub id_number: Option<String>,
    pub has_id_card: bool,
    pub student_no: Option<String>,
    pub school: String,
    pub department: Option<String>,
    pub major: Option<String>,
    pub level: Option<String>,
    pub phone: Option<String>,
    pub amount_fen: i64,
    pub payment_method: PaymentMethod,
    pub paid_at: Option<NaiveDateTime>,
    pub slot: Option<String>,
    pub capture_code: Option<String>,
    pub note: Option<String>,
}

impl NewBooking {
    /// A walk-in for `name` at `school` with nothing else known yet: no order, ID number or
    /// student number, unpaid (cash, 0 fen). What is known is filled in with struct update
    /// syntax; the walk-in form builds its bookings field by field, as it validates each.
    pub fn walk_in(name: impl Into<String>, school: impl Into<String>) -> NewBooking {
        NewBooking {
            order_no: None,
            source: BookingSource::WalkIn,
            name: name.into(),
            sex: None,
            id_number: None,
            has_id_card: false,
            student_no: None,
            school: school.into(),
            department: None,
            major: None,
            level: None,
            phone: None,
            amount_fen: 0,
            payment_method: PaymentMethod::Cash,
            paid_at: None,
            slot: None,
            capture_code: None,
            note: None,
        }
    }

    /// The fields a re-import compares, in a fixed order. The capture code is compared apart,
    /// because an export without codes must not wipe codes linked at the booth.
    /// The fields an import compares to decide whether an order changed.
    pub(crate) fn comparable(&self) -> Vec<Option<String>> {
        vec![
            Some(self.name.clone()),
            self.sex.clone(),
            self.id_number.clone(),
            Some(if self.has_id_card { "1" } else { "0" }.to_string()),
            self.student_no.clone(),
            Some(self.school.clone()),
            self.department.clone(),
            self.major.clone(),
            self.level.clone(),
            self.phone.clone(),
            Some(self.amount_fen.to_string()),
            Some(self.payment_method.as_str().to_string()),
            self.paid_at
                .map(|t| t.format(LOCAL_TIME_FORMAT).to_string()),
            self.slot.clone(),
            self.note.clone(),
        ]
    }
}
