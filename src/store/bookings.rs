//! Bookings and their students: insert, idempotent re-import, status changes through the domain's
//! status machine, and the joined view that lookup, the CLI and the UI show.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::json;

use super::accounts::{Permission, Session};
use super::new_booking::{LOCAL_TIME_FORMAT, NewBooking};
use super::outbox::{self, BookingPayload};
use super::{Refusal, Store, StoreError, StoreResult, events, new_id, now_text};
use crate::domain::{BookingStatus, Field, RowProblem, check_transition};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: Vec<ImportRejection>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRejection {
    /// Spreadsheet row number; the header is row 1.
    pub row: usize,
    /// Every problem of the row, worded by whoever shows it.
    pub problems: Vec<RowProblem>,
}

impl ImportRejection {
    pub fn new(row: usize, problem: RowProblem) -> Self {
        Self {
            row,
            problems: vec![problem],
        }
    }

    /// The problems in English, for logs and the command line's JSON.
    pub fn reason(&self) -> String {
        self.problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// `{"row": 3, "reason": "..."}`: the command line's JSON, in English.
impl Serialize for ImportRejection {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("ImportRejection", 2)?;
        out.serialize_field("row", &self.row)?;
        out.serialize_field("reason", &self.reason())?;
        out.end()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StudentView {
    pub id: String,
    pub name: String,
    pub sex: Option<String>,
    pub id_number: Option<String>,
    pub has_id_card: bool,
    pub student_no: Option<String>,
    pub school: String,
    pub department: Option<String>,
    pub major: Option<String>,
    pub level: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingView {
    pub booking_id: String,
    pub order_no: Option<String>,
    pub source: String,
    pub status: String,
    pub amount_fen: i64,
    pub payment_method: String,
    pub paid_at: Option<String>,
    pub slot: Option<String>,
    pub note: Option<String>,
    pub capture_code: Option<String>,
    pub retake_approved: bool,
    /// The student said the record is wrong: no photo until a supervisor corrects or overrides.
    pub details_disputed: bool,
    pub student: StudentView,
}

impl BookingView {
    pub fn status(&self) -> Option<BookingStatus> {
        BookingStatus::parse(&self.status)
    }
}

/// Columns of [`BookingView`], in the order [`booking_view_from_row`] reads them.
///
/// Joins in this store are written as `CROSS JOIN`, which fixes SQLite's join order. With a free
/// order the planner marks the statement as depending on its bound values, and every reuse from
/// rusqlite's statement cache then re-prepares it (measured: 9 of 10 runs), which cost more than
/// the query itself. The order written is the one the planner chooses anyway.
pub(crate) const BOOKING_VIEW_SELECT: &str = "
    SELECT b.id, b.order_no, b.source, b.status, b.amount_fen, b.payment_method, b.paid_at,
           b.slot, b.note, c.code, b.retake_approved,
           s.id, s.name, s.sex, s.id_number, s.has_id_card, s.student_no, sc.name,
           s.department, s.major, s.level, s.phone, b.details_disputed_at IS NOT NULL
    FROM bookings b
    CROSS JOIN students s ON s.id = b.student_id
    CROSS JOIN schools sc ON sc.id = s.school_id
    LEFT JOIN capture_codes c ON c.booking_id = b.id";

pub(crate) fn booking_view_from_row(row: &Row<'_>) -> rusqlite::Result<BookingView> {
    Ok(BookingView {
        booking_id: row.get(0)?,
        order_no: row.get(1)?,
        source: row.get(2)?,
        status: row.get(3)?,
        amount_fen: row.get(4)?,
        payment_method: row.get(5)?,
        paid_at: row.get(6)?,
        slot: row.get(7)?,
        note: row.get(8)?,
        capture_code: row.get(9)?,
        retake_approved: row.get(10)?,
        details_disputed: row.get(22)?,
        student: StudentView {
            id: row.get(11)?,
            name: row.get(12)?,
            sex: row.get(13)?,
            id_number: row.get(14)?,
            has_id_card: row.get(15)?,
            student_no: row.get(16)?,
            school: row.get(17)?,
            department: row.get(18)?,
            major: row.get(19)?,
            level: row.get(20)?,
            phone: row.get(21)?,
        },
    })
}

/// The lower-cased name without white space, as name search compares it.
pub(crate) fn searchable_name(name: &str) -> Vec<char> {
    name.to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Distinct bigrams of the searchable name plus its last character (see the `name_grams` table).
pub(crate) fn name_grams(name: &str) -> Vec<String> {
    let chars = searchable_name(name);
    let mut grams: Vec<String> = chars.windows(2).map(|pair| pair.iter().collect()).collect();
    grams.extend(chars.last().map(char::to_string));
    grams.sort();
    grams.dedup();
    grams
}

/// What is stored for an order number, for comparison during re-import.
struct ExistingOrder {
    booking_id: String,
    student_id: String,
    status: String,
    capture_code: Option<String>,
    comparable: Vec<Option<String>>,
}

/// The statements that write bookings, prepared once per transaction. rusqlite's statement cache
/// clears bindings when a statement goes back, and SQLite then re-prepares these joins on every
/// use, which tripled the cost of a large import.
pub(crate) struct BookingWriter<'c> {
    station_id: String,
    now: String,
    school_ids: HashMap<String, String>,
    existing_order: rusqlite::Statement<'c>,
    code_owner: rusqlite::Statement<'c>,
    school_select: rusqlite::Statement<'c>,
    school_insert: rusqlite::Statement<'c>,
    student_insert: rusqlite::Statement<'c>,
    student_update: rusqlite::Statement<'c>,
    gram_insert: rusqlite::Statement<'c>,
    gram_delete: rusqlite::Statement<'c>,
    booking_insert: rusqlite::Statement<'c>,
    booking_update: rusqlite::Statement<'c>,
    code_upsert: rusqlite::Statement<'c>,
}

impl<'c> BookingWriter<'c> {
    pub(crate) fn new(conn: &'c Connection, station_id: &str) -> rusqlite::Result<Self> {
        Ok(Self {
            station_id: station_id.to_string(),
            now: now_text(),
            school_ids: HashMap::new(),
            existing_order: conn.prepare(
                "SELECT b.id, s.id, b.status, c.code,
                        s.name, s.sex, s.id_number, s.has_id_card, s.student_no, sc.name,
                        s.department, s.major, s.level, s.phone, b.amount_fen, b.payment_method,
                        b.paid_at, b.slot, b.note
                 FROM bookings b
                 CROSS JOIN students s ON s.id = b.student_id
                 CROSS JOIN schools sc ON sc.id = s.school_id
                 LEFT JOIN capture_codes c ON c.booking_id = b.id
                 WHERE b.order_no = ?1",
            )?,
            code_owner: conn.prepare(
                "SELECT c.booking_id, b.order_no FROM capture_codes c
                 CROSS JOIN bookings b ON b.id = c.booking_id WHERE c.code = ?1",
            )?,
            school_select: conn.prepare("SELECT id FROM schools WHERE name = ?1")?,
            school_insert: conn.prepare(
                "INSERT INTO schools (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            )?,
            student_insert: conn.prepare(
                "INSERT INTO students (id, name, sex, id_number, has_id_card, student_no,
                    school_id, department, major, level, phone, phone_tail, created_at,
                    updated_at, station_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14)",
            )?,
            student_update: conn.prepare(
                "UPDATE students SET name = ?2, sex = ?3, id_number = ?4, has_id_card = ?5,
                    student_no = ?6, school_id = ?7, department = ?8, major = ?9, level = ?10,
                    phone = ?11, phone_tail = ?12, updated_at = ?13
                 WHERE id = ?1",
            )?,
            gram_insert: conn
                .prepare("INSERT OR IGNORE INTO name_grams (gram, student_id) VALUES (?1, ?2)")?,
            gram_delete: conn
                .prepare("DELETE FROM name_grams WHERE gram = ?1 AND student_id = ?2")?,
            booking_insert: conn.prepare(
                "INSERT INTO bookings (id, order_no, student_id, source, amount_fen,
                    payment_method, paid_at, slot, status, note, station_id, created_at,
                    updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'booked', ?9, ?10, ?11, ?11)",
            )?,
            booking_update: conn.prepare(
                "UPDATE bookings SET amount_fen = ?2, payment_method = ?3, paid_at = ?4,
                    slot = ?5, note = ?6, updated_at = ?7 WHERE id = ?1",
            )?,
            code_upsert: conn.prepare(
                "INSERT INTO capture_codes (code, booking_id, station_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT (booking_id) DO UPDATE
                    SET code = excluded.code, updated_at = excluded.updated_at",
            )?,
        })
    }

    /// After a rollback to a savepoint, a school inserted inside it is gone again.
    pub(crate) fn forget_cached_schools(&mut self) {
        self.school_ids.clear();
    }

    fn existing_order(&mut self, order_no: &str) -> rusqlite::Result<Option<ExistingOrder>> {
        self.existing_order
            .query_row([order_no], |r| {
                let has_id_card: bool = r.get(7)?;
                let amount: i64 = r.get(14)?;
                Ok(ExistingOrder {
                    booking_id: r.get(0)?,
                    student_id: r.get(1)?,
                    status: r.get(2)?,
                    capture_code: r.get(3)?,
                    comparable: vec![
                        Some(r.get(4)?),
                        r.get(5)?,
                        r.get(6)?,
                        Some(if has_id_card { "1" } else { "0" }.to_string()),
                        r.get(8)?,
                        Some(r.get(9)?),
                        r.get(10)?,
                        r.get(11)?,
                        r.get(12)?,
                        r.get(13)?,
                        Some(amount.to_string()),
                        Some(r.get(15)?),
                        r.get(16)?,
                        r.get(17)?,
                        r.get(18)?,
                    ],
                })
            })
            .optional()
    }

    /// The booking id and order number that own `code`, if any.
    fn code_owner(&mut self, code: &str) -> rusqlite::Result<Option<(String, Option<String>)>> {
        self.code_owner
            .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
    }

    fn school_id(&mut self, name: &str) -> rusqlite::Result<String> {
        if let Some(id) = self.school_ids.get(name) {
            return Ok(id.clone());
        }
        let existing: Option<String> = self
            .school_select
            .query_row([name], |r| r.get(0))
            .optional()?;
        let id = match existing {
            Some(id) => id,
            None => {
                let id = new_id();
                self.school_insert.execute(params![id, name, self.now])?;
                id
            }
        };
        self.school_ids.insert(name.to_string(), id.clone());
        Ok(id)
    }

    /// Writes the student's row; `old_name` is the stored name when updating.
    fn write_student(
        &mut self,
        student_id: &str,
        booking: &NewBooking,
        old_name: Option<&str>,
    ) -> rusqlite::Result<()> {
        let school_id = self.school_id(&booking.school)?;
        let phone_tail = booking
            .phone
            .as_deref()
            .and_then(crate::domain::text::phone_tail);
        let fields = params![
            student_id,
            booking.name,
            booking.sex,
            booking.id_number,
            booking.has_id_card,
            booking.student_no,
            school_id,
            booking.department,
            booking.major,
            booking.level,
            booking.phone,
            phone_tail,
            self.now,
        ];
        match old_name {
            None => {
                let mut all: Vec<&dyn rusqlite::ToSql> = fields.to_vec();
                all.push(&self.station_id);
                self.student_insert.execute(all.as_slice())?;
            }
            Some(old_name) => {
                self.student_update.execute(fields)?;
                for gram in name_grams(old_name) {
                    self.gram_delete.execute(params![gram, student_id])?;
                }
            }
        }
        for gram in name_grams(&booking.name) {
            self.gram_insert.execute(params![gram, student_id])?;
        }
        Ok(())
    }

    fn write_capture_code(&mut self, booking_id: &str, code: &str) -> rusqlite::Result<()> {
        self.code_upsert
            .execute(params![code, booking_id, self.station_id, self.now])?;
        Ok(())
    }

    /// Inserts a new student and booking (and its capture code); returns the booking id.
    fn insert(&mut self, booking: &NewBooking) -> rusqlite::Result<String> {
        let (booking_id, student_id) = (new_id(), new_id());
        self.insert_with_ids(booking, &booking_id, &student_id)?;
        Ok(booking_id)
    }

    /// [`Self::insert`] with ids chosen elsewhere: a booking made at another station keeps its
    /// ids everywhere, so that its captures and corrections find it.
    fn insert_with_ids(
        &mut self,
        booking: &NewBooking,
        booking_id: &str,
        student_id: &str,
    ) -> rusqlite::Result<()> {
        self.write_student(student_id, booking, None)?;
        self.booking_insert.execute(params![
            booking_id,
            booking.order_no,
            student_id,
            booking.source.as_str(),
            booking.amount_fen,
            booking.payment_method.as_str(),
            booking
                .paid_at
                .map(|t| t.format(LOCAL_TIME_FORMAT).to_string()),
            booking.slot,
            booking.note,
            self.station_id,
            self.now,
        ])?;
        if let Some(code) = &booking.capture_code {
            self.write_capture_code(booking_id, code)?;
        }
        Ok(())
    }

    fn update(&mut self, existing: &ExistingOrder, booking: &NewBooking) -> rusqlite::Result<()> {
        let old_name = existing.comparable[0].as_deref().unwrap_or_default();
        self.write_student(&existing.student_id, booking, Some(old_name))?;
        self.booking_update.execute(params![
            existing.booking_id,
            booking.amount_fen,
            booking.payment_method.as_str(),
            booking
                .paid_at
                .map(|t| t.format(LOCAL_TIME_FORMAT).to_string()),
            booking.slot,
            booking.note,
            self.now,
        ])?;
        Ok(())
    }
}

/// A booking's status and whether a retake is approved.
pub(crate) fn status_of(conn: &Connection, booking_id: &str) -> StoreResult<(BookingStatus, bool)> {
    let (status, approved): (String, bool) = conn
        .query_row(
            "SELECT status, retake_approved FROM bookings WHERE id = ?1",
            [booking_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "booking",
            key: booking_id.to_string(),
        })?;
    let status = BookingStatus::parse(&status)
        .ok_or_else(|| StoreError::Invalid(format!("unknown stored status '{status}'")))?;
    Ok((status, approved))
}

impl Store {
    /// Imports validated rows (each with its spreadsheet row number) in one transaction.
    /// The same order number with the same content is left alone; changed content updates the
    /// row; a row that would break a rule (a capture code owned by another order, a change to an
    /// already-photographed student) is rejected with its row number and nothing else changes.
    ///
    /// Rows arrive as results so that a producer that fails half-way (an unreadable spreadsheet)
    /// makes the whole import roll back: nothing of a bad file is ever committed.
    pub fn import_bookings<E: From<StoreError>>(
        &mut self,
        rows: impl IntoIterator<Item = Result<(usize, NewBooking), E>>,
        session: &Session,
        source_label: &str,
    ) -> Result<ImportCounts, E> {
        self.write_imported_bookings(rows, session, source_label, true)
    }

    /// What [`Self::import_bookings`] would do with `rows`, worked out by the same code in a
    /// transaction that is rolled back: the preview's counts are the import's, not an estimate.
    /// Nothing is written, not even the event.
    pub fn preview_import_bookings<E: From<StoreError>>(
        &mut self,
        rows: impl IntoIterator<Item = Result<(usize, NewBooking), E>>,
        session: &Session,
    ) -> Result<ImportCounts, E> {
        self.write_imported_bookings(rows, session, "preview", false)
    }

    fn write_imported_bookings<E: From<StoreError>>(
        &mut self,
        rows: impl IntoIterator<Item = Result<(usize, NewBooking), E>>,
        session: &Session,
        source_label: &str,
        commit: bool,
    ) -> Result<ImportCounts, E> {
        self.authorize(session, Permission::ImportBookings, None)
            .map_err(E::from)?;
        let actor = &session.actor();
        let station_id = self.station_id.clone();
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        let mut counts = ImportCounts::default();
        {
            let mut writer = BookingWriter::new(&tx, &station_id).map_err(StoreError::from)?;
            for row in rows {
                let (row_no, booking) = row?;
                let booking = &booking;
                let reject = |problem: RowProblem| ImportRejection::new(row_no, problem);
                let Some(order_no) = booking.order_no.as_deref() else {
                    counts
                        .rejected
                        .push(reject(RowProblem::Missing(Field::OrderNo)));
                    continue;
                };
                let existing = writer.existing_order(order_no).map_err(StoreError::from)?;
                if let Some(code) = &booking.capture_code
                    && let Some((owner, owner_order)) =
                        writer.code_owner(code).map_err(StoreError::from)?
                    && existing.as_ref().map(|e| &e.booking_id) != Some(&owner)
                {
                    counts
                        .rejected
                        .push(reject(RowProblem::CodeTaken(owner_order)));
                    continue;
                }
                let Some(existing) = existing else {
                    writer.insert(booking).map_err(StoreError::from)?;
                    counts.inserted += 1;
                    continue;
                };
                let fields_changed = existing.comparable != booking.comparable();
                let code_changed =
                    booking.capture_code.is_some() && booking.capture_code != existing.capture_code;
                if !fields_changed && !code_changed {
                    counts.unchanged += 1;
                    continue;
                }
                if fields_changed && existing.status != BookingStatus::Booked.as_str() {
                    counts
                        .rejected
                        .push(reject(RowProblem::ChangedAfterBooking {
                            order_no: order_no.to_string(),
                            status: BookingStatus::parse(&existing.status)
                                .unwrap_or(BookingStatus::Captured),
                        }));
                    continue;
                }
                if fields_changed {
                    writer
                        .update(&existing, booking)
                        .map_err(StoreError::from)?;
                }
                if let Some(code) = booking.capture_code.as_deref().filter(|_| code_changed) {
                    writer
                        .write_capture_code(&existing.booking_id, code)
                        .map_err(StoreError::from)?;
                }
                counts.updated += 1;
            }
        }
        events::append(
            &tx,
            &station_id,
            actor,
            "import",
            None,
            &json!({
                "source": source_label,
                "inserted": counts.inserted,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "rejected": counts.rejected.len(),
            }),
        )?;
        if commit {
            tx.commit().map_err(StoreError::from)?;
        }
        // Without a commit the transaction rolls back as it drops.
        Ok(counts)
    }

    /// Creates one booking (a walk-in, typically) and returns its id.
    pub fn create_booking(
        &mut self,
        booking: &NewBooking,
        session: &Session,
    ) -> StoreResult<String> {
        self.authorize(session, Permission::CreateWalkIn, None)?;
        let actor = &session.actor();
        let station_id = self.station_id.clone();
        let tx = self.conn.transaction()?;
        let (booking_id, student_id) = (new_id(), new_id());
        {
            let mut writer = BookingWriter::new(&tx, &station_id)?;
            if let Some(code) = &booking.capture_code
                && writer.code_owner(code)?.is_some()
            {
                return Err(Refusal::CodeTaken.into());
            }
            if let Some(order_no) = &booking.order_no
                && writer.existing_order(order_no)?.is_some()
            {
                return Err(Refusal::OrderExists(order_no.clone()).into());
            }
            writer.insert_with_ids(booking, &booking_id, &student_id)?;
        }
        outbox::record(
            &tx,
            outbox::kind::BOOKING,
            &BookingPayload {
                booking_id: booking_id.clone(),
                student_id,
                booking: booking.clone(),
            },
        )?;
        events::append(
            &tx,
            &station_id,
            actor,
            "booking_created",
            Some(&booking_id),
            &json!({ "source": booking.source.as_str(), "has_id_card": booking.has_id_card }),
        )?;
        tx.commit()?;
        Ok(booking_id)
    }

    pub fn booking(&self, booking_id: &str) -> StoreResult<BookingView> {
        self.conn
            .prepare_cached(&format!("{BOOKING_VIEW_SELECT} WHERE b.id = ?1"))?
            .query_row([booking_id], booking_view_from_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "booking",
                key: booking_id.to_string(),
            })
    }

    /// The school's bookings still waiting for their photo, in order-number order: the queue a
    /// headless booth works through.
    pub fn bookings_waiting(&self, school: &str) -> StoreResult<Vec<String>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT b.id FROM bookings b
               JOIN students s ON s.id = b.student_id
               JOIN schools sc ON sc.id = s.school_id
              WHERE sc.name = ?1 AND b.status = 'booked'
              ORDER BY b.order_no, b.id",
        )?;
        let ids = statement
            .query_map([school], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(ids)
    }

    pub fn booking_by_order_no(&self, order_no: &str) -> StoreResult<BookingView> {
        self.conn
            .prepare_cached(&format!("{BOOKING_VIEW_SELECT} WHERE b.order_no = ?1"))?
            .query_row([order_no], booking_view_from_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "order",
                key: order_no.to_string(),
            })
    }

