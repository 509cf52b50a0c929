//! The outbox: every change this station makes that the rest of a campus must hear of, written in
//! the same transaction as the change itself, with its event id (UUIDv7, the idempotency key) and
//! the station's own contiguous sequence number. Beside it, the photos still to be confirmed by a
//! campus server, and the changes pulled from one.
//!
//! This is plain local data. The store never sends anything anywhere: the campus sync worker
//! reads the outbox and tells the store what the server confirmed. In single-station mode the
//! outbox only grows (a few hundred bytes per change).

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use super::{Store, StoreError, StoreResult, events, new_id, now_text};
use crate::domain::changes::*;

/// One change waiting for (or confirmed by) the campus server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxEntry {
    pub station_seq: i64,
    pub event_id: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub device_at: String,
}

/// A photo the server has not yet confirmed by its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingPhoto {
    pub sha256: String,
    /// Relative to the photos folder.
    pub path: String,
    pub kind: String,
}

impl PendingPhoto {
    /// From a `SELECT sha256, path, kind FROM photo_uploads` row.
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            sha256: row.get(0)?,
            path: row.get(1)?,
            kind: row.get(2)?,
        })
    }
}

/// Appends one change to the outbox on `conn`, inside the caller's transaction.
pub(crate) fn record(conn: &Connection, kind: &str, payload: &impl Serialize) -> StoreResult<()> {
    let payload = serde_json::to_string(payload)
        .map_err(|error| StoreError::Invalid(format!("outbox payload: {error}")))?;
    conn.prepare_cached(
        "INSERT INTO outbox (event_id, kind, payload, device_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![new_id(), kind, payload, now_text()])?;
    Ok(())
}

/// Notes a photo file for upload, inside the caller's transaction.
pub(crate) fn record_photo(
    conn: &Connection,
    sha256: &str,
    path: &str,
    kind: &str,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO photo_uploads (sha256, path, kind, created_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![sha256, path, kind, now_text()])?;
    Ok(())
}

fn confirm_photos_in(conn: &Connection, sha256s: &[String]) -> StoreResult<()> {
    let mut update =
        conn.prepare_cached("UPDATE photo_uploads SET confirmed_at = ?2 WHERE sha256 = ?1")?;
    let now = now_text();
    for sha in sha256s {
        update.execute(params![sha, now])?;
    }
    Ok(())
}

const LAST_SYNC_KEY: &str = "campus_last_sync";

impl Store {
    /// Records a supervisor's exception for a booking (checked against the session's role) in
    /// the event log and the outbox, in one transaction.
    pub fn record_supervisor_exception(
        &mut self,
        what: &str,
        booking_id: &str,
        session: &super::Session,
    ) -> StoreResult<()> {
        self.authorize(session, super::Permission::OverrideChecks, Some(booking_id))?;
        let actor = session.actor();
        let station_id = self.station_id.clone();
        let tx = self.conn.transaction()?;
        events::append(&tx, &station_id, &actor, what, Some(booking_id), &json!({}))?;
        record(
            &tx,
            kind::EXCEPTION,
            &ExceptionPayload {
                what: what.to_string(),
                booking_id: booking_id.to_string(),
                who: actor.clone(),
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The oldest `limit` changes the server has not confirmed, in sequence order.
    pub fn outbox_pending(&self, limit: usize) -> StoreResult<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT station_seq, event_id, kind, payload, device_at FROM outbox
             WHERE confirmed_at IS NULL ORDER BY station_seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            let payload: String = r.get(3)?;
            Ok(OutboxEntry {
                station_seq: r.get(0)?,
                event_id: r.get(1)?,
                kind: r.get(2)?,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                device_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Changes not yet confirmed by the server.
    pub fn outbox_depth(&self) -> StoreResult<usize> {
        let depth: i64 = self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE confirmed_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(depth as usize)
    }

    /// The highest sequence number this station has given out (0 for none).
    pub fn outbox_last_seq(&self) -> StoreResult<i64> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(station_seq), 0) FROM outbox",
            [],
            |r| r.get(0),
        )?)
    }

    /// Records the server's answer for each event, and that it holds the photos those events
    /// carried, in one transaction: confirmed apart, a station stopped between the two would
    /// keep a photo waiting that no event would ever carry again. An entry stays in the table
    /// after confirmation: it is the station's record of what it reported.
    pub fn outbox_confirm(
        &mut self,
        answers: &[(i64, String)],
        photos_held: &[String],
    ) -> StoreResult<()> {
        let tx = self.conn.transaction()?;
        {
            let mut update = tx.prepare_cached(
                "UPDATE outbox SET confirmed_at = ?2, outcome = ?3 WHERE station_seq = ?1",
            )?;
            let now = now_text();
            for (seq, outcome) in answers {
                update.execute(params![seq, now, outcome])?;
            }
        }
        confirm_photos_in(&tx, photos_held)?;
        tx.commit()?;
        Ok(())
    }

    /// Marks every change from `station_seq` on as unconfirmed again, for a server that asks
    /// for them (one restored from a backup). Returns how many will be sent again.
    pub fn outbox_reopen_from(&mut self, station_seq: i64) -> StoreResult<usize> {
        Ok(self.conn.execute(
            "UPDATE outbox SET confirmed_at = NULL, outcome = NULL WHERE station_seq >= ?1",
            [station_seq],
        )?)
    }

    /// How many confirmed changes ended each way (applied, duplicate, conflict, quarantined).
    pub fn outbox_outcomes(&self) -> StoreResult<Vec<(String, usize)>> {
        let mut stmt = self.conn.prepare(
            "SELECT outcome, count(*) FROM outbox WHERE outcome IS NOT NULL
             GROUP BY outcome ORDER BY outcome",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Photos of `kind` the server has not confirmed, oldest first.
    pub fn photos_pending(&self, kind: &str, limit: usize) -> StoreResult<Vec<PendingPhoto>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT sha256, path, kind FROM photo_uploads
             WHERE confirmed_at IS NULL AND kind = ?1 ORDER BY created_at, sha256 LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![kind, limit as i64], PendingPhoto::from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn photos_pending_count(&self) -> StoreResult<usize> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM photo_uploads WHERE confirmed_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(count as usize)
    }

    /// Where the photo with this hash lives, relative to the photos folder.
    pub fn photo_path_for(&self, sha256: &str) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT path FROM photo_uploads WHERE sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The server holds these photos and has checked their hashes.
    pub fn confirm_photos(&mut self, sha256s: &[String]) -> StoreResult<()> {
        let tx = self.conn.transaction()?;
        confirm_photos_in(&tx, sha256s)?;
        tx.commit()?;
        Ok(())
    }

    /// Accepted photos still waiting although no unconfirmed event carries them any more: left
    /// behind by a version that confirmed events and photos in two steps and was stopped
    /// between them. They must be sent on their own, or they would wait for ever.
    pub fn photos_left_behind(&self, limit: usize) -> StoreResult<Vec<PendingPhoto>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT sha256, path, kind FROM photo_uploads AS p
             WHERE confirmed_at IS NULL AND kind = ?1
               AND NOT EXISTS (
                   SELECT 1 FROM outbox AS o
                   WHERE o.confirmed_at IS NULL
                     AND json_extract(o.payload, '$.sha256') = p.sha256)
             ORDER BY created_at, sha256 LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            params![photo_kind::ACCEPTED, limit as i64],
            PendingPhoto::from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// When this station last finished a sync pass (RFC 3339), if ever.
    pub fn last_sync(&self) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [LAST_SYNC_KEY],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn note_sync(&self) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![LAST_SYNC_KEY, now_text()],
        )?;
        Ok(())
    }
}
