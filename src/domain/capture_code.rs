//! Capture codes (采集码): the opaque payload of the student's QR code. Its format is not public,
//! so it is stored verbatim and only checked against configurable rules. A vendor decoder can be
//! plugged in through [`CaptureCodeDecoder`].

use regex::Regex;

/// Prefix of the project's own demo payloads. Clearly not an official 学信网 format.
pub const DEMO_PREFIX: &str = "CSDEMO-";
/// A QR code starting with this is not a student's code but a campus join token (shown by a
/// station that joined a campus, for the next one to scan).
pub const CAMPUS_TOKEN_SCHEME: &str = "capture-station-campus://";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureCodeError {
    #[error("capture code is empty")]
    Empty,
    #[error("capture code has {len} characters, more than the allowed {max}")]
    TooLong { len: usize, max: usize },
    #[error("capture code contains a control character at position {position}")]
    ControlCharacter { position: usize },
    #[error("capture code does not match the configured pattern")]
    PatternMismatch,
}

/// What a payload must satisfy to be accepted. Configured per station.
#[derive(Debug, Clone)]
pub struct CaptureCodeRules {
    pub max_len: usize,
    pub pattern: Option<Regex>,
}

impl Default for CaptureCodeRules {
    fn default() -> Self {
        Self {
            max_len: 1024,
            pattern: None,
        }
    }
}

impl CaptureCodeRules {
    pub fn validate(&self, payload: &str) -> Result<CaptureCode, CaptureCodeError> {
        let trimmed = payload.trim();
        if trimmed.is_empty() {
            return Err(CaptureCodeError::Empty);
        }
        if let Some(position) = trimmed
            .chars()
            .position(|c| c.is_control() || crate::domain::text::is_invisible_format(c))
        {
            return Err(CaptureCodeError::ControlCharacter {
                position: position + 1,
            });
        }
        let len = trimmed.chars().count();
        if len > self.max_len {
            return Err(CaptureCodeError::TooLong {
                len,
                max: self.max_len,
            });
        }
        if let Some(pattern) = &self.pattern
            && !pattern.is_match(trimmed)
        {
            return Err(CaptureCodeError::PatternMismatch);
        }
        Ok(CaptureCode(trimmed.to_string()))
    }
}

/// A payload that passed the rules. The text is kept exactly as scanned (after trimming). Its
/// `Debug` form is masked, so that no log line can carry a whole code.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CaptureCode(String);

impl std::fmt::Debug for CaptureCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CaptureCode").field(&mask(&self.0)).finish()
    }
}

impl CaptureCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_demo(&self) -> bool {
        self.0.starts_with(DEMO_PREFIX)
    }
}

impl std::fmt::Display for CaptureCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The seam where a vendor's decoder for the encrypted payload could plug in. The only
/// implementation here treats the payload as opaque.
pub trait CaptureCodeDecoder: Send + Sync {
    fn decode(&self, payload: &str) -> Result<CaptureCode, CaptureCodeError>;
}

/// Accepts any payload that satisfies the rules, without interpreting it.
#[derive(Debug, Clone, Default)]
pub struct OpaqueDecoder {
    pub rules: CaptureCodeRules,
}

impl CaptureCodeDecoder for OpaqueDecoder {
    fn decode(&self, payload: &str) -> Result<CaptureCode, CaptureCodeError> {
        self.rules.validate(payload)
    }
}

/// Masks a capture code for logs: enough to tell two apart, not enough to reuse.
pub fn mask(code: &str) -> String {
    let prefix: String = code.chars().take(4).collect();
    format!("{prefix}…({} chars)", code.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_is_trimmed_and_kept_verbatim() {
        let code = CaptureCodeRules::default()
            .validate("  aB3+/=xyz \r\n")
            .unwrap();
        assert_eq!(code.as_str(), "aB3+/=xyz");
    }

    #[test]
    fn empty_and_control_characters_are_rejected() {
        let rules = CaptureCodeRules::default();
        assert_eq!(rules.validate(" \t "), Err(CaptureCodeError::Empty));
        assert_eq!(
            rules.validate("ab\u{0}cd"),
            Err(CaptureCodeError::ControlCharacter { position: 3 })
        );
        // A bidirectional override or a zero-width character would make a code that looks like
        // another student's.
        assert_eq!(
            rules.validate("CODE\u{202E}1000"),
            Err(CaptureCodeError::ControlCharacter { position: 5 })
        );
        assert_eq!(
            rules.validate("CODE\u{200B}0001"),
            Err(CaptureCodeError::ControlCharacter { position: 5 })
        );
    }

    #[test]
    fn length_limit_counts_characters() {
        let rules = CaptureCodeRules {
            max_len: 3,
            pattern: None,
        };
        assert!(rules.validate("采集码").is_ok());
        assert_eq!(
            rules.validate("abcd"),
            Err(CaptureCodeError::TooLong { len: 4, max: 3 })
        );
    }

    #[test]
    fn optional_pattern_is_enforced() {
        let rules = CaptureCodeRules {
            max_len: 100,
            pattern: Some(Regex::new(r"^[A-Za-z0-9+/=-]+$").unwrap()),
        };
        assert!(rules.validate("CSDEMO-0001").is_ok());
        assert_eq!(
            rules.validate("有中文"),
            Err(CaptureCodeError::PatternMismatch)
        );
    }

    #[test]
    fn opaque_decoder_applies_the_rules() {
        let decoder = OpaqueDecoder::default();
        assert!(decoder.decode("CSDEMO-1").unwrap().is_demo());
        assert!(decoder.decode("").is_err());
    }

    #[test]
    fn masked_code_hides_the_payload() {
        assert_eq!(mask("CSDEMO-123456"), "CSDE…(13 chars)");
    }
}
