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
    /// A school names the export's folder: `.` or `..` would export beside it or above it.
    #[error("{field} may not be . or ..")]
    NotAFolderName { field: Field },
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
/// Longest school or student name: each names a folder or a photo file on export, and a file
/// system takes 255 bytes per name (60 characters are at most 240 bytes in UTF-8).
pub const MAX_NAME_CHARS: usize = 60;

fn max_chars(field: Field) -> usize {
    match field {
        Field::School | Field::Name => MAX_NAME_CHARS,
        _ => MAX_FIELD_CHARS,
    }
}

/// Characters that draw nothing but change how text reads: bidirectional overrides and
/// isolates (which can make "ABC" display as "CBA") and zero-width characters (which make two
/// values that look alike differ). No name, code or number of a student holds one.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Whether `c` may not appear in a field's value.
fn is_refused(c: char) -> bool {
    c.is_control() || is_invisible_format(c)
}

/// A remark as people write it: a line break (Alt+Enter in Excel) or a tab becomes a space,
/// runs of them one space, and invisible formatting characters go.
fn fold_free_text(value: &str) -> String {
    let mut folded = String::with_capacity(value.len());
    let mut gap = false;
    for c in value.chars().filter(|c| !is_invisible_format(*c)) {
        if matches!(c, '\n' | '\r' | '\t') {
            gap = true;
            continue;
        }
        if gap && !folded.is_empty() {
            folded.push(' ');
        }
        gap = false;
        folded.push(c);
    }
    folded
}

/// Cleans an optional field: blank becomes `None`. A remark's line breaks are folded to spaces;
/// elsewhere a control or invisible formatting character is refused.
pub fn optional_field(field: Field, value: &str) -> Result<Option<String>, TextError> {
    let folded;
    let value = if field == Field::Note {
        folded = fold_free_text(value);
        folded.as_str()
    } else {
        value
    };
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().any(is_refused) {
        return Err(TextError::ControlCharacter { field });
    }
    let max = max_chars(field);
    if trimmed.chars().count() > max {
        return Err(TextError::TooLong { field, max });
    }
    if field == Field::School && matches!(trimmed, "." | "..") {
        return Err(TextError::NotAFolderName { field });
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
    fn a_remarks_line_breaks_fold_to_spaces_and_invisible_characters_are_refused_elsewhere() {
        assert_eq!(
            optional_field(Field::Note, "第一行\r\n第二行\n\n\t第三行\n"),
            Ok(Some("第一行 第二行 第三行".to_string()))
        );
        assert_eq!(
            optional_field(Field::Note, "先\u{200B}付"),
            Ok(Some("先付".to_string()))
        );
        assert_eq!(
            optional_field(Field::Note, "响\u{7}铃"),
            Err(TextError::ControlCharacter { field: Field::Note })
        );
        for sneaky in [
            "张\u{202E}三",
            "张\u{200B}三",
            "\u{2067}李四",
            "王\u{FEFF}五",
        ] {
            assert_eq!(
                required_field(Field::Name, sneaky),
                Err(TextError::ControlCharacter { field: Field::Name }),
                "{sneaky:?}"
            );
        }
        assert_eq!(
            required_field(Field::Name, "张\n三"),
            Err(TextError::ControlCharacter { field: Field::Name })
        );
    }

    #[test]
    fn a_school_and_a_name_fit_a_folder_and_a_file_name() {
        for dots in [".", "..", " .. "] {
            assert_eq!(
                required_field(Field::School, dots),
                Err(TextError::NotAFolderName {
                    field: Field::School
                })
            );
        }
        assert_eq!(
            required_field(Field::School, &"𠀀".repeat(61)),
            Err(TextError::TooLong {
                field: Field::School,
                max: MAX_NAME_CHARS
            })
        );
        let longest = "𠀀".repeat(MAX_NAME_CHARS);
        assert!(longest.len() <= 240);
        assert_eq!(required_field(Field::Name, &longest), Ok(longest.clone()));
        assert!(required_field(Field::Major, &"长".repeat(200)).is_ok());
    }

    #[test]
    fn phone_tail_takes_last_four_digits() {
        assert_eq!(phone_tail("138-0013-8000"), Some("8000".to_string()));
        assert_eq!(phone_tail("+86 13912345678"), Some("5678".to_string()));
        assert_eq!(phone_tail("123"), None);
    }
}
