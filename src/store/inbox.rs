//! The inbox: changes pulled from a campus server, applied here in the server's order, with the
//! cursor that says how far this station has applied them.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use super::bookings::remote::{apply_remote_booking, apply_remote_booking_update};
use super::bookings::writer::BookingWriter;
use super::captures::sha256_hex;
use super::photo_files::write_atomically;
use super::{Store, StoreError, StoreResult, events, now_text};
use crate::domain::changes::*;

const CURSOR_KEY: &str = "campus_cursor";

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

impl Store {
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
        // One writer (its statements prepared once) for the whole page: a fresh station pulls
        // tens of thousands of bookings.
        let mut writer = BookingWriter::new(&tx, &station_id)?;
        let mut bookings_applied = 0;
        for event in page {
            // Each change in a savepoint: one that fails half-way leaves nothing behind.
            tx.execute_batch("SAVEPOINT remote_change")?;
            let outcome = apply_remote_event(&tx, &mut writer, &station_id, event, photos);
            if outcome.is_ok() {
                tx.execute_batch("RELEASE remote_change")?;
            } else {
                tx.execute_batch("ROLLBACK TO remote_change; RELEASE remote_change")?;
                writer.forget_cached_schools();
            }
            if outcome.as_ref().is_ok_and(|applied| *applied) && event.kind == kind::BOOKING {
                bookings_applied += 1;
            }
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
        drop(writer);
        if bookings_applied > 0 {
            // One log line per page: the bookings themselves are in the server's log.
            events::append(
                &tx,
                &station_id,
                events::actor::SYSTEM,
                "remote_bookings",
                None,
                &json!({ "applied": bookings_applied, "cursor": cursor }),
            )?;
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
    writer: &mut BookingWriter<'_>,
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
            apply_remote_booking(conn, writer, &payload)
        }
        kind::BOOKING_UPDATED => {
            let payload: BookingPayload =
                serde_json::from_value(event.payload.clone()).map_err(parse_error)?;
            apply_remote_booking_update(writer, &payload)
        }
        kind::CAPTURE => {
            let payload: CapturePayload =
                serde_json::from_value(event.payload.clone()).map_err(parse_error)?;
            apply_remote_capture(conn, station_id, event, &payload, photos, false)
        }
        kind::CORRECTION => {
            let payload: CorrectionPayload =
                serde_json::from_value(event.payload.clone()).map_err(parse_error)?;
            apply_remote_correction(conn, station_id, &event.station, &payload)
        }
        kind::CONFLICT_RESOLVED => apply_resolution(conn, station_id, event, photos),
        kind::REFUND => {
            let payload: RefundPayload =
                serde_json::from_value(event.payload.clone()).map_err(parse_error)?;
            apply_remote_refund(conn, station_id, &event.station, &payload)
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
    undo_refund: bool,
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
    // The server accepted this capture, so it held the booking as not refunded. A refund still
    // pending here is then this station's own close-out that the server has not seen (or will
    // refuse as `refund_of_captured`): a photographed student is never refunded, so it is
    // withdrawn. A refund already paid back, or a cancellation, keeps its status: only the
    // supervisor's decision (`undo_refund`) takes one back.
    let withdrawn = conn.execute(
        "UPDATE bookings SET status = 'captured', refund_due = NULL, close_out_id = NULL,
             updated_at = ?2
         WHERE id = ?1 AND status = 'refund_pending' AND NOT ?3",
        params![payload.booking_id, now, undo_refund],
    )?;
    if withdrawn > 0 {
        events::append(
            conn,
            station_id,
            &event.station,
            "refund_withdrawn",
            Some(&payload.booking_id),
            &json!({ "event": event.event_id, "reason": "photographed at another station" }),
        )?;
    }
    conn.execute(
        "UPDATE bookings SET status = 'captured', retake_approved = 0, updated_at = ?2
         WHERE id = ?1 AND (?3 OR status IN ('booked', 'captured'))",
        params![payload.booking_id, now, undo_refund],
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

/// A refund mark made at another station. A pending refund applies only to an order still
/// booked here: one this station photographed meanwhile keeps its photo (its capture reaches the
/// server as a `capture_after_cancel` conflict for the supervisor). A done refund applies to a
/// booked or pending order.
fn apply_remote_refund(
    conn: &Connection,
    station_id: &str,
    made_at: &str,
    payload: &RefundPayload,
) -> StoreResult<bool> {
    let status: String = conn
        .query_row(
            "SELECT status FROM bookings WHERE id = ?1",
            [&payload.booking_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "booking",
            key: payload.booking_id.clone(),
        })?;
    let now = now_text();
    let changed = match payload.status.as_str() {
        refund_status::PENDING => conn.execute(
            "UPDATE bookings SET status = 'refund_pending', refund_due = ?2, updated_at = ?3
             WHERE id = ?1 AND status = 'booked'",
            params![payload.booking_id, payload.due_date, now],
        )?,
        refund_status::REFUNDED => conn.execute(
            "UPDATE bookings SET status = 'refunded', refund_ref = ?2, refunded_at = ?3,
                 updated_at = ?3
             WHERE id = ?1 AND status IN ('booked', 'refund_pending')",
            params![payload.booking_id, payload.reference, now],
        )?,
        other => {
            return Err(StoreError::Invalid(format!(
                "unknown refund status '{other}'"
            )));
        }
    };
    if changed == 0 {
        return Ok(false);
    }
    events::append(
        conn,
        station_id,
        made_at,
        "remote_refund",
        Some(&payload.booking_id),
        &json!({ "status": payload.status, "was": status, "by": payload.who }),
    )?;
    Ok(true)
}

/// The supervisor's decision on a conflict. `use_this` makes the conflicting capture the
/// booking's photo here too (writing its photo if this station never had it); the other
/// decisions change no booking and are only logged.
fn apply_resolution(
    conn: &Connection,
    station_id: &str,
    event: &RemoteEvent,
    photos: &Path,
) -> StoreResult<bool> {
    let decision = event.payload["decision"].as_str().unwrap_or_default();
    let booking = event.payload["booking_id"].as_str().map(str::to_string);
    if let Some(value) = event.payload.get("refund") {
        let payload: RefundPayload = serde_json::from_value(value.clone())
            .map_err(|error| StoreError::Invalid(format!("resolution payload: {error}")))?;
        apply_remote_refund(conn, station_id, "server", &payload)?;
    } else if event.payload["kind"] == "refund_of_captured" && decision == "keep_existing" {
        // The refund is void: a booking this station had closed goes back to what the campus
        // holds (captured wherever a photo exists, here or there).
        if let Some(booking) = &booking {
            let captured_here: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM captures WHERE booking_id = ?1 AND superseded = 0)",
                [booking],
                |r| r.get(0),
            )?;
            let status = if captured_here || event.payload["booking_status"] == "captured" {
                "captured"
            } else {
                "booked"
            };
            conn.execute(
                "UPDATE bookings SET status = ?2, refund_due = NULL, close_out_id = NULL,
                     updated_at = ?3
                 WHERE id = ?1 AND status = 'refund_pending'",
                params![booking, status, now_text()],
            )?;
        }
    } else if let Some(value) = event.payload.get("correction") {
        let payload: CorrectionPayload = serde_json::from_value(value.clone())
            .map_err(|error| StoreError::Invalid(format!("resolution payload: {error}")))?;
        apply_remote_correction(conn, station_id, "server", &payload)?;
    } else if decision == "use_this" {
        let capture: CapturePayload = serde_json::from_value(event.payload["capture"].clone())
            .map_err(|error| StoreError::Invalid(format!("resolution payload: {error}")))?;
        let here: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM captures WHERE id = ?1)",
            [&capture.capture_id],
            |r| r.get(0),
        )?;
        if here {
            let now = now_text();
            conn.execute(
                "UPDATE captures SET superseded = (id <> ?2), updated_at = ?3 WHERE booking_id = ?1",
                params![capture.booking_id, capture.capture_id, now],
            )?;
            conn.execute(
                "UPDATE bookings SET status = 'captured', retake_approved = 0, updated_at = ?2
                 WHERE id = ?1",
                params![capture.booking_id, now],
            )?;
        } else {
            apply_remote_capture(conn, station_id, event, &capture, photos, true)?;
        }
    }
    events::append(
        conn,
        station_id,
        event.payload["decided_by"].as_str().unwrap_or("supervisor"),
        "conflict_resolved",
        booking.as_deref(),
        &json!({
            "event": event.event_id,
            "conflict": event.payload["conflict_id"],
            "kind": event.payload["kind"],
            "decision": decision,
        }),
    )?;
    Ok(true)
}

