//! Working days under China's official holiday calendar (法定节假日与调休), and the refund due
//! date that depends on them. The calendar is data: a plain text file that a user extends by one
//! edit when the State Council publishes the next year's notice.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};

/// The refund rule: uncaptured orders are refunded within this many working days of close-out.
pub const REFUND_WORKING_DAYS: u32 = 3;

/// The calendar shipped with the app (`assets/holidays.txt`).
pub const BUILT_IN_CALENDAR: &str = include_str!("../../assets/holidays.txt");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("holiday file line {line}: {reason}")]
pub struct CalendarParseError {
    pub line: usize,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolidayCalendar {
    days_off: BTreeSet<NaiveDate>,
    makeup_workdays: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
}

impl HolidayCalendar {
    /// The built-in calendar. Parsing it is covered by a test, so failure here is a build bug.
    pub fn built_in() -> Self {
        Self::parse(BUILT_IN_CALENDAR).unwrap_or_default()
    }

    /// Parses the holiday file format:
    /// ```text
    /// # comment
    /// off  2026-10-01 2026-10-07   国庆节      (days off, inclusive range; one date for one day)
    /// work 2026-10-10              国庆节调休  (make-up workday)
    /// ```
    pub fn parse(text: &str) -> Result<Self, CalendarParseError> {
        let mut calendar = Self::default();
        for (index, raw_line) in text.lines().enumerate() {
            let line_no = index + 1;
            let line = raw_line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let error = |reason: String| CalendarParseError {
                line: line_no,
                reason,
            };
            let mut words = line.split_whitespace();
            let kind = words.next().unwrap_or_default();
            let first = parse_date(words.next(), line_no)?;
            match kind {
                "off" => {
                    let last = match words.clone().next() {
                        Some(word) if word.starts_with(|c: char| c.is_ascii_digit()) => {
                            parse_date(Some(word), line_no)?
                        }
                        _ => first,
                    };
                    if last < first {
                        return Err(error(format!(
                            "range ends before it starts: {first} {last}"
                        )));
                    }
                    if (last - first).num_days() > 31 {
                        return Err(error("a holiday longer than 31 days is a typo".to_string()));
                    }
                    for day in first.iter_days().take_while(|d| *d <= last) {
                        calendar.days_off.insert(day);
                        calendar.years.insert(day.year());
                    }
                }
                "work" => {
                    calendar.makeup_workdays.insert(first);
                    calendar.years.insert(first.year());
                }
                other => {
                    return Err(error(format!(
                        "expected 'off' or 'work' at the start, found '{other}'"
                    )));
                }
            }
        }
        if let Some(day) = calendar
            .days_off
            .intersection(&calendar.makeup_workdays)
            .next()
        {
            return Err(CalendarParseError {
                line: 0,
                reason: format!("{day} is both a day off and a make-up workday"),
            });
        }
        Ok(calendar)
    }

    /// A make-up workday, or Monday to Friday and not a day off.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.makeup_workdays.contains(&day) {
            return true;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.days_off.contains(&day)
    }

    /// Whether the calendar has data for `year`. Outside it only weekends are known, so callers
    /// should warn that a due date may be early.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// The day on which `working_days` full working days after `start` have passed: the count
    /// starts on the day after `start`, so a Friday close with 3 gives the next Wednesday.
    pub fn due_date(&self, start: NaiveDate, working_days: u32) -> NaiveDate {
        let mut remaining = working_days;
        let mut day = start;
        while remaining > 0 {
            day = day.succ_opt().unwrap_or(day);
            if self.is_working_day(day) {
                remaining -= 1;
            }
        }
        day
    }
}

fn parse_date(word: Option<&str>, line: usize) -> Result<NaiveDate, CalendarParseError> {
    let word = word.ok_or_else(|| CalendarParseError {
        line,
        reason: "missing date".to_string(),
    })?;
    NaiveDate::parse_from_str(word, "%Y-%m-%d").map_err(|_| CalendarParseError {
        line,
        reason: format!("'{word}' is not a date like 2026-10-01"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn built_in_calendar_parses_and_has_2026() {
        let calendar = HolidayCalendar::parse(BUILT_IN_CALENDAR).unwrap();
        assert!(calendar.covers(2026));
        assert!(!calendar.covers(2027));
        // 国庆节 2026-10-01..07 off, 2026-09-20 (Sun) and 2026-10-10 (Sat) worked.
        assert!(!calendar.is_working_day(date("2026-10-05")));
        assert!(calendar.is_working_day(date("2026-09-20")));
        assert!(calendar.is_working_day(date("2026-10-10")));
        assert!(!calendar.is_working_day(date("2026-02-23")));
        assert!(calendar.is_working_day(date("2026-02-14")));
    }

    #[test]
    fn ordinary_weekdays_and_weekends() {
        let calendar = HolidayCalendar::default();
        assert!(calendar.is_working_day(date("2026-11-27"))); // Friday
        assert!(!calendar.is_working_day(date("2026-11-28"))); // Saturday
        assert_eq!(calendar.due_date(date("2026-11-27"), 3), date("2026-12-02"));
        assert_eq!(calendar.due_date(date("2026-11-28"), 3), date("2026-12-02"));
        assert_eq!(calendar.due_date(date("2026-11-30"), 0), date("2026-11-30"));
    }

    #[test]
    fn holiday_followed_by_weekend_is_skipped() {
        // 清明节 2026-04-04 (Sat) – 04-06 (Mon); then Tue 7, Wed 8, Thu 9.
        let calendar = HolidayCalendar::built_in();
        assert_eq!(calendar.due_date(date("2026-04-03"), 3), date("2026-04-09"));
        // 端午节 Fri 06-19 – Sun 06-21: a close on Thursday 18 is due Tue 06-23... Wed 24.
        assert_eq!(calendar.due_date(date("2026-06-18"), 3), date("2026-06-24"));
    }

    #[test]
    fn make_up_workdays_count() {
        let calendar = HolidayCalendar::built_in();
        // Close on Fri 10-09: Sat 10-10 is a make-up workday, then Mon 12, Tue 13.
        assert_eq!(calendar.due_date(date("2026-10-09"), 3), date("2026-10-13"));
        // Close on Wed 09-30: 10-01..07 off, Thu 8, Fri 9, Sat 10 (make-up).
        assert_eq!(calendar.due_date(date("2026-09-30"), 3), date("2026-10-10"));
    }

    #[test]
    fn a_user_can_add_a_year_with_one_edit() {
        let text = format!("{BUILT_IN_CALENDAR}\noff 2027-01-01  # 元旦 2027\n");
        let calendar = HolidayCalendar::parse(&text).unwrap();
        assert!(calendar.covers(2027));
        assert!(!calendar.is_working_day(date("2027-01-01")));
    }

    #[test]
    fn bad_lines_name_their_line_number() {
        let error = HolidayCalendar::parse("# ok\noff 2026-13-01\n").unwrap_err();
        assert_eq!(error.line, 2);
        let error = HolidayCalendar::parse("holiday 2026-01-01\n").unwrap_err();
        assert_eq!(error.line, 1);
        let error = HolidayCalendar::parse("off 2026-01-05 2026-01-01\n").unwrap_err();
        assert_eq!(error.line, 1);
        assert!(HolidayCalendar::parse("off 2026-01-05\nwork 2026-01-05\n").is_err());
    }
}
