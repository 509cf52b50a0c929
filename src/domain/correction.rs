//! 信息更正: which student fields a supervisor may correct, and the rule each new value must meet.
//! The store applies a correction; this module only says whether the new value is acceptable.

use chrono::NaiveDate;

use super::id_number::{IdNumber, IdNumberError};
use super::text::{Field, TextError, optional_field, required_field};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectableField {
    Name,
    IdNumber,
    StudentNo,
    School,
    Department,
    Major,
    Level,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorrectionError {
    #[error(transparent)]
    Text(#[from] TextError),
    #[error(transparent)]
    IdNumber(#[from] IdNumberError),
    #[error("a correction needs a reason")]
    NoReason,
}

impl CorrectableField {
    pub const ALL: [Self; 7] = [
        Self::Name,
        Self::IdNumber,
        Self::StudentNo,
        Self::School,
        Self::Department,
        Self::Major,
        Self::Level,
    ];

    /// The column in `students` (the school is stored by id; the store maps it).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::IdNumber => "id_number",
            Self::StudentNo => "student_no",
            Self::School => "school",
            Self::Department => "department",
            Self::Major => "major",
            Self::Level => "level",
        }
    }

    /// The record's field this corrects.
    pub fn field(self) -> Field {
        match self {
            Self::Name => Field::Name,
            Self::IdNumber => Field::IdNumber,
            Self::StudentNo => Field::StudentNo,
            Self::School => Field::School,
            Self::Department => Field::Department,
            Self::Major => Field::Major,
            Self::Level => Field::Level,
        }
    }

    /// Checks and normalises a new value. Name and school cannot be blank; an ID number must pass
    /// the GB 11643 check; the other fields may be cleared.
    pub fn validate(
        self,
        value: &str,
        today: NaiveDate,
    ) -> Result<Option<String>, CorrectionError> {
        match self {
            Self::Name | Self::School => Ok(Some(required_field(self.field(), value)?)),
            Self::IdNumber => {
                if value.trim().is_empty() {
                    return Ok(None);
                }
                Ok(Some(IdNumber::parse(value, today)?.as_str().to_string()))
            }
            Self::StudentNo | Self::Department | Self::Major | Self::Level => {
                Ok(optional_field(self.field(), value)?)
            }
        }
    }
}

/// A reason is required and kept as typed (trimmed).
pub fn correction_reason(reason: &str) -> Result<String, CorrectionError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CorrectionError::NoReason);
    }
    optional_field(Field::Reason, reason)?.ok_or(CorrectionError::NoReason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn values_are_checked_per_field() {
        assert_eq!(
            CorrectableField::Name.validate(" 李四 ", today()),
            Ok(Some("李四".to_string()))
        );
        assert!(CorrectableField::Name.validate("  ", today()).is_err());
        assert!(
            CorrectableField::IdNumber
                .validate("110105200001010011", today())
                .is_err()
        );
        let valid = crate::domain::id_number::complete_with_check("11010520000101001").unwrap();
        assert_eq!(
            CorrectableField::IdNumber.validate(&valid, today()),
            Ok(Some(valid.clone()))
        );
        assert_eq!(CorrectableField::Major.validate("", today()), Ok(None));
    }

    #[test]
    fn a_reason_is_required() {
        assert_eq!(correction_reason("  "), Err(CorrectionError::NoReason));
        assert_eq!(correction_reason(" 错别字 "), Ok("错别字".to_string()));
    }
}
