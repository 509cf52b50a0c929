//! Announcing the orders an import wrote: walk-ins and captures enter the outbox as they are
//! made, imported orders do not. When asked, each imported order goes into the outbox ahead of
//! the events already waiting (so a reader of the outbox learns of the order before its photo),
//! or, where the caller names other ids for the same order number, takes those ids here, in the
//! waiting events too. Reordering the outbox is safe only while none of it was confirmed, so it
//! runs at most once and never after a confirmation.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::bookings::{BOOKING_VIEW_SELECT, booking_view_from_row};
use super::outbox;
use super::{BookingView, NewBooking, Store, StoreResult};
use crate::domain::changes;
use crate::domain::changes::BookingPayload;
use crate::domain::new_booking::LOCAL_TIME_FORMAT;
use crate::domain::{BookingSource, PaymentMethod};

/// The meta key that records the announcement. Its text predates this module and stays, so that
/// stations updated in place do not announce twice.
const DONE_KEY: &str = "campus_pre_join_queued";

/// What went to the outbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AnnouncedOrders {
    /// Imported orders announced as new.
    pub bookings: usize,
    /// Orders that took the ids the caller gave.
    pub matched_orders: usize,
    /// Photos waiting in the outbox, now behind the orders.
    pub captures: usize,
}

/// The ids an order is known by elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderIds {
    pub booking_id: String,
    pub student_id: String,
}

impl Store {
    /// The order numbers of the bookings no outbox event announces: the ones an import wrote.
    pub fn unannounced_orders(&self) -> StoreResult<Vec<String>> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT b.order_no FROM bookings b WHERE b.order_no IS NOT NULL AND {NOT_IN_OUTBOX}"
        ))?;
        let orders = statement
            .query_map([changes::kind::BOOKING], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(orders)
    }

    /// Whether the outbox's order is fixed: the imported orders were announced already, or an
    /// entry of it was confirmed.
    pub fn outbox_order_fixed(&self) -> StoreResult<bool> {
        let done: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [DONE_KEY], |r| {
                r.get(0)
            })
            .optional()?;
        let confirmed: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE confirmed_at IS NOT NULL)",
            [],
            |r| r.get(0),
        )?;
        Ok(done.is_some() || confirmed)
    }

    /// Announces the imported orders, once (see the module): each goes first in the outbox, or,
    /// when `known_elsewhere` names its order number, takes those ids here. Nothing happens once
    /// [`Store::outbox_order_fixed`].
    pub fn announce_imported_orders(
        &mut self,
        known_elsewhere: &HashMap<String, OrderIds>,
    ) -> StoreResult<AnnouncedOrders> {
        let mut counts = AnnouncedOrders::default();
        if self.outbox_order_fixed()? {
            return Ok(counts);
        }
        let tx = self.conn.transaction()?;
        // Ids change in several tables at once; the references are checked at commit.
        tx.pragma_update(None, "defer_foreign_keys", "ON")?;
        let bookings: Vec<BookingView> = tx
            .prepare(&format!(
                "{BOOKING_VIEW_SELECT} WHERE {NOT_IN_OUTBOX} ORDER BY b.created_at, b.id"
            ))?
            .query_map([changes::kind::BOOKING], booking_view_from_row)?
            .collect::<Result<_, _>>()?;
        // Nothing was sent yet: the waiting events are set aside and queued again after the
        // orders, keeping their ids and times, so the sequence still runs 1, 2, 3…
        let waiting: Vec<(String, String, String, String)> = tx
            .prepare("SELECT event_id, kind, payload, device_at FROM outbox ORDER BY station_seq")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        tx.execute("DELETE FROM outbox", [])?;
        tx.execute("DELETE FROM sqlite_sequence WHERE name = 'outbox'", [])?;
        let mut renamed: HashMap<String, String> = HashMap::new();
        for booking in &bookings {
            match booking
                .order_no
                .as_ref()
                .and_then(|o| known_elsewhere.get(o))
            {
                Some(ids) => {
                    rekey(&tx, booking, ids)?;
                    renamed.insert(booking.booking_id.clone(), ids.booking_id.clone());
                    renamed.insert(booking.student.id.clone(), ids.student_id.clone());
                    counts.matched_orders += 1;
                }
                None => {
                    outbox::record(
                        &tx,
                        changes::kind::BOOKING,
                        &BookingPayload {
                            booking_id: booking.booking_id.clone(),
                            student_id: booking.student.id.clone(),
                            booking: as_new_booking(booking),
                        },
                    )?;
                    counts.bookings += 1;
                }
            }
        }
        for (event_id, kind, payload, device_at) in waiting {
            let payload = renamed_payload(&payload, &renamed);
            if kind == changes::kind::CAPTURE {
                counts.captures += 1;
            }
            tx.execute(
                "INSERT INTO outbox (event_id, kind, payload, device_at) VALUES (?1, ?2, ?3, ?4)",
                params![event_id, kind, payload, device_at],
            )?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![DONE_KEY, super::now_text()],
        )?;
        tx.commit()?;
        Ok(counts)
    }
}

