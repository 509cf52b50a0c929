//! Bookings and their students: insert, idempotent re-import, status changes through the domain's
//! status machine, and the joined view that lookup, the CLI and the UI show.

pub(crate) mod writer;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::json;

use crate::domain::NewBooking;
use crate::domain::changes;
use crate::domain::changes::BookingPayload;
use crate::domain::{BookingStatus, Field, RowProblem, check_transition};
use crate::store::accounts::{Permission, Session};
use crate::store::outbox;
use crate::store::{Refusal, Store, StoreError, StoreResult, events, new_id, now_text};
use writer::BookingWriter;

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
            changes::kind::BOOKING,
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

#[cfg(test)]
pub(crate) mod tests {
    use super::writer::name_grams;
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
