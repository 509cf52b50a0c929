//! The campus store's operations, as a station (or the supervisor) calls them: enrolment,
//! uploading outbox batches, pulling the change feed, claiming a booking before a shot, photo
//! uploads and the station's heartbeat. Each is one server transaction.
//!
//! Upload rules: events apply in the station's sequence order; an event id already held is a
//! duplicate (so a batch sent twice, or resent after a lost acknowledgement, changes nothing);
//! a sequence number past the next expected one stops the batch with the number the server
//! wants; an event that cannot be applied is kept whole in `quarantine` with the reason, never
//! dropped. The station a batch belongs to is the login's, not a claim of the client.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use postgres::types::ToSql;
use postgres::{Client, Row, Statement, Transaction};
use serde::Serialize;
use serde_json::json;

use super::schema::{self, EVENTS_LOCK};
use super::token::{ServerLogin, new_secret};
use super::{CampusError, CampusResult};
use crate::domain::{BookingStatus, Field, RowProblem};
use crate::store::inbox::RemoteEvent;
use crate::store::outbox::{
    BookingPayload, CapturePayload, CorrectionPayload, ExceptionPayload, OutboxEntry,
    RefundPayload, kind, refund_status,
};
use crate::store::{ImportCounts, ImportRejection, NewBooking};

/// The channel stations LISTEN on; every commit that adds shared events notifies it.
pub const CHANGES_CHANNEL: &str = "campus_changes";
/// The claim: this station takes the booking unless another station photographed it or holds
/// a fresh claim. A claim with no capture behind it for 10 minutes no longer blocks another
/// station (the claiming station crashed, or the student walked away); the same interval is
/// used when an upload checks a claim.
const CLAIM_SQL: &str = "INSERT INTO claims (booking_id, station)
     SELECT $1, $2 WHERE NOT EXISTS
         (SELECT 1 FROM captures WHERE booking_id = $1 AND active AND station <> $2)
     ON CONFLICT (booking_id) DO UPDATE SET station = EXCLUDED.station,
         claimed_at = clock_timestamp()
     WHERE claims.station = EXCLUDED.station
        OR (claims.claimed_at < clock_timestamp() - interval '10 minutes'
            AND NOT EXISTS (SELECT 1 FROM captures c
                            WHERE c.booking_id = claims.booking_id AND c.active))
     RETURNING station";

/// What the server did with one uploaded event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventOutcome {
    Applied,
    /// Already held (sent before): nothing changed.
    Duplicate,
    /// Held, and a conflict row waits for the supervisor.
    Conflict,
    /// Could not be applied; kept in quarantine with the reason.
    Quarantined,
}

impl EventOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Duplicate => "duplicate",
            Self::Conflict => "conflict",
            Self::Quarantined => "quarantined",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UploadAnswer {
    /// (station_seq, outcome) for each event the server answered, in order.
    pub outcomes: Vec<(i64, EventOutcome)>,
    /// The batch skipped ahead of the server's record: resend from this sequence number.
    pub gap_expected: Option<i64>,
}

