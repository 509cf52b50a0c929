//! Importing bookings into the campus: one transaction per file, every row checked against the
//! campus's orders, a captured order never changed.

use std::collections::HashMap;

use postgres::Transaction;

use crate::campus::schema::EVENTS_LOCK;
use crate::campus::{CampusError, CampusResult};
use crate::domain::changes::*;
use crate::domain::{BookingStatus, Field, RowProblem};
use crate::store::{ImportCounts, ImportRejection, NewBooking};

use super::*;

/// An order the campus already holds, as an import compares it.
struct HeldOrder {
    id: uuid::Uuid,
    student_id: uuid::Uuid,
    status: String,
    booking: NewBooking,
    capture_code: Option<String>,
}

/// New orders of one import chunk, inserted together (one `unnest` for the bookings and one
/// for their events) because a campus import is tens of thousands of rows.
#[derive(Default)]
struct NewServerBookings {
    ids: Vec<uuid::Uuid>,
    students: Vec<uuid::Uuid>,
    event_ids: Vec<uuid::Uuid>,
    orders: Vec<Option<String>>,
    schools: Vec<String>,
    id_numbers: Vec<Option<String>>,
    student_nos: Vec<Option<String>>,
    codes: Vec<Option<String>>,
    records: Vec<serde_json::Value>,
    payloads: Vec<serde_json::Value>,
}

impl NewServerBookings {
    fn push(&mut self, booking: &NewBooking) -> Result<uuid::Uuid, serde_json::Error> {
        let (id, student) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let payload = BookingPayload {
            booking_id: id.to_string(),
            student_id: student.to_string(),
            booking: booking.clone(),
        };
        self.records.push(serde_json::to_value(booking)?);
        self.payloads.push(serde_json::to_value(&payload)?);
        self.ids.push(id);
        self.students.push(student);
        self.event_ids.push(uuid::Uuid::now_v7());
        self.orders.push(booking.order_no.clone());
        self.schools.push(booking.school.clone());
        self.id_numbers.push(booking.id_number.clone());
        self.student_nos.push(booking.student_no.clone());
        self.codes.push(booking.capture_code.clone());
        Ok(id)
    }

    fn insert(self, tx: &mut Transaction<'_>) -> CampusResult<()> {
        if self.ids.is_empty() {
            return Ok(());
        }
        tx.execute(
            "INSERT INTO bookings (id, student_id, order_no, school, id_number, student_no,
                 capture_code, status, record, station)
             SELECT id, student, order_no, school, id_number, student_no, code, 'booked',
                    record, 'server'
             FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],
                         $6::text[], $7::text[], $8::jsonb[])
                  AS t(id, student, order_no, school, id_number, student_no, code, record)",
            &[
                &self.ids,
                &self.students,
                &self.orders,
                &self.schools,
                &self.id_numbers,
                &self.student_nos,
                &self.codes,
                &self.records,
            ],
        )?;
        tx.execute(
            "INSERT INTO events (event_id, station, kind, payload, outcome, shared)
             SELECT event_id, 'server', 'booking', payload, 'applied', true
             FROM unnest($1::uuid[], $2::jsonb[]) WITH ORDINALITY AS t(event_id, payload, n)
             ORDER BY n",
            &[&self.event_ids, &self.payloads],
        )?;
        Ok(())
    }
}

impl CampusClient {
    /// Imports bookings into the campus (tests and benchmarks): rows numbered from 2, as in a
    /// spreadsheet under its header. Returns how many were new.
    pub fn import_bookings(&mut self, bookings: &[NewBooking]) -> CampusResult<usize> {
        let rows: Vec<(usize, NewBooking)> = bookings
            .iter()
            .enumerate()
            .map(|(index, booking)| (index + 2, booking.clone()))
            .collect();
        Ok(self.import_rows(&rows)?.inserted)
    }

    /// Imports validated spreadsheet rows into the campus, once for every station, with the
    /// rules of a station's own import: an order is added once; a changed order is updated
    /// only while it is still booked (a captured one is changed through a correction); a
    /// capture code belongs to one order. Each new or changed order becomes an event the
    /// stations pull. One transaction: a failure leaves the campus as it was.
    pub fn import_rows(&mut self, rows: &[(usize, NewBooking)]) -> CampusResult<ImportCounts> {
        self.write_imported_rows(rows, true)
    }

    /// What [`Self::import_rows`] would do: the same code, in a transaction rolled back.
    pub fn preview_import_rows(
        &mut self,
        rows: &[(usize, NewBooking)],
    ) -> CampusResult<ImportCounts> {
        self.write_imported_rows(rows, false)
    }

