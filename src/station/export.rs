//! Exporting a school's photos for 学信网: a single station exports what it shot; a joined one
//! exports the campus's photos, whichever booth shot them, and verifies the folder.

use std::path::Path;

use super::{Reach, StationResult};
use crate::store::{Permission, Session, Store};
use crate::transfer::school_export::{ExportRequest, SchoolExport};

/// Writes the export; `progress(done, total)` follows the photos.
pub fn export_school(
    store: &mut Store,
    reach: Reach,
    dirs: (&Path, &Path),
    session: &Session,
    request: &ExportRequest,
    available_space: impl Fn(&Path) -> Option<u64>,
    progress: impl FnMut(usize, usize),
) -> StationResult<SchoolExport> {
    let (data_dir, photos_dir) = dirs;
    match reach {
        Reach::Campus(link) => {
            store.authorize(session, Permission::Export, Some(&request.school))?;
            let mut client = link.connect()?;
            Ok(crate::campus::export::export_school_verified(
                &mut client,
                request,
                data_dir,
                available_space,
                progress,
            )?)
        }
        Reach::Local => Ok(crate::transfer::school_export::export_school(
            store,
            photos_dir,
            session,
            request,
            available_space,
            progress,
        )?),
    }
}
