//! The statements that write bookings and their students, prepared once per transaction, and
//! the name grams that make a name searchable by any character or pair.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::new_booking::{LOCAL_TIME_FORMAT, NewBooking};
use crate::store::{new_id, now_text};

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
pub(in crate::store) struct ExistingOrder {
    pub(in crate::store) booking_id: String,
    pub(in crate::store) student_id: String,
    pub(in crate::store) status: String,
    pub(in crate::store) capture_code: Option<String>,
    pub(in crate::store) comparable: Vec<Option<String>>,
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

    pub(in crate::store) fn existing_order(
        &mut self,
        order_no: &str,
    ) -> rusqlite::Result<Option<ExistingOrder>> {
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
    pub(in crate::store) fn code_owner(
        &mut self,
        code: &str,
    ) -> rusqlite::Result<Option<(String, Option<String>)>> {
        self.code_owner
            .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
    }

    pub(in crate::store) fn school_id(&mut self, name: &str) -> rusqlite::Result<String> {
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
    pub(in crate::store) fn write_student(
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

    pub(in crate::store) fn write_capture_code(
        &mut self,
        booking_id: &str,
        code: &str,
    ) -> rusqlite::Result<()> {
        self.code_upsert
            .execute(params![code, booking_id, self.station_id, self.now])?;
        Ok(())
    }

    /// Inserts a new student and booking (and its capture code); returns the booking id.
    pub(in crate::store) fn insert(&mut self, booking: &NewBooking) -> rusqlite::Result<String> {
        let (booking_id, student_id) = (new_id(), new_id());
        self.insert_with_ids(booking, &booking_id, &student_id)?;
        Ok(booking_id)
    }

    /// [`Self::insert`] with ids chosen elsewhere: a booking made at another station keeps its
    /// ids everywhere, so that its captures and corrections find it.
    pub(in crate::store) fn insert_with_ids(
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

    pub(in crate::store) fn update(
        &mut self,
        existing: &ExistingOrder,
        booking: &NewBooking,
    ) -> rusqlite::Result<()> {
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
