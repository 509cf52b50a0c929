//! The school report: where the collection stands, captures per hour per station, and the
//! median time per student (the pace the queue actually moved at).

use chrono::{DateTime, NaiveDate};
use serde::Serialize;

use super::{Store, StoreResult};

/// Gaps longer than this between two captures at one station are breaks, not students.
const BREAK_SECONDS: f64 = 600.0;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SchoolReport {
    pub school: String,
    pub date: Option<NaiveDate>,
    pub orders: usize,
    pub captured: usize,
    pub walk_ins_with_id: usize,
    pub walk_ins_without_id: usize,
    pub remaining: usize,
    pub cancelled: usize,
    pub refunds_pending: usize,
    pub refunds_done: usize,
    pub per_hour: Vec<HourCount>,
    pub median_seconds_per_student: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HourCount {
    pub station: String,
    /// `YYYY-MM-DD HH:00`, local time.
    pub hour: String,
    pub captures: usize,
}

impl SchoolReport {
    /// Names this booth's own station in the hourly figures (the store knows it by its id only)
    /// and shortens other stations' ids to their first 8 characters, enough to tell them apart.
    /// A campus station's name (what a pulled capture carries) stays whole.
    pub fn name_stations(&mut self, own_id: &str, own_name: &str) {
        for hour in &mut self.per_hour {
            if hour.station == own_id {
                hour.station = own_name.to_string();
            } else if uuid::Uuid::parse_str(&hour.station).is_ok() {
                hour.station = hour.station.chars().take(8).collect();
            }
        }
    }
}

impl Store {
    /// The report for `school`; with `date`, the capture figures cover that day only.
    pub fn school_report(
        &self,
        school: &str,
        date: Option<NaiveDate>,
    ) -> StoreResult<SchoolReport> {
        let school_id = self.school_id(school)?;
        let mut report = SchoolReport {
            school: school.to_string(),
            date,
            ..SchoolReport::default()
        };
        let mut stmt = self.conn.prepare(
            "SELECT b.status, b.source, s.has_id_card, COUNT(*)
             FROM students s CROSS JOIN bookings b ON b.student_id = s.id
             WHERE s.school_id = ?1 GROUP BY 1, 2, 3",
        )?;
        let groups = stmt.query_map([&school_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for group in groups {
            let (status, source, has_id_card, count) = group?;
            let count = count as usize;
            report.orders += count;
            match status.as_str() {
                "captured" => report.captured += count,
                "booked" => report.remaining += count,
                // Each booking in one figure: a cancelled order up for refund is counted as a
                // refund waiting, not a second time as cancelled.
                "cancelled" => report.cancelled += count,
                "refund_pending" => report.refunds_pending += count,
                "refunded" => report.refunds_done += count,
                _ => {}
            }
            if source == "walk_in" {
                if has_id_card {
                    report.walk_ins_with_id += count;
                } else {
                    report.walk_ins_without_id += count;
                }
            }
        }
        let day = date
            .map(|d| format!("{}%", d.format("%Y-%m-%d")))
            .unwrap_or_else(|| "%".to_string());
        let mut stmt = self.conn.prepare(
            "SELECT c.station_id, c.captured_at
             FROM students s CROSS JOIN bookings b ON b.student_id = s.id
             CROSS JOIN captures c ON c.booking_id = b.id
             WHERE s.school_id = ?1 AND c.captured_at LIKE ?2 AND c.superseded = 0
             ORDER BY c.station_id, c.captured_at",
        )?;
        let captures: Vec<(String, String)> = stmt
            .query_map([&school_id, &day], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut gaps = Vec::new();
        let mut previous: Option<(&str, DateTime<chrono::FixedOffset>)> = None;
        for (station, at) in &captures {
            let hour = format!(
                "{} {}:00",
                at.get(..10).unwrap_or(at),
                at.get(11..13).unwrap_or("00")
            );
            match report.per_hour.last_mut() {
                Some(last) if last.station == *station && last.hour == hour => last.captures += 1,
                _ => report.per_hour.push(HourCount {
                    station: station.clone(),
                    hour,
                    captures: 1,
                }),
            }
            let Ok(time) = DateTime::parse_from_rfc3339(at) else {
                continue;
            };
            if let Some((last_station, last_time)) = previous
                && last_station == station
            {
                let seconds = (time - last_time).num_milliseconds() as f64 / 1000.0;
                if seconds > 0.0 && seconds <= BREAK_SECONDS {
                    gaps.push(seconds);
                }
            }
            previous = Some((station, time));
        }
        gaps.sort_by(f64::total_cmp);
        report.median_seconds_per_student = (!gaps.is_empty()).then(|| {
            let mid = gaps.len() / 2;
            if gaps.len() % 2 == 1 {
                gaps[mid]
            } else {
                (gaps[mid - 1] + gaps[mid]) / 2.0
            }
        });
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BookingSource;
    use crate::store::bookings::tests::sample;
    use rusqlite::params;

    #[test]
    fn counts_hours_and_pace() {
        let mut store = Store::open_in_memory().unwrap();
        let mut ids = Vec::new();
        for i in 0..4 {
            ids.push(
                store
                    .create_booking(
                        &sample(&format!("A{i}"), "张三"),
                        &crate::store::accounts::test_session(),
                    )
                    .unwrap(),
            );
        }
        let mut walk_in = sample("W1", "李四");
        walk_in.source = BookingSource::WalkIn;
        walk_in.has_id_card = false;
        store
            .create_booking(&walk_in, &crate::store::accounts::test_session())
            .unwrap();
        // Three captures at one station, 30 s and 40 s apart, then one after a long break.
        let times = [
            "2026-11-03T09:00:00+08:00",
            "2026-11-03T09:00:30+08:00",
            "2026-11-03T09:01:10+08:00",
            "2026-11-03T11:00:00+08:00",
        ];
        for (i, (id, at)) in ids.iter().zip(times).enumerate() {
            store
                .conn
                .execute(
                    "INSERT INTO captures (id, booking_id, photo_path, sha256, spec_report, spec_ok,
                         station_id, operator, captured_at, created_at, updated_at)
                     VALUES (?1, ?2, 'p', 's', '{}', 1, 'st-1', 'op', ?3, ?3, ?3)",
                    params![format!("c{i}"), id, at],
                )
                .unwrap();
            store
                .conn
                .execute(
                    "UPDATE bookings SET status = 'captured' WHERE id = ?1",
                    [id],
                )
                .unwrap();
        }
        // A photo replaced by a supervisor's decision is not a second student.
        store
            .conn
            .execute(
                "INSERT INTO captures (id, booking_id, photo_path, sha256, spec_report, spec_ok,
                     station_id, operator, captured_at, created_at, updated_at, superseded)
                 VALUES ('c-old', ?1, 'p', 's', '{}', 1, 'st-1', 'op', ?2, ?2, ?2, 1)",
                params![ids[0], "2026-11-03T09:00:10+08:00"],
            )
            .unwrap();
        let report = store.school_report("示例大学", None).unwrap();
        assert_eq!(
            (report.orders, report.captured, report.remaining),
            (5, 4, 1)
        );
        assert_eq!(
            (report.walk_ins_with_id, report.walk_ins_without_id),
            (0, 1)
        );
        assert_eq!(
            report.per_hour,
            vec![
                HourCount {
                    station: "st-1".into(),
                    hour: "2026-11-03 09:00".into(),
                    captures: 3
                },
                HourCount {
                    station: "st-1".into(),
                    hour: "2026-11-03 11:00".into(),
                    captures: 1
                },
            ]
        );
        assert_eq!(report.median_seconds_per_student, Some(35.0));
        let other_day = store
            .school_report("示例大学", NaiveDate::from_ymd_opt(2026, 11, 4))
            .unwrap();
        assert!(other_day.per_hour.is_empty());
        assert_eq!(other_day.median_seconds_per_student, None);
    }

    #[test]
    fn a_booking_up_for_refund_is_counted_once_and_campus_station_names_stay_whole() {
        let mut store = Store::open_in_memory().unwrap();
        let session = crate::store::accounts::test_session();
        for (order, status) in [
            ("R1", "refund_pending"),
            ("R2", "cancelled"),
            ("R3", "refunded"),
        ] {
            let id = store
                .create_booking(&sample(order, "王五"), &session)
                .unwrap();
            store
                .conn
                .execute(
                    "UPDATE bookings SET status = ?2 WHERE id = ?1",
                    [&id, status],
                )
                .unwrap();
        }
        let report = store.school_report("示例大学", None).unwrap();
        assert_eq!(
            (
                report.orders,
                report.cancelled,
                report.refunds_pending,
                report.refunds_done
            ),
            (3, 1, 1, 1)
        );
        let mut report = SchoolReport {
            per_hour: ["own-id", "西门-2", "01890a5d-ac96-774b-bcce-b302099a8057"]
                .into_iter()
                .map(|station| HourCount {
                    station: station.to_string(),
                    hour: "2026-11-03 09:00".to_string(),
                    captures: 1,
                })
                .collect(),
            ..SchoolReport::default()
        };
        report.name_stations("own-id", "东门-1");
        let names: Vec<&str> = report.per_hour.iter().map(|h| h.station.as_str()).collect();
        assert_eq!(names, ["东门-1", "西门-2", "01890a5d"]);
    }
}
