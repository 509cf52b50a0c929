//! 信息更正: audited changes to a student's record. Each correction writes a `corrections` row
//! (old value → new value, who, when, why) and an event in the hash-chained log, in one
//! transaction with the change itself. A correction after capture marks the photo for re-export.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use super::accounts::{Permission, Session};
use super::bookings::status_of;
use super::bookings::writer::name_grams;
use super::outbox;
use super::{Store, StoreResult, events, new_id, now_text};
use crate::domain::changes;
use crate::domain::changes::CorrectionPayload;
use crate::domain::{BookingStatus, CorrectableField};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorrectionRecord {
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: String,
    pub who: String,
    pub at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectionOutcome {
    Unchanged,
    Corrected { photo_needs_reexport: bool },
}

/// One requested correction, already validated by [`CorrectableField::validate`].
pub struct Correction<'a> {
    pub booking_id: &'a str,
    pub field: CorrectableField,
    pub new_value: Option<String>,
    pub reason: &'a str,
    /// The supervisor confirmed changing a record whose photo is already taken.
    pub confirmed_after_capture: bool,
}

impl Store {
    pub fn correct_student(
        &mut self,
        correction: Correction<'_>,
        session: &Session,
    ) -> StoreResult<CorrectionOutcome> {
        self.authorize(
            session,
            Permission::CorrectIdentity,
            Some(correction.booking_id),
        )?;
        let actor = &session.actor();
        let station_id = self.station_id.clone();
        let tx = self.conn.transaction()?;
        let (status, _) = status_of(&tx, correction.booking_id)?;
        let captured = status == BookingStatus::Captured;
        if captured && !correction.confirmed_after_capture {
            return Err(super::Refusal::ConfirmAfterCapture.into());
        }
        let student_id: String = tx.query_row(
            "SELECT student_id FROM bookings WHERE id = ?1",
            [correction.booking_id],
            |r| r.get(0),
        )?;
        let field = correction.field;
        let old_value = read_field(&tx, &student_id, field)?;
        if old_value == correction.new_value {
            return Ok(CorrectionOutcome::Unchanged);
        }
        let now = now_text();
        write_field(
            &tx,
            &student_id,
            field,
            old_value.as_deref(),
            correction.new_value.as_deref(),
            &now,
        )?;
        // The student's "信息有误" is answered by any saved correction of the record.
        super::disputes::lift(&tx, correction.booking_id)?;
        if captured {
            tx.execute(
                "UPDATE bookings SET reexport_needed = 1, updated_at = ?2 WHERE id = ?1",
                params![correction.booking_id, now],
            )?;
        }
        insert_correction_row(
            &tx,
            &CorrectionRow {
                student_id: &student_id,
                field,
                old_value: old_value.as_deref(),
                new_value: correction.new_value.as_deref(),
                reason: correction.reason,
                who: actor,
                at: &now,
                station: &station_id,
            },
        )?;
        outbox::record(
            &tx,
            changes::kind::CORRECTION,
            &CorrectionPayload {
                booking_id: correction.booking_id.to_string(),
                student_id: student_id.clone(),
                field: field.as_str().to_string(),
                old_value: old_value.clone(),
                new_value: correction.new_value.clone(),
                reason: correction.reason.to_string(),
                who: actor.clone(),
            },
        )?;
        events::append(
            &tx,
            &station_id,
            actor,
            "correction",
            Some(correction.booking_id),
            &json!({
                "field": field.as_str(),
                "old": old_value,
                "new": correction.new_value,
                "reason": correction.reason,
                "after_capture": captured,
            }),
        )?;
        tx.commit()?;
        Ok(CorrectionOutcome::Corrected {
            photo_needs_reexport: captured,
        })
    }

