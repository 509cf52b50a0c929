//! Plain operations on records made elsewhere, given with the ids they were made with: a
//! booking, an order's new fields, a capture with its photo, a refund mark, a field's new value.
//! A caller applies a batch of them in one transaction together with how far it has read
//! (`replica_cursor`), so that a crash half-way leaves neither. Each change in a batch can be
//! tried on its own and undone, and one that cannot be applied is set aside with the reason.
//!
//! The store does not know where such records come from or what they mean together: which
//! change calls for which operation is decided by the caller (a campus station's inbox).

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::bookings::writer::BookingWriter;
use super::corrections::{CorrectionRow, insert_correction_row, read_field, write_field};
use super::photo_files::write_atomically;
use super::{Store, StoreError, StoreResult, events, now_text};
use crate::domain::changes::{BookingPayload, CapturePayload};
use crate::domain::{BookingStatus, CorrectableField};

/// The meta key of the cursor. Its text predates this module and stays, so that stations
/// updated in place keep their place.
const CURSOR_KEY: &str = "campus_cursor";

/// One transaction of changes made elsewhere; see [`Store::apply_replica_batch`].
pub struct ReplicaBatch<'b, 'c> {
    conn: &'c Connection,
    writer: &'b mut BookingWriter<'c>,
    station_id: &'b str,
    photos: &'b Path,
}

impl Store {
    /// How far this station has applied the records made elsewhere (0 before the first batch).
    pub fn replica_cursor(&self) -> StoreResult<i64> {
        let value: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [CURSOR_KEY], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// Runs `apply` on one batch and moves the cursor to `reached`, in one transaction; an error
    /// from `apply` leaves neither. Photos are written below `photos`.
    pub fn apply_replica_batch<T>(
        &mut self,
        reached: i64,
        photos: &Path,
        apply: impl FnOnce(&mut ReplicaBatch<'_, '_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let station_id = self.station_id.clone();
        let tx = self.conn.transaction()?;
        // One writer (its statements prepared once) for the whole batch: a fresh station pulls
        // tens of thousands of bookings.
        let mut writer = BookingWriter::new(&tx, &station_id)?;
        let answer = apply(&mut ReplicaBatch {
            conn: &tx,
            writer: &mut writer,
            station_id: &station_id,
            photos,
        })?;
        drop(writer);
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![CURSOR_KEY, reached.to_string()],
        )?;
        tx.commit()?;
        Ok(answer)
    }
}

impl ReplicaBatch<'_, '_> {
    /// Starts one change: [`Self::keep_change`] or [`Self::undo_change`] ends it.
    pub fn begin_change(&mut self) -> StoreResult<()> {
        self.conn.execute_batch("SAVEPOINT replica_change")?;
        Ok(())
    }

    pub fn keep_change(&mut self) -> StoreResult<()> {
        self.conn.execute_batch("RELEASE replica_change")?;
        Ok(())
    }

    /// Undoes everything since [`Self::begin_change`], so a change that failed half-way leaves
    /// nothing behind.
    pub fn undo_change(&mut self) -> StoreResult<()> {
        self.conn
            .execute_batch("ROLLBACK TO replica_change; RELEASE replica_change")?;
        self.writer.forget_cached_schools();
        Ok(())
    }

    /// Keeps a change that could not be applied aside, with the reason (once per id).
    pub fn set_aside(
        &self,
        change_id: &str,
        seq: i64,
        kind: &str,
        reason: &str,
    ) -> StoreResult<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO sync_skipped (event_id, server_seq, kind, reason, at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![change_id, seq, kind, reason, now_text()],
        )?;
        Ok(())
    }

    /// A line in this station's event log.
    pub fn log(
        &self,
        actor: &str,
        action: &str,
        subject: Option<&str>,
        details: &serde_json::Value,
    ) -> StoreResult<()> {
        events::append(self.conn, self.station_id, actor, action, subject, details)
    }

