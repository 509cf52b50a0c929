//! Money as integer fen (分). Amounts arrive as yuan text ("25.00") and are never held as floats,
//! so a refund total is exact.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount is empty")]
    Empty,
    #[error("'{0}' is not an amount in yuan like 25.00")]
    NotANumber(String),
    #[error("amount '{0}' has more than two decimals")]
    TooManyDecimals(String),
    #[error("amount '{0}' is negative")]
    Negative(String),
    #[error("amount '{0}' is too large")]
    TooLarge(String),
}

/// Parses yuan text: `25`, `25.5`, `25.00`, `¥25.00`, `1,025.00`.
pub fn parse_yuan(text: &str) -> Result<i64, AmountError> {
    let cleaned: String = text
        .trim()
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    if cleaned.is_empty() {
        return Err(AmountError::Empty);
    }
    if cleaned.starts_with('-') {
        return Err(AmountError::Negative(text.trim().to_string()));
    }
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(AmountError::NotANumber(text.trim().to_string()));
    }
    if fraction.len() > 2 {
        return Err(AmountError::TooManyDecimals(text.trim().to_string()));
    }
    let too_large = || AmountError::TooLarge(text.trim().to_string());
    let yuan: i64 = whole.parse().map_err(|_| too_large())?;
    let fen_part: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
    yuan.checked_mul(100)
        .and_then(|f| f.checked_add(fen_part))
        .ok_or_else(too_large)
}

/// Converts a spreadsheet's numeric cell (yuan as a float) to fen, refusing values that are not a
/// whole number of fen rather than rounding money silently.
pub fn yuan_float_to_fen(value: f64) -> Result<i64, AmountError> {
    if !value.is_finite() {
        return Err(AmountError::NotANumber(value.to_string()));
    }
    if value < 0.0 {
        return Err(AmountError::Negative(value.to_string()));
    }
    let fen = (value * 100.0).round();
    if (value * 100.0 - fen).abs() > 1e-6 {
        return Err(AmountError::TooManyDecimals(value.to_string()));
    }
    if fen > 9.0e15 {
        return Err(AmountError::TooLarge(value.to_string()));
    }
    Ok(fen as i64)
}

/// Formats fen as yuan with two decimals: 2500 → "25.00".
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_text_becomes_fen() {
        assert_eq!(parse_yuan("25.00"), Ok(2500));
        assert_eq!(parse_yuan("25"), Ok(2500));
        assert_eq!(parse_yuan("25.5"), Ok(2550));
        assert_eq!(parse_yuan(" ¥1,025.01 "), Ok(102501));
        assert_eq!(parse_yuan("0.07"), Ok(7));
    }

    #[test]
    fn bad_amounts_are_errors() {
        assert_eq!(parse_yuan(""), Err(AmountError::Empty));
        assert!(matches!(parse_yuan("abc"), Err(AmountError::NotANumber(_))));
        assert!(matches!(
            parse_yuan("25.001"),
            Err(AmountError::TooManyDecimals(_))
        ));
        assert!(matches!(parse_yuan("-3.00"), Err(AmountError::Negative(_))));
        assert!(matches!(parse_yuan(".5"), Err(AmountError::NotANumber(_))));
        assert!(matches!(
            parse_yuan("99999999999999999999"),
            Err(AmountError::TooLarge(_))
        ));
    }

    #[test]
    fn float_cells_must_be_whole_fen() {
        assert_eq!(yuan_float_to_fen(25.0), Ok(2500));
        assert_eq!(yuan_float_to_fen(19.99), Ok(1999));
        assert!(yuan_float_to_fen(1.005).is_err());
        assert!(yuan_float_to_fen(-1.0).is_err());
        assert!(yuan_float_to_fen(f64::NAN).is_err());
    }

    #[test]
    fn formatting() {
        assert_eq!(format_yuan(2500), "25.00");
        assert_eq!(format_yuan(7), "0.07");
        assert_eq!(format_yuan(-150), "-1.50");
    }
}
