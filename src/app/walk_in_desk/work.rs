//! The walk_in_desk feature's store jobs, answered on the store threads.

use anyhow::Result;

use crate::app::store_worker::jobs::{StoreEvent, StoreSetup};
use crate::store::MatchKind;
use crate::store::Store;

use super::messages::{WalkInStoreEvent, WalkInStoreJob};
use crate::app::store_worker::support::*;

/// Answers one job of the feature.
pub(in crate::app) fn handle(
    store: &mut Store,
    setup: &StoreSetup,
    job: WalkInStoreJob,
) -> Result<StoreEvent> {
    Ok(match job {
        WalkInStoreJob::CreateWalkIn { booking, session } => {
            if let Some((existing, matched_by)) = existing_booking(store, &booking)? {
                // A code is only a key: the same code on someone else is a mistake (a code the
                // camera read from the next phone in the queue), never a reason to open that
                // other student's booking.
                if matched_by == MatchKind::CaptureCode && !same_student(&existing, &booking) {
                    return Ok(StoreEvent::WalkIn(WalkInStoreEvent::WalkInCodeTaken {
                        owner: existing.student.name,
                    }));
                }
                return Ok(StoreEvent::WalkIn(WalkInStoreEvent::WalkInDuplicate(
                    Box::new(card_for(store, setup, existing)?),
                )));
            }
            let id = store.create_booking(&booking, &session)?;
            let booking = store.booking(&id)?;
            StoreEvent::WalkIn(WalkInStoreEvent::WalkInCreated(Box::new(card_for(
                store, setup, booking,
            )?)))
        }
    })
}