    fn write_imported_rows(
        &mut self,
        rows: &[(usize, NewBooking)],
        commit: bool,
    ) -> CampusResult<ImportCounts> {
        let mut tx = self.supervised()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&EVENTS_LOCK])?;
        tx.batch_execute("LOCK TABLE bookings IN SHARE ROW EXCLUSIVE MODE")?;
        let json_error =
            |error: serde_json::Error| CampusError::Refused(format!("booking: {error}"));
        let mut counts = ImportCounts::default();
        for chunk in rows.chunks(5000) {
            let order_nos: Vec<&str> = chunk
                .iter()
                .filter_map(|(_, b)| b.order_no.as_deref())
                .collect();
            let codes: Vec<&str> = chunk
                .iter()
                .filter_map(|(_, b)| b.capture_code.as_deref())
                .collect();
            let mut held: HashMap<String, HeldOrder> = HashMap::new();
            for row in tx.query(
                "SELECT order_no, id, student_id, status, record, capture_code FROM bookings
                 WHERE order_no = ANY($1)",
                &[&order_nos],
            )? {
                let record: serde_json::Value = row.get(4);
                held.insert(
                    row.get(0),
                    HeldOrder {
                        id: row.get(1),
                        student_id: row.get(2),
                        status: row.get(3),
                        booking: serde_json::from_value(record).map_err(json_error)?,
                        capture_code: row.get(5),
                    },
                );
            }
            // Who holds each code: the campus's orders, then this file's rows as they go.
            let mut code_owners: HashMap<String, (uuid::Uuid, Option<String>)> = tx
                .query(
                    "SELECT capture_code, id, order_no FROM bookings WHERE capture_code = ANY($1)",
                    &[&codes],
                )?
                .iter()
                .map(|row| (row.get(0), (row.get(1), row.get(2))))
                .collect();
            let mut new = NewServerBookings::default();
            for (row_no, booking) in chunk {
                let reject = |problem: RowProblem| ImportRejection::new(*row_no, problem);
                let Some(order_no) = booking.order_no.as_deref() else {
                    counts
                        .rejected
                        .push(reject(RowProblem::Missing(Field::OrderNo)));
                    continue;
                };
                let existing = held.get(order_no);
                if let Some(code) = &booking.capture_code
                    && let Some((owner, owner_order)) = code_owners.get(code)
                    && existing.map(|e| e.id) != Some(*owner)
                {
                    counts
                        .rejected
                        .push(reject(RowProblem::CodeTaken(owner_order.clone())));
                    continue;
                }
                let Some(existing) = existing else {
                    let id = new.push(booking).map_err(json_error)?;
                    if let Some(code) = &booking.capture_code {
                        code_owners.insert(code.clone(), (id, booking.order_no.clone()));
                    }
                    counts.inserted += 1;
                    continue;
                };
                let fields_changed = existing.booking.comparable() != booking.comparable();
                let code_changed =
                    booking.capture_code.is_some() && booking.capture_code != existing.capture_code;
                if !fields_changed && !code_changed {
                    counts.unchanged += 1;
                    continue;
                }
                if fields_changed && existing.status != "booked" {
                    counts
                        .rejected
                        .push(reject(RowProblem::ChangedAfterBooking {
                            order_no: order_no.to_string(),
                            status: BookingStatus::parse(&existing.status)
                                .unwrap_or(BookingStatus::Captured),
                        }));
                    continue;
                }
                let mut updated = booking.clone();
                if !code_changed {
                    updated.capture_code = existing.capture_code.clone();
                }
                let record = serde_json::to_value(&updated).map_err(json_error)?;
                tx.execute(
                    "UPDATE bookings SET record = $2, school = $3, id_number = $4,
                         student_no = $5, capture_code = $6
                     WHERE id = $1",
                    &[
                        &existing.id,
                        &record,
                        &updated.school,
                        &updated.id_number,
                        &updated.student_no,
                        &updated.capture_code,
                    ],
                )?;
                let payload = BookingPayload {
                    booking_id: existing.id.to_string(),
                    student_id: existing.student_id.to_string(),
                    booking: updated,
                };
                tx.execute(
                    "INSERT INTO events (event_id, station, kind, payload, outcome, shared)
                     VALUES ($1, 'server', $2, $3, 'applied', true)",
                    &[
                        &uuid::Uuid::now_v7(),
                        &kind::BOOKING_UPDATED,
                        &serde_json::to_value(&payload).map_err(json_error)?,
                    ],
                )?;
                counts.updated += 1;
            }
            new.insert(&mut tx)?;
        }
        if !commit {
            tx.rollback()?;
            return Ok(counts);
        }
        if counts.inserted + counts.updated > 0 {
            tx.execute("SELECT pg_notify($1, '')", &[&CHANGES_CHANNEL])?;
        }
        tx.commit()?;
        Ok(counts)
    }
}
