//! The capture feature's store jobs, answered on the store threads.

use anyhow::Result;

use crate::app::store_worker::jobs::{StoreEvent, StoreSetup};
use crate::station;
use crate::store::MatchKind;
use crate::store::Store;
use crate::store::captures::NewCapture;

use super::messages::{CaptureStoreEvent, CaptureStoreJob};
use crate::app::store_worker::support::*;

/// Answers one job of the feature.
pub(in crate::app) fn handle(
    store: &mut Store,
    setup: &StoreSetup,
    job: CaptureStoreJob,
) -> Result<StoreEvent> {
    Ok(match job {
        CaptureStoreJob::ResolveCode(code) => {
            let hit = store
                .lookup(&code, 1)?
                .into_iter()
                .find(|hit| hit.matched_by == MatchKind::CaptureCode);
            let card = match hit {
                Some(hit) => Some(Box::new(card_for(store, setup, hit.booking)?)),
                None => None,
            };
            StoreEvent::Capture(CaptureStoreEvent::CodeResolved { code, card })
        }
        CaptureStoreJob::Search {
            query,
            generation,
            for_supervisor,
        } => StoreEvent::Capture(CaptureStoreEvent::SearchResults {
            generation,
            for_supervisor,
            hits: store.lookup(&query, SEARCH_LIMIT)?,
        }),
        CaptureStoreJob::OpenBooking(id) => {
            let booking = store.booking(&id)?;
            StoreEvent::Capture(CaptureStoreEvent::CardLoaded(Box::new(card_for(
                store, setup, booking,
            )?)))
        }
        CaptureStoreJob::SaveCapture(request) => {
            station::capture::save(
                store,
                setup.reach(),
                &setup.photos_dir,
                NewCapture {
                    booking_id: &request.booking_id,
                    jpeg: &request.jpeg,
                    original_jpeg: request.original_jpeg.as_deref(),
                    spec_report: request.report.clone(),
                    spec_ok: request.spec_ok,
                    overridden: request.overridden,
                    session: &request.session,
                },
            )?;
            StoreEvent::Capture(CaptureStoreEvent::CaptureSaved {
                booking_id: request.booking_id,
            })
        }
    })
}
