//! The walk-in form's rules: which fields are required, live checks for the ID number, and the
//! conversion into a booking. The form stays text; this is the one step that can fail.

use chrono::NaiveDate;

use super::state::WalkInForm;
use crate::domain::text::{optional_field, required_field};
pub use crate::domain::walk_in::WalkInProblem;
use crate::domain::{BookingSource, CaptureCodeRules, Field, IdNumber, IdNumberError};
use crate::store::NewBooking;

/// One problem with the form, by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: WalkInField,
    pub problem: WalkInProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkInField {
    Name,
    IdNumber,
    StudentNo,
    School,
    Text,
    Amount,
    CaptureCode,
}

/// The ID number's live verdict: `None` while empty, else `Ok` or why not.
pub fn id_number_verdict(form: &WalkInForm, today: NaiveDate) -> Option<Result<(), IdNumberError>> {
    if form.id_number.trim().is_empty() {
        return None;
    }
    Some(IdNumber::parse(&form.id_number, today).map(|_| ()))
}

/// Checks the whole form and builds the booking, or lists every problem at once.
pub fn validate(
    form: &WalkInForm,
    today: NaiveDate,
    rules: &CaptureCodeRules,
) -> Result<NewBooking, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut problem =
        |field, problem: WalkInProblem| problems.push(FieldProblem { field, problem });
    let name = required_field(Field::Name, &form.name)
        .map_err(|e| problem(WalkInField::Name, e.into()))
        .ok();
    let id_number = match (form.id_number.trim().is_empty(), form.no_id_card) {
        (true, true) => None,
        (true, false) => {
            problem(WalkInField::IdNumber, WalkInProblem::IdNumberMissing);
            None
        }
        (false, _) => match IdNumber::parse(&form.id_number, today) {
            Ok(id) => Some(id.as_str().to_string()),
            Err(error) => {
                problem(WalkInField::IdNumber, error.into());
                None
            }
        },
    };
    let student_no = optional_field(Field::StudentNo, &form.student_no)
        .map_err(|e| problem(WalkInField::StudentNo, e.into()))
        .ok()
        .flatten();
    let school = required_field(Field::School, &form.school)
        .map_err(|e| problem(WalkInField::School, e.into()))
        .ok();
    if form.no_id_card && student_no.is_none() {
        problem(WalkInField::StudentNo, WalkInProblem::StudentNoNeeded);
    }
    let mut text = |field: Field, value: &str| {
        optional_field(field, value)
            .map_err(|e| problem(WalkInField::Text, e.into()))
            .ok()
            .flatten()
    };
    let department = text(Field::Department, &form.department);
    let major = text(Field::Major, &form.major);
    let level = text(Field::Level, &form.level);
    let phone = text(Field::Phone, &form.phone);
    let amount_fen = crate::domain::money::parse_yuan(&form.amount)
        .map_err(|e| problem(WalkInField::Amount, e.into()))
        .ok();
    let capture_code = match form.capture_code.trim() {
        // Without a code the photo cannot be named by it for upload: decided here, on purpose.
        "" if !form.no_capture_code => {
            problem(WalkInField::CaptureCode, WalkInProblem::CaptureCodeMissing);
            None
        }
        "" => None,
        code => rules
            .validate(code)
            .map(|c| Some(c.as_str().to_string()))
            .map_err(|e| problem(WalkInField::CaptureCode, e.into()))
            .ok()
            .flatten(),
    };
    let (Some(name), Some(school), Some(amount_fen)) = (name, school, amount_fen) else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let sex = id_number
        .as_deref()
        .and_then(|id| IdNumber::parse(id, today).ok())
        .map(|id| match id.sex() {
            crate::domain::Sex::Male => "男".to_string(),
            crate::domain::Sex::Female => "女".to_string(),
        });
    Ok(NewBooking {
        order_no: None,
        source: BookingSource::WalkIn,
        name,
        sex,
        id_number,
        has_id_card: !form.no_id_card,
        student_no,
        school,
        department,
        major,
        level,
        phone,
        amount_fen,
        payment_method: form.payment,
        paid_at: Some(chrono::Local::now().naive_local()),
        slot: None,
        capture_code,
        note: form
            .no_id_card
            .then(|| form.no_id_reason.record().to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::state::NoIdReason;
    use crate::domain::PaymentMethod;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn form() -> WalkInForm {
        let mut form = WalkInForm::new(2500, PaymentMethod::Cash);
        form.name = "王五".to_string();
        form.id_number =
            crate::domain::id_number::complete_with_check("41010520010203001").unwrap();
        form.school = "示例大学".to_string();
        form.capture_code = "CSWALKIN-0001".to_string();
        form
    }

    #[test]
    fn a_walk_in_without_a_code_is_booked_only_on_purpose() {
        let mut no_code = form();
        no_code.capture_code.clear();
        let problems = validate(&no_code, today(), &CaptureCodeRules::default()).unwrap_err();
        assert_eq!(problems[0].problem, WalkInProblem::CaptureCodeMissing);
        no_code.no_capture_code = true;
        let booking = validate(&no_code, today(), &CaptureCodeRules::default()).unwrap();
        assert_eq!(booking.capture_code, None);
    }

    #[test]
    fn a_complete_form_becomes_a_walk_in_booking() {
        let booking = validate(&form(), today(), &CaptureCodeRules::default()).unwrap();
        assert_eq!(booking.source, BookingSource::WalkIn);
        assert_eq!(booking.amount_fen, 2500);
        assert_eq!(booking.payment_method, PaymentMethod::Cash);
        assert!(booking.has_id_card);
        assert_eq!(booking.sex.as_deref(), Some("男"));
    }

    #[test]
    fn a_bad_id_number_is_refused_with_its_reason() {
        let mut bad = form();
        bad.id_number.replace_range(
            17..18,
            if bad.id_number.ends_with('0') {
                "1"
            } else {
                "0"
            },
        );
        let verdict = id_number_verdict(&bad, today()).unwrap();
        assert!(verdict.is_err());
        let problems = validate(&bad, today(), &CaptureCodeRules::default()).unwrap_err();
        assert_eq!(problems[0].field, WalkInField::IdNumber);
        assert_eq!(
            problems[0].problem,
            WalkInProblem::IdNumber(verdict.unwrap_err())
        );
    }

    #[test]
    fn without_an_id_card_the_student_number_and_a_reason_are_needed() {
        let mut no_card = form();
        no_card.id_number.clear();
        assert!(validate(&no_card, today(), &CaptureCodeRules::default()).is_err());
        no_card.no_id_card = true;
        no_card.no_id_reason = NoIdReason::OcrFailed;
        let problems = validate(&no_card, today(), &CaptureCodeRules::default()).unwrap_err();
        assert_eq!(problems[0].field, WalkInField::StudentNo);
        no_card.student_no = "2022001".to_string();
        let booking = validate(&no_card, today(), &CaptureCodeRules::default()).unwrap();
        assert!(!booking.has_id_card);
        assert_eq!(booking.note.as_deref(), Some("无身份证：识别失败"));
    }
}
