//! Importing a bookings file: a single station imports into its store; a joined one imports
//! into the campus, once for every booth, then pulls at once so that the new orders can be
//! found here straight away (the window used to wait for its next sync; the command line
//! already pulled).

use super::{Reach, StationResult};
use crate::store::{Permission, Session, Store};
use crate::transfer::{ImportOptions, ImportPreview, ImportReport};

/// What the file would do, without changing anything.
pub fn preview(
    store: &mut Store,
    reach: Reach,
    bytes: &[u8],
    options: &ImportOptions,
    session: &Session,
) -> StationResult<ImportPreview> {
    match reach {
        Reach::Campus(link) => {
            store.authorize(session, Permission::ImportBookings, None)?;
            let mut client = link.connect_as(session.name())?;
            Ok(crate::campus::import::preview_file(
                &mut client,
                bytes,
                options,
            )?)
        }
        Reach::Local => Ok(crate::transfer::preview_file(
            store, bytes, options, session,
        )?),
    }
}

/// Imports the file; `label` names it in this station's import log.
pub fn import(
    store: &mut Store,
    reach: Reach,
    photos_dir: &std::path::Path,
    bytes: &[u8],
    label: &str,
    options: &ImportOptions,
    session: &Session,
) -> StationResult<ImportReport> {
    match reach {
        Reach::Campus(link) => {
            store.authorize(session, Permission::ImportBookings, None)?;
            let mut client = link.connect_as(session.name())?;
            let report = crate::campus::import::import_file(&mut client, bytes, options)?;
            // The orders reach this station's copy through the pull, like every station's.
            if let Err(error) = crate::campus::sync::sync_once(store, &mut client, photos_dir) {
                tracing::warn!(%error, "imported into the campus; the pull waits for the sync");
            }
            link.nudge();
            Ok(report)
        }
        Reach::Local => Ok(crate::transfer::import_file(
            store, bytes, label, options, session,
        )?),
    }
}
