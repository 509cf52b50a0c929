//! The inbox: changes pulled from the campus server, applied at this station in the server's
//! order. Each change kind is read here and turned into the store's plain replica operations;
//! a page and the cursor past it commit together, and a change that cannot be applied is kept
//! aside with the reason (the server still holds it).

use std::path::Path;

use serde::Serialize;
use serde_json::json;

use crate::domain::BookingStatus;
use crate::domain::CorrectableField;
use crate::domain::changes::{
    BookingPayload, CapturePayload, CorrectionPayload, RefundPayload, kind, refund_status,
};
use crate::store::actor;
use crate::store::captures::sha256_hex;
use crate::store::replica::{FieldChange, ReplicaBatch};
use crate::store::{Store, StoreError, StoreResult};

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

/// Applies one pulled page and moves the cursor to `cursor`, in one transaction: a crash
/// half-way leaves neither, so the page is pulled again.
pub fn apply_page(
    store: &mut Store,
    page: &[RemoteEvent],
    cursor: i64,
    photos: &Path,
) -> StoreResult<AppliedPage> {
    store.apply_replica_batch(cursor, photos, |batch| {
        let mut counts = AppliedPage::default();
        let mut bookings_applied = 0;
        for event in page {
            // Each change on its own: one that fails half-way leaves nothing behind.
            batch.begin_change()?;
            let outcome = apply_event(batch, event);
            if outcome.is_ok() {
                batch.keep_change()?;
            } else {
                batch.undo_change()?;
            }
            match outcome {
                Ok(true) => {
                    counts.applied += 1;
                    if event.kind == kind::BOOKING {
                        bookings_applied += 1;
                    }
                }
                Ok(false) => counts.known += 1,
                Err(error) => {
                    tracing::warn!(event = %event.event_id, kind = %event.kind, %error, "a pulled change was kept aside");
                    batch.set_aside(
                        &event.event_id,
                        event.server_seq,
                        &event.kind,
                        &error.to_string(),
                    )?;
                    counts.skipped += 1;
                }
            }
        }
        if bookings_applied > 0 {
            // One log line per page: the bookings themselves are in the server's log.
            batch.log(
                actor::SYSTEM,
                "remote_bookings",
                None,
                &json!({ "applied": bookings_applied, "cursor": cursor }),
            )?;
        }
        Ok(counts)
    })
}

/// One pulled change; `Ok(false)` when it was already here.
fn apply_event(batch: &mut ReplicaBatch<'_, '_>, event: &RemoteEvent) -> StoreResult<bool> {
    let parse_error =
        |error: serde_json::Error| StoreError::Invalid(format!("{} payload: {error}", event.kind));
    match event.kind.as_str() {
        kind::BOOKING => {
            let payload: BookingPayload =
                serde_json::from_value(event.payload.clone()).map_err(parse_error)?;
            require_ids(&[&payload.booking_id, &payload.student_id])?;
            batch.add_booking(&payload)
        }
        kind::BOOKING_UPDATED => {
            let payload: BookingPayload =
                serde_json::from_value(event.payload.clone()).map_err(parse_error)?;
            require_ids(&[&payload.booking_id, &payload.student_id])?;
            batch.update_order(&payload)
        }
        kind::CAPTURE => {
            let payload: CapturePayload =
                serde_json::from_value(event.payload.clone()).map_err(parse_error)?;
            apply_capture(batch, event, &payload, false)
        }
        kind::CORRECTION => {
            let payload: CorrectionPayload =
                serde_json::from_value(event.payload.clone()).map_err(parse_error)?;
            require_ids(&[&payload.booking_id])?;
            apply_correction(batch, &event.station, &payload)
        }
        kind::CONFLICT_RESOLVED => apply_resolution(batch, event),
        kind::REFUND => {
            let payload: RefundPayload =
                serde_json::from_value(event.payload.clone()).map_err(parse_error)?;
            require_ids(&[&payload.booking_id])?;
            apply_refund(batch, &event.station, &payload)
        }
        other => Err(StoreError::Invalid(format!(
            "this version does not know the change kind '{other}'"
        ))),
    }
}

/// Refuses a pulled change whose ids are not hyphenated UUIDs. Every id the campus
/// hands out is one, and ids become file paths (`{booking}/{capture}.jpg`) and keys here: an id
/// like `../../x` from a forged event must never reach either.
fn require_ids(ids: &[&str]) -> StoreResult<()> {
    for id in ids {
        // Hyphenated (36 characters): the braced and URN forms parse too, and hold more.
        let canonical = id.len() == 36 && uuid::Uuid::parse_str(id).is_ok();
        if !canonical {
            return Err(StoreError::Invalid(format!(
                "the id '{}' is not a UUID",
                id.chars().take(40).collect::<String>()
            )));
        }
    }
    Ok(())
}