/// Who may shoot a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "claim")]
pub enum ClaimAnswer {
    /// This station holds the booking.
    Won,
    /// Another station claimed or photographed it first.
    Lost { holder: String },
    /// The server does not know the booking yet (a walk-in still in this station's outbox):
    /// shoot, and the upload checks it.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StationRow {
    pub name: String,
    pub last_contact: Option<String>,
    pub clock_offset_ms: Option<i64>,
    pub last_seq: i64,
    pub outbox_depth: i64,
    pub photos_waiting: i64,
    pub captures_today: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictRow {
    pub id: i64,
    pub kind: String,
    pub booking_id: Option<String>,
    pub event_id: String,
    pub other: serde_json::Value,
    pub created_at: String,
}

/// A conflict's two photos, JPEG bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictPhotos {
    /// The booking's photo now (the active capture), if it has one.
    pub current: Option<Vec<u8>>,
    /// The photo the conflict is about.
    pub other: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarantineRow {
    pub event_id: String,
    pub station: String,
    pub station_seq: Option<i64>,
    pub kind: String,
    pub reason: String,
}

pub struct CampusClient {
    client: Client,
    /// The station this login belongs to (`None` for the campus owner's login).
    station: Option<String>,
    listening: bool,
    /// Statements prepared on this connection, by their text.
    statements: HashMap<&'static str, Statement>,
}

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

fn unreachable(login: &ServerLogin, error: super::tls::ConnectError) -> CampusError {
    // The login's Display carries no password. The causes say why (a refused certificate, a
    // timeout), which the top error alone does not.
    let mut text = format!("{login}: {error}");
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        text.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    CampusError::Unreachable(text)
}

fn parse_uuid(text: &str, what: &str) -> CampusResult<uuid::Uuid> {
    uuid::Uuid::parse_str(text)
        .map_err(|_| CampusError::Refused(format!("{what} '{text}' is not a UUID")))
}

impl CampusClient {
    /// Connects and checks that the server's schema is the one this app knows.
    pub fn connect(login: &ServerLogin, timeout: Duration) -> CampusResult<Self> {
        let mut client =
            super::tls::connect(login, timeout).map_err(|error| unreachable(login, error))?;
        schema::check_version(&mut client)?;
        let station: Option<String> = client
            .query_opt(
                "SELECT name FROM stations WHERE role_name = current_user",
                &[],
            )?
            .map(|row| row.get(0));
        Ok(Self {
            client,
            station,
            listening: false,
            statements: HashMap::new(),
        })
    }

    /// Registers `station` with the join token's login and returns the station's own login.
    pub fn enrol(
        token: &ServerLogin,
        station: &str,
        timeout: Duration,
    ) -> CampusResult<ServerLogin> {
        let mut client = Self::connect(token, timeout)?;
        let password = new_secret();
        let role: String = client
            .client
            .query_one("SELECT campus_enrol($1, $2)", &[&station, &password])
            .map_err(|error| match error.as_db_error() {
                Some(db) => CampusError::Refused(db.message().to_string()),
                None => CampusError::Postgres(error),
            })?
            .get(0);
        Ok(ServerLogin {
            user: role,
            password,
            ..token.clone()
        })
    }

    /// Whether this connection is encrypted, as the server sees it.
    pub fn encrypted(&mut self) -> CampusResult<bool> {
        Ok(self
            .client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )?
            .get(0))
    }

    pub fn station(&self) -> Option<&str> {
        self.station.as_deref()
    }

    pub(super) fn station_or_refuse(&self) -> CampusResult<String> {
        self.station.clone().ok_or_else(|| {
            CampusError::Refused("this login is not a station's; join the campus first".to_string())
        })
    }

    /// Raw access for tests and the supervisor's reports.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    /// Uploads one batch in one transaction; see the module doc for the rules.
    pub fn upload(
        &mut self,
        events: &[OutboxEntry],
        photos: &HashMap<String, Vec<u8>>,
    ) -> CampusResult<UploadAnswer> {
        self.upload_with(events, photos, |_| Ok(()))
    }

    /// [`Self::upload`], calling `after_each(index)` after each event is applied inside the
    /// transaction: an error from it rolls the whole batch back, as a dropped connection would.
    pub fn upload_with(
        &mut self,
        events: &[OutboxEntry],
        photos: &HashMap<String, Vec<u8>>,
        mut after_each: impl FnMut(usize) -> CampusResult<()>,
    ) -> CampusResult<UploadAnswer> {
        let station = self.station_or_refuse()?;
        let event_ids = events
            .iter()
            .map(|event| parse_uuid(&event.event_id, "event id"))
            .collect::<CampusResult<Vec<_>>>()?;
        let mut tx = self.client.transaction()?;
        let mut db = Db {
            tx: &mut tx,
            statements: &mut self.statements,
        };
        db.execute("SELECT pg_advisory_xact_lock($1)", &[&EVENTS_LOCK])?;
        let mut last_seq: i64 = db
            .query_one(
                "SELECT last_seq FROM stations WHERE name = $1 FOR UPDATE",
                &[&station],
            )?
            .get(0);
        // Which of the batch the server already holds, in one round trip.
        let held: std::collections::HashSet<uuid::Uuid> = db
            .query(
                "SELECT event_id FROM events WHERE event_id = ANY($1)
                 UNION SELECT event_id FROM quarantine WHERE event_id = ANY($1)",
                &[&event_ids],
            )?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let mut answer = UploadAnswer::default();
        let mut shared_any = false;
        for (index, (event, event_id)) in events.iter().zip(event_ids).enumerate() {
            if held.contains(&event_id) {
                answer
                    .outcomes
                    .push((event.station_seq, EventOutcome::Duplicate));
                continue;
            }
            if event.station_seq > last_seq + 1 {
                answer.gap_expected = Some(last_seq + 1);
                break;
            }
            let outcome = if event.station_seq <= last_seq {
                // A number already used by another event: a restored backup reusing its
                // sequence. Keep it for the supervisor; never apply it blind.
                quarantine(
                    &mut db,
                    &station,
                    event,
                    "序号已被另一事件使用 / sequence number already used by another event from this station",
                )?;
                EventOutcome::Quarantined
            } else {
                last_seq = event.station_seq;
                apply_in_savepoint(&mut db, &station, event, event_id, photos)?
            };
            shared_any |= matches!(outcome, EventOutcome::Applied | EventOutcome::Conflict);
            answer.outcomes.push((event.station_seq, outcome));
            after_each(index)?;
        }
        db.execute(
            "UPDATE stations SET last_seq = $2, last_contact = now() WHERE name = $1",
            &[&station, &last_seq],
        )?;
        if shared_any {
            db.execute("SELECT pg_notify($1, '')", &[&CHANGES_CHANNEL])?;
        }
        tx.commit()?;
        Ok(answer)
    }

