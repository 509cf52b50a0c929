//! Bookings made elsewhere (another station, the campus's import), written here with their own
//! ids as the pulled changes are applied.

use rusqlite::Connection;

use crate::domain::BookingStatus;
use crate::domain::changes::BookingPayload;
use crate::store::{StoreError, StoreResult};

use super::writer::BookingWriter;

/// Writes a booking made elsewhere (another station, or the campus server's import) with its own
/// ids. A booking already known by id is left as it is; one whose order number or capture code
/// is already taken here is refused, so that the caller can keep it aside instead of merging two
/// students into one.
pub(crate) fn apply_remote_booking(
    conn: &Connection,
    writer: &mut BookingWriter<'_>,
    payload: &BookingPayload,
) -> StoreResult<bool> {
    let known: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM bookings WHERE id = ?1)",
        [&payload.booking_id],
        |r| r.get(0),
    )?;
    if known {
        return Ok(false);
    }
    if let Some(order_no) = &payload.booking.order_no
        && writer.existing_order(order_no)?.is_some()
    {
        return Err(StoreError::Invalid(format!(
            "order number {order_no} already exists here under another booking"
        )));
    }
    if let Some(code) = &payload.booking.capture_code
        && writer.code_owner(code)?.is_some()
    {
        return Err(StoreError::Invalid(
            "this capture code already has another booking here".to_string(),
        ));
    }
    writer.insert_with_ids(&payload.booking, &payload.booking_id, &payload.student_id)?;
    Ok(true)
}

/// The reasons an import rejects a row: one wording wherever the rules run (this store, or a
/// campus server).
/// A re-import's change to an order, made on the campus server. It applies while the order is
/// still booked here; one photographed here before the change arrived is kept as it is and
/// the change is set aside with the reason (the supervisor corrects it through 信息更正).
pub(crate) fn apply_remote_booking_update(
    writer: &mut BookingWriter<'_>,
    payload: &BookingPayload,
) -> StoreResult<bool> {
    let booking = &payload.booking;
    let order_no = booking.order_no.as_deref().ok_or_else(|| {
        StoreError::Invalid("an updated order came without its order number".to_string())
    })?;
    let Some(existing) = writer.existing_order(order_no)? else {
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
        writer.update(&existing, booking)?;
    }
    if let Some(code) = booking.capture_code.as_deref().filter(|_| code_changed) {
        writer.write_capture_code(&existing.booking_id, code)?;
    }
    Ok(true)
}
