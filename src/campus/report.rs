//! The campus report, from the server's records: bookings by state for the campus (or one
//! school), and per station its captures, captures per hour and the median seconds per student;
//! the conflicts still open; the stations that have not sealed the school yet.

use serde::Serialize;

use super::CampusResult;
use super::server::CampusClient;

/// Gaps between two captures longer than this are breaks, not a student's time at the booth.
pub const LONGEST_STUDENT_SECONDS: f64 = 600.0;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourCount {
    /// The hour on the station's own clock, `YYYY-MM-DD HH:00`.
    pub hour: String,
    pub captures: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StationReport {
    pub station: String,
    /// The station's photos that count (the active capture of each booking).
    pub captures: i64,
    /// Median time from one student's photo to the next at this station, breaks left out.
    pub median_seconds_per_student: Option<f64>,
    pub per_hour: Vec<HourCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampusReport {
    pub school: Option<String>,
    pub bookings: i64,
    pub captured: i64,
    pub still_booked: i64,
    pub refund_pending: i64,
    pub refunded: i64,
    pub stations: Vec<StationReport>,
    pub open_conflicts: i64,
    /// With a school: the stations that neither sealed it nor were written off.
    pub not_sealed: Vec<String>,
}

impl CampusClient {
    pub fn report(&mut self, school: Option<&str>) -> CampusResult<CampusReport> {
        let client = self.client();
        let totals = client.query_one(
            "SELECT count(*),
                    count(*) FILTER (WHERE status = 'captured'),
                    count(*) FILTER (WHERE status = 'booked'),
                    count(*) FILTER (WHERE status = 'refund_pending'),
                    count(*) FILTER (WHERE status = 'refunded')
             FROM bookings WHERE $1::text IS NULL OR school = $1",
            &[&school],
        )?;
        if let Some(school) = school
            && totals.get::<_, i64>(0) == 0
        {
            return Err(super::CampusRefusal::UnknownSchool(school.to_string()).into());
        }
        // The station's clock, without its offset: an hour is the hour the booth lived.
        let stations = client.query(
            "WITH shots AS (
                 SELECT c.station, c.captured_at::timestamp AS at
                 FROM captures c JOIN bookings b ON b.id = c.booking_id
                 WHERE c.active AND ($1::text IS NULL OR b.school = $1)
             ), gaps AS (
                 SELECT station, at,
                        extract(epoch FROM at - lag(at) OVER (PARTITION BY station ORDER BY at))
                            AS gap
                 FROM shots
             )
             SELECT s.name,
                    count(g.at),
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY g.gap::float8)
                        FILTER (WHERE g.gap <= $2::float8)
             FROM stations s LEFT JOIN gaps g ON g.station = s.name
             GROUP BY s.name ORDER BY s.name",
            &[&school, &LONGEST_STUDENT_SECONDS],
        )?;
        let hours = client.query(
            "SELECT c.station, to_char(date_trunc('hour', c.captured_at::timestamp),
                                       'YYYY-MM-DD HH24:00'), count(*)
             FROM captures c JOIN bookings b ON b.id = c.booking_id
             WHERE c.active AND ($1::text IS NULL OR b.school = $1)
             GROUP BY 1, 2 ORDER BY 1, 2",
            &[&school],
        )?;
        let open_conflicts: i64 = client
            .query_one(
                "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL",
                &[],
            )?
            .get(0);
        let stations = stations
            .iter()
            .map(|row| {
                let station: String = row.get(0);
                let per_hour = hours
                    .iter()
                    .filter(|hour| hour.get::<_, String>(0) == station)
                    .map(|hour| HourCount {
                        hour: hour.get(1),
                        captures: hour.get(2),
                    })
                    .collect();
                StationReport {
                    captures: row.get(1),
                    median_seconds_per_student: row.get(2),
                    per_hour,
                    station,
                }
            })
            .collect();
        let not_sealed = match school {
            Some(school) => self
                .close_gate(school)?
                .into_iter()
                .filter(|g| g.blocks())
                .map(|g| g.station)
                .collect(),
            None => Vec::new(),
        };
        Ok(CampusReport {
            school: school.map(str::to_string),
            bookings: totals.get(0),
            captured: totals.get(1),
            still_booked: totals.get(2),
            refund_pending: totals.get(3),
            refunded: totals.get(4),
            stations,
            open_conflicts,
            not_sealed,
        })
    }
}
