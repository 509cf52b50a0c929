//! Free-text fields (names, schools, majors…): trimmed, bounded, and free of control characters,
//! whether they come from a form, a spreadsheet or a scanner.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{field} is empty")]
    Empty { field: Field },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: Field, max: usize },
    #[error("{field} contains a control character")]
    ControlCharacter { field: Field },
}

/// A field of a student's record, an order row or a booth form, named in errors so that each
/// screen words it in its own language (the Chinese names are in `i18n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Sex,
    IdNumber,
    StudentNo,
    School,
    Department,
    Major,
    Level,
    Phone,
    OrderNo,
    Amount,
    PaidAt,
    PaymentMethod,
    Slot,
    CaptureCode,
    Note,
    Reason,
    RefundReference,
    UserName,
}

impl Field {
    pub const ALL: [Self; 19] = [
        Self::Name,
        Self::Sex,
        Self::IdNumber,
        Self::StudentNo,
        Self::School,
        Self::Department,
        Self::Major,
        Self::Level,
        Self::Phone,
        Self::OrderNo,
        Self::Amount,
        Self::PaidAt,
        Self::PaymentMethod,
        Self::Slot,
        Self::CaptureCode,
        Self::Note,
        Self::Reason,
        Self::RefundReference,
        Self::UserName,
    ];
}

/// English names, for logs and the command line's English output.
impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Name => "name",
            Self::Sex => "sex",
            Self::IdNumber => "ID number",
            Self::StudentNo => "student number",
            Self::School => "school",
            Self::Department => "department",
            Self::Major => "major",
            Self::Level => "level",
            Self::Phone => "phone",
            Self::OrderNo => "order number",
            Self::Amount => "amount",
            Self::PaidAt => "payment time",
            Self::PaymentMethod => "payment method",
            Self::Slot => "booked slot",
            Self::CaptureCode => "capture code",
            Self::Note => "remark",
            Self::Reason => "reason",
            Self::RefundReference => "refund reference",
            Self::UserName => "user name",
        })
    }
}

/// Longest value any one text field may hold.
pub const MAX_FIELD_CHARS: usize = 200;

/// Cleans an optional field: blank becomes `None`.
pub fn optional_field(field: Field, value: &str) -> Result<Option<String>, TextError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().any(char::is_control) {
        return Err(TextError::ControlCharacter { field });
    }
    if trimmed.chars().count() > MAX_FIELD_CHARS {
        return Err(TextError::TooLong {
            field,
            max: MAX_FIELD_CHARS,
        });
    }
    Ok(Some(trimmed.to_string()))
}

/// Cleans a required field.
pub fn required_field(field: Field, value: &str) -> Result<String, TextError> {
    optional_field(field, value)?.ok_or(TextError::Empty { field })
}

/// A phone number as an operator sees it: the first three and last four digits (138****8000).
/// Anything shorter than eight digits shows only its last two.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 8 {
        let head: String = digits[..3].iter().collect();
        let tail: String = digits[digits.len() - 4..].iter().collect();
        return format!("{head}{}{tail}", "*".repeat(digits.len() - 7));
    }
    let keep = digits.len().min(2);
    let tail: String = digits[digits.len() - keep..].iter().collect();
    format!("{}{tail}", "*".repeat(digits.len() - keep))
}

/// The last four digits of a phone number, which students give when the QR code won't scan.
pub fn phone_tail(phone: &str) -> Option<String> {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 4).then(|| digits[digits.len() - 4..].iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_in_the_middle() {
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("+86 138-0013-8000"), "861******8000");
        assert_eq!(mask_phone("12345"), "***45");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn fields_are_trimmed_and_checked() {
        assert_eq!(
            required_field(Field::Name, "  张三 "),
            Ok("张三".to_string())
        );
        assert_eq!(optional_field(Field::Major, "   "), Ok(None));
        assert_eq!(
            required_field(Field::Name, ""),
            Err(TextError::Empty { field: Field::Name })
        );
        assert_eq!(
            required_field(Field::Name, "张\u{7}三"),
            Err(TextError::ControlCharacter { field: Field::Name })
        );
        assert!(matches!(
            required_field(Field::Name, &"长".repeat(201)),
            Err(TextError::TooLong { .. })
        ));
    }

    #[test]
    fn phone_tail_takes_last_four_digits() {
        assert_eq!(phone_tail("138-0013-8000"), Some("8000".to_string()));
        assert_eq!(phone_tail("+86 13912345678"), Some("5678".to_string()));
        assert_eq!(phone_tail("123"), None);
    }
}
