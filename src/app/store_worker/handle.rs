//! Answering one job: the store's own operations, and the station's use cases for the ones
//! that may reach the campus.

use anyhow::Result;

use crate::store::{Permission, Store};

use super::jobs::*;

use super::support::*;

pub(super) fn handle(
    store: &mut Store,
    setup: &StoreSetup,
    job: StoreJob,
    send: &dyn Fn(StoreEvent),
) -> Result<StoreEvent> {
    Ok(match job {
        StoreJob::Capture(job) => crate::app::capture::work::handle(store, setup, job)?,
        StoreJob::WalkIn(job) => crate::app::walk_in_desk::work::handle(store, setup, job)?,
        StoreJob::Corrections(job) => crate::app::corrections::work::handle(store, setup, job)?,
        StoreJob::Schools(job) => crate::app::schools::work::handle(store, setup, job)?,
        StoreJob::RefreshCounts => StoreEvent::Counts(store.day_counts(today())?),
        StoreJob::CloseOut(job) => crate::app::close_out::work::handle(store, setup, job)?,
        StoreJob::Transfer(job) => crate::app::transfer::work::handle(store, setup, job, send)?,
        StoreJob::Campus(job) => crate::app::campus::work::handle(store, setup, job)?,
        StoreJob::RecordEvent {
            kind,
            subject,
            session,
        } => {
            store.record_supervisor_exception(kind, &subject, &session)?;
            StoreEvent::Recorded
        }
        StoreJob::SaveSettings { file, session } => {
            store.authorize(&session, Permission::ChangeSettings, None)?;
            StoreEvent::SettingsSaved(Box::new(crate::config::StationConfig::save(
                &setup.data_dir,
                *file,
            )?))
        }
        StoreJob::Accounts(job) => crate::app::accounts::work::handle(store, setup, job)?,
    })
}
