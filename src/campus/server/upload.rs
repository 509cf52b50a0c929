//! Uploading a station's outbox batch, under the rules in the module doc.

use std::collections::HashMap;

use crate::campus::CampusResult;
use crate::campus::schema::EVENTS_LOCK;
use crate::store::outbox::OutboxEntry;

use super::apply::{Db, apply_in_savepoint, quarantine};
use super::*;

impl CampusClient {
    /// Uploads one batch in one transaction; see the module doc for the rules.
    pub fn upload(
        &mut self,
        events: &[OutboxEntry],
        photos: &HashMap<String, Vec<u8>>,
    ) -> CampusResult<UploadAnswer> {
        self.upload_with(events, photos, |_| Ok(()))
    }

    /// [`Self::upload`], calling `after_each(index)` after each event is applied inside the
    /// transaction: an error from it rolls the whole batch back, as a dropped connection would.
    pub fn upload_with(
        &mut self,
        events: &[OutboxEntry],
        photos: &HashMap<String, Vec<u8>>,
        mut after_each: impl FnMut(usize) -> CampusResult<()>,
    ) -> CampusResult<UploadAnswer> {
        let station = self.station_or_refuse()?;
        let event_ids = events
            .iter()
            .map(|event| parse_uuid(&event.event_id, "event id"))
            .collect::<CampusResult<Vec<_>>>()?;
        let mut tx = self.client.transaction()?;
        let mut db = Db {
            tx: &mut tx,
            statements: &mut self.statements,
        };
        db.execute("SELECT pg_advisory_xact_lock($1)", &[&EVENTS_LOCK])?;
        let mut last_seq: i64 = db
            .query_one(
                "SELECT last_seq FROM stations WHERE name = $1 FOR UPDATE",
                &[&station],
            )?
            .get(0);
        // Which of the batch the server already holds, in one round trip.
        let held: std::collections::HashSet<uuid::Uuid> = db
            .query(
                "SELECT event_id FROM events WHERE event_id = ANY($1)
                 UNION SELECT event_id FROM quarantine WHERE event_id = ANY($1)",
                &[&event_ids],
            )?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let mut answer = UploadAnswer::default();
        let mut shared_any = false;
        for (index, (event, event_id)) in events.iter().zip(event_ids).enumerate() {
            if held.contains(&event_id) {
                answer
                    .outcomes
                    .push((event.station_seq, EventOutcome::Duplicate));
                continue;
            }
            if event.station_seq > last_seq + 1 {
                answer.gap_expected = Some(last_seq + 1);
                break;
            }
            let outcome = if event.station_seq <= last_seq {
                // A number already used by another event: a restored backup reusing its
                // sequence. Keep it for the supervisor; never apply it blind.
                quarantine(
                    &mut db,
                    &station,
                    event,
                    "序号已被另一事件使用 / sequence number already used by another event from this station",
                )?;
                EventOutcome::Quarantined
            } else {
                last_seq = event.station_seq;
                apply_in_savepoint(&mut db, &station, event, event_id, photos)?
            };
            shared_any |= matches!(outcome, EventOutcome::Applied | EventOutcome::Conflict);
            answer.outcomes.push((event.station_seq, outcome));
            after_each(index)?;
        }
        db.execute(
            "UPDATE stations SET last_seq = $2, last_contact = now() WHERE name = $1",
            &[&station, &last_seq],
        )?;
        if shared_any {
            db.execute("SELECT pg_notify($1, '')", &[&CHANGES_CHANNEL])?;
        }
        tx.commit()?;
        Ok(answer)
    }
}
