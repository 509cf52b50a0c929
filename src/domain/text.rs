//! Free-text fields (names, schools, majors…): trimmed, bounded, and free of control characters,
//! whether they come from a form, a spreadsheet or a scanner.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} contains a control character")]
    ControlCharacter { field: &'static str },
}

/// Longest value any one text field may hold.
pub const MAX_FIELD_CHARS: usize = 200;

/// Cleans an optional field: blank becomes `None`.
pub fn optional_field(field: &'static str, value: &str) -> Result<Option<String>, TextError> {
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
pub fn required_field(field: &'static str, value: &str) -> Result<String, TextError> {
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
        assert_eq!(required_field("姓名", "  张三 "), Ok("张三".to_string()));
        assert_eq!(optional_field("专业", "   "), Ok(None));
        assert_eq!(
            required_field("姓名", ""),
            Err(TextError::Empty { field: "姓名" })
        );
        assert_eq!(
            required_field("姓名", "张\u{7}三"),
            Err(TextError::ControlCharacter { field: "姓名" })
        );
        assert!(matches!(
            required_field("姓名", &"长".repeat(201)),
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
