//! What a station recorded before it joined a campus, handed to the campus once, before its
//! first upload: its imported orders (walk-ins and captures are in the outbox already). An order
//! the campus already holds (the same order number, imported there too) takes the campus's ids
//! here, so that its photo lands on the campus's booking instead of being refused as unknown.

use super::CampusResult;
use super::server::CampusClient;
use crate::store::Store;

/// Hands over, unless this station has pulled from or uploaded to the campus already (then its
/// outbox order is fixed and the campus has heard from it).
pub fn hand_over_pre_campus_data(store: &mut Store, client: &mut CampusClient) -> CampusResult<()> {
    if store.replica_cursor()? > 0 || store.outbox_order_fixed()? {
        return Ok(());
    }
    let orders = store.unannounced_orders()?;
    let held = client.held_orders(&orders)?;
    let counts = store.announce_imported_orders(&held)?;
    if counts != Default::default() {
        tracing::info!(
            ?counts,
            "handed this station's data from before it joined to the campus"
        );
    }
    Ok(())
}
