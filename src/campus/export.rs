//! A school's photos exported from the campus server, not from one booth's copy: every
//! student's active capture, whichever booth shot it, with the record as the campus holds it
//! (corrections included). The photos are fetched into a content-addressed cache beside the
//! station's data, checked against their sha256, and handed to the same export code as a
//! booth's own export (names, manifests with the station column, resumable, verify-export).

use std::path::Path;

use super::server::CampusClient;
use super::{CampusError, CampusResult};
use crate::store::ExportRow;
use crate::store::captures::sha256_hex;
use crate::store::photo_files::write_atomically_unsynced;
use crate::transfer::export::{ExportError, ExportReport, export_photos, verify_export};
use crate::transfer::school_export::{
    ExportRequest, SPACE_MARGIN_BYTES, SchoolExport, SchoolExportError,
};

/// The folder beside the station's data where photos fetched from the campus are kept by their
/// sha256, so that a resumed export does not fetch them again.
pub const CAMPUS_EXPORT_CACHE: &str = "campus-export-cache";

/// [`export_school`], then the written folder checked against its manifest, as a booth's own
/// export is.
pub fn export_school_verified(
    client: &mut CampusClient,
    request: &ExportRequest,
    data_dir: &Path,
    available_space: impl Fn(&Path) -> Option<u64>,
    progress: impl FnMut(usize, usize),
) -> CampusResult<SchoolExport> {
    let cache = data_dir.join(CAMPUS_EXPORT_CACHE);
    // The cache holds every student's photo and record of a school: owner-only.
    std::fs::create_dir_all(&cache)
        .and_then(|()| crate::platform::owner_only_folder(&cache))
        .map_err(|source| {
            CampusError::from(crate::transfer::school_export::SchoolExportError::from(
                crate::transfer::export::ExportError::Io {
                    path: cache.clone(),
                    source,
                },
            ))
        })?;
    let report = export_school(client, request, &cache, available_space, progress)?;
    let verdict = verify_export(&report.folder)
        .map_err(|error| {
            CampusError::from(crate::transfer::school_export::SchoolExportError::from(
                error,
            ))
        })?
        .into_iter()
        .next();
    Ok(SchoolExport {
        report,
        reexported: 0,
        verdict,
    })
}

const EXPORT_ROWS_SQL: &str = "
    SELECT b.id::text, b.capture_code, b.record->>'name', b.record->>'id_number',
           b.record->>'student_no', b.school, b.record->>'department', b.record->>'major',
           b.record->>'level', c.captured_at, c.station, c.operator, c.sha256,
           coalesce((e.payload->>'spec_ok')::boolean, true),
           coalesce((e.payload->>'overridden')::boolean, false),
           p.bytes
    FROM captures c
    JOIN bookings b ON b.id = c.booking_id
    JOIN photos p ON p.sha256 = c.sha256
    LEFT JOIN events e ON e.event_id = c.event_id
    WHERE c.active AND b.status = 'captured' AND b.school = $1
    ORDER BY b.capture_code, b.record->>'name', b.id";

impl CampusClient {
    /// The school's captured students with their photo bytes, as the campus holds them.
    pub fn export_rows(&mut self, school: &str) -> CampusResult<Vec<(ExportRow, Vec<u8>)>> {
        Ok(self
            .client()
            .query(EXPORT_ROWS_SQL, &[&school])?
            .iter()
            .map(|row| {
                let sha256: String = row.get(12);
                (
                    ExportRow {
                        booking_id: row.get(0),
                        capture_code: row.get(1),
                        name: row.get::<_, Option<String>>(2).unwrap_or_default(),
                        id_number: row.get(3),
                        student_no: row.get(4),
                        school: row.get(5),
                        department: row.get(6),
                        major: row.get(7),
                        level: row.get(8),
                        captured_at: row.get(9),
                        station_id: row.get(10),
                        operator: row.get(11),
                        photo_path: format!("{sha256}.jpg"),
                        sha256,
                        spec_ok: row.get(13),
                        overridden: row.get(14),
                        reexport_needed: false,
                        exported_at: None,
                    },
                    row.get(15),
                )
            })
            .collect())
    }
}

/// Exports `request.school` from the campus into `request.out/<school>/`, through `cache` (a
/// folder of photos by sha256, kept so that a resumed export does not fetch again). The campus
/// has no re-export flags yet, so `only_reexports` is refused.
pub fn export_school(
    client: &mut CampusClient,
    request: &ExportRequest,
    cache: &Path,
    available_space: impl Fn(&Path) -> Option<u64>,
    progress: impl FnMut(usize, usize),
) -> CampusResult<ExportReport> {
    let school = request.school.as_str();
    if request.only_reexports {
        return Err(super::CampusRefusal::ExportsEveryPhoto.into());
    }
    let fetched = client.export_rows(school)?;
    if fetched.is_empty() {
        return Err(SchoolExportError::NothingToExport(school.to_string()).into());
    }
    let needed: u64 = fetched.iter().map(|(_, bytes)| bytes.len() as u64).sum();
    if let Some(free) = available_space(&request.out)
        && needed + SPACE_MARGIN_BYTES > free
    {
        return Err(SchoolExportError::NoSpace {
            needed,
            available: free,
        }
        .into());
    }
    let mut rows = Vec::with_capacity(fetched.len());
    for (row, bytes) in fetched {
        // The server checked the hash when it took the photo; checked again after the network.
        if sha256_hex(&bytes) != row.sha256 {
            return Err(super::CampusRefusal::FetchedPhotoMismatch(row.sha256).into());
        }
        let path = cache.join(&row.photo_path);
        if !std::fs::read(&path).is_ok_and(|held| held == bytes) {
            write_atomically_unsynced(&path, &bytes).map_err(|source| {
                SchoolExportError::from(ExportError::Io {
                    path: path.clone(),
                    source,
                })
            })?;
        }
        rows.push(row);
    }
    export_photos(
        &rows,
        cache,
        &request.out,
        &request.naming,
        request.zip,
        progress,
    )
    .map_err(|error| SchoolExportError::from(error).into())
}
