//! Saving a photo against a booking. Files first (atomically, see photo_files), then one
//! transaction that checks the status machine, records the capture, marks any earlier capture of
//! the booking as superseded (it stays on disk and in the table as history), moves the booking to
//! `captured`, and logs the event. A crash before the commit leaves files without a row; start-up
//! quarantines those and removes temporaries, so nothing half-done is ever taken for a photo.

use std::path::{Path, PathBuf};

use rusqlite::params;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::accounts::{Permission, Session};
use super::bookings::status_of;
use super::outbox;
use super::photo_files::{TEMP_MARKER, files_below, write_atomically};
use super::{Store, StoreError, StoreResult, events, new_id, now_text};
use crate::domain::changes;
use crate::domain::changes::CapturePayload;
use crate::domain::{BookingStatus, check_transition};

/// Where quarantined photos (files with no capture row) are moved; never deleted.
pub const ORPHANS_FOLDER: &str = "orphans";

pub struct NewCapture<'a> {
    pub booking_id: &'a str,
    /// The accepted 480×640 JPEG.
    pub jpeg: &'a [u8],
    /// The full-resolution original, kept so the photo can be re-cropped without a retake.
    pub original_jpeg: Option<&'a [u8]>,
    pub spec_report: serde_json::Value,
    pub spec_ok: bool,
    /// Saved although checks failed: an explicit, recorded override.
    pub overridden: bool,
    /// Who shot it; the store checks that this session may capture (and override).
    pub session: &'a Session,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaptureRecord {
    pub id: String,
    pub booking_id: String,
    /// Relative to the photos folder.
    pub photo_path: String,
    pub original_path: Option<String>,
    pub sha256: String,
    pub spec_ok: bool,
    pub overridden: bool,
    pub superseded: bool,
    pub operator: String,
    pub captured_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CleanupReport {
    pub temporaries_removed: usize,
    pub orphans_quarantined: usize,
}

