//! Closing a school. A single station closes it in its own store; a joined one closes it for
//! the whole campus once every station has sealed it (or was written off), and never alone.

use chrono::{NaiveDate, NaiveDateTime};

use super::{Reach, StationResult};
use crate::campus::close_out::{CampusCloseOutcome, GateStation};
use crate::campus::report::CampusReport;
use crate::domain::HolidayCalendar;
use crate::domain::working_days::REFUND_WORKING_DAYS;
use crate::store::close_out::CloseOutcome;
use crate::store::{Permission, Refusal, Session, Store, StoreError};

/// A school's close-out gate on the campus, with the campus's report of it.
#[derive(Debug, Clone, PartialEq)]
pub struct CampusGateView {
    pub school: String,
    pub gate: Vec<GateStation>,
    pub report: CampusReport,
}

/// Closes `school` at this station: its uncaptured orders are put up for refund. A joined
/// station is refused: only the campus closes a school, or a photo at another booth would be
/// refunded.
pub fn close_session(
    store: &mut Store,
    reach: Reach,
    school: &str,
    at: NaiveDateTime,
    force: bool,
    calendar: &HolidayCalendar,
    session: &Session,
) -> StationResult<CloseOutcome> {
    match reach {
        Reach::Campus(_) => Err(StoreError::from(Refusal::CampusCloseOnly).into()),
        Reach::Local => Ok(store.close_session(school, at, force, calendar, session)?),
    }
}

/// Which stations sealed `school`, and the campus's counts for it.
pub fn gate(reach: Reach, school: &str) -> StationResult<CampusGateView> {
    let mut client = reach.joined()?.connect()?;
    Ok(CampusGateView {
        school: school.to_string(),
        gate: client.close_gate(school)?,
        report: client.report(Some(school))?,
    })
}

/// Seals `school` at this station: its uploads are complete; returns the last event sent.
pub fn seal(
    store: &mut Store,
    reach: Reach,
    photos_dir: &std::path::Path,
    school: &str,
    session: &Session,
) -> StationResult<i64> {
    let link = reach.joined()?;
    let mut client = link.connect()?;
    let through_seq =
        crate::campus::close_out::seal_station(store, &mut client, photos_dir, school, session)?;
    link.nudge();
    Ok(through_seq)
}

/// Writes `station` off for `school`: it will not seal (lost, broken), and the close-out may
/// go ahead without it.
pub fn write_off(
    store: &mut Store,
    reach: Reach,
    school: &str,
    station: &str,
    reason: &str,
    session: &Session,
) -> StationResult<()> {
    store.authorize(session, Permission::CloseOut, Some(school))?;
    let link = reach.joined()?;
    let decided_by = format!("{}@{}", session.actor(), link.station());
    link.connect_as(session.name())?
        .write_off(station, school, reason, &decided_by)?;
    Ok(())
}

/// Closes `school` for the whole campus; the refunds are due `REFUND_WORKING_DAYS` working days
/// after `today`. The refunds reach this station at once; the others pull them.
pub fn close_out(
    store: &mut Store,
    reach: Reach,
    photos_dir: &std::path::Path,
    school: &str,
    today: NaiveDate,
    calendar: &HolidayCalendar,
    session: &Session,
) -> StationResult<CampusCloseOutcome> {
    store.authorize(session, Permission::CloseOut, Some(school))?;
    let link = reach.joined()?;
    let decided_by = format!("{}@{}", session.actor(), link.station());
    let due_date = calendar.due_date(today, REFUND_WORKING_DAYS);
    let mut client = link.connect_as(session.name())?;
    let outcome = client.close_school(school, due_date, &decided_by)?;
    // Closed on the server: a failed pull is not a failed close. The sync brings the refunds.
    if let Err(error) = crate::campus::sync::sync_once(store, &mut client, photos_dir) {
        tracing::warn!(%error, "closed on the campus; the refunds arrive with the next sync");
    }
    link.nudge();
    Ok(outcome)
}
