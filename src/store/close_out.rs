//! Closing a school's collection period: every order still `booked` (never photographed) is
//! cancelled and put up for refund to its original payment method, due 3 working days after the
//! close. One transaction, one `close_outs` row, one event; a second run finds nothing new.
//! Refunds are then marked done one by one with the payment platform's reference.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use super::accounts::{Permission, Session};
use super::{Store, StoreError, StoreResult, events, new_id, now_text, outbox};
use crate::domain::changes;
use crate::domain::new_booking::LOCAL_TIME_FORMAT;
use crate::domain::working_days::{HolidayCalendar, REFUND_WORKING_DAYS};
use crate::domain::{BookingStatus, check_transition};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CloseOutcome {
    pub school: String,
    pub closed_at: String,
    /// Orders this run cancelled and put up for refund.
    pub cancelled: usize,
    pub refund_total_fen: i64,
    pub due_date: NaiveDate,
    /// Orders of the school that earlier runs had already closed.
    pub already_closed: usize,
    pub forced: bool,
    /// Of the cancelled orders, those paid on site (cash, card): a person must refund them.
    pub paid_on_site: usize,
    /// The calendar does not cover the due date's year, so the date may be early.
    pub calendar_gap: bool,
}

/// One line of the refund list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundRow {
    pub order_no: Option<String>,
    pub name: String,
    pub student_no: Option<String>,
    pub amount_fen: i64,
    pub payment_method: String,
    pub paid_at: Option<String>,
    pub refund_due: Option<String>,
    pub status: String,
    pub source: String,
    pub refund_ref: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RefundSummary {
    pub pending: usize,
    pub pending_fen: i64,
    pub overdue: usize,
    pub overdue_fen: i64,
    pub done: usize,
    pub done_fen: i64,
}

/// What a close at a given time would do, computed without changing anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosePreview {
    pub school: String,
    pub to_cancel: usize,
    pub refund_total_fen: i64,
    pub paid_on_site: usize,
    pub due_date: NaiveDate,
    pub already_closed: usize,
    /// A collection window that has not ended yet: closing needs `force`.
    pub open_window: Option<(NaiveDate, NaiveDate)>,
}

