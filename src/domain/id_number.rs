//! GB 11643 citizen ID numbers (居民身份证号码): normalisation, validation and what can be read
//! from a valid number (birth date, sex), plus the masked form shown to operators.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// ISO 7064 MOD 11-2 weights for the first 17 characters.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// `S mod 11` → check character.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Why a string is not a valid ID number. Each failure is a distinct reason so that the walk-in
/// form and the import report can tell the user exactly what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("ID number must have 18 characters, found {0}")]
    WrongLength(usize),
    #[error("character {position} must be a digit")]
    NotADigit { position: usize },
    #[error("the last character must be a digit or X")]
    BadCheckCharacter,
    #[error("birth date {0} is not a real calendar date")]
    InvalidBirthDate(String),
    #[error("birth date {0} is in the future")]
    FutureBirthDate(NaiveDate),
    #[error("check character should be {expected}, found {found}")]
    ChecksumMismatch { expected: char, found: char },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// A validated, normalised (upper-case `X`) 18-character ID number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber {
    normalized: String,
    birth_date: NaiveDate,
    sex: Sex,
}

impl IdNumber {
    /// Parses and validates `input` as of `today` (birth dates after it are rejected).
    /// Surrounding white space is ignored, full-width digits and `x`/`ｘ` are normalised, since
    /// spreadsheets typed on Chinese keyboards often carry them.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, IdNumberError> {
        let normalized = normalize(input);
        let chars: Vec<char> = normalized.chars().collect();
        if chars.len() != 18 {
            return Err(IdNumberError::WrongLength(chars.len()));
        }
        if let Some(position) = chars[..17].iter().position(|c| !c.is_ascii_digit()) {
            return Err(IdNumberError::NotADigit {
                position: position + 1,
            });
        }
        let found = chars[17];
        if !(found.is_ascii_digit() || found == 'X') {
            return Err(IdNumberError::BadCheckCharacter);
        }
        let date_text: String = chars[6..14].iter().collect();
        let birth_date = NaiveDate::parse_from_str(&date_text, "%Y%m%d")
            .ok()
            .filter(|d| d.year() >= 1900)
            .ok_or_else(|| IdNumberError::InvalidBirthDate(date_text.clone()))?;
        if birth_date > today {
            return Err(IdNumberError::FutureBirthDate(birth_date));
        }
        let expected = check_character(&chars[..17]);
        if expected != found {
            return Err(IdNumberError::ChecksumMismatch { expected, found });
        }
        let sequence_digit = chars[16].to_digit(10).unwrap_or(0);
        let sex = if sequence_digit % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        };
        Ok(Self {
            normalized,
            birth_date,
            sex,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.normalized
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    pub fn sex(&self) -> Sex {
        self.sex
    }
}

impl std::fmt::Display for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.normalized)
    }
}

/// Upper-cases and folds full-width forms so that lookups and comparisons see one spelling.
pub fn normalize(input: &str) -> String {
    input
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            'x' | 'ｘ' | 'Ｘ' => 'X',
            other => other,
        })
        .collect()
}

/// Completes 17 digits with their check character; `None` unless given exactly 17 digits. Used to
/// make valid sample numbers for demos and tests.
pub fn complete_with_check(first17: &str) -> Option<String> {
    let chars: Vec<char> = first17.chars().collect();
    (chars.len() == 17 && chars.iter().all(char::is_ascii_digit))
        .then(|| format!("{first17}{}", check_character(&chars)))
}

fn check_character(first17: &[char]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

/// Shows the first and last four characters only: `4101**********123X`. Used wherever an
/// operator (who has no need to see it) would otherwise see an ID number.
pub fn mask(id_number: &str) -> String {
    let chars: Vec<char> = id_number.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

/// The ID number as the student's screen shows it: every character hidden but the last four,
/// so someone behind the student in the queue learns nothing they could use.
pub fn mask_all_but_last_four(id_number: &str) -> String {
    let count = id_number.chars().count();
    id_number
        .chars()
        .enumerate()
        .map(|(index, c)| if index + 4 >= count { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_student_screen_shows_only_the_last_four_characters() {
        assert_eq!(
            mask_all_but_last_four("11010519491231002X"),
            "**************002X"
        );
        assert_eq!(mask_all_but_last_four("1234"), "1234");
        assert_eq!(mask_all_but_last_four("E1234567"), "****4567");
        assert_eq!(mask_all_but_last_four(""), "");
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    /// Builds a valid number from its first 17 characters, for edge-case dates.
    fn with_check(first17: &str) -> String {
        let chars: Vec<char> = first17.chars().collect();
        format!("{first17}{}", check_character(&chars))
    }

    #[test]
    fn reference_number_is_valid_and_female() {
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
    }

    #[test]
    fn lower_case_and_full_width_x_are_normalised() {
        for input in [
            "11010519491231002x",
            " 11010519491231002ｘ ",
            "１１010519491231002X",
        ] {
            let id = IdNumber::parse(input, today()).unwrap();
            assert_eq!(id.as_str(), "11010519491231002X", "{input}");
        }
    }

    #[test]
    fn odd_sequence_digit_is_male() {
        let id = IdNumber::parse(&with_check("11010519491231001"), today()).unwrap();
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn each_failure_has_its_own_reason() {
        assert_eq!(
            IdNumber::parse("1101051949123100", today()),
            Err(IdNumberError::WrongLength(16))
        );
        assert_eq!(
            IdNumber::parse("11010519491231002XX", today()),
            Err(IdNumberError::WrongLength(19))
        );
        assert_eq!(
            IdNumber::parse("1101A519491231002X", today()),
            Err(IdNumberError::NotADigit { position: 5 })
        );
        assert_eq!(
            IdNumber::parse("11010519491231002Y", today()),
            Err(IdNumberError::BadCheckCharacter)
        );
        assert_eq!(
            IdNumber::parse("110105194912310021", today()),
            Err(IdNumberError::ChecksumMismatch {
                expected: 'X',
                found: '1'
            })
        );
        assert!(matches!(
            IdNumber::parse(&with_check("11010519491331002"), today()),
            Err(IdNumberError::InvalidBirthDate(_))
        ));
        assert!(matches!(
            IdNumber::parse(&with_check("11010520300101002"), today()),
            Err(IdNumberError::FutureBirthDate(_))
        ));
    }

    #[test]
    fn twenty_ninth_of_february_only_in_leap_years() {
        assert!(IdNumber::parse(&with_check("11010520000229002"), today()).is_ok());
        assert!(IdNumber::parse(&with_check("11010520040229002"), today()).is_ok());
        assert!(matches!(
            IdNumber::parse(&with_check("11010519000229002"), today()),
            Err(IdNumberError::InvalidBirthDate(_))
        ));
        assert!(matches!(
            IdNumber::parse(&with_check("11010520030229002"), today()),
            Err(IdNumberError::InvalidBirthDate(_))
        ));
    }

    #[test]
    fn birth_today_is_allowed_but_tomorrow_is_not() {
        assert!(IdNumber::parse(&with_check("11010520261128002"), today()).is_ok());
        assert!(matches!(
            IdNumber::parse(&with_check("11010520261129002"), today()),
            Err(IdNumberError::FutureBirthDate(_))
        ));
    }

    #[test]
    fn masking_keeps_head_and_tail() {
        assert_eq!(mask("41010519491231123X"), "4101**********123X");
        assert_eq!(mask("123"), "***");
    }
}
