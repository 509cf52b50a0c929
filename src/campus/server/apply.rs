//! Applying one uploaded event on the server, inside the batch's transaction: bookings,
//! captures, refunds and corrections, with anything that cannot apply kept in quarantine.

use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Row, Statement, Transaction};
use serde_json::json;

use crate::campus::{CampusError, CampusResult};
use crate::domain::changes::*;
use crate::store::outbox::OutboxEntry;

use super::*;

/// A transaction with the connection's prepared statements: each statement is parsed once per
/// connection, so a query is one round trip instead of two (parse, then execute).
pub(super) struct Db<'t, 'c> {
    pub(super) tx: &'t mut Transaction<'c>,
    pub(super) statements: &'t mut HashMap<&'static str, Statement>,
}

impl Db<'_, '_> {
    pub(super) fn prepared(&mut self, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.prepare(sql)?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    pub(super) fn execute(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.execute(&statement, params)
    }

    pub(super) fn query_one(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.query_one(&statement, params)
    }

    pub(super) fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.query(&statement, params)
    }

    pub(super) fn query_opt(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.query_opt(&statement, params)
    }
}

pub(super) fn quarantine(
    db: &mut Db<'_, '_>,
    station: &str,
    event: &OutboxEntry,
    reason: &str,
) -> CampusResult<()> {
    let event_id = parse_uuid(&event.event_id, "event id")?;
    db.execute(
        "INSERT INTO quarantine (event_id, station, station_seq, kind, payload, reason)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING",
        &[
            &event_id,
            &station,
            &event.station_seq,
            &event.kind,
            &event.payload,
            &reason,
        ],
    )?;
    Ok(())
}

/// Applies one event inside a savepoint: if the server refuses it (a broken rule, a bad
/// payload), only the savepoint rolls back and the event goes to quarantine with the reason.
pub(super) fn apply_in_savepoint(
    db: &mut Db<'_, '_>,
    station: &str,
    event: &OutboxEntry,
    event_id: uuid::Uuid,
    photos: &HashMap<String, Vec<u8>>,
) -> CampusResult<EventOutcome> {
    // Savepoints by plain SQL: one round trip each, no statement to prepare.
    db.tx.batch_execute("SAVEPOINT campus_event")?;
    let result = apply_event(db, station, event, event_id, photos);
    if result.is_ok() {
        db.tx.batch_execute("RELEASE SAVEPOINT campus_event")?;
    } else {
        db.tx
            .batch_execute("ROLLBACK TO SAVEPOINT campus_event; RELEASE SAVEPOINT campus_event")?;
    }
    match result {
        Ok(outcome) => Ok(outcome),
        Err(CampusError::Refused(reason)) => {
            quarantine(db, station, event, &reason)?;
            Ok(EventOutcome::Quarantined)
        }
        Err(CampusError::Refusal(refusal)) => {
            quarantine(db, station, event, &refusal.to_string())?;
            Ok(EventOutcome::Quarantined)
        }
        Err(CampusError::Postgres(error)) if error.as_db_error().is_some() => {
            let reason = format!(
                "服务器拒绝 / refused by the server: {}",
                error
                    .as_db_error()
                    .map(|db| db.message())
                    .unwrap_or_default()
            );
            quarantine(db, station, event, &reason)?;
            Ok(EventOutcome::Quarantined)
        }
        Err(other) => Err(other),
    }
}

