//! The campus close-out's store jobs, answered on the `station-ops` thread through the
//! station's use cases (each needs the campus server).

use anyhow::Result;

use super::messages::{CampusStoreEvent, CampusStoreJob};
use crate::app::store_worker::jobs::{StoreEvent, StoreSetup, refused};
use crate::station;
use crate::store::Store;

/// Answers one campus job.
pub(in crate::app) fn handle(
    store: &mut Store,
    setup: &StoreSetup,
    job: CampusStoreJob,
) -> Result<StoreEvent> {
    let answer = match job {
        CampusStoreJob::Gate { school } => campus_gate(setup, &school),
        CampusStoreJob::Seal { school, session } => {
            match station::close_out::seal(
                store,
                setup.reach(),
                &setup.photos_dir,
                &school,
                &session,
            ) {
                Ok(_) => campus_gate(setup, &school),
                Err(error) => CampusStoreEvent::Refused(error.message()),
            }
        }
        CampusStoreJob::WriteOff {
            school,
            station,
            reason,
            session,
        } => {
            match station::close_out::write_off(
                store,
                setup.reach(),
                &school,
                &station,
                &reason,
                &session,
            ) {
                Ok(()) => campus_gate(setup, &school),
                Err(error) => refused(error, CampusStoreEvent::Refused)?,
            }
        }
        CampusStoreJob::RotatePassword { session } => {
            match station::stations::rotate_password(
                store,
                setup.reach(),
                &session,
                &setup.data_dir,
            ) {
                Ok(()) => CampusStoreEvent::PasswordRotated,
                Err(error) => refused(error, CampusStoreEvent::Refused)?,
            }
        }
        CampusStoreJob::CloseOut {
            school,
            calendar,
            session,
        } => {
            match station::close_out::close_out(
                store,
                setup.reach(),
                &setup.photos_dir,
                &school,
                chrono::Local::now().date_naive(),
                &calendar,
                &session,
            ) {
                Ok(outcome) => CampusStoreEvent::Closed(Box::new(outcome)),
                Err(error) => refused(error, CampusStoreEvent::Refused)?,
            }
        }
    };
    Ok(StoreEvent::Campus(answer))
}

/// The school's gate and campus report, or why the server could not say.
fn campus_gate(setup: &StoreSetup, school: &str) -> CampusStoreEvent {
    match station::close_out::gate(setup.reach(), school) {
        Ok(view) => CampusStoreEvent::Gate(Box::new(view)),
        Err(error) => CampusStoreEvent::Refused(error.message()),
    }
}
