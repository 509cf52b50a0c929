//! What an export needs from the store: each captured student of a school with the current
//! photo, and the mark that the photo left in an export.

use rusqlite::params;
use serde::Serialize;
use serde_json::json;

use super::accounts::{Permission, Session};
use super::{Store, StoreResult, events, now_text};

/// One captured student and the photo to hand over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportRow {
    pub booking_id: String,
    pub capture_code: Option<String>,
    pub name: String,
    pub id_number: Option<String>,
    pub student_no: Option<String>,
    pub school: String,
    pub department: Option<String>,
    pub major: Option<String>,
    pub level: Option<String>,
    pub captured_at: String,
    pub station_id: String,
    pub operator: String,
    /// Relative to the photos folder.
    pub photo_path: String,
    pub sha256: String,
    pub spec_ok: bool,
    pub overridden: bool,
    pub reexport_needed: bool,
    pub exported_at: Option<String>,
}

impl Store {
    /// The school's captured students with their current photo, by capture code then name.
    pub fn export_rows(&self, school: &str) -> StoreResult<Vec<ExportRow>> {
        let school_id = self.school_id(school)?;
        let mut stmt = self.conn.prepare(
            "SELECT b.id, cc.code, s.name, s.id_number, s.student_no, sc.name, s.department,
                    s.major, s.level, c.captured_at, c.station_id, c.operator, c.photo_path,
                    c.sha256, c.spec_ok, c.overridden, b.reexport_needed, b.exported_at
             FROM students s
             CROSS JOIN schools sc ON sc.id = s.school_id
             CROSS JOIN bookings b ON b.student_id = s.id
             CROSS JOIN captures c ON c.booking_id = b.id AND c.superseded = 0
             LEFT JOIN capture_codes cc ON cc.booking_id = b.id
             WHERE s.school_id = ?1 AND b.status = 'captured'
             ORDER BY cc.code, s.name, b.id",
        )?;
        let rows = stmt.query_map([school_id], |r| {
            Ok(ExportRow {
                booking_id: r.get(0)?,
                capture_code: r.get(1)?,
                name: r.get(2)?,
                id_number: r.get(3)?,
                student_no: r.get(4)?,
                school: r.get(5)?,
                department: r.get(6)?,
                major: r.get(7)?,
                level: r.get(8)?,
                captured_at: r.get(9)?,
                station_id: r.get(10)?,
                operator: r.get(11)?,
                photo_path: r.get(12)?,
                sha256: r.get(13)?,
                spec_ok: r.get(14)?,
                overridden: r.get(15)?,
                reexport_needed: r.get(16)?,
                exported_at: r.get(17)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records that these bookings' photos were exported: clears their re-export flag.
    pub fn mark_exported(
        &mut self,
        booking_ids: &[String],
        destination: &str,
        session: &Session,
    ) -> StoreResult<()> {
        self.authorize(session, Permission::Export, None)?;
        let actor = &session.actor();
        let station_id = self.station_id.clone();
        let tx = self.conn.transaction()?;
        let now = now_text();
        {
            let mut update = tx.prepare(
                "UPDATE bookings SET exported_at = ?2, reexport_needed = 0 WHERE id = ?1",
            )?;
            for id in booking_ids {
                update.execute(params![id, now])?;
            }
        }
        events::append(
            &tx,
            &station_id,
            actor,
            "exported",
            None,
            &json!({ "photos": booking_ids.len(), "destination": destination }),
        )?;
        tx.commit()?;
        Ok(())
    }
}
