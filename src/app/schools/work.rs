//! The schools feature's store jobs, answered on the store threads.

use anyhow::Result;

use crate::app::store_worker::jobs::{StoreEvent, StoreSetup};
use crate::store::Store;

use super::messages::{SchoolsStoreEvent, SchoolsStoreJob};
use crate::app::store_worker::support::*;

/// Answers one job of the feature.
pub(in crate::app) fn handle(
    store: &mut Store,
    _setup: &StoreSetup,
    job: SchoolsStoreJob,
) -> Result<StoreEvent> {
    Ok(match job {
        SchoolsStoreJob::LoadSchools => {
            StoreEvent::Schools(SchoolsStoreEvent::Schools(school_rows(store)?))
        }
        SchoolsStoreJob::AddWindow {
            school,
            window,
            session,
        } => {
            store.add_collection_window(&school, window, &session)?;
            StoreEvent::Schools(SchoolsStoreEvent::Schools(school_rows(store)?))
        }
        SchoolsStoreJob::UpdateWindow {
            window_id,
            window,
            session,
        } => {
            store.update_collection_window(&window_id, window, &session)?;
            StoreEvent::Schools(SchoolsStoreEvent::Schools(school_rows(store)?))
        }
    })
}
