//! The outbox: every change this station makes that the rest of a campus must hear of, written in
//! the same transaction as the change itself, with its event id (UUIDv7, the idempotency key) and
//! the station's own contiguous sequence number. Beside it, the photos still to be confirmed by a
//! campus server, and the changes pulled from one.
//!
//! This is plain local data. The store never sends anything anywhere: the campus sync worker
//! reads the outbox and tells the store what the server confirmed. In single-station mode the
//! outbox only grows (a few hundred bytes per change).

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::bookings::{NewBooking, apply_remote_booking};
use super::captures::sha256_hex;
use super::photo_files::write_atomically;
use super::{Store, StoreError, StoreResult, events, new_id, now_text};

/// The kinds of change a station reports.
pub mod kind {
    /// A booking made at the booth (a walk-in), or imported at the server.
    pub const BOOKING: &str = "booking";
    /// A photo saved against a booking (first shot or approved retake).
    pub const CAPTURE: &str = "capture";
}

/// Which photo of a capture an upload carries.
pub mod photo_kind {
    /// The accepted 480×640 JPEG; it travels with its capture event.
    pub const ACCEPTED: &str = "accepted";
    /// The full-resolution original; it follows in the background.
    pub const ORIGINAL: &str = "original";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingPayload {
    pub booking_id: String,
    pub student_id: String,
    pub booking: NewBooking,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapturePayload {
    pub capture_id: String,
    pub booking_id: String,
    /// sha256 of the accepted JPEG, which travels with the event.
    pub sha256: String,
    pub original_sha256: Option<String>,
    pub spec_ok: bool,
    pub overridden: bool,
    /// The booking was already captured here: an approved retake.
    pub retake: bool,
    pub operator: String,
    pub captured_at: String,
    pub spec_report: serde_json::Value,
}

/// One change waiting for (or confirmed by) the campus server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxEntry {
    pub station_seq: i64,
    pub event_id: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub device_at: String,
}

/// A photo the server has not yet confirmed by its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingPhoto {
    pub sha256: String,
    /// Relative to the photos folder.
    pub path: String,
    pub kind: String,
}

/// A change pulled from the campus server, in the server's order.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteEvent {
    pub server_seq: i64,
    pub event_id: String,
    pub station: String,
    pub kind: String,
    pub payload: serde_json::Value,
    /// The accepted JPEG, for a capture.
    pub photo: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AppliedPage {
    pub applied: usize,
    /// Already here (this station's own change, or a page pulled twice).
    pub known: usize,
    /// Kept aside in `sync_skipped` with the reason; the server still holds them.
    pub skipped: usize,
}

