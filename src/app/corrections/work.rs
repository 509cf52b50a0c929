//! The corrections feature's store jobs, answered on the store threads.

use crate::store::Correction;

use anyhow::Result;

use crate::app::store_worker::jobs::{StoreEvent, StoreSetup};
use crate::store::Store;

use super::messages::{CorrectionsStoreEvent, CorrectionsStoreJob};
use crate::app::store_worker::support::*;

/// Answers one job of the feature.
pub(in crate::app) fn handle(
    store: &mut Store,
    setup: &StoreSetup,
    job: CorrectionsStoreJob,
) -> Result<StoreEvent> {
    Ok(match job {
        CorrectionsStoreJob::Correct {
            booking_id,
            field,
            value,
            reason,
            confirmed,
            session,
        } => {
            let outcome = store.correct_student(
                Correction {
                    booking_id: &booking_id,
                    field,
                    new_value: value,
                    reason: &reason,
                    confirmed_after_capture: confirmed,
                },
                &session,
            )?;
            StoreEvent::Corrections(CorrectionsStoreEvent::Corrected {
                booking: Box::new(store.booking(&booking_id)?),
                history: store.corrections_for(&booking_id)?,
                outcome,
            })
        }
        CorrectionsStoreJob::SelectForCorrection(id) => {
            StoreEvent::Corrections(CorrectionsStoreEvent::Selected {
                booking: Box::new(store.booking(&id)?),
                history: store.corrections_for(&id)?,
            })
        }
        CorrectionsStoreJob::ApproveRetake {
            booking_id,
            session,
        } => {
            store.approve_retake(&booking_id, &session)?;
            let booking = store.booking(&booking_id)?;
            StoreEvent::Corrections(CorrectionsStoreEvent::RetakeApproved(Box::new(card_for(
                store, setup, booking,
            )?)))
        }
        CorrectionsStoreJob::FlagDetails {
            booking_id,
            session,
        } => {
            store.flag_details(&booking_id, &session)?;
            let booking = store.booking(&booking_id)?;
            StoreEvent::Corrections(CorrectionsStoreEvent::DetailsFlagged {
                card: Box::new(card_for(store, setup, booking)?),
                history: store.corrections_for(&booking_id)?,
            })
        }
        CorrectionsStoreJob::OverrideDispute {
            booking_id,
            session,
        } => {
            store.override_details_dispute(&booking_id, &session)?;
            let booking = store.booking(&booking_id)?;
            StoreEvent::Corrections(CorrectionsStoreEvent::DisputeOverridden(Box::new(
                card_for(store, setup, booking)?,
            )))
        }
    })
}