/// Counts over the school's orders: (still booked, their total, of them paid on site, closed
/// earlier).
fn open_orders(conn: &rusqlite::Connection, school_id: &str) -> StoreResult<(i64, i64, i64, i64)> {
    let of_school = "SELECT id FROM students WHERE school_id = ?1";
    let already_closed: i64 = conn.query_row(
        &format!(
            "SELECT COUNT(*) FROM bookings WHERE close_out_id IS NOT NULL
             AND student_id IN ({of_school})"
        ),
        [school_id],
        |r| r.get(0),
    )?;
    let (count, total, on_site): (i64, i64, i64) = conn.query_row(
        &format!(
            "SELECT COUNT(*), COALESCE(SUM(amount_fen), 0),
                    COALESCE(SUM(payment_method IN ('cash', 'bank_card')), 0)
             FROM bookings WHERE status = 'booked' AND student_id IN ({of_school})"
        ),
        [school_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok((count, total, on_site, already_closed))
}

impl Store {
    /// What [`Self::close_session`] would do at `at`, for the supervisor to confirm.
    pub fn preview_close(
        &self,
        school: &str,
        at: NaiveDateTime,
        calendar: &HolidayCalendar,
    ) -> StoreResult<ClosePreview> {
        let school_id = self.school_id(school)?;
        let open_window = self
            .collection_windows(school)?
            .into_iter()
            .find(|w| w.is_open_or_upcoming(at))
            .map(|w| (w.first_day, w.last_day));
        let (count, total, on_site, already_closed) = open_orders(&self.conn, &school_id)?;
        Ok(ClosePreview {
            school: school.to_string(),
            to_cancel: count as usize,
            refund_total_fen: total,
            paid_on_site: on_site as usize,
            due_date: calendar.due_date(at.date(), REFUND_WORKING_DAYS),
            already_closed: already_closed as usize,
            open_window,
        })
    }

    /// Closes `school` at `at` (local time). Refused while a collection window is still open
    /// unless `force`, which is recorded.
    pub fn close_session(
        &mut self,
        school: &str,
        at: NaiveDateTime,
        force: bool,
        calendar: &HolidayCalendar,
        session: &Session,
    ) -> StoreResult<CloseOutcome> {
        self.authorize(session, Permission::CloseOut, Some(school))?;
        let actor = &session.actor();
        let school_id = self.school_id(school)?;
        let windows = self.collection_windows(school)?;
        if let Some(open) = windows.iter().find(|w| w.is_open_or_upcoming(at))
            && !force
        {
            return Err(crate::store::Refusal::WindowStillOpen {
                school: school.to_string(),
                first_day: open.first_day,
                last_day: open.last_day,
            }
            .into());
        }
        // A close is a cancellation followed by a refund request: check both steps once.
        check_transition(BookingStatus::Booked, BookingStatus::Cancelled, false)?;
        check_transition(
            BookingStatus::Cancelled,
            BookingStatus::RefundPending,
            false,
        )?;

        let due_date = calendar.due_date(at.date(), REFUND_WORKING_DAYS);
        let station_id = self.station_id.clone();
        let closed_at = at.format(LOCAL_TIME_FORMAT).to_string();
        let tx = self.conn.transaction()?;
        let of_school = "SELECT id FROM students WHERE school_id = ?1";
        let (cancelled, total, on_site, already_closed) = open_orders(&tx, &school_id)?;
        if cancelled > 0 {
            let close_id = new_id();
            let now = now_text();
            let closing: Vec<String> = tx
                .prepare(&format!(
                    "SELECT id FROM bookings WHERE status = 'booked' AND student_id IN ({of_school})"
                ))?
                .query_map([&school_id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            tx.execute(
                "INSERT INTO close_outs (id, school_id, closed_at, forced, cancelled, total_fen,
                     due_date, actor, station_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    close_id, school_id, closed_at, force, cancelled, total, due_date, actor,
                    station_id, now
                ],
            )?;
            tx.execute(
                &format!(
                    "UPDATE bookings SET status = 'refund_pending', refund_due = ?2,
                         close_out_id = ?3, updated_at = ?4
                     WHERE status = 'booked' AND student_id IN ({of_school})"
                ),
                params![school_id, due_date, close_id, now],
            )?;
            for booking_id in closing {
                outbox::record(
                    &tx,
                    changes::kind::REFUND,
                    &changes::RefundPayload {
                        booking_id,
                        status: changes::refund_status::PENDING.to_string(),
                        due_date: Some(due_date.to_string()),
                        reference: None,
                        who: actor.to_string(),
                    },
                )?;
            }
            events::append(
                &tx,
                &station_id,
                actor,
                "session_closed",
                Some(&school_id),
                &json!({
                    "close_out": close_id,
                    "at": closed_at,
                    "forced": force,
                    "cancelled": cancelled,
                    "refund_total_fen": total,
                    "due_date": due_date,
                }),
            )?;
        }
        tx.commit()?;
        Ok(CloseOutcome {
            school: school.to_string(),
            closed_at,
            cancelled: cancelled as usize,
            refund_total_fen: total,
            due_date,
            already_closed: already_closed as usize,
            forced: force && cancelled > 0,
            paid_on_site: on_site as usize,
            calendar_gap: !calendar.covers(due_date.year()),
        })
    }

    /// Seals `school` at this station before a campus close-out: from now on it takes no more
    /// captures of the school here. Sealing twice is harmless.
    pub fn seal_school(&mut self, school: &str, session: &Session) -> StoreResult<()> {
        self.authorize(session, Permission::CloseOut, Some(school))?;
        let school_id = self.school_id(school)?;
        let actor = session.actor();
        let station_id = self.station_id.clone();
        let tx = self.conn.transaction()?;
        let sealed = tx.execute(
            "INSERT OR IGNORE INTO sealed_schools (school_id, sealed_at, actor) VALUES (?1, ?2, ?3)",
            params![school_id, now_text(), actor],
        )?;
        if sealed > 0 {
            events::append(
                &tx,
                &station_id,
                &actor,
                "school_sealed",
                Some(&school_id),
                &json!({ "school": school }),
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The school of `booking_id`, when that school is sealed at this station.
    pub fn sealed_school_of(&self, booking_id: &str) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT sc.name FROM bookings b
                 JOIN students st ON st.id = b.student_id
                 JOIN sealed_schools ss ON ss.school_id = st.school_id
                 JOIN schools sc ON sc.id = ss.school_id
                 WHERE b.id = ?1",
            )?
            .query_row([booking_id], |r| r.get(0))
            .optional()?)
    }

    /// The school's refunds (pending and done), by due date then order number.
    pub fn refunds(&self, school: &str) -> StoreResult<Vec<RefundRow>> {
        let school_id = self.school_id(school)?;
        let mut stmt = self.conn.prepare(
            "SELECT b.order_no, s.name, s.student_no, b.amount_fen, b.payment_method, b.paid_at,
                    b.refund_due, b.status, b.source, b.refund_ref
             FROM students s CROSS JOIN bookings b ON b.student_id = s.id
             WHERE s.school_id = ?1 AND b.status IN ('refund_pending', 'refunded')
             ORDER BY b.refund_due, b.order_no",
        )?;
        let rows = stmt.query_map([school_id], |r| {
            Ok(RefundRow {
                order_no: r.get(0)?,
                name: r.get(1)?,
                student_no: r.get(2)?,
                amount_fen: r.get(3)?,
                payment_method: r.get(4)?,
                paid_at: r.get(5)?,
                refund_due: r.get(6)?,
                status: r.get(7)?,
                source: r.get(8)?,
                refund_ref: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks one order's refund done, with the payment platform's reference.
    pub fn mark_refunded(
        &mut self,
        order_no: &str,
        reference: &str,
        session: &Session,
    ) -> StoreResult<()> {
        self.authorize(session, Permission::MarkRefund, Some(order_no))?;
        let actor = &session.actor();
        let reference =
            crate::domain::text::required_field(crate::domain::Field::RefundReference, reference)
                .map_err(crate::store::Refusal::from)?;
        let station_id = self.station_id.clone();
        let tx = self.conn.transaction()?;
        let found: Option<(String, String)> = tx
            .query_row(
                "SELECT id, status FROM bookings WHERE order_no = ?1",
                [order_no],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((booking_id, status)) = found else {
            return Err(StoreError::NotFound {
                what: "order",
                key: order_no.to_string(),
            });
        };
        let from = BookingStatus::parse(&status)
            .ok_or_else(|| StoreError::Invalid(format!("unknown stored status '{status}'")))?;
        check_transition(from, BookingStatus::Refunded, false)?;
        let now = now_text();
        tx.execute(
            "UPDATE bookings SET status = 'refunded', refund_ref = ?2, refunded_at = ?3,
                 updated_at = ?3 WHERE id = ?1",
            params![booking_id, reference, now],
        )?;
        outbox::record(
            &tx,
            changes::kind::REFUND,
            &changes::RefundPayload {
                booking_id: booking_id.clone(),
                status: changes::refund_status::REFUNDED.to_string(),
                due_date: None,
                reference: Some(reference.to_string()),
                who: actor.to_string(),
            },
        )?;
        events::append(
            &tx,
            &station_id,
            actor,
            "refunded",
            Some(&booking_id),
            &json!({ "reference": reference }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Pending, overdue (pending past the due date, on `today`) and done refunds of a school.
    pub fn refund_summary(&self, school: &str, today: NaiveDate) -> StoreResult<RefundSummary> {
        Ok(RefundSummary::of(&self.refunds(school)?, today))
    }
}

impl RefundSummary {
    /// Counts an already-loaded refund list, so a screen that shows both reads it once.
    pub fn of(rows: &[RefundRow], today: NaiveDate) -> Self {
        let mut summary = Self::default();
        for row in rows {
            match row.status.as_str() {
                "refunded" => {
                    summary.done += 1;
                    summary.done_fen += row.amount_fen;
                }
                _ => {
                    summary.pending += 1;
                    summary.pending_fen += row.amount_fen;
                    let due = row
                        .refund_due
                        .as_deref()
                        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
                    if due.is_some_and(|due| due < today) {
                        summary.overdue += 1;
                        summary.overdue_fen += row.amount_fen;
                    }
                }
            }
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BookingSource, CollectionWindow, PaymentMethod};
    use crate::store::bookings::tests::sample;
    use crate::store::captures::NewCapture;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").unwrap()
    }

    /// A school with a window in early November 2026, three orders (one captured, one walk-in
    /// paid in cash) and a second school that must not be touched.
    fn school() -> (Store, tempfile::TempDir) {
        let mut store = Store::open_in_memory().unwrap();
        let photos = tempfile::tempdir().unwrap();
        let window = CollectionWindow::new(day("2026-11-02"), day("2026-11-04")).unwrap();
        store
            .add_collection_window("示例大学", window, &crate::store::accounts::test_session())
            .unwrap();
        let captured = store
            .create_booking(
                &sample("A1", "张三"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        store
            .create_booking(
                &sample("A2", "李四"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        let mut walk_in = sample("A3", "王五");
        walk_in.source = BookingSource::WalkIn;
        walk_in.payment_method = PaymentMethod::Cash;
        walk_in.amount_fen = 3000;
        store
            .create_booking(&walk_in, &crate::store::accounts::test_session())
            .unwrap();
        let mut other = sample("B1", "赵六");
        other.school = "别的大学".to_string();
        store
            .create_booking(&other, &crate::store::accounts::test_session())
            .unwrap();
        store
            .save_capture(
                photos.path(),
                NewCapture {
                    booking_id: &captured,
                    jpeg: b"jpeg",
                    original_jpeg: None,
                    spec_report: json!({}),
                    spec_ok: true,
                    overridden: false,
                    session: &crate::store::accounts::test_session(),
                },
            )
            .unwrap();
        (store, photos)
    }

    #[test]
    fn closing_cancels_the_uncaptured_and_is_idempotent() {
        let (mut store, _photos) = school();
        let calendar = HolidayCalendar::built_in();
        // Friday 2026-11-06: due three working days later, Wednesday 11-11.
        let first = store
            .close_session(
                "示例大学",
                at("2026-11-06T18:00:00"),
                false,
                &calendar,
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        assert_eq!(first.cancelled, 2);
        assert_eq!(first.refund_total_fen, 2500 + 3000);
        assert_eq!(first.due_date, day("2026-11-11"));
        assert_eq!(first.already_closed, 0);
        assert_eq!(first.paid_on_site, 1);
        let refunds = store.refunds("示例大学").unwrap();
        assert_eq!(refunds.len(), 2);
        assert!(refunds.iter().all(|r| r.status == "refund_pending"));
        assert!(
            refunds
                .iter()
                .any(|r| r.source == "walk_in" && r.payment_method == "cash")
        );
        assert_eq!(store.booking_by_order_no("A1").unwrap().status, "captured");
        assert_eq!(store.booking_by_order_no("B1").unwrap().status, "booked");

        let again = store
            .close_session(
                "示例大学",
                at("2026-11-07T09:00:00"),
                false,
                &calendar,
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        assert_eq!((again.cancelled, again.already_closed), (0, 2));
        assert!(store.verify_event_chain().unwrap().is_none());
    }

    #[test]
    fn an_open_window_refuses_unless_forced() {
        let (mut store, _photos) = school();
        let calendar = HolidayCalendar::built_in();
        let preview = store
            .preview_close("示例大学", at("2026-11-04T12:00:00"), &calendar)
            .unwrap();
        assert_eq!(preview.to_cancel, 2);
        assert_eq!(
            preview.open_window,
            Some((day("2026-11-02"), day("2026-11-04")))
        );
        let refused = store.close_session(
            "示例大学",
            at("2026-11-04T12:00:00"),
            false,
            &calendar,
            &crate::store::accounts::test_session(),
        );
        assert!(matches!(
            refused,
            Err(StoreError::Refused(
                crate::store::Refusal::WindowStillOpen { .. }
            ))
        ));
        assert_eq!(store.booking_by_order_no("A2").unwrap().status, "booked");
        let forced = store
            .close_session(
                "示例大学",
                at("2026-11-04T12:00:00"),
                true,
                &calendar,
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        assert!(forced.forced);
        let events = store.recent_events(3).unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.kind == "session_closed" && e.detail["forced"] == true)
        );
    }

    #[test]
    fn due_dates_skip_weekends_and_holidays() {
        let (mut store, _photos) = school();
        let calendar = HolidayCalendar::parse("off 2026-11-09 2026-11-10\n").unwrap();
        // Friday 11-06, Monday and Tuesday off: Wednesday, Thursday, Friday → 11-13.
        let outcome = store
            .close_session(
                "示例大学",
                at("2026-11-06T18:00:00"),
                false,
                &calendar,
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        assert_eq!(outcome.due_date, day("2026-11-13"));
    }

    #[test]
    fn refunds_are_marked_done_once_with_a_reference() {
        let (mut store, _photos) = school();
        let calendar = HolidayCalendar::built_in();
        store
            .close_session(
                "示例大学",
                at("2026-11-06T18:00:00"),
                false,
                &calendar,
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        assert!(
            store
                .mark_refunded("A2", "  ", &crate::store::accounts::test_session())
                .is_err()
        );
        store
            .mark_refunded("A2", "WX-REF-1", &crate::store::accounts::test_session())
            .unwrap();
        assert!(
            store
                .mark_refunded("A2", "WX-REF-2", &crate::store::accounts::test_session())
                .is_err(),
            "not twice"
        );
        assert!(
            store
                .mark_refunded("A1", "X", &crate::store::accounts::test_session())
                .is_err(),
            "captured orders are not refunded"
        );
        let summary = store.refund_summary("示例大学", day("2026-11-12")).unwrap();
        assert_eq!((summary.done, summary.done_fen), (1, 2500));
        assert_eq!((summary.pending, summary.overdue), (1, 1));
    }
}
