//! The campus's stations as a supervisor manages them from a booth: the list, and revoking the
//! station of a lost or stolen laptop (its login stops working at once, its uploads stay).

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
