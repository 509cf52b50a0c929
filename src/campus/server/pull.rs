//! The change feed and the station's small round trips: pulling changes, claiming a booking
//! before a shot, which orders the campus holds, photo uploads, the heartbeat and the
//! notifications that wake the sync.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::campus::inbox::RemoteEvent;
use crate::campus::{CampusError, CampusResult};

use super::*;

impl CampusClient {
    /// Up to `limit` shared changes after `cursor`, made elsewhere than this station, with each
    /// capture's accepted photo. Writers serialise on [`EVENTS_LOCK`], so a row with a lower
    /// sequence can never commit after one with a higher: the cursor never skips.
    pub fn pull(&mut self, cursor: i64, limit: i64) -> CampusResult<(Vec<RemoteEvent>, i64)> {
        let station = self.station.clone().unwrap_or_default();
        let rows = self.client.query(
            "SELECT e.server_seq, e.event_id::text, e.station, e.kind, e.payload, p.bytes
             FROM events e
             LEFT JOIN photos p ON e.kind IN ('capture', 'conflict_resolved')
                                  AND p.sha256 = e.payload->>'sha256'
             WHERE e.shared AND e.server_seq > $1 AND e.station <> $2
             ORDER BY e.server_seq LIMIT $3",
            &[&cursor, &station, &limit],
        )?;
        let events: Vec<RemoteEvent> = rows
            .iter()
            .map(|row| RemoteEvent {
                server_seq: row.get(0),
                event_id: row.get(1),
                station: row.get(2),
                kind: row.get(3),
                payload: row.get(4),
                photo: row.get(5),
            })
            .collect();
        let next = events.last().map_or(cursor, |e| e.server_seq);
        Ok((events, next))
    }

    /// Claims `booking_id` for this station before a shot: one round trip when it wins.
    pub fn claim(&mut self, booking_id: &str) -> CampusResult<ClaimAnswer> {
        self.station_or_refuse()?;
        let booking = parse_uuid(booking_id, "booking id")?;
        // Prepared once per connection: each claim is then a single round trip.
        let statement = self.prepared(CLAIM_SQL)?;
        let row = self.client.query_one(&statement, &[&booking])?;
        let answer: String = row.get(0);
        Ok(match answer.as_str() {
            "won" => ClaimAnswer::Won,
            "unknown" => ClaimAnswer::Unknown,
            _ => ClaimAnswer::Lost {
                holder: row.get::<_, Option<String>>(1).unwrap_or_default(),
            },
        })
    }

    /// The campus's ids for those of `order_nos` it holds.
    pub fn held_orders(
        &mut self,
        order_nos: &[String],
    ) -> CampusResult<HashMap<String, crate::store::announce::OrderIds>> {
        if order_nos.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(self
            .client
            .query(
                "SELECT order_no, id::text, student_id::text FROM bookings
                 WHERE order_no = ANY($1)",
                &[&order_nos],
            )?
            .iter()
            .map(|row| {
                (
                    row.get(0),
                    crate::store::announce::OrderIds {
                        booking_id: row.get(1),
                        student_id: row.get(2),
                    },
                )
            })
            .collect())
    }

    /// Stores one photo (a full-resolution original, typically). The server's CHECK recomputes
    /// the sha256; bytes that do not match are refused.
    pub fn upload_photo(&mut self, sha256: &str, bytes: &[u8]) -> CampusResult<()> {
        self.client
            .execute("SELECT campus_put_photo($1, $2)", &[&sha256, &bytes])
            .map_err(|error| match error.code() {
                Some(code) if *code == postgres::error::SqlState::CHECK_VIOLATION => {
                    CampusError::Refused(format!(
                        "照片内容与其 sha256 不符，服务器拒收 / the photo's bytes do not match its sha256 {sha256}; the server refused it"
                    ))
                }
                _ => CampusError::Postgres(error),
            })?;
        Ok(())
    }

    /// Reports the station's queue and measures its clock against the server's (the midpoint
    /// of the round trip). Returns the offset in ms (server minus station).
    pub fn heartbeat(&mut self, outbox_depth: usize, photos_waiting: usize) -> CampusResult<i64> {
        let station = self.station_or_refuse()?;
        let sent = Instant::now();
        let local_before = chrono::Utc::now();
        let server_ms: i64 = self
            .client
            .query_one(
                "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint",
                &[],
            )?
            .get(0);
        let round_trip = sent.elapsed();
        let local_mid =
            local_before + chrono::Duration::from_std(round_trip / 2).unwrap_or_default();
        let offset = server_ms - local_mid.timestamp_millis();
        self.client.execute(
            "UPDATE stations SET last_contact = now(), clock_offset_ms = $2, outbox_depth = $3,
                 photos_waiting = $4 WHERE name = $1",
            &[
                &station,
                &offset,
                &(outbox_depth as i64),
                &(photos_waiting as i64),
            ],
        )?;
        Ok(offset)
    }

    /// Starts listening for the change notification (once per connection).
    pub fn listen(&mut self) -> CampusResult<()> {
        if !self.listening {
            self.client
                .batch_execute(&format!("LISTEN {CHANGES_CHANNEL}"))?;
            self.listening = true;
        }
        Ok(())
    }

    /// Waits up to `timeout` for another station's change; true if one was announced.
    pub fn wait_for_change(&mut self, timeout: Duration) -> CampusResult<bool> {
        use postgres::fallible_iterator::FallibleIterator;
        self.listen()?;
        let mut notifications = self.client.notifications();
        let woke = notifications.timeout_iter(timeout).next()?.is_some();
        // Drain the rest: one pull covers them all.
        while notifications.iter().next()?.is_some() {}
        Ok(woke)
    }
}