/// Appends one change to the outbox on `conn`, inside the caller's transaction.
pub(crate) fn record(conn: &Connection, kind: &str, payload: &impl Serialize) -> StoreResult<()> {
    let payload = serde_json::to_string(payload)
        .map_err(|error| StoreError::Invalid(format!("outbox payload: {error}")))?;
    conn.prepare_cached(
        "INSERT INTO outbox (event_id, kind, payload, device_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![new_id(), kind, payload, now_text()])?;
    Ok(())
}

/// Notes a photo file for upload, inside the caller's transaction.
pub(crate) fn record_photo(
    conn: &Connection,
    sha256: &str,
    path: &str,
    kind: &str,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO photo_uploads (sha256, path, kind, created_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![sha256, path, kind, now_text()])?;
    Ok(())
}

const CURSOR_KEY: &str = "campus_cursor";
const LAST_SYNC_KEY: &str = "campus_last_sync";

impl Store {
    /// The oldest `limit` changes the server has not confirmed, in sequence order.
    pub fn outbox_pending(&self, limit: usize) -> StoreResult<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT station_seq, event_id, kind, payload, device_at FROM outbox
             WHERE confirmed_at IS NULL ORDER BY station_seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            let payload: String = r.get(3)?;
            Ok(OutboxEntry {
                station_seq: r.get(0)?,
                event_id: r.get(1)?,
                kind: r.get(2)?,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                device_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Changes not yet confirmed by the server.
    pub fn outbox_depth(&self) -> StoreResult<usize> {
        let depth: i64 = self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE confirmed_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(depth as usize)
    }

    /// The highest sequence number this station has given out (0 for none).
    pub fn outbox_last_seq(&self) -> StoreResult<i64> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(station_seq), 0) FROM outbox",
            [],
            |r| r.get(0),
        )?)
    }

    /// Records the server's answer for each event, in one transaction. An entry stays in the
    /// table after confirmation: it is the station's record of what it reported.
    pub fn outbox_confirm(&mut self, answers: &[(i64, String)]) -> StoreResult<()> {
        let tx = self.conn.transaction()?;
        {
            let mut update = tx.prepare_cached(
                "UPDATE outbox SET confirmed_at = ?2, outcome = ?3 WHERE station_seq = ?1",
            )?;
            let now = now_text();
            for (seq, outcome) in answers {
                update.execute(params![seq, now, outcome])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks every change from `station_seq` on as unconfirmed again, for a server that asks
    /// for them (one restored from a backup). Returns how many will be sent again.
    pub fn outbox_reopen_from(&mut self, station_seq: i64) -> StoreResult<usize> {
        Ok(self.conn.execute(
            "UPDATE outbox SET confirmed_at = NULL, outcome = NULL WHERE station_seq >= ?1",
            [station_seq],
        )?)
    }

    /// How many confirmed changes ended each way (applied, duplicate, conflict, quarantined).
    pub fn outbox_outcomes(&self) -> StoreResult<Vec<(String, usize)>> {
        let mut stmt = self.conn.prepare(
            "SELECT outcome, count(*) FROM outbox WHERE outcome IS NOT NULL
             GROUP BY outcome ORDER BY outcome",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Photos of `kind` the server has not confirmed, oldest first.
    pub fn photos_pending(&self, kind: &str, limit: usize) -> StoreResult<Vec<PendingPhoto>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT sha256, path, kind FROM photo_uploads
             WHERE confirmed_at IS NULL AND kind = ?1 ORDER BY created_at, sha256 LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![kind, limit as i64], |r| {
            Ok(PendingPhoto {
                sha256: r.get(0)?,
                path: r.get(1)?,
                kind: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn photos_pending_count(&self) -> StoreResult<usize> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM photo_uploads WHERE confirmed_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(count as usize)
    }

    /// Where the photo with this hash lives, relative to the photos folder.
    pub fn photo_path_for(&self, sha256: &str) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT path FROM photo_uploads WHERE sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The server holds these photos and has checked their hashes.
    pub fn confirm_photos(&mut self, sha256s: &[String]) -> StoreResult<()> {
        let tx = self.conn.transaction()?;
        {
            let mut update =
                tx.prepare_cached("UPDATE photo_uploads SET confirmed_at = ?2 WHERE sha256 = ?1")?;
            let now = now_text();
            for sha in sha256s {
                update.execute(params![sha, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// When this station last finished a sync pass (RFC 3339), if ever.
    pub fn campus_last_sync(&self) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [LAST_SYNC_KEY],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn note_campus_sync(&self) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![LAST_SYNC_KEY, now_text()],
        )?;
        Ok(())
    }

    /// The server change sequence this station has applied up to.
    pub fn campus_cursor(&self) -> StoreResult<i64> {
        let value: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [CURSOR_KEY], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// Applies one pulled page and moves the cursor past it, in one transaction: a crash
    /// half-way leaves neither, so the page is pulled again.
    pub fn apply_remote_page(
        &mut self,
        page: &[RemoteEvent],
        cursor: i64,
        photos: &Path,
    ) -> StoreResult<AppliedPage> {
        let station_id = self.station_id.clone();
        let tx = self.conn.transaction()?;
        let mut counts = AppliedPage::default();
        for event in page {
            let outcome = apply_remote_event(&tx, &station_id, event, photos);
            match outcome {
                Ok(true) => counts.applied += 1,
                Ok(false) => counts.known += 1,
                Err(error) => {
                    tracing::warn!(event = %event.event_id, kind = %event.kind, %error, "a pulled change was kept aside");
                    tx.execute(
                        "INSERT OR IGNORE INTO sync_skipped (event_id, server_seq, kind, reason, at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![
                            event.event_id,
                            event.server_seq,
                            event.kind,
                            error.to_string(),
                            now_text()
                        ],
                    )?;
                    counts.skipped += 1;
                }
            }
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![CURSOR_KEY, cursor.to_string()],
        )?;
        tx.commit()?;
        Ok(counts)
    }
}

/// One pulled change; `Ok(false)` when it was already here.
fn apply_remote_event(
    conn: &Connection,
    station_id: &str,
    event: &RemoteEvent,
    photos: &Path,
) -> StoreResult<bool> {
    let parse_error =
        |error: serde_json::Error| StoreError::Invalid(format!("{} payload: {error}", event.kind));
    match event.kind.as_str() {
        kind::BOOKING => {
            let payload: BookingPayload =
                serde_json::from_value(event.payload.clone()).map_err(parse_error)?;
            let applied = apply_remote_booking(conn, station_id, &payload)?;
            if applied {
                events::append(
                    conn,
                    station_id,
                    &event.station,
                    "remote_booking",
                    Some(&payload.booking_id),
                    &json!({ "event": event.event_id, "source": payload.booking.source.as_str() }),
                )?;
            }
            Ok(applied)
        }
        kind::CAPTURE => {
            let payload: CapturePayload =
                serde_json::from_value(event.payload.clone()).map_err(parse_error)?;
            apply_remote_capture(conn, station_id, event, &payload, photos)
        }
        other => Err(StoreError::Invalid(format!(
            "this version does not know the change kind '{other}'"
        ))),
    }
}

/// A capture made at another station: its photo is written beside ours and it becomes the
/// booking's current photo, since the server accepted it. A capture of the same booking made
/// here stays on disk and in the table (marked superseded); the server holds it as a conflict
/// for the supervisor to decide.
fn apply_remote_capture(
    conn: &Connection,
    station_id: &str,
    event: &RemoteEvent,
    payload: &CapturePayload,
    photos: &Path,
) -> StoreResult<bool> {
    let known: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM captures WHERE id = ?1)",
        [&payload.capture_id],
        |r| r.get(0),
    )?;
    if known {
        return Ok(false);
    }
    let booking_known: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM bookings WHERE id = ?1)",
        [&payload.booking_id],
        |r| r.get(0),
    )?;
    if !booking_known {
        return Err(StoreError::NotFound {
            what: "booking",
            key: payload.booking_id.clone(),
        });
    }
    let photo = event.photo.as_deref().ok_or_else(|| {
        StoreError::Invalid("the pulled capture came without its photo".to_string())
    })?;
    if sha256_hex(photo) != payload.sha256 {
        return Err(StoreError::Invalid(
            "the pulled photo does not match its sha256".to_string(),
        ));
    }
    let photo_path = format!("{}/{}.jpg", payload.booking_id, payload.capture_id);
    write_atomically(&photos.join(&photo_path), photo)
        .map_err(|error| StoreError::Invalid(format!("writing a pulled photo: {error}")))?;
    let now = now_text();
    conn.execute(
        "UPDATE captures SET superseded = 1, updated_at = ?2 WHERE booking_id = ?1 AND superseded = 0",
        params![payload.booking_id, now],
    )?;
    conn.execute(
        "INSERT INTO captures (id, booking_id, photo_path, original_path, sha256, spec_report,
            spec_ok, overridden, superseded, station_id, operator, captured_at, created_at,
            updated_at)
         VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, 0, ?8, ?9, ?10, ?11, ?11)",
        params![
            payload.capture_id,
            payload.booking_id,
            photo_path,
            payload.sha256,
            payload.spec_report.to_string(),
            payload.spec_ok,
            payload.overridden,
            event.station,
            payload.operator,
            payload.captured_at,
            now,
        ],
    )?;
    // Cancelled and refunded bookings keep their status: the server raised a conflict for the
    // supervisor, and a pulled change never undoes a refund on its own.
    conn.execute(
        "UPDATE bookings SET status = 'captured', retake_approved = 0, updated_at = ?2
         WHERE id = ?1 AND status IN ('booked', 'captured')",
        params![payload.booking_id, now],
    )?;
    events::append(
        conn,
        station_id,
        &event.station,
        "remote_capture",
        Some(&payload.booking_id),
        &json!({ "event": event.event_id, "capture": payload.capture_id }),
    )?;
    Ok(true)
}
