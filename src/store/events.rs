//! The append-only event log. Each entry's hash covers its content and the previous entry's hash,
//! so an edit anywhere in the history breaks the chain from that point on. Details never carry
//! full ID numbers, phone numbers or capture codes.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{StoreResult, new_id, now_text};

const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Well-known actor names for work that no logged-in person did.
pub mod actor {
    pub const CLI: &str = "cli";
    pub const SYSTEM: &str = "system";
}

#[derive(Debug, Clone, Serialize)]
pub struct EventEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub subject: Option<String>,
    pub detail: serde_json::Value,
}

/// The hash of one entry: its fields in table order, after the previous entry's hash, each
/// length-prefixed so that moving text between fields changes the hash.
fn entry_hash(prev_hash: &str, fields: [&str; 7]) -> String {
    let mut hasher = Sha256::new();
    for part in std::iter::once(prev_hash).chain(fields) {
        hasher.update(part.len().to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Appends one event on `conn` (usually inside the caller's transaction, so that the event and
/// the change it records commit together).
pub(crate) fn append(
    conn: &Connection,
    station_id: &str,
    actor: &str,
    kind: &str,
    subject: Option<&str>,
    detail: &serde_json::Value,
) -> StoreResult<()> {
    let prev_hash: String = conn
        .query_row(
            "SELECT hash FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| GENESIS_HASH.to_string());
    let id = new_id();
    let at = now_text();
    let detail = detail.to_string();
    let hash = entry_hash(
        &prev_hash,
        [
            &id,
            &at,
            station_id,
            actor,
            kind,
            subject.unwrap_or(""),
            &detail,
        ],
    );
    conn.prepare_cached(
        "INSERT INTO events (id, at, station_id, actor, kind, subject, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        id, at, station_id, actor, kind, subject, detail, prev_hash, hash
    ])?;
    Ok(())
}

/// Where the chain first breaks, if it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: &'static str,
}

impl super::Store {
    pub fn append_event(
        &self,
        actor: &str,
        kind: &str,
        subject: Option<&str>,
        detail: &serde_json::Value,
    ) -> StoreResult<()> {
        append(&self.conn, &self.station_id, actor, kind, subject, detail)
    }

    pub fn recent_events(&self, limit: usize) -> StoreResult<Vec<EventEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, actor, kind, subject, detail FROM events ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            let detail: String = r.get(5)?;
            Ok(EventEntry {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                kind: r.get(3)?,
                subject: r.get(4)?,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Walks the whole chain and returns the first entry whose hash or link does not hold.
    pub fn verify_event_chain(&self) -> StoreResult<Option<BrokenLink>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, id, at, station_id, actor, kind, subject, detail, prev_hash, hash
             FROM events ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut expected_prev = GENESIS_HASH.to_string();
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let prev_hash: String = row.get(8)?;
            let hash: String = row.get(9)?;
            if prev_hash != expected_prev {
                return Ok(Some(BrokenLink {
                    seq,
                    reason: "previous-hash link does not match (an entry was removed or reordered)",
                }));
            }
            let subject: Option<String> = row.get(6)?;
            let fields: [String; 6] = [
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
                row.get(7)?,
            ];
            let recomputed = entry_hash(
                &prev_hash,
                [
                    &fields[0],
                    &fields[1],
                    &fields[2],
                    &fields[3],
                    &fields[4],
                    subject.as_deref().unwrap_or(""),
                    &fields[5],
                ],
            );
            if recomputed != hash {
                return Ok(Some(BrokenLink {
                    seq,
                    reason: "content does not match its hash (the entry was edited)",
                }));
            }
            expected_prev = hash;
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;
    use serde_json::json;

    #[test]
    fn chain_verifies_and_catches_an_edit() {
        let store = Store::open_in_memory().unwrap();
        for n in 0..5 {
            store
                .append_event("tester", "demo", None, &json!({ "n": n }))
                .unwrap();
        }
        assert_eq!(store.verify_event_chain().unwrap(), None);
        // Updates are blocked by a trigger; a tamperer would drop it first.
        assert!(
            store
                .connection()
                .execute("UPDATE events SET detail = '{}' WHERE seq = 3", [])
                .is_err()
        );
        store
            .connection()
            .execute_batch(
                "DROP TRIGGER events_no_update;
                 UPDATE events SET detail = '{\"n\":42}' WHERE seq = 3;",
            )
            .unwrap();
        let broken = store.verify_event_chain().unwrap().expect("edit is caught");
        assert_eq!(broken.seq, 3);
    }

    #[test]
    fn deleting_an_entry_is_blocked_and_caught() {
        let store = Store::open_in_memory().unwrap();
        for n in 0..3 {
            store
                .append_event("tester", "demo", None, &json!({ "n": n }))
                .unwrap();
        }
        assert!(
            store
                .connection()
                .execute("DELETE FROM events WHERE seq = 2", [])
                .is_err()
        );
        store
            .connection()
            .execute_batch("DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 2;")
            .unwrap();
        assert_eq!(store.verify_event_chain().unwrap().unwrap().seq, 3);
    }
}
