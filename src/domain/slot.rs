//! Booked time slots (预约时段) as the mini-program exports them: a date, optionally with a time
//! range. Kept only as information: any time in the collection period is fine for the student.

use chrono::{NaiveDate, NaiveTime};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a slot like 2026-11-02 09:00-10:00")]
pub struct SlotError(pub String);

/// Parses `2026-11-02`, `2026/11/2 09:00-10:00`, `2026-11-02 09:00~10:00` or
/// `2026-11-02 上午` and returns the normalised text (`2026-11-02 09:00-10:00`).
pub fn parse_slot(text: &str) -> Result<String, SlotError> {
    let error = || SlotError(text.trim().to_string());
    let trimmed = text.trim();
    let (date_part, rest) = trimmed
        .split_once(char::is_whitespace)
        .map(|(d, r)| (d, r.trim()))
        .unwrap_or((trimmed, ""));
    let date = parse_date(date_part).ok_or_else(error)?;
    if rest.is_empty() {
        return Ok(date.format("%Y-%m-%d").to_string());
    }
    if matches!(rest, "上午" | "下午" | "晚上" | "全天") {
        return Ok(format!("{} {rest}", date.format("%Y-%m-%d")));
    }
    let (start, end) = rest
        .split_once(['-', '~', '～', '至', '–'])
        .ok_or_else(error)?;
    let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok();
    let (start, end) = (time(start).ok_or_else(error)?, time(end).ok_or_else(error)?);
    if end <= start {
        return Err(error());
    }
    Ok(format!(
        "{} {}-{}",
        date.format("%Y-%m-%d"),
        start.format("%H:%M"),
        end.format("%H:%M")
    ))
}

/// Dates as spreadsheets write them: `2026-11-02`, `2026/11/2`, `2026.11.02`, `2026年11月2日`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let unified: String = text
        .trim()
        .replace(['/', '.', '年', '月'], "-")
        .trim_end_matches('日')
        .to_string();
    NaiveDate::parse_from_str(&unified, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_spellings_normalise() {
        assert_eq!(
            parse_slot("2026/11/2 9:00-10:00"),
            Ok("2026-11-02 09:00-10:00".into())
        );
        assert_eq!(
            parse_slot("2026-11-02 09:00~10:30"),
            Ok("2026-11-02 09:00-10:30".into())
        );
        assert_eq!(parse_slot("2026-11-02"), Ok("2026-11-02".into()));
        assert_eq!(
            parse_slot("2026年11月2日 上午"),
            Ok("2026-11-02 上午".into())
        );
    }

    #[test]
    fn bad_slots_are_errors() {
        assert!(parse_slot("明天").is_err());
        assert!(parse_slot("2026-02-30 09:00-10:00").is_err());
        assert!(parse_slot("2026-11-02 10:00-09:00").is_err());
        assert!(parse_slot("2026-11-02 25:00-26:00").is_err());
    }
}