    /// The student's corrections, oldest first.
    pub fn corrections_for(&self, booking_id: &str) -> StoreResult<Vec<CorrectionRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.field, c.old_value, c.new_value, c.reason, c.who, c.at
             FROM bookings b CROSS JOIN corrections c ON c.student_id = b.student_id
             WHERE b.id = ?1 ORDER BY c.at, c.id",
        )?;
        let rows = stmt.query_map([booking_id], |r| {
            Ok(CorrectionRecord {
                field: r.get(0)?,
                old_value: r.get(1)?,
                new_value: r.get(2)?,
                reason: r.get(3)?,
                who: r.get(4)?,
                at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn reexport_needed(&self, booking_id: &str) -> StoreResult<bool> {
        Ok(self.conn.query_row(
            "SELECT reexport_needed FROM bookings WHERE id = ?1",
            [booking_id],
            |r| r.get(0),
        )?)
    }
}

/// One line of a student's correction history.
pub(crate) struct CorrectionRow<'a> {
    pub student_id: &'a str,
    pub field: CorrectableField,
    pub old_value: Option<&'a str>,
    pub new_value: Option<&'a str>,
    pub reason: &'a str,
    pub who: &'a str,
    pub at: &'a str,
    /// Where the correction was made (this station, or the one it came from).
    pub station: &'a str,
}

pub(crate) fn insert_correction_row(
    conn: &rusqlite::Connection,
    row: &CorrectionRow<'_>,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO corrections
             (id, student_id, field, old_value, new_value, reason, who, at, station_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            new_id(),
            row.student_id,
            row.field.as_str(),
            row.old_value,
            row.new_value,
            row.reason,
            row.who,
            row.at,
            row.station
        ],
    )?;
    Ok(())
}

/// Sets one field of a student's record (and its name index), as a correction does. Shared by a
/// correction made here and one pulled from the campus.
pub(crate) fn write_field(
    tx: &rusqlite::Connection,
    student_id: &str,
    field: CorrectableField,
    old_value: Option<&str>,
    new_value: Option<&str>,
    now: &str,
) -> StoreResult<()> {
    match field {
        CorrectableField::School => {
            let name = new_value.map(str::to_string).ok_or(super::Refusal::Text(
                crate::domain::TextError::Empty {
                    field: crate::domain::Field::School,
                },
            ))?;
            let existing: Option<String> = tx
                .query_row("SELECT id FROM schools WHERE name = ?1", [&name], |r| {
                    r.get(0)
                })
                .optional()?;
            let school_id = match existing {
                Some(id) => id,
                None => {
                    let id = new_id();
                    tx.execute(
                        "INSERT INTO schools (id, name, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?3)",
                        params![id, name, now],
                    )?;
                    id
                }
            };
            tx.execute(
                "UPDATE students SET school_id = ?2, updated_at = ?3 WHERE id = ?1",
                params![student_id, school_id, now],
            )?;
        }
        _ => {
            tx.execute(
                &format!(
                    "UPDATE students SET {} = ?2, updated_at = ?3 WHERE id = ?1",
                    field.as_str()
                ),
                params![student_id, new_value, now],
            )?;
        }
    }
    if field == CorrectableField::Name {
        if let Some(old) = old_value {
            for gram in name_grams(old) {
                tx.execute(
                    "DELETE FROM name_grams WHERE gram = ?1 AND student_id = ?2",
                    params![gram, student_id],
                )?;
            }
        }
        if let Some(new) = new_value {
            for gram in name_grams(new) {
                tx.execute(
                    "INSERT OR IGNORE INTO name_grams (gram, student_id) VALUES (?1, ?2)",
                    params![gram, student_id],
                )?;
            }
        }
    }
    Ok(())
}

/// The stored value of one field of a student's record.
pub(crate) fn read_field(
    tx: &rusqlite::Connection,
    student_id: &str,
    field: CorrectableField,
) -> StoreResult<Option<String>> {
    Ok(match field {
        CorrectableField::School => tx.query_row(
            "SELECT sc.name FROM students s CROSS JOIN schools sc ON sc.id = s.school_id
             WHERE s.id = ?1",
            [student_id],
            |r| r.get(0),
        )?,
        _ => tx.query_row(
            &format!("SELECT {} FROM students WHERE id = ?1", field.as_str()),
            [student_id],
            |r| r.get(0),
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::bookings::tests::sample;
    use crate::store::captures::NewCapture;

    fn correction<'a>(booking_id: &'a str, field: CorrectableField, value: &str) -> Correction<'a> {
        Correction {
            booking_id,
            field,
            new_value: Some(value.to_string()),
            reason: "学生证为准",
            confirmed_after_capture: false,
        }
    }

    #[test]
    fn a_correction_is_recorded_audited_and_searchable() {
        let mut store = Store::open_in_memory().unwrap();
        let id = store
            .create_booking(
                &sample("A1", "张三"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        let outcome = store
            .correct_student(
                correction(&id, CorrectableField::Name, "张珊"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        assert_eq!(
            outcome,
            CorrectionOutcome::Corrected {
                photo_needs_reexport: false
            }
        );
        assert_eq!(store.booking(&id).unwrap().student.name, "张珊");
        let history = store.corrections_for(&id).unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].old_value.as_deref(), Some("张三"));
        assert_eq!(history[0].new_value.as_deref(), Some("张珊"));
        assert_eq!(
            history[0].who,
            crate::store::accounts::test_session().actor()
        );
        assert_eq!(store.lookup("张珊", 5).unwrap().len(), 1);
        assert!(store.lookup("张三", 5).unwrap().is_empty());
        let events = store.recent_events(5).unwrap();
        assert!(events.iter().any(|e| e.kind == "correction"));
        assert!(store.verify_event_chain().unwrap().is_none());

        // The same value again changes nothing and records nothing.
        let again = store
            .correct_student(
                correction(&id, CorrectableField::Name, "张珊"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        assert_eq!(again, CorrectionOutcome::Unchanged);
        assert_eq!(store.corrections_for(&id).unwrap().len(), 1);
    }

    #[test]
    fn school_corrections_move_the_student() {
        let mut store = Store::open_in_memory().unwrap();
        let id = store
            .create_booking(
                &sample("A1", "张三"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        store
            .correct_student(
                correction(&id, CorrectableField::School, "另一大学"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        assert_eq!(store.booking(&id).unwrap().student.school, "另一大学");
    }

    #[test]
    fn after_capture_it_needs_a_confirm_and_marks_the_photo() {
        let mut store = Store::open_in_memory().unwrap();
        let photos = tempfile::tempdir().unwrap();
        let id = store
            .create_booking(
                &sample("A1", "张三"),
                &crate::store::accounts::test_session(),
            )
            .unwrap();
        store
            .save_capture(
                photos.path(),
                NewCapture {
                    booking_id: &id,
                    jpeg: b"jpeg",
                    original_jpeg: None,
                    spec_report: json!({}),
                    spec_ok: true,
                    overridden: false,
                    session: &crate::store::accounts::test_session(),
                },
            )
            .unwrap();
        let refused = store.correct_student(
            correction(&id, CorrectableField::Major, "英语"),
            &crate::store::accounts::test_session(),
        );
        assert!(matches!(
            refused,
            Err(crate::store::StoreError::Refused(
                crate::store::Refusal::ConfirmAfterCapture
            ))
        ));
        assert!(store.corrections_for(&id).unwrap().is_empty());

        let mut confirmed = correction(&id, CorrectableField::Major, "英语");
        confirmed.confirmed_after_capture = true;
        let outcome = store
            .correct_student(confirmed, &crate::store::accounts::test_session())
            .unwrap();
        assert_eq!(
            outcome,
            CorrectionOutcome::Corrected {
                photo_needs_reexport: true
            }
        );
        assert!(store.reexport_needed(&id).unwrap());
    }
}
