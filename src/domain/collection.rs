//! A school's collection period (集中采集时间): one or more dated windows, inclusive of both
//! end dates. Any time inside any window is fine for a student, whatever slot they booked.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CollectionWindow {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("collection window ends ({last_day}) before it starts ({first_day})")]
pub struct WindowOrderError {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

/// A day typed by a person that is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a date like 2026-11-02")]
pub struct DayError(pub String);

/// A day as people type it: 2026-11-02, 2026/11/2, 2026.11.2 or 2026年11月2日. The window and the
/// command line both read collection windows with this.
pub fn parse_day(text: &str) -> Result<NaiveDate, DayError> {
    super::slot::parse_date(text).ok_or_else(|| DayError(text.trim().to_string()))
}

impl CollectionWindow {
    pub fn new(first_day: NaiveDate, last_day: NaiveDate) -> Result<Self, WindowOrderError> {
        if last_day < first_day {
            return Err(WindowOrderError {
                first_day,
                last_day,
            });
        }
        Ok(Self {
            first_day,
            last_day,
        })
    }

    pub fn contains(&self, at: NaiveDateTime) -> bool {
        (self.first_day..=self.last_day).contains(&at.date())
    }

    /// Still open at `at`: the window has not ended yet (it may not have started either).
    pub fn is_open_or_upcoming(&self, at: NaiveDateTime) -> bool {
        at.date() <= self.last_day
    }
}

/// Is `at` inside the school's collection period?
pub fn within_period(windows: &[CollectionWindow], at: NaiveDateTime) -> bool {
    windows.iter().any(|w| w.contains(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn both_end_days_are_inside() {
        let window = CollectionWindow::new(date("2026-11-02"), date("2026-11-04")).unwrap();
        assert!(window.contains(at("2026-11-02 00:00")));
        assert!(window.contains(at("2026-11-04 23:59")));
        assert!(!window.contains(at("2026-11-05 00:00")));
        assert!(!window.contains(at("2026-11-01 23:59")));
    }

    #[test]
    fn any_window_of_several_counts() {
        let windows = [
            CollectionWindow::new(date("2026-11-02"), date("2026-11-03")).unwrap(),
            CollectionWindow::new(date("2026-11-10"), date("2026-11-10")).unwrap(),
        ];
        assert!(within_period(&windows, at("2026-11-10 12:00")));
        assert!(!within_period(&windows, at("2026-11-05 12:00")));
        assert!(!within_period(&[], at("2026-11-05 12:00")));
    }

    #[test]
    fn reversed_window_is_refused() {
        assert!(CollectionWindow::new(date("2026-11-04"), date("2026-11-02")).is_err());
    }

    #[test]
    fn open_or_upcoming() {
        let window = CollectionWindow::new(date("2026-11-02"), date("2026-11-04")).unwrap();
        assert!(window.is_open_or_upcoming(at("2026-11-01 09:00")));
        assert!(window.is_open_or_upcoming(at("2026-11-04 18:00")));
        assert!(!window.is_open_or_upcoming(at("2026-11-05 00:00")));
    }
}
