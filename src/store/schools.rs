//! Schools and their collection windows.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use super::accounts::{Permission, Session};
use super::{Store, StoreError, StoreResult, events, new_id, now_text};
use crate::domain::CollectionWindow;

#[derive(Debug, Clone, Serialize)]
pub struct SchoolSummary {
    pub id: String,
    pub name: String,
    pub windows: Vec<CollectionWindow>,
}

impl Store {
    pub fn school_id(&self, name: &str) -> StoreResult<String> {
        self.conn
            .query_row("SELECT id FROM schools WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "school",
                key: name.to_string(),
            })
    }

    /// Returns the school's id, creating the school if it is new.
    pub fn ensure_school(&mut self, name: &str, session: &Session) -> StoreResult<String> {
        self.authorize(session, Permission::ManageSchools, Some(name))?;
        let actor = &session.actor();
        if let Ok(id) = self.school_id(name) {
            return Ok(id);
        }
        let name = crate::domain::text::required_field(crate::domain::Field::School, name)
            .map_err(super::Refusal::from)?;
        let id = new_id();
        let tx = self.conn.transaction()?;
        let now = now_text();
        tx.execute(
            "INSERT INTO schools (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            params![id, name, now],
        )?;
        events::append(
            &tx,
            &self.station_id,
            actor,
            "school_created",
            Some(&id),
            &json!({}),
        )?;
        tx.commit()?;
        Ok(id)
    }

    pub fn add_collection_window(
        &mut self,
        school: &str,
        window: CollectionWindow,
        session: &Session,
    ) -> StoreResult<String> {
        let school_id = self.ensure_school(school, session)?;
        let actor = &session.actor();
        let id = new_id();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO collection_windows (id, school_id, first_day, last_day, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![id, school_id, window.first_day, window.last_day, now_text()],
        )?;
        events::append(
            &tx,
            &self.station_id,
            actor,
            "window_added",
            Some(&school_id),
            &json!({ "first_day": window.first_day, "last_day": window.last_day }),
        )?;
        tx.commit()?;
        Ok(id)
    }

    pub fn collection_windows(&self, school: &str) -> StoreResult<Vec<CollectionWindow>> {
        let school_id = self.school_id(school)?;
        let mut stmt = self.conn.prepare(
            "SELECT first_day, last_day FROM collection_windows WHERE school_id = ?1
             ORDER BY first_day",
        )?;
        let rows = stmt.query_map([school_id], |r| {
            Ok((r.get::<_, NaiveDate>(0)?, r.get::<_, NaiveDate>(1)?))
        })?;
        let mut windows = Vec::new();
        for row in rows {
            let (first_day, last_day) = row?;
            windows.push(CollectionWindow::new(first_day, last_day).map_err(super::Refusal::from)?);
        }
        Ok(windows)
    }

    /// The school's windows with their ids, so that one can be edited.
    pub fn collection_window_rows(
        &self,
        school: &str,
    ) -> StoreResult<Vec<(String, CollectionWindow)>> {
        let school_id = self.school_id(school)?;
        let mut stmt = self.conn.prepare(
            "SELECT id, first_day, last_day FROM collection_windows WHERE school_id = ?1
             ORDER BY first_day",
        )?;
        let rows = stmt.query_map([school_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, NaiveDate>(1)?,
                r.get::<_, NaiveDate>(2)?,
            ))
        })?;
        let mut windows = Vec::new();
        for row in rows {
            let (id, first_day, last_day) = row?;
            let window =
                CollectionWindow::new(first_day, last_day).map_err(super::Refusal::from)?;
            windows.push((id, window));
        }
        Ok(windows)
    }

    /// Changes a window's dates, logging old and new.
    pub fn update_collection_window(
        &mut self,
        window_id: &str,
        window: CollectionWindow,
        session: &Session,
    ) -> StoreResult<()> {
        self.authorize(session, Permission::ManageSchools, Some(window_id))?;
        let actor = &session.actor();
        let tx = self.conn.transaction()?;
        let old: Option<(NaiveDate, NaiveDate)> = tx
            .query_row(
                "SELECT first_day, last_day FROM collection_windows WHERE id = ?1",
                [window_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((old_first, old_last)) = old else {
            return Err(StoreError::NotFound {
                what: "collection window",
                key: window_id.to_string(),
            });
        };
        tx.execute(
            "UPDATE collection_windows SET first_day = ?2, last_day = ?3, updated_at = ?4
             WHERE id = ?1",
            params![window_id, window.first_day, window.last_day, now_text()],
        )?;
        events::append(
            &tx,
            &self.station_id,
            actor,
            "window_changed",
            Some(window_id),
            &json!({
                "old": [old_first, old_last],
                "new": [window.first_day, window.last_day],
            }),
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn schools(&self) -> StoreResult<Vec<SchoolSummary>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name FROM schools ORDER BY name")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut schools = Vec::new();
        for row in rows {
            let (id, name) = row?;
            let windows = self.collection_windows(&name)?;
            schools.push(SchoolSummary { id, name, windows });
        }
        Ok(schools)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_stored_per_school() {
        let mut store = Store::open_in_memory().unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let window = CollectionWindow::new(d("2026-11-02"), d("2026-11-04")).unwrap();
        store
            .add_collection_window("示例大学", window, &crate::store::accounts::test_session())
            .unwrap();
        assert_eq!(store.collection_windows("示例大学").unwrap(), vec![window]);
        assert!(store.collection_windows("别的大学").is_err());
        assert_eq!(store.schools().unwrap().len(), 1);

        let (id, _) = store.collection_window_rows("示例大学").unwrap().remove(0);
        let moved = CollectionWindow::new(d("2026-11-09"), d("2026-11-10")).unwrap();
        store
            .update_collection_window(&id, moved, &crate::store::accounts::test_session())
            .unwrap();
        assert_eq!(store.collection_windows("示例大学").unwrap(), vec![moved]);
        assert!(
            store
                .update_collection_window("nope", moved, &crate::store::accounts::test_session())
                .is_err()
        );
        assert!(store.verify_event_chain().unwrap().is_none());
    }
}