    pub fn booking_known(&self, booking_id: &str) -> StoreResult<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM bookings WHERE id = ?1)",
            [booking_id],
            |r| r.get(0),
        )?)
    }

    pub fn capture_known(&self, capture_id: &str) -> StoreResult<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM captures WHERE id = ?1)",
            [capture_id],
            |r| r.get(0),
        )?)
    }

    /// Whether the booking has a current (not superseded) capture here.
    pub fn has_current_capture(&self, booking_id: &str) -> StoreResult<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM captures WHERE booking_id = ?1 AND superseded = 0)",
            [booking_id],
            |r| r.get(0),
        )?)
    }

    /// The booking's status, or `NotFound`.
    pub fn booking_status(&self, booking_id: &str) -> StoreResult<String> {
        self.conn
            .query_row(
                "SELECT status FROM bookings WHERE id = ?1",
                [booking_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| booking_not_found(booking_id))
    }

    /// Writes a booking with its own ids. `Ok(false)` when the id is already here; one whose
    /// order number or capture code is already taken here is refused, so that the caller can
    /// keep it aside instead of merging two students into one.
    pub fn add_booking(&mut self, payload: &BookingPayload) -> StoreResult<bool> {
        if self.booking_known(&payload.booking_id)? {
            return Ok(false);
        }
        if let Some(order_no) = &payload.booking.order_no
            && self.writer.existing_order(order_no)?.is_some()
        {
            return Err(StoreError::Invalid(format!(
                "order number {order_no} already exists here under another booking"
            )));
        }
        if let Some(code) = &payload.booking.capture_code
            && self.writer.code_owner(code)?.is_some()
        {
            return Err(StoreError::Invalid(
                "this capture code already has another booking here".to_string(),
            ));
        }
        self.writer
            .insert_with_ids(&payload.booking, &payload.booking_id, &payload.student_id)?;
        Ok(true)
    }

    /// An order's new fields (or capture code), by order number. It applies while the order is
    /// still booked here; one photographed here already is refused with the reason (the
    /// supervisor corrects it through 信息更正). `Ok(false)` when nothing differs.
    pub fn update_order(&mut self, payload: &BookingPayload) -> StoreResult<bool> {
        let booking = &payload.booking;
        let order_no = booking.order_no.as_deref().ok_or_else(|| {
            StoreError::Invalid("an updated order came without its order number".to_string())
        })?;
        let Some(existing) = self.writer.existing_order(order_no)? else {
            return Err(StoreError::NotFound {
                what: "order",
                key: order_no.to_string(),
            });
        };
        if existing.booking_id != payload.booking_id {
            return Err(StoreError::Invalid(format!(
                "order number {order_no} is held here under another booking"
            )));
        }
        let fields_changed = existing.comparable != booking.comparable();
        let code_changed =
            booking.capture_code.is_some() && booking.capture_code != existing.capture_code;
        if !fields_changed && !code_changed {
            return Ok(false);
        }
        if fields_changed && existing.status != BookingStatus::Booked.as_str() {
            return Err(StoreError::Invalid(format!(
                "order {order_no} is already {} here; the re-import's change waits for a correction (信息更正)",
                existing.status
            )));
        }
        if fields_changed {
            self.writer.update(&existing, booking)?;
        }
        if let Some(code) = booking.capture_code.as_deref().filter(|_| code_changed) {
            self.writer.write_capture_code(&existing.booking_id, code)?;
        }
        Ok(true)
    }

    /// Writes a capture made at `made_at` with its photo, which becomes the booking's current
    /// photo: the photo lands at `{booking_id}/{capture_id}.jpg` below the photos folder, and a
    /// capture of the same booking made here stays on disk and in the table, marked superseded.
    /// The caller checks the ids and the photo's hash first; the booking's status is its own
    /// call ([`Self::mark_captured`]).
    pub fn add_capture(
        &self,
        made_at: &str,
        payload: &CapturePayload,
        photo: &[u8],
    ) -> StoreResult<()> {
        let photo_path = format!("{}/{}.jpg", payload.booking_id, payload.capture_id);
        write_atomically(&self.photos.join(&photo_path), photo)
            .map_err(|error| StoreError::Invalid(format!("writing a pulled photo: {error}")))?;
        let now = now_text();
        self.conn.execute(
            "UPDATE captures SET superseded = 1, updated_at = ?2
             WHERE booking_id = ?1 AND superseded = 0",
            params![payload.booking_id, now],
        )?;
        self.conn.execute(
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
                made_at,
                payload.operator,
                payload.captured_at,
                now,
            ],
        )?;
        Ok(())
    }

    /// Makes a capture already here the booking's current photo (the others superseded), and the
    /// booking captured.
    pub fn make_capture_current(&self, booking_id: &str, capture_id: &str) -> StoreResult<()> {
        let now = now_text();
        self.conn.execute(
            "UPDATE captures SET superseded = (id <> ?2), updated_at = ?3 WHERE booking_id = ?1",
            params![booking_id, capture_id, now],
        )?;
        self.conn.execute(
            "UPDATE bookings SET status = 'captured', retake_approved = 0, updated_at = ?2
             WHERE id = ?1",
            params![booking_id, now],
        )?;
        Ok(())
    }

    /// Marks the booking captured (its retake approval used up): from booked or captured only,
    /// or from any status when `whatever_status`.
    pub fn mark_captured(&self, booking_id: &str, whatever_status: bool) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE bookings SET status = 'captured', retake_approved = 0, updated_at = ?2
             WHERE id = ?1 AND (?3 OR status IN ('booked', 'captured'))",
            params![booking_id, now_text(), whatever_status],
        )?;
        Ok(())
    }

    /// Takes back a pending refund of a booking that has a photo: it becomes captured.
    /// `Ok(false)` when no refund was pending.
    pub fn withdraw_pending_refund(&self, booking_id: &str) -> StoreResult<bool> {
        let changed = self.conn.execute(
            "UPDATE bookings SET status = 'captured', refund_due = NULL, close_out_id = NULL,
                 updated_at = ?2
             WHERE id = ?1 AND status = 'refund_pending'",
            params![booking_id, now_text()],
        )?;
        Ok(changed > 0)
    }

    /// Voids a pending refund: the booking goes back to `status` (booked or captured).
    pub fn void_pending_refund(&self, booking_id: &str, status: BookingStatus) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE bookings SET status = ?2, refund_due = NULL, close_out_id = NULL,
                 updated_at = ?3
             WHERE id = ?1 AND status = 'refund_pending'",
            params![booking_id, status.as_str(), now_text()],
        )?;
        Ok(())
    }

    /// Puts a booking still booked up for refund, due by `due_date`. `Ok(false)` when it is not
    /// booked (any more).
    pub fn mark_refund_pending(
        &self,
        booking_id: &str,
        due_date: Option<&str>,
    ) -> StoreResult<bool> {
        let changed = self.conn.execute(
            "UPDATE bookings SET status = 'refund_pending', refund_due = ?2, updated_at = ?3
             WHERE id = ?1 AND status = 'booked'",
            params![booking_id, due_date, now_text()],
        )?;
        Ok(changed > 0)
    }

    /// Marks a booked or pending booking refunded with the payment platform's reference.
    /// `Ok(false)` when it is neither.
    pub fn mark_refunded(&self, booking_id: &str, reference: Option<&str>) -> StoreResult<bool> {
        let now = now_text();
        let changed = self.conn.execute(
            "UPDATE bookings SET status = 'refunded', refund_ref = ?2, refunded_at = ?3,
                 updated_at = ?3
             WHERE id = ?1 AND status IN ('booked', 'refund_pending')",
            params![booking_id, reference, now],
        )?;
        Ok(changed > 0)
    }

    /// Gives one field of the booking's student a new value, with its `corrections` row (made at
    /// `made_at` by `who`, for `reason`); a captured photo is marked for re-export. `Ok(false)`
    /// when the record already says so.
    pub fn set_field(&self, booking_id: &str, change: &FieldChange<'_>) -> StoreResult<bool> {
        let student_id: String = self
            .conn
            .query_row(
                "SELECT student_id FROM bookings WHERE id = ?1",
                [booking_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| booking_not_found(booking_id))?;
        let current = read_field(self.conn, &student_id, change.field)?;
        if current.as_deref() == change.new_value {
            return Ok(false);
        }
        let now = now_text();
        write_field(
            self.conn,
            &student_id,
            change.field,
            current.as_deref(),
            change.new_value,
            &now,
        )?;
        self.conn.execute(
            "UPDATE bookings SET reexport_needed = 1, updated_at = ?2
             WHERE id = ?1 AND status = 'captured'",
            params![booking_id, now],
        )?;
        insert_correction_row(
            self.conn,
            &CorrectionRow {
                student_id: &student_id,
                field: change.field,
                old_value: current.as_deref(),
                new_value: change.new_value,
                reason: change.reason,
                who: change.who,
                at: &now,
                station: change.made_at,
            },
        )?;
        Ok(true)
    }
}

/// A field's new value for [`ReplicaBatch::set_field`].
pub struct FieldChange<'a> {
    pub field: CorrectableField,
    pub new_value: Option<&'a str>,
    pub reason: &'a str,
    pub who: &'a str,
    /// The station that made the change.
    pub made_at: &'a str,
}

fn booking_not_found(booking_id: &str) -> StoreError {
    StoreError::NotFound {
        what: "booking",
        key: booking_id.to_string(),
    }
}
