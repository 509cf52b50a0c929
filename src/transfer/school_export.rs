//! One school's export as the supervisor runs it, from the command line or the window: check
//! the role, pick the photos (all, or only those flagged for re-export after a correction or
//! retake), refuse before writing anything when the target has too little free space, copy,
//! record the export, then verify the folder against its manifest.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::export::{
    ExportReport, FolderVerdict, Naming, export_folder_name, export_photos_into, verify_export,
};
use crate::store::{ExportRow, Permission, Session, Store};

/// Space kept free beyond the photos and manifests: a USB stick that is filled to the last byte
/// fails in ways nobody wants to debug at a booth.
pub const SPACE_MARGIN_BYTES: u64 = 8 * 1024 * 1024;
/// The folder suffix of an export of the re-export photos only, so that the full export's
/// folder and manifest stay as they were.
pub const REEXPORT_SUFFIX: &str = "-更正重导";

#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub school: String,
    /// The folder `<school>/` is written into (a USB stick, usually).
    pub out: PathBuf,
    pub naming: Naming,
    pub zip: bool,
    /// Only the photos flagged for re-export, into `<school>-更正重导/`.
    pub only_reexports: bool,
    /// This station's name, which the manifest's 采集站 column gives for its own photos (the
    /// store knows the station by its id only).
    pub station_name: Option<String>,
}

/// What an export would need and what the target has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportPlan {
    pub photos: usize,
    /// Students whose photo was corrected or retaken since it was last exported.
    pub reexports: Vec<String>,
    pub needed_bytes: u64,
    /// `None` when the target's free space could not be read.
    pub available_bytes: Option<u64>,
    /// Students the naming cannot name (a walk-in without a capture code, named by code): said
    /// before anything is written, so the supervisor picks another naming or corrects them.
    pub unnamed: Vec<String>,
}

impl ExportPlan {
    pub fn fits(&self) -> bool {
        self.available_bytes
            .is_none_or(|free| self.needed_bytes + SPACE_MARGIN_BYTES <= free)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SchoolExportError {
    #[error("{0} has no captured students to export")]
    NothingToExport(String),
    #[error(
        "the target has {available} MB free, the export needs {needed} MB (with {margin} MB to spare): nothing was written",
        available = .available / 1_000_000,
        needed = .needed / 1_000_000,
        margin = SPACE_MARGIN_BYTES / 1_000_000
    )]
    NoSpace { needed: u64, available: u64 },
    #[error(transparent)]
    Export(#[from] super::export::ExportError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

#[derive(Debug, Clone, Serialize)]
pub struct SchoolExport {
    pub report: ExportReport,
    /// Photos exported again after a correction or retake.
    pub reexported: usize,
    /// The folder checked against its manifest right after writing it.
    pub verdict: Option<FolderVerdict>,
}

/// The rows the request exports.
fn rows_for(store: &Store, request: &ExportRequest) -> Result<Vec<ExportRow>, SchoolExportError> {
    let mut rows = store.export_rows(&request.school)?;
    if let Some(name) = &request.station_name {
        for row in rows
            .iter_mut()
            .filter(|row| row.station_id == store.station_id())
        {
            row.station_id = name.clone();
        }
    }
    if request.only_reexports {
        rows.retain(|row| row.reexport_needed);
    }
    if rows.is_empty() {
        return Err(SchoolExportError::NothingToExport(request.school.clone()));
    }
    Ok(rows)
}

/// Free bytes where `path` is, or on its nearest existing parent (the export folder may not exist
/// yet).
pub fn available_space(path: &Path) -> Option<u64> {
    path.ancestors()
        .find(|p| p.exists())
        .and_then(|p| fs4::available_space(p).ok())
}

/// How much the export needs and the target has; nothing is written.
pub fn plan_export(
    store: &Store,
    photos_dir: &Path,
    request: &ExportRequest,
    available: impl Fn(&Path) -> Option<u64>,
) -> Result<ExportPlan, SchoolExportError> {
    let rows = rows_for(store, request)?;
    let mut plan = plan_rows(&rows, photos_dir, available(&request.out));
    plan.unnamed = rows
        .iter()
        .filter(|row| {
            matches!(
                request.naming.file_name(row),
                Err(super::export::ExportError::EmptyName { .. })
            )
        })
        .map(|row| {
            format!(
                "{}（{}）",
                row.name,
                row.student_no.as_deref().unwrap_or("-")
            )
        })
        .collect();
    Ok(plan)
}

/// The plan for rows already read.
fn plan_rows(rows: &[ExportRow], photos_dir: &Path, available_bytes: Option<u64>) -> ExportPlan {
    // Manifests are small; each photo is its stored file, byte for byte.
    let needed_bytes = rows
        .iter()
        .map(|row| {
            std::fs::metadata(photos_dir.join(&row.photo_path)).map_or(64 * 1024, |m| m.len())
        })
        .sum::<u64>()
        + 64 * 1024;
    ExportPlan {
        photos: rows.len(),
        reexports: rows
            .iter()
            .filter(|row| row.reexport_needed)
            .map(|row| row.name.clone())
            .collect(),
        needed_bytes,
        available_bytes,
        unnamed: Vec::new(),
    }
}

/// Runs the export: role check, space check (refused before anything is written), copy,
/// record, verify.
pub fn export_school(
    store: &mut Store,
    photos_dir: &Path,
    session: &Session,
    request: &ExportRequest,
    available: impl Fn(&Path) -> Option<u64>,
    progress: impl FnMut(usize, usize),
) -> Result<SchoolExport, SchoolExportError> {
    store.authorize(session, Permission::Export, Some(&request.school))?;
    let rows = rows_for(store, request)?;
    let plan = plan_rows(&rows, photos_dir, available(&request.out));
    if !plan.fits() {
        return Err(SchoolExportError::NoSpace {
            needed: plan.needed_bytes,
            available: plan.available_bytes.unwrap_or(0),
        });
    }
    let reexported = plan.reexports.len();
    let suffix = if request.only_reexports {
        REEXPORT_SUFFIX
    } else {
        ""
    };
    let folder_name = export_folder_name(&rows, suffix);
    let report = export_photos_into(
        &rows,
        photos_dir,
        &request.out,
        &folder_name,
        &request.naming,
        request.zip,
        progress,
    )?;
    let exported: Vec<String> = rows
        .iter()
        .filter(|r| !report.damaged.iter().any(|d| d.booking_id == r.booking_id))
        .map(|r| r.booking_id.clone())
        .collect();
    store.mark_exported(&exported, &report.folder.display().to_string(), session)?;
    let verdict = verify_export(&report.folder)
        .ok()
        .and_then(|verdicts| verdicts.into_iter().next());
    Ok(SchoolExport {
        report,
        reexported,
        verdict,
    })
}