/// A correction made elsewhere (or the value a conflict settled on): the field takes the new
/// value here too, with its own `corrections` row and log line, and a captured photo is marked
/// for re-export. `Ok(false)` when the record already says so.
fn apply_remote_correction(
    conn: &Connection,
    station_id: &str,
    made_at: &str,
    payload: &CorrectionPayload,
) -> StoreResult<bool> {
    let field = crate::domain::CorrectableField::parse(&payload.field).ok_or_else(|| {
        StoreError::Invalid(format!("unknown correctable field '{}'", payload.field))
    })?;
    let student_id: String = conn
        .query_row(
            "SELECT student_id FROM bookings WHERE id = ?1",
            [&payload.booking_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "booking",
            key: payload.booking_id.clone(),
        })?;
    let current = super::corrections::read_field(conn, &student_id, field)?;
    if current == payload.new_value {
        return Ok(false);
    }
    let now = now_text();
    super::corrections::write_field(
        conn,
        &student_id,
        field,
        current.as_deref(),
        payload.new_value.as_deref(),
        &now,
    )?;
    conn.execute(
        "UPDATE bookings SET reexport_needed = 1, updated_at = ?2
         WHERE id = ?1 AND status = 'captured'",
        params![payload.booking_id, now],
    )?;
    super::corrections::insert_correction_row(
        conn,
        &super::corrections::CorrectionRow {
            student_id: &student_id,
            field,
            old_value: current.as_deref(),
            new_value: payload.new_value.as_deref(),
            reason: &payload.reason,
            who: &payload.who,
            at: &now,
            station: made_at,
        },
    )?;
    events::append(
        conn,
        station_id,
        &payload.who,
        "remote_correction",
        Some(&payload.booking_id),
        &json!({ "field": field.as_str(), "station": made_at, "reason": payload.reason }),
    )?;
    Ok(true)
}
