//! 信息有误: the student reads the record on the student's screen and says it is wrong. The
//! booking is flagged, and no photo is saved against it until a supervisor corrects the record
//! (any saved correction lifts the flag) or checks it and overrides. Both are audited.

use rusqlite::{OptionalExtension, params};
use serde_json::json;

use super::accounts::{Permission, Session};
use super::{Store, StoreError, StoreResult, events, now_text};

impl Store {
    /// Flags the booking's record as disputed by the student. Flagging twice keeps the first time.
    pub fn flag_details(&mut self, booking_id: &str, session: &Session) -> StoreResult<()> {
        self.authorize(session, Permission::Capture, Some(booking_id))?;
        let actor = session.actor();
        let station_id = self.station_id.clone();
        let tx = self.conn.transaction()?;
        let already = disputed_since(&tx, booking_id)?;
        if already.is_some() {
            return Ok(());
        }
        tx.execute(
            "UPDATE bookings SET details_disputed_at = ?2, updated_at = ?2 WHERE id = ?1",
            params![booking_id, now_text()],
        )?;
        events::append(
            &tx,
            &station_id,
            &actor,
            "details_disputed",
            Some(booking_id),
            &json!({}),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A supervisor checked the record with the student and found it right: the flag is lifted
    /// without a correction.
    pub fn override_details_dispute(
        &mut self,
        booking_id: &str,
        session: &Session,
    ) -> StoreResult<()> {
        self.authorize(session, Permission::CorrectIdentity, Some(booking_id))?;
        let actor = session.actor();
        let station_id = self.station_id.clone();
        let tx = self.conn.transaction()?;
        let Some(since) = disputed_since(&tx, booking_id)? else {
            return Ok(());
        };
        lift(&tx, booking_id)?;
        events::append(
            &tx,
            &station_id,
            &actor,
            "details_dispute_overridden",
            Some(booking_id),
            &json!({ "disputed_at": since }),
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// When the booking's record was disputed, if it still is.
pub(crate) fn disputed_since(
    conn: &rusqlite::Connection,
    booking_id: &str,
) -> StoreResult<Option<String>> {
    conn.query_row(
        "SELECT details_disputed_at FROM bookings WHERE id = ?1",
        [booking_id],
        |r| r.get::<_, Option<String>>(0),
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: "booking",
        key: booking_id.to_string(),
    })
}

/// Lifts the flag (a correction was saved, or a supervisor overrode it).
pub(crate) fn lift(conn: &rusqlite::Connection, booking_id: &str) -> StoreResult<()> {
    conn.execute(
        "UPDATE bookings SET details_disputed_at = NULL WHERE id = ?1",
        [booking_id],
    )?;
    Ok(())
}

/// Refuses a photo for a booking whose record the student disputed.
pub(crate) fn refuse_if_disputed(conn: &rusqlite::Connection, booking_id: &str) -> StoreResult<()> {
    if disputed_since(conn, booking_id)?.is_some() {
        return Err(crate::store::Refusal::Disputed.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CorrectableField;
    use crate::store::Role;
    use crate::store::accounts::test_session;
    use crate::store::bookings::tests::sample;
    use crate::store::captures::NewCapture;
    use crate::store::{Correction, CorrectionOutcome};

    fn capture<'a>(booking_id: &'a str, session: &'a Session) -> NewCapture<'a> {
        NewCapture {
            booking_id,
            jpeg: b"jpeg",
            original_jpeg: None,
            spec_report: json!({}),
            spec_ok: true,
            overridden: false,
            session,
        }
    }

    #[test]
    fn a_disputed_record_takes_no_photo_until_a_correction_lifts_the_flag() {
        let mut store = Store::open_in_memory().unwrap();
        let photos = tempfile::tempdir().unwrap();
        let operator = Session::for_tests(Role::Operator);
        let id = store
            .create_booking(&sample("A1", "张三"), &test_session())
            .unwrap();
        store.flag_details(&id, &operator).unwrap();
        assert!(store.booking(&id).unwrap().details_disputed);
        let refused = store.save_capture(photos.path(), capture(&id, &operator));
        assert!(
            matches!(
                refused,
                Err(StoreError::Refused(crate::store::Refusal::Disputed))
            ),
            "{refused:?}"
        );
        assert!(store.captures_for(&id).unwrap().is_empty());

        // An operator may flag but not correct.
        let correction = || Correction {
            booking_id: &id,
            field: CorrectableField::Name,
            new_value: Some("张珊".to_string()),
            reason: "学生证为准",
            confirmed_after_capture: false,
        };
        assert!(store.correct_student(correction(), &operator).is_err());
        assert!(store.booking(&id).unwrap().details_disputed);
        let outcome = store
            .correct_student(correction(), &test_session())
            .unwrap();
        assert!(matches!(outcome, CorrectionOutcome::Corrected { .. }));
        assert!(!store.booking(&id).unwrap().details_disputed);
        store
            .save_capture(photos.path(), capture(&id, &operator))
            .unwrap();
        let kinds: Vec<String> = store
            .recent_events(10)
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(kinds.iter().any(|k| k == "details_disputed"), "{kinds:?}");
        assert!(store.verify_event_chain().unwrap().is_none());
    }

    #[test]
    fn only_a_supervisor_overrides_a_dispute_and_it_is_audited() {
        let mut store = Store::open_in_memory().unwrap();
        let operator = Session::for_tests(Role::Operator);
        let id = store
            .create_booking(&sample("A1", "张三"), &test_session())
            .unwrap();
        store.flag_details(&id, &operator).unwrap();
        assert!(matches!(
            store.override_details_dispute(&id, &operator),
            Err(StoreError::Forbidden { .. })
        ));
        assert!(store.booking(&id).unwrap().details_disputed);
        store
            .override_details_dispute(&id, &test_session())
            .unwrap();
        assert!(!store.booking(&id).unwrap().details_disputed);
        assert!(
            store
                .recent_events(5)
                .unwrap()
                .iter()
                .any(|e| e.kind == "details_dispute_overridden")
        );
        // Unknown bookings are named in the error.
        assert!(matches!(
            store.flag_details("nope", &operator),
            Err(StoreError::NotFound { .. })
        ));
    }
}