fn apply_event(
    db: &mut Db<'_, '_>,
    station: &str,
    event: &OutboxEntry,
    event_id: uuid::Uuid,
    photos: &HashMap<String, Vec<u8>>,
) -> CampusResult<EventOutcome> {
    let refuse =
        |error: serde_json::Error| CampusError::Refused(format!("{} payload: {error}", event.kind));
    let (outcome, shared) = match event.kind.as_str() {
        kind::BOOKING => {
            let payload: BookingPayload =
                serde_json::from_value(event.payload.clone()).map_err(refuse)?;
            apply_booking(db, station, event_id, &payload)?
        }
        kind::CAPTURE => {
            let payload: CapturePayload =
                serde_json::from_value(event.payload.clone()).map_err(refuse)?;
            apply_capture(db, station, event_id, &payload, photos)?
        }
        kind::CORRECTION => {
            let payload: CorrectionPayload =
                serde_json::from_value(event.payload.clone()).map_err(refuse)?;
            apply_correction(db, event_id, &payload)?
        }
        kind::REFUND => {
            let payload: RefundPayload =
                serde_json::from_value(event.payload.clone()).map_err(refuse)?;
            apply_refund(db, station, event_id, &payload)?
        }
        // Audit only: held with the campus's log, changes no booking, not spread.
        kind::EXCEPTION => {
            let _: ExceptionPayload =
                serde_json::from_value(event.payload.clone()).map_err(refuse)?;
            (EventOutcome::Applied, false)
        }
        other => {
            return Err(CampusError::Refused(format!(
                "未知的事件类型 / unknown event kind '{other}'"
            )));
        }
    };
    db.execute(
        "INSERT INTO events (event_id, station, station_seq, kind, payload, outcome, shared,
             device_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &event_id,
            &station,
            &event.station_seq,
            &event.kind,
            &event.payload,
            &if outcome == EventOutcome::Conflict {
                "conflict"
            } else {
                "applied"
            },
            &shared,
            &event.device_at,
        ],
    )?;
    Ok(outcome)
}

/// A walk-in booked at a station. The same student booked at another booth (same ID number,
/// or same school and student number) is kept as well and raised as a conflict.
fn apply_booking(
    db: &mut Db<'_, '_>,
    station: &str,
    event_id: uuid::Uuid,
    payload: &BookingPayload,
) -> CampusResult<(EventOutcome, bool)> {
    let id = parse_uuid(&payload.booking_id, "booking id")?;
    let student = parse_uuid(&payload.student_id, "student id")?;
    let booking = &payload.booking;
    let twin: Option<uuid::Uuid> = db
        .query_opt(
            "SELECT id FROM bookings
             WHERE id <> $1 AND (($2::text IS NOT NULL AND id_number = $2)
                OR ($3::text IS NOT NULL AND school = $4 AND student_no = $3))
             ORDER BY received_at LIMIT 1",
            &[
                &id,
                &booking.id_number,
                &booking.student_no,
                &booking.school,
            ],
        )?
        .map(|row| row.get(0));
    let record = serde_json::to_value(booking)
        .map_err(|error| CampusError::Refused(format!("booking payload: {error}")))?;
    db.execute(
        "INSERT INTO bookings (id, student_id, order_no, school, id_number, student_no,
             capture_code, status, record, station)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'booked', $8, $9)",
        &[
            &id,
            &student,
            &booking.order_no,
            &booking.school,
            &booking.id_number,
            &booking.student_no,
            &booking.capture_code,
            &record,
            &station,
        ],
    )?;
    match twin {
        None => Ok((EventOutcome::Applied, true)),
        Some(other) => {
            db.execute(
                "INSERT INTO conflicts (kind, booking_id, event_id, other)
                 VALUES ('duplicate_walk_in', $1, $2, $3)",
                &[&id, &event_id, &json!({ "booking_id": other.to_string() })],
            )?;
            // Both bookings are kept and spread: each booth may hold a photo of one of them.
            Ok((EventOutcome::Conflict, true))
        }
    }
}