/// A capture made at another station: its photo is written beside ours and it becomes the
/// booking's current photo, since the server accepted it. A capture of the same booking made
/// here stays on disk and in the table (marked superseded); the server holds it as a conflict
/// for the supervisor to decide.
fn apply_capture(
    batch: &mut ReplicaBatch<'_, '_>,
    event: &RemoteEvent,
    payload: &CapturePayload,
    undo_refund: bool,
) -> StoreResult<bool> {
    // The ids name the photo's file: nothing but a UUID may reach a path.
    require_ids(&[&payload.booking_id, &payload.capture_id])?;
    if batch.capture_known(&payload.capture_id)? {
        return Ok(false);
    }
    if !batch.booking_known(&payload.booking_id)? {
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
    batch.add_capture(&event.station, payload, photo)?;
    // The server accepted this capture, so it held the booking as not refunded. A refund still
    // pending here is then this station's own close-out that the server has not seen (or will
    // refuse as `refund_of_captured`): a photographed student is never refunded, so it is
    // withdrawn. A refund already paid back, or a cancellation, keeps its status: only the
    // supervisor's decision (`undo_refund`) takes one back.
    if !undo_refund && batch.withdraw_pending_refund(&payload.booking_id)? {
        batch.log(
            &event.station,
            "refund_withdrawn",
            Some(&payload.booking_id),
            &json!({ "event": event.event_id, "reason": "photographed at another station" }),
        )?;
    }
    batch.mark_captured(&payload.booking_id, undo_refund)?;
    batch.log(
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
fn apply_refund(
    batch: &mut ReplicaBatch<'_, '_>,
    made_at: &str,
    payload: &RefundPayload,
) -> StoreResult<bool> {
    let status = batch.booking_status(&payload.booking_id)?;
    let changed = match payload.status.as_str() {
        refund_status::PENDING => {
            batch.mark_refund_pending(&payload.booking_id, payload.due_date.as_deref())?
        }
        refund_status::REFUNDED => {
            batch.mark_refunded(&payload.booking_id, payload.reference.as_deref())?
        }
        other => {
            return Err(StoreError::Invalid(format!(
                "unknown refund status '{other}'"
            )));
        }
    };
    if !changed {
        return Ok(false);
    }
    batch.log(
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
fn apply_resolution(batch: &mut ReplicaBatch<'_, '_>, event: &RemoteEvent) -> StoreResult<bool> {
    let decision = event.payload["decision"].as_str().unwrap_or_default();
    let booking = event.payload["booking_id"].as_str().map(str::to_string);
    let resolution_error =
        |error: serde_json::Error| StoreError::Invalid(format!("resolution payload: {error}"));
    if let Some(value) = event.payload.get("refund") {
        let payload: RefundPayload =
            serde_json::from_value(value.clone()).map_err(resolution_error)?;
        apply_refund(batch, "server", &payload)?;
    } else if event.payload["kind"] == "refund_of_captured" && decision == "keep_existing" {
        // The refund is void: a booking this station had closed goes back to what the campus
        // holds (captured wherever a photo exists, here or there).
        if let Some(booking) = &booking {
            let status = if batch.has_current_capture(booking)?
                || event.payload["booking_status"] == "captured"
            {
                BookingStatus::Captured
            } else {
                BookingStatus::Booked
            };
            batch.void_pending_refund(booking, status)?;
        }
    } else if let Some(value) = event.payload.get("correction") {
        let payload: CorrectionPayload =
            serde_json::from_value(value.clone()).map_err(resolution_error)?;
        apply_correction(batch, "server", &payload)?;
    } else if decision == "use_this" {
        let capture: CapturePayload =
            serde_json::from_value(event.payload["capture"].clone()).map_err(resolution_error)?;
        if batch.capture_known(&capture.capture_id)? {
            batch.make_capture_current(&capture.booking_id, &capture.capture_id)?;
        } else {
            apply_capture(batch, event, &capture, true)?;
        }
    }
    batch.log(
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
fn apply_correction(
    batch: &mut ReplicaBatch<'_, '_>,
    made_at: &str,
    payload: &CorrectionPayload,
) -> StoreResult<bool> {
    let field = CorrectableField::parse(&payload.field).ok_or_else(|| {
        StoreError::Invalid(format!("unknown correctable field '{}'", payload.field))
    })?;
    let changed = batch.set_field(
        &payload.booking_id,
        &FieldChange {
            field,
            new_value: payload.new_value.as_deref(),
            reason: &payload.reason,
            who: &payload.who,
            made_at,
        },
    )?;
    if !changed {
        return Ok(false);
    }
    batch.log(
        &payload.who,
        "remote_correction",
        Some(&payload.booking_id),
        &json!({ "field": field.as_str(), "station": made_at, "reason": payload.reason }),
    )?;
    Ok(true)
}