    /// Up to `limit` shared changes after `cursor`, made elsewhere than this station, with each
    /// capture's accepted photo. Writers serialise on [`EVENTS_LOCK`], so a row with a lower
    /// sequence can never commit after one with a higher: the cursor never skips.
    pub fn pull(&mut self, cursor: i64, limit: i64) -> CampusResult<(Vec<RemoteEvent>, i64)> {
        let station = self.station.clone().unwrap_or_default();
        let rows = self.client.query(
            "SELECT e.server_seq, e.event_id::text, e.station, e.kind, e.payload, p.bytes
             FROM events e
             LEFT JOIN photos p ON e.kind IN ('capture', 'conflict_resolved')
                                  AND p.sha256 = e.payload->>'sha256'
             WHERE e.shared AND e.server_seq > $1 AND e.station <> $2
             ORDER BY e.server_seq LIMIT $3",
            &[&cursor, &station, &limit],
        )?;
        let events: Vec<RemoteEvent> = rows
            .iter()
            .map(|row| RemoteEvent {
                server_seq: row.get(0),
                event_id: row.get(1),
                station: row.get(2),
                kind: row.get(3),
                payload: row.get(4),
                photo: row.get(5),
            })
            .collect();
        let next = events.last().map_or(cursor, |e| e.server_seq);
        Ok((events, next))
    }