    /// Moves a booking to `to` if the status machine allows it; otherwise returns the typed
    /// reason and changes nothing. A retake consumes its approval.
    pub fn set_status(
        &mut self,
        booking_id: &str,
        to: BookingStatus,
        session: &Session,
    ) -> StoreResult<()> {
        let needed = if to == BookingStatus::Captured {
            Permission::Capture
        } else {
            Permission::CloseOut
        };
        self.authorize(session, needed, Some(booking_id))?;
        let actor = &session.actor();
        let station_id = self.station_id.clone();
        let tx = self.conn.transaction()?;
        let (from, retake_approved) = status_of(&tx, booking_id)?;
        check_transition(from, to, retake_approved)?;
        tx.execute(
            "UPDATE bookings SET status = ?2, retake_approved = 0, updated_at = ?3 WHERE id = ?1",
            params![booking_id, to.as_str(), now_text()],
        )?;
        events::append(
            &tx,
            &station_id,
            actor,
            "status",
            Some(booking_id),
            &json!({ "from": from.as_str(), "to": to.as_str() }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records a supervisor's approval for one retake of an already-captured booking.
    pub fn approve_retake(&mut self, booking_id: &str, session: &Session) -> StoreResult<()> {
        self.authorize(session, Permission::ApproveRetake, Some(booking_id))?;
        let actor = &session.actor();
        let station_id = self.station_id.clone();
        let tx = self.conn.transaction()?;
        let changed = tx.execute(
            "UPDATE bookings SET retake_approved = 1, updated_at = ?2
             WHERE id = ?1 AND status = 'captured'",
            params![booking_id, now_text()],
        )?;
        if changed == 0 {
            return Err(Refusal::RetakeNeedsCapture.into());
        }
        events::append(
            &tx,
            &station_id,
            actor,
            "retake_approved",
            Some(booking_id),
            &json!({}),
        )?;
        tx.commit()?;
        Ok(())
    }
}

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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::{BookingSource, PaymentMethod, TransitionError};

    pub(crate) fn sample(order_no: &str, name: &str) -> NewBooking {
        NewBooking {
            order_no: Some(order_no.to_string()),
            source: BookingSource::MiniProgram,
            has_id_card: true,
            student_no: Some(format!("S{order_no}")),
            level: Some("本科".to_string()),
            phone: Some("13800138000".to_string()),
            amount_fen: 2500,
            payment_method: PaymentMethod::Wechat,
            ..NewBooking::walk_in(name, "示例大学")
        }
    }

    fn one(store: &mut Store, booking: NewBooking) -> String {
        store
            .create_booking(&booking, &crate::store::accounts::test_session())
            .unwrap()
    }

    fn status(store: &Store, id: &str) -> String {
        store.booking(id).unwrap().status
    }

    #[test]
    fn legal_paths_through_the_status_machine() {
        let mut store = Store::open_in_memory().unwrap();
        let a = one(&mut store, sample("A1", "张三"));
        store
            .set_status(
                &a,
                BookingStatus::Captured,
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        assert_eq!(status(&store, &a), "captured");

        let b = one(&mut store, sample("B1", "李四"));
        store
            .set_status(
                &b,
                BookingStatus::Cancelled,
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        store
            .set_status(
                &b,
                BookingStatus::RefundPending,
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        store
            .set_status(
                &b,
                BookingStatus::Refunded,
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        assert_eq!(status(&store, &b), "refunded");
    }

    #[test]
    fn retake_needs_approval_and_consumes_it() {
        let mut store = Store::open_in_memory().unwrap();
        let a = one(&mut store, sample("A1", "张三"));
        store
            .set_status(
                &a,
                BookingStatus::Captured,
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        let refused = store.set_status(
            &a,
            BookingStatus::Captured,
            &crate::store::accounts::test_session(),
        );
        assert!(matches!(
            refused,
            Err(StoreError::Transition(TransitionError::RetakeNotApproved))
        ));
        store
            .approve_retake(&a, &crate::store::accounts::test_session())
            .unwrap();
        assert!(store.booking(&a).unwrap().retake_approved);
        store
            .set_status(
                &a,
                BookingStatus::Captured,
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        assert!(!store.booking(&a).unwrap().retake_approved);
        assert!(
            store
                .set_status(
                    &a,
                    BookingStatus::Captured,
                    &crate::store::accounts::test_session()
                )
                .is_err()
        );
    }

    #[test]
    fn illegal_transitions_change_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let a = one(&mut store, sample("A1", "张三"));
        let before = store.booking(&a).unwrap();
        let events_before = store.recent_events(100).unwrap().len();
        for to in [
            BookingStatus::RefundPending,
            BookingStatus::Refunded,
            BookingStatus::Booked,
        ] {
            assert!(matches!(
                store.set_status(&a, to, &crate::store::accounts::test_session()),
                Err(StoreError::Transition(TransitionError::Illegal { .. }))
            ));
        }
        store
            .set_status(
                &a,
                BookingStatus::Captured,
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        assert!(
            store
                .set_status(
                    &a,
                    BookingStatus::Cancelled,
                    &crate::store::accounts::test_session()
                )
                .is_err()
        );
        assert_eq!(status(&store, &a), "captured");
        assert_eq!(store.recent_events(100).unwrap().len(), events_before + 1);
        assert_eq!(before.status, "booked");
        let fresh = one(&mut store, sample("C1", "王五"));
        assert!(
            store
                .approve_retake(&fresh, &crate::store::accounts::test_session())
                .is_err()
        );
    }

    #[test]
    fn duplicate_capture_code_or_order_is_refused() {
        let mut store = Store::open_in_memory().unwrap();
        let mut first = sample("A1", "张三");
        first.capture_code = Some("CODE-1".to_string());
        one(&mut store, first);
        let mut second = sample("A2", "李四");
        second.capture_code = Some("CODE-1".to_string());
        assert!(
            store
                .create_booking(&second, &crate::store::accounts::test_session())
                .is_err()
        );
        assert!(
            store
                .create_booking(
                    &sample("A1", "王五"),
                    &crate::store::accounts::test_session()
                )
                .is_err()
        );
        assert_eq!(store.booking_count().unwrap(), 1);
    }

    #[test]
    fn an_import_whose_source_fails_half_way_commits_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let rows: Vec<Result<(usize, NewBooking), StoreError>> = vec![
            Ok((2, sample("A1", "张三"))),
            Ok((3, sample("A2", "李四"))),
            Err(StoreError::Invalid("the file broke at row 4".to_string())),
        ];
        let result =
            store.import_bookings(rows, &crate::store::accounts::test_session(), "broken.xlsx");
        assert!(result.is_err());
        assert_eq!(store.booking_count().unwrap(), 0);
        assert!(store.recent_events(10).unwrap().is_empty());
    }

    #[test]
    fn grams_cover_single_characters_and_pairs() {
        assert_eq!(name_grams("张小三"), ["三", "小三", "张小"]);
        assert_eq!(name_grams("Al Li"), ["al", "i", "li", "ll"]);
        assert_eq!(name_grams("王"), ["王"]);
    }
}