/// A capture. It becomes the booking's active capture unless another station already holds
/// the booking (its capture, or a fresh claim) or the booking was cancelled or refunded: then
/// it is kept, inactive, with a conflict row, and is not spread to the stations.
fn apply_capture(
    db: &mut Db<'_, '_>,
    station: &str,
    event_id: uuid::Uuid,
    payload: &CapturePayload,
    photos: &HashMap<String, Vec<u8>>,
) -> CampusResult<(EventOutcome, bool)> {
    let capture = parse_uuid(&payload.capture_id, "capture id")?;
    let booking = parse_uuid(&payload.booking_id, "booking id")?;
    match photos.get(&payload.sha256) {
        // The CHECK constraint recomputes the hash; a mismatch aborts the savepoint.
        Some(bytes) => {
            let inserted = db.execute(
                "INSERT INTO photos (sha256, bytes) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
                &[&payload.sha256, bytes],
            );
            if let Err(error) = inserted {
                if error.code() == Some(&postgres::error::SqlState::CHECK_VIOLATION) {
                    return Err(crate::campus::CampusRefusal::PhotoHashMismatch.into());
                }
                return Err(error.into());
            }
        }
        None => {
            let held: bool = db
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM photos WHERE sha256 = $1)",
                    &[&payload.sha256],
                )?
                .get(0);
            if !held {
                return Err(CampusError::Refused(
                    "照片未随采集事件上传 / the capture came without its photo".to_string(),
                ));
            }
        }
    }
    let status = lock_booking_status(db, booking)?;
    let active: Option<(uuid::Uuid, String)> = db
        .query_opt(
            "SELECT id, station FROM captures WHERE booking_id = $1 AND active",
            &[&booking],
        )?
        .map(|row| (row.get(0), row.get(1)));
    let claim: Option<(String, bool)> = db
        .query_opt(
            "SELECT station, claimed_at < clock_timestamp() - interval '10 minutes'
             FROM claims WHERE booking_id = $1",
            &[&booking],
        )?
        .map(|row| (row.get(0), row.get(1)));
    let conflict = if matches!(status.as_str(), "cancelled" | "refund_pending" | "refunded") {
        let closed: bool = db
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM close_outs c JOIN bookings b ON b.school = c.school
                                WHERE b.id = $1)",
                &[&booking],
            )?
            .get(0);
        let kind = if closed {
            "capture_after_close"
        } else {
            "capture_after_cancel"
        };
        Some((kind, json!({ "status": status })))
    } else if let Some((other, other_station)) = &active {
        let own_retake = payload.retake && other_station == station;
        (!own_retake).then(|| {
            (
                "double_capture",
                json!({ "capture_id": other.to_string(), "station": other_station }),
            )
        })
    } else {
        match &claim {
            Some((holder, stale)) if holder != station && !stale => Some((
                "double_capture",
                json!({ "claimed_by": holder, "capture_id": null }),
            )),
            _ => None,
        }
    };
    let original = payload.original_sha256.as_deref();
    let insert_capture = |db: &mut Db<'_, '_>, active: bool| {
        db.execute(
            "INSERT INTO captures (id, booking_id, event_id, station, sha256, original_sha256,
                 active, operator, captured_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &capture,
                &booking,
                &event_id,
                &station,
                &payload.sha256,
                &original,
                &active,
                &payload.operator,
                &payload.captured_at,
            ],
        )
    };
    match conflict {
        Some((kind, other)) => {
            insert_capture(db, false)?;
            db.execute(
                "INSERT INTO conflicts (kind, booking_id, event_id, other) VALUES ($1, $2, $3, $4)",
                &[&kind, &booking, &event_id, &other],
            )?;
            Ok((EventOutcome::Conflict, false))
        }
        None => {
            db.execute(
                "UPDATE captures SET active = false WHERE booking_id = $1 AND active",
                &[&booking],
            )?;
            insert_capture(db, true)?;
            db.execute(
                "UPDATE bookings SET status = 'captured' WHERE id = $1",
                &[&booking],
            )?;
            db.execute(
                "INSERT INTO claims (booking_id, station) VALUES ($1, $2)
                 ON CONFLICT (booking_id) DO UPDATE SET station = EXCLUDED.station",
                &[&booking, &station],
            )?;
            Ok((EventOutcome::Applied, true))
        }
    }
}

/// The booking's status, its row locked until the event's savepoint ends; an unknown booking is
/// refused (the event goes to quarantine).
fn lock_booking_status(db: &mut Db<'_, '_>, booking: uuid::Uuid) -> CampusResult<String> {
    Ok(db
        .query_opt(
            "SELECT status FROM bookings WHERE id = $1 FOR UPDATE",
            &[&booking],
        )?
        .ok_or_else(|| crate::campus::CampusRefusal::NoBookingOnServer(booking.to_string()))?
        .get(0))
}