/// ENOSPC or a quota: worth its own message, because the fix is to free space, not to retry.
fn is_disk_full(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Store {
    /// Saves a capture; see the module doc for the order of steps.
    pub fn save_capture(
        &mut self,
        photos: &Path,
        capture: NewCapture<'_>,
    ) -> StoreResult<CaptureRecord> {
        self.authorize(
            capture.session,
            Permission::Capture,
            Some(capture.booking_id),
        )?;
        if capture.overridden {
            self.authorize(
                capture.session,
                Permission::OverrideChecks,
                Some(capture.booking_id),
            )?;
        }
        if !capture.spec_ok && !capture.overridden {
            return Err(super::Refusal::NeedsOverride.into());
        }
        // Refuse before writing anything if the status machine would refuse.
        let (status, approved) = status_of(&self.conn, capture.booking_id)?;
        check_transition(status, BookingStatus::Captured, approved)?;
        if let Some(school) = self.sealed_school_of(capture.booking_id)? {
            return Err(super::Refusal::Sealed(school).into());
        }

        let id = new_id();
        let photo_path = format!("{}/{id}.jpg", capture.booking_id);
        let original_path = capture
            .original_jpeg
            .map(|_| format!("{}/{id}.original.jpg", capture.booking_id));
        let written: Vec<PathBuf> = {
            let mut written = Vec::new();
            let mut write = |relative: &str, bytes: &[u8]| -> StoreResult<()> {
                let path = photos.join(relative);
                write_atomically(&path, bytes).map_err(|error| {
                    tracing::warn!(%error, path = %path.display(), "the photo was not written");
                    super::Refusal::PhotoNotSaved {
                        folder: photos.to_path_buf(),
                        disk_full: is_disk_full(&error),
                        kind: error.kind(),
                    }
                })?;
                written.push(path);
                Ok(())
            };
            let result = write(&photo_path, capture.jpeg).and_then(|()| {
                match (&original_path, capture.original_jpeg) {
                    (Some(path), Some(bytes)) => write(path, bytes),
                    _ => Ok(()),
                }
            });
            if let Err(error) = result {
                for path in &written {
                    let _ = std::fs::remove_file(path);
                }
                return Err(error);
            }
            written
        };

        let committed = self.commit_capture(&id, &photo_path, original_path.as_deref(), &capture);
        match committed {
            Ok(record) => Ok(record),
            Err(error) => {
                // Not referenced by any row: remove, so that a failed save leaves nothing.
                for path in &written {
                    let _ = std::fs::remove_file(path);
                }
                Err(error)
            }
        }
    }

    fn commit_capture(
        &mut self,
        id: &str,
        photo_path: &str,
        original_path: Option<&str>,
        capture: &NewCapture<'_>,
    ) -> StoreResult<CaptureRecord> {
        let operator = capture.session.actor();
        let station_id = self.station_id.clone();
        let tx = self.conn.transaction()?;
        let (from, approved) = status_of(&tx, capture.booking_id)?;
        check_transition(from, BookingStatus::Captured, approved)?;
        super::disputes::refuse_if_disputed(&tx, capture.booking_id)?;
        let now = now_text();
        let sha256 = sha256_hex(capture.jpeg);
        let original_sha256 = capture.original_jpeg.map(sha256_hex);
        tx.execute(
            "UPDATE captures SET superseded = 1, updated_at = ?2 WHERE booking_id = ?1 AND superseded = 0",
            params![capture.booking_id, now],
        )?;
        tx.execute(
            "INSERT INTO captures (id, booking_id, photo_path, original_path, sha256, spec_report,
                spec_ok, overridden, superseded, station_id, operator, captured_at, created_at,
                updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10, ?11, ?11, ?11)",
            params![
                id,
                capture.booking_id,
                photo_path,
                original_path,
                sha256,
                capture.spec_report.to_string(),
                capture.spec_ok,
                capture.overridden,
                station_id,
                operator,
                now,
            ],
        )?;
        tx.execute(
            "UPDATE bookings SET status = 'captured', retake_approved = 0, updated_at = ?2,
                 reexport_needed = CASE WHEN exported_at IS NULL THEN reexport_needed ELSE 1 END
             WHERE id = ?1",
            params![capture.booking_id, now],
        )?;
        outbox::record(
            &tx,
            changes::kind::CAPTURE,
            &CapturePayload {
                capture_id: id.to_string(),
                booking_id: capture.booking_id.to_string(),
                sha256: sha256.clone(),
                original_sha256: original_sha256.clone(),
                spec_ok: capture.spec_ok,
                overridden: capture.overridden,
                retake: from == BookingStatus::Captured,
                operator: operator.clone(),
                captured_at: now.clone(),
                spec_report: capture.spec_report.clone(),
            },
        )?;
        outbox::record_photo(&tx, &sha256, photo_path, changes::photo_kind::ACCEPTED)?;
        if let (Some(path), Some(sha)) = (original_path, &original_sha256) {
            outbox::record_photo(&tx, sha, path, changes::photo_kind::ORIGINAL)?;
        }
        events::append(
            &tx,
            &station_id,
            &operator,
            if from == BookingStatus::Captured {
                "retake"
            } else {
                "capture"
            },
            Some(capture.booking_id),
            &json!({ "capture": id, "spec_ok": capture.spec_ok, "overridden": capture.overridden }),
        )?;
        tx.commit()?;
        Ok(CaptureRecord {
            id: id.to_string(),
            booking_id: capture.booking_id.to_string(),
            photo_path: photo_path.to_string(),
            original_path: original_path.map(str::to_string),
            sha256,
            spec_ok: capture.spec_ok,
            overridden: capture.overridden,
            superseded: false,
            operator,
            captured_at: now,
        })
    }

    /// Every capture of a booking, oldest first (earlier ones are superseded retakes).
    pub fn captures_for(&self, booking_id: &str) -> StoreResult<Vec<CaptureRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, booking_id, photo_path, original_path, sha256, spec_ok, overridden,
                    superseded, operator, captured_at
             FROM captures WHERE booking_id = ?1 ORDER BY captured_at, id",
        )?;
        let rows = stmt.query_map([booking_id], |r| {
            Ok(CaptureRecord {
                id: r.get(0)?,
                booking_id: r.get(1)?,
                photo_path: r.get(2)?,
                original_path: r.get(3)?,
                sha256: r.get(4)?,
                spec_ok: r.get(5)?,
                overridden: r.get(6)?,
                superseded: r.get(7)?,
                operator: r.get(8)?,
                captured_at: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Start-up clean-up of the photos folder: removes temporary files and moves photos that no
    /// capture row names (left by a crash between file and commit) into `orphans/`.
    pub fn clean_photo_folder(&self, photos: &Path) -> StoreResult<CleanupReport> {
        let mut report = CleanupReport::default();
        let orphans = photos.join(ORPHANS_FOLDER);
        let mut known = std::collections::HashSet::new();
        let mut stmt = self
            .conn
            .prepare("SELECT photo_path, original_path FROM captures")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })?;
        for row in rows {
            let (photo, original) = row?;
            known.insert(photos.join(photo));
            if let Some(original) = original {
                known.insert(photos.join(original));
            }
        }
        for path in files_below(photos) {
            if path.starts_with(&orphans) {
                continue;
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.contains(TEMP_MARKER) {
                std::fs::remove_file(&path).map_err(|e| {
                    StoreError::Invalid(format!("removing {}: {e}", path.display()))
                })?;
                report.temporaries_removed += 1;
            } else if !known.contains(&path) {
                std::fs::create_dir_all(&orphans).map_err(|e| {
                    StoreError::Invalid(format!("creating {}: {e}", orphans.display()))
                })?;
                let target = orphans.join(format!("{}-{name}", new_id()));
                std::fs::rename(&path, &target).map_err(|e| {
                    StoreError::Invalid(format!("quarantining {}: {e}", path.display()))
                })?;
                report.orphans_quarantined += 1;
            }
        }
        if report != CleanupReport::default() {
            tracing::warn!(?report, "photo folder cleaned after an interrupted save");
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TransitionError;
    use crate::store::bookings::tests::sample;

    fn capture<'a>(booking_id: &'a str, jpeg: &'a [u8]) -> NewCapture<'a> {
        NewCapture {
            booking_id,
            jpeg,
            original_jpeg: Some(b"full resolution original"),
            spec_report: json!({"ok": true}),
            spec_ok: true,
            overridden: false,
            session: &crate::store::accounts::TEST_SUPERVISOR,
        }
    }

    #[test]
    fn a_save_writes_the_file_the_row_and_the_status() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let booking = store
            .create_booking(
                &sample("A1", "张三"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        let record = store
            .save_capture(dir.path(), capture(&booking, b"jpeg one"))
            .unwrap();
        assert_eq!(
            std::fs::read(dir.path().join(&record.photo_path)).unwrap(),
            b"jpeg one"
        );
        assert_eq!(record.sha256, sha256_hex(b"jpeg one"));
        let original = dir.path().join(record.original_path.as_ref().unwrap());
        assert_eq!(
            std::fs::read(original).unwrap(),
            b"full resolution original"
        );
        assert_eq!(store.booking(&booking).unwrap().status, "captured");
        assert_eq!(store.captures_for(&booking).unwrap(), vec![record]);
    }

    #[test]
    fn a_retake_needs_approval_and_keeps_the_earlier_photo() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let booking = store
            .create_booking(
                &sample("A1", "张三"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        let first = store
            .save_capture(dir.path(), capture(&booking, b"first"))
            .unwrap();
        let files_before = files_below(dir.path()).len();
        let refused = store.save_capture(dir.path(), capture(&booking, b"second"));
        assert!(matches!(
            refused,
            Err(StoreError::Transition(TransitionError::RetakeNotApproved))
        ));
        assert_eq!(
            files_below(dir.path()).len(),
            files_before,
            "nothing written"
        );
        store
            .approve_retake(&booking, &crate::store::accounts::test_session())
            .unwrap();
        let second = store
            .save_capture(dir.path(), capture(&booking, b"second"))
            .unwrap();
        let history = store.captures_for(&booking).unwrap();
        assert_eq!(history.len(), 2);
        assert!(history[0].superseded && !history[1].superseded);
        assert_eq!(
            std::fs::read(dir.path().join(&first.photo_path)).unwrap(),
            b"first"
        );
        assert_eq!(
            std::fs::read(dir.path().join(&second.photo_path)).unwrap(),
            b"second"
        );
    }

    #[test]
    fn cancelled_bookings_and_unapproved_failures_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let booking = store
            .create_booking(
                &sample("A1", "张三"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        let mut failing = capture(&booking, b"bad");
        failing.spec_ok = false;
        assert!(store.save_capture(dir.path(), failing).is_err());
        store
            .set_status(
                &booking,
                BookingStatus::Cancelled,
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        assert!(
            store
                .save_capture(dir.path(), capture(&booking, b"late"))
                .is_err()
        );
        assert!(files_below(dir.path()).is_empty());
        assert!(store.captures_for(&booking).unwrap().is_empty());
    }

    #[test]
    fn a_write_failure_leaves_the_booking_booked_and_no_files() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the photos folder should be: every write below it fails, as on a full
        // or read-only disk.
        let photos = dir.path().join("photos");
        std::fs::write(&photos, b"in the way").unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let booking = store
            .create_booking(
                &sample("A1", "张三"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        let error = store
            .save_capture(&photos, capture(&booking, b"jpeg"))
            .unwrap_err();
        assert!(
            error.to_string().contains("booking is unchanged"),
            "{error}"
        );
        assert_eq!(store.booking(&booking).unwrap().status, "booked");
        assert!(store.captures_for(&booking).unwrap().is_empty());
        assert_eq!(files_below(dir.path()), vec![photos]);
    }

    #[test]
    fn an_override_is_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let booking = store
            .create_booking(
                &sample("A1", "张三"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        let mut overridden = capture(&booking, b"soft but accepted");
        overridden.spec_ok = false;
        overridden.overridden = true;
        let record = store.save_capture(dir.path(), overridden).unwrap();
        assert!(record.overridden && !record.spec_ok);
    }

    #[test]
    fn start_up_removes_temporaries_and_quarantines_orphans() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let booking = store
            .create_booking(
                &sample("A1", "张三"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        let kept = store
            .save_capture(dir.path(), capture(&booking, b"kept"))
            .unwrap();
        // What a crash leaves: a temporary mid-write, and a renamed file whose row never committed.
        std::fs::write(
            dir.path().join(format!("{booking}/x.jpg{TEMP_MARKER}123")),
            b"half",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(format!("{booking}/uncommitted.jpg")),
            b"whole",
        )
        .unwrap();
        let report = store.clean_photo_folder(dir.path()).unwrap();
        assert_eq!(
            report,
            CleanupReport {
                temporaries_removed: 1,
                orphans_quarantined: 1
            }
        );
        assert!(dir.path().join(&kept.photo_path).exists());
        let quarantined = files_below(&dir.path().join(ORPHANS_FOLDER));
        assert_eq!(quarantined.len(), 1);
        assert_eq!(std::fs::read(&quarantined[0]).unwrap(), b"whole");
        assert_eq!(
            store.clean_photo_folder(dir.path()).unwrap(),
            CleanupReport::default()
        );
    }
}
