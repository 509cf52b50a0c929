//! The status bar's figures for one day: photos taken, students still booked, walk-ins booked.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Store, StoreResult};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DayCounts {
    /// Bookings whose current photo was taken that day.
    pub captured: usize,
    /// Bookings still waiting for a photo, whatever their day.
    pub remaining_booked: usize,
    /// Walk-in bookings created that day.
    pub walk_ins: usize,
}

impl Store {
    pub fn day_counts(&self, day: NaiveDate) -> StoreResult<DayCounts> {
        // Stored times are local RFC 3339, so the day is their first ten characters.
        let prefix = format!("{}%", day.format("%Y-%m-%d"));
        let count = |sql: &str, with_day: bool| -> StoreResult<usize> {
            let value: i64 = if with_day {
                self.conn.query_row(sql, [&prefix], |r| r.get(0))?
            } else {
                self.conn.query_row(sql, [], |r| r.get(0))?
            };
            Ok(value as usize)
        };
        Ok(DayCounts {
            captured: count(
                "SELECT COUNT(DISTINCT booking_id) FROM captures
                 WHERE superseded = 0 AND captured_at LIKE ?1",
                true,
            )?,
            remaining_booked: count(
                "SELECT COUNT(*) FROM bookings WHERE status = 'booked'",
                false,
            )?,
            walk_ins: count(
                "SELECT COUNT(*) FROM bookings WHERE source = 'walk_in' AND created_at LIKE ?1",
                true,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BookingSource;
    use crate::store::bookings::tests::sample;

    #[test]
    fn counts_follow_the_bookings() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .create_booking(
                &sample("A1", "张三"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        let mut walk_in = sample("A2", "李四");
        walk_in.source = BookingSource::WalkIn;
        store
            .create_booking(&walk_in, &crate::store::accounts::test_session())
            .unwrap();
        let today = chrono::Local::now().date_naive();
        assert_eq!(
            store.day_counts(today).unwrap(),
            DayCounts {
                captured: 0,
                remaining_booked: 2,
                walk_ins: 1
            }
        );
        let other_day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        assert_eq!(store.day_counts(other_day).unwrap().walk_ins, 0);
    }
}