/// A refund mark. The server refunds only a booking with no capture anywhere on the campus and
/// no other station's fresh claim (that booth may be shooting the student right now): a
/// station that closed out offline may ask to refund a student photographed elsewhere, and
/// that becomes a `refund_of_captured` conflict, refunded by nobody until the supervisor says.
fn apply_refund(
    db: &mut Db<'_, '_>,
    station: &str,
    event_id: uuid::Uuid,
    payload: &RefundPayload,
) -> CampusResult<(EventOutcome, bool)> {
    let booking = parse_uuid(&payload.booking_id, "booking id")?;
    let status = lock_booking_status(db, booking)?;
    let photographed_by: Option<String> = db
        .query_opt(
            "SELECT station FROM captures WHERE booking_id = $1 AND active
             UNION ALL
             SELECT station FROM claims WHERE booking_id = $1 AND station <> $2
                 AND claimed_at >= clock_timestamp() - interval '10 minutes'
             LIMIT 1",
            &[&booking, &station],
        )?
        .map(|row| row.get(0));
    if status == "captured" || photographed_by.is_some() {
        db.execute(
            "INSERT INTO conflicts (kind, booking_id, event_id, other)
             VALUES ('refund_of_captured', $1, $2, $3)",
            &[
                &booking,
                &event_id,
                &json!({ "station": photographed_by, "status": status, "refund": payload }),
            ],
        )?;
        return Ok((EventOutcome::Conflict, false));
    }
    let changed = match payload.status.as_str() {
        refund_status::PENDING => {
            let due = payload
                .due_date
                .as_deref()
                .map(|text| {
                    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                        CampusError::Refused(format!("refund due date '{text}' is not a date"))
                    })
                })
                .transpose()?;
            db.execute(
                "UPDATE bookings SET status = 'refund_pending', refund_due = $2
                 WHERE id = $1 AND status = 'booked'",
                &[&booking, &due],
            )?
        }
        refund_status::REFUNDED => db.execute(
            "UPDATE bookings SET status = 'refunded', refund_ref = $2
             WHERE id = $1 AND status IN ('booked', 'cancelled', 'refund_pending')",
            &[&booking, &payload.reference],
        )?,
        other => {
            return Err(CampusError::Refused(format!(
                "unknown refund status '{other}'"
            )));
        }
    };
    // Already closed by another station's close-out: nothing new to tell the stations.
    Ok((EventOutcome::Applied, changed > 0))
}

/// Sets one correctable field in a booking's record, and its indexed column where it has one.
pub(super) fn set_record_field(
    db: &mut Db<'_, '_>,
    booking: uuid::Uuid,
    field: &str,
    value: Option<&str>,
) -> CampusResult<()> {
    let field = crate::domain::CorrectableField::parse(field)
        .ok_or_else(|| CampusError::Refused(format!("unknown correctable field '{field}'")))?;
    let name = field.as_str();
    db.execute(
        "UPDATE bookings SET record = jsonb_set(record, ARRAY[$2::text],
             CASE WHEN $3::text IS NULL THEN 'null'::jsonb ELSE to_jsonb($3::text) END)
         WHERE id = $1",
        &[&booking, &name, &value],
    )?;
    if matches!(name, "id_number" | "student_no" | "school") {
        let sql = match name {
            "id_number" => "UPDATE bookings SET id_number = $2 WHERE id = $1",
            "student_no" => "UPDATE bookings SET student_no = $2 WHERE id = $1",
            _ => "UPDATE bookings SET school = $2 WHERE id = $1",
        };
        db.execute(sql, &[&booking, &value])?;
    }
    Ok(())
}

/// A correction. It applies only if the record still says what the station saw before the
/// change; otherwise someone changed it meanwhile, and both values wait for the supervisor.
fn apply_correction(
    db: &mut Db<'_, '_>,
    event_id: uuid::Uuid,
    payload: &CorrectionPayload,
) -> CampusResult<(EventOutcome, bool)> {
    let booking = parse_uuid(&payload.booking_id, "booking id")?;
    if crate::domain::CorrectableField::parse(&payload.field).is_none() {
        return Err(CampusError::Refused(format!(
            "unknown correctable field '{}'",
            payload.field
        )));
    }
    let current: Option<String> = db
        .query_opt(
            "SELECT record->>$2 FROM bookings WHERE id = $1 FOR UPDATE",
            &[&booking, &payload.field],
        )?
        .ok_or_else(|| crate::campus::CampusRefusal::NoBookingOnServer(booking.to_string()))?
        .get(0);
    if current == payload.old_value {
        set_record_field(db, booking, &payload.field, payload.new_value.as_deref())?;
        return Ok((EventOutcome::Applied, true));
    }
    db.execute(
        "INSERT INTO conflicts (kind, booking_id, event_id, other)
         VALUES ('stale_correction', $1, $2, $3)",
        &[
            &booking,
            &event_id,
            &json!({ "field": payload.field, "server_value": current, "station_saw": payload.old_value, "station_wanted": payload.new_value }),
        ],
    )?;
    Ok((EventOutcome::Conflict, false))
}