    /// Claims `booking_id` for this station before a shot: one round trip when it wins.
    pub fn claim(&mut self, booking_id: &str) -> CampusResult<ClaimAnswer> {
        let station = self.station_or_refuse()?;
        let booking = parse_uuid(booking_id, "booking id")?;
        // Prepared once per connection: each claim is then a single round trip.
        let statement = match self.statements.get(CLAIM_SQL) {
            Some(statement) => statement.clone(),
            None => {
                let statement = self.client.prepare(CLAIM_SQL)?;
                self.statements.insert(CLAIM_SQL, statement.clone());
                statement
            }
        };
        let won = self.client.query_opt(&statement, &[&booking, &station]);
        match won {
            Ok(Some(_)) => Ok(ClaimAnswer::Won),
            Ok(None) => {
                let holder: Option<String> = self
                    .client
                    .query_one(
                        "SELECT coalesce(
                             (SELECT station FROM captures WHERE booking_id = $1 AND active),
                             (SELECT station FROM claims WHERE booking_id = $1))",
                        &[&booking],
                    )?
                    .get(0);
                Ok(ClaimAnswer::Lost {
                    holder: holder.unwrap_or_default(),
                })
            }
            Err(error)
                if error.code() == Some(&postgres::error::SqlState::FOREIGN_KEY_VIOLATION) =>
            {
                Ok(ClaimAnswer::Unknown)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Stores one photo (a full-resolution original, typically). The server's CHECK recomputes
    /// the sha256; bytes that do not match are refused.
    /// The campus's ids for those of `order_nos` it holds.
    pub fn held_orders(
        &mut self,
        order_nos: &[String],
    ) -> CampusResult<HashMap<String, crate::store::pre_campus::HeldOrder>> {
        if order_nos.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(self
            .client
            .query(
                "SELECT order_no, id::text, student_id::text FROM bookings
                 WHERE order_no = ANY($1)",
                &[&order_nos],
            )?
            .iter()
            .map(|row| {
                (
                    row.get(0),
                    crate::store::pre_campus::HeldOrder {
                        booking_id: row.get(1),
                        student_id: row.get(2),
                    },
                )
            })
            .collect())
    }

    pub fn upload_photo(&mut self, sha256: &str, bytes: &[u8]) -> CampusResult<()> {
        self.client
            .execute(
                "INSERT INTO photos (sha256, bytes) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
                &[&sha256, &bytes],
            )
            .map_err(|error| match error.code() {
                Some(code) if *code == postgres::error::SqlState::CHECK_VIOLATION => {
                    CampusError::Refused(format!(
                        "照片内容与其 sha256 不符，服务器拒收 / the photo's bytes do not match its sha256 {sha256}; the server refused it"
                    ))
                }
                _ => CampusError::Postgres(error),
            })?;
        Ok(())
    }

    /// Reports the station's queue and measures its clock against the server's (the midpoint
    /// of the round trip). Returns the offset in ms (server minus station).
    pub fn heartbeat(&mut self, outbox_depth: usize, photos_waiting: usize) -> CampusResult<i64> {
        let station = self.station_or_refuse()?;
        let sent = Instant::now();
        let local_before = chrono::Utc::now();
        let server_ms: i64 = self
            .client
            .query_one(
                "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint",
                &[],
            )?
            .get(0);
        let round_trip = sent.elapsed();
        let local_mid =
            local_before + chrono::Duration::from_std(round_trip / 2).unwrap_or_default();
        let offset = server_ms - local_mid.timestamp_millis();
        self.client.execute(
            "UPDATE stations SET last_contact = now(), clock_offset_ms = $2, outbox_depth = $3,
                 photos_waiting = $4 WHERE name = $1",
            &[
                &station,
                &offset,
                &(outbox_depth as i64),
                &(photos_waiting as i64),
            ],
        )?;
        Ok(offset)
    }

    /// Starts listening for the change notification (once per connection).
    pub fn listen(&mut self) -> CampusResult<()> {
        if !self.listening {
            self.client
                .batch_execute(&format!("LISTEN {CHANGES_CHANNEL}"))?;
            self.listening = true;
        }
        Ok(())
    }

    /// Waits up to `timeout` for another station's change; true if one was announced.
    pub fn wait_for_change(&mut self, timeout: Duration) -> CampusResult<bool> {
        use postgres::fallible_iterator::FallibleIterator;
        self.listen()?;
        let mut notifications = self.client.notifications();
        let woke = notifications.timeout_iter(timeout).next()?.is_some();
        // Drain the rest: one pull covers them all.
        while notifications.iter().next()?.is_some() {}
        Ok(woke)
    }

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
        let mut tx = self.client.transaction()?;
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

    /// Settles one conflict with the supervisor's decision, audited (who, when, from which
    /// station) and spread to every station as a `conflict_resolved` event:
    /// - `use_this`: the conflicting capture becomes the booking's photo (for a capture after
    ///   cancellation this also takes the booking back from its refund: status captured);
    /// - `keep_existing`: the booking keeps what it has; the other photo stays on the server;
    /// - `keep_both`: two walk-ins of one student stay two bookings.
    pub fn resolve_conflict(
        &mut self,
        conflict_id: i64,
        decision: &str,
        decided_by: &str,
    ) -> CampusResult<()> {
        let mut tx = self.client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&EVENTS_LOCK])?;
        let row = tx
            .query_opt(
                "SELECT kind, booking_id, event_id, resolved_at IS NOT NULL FROM conflicts
                 WHERE id = $1 FOR UPDATE",
                &[&conflict_id],
            )?
            .ok_or(super::CampusRefusal::NoConflict(conflict_id))?;
        let (kind, booking, event_id, resolved): (String, Option<uuid::Uuid>, uuid::Uuid, bool) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        if resolved {
            return Err(super::CampusRefusal::ConflictResolved(conflict_id).into());
        }
        let allowed: &[&str] = match kind.as_str() {
            "double_capture"
            | "capture_after_cancel"
            | "capture_after_close"
            | "stale_correction" => &["use_this", "keep_existing"],
            "duplicate_walk_in" => &["keep_both"],
            "refund_of_captured" => &["keep_existing", "use_this"],
            _ => &["keep_existing"],
        };
        if !allowed.contains(&decision) {
            return Err(super::CampusRefusal::WrongDecision {
                kind,
                decision: decision.to_string(),
            }
            .into());
        }
        let mut payload = json!({
            "conflict_id": conflict_id,
            "kind": kind,
            "decision": decision,
            "decided_by": decided_by,
            "booking_id": booking.map(|b| b.to_string()),
        });
        if kind == "refund_of_captured" {
            let booking_id = booking
                .ok_or_else(|| CampusError::Refused("the conflict names no booking".to_string()))?;
            let refund: serde_json::Value = tx
                .query_one(
                    "SELECT payload FROM events WHERE event_id = $1",
                    &[&event_id],
                )?
                .get(0);
            let captured: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM captures WHERE booking_id = $1 AND active)",
                    &[&booking_id],
                )?
                .get(0);
            if decision == "use_this" {
                // Refunding is only ever allowed for a student nobody photographed.
                if captured {
                    return Err(super::CampusRefusal::RefundOfPhotographed.into());
                }
                let due = refund["due_date"]
                    .as_str()
                    .and_then(|text| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok());
                tx.execute(
                    "UPDATE bookings SET status = 'refund_pending', refund_due = $2
                     WHERE id = $1 AND status = 'booked'",
                    &[&booking_id, &due],
                )?;
                payload["refund"] = refund;
            } else {
                let status: String = tx
                    .query_one("SELECT status FROM bookings WHERE id = $1", &[&booking_id])?
                    .get(0);
                payload["booking_status"] = json!(status);
            }
        } else if kind == "stale_correction" {
            let event: serde_json::Value = tx
                .query_one(
                    "SELECT payload FROM events WHERE event_id = $1",
                    &[&event_id],
                )?
                .get(0);
            let mut correction: CorrectionPayload = serde_json::from_value(event)
                .map_err(|error| CampusError::Refused(format!("correction payload: {error}")))?;
            let booking_id = parse_uuid(&correction.booking_id, "booking id")?;
            if decision == "use_this" {
                let mut db = Db {
                    tx: &mut tx,
                    statements: &mut self.statements,
                };
                set_record_field(
                    &mut db,
                    booking_id,
                    &correction.field,
                    correction.new_value.as_deref(),
                )?;
            } else {
                // Every station, the one that made the correction included, goes back to the
                // value the campus kept.
                let kept: Option<String> = tx
                    .query_one(
                        "SELECT record->>$2 FROM bookings WHERE id = $1",
                        &[&booking_id, &correction.field],
                    )?
                    .get(0);
                correction.old_value = None;
                correction.new_value = kept;
                correction.reason = format!(
                    "校区冲突 #{conflict_id} 保留原值 / campus conflict #{conflict_id}: value kept"
                );
                correction.who = decided_by.to_string();
            }
            payload["correction"] = serde_json::to_value(&correction)
                .map_err(|error| CampusError::Refused(format!("correction payload: {error}")))?;
        } else if decision == "use_this" {
            let capture = tx.query_one(
                "SELECT c.id, c.booking_id, e.payload FROM captures c
                 JOIN events e ON e.event_id = c.event_id WHERE c.event_id = $1",
                &[&event_id],
            )?;
            let (capture_id, booking_id, capture_payload): (
                uuid::Uuid,
                uuid::Uuid,
                serde_json::Value,
            ) = (capture.get(0), capture.get(1), capture.get(2));
            tx.execute(
                "UPDATE captures SET active = false WHERE booking_id = $1 AND active",
                &[&booking_id],
            )?;
            tx.execute(
                "UPDATE captures SET active = true WHERE id = $1",
                &[&capture_id],
            )?;
            // For a capture after a cancellation or close-out this takes back the refund.
            tx.execute(
                "UPDATE bookings SET status = 'captured', refund_due = NULL WHERE id = $1",
                &[&booking_id],
            )?;
            payload["capture"] = capture_payload.clone();
            payload["sha256"] = capture_payload["sha256"].clone();
        }
        tx.execute(
            "UPDATE conflicts SET resolved_at = clock_timestamp(), decision = $2, decided_by = $3
             WHERE id = $1",
            &[&conflict_id, &decision, &decided_by],
        )?;
        tx.execute(
            "INSERT INTO events (event_id, station, kind, payload, outcome, shared)
             VALUES ($1, 'server', 'conflict_resolved', $2, 'applied', true)",
            &[&uuid::Uuid::now_v7(), &payload],
        )?;
        tx.execute("SELECT pg_notify($1, '')", &[&CHANGES_CHANNEL])?;
        tx.commit()?;
        Ok(())
    }

    /// The photos on both sides of a conflict.
    pub fn conflict_photos(&mut self, conflict_id: i64) -> CampusResult<ConflictPhotos> {
        let row = self.client.query_one(
            "SELECT
                 (SELECT p.bytes FROM captures c JOIN photos p ON p.sha256 = c.sha256
                  WHERE c.booking_id = k.booking_id AND c.active),
                 (SELECT p.bytes FROM captures c JOIN photos p ON p.sha256 = c.sha256
                  WHERE c.event_id = k.event_id)
             FROM conflicts k WHERE k.id = $1",
            &[&conflict_id],
        )?;
        Ok(ConflictPhotos {
            current: row.get(0),
            other: row.get(1),
        })
    }

    pub fn stations(&mut self) -> CampusResult<Vec<StationRow>> {
        let rows = self.client.query(
            "SELECT s.name, to_char(s.last_contact AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    s.clock_offset_ms, s.last_seq, s.outbox_depth, s.photos_waiting,
                    (SELECT count(*) FROM captures c WHERE c.station = s.name AND c.active
                         AND c.received_at >= date_trunc('day', now()))
             FROM stations s ORDER BY s.name",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| StationRow {
                name: r.get(0),
                last_contact: r.get(1),
                clock_offset_ms: r.get(2),
                last_seq: r.get(3),
                outbox_depth: r.get(4),
                photos_waiting: r.get(5),
                captures_today: r.get(6),
            })
            .collect())
    }

    pub fn open_conflicts(&mut self) -> CampusResult<Vec<ConflictRow>> {
        let rows = self.client.query(
            "SELECT id, kind, booking_id::text, event_id::text, other, created_at::text
             FROM conflicts WHERE resolved_at IS NULL ORDER BY id",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| ConflictRow {
                id: r.get(0),
                kind: r.get(1),
                booking_id: r.get(2),
                event_id: r.get(3),
                other: r.get(4),
                created_at: r.get(5),
            })
            .collect())
    }

    pub fn quarantined(&mut self) -> CampusResult<Vec<QuarantineRow>> {
        let rows = self.client.query(
            "SELECT event_id::text, station, station_seq, kind, reason FROM quarantine
             ORDER BY received_at",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| QuarantineRow {
                event_id: r.get(0),
                station: r.get(1),
                station_seq: r.get(2),
                kind: r.get(3),
                reason: r.get(4),
            })
            .collect())
    }
}

/// A transaction with the connection's prepared statements: each statement is parsed once per
/// connection, so a query is one round trip instead of two (parse, then execute).
struct Db<'t, 'c> {
    tx: &'t mut Transaction<'c>,
    statements: &'t mut HashMap<&'static str, Statement>,
}

impl Db<'_, '_> {
    fn prepared(&mut self, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.prepare(sql)?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    fn execute(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.execute(&statement, params)
    }

    fn query_one(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.query_one(&statement, params)
    }

    fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.query(&statement, params)
    }

    fn query_opt(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.query_opt(&statement, params)
    }
}

fn quarantine(
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
fn apply_in_savepoint(
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
                    return Err(super::CampusRefusal::PhotoHashMismatch.into());
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
        .ok_or_else(|| super::CampusRefusal::NoBookingOnServer(booking.to_string()))?
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
fn set_record_field(
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
        .ok_or_else(|| super::CampusRefusal::NoBookingOnServer(booking.to_string()))?
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