/// Bookings no outbox event announces: the ones an import wrote.
const NOT_IN_OUTBOX: &str = "b.id NOT IN
    (SELECT json_extract(payload, '$.booking_id') FROM outbox WHERE kind = ?1)";

/// A waiting event's payload with the booking and student ids given for its order.
fn renamed_payload(payload: &str, renamed: &HashMap<String, String>) -> String {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(payload) else {
        return payload.to_string();
    };
    if let Some(object) = value.as_object_mut() {
        for key in ["booking_id", "student_id"] {
            if let Some(new) = object
                .get(key)
                .and_then(|v| v.as_str())
                .and_then(|old| renamed.get(old))
            {
                object.insert(key.to_string(), serde_json::Value::String(new.clone()));
            }
        }
    }
    value.to_string()
}

/// Gives a booking (and its student) the given ids, everywhere this store refers to them.
/// Photo files keep their paths: the path is stored with each capture.
fn rekey(tx: &rusqlite::Transaction<'_>, booking: &BookingView, ids: &OrderIds) -> StoreResult<()> {
    if booking.booking_id != ids.booking_id {
        let (old, new) = (&booking.booking_id, &ids.booking_id);
        tx.execute(
            "UPDATE bookings SET id = ?2 WHERE id = ?1",
            params![old, new],
        )?;
        tx.execute(
            "UPDATE captures SET booking_id = ?2 WHERE booking_id = ?1",
            params![old, new],
        )?;
        tx.execute(
            "UPDATE capture_codes SET booking_id = ?2 WHERE booking_id = ?1",
            params![old, new],
        )?;
    }
    if booking.student.id != ids.student_id {
        let (old, new) = (&booking.student.id, &ids.student_id);
        tx.execute(
            "UPDATE students SET id = ?2 WHERE id = ?1",
            params![old, new],
        )?;
        tx.execute(
            "UPDATE bookings SET student_id = ?2 WHERE student_id = ?1",
            params![old, new],
        )?;
        tx.execute(
            "UPDATE name_grams SET student_id = ?2 WHERE student_id = ?1",
            params![old, new],
        )?;
        tx.execute(
            "UPDATE corrections SET student_id = ?2 WHERE student_id = ?1",
            params![old, new],
        )?;
    }
    Ok(())
}

fn as_new_booking(booking: &BookingView) -> NewBooking {
    let student = &booking.student;
    NewBooking {
        order_no: booking.order_no.clone(),
        source: BookingSource::parse(&booking.source).unwrap_or(BookingSource::WalkIn),
        name: student.name.clone(),
        sex: student.sex.clone(),
        id_number: student.id_number.clone(),
        has_id_card: student.has_id_card,
        student_no: student.student_no.clone(),
        school: student.school.clone(),
        department: student.department.clone(),
        major: student.major.clone(),
        level: student.level.clone(),
        phone: student.phone.clone(),
        amount_fen: booking.amount_fen,
        payment_method: PaymentMethod::parse(&booking.payment_method)
            .unwrap_or(PaymentMethod::Other),
        paid_at: booking
            .paid_at
            .as_deref()
            .and_then(|t| NaiveDateTime::parse_from_str(t, LOCAL_TIME_FORMAT).ok()),
        slot: booking.slot.clone(),
        capture_code: booking.capture_code.clone(),
        note: booking.note.clone(),
    }
}
