//! The campus's stations as a supervisor manages them from a booth: the list, revoking the
//! station of a lost or stolen laptop (its login stops working at once, its uploads stay), a
//! new password for this station's own login, and settling a conflict between stations.

use super::{Reach, StationResult};
use crate::campus::server::StationRow;
use crate::store::{Permission, Session, Store};

/// Every station of the campus, revoked ones included.
pub fn list(reach: Reach) -> StationResult<Vec<StationRow>> {
    Ok(reach.joined()?.connect()?.stations()?)
}

/// Revokes `station`; the campus checks the supervisor's ticket. Returns how many of its
/// connections were ended.
pub fn revoke(store: &Store, reach: Reach, session: &Session, station: &str) -> StationResult<i64> {
    store.authorize(session, Permission::ChangeSettings, None)?;
    Ok(reach
        .joined()?
        .connect_as(session.name())?
        .revoke_station(station)?)
}

/// Settles campus conflict `conflict_id` with `decision` (`use_this`, `keep_existing`,
/// `keep_both`); the campus checks the supervisor's ticket and records who decided, from which
/// station.
pub fn resolve_conflict(
    store: &Store,
    reach: Reach,
    session: &Session,
    conflict_id: i64,
    decision: &str,
) -> StationResult<()> {
    store.authorize(session, Permission::ChangeSettings, None)?;
    let link = reach.joined()?;
    let decided_by = format!("{}@{}", session.name(), link.station());
    Ok(link
        .connect_as(session.name())?
        .resolve_conflict(conflict_id, decision, &decided_by)?)
}

/// Gives this station's campus login a new password; the running workers use it at once.
pub fn rotate_password(
    store: &Store,
    reach: Reach,
    session: &Session,
    data_dir: &std::path::Path,
) -> StationResult<()> {
    // The station's credential is the supervisor's to change.
    store.authorize(session, Permission::ChangeSettings, None)?;
    Ok(reach.joined()?.rotate_password(data_dir)?)
}
