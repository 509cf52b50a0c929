//! Closing a school for the whole campus. Every registered station first seals the school: it
//! stops capturing it, drains its outbox, and the server checks that it holds the station's
//! events up to the sequence the station reports (a station's word that its outbox is empty is
//! not enough). A station that cannot be reached is written off by the supervisor, with a
//! reason. The close itself is one server transaction under the event log's lock, so no upload
//! lands half-way through it, and it refunds exactly the bookings nobody photographed.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use super::CampusResult;
use super::schema::EVENTS_LOCK;
use super::server::{CHANGES_CHANNEL, CampusClient};
use crate::domain::changes::{RefundPayload, kind, refund_status};

/// Seals `school` at this station and on the server: no more captures of it here, the outbox
/// sent, and the server's agreement that it holds every event up to the station's last.
/// Returns that last sequence number.
pub fn seal_station(
    store: &mut crate::store::Store,
    client: &mut CampusClient,
    photos_dir: &std::path::Path,
    school: &str,
    session: &crate::store::Session,
) -> CampusResult<i64> {
    // Sealed here first: a capture that slipped in after the check below would be lost to the
    // close-out otherwise.
    store.seal_school(school, session)?;
    let report = super::sync::sync_once(store, client, photos_dir)?;
    if report.outbox_depth > 0 {
        return Err(super::CampusRefusal::EventsWaiting(report.outbox_depth as i64).into());
    }
    let through_seq = store.outbox_last_seq()?;
    client.seal(school, through_seq)?;
    Ok(through_seq)
}

/// One station's place in a school's close-out gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateStation {
    pub station: String,
    /// `sealed`, `written_off` or `open` (blocks the close).
    pub state: &'static str,
    /// The last of the station's events the server holds.
    pub held_seq: i64,
    /// For a written-off station: who wrote it off, and why.
    pub written_off: Option<(String, String)>,
}

impl GateStation {
    pub fn blocks(&self) -> bool {
        self.state == "open"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CampusCloseOutcome {
    pub close_id: String,
    pub school: String,
    /// Bookings put up for refund: every booking of the school nobody photographed.
    pub refunded: usize,
    pub refund_total_fen: i64,
    pub due_date: NaiveDate,
    /// Stations closed without their seal, each with the reason given.
    pub written_off: Vec<String>,
    /// Bookings left as they are because a photo of them waits in an open conflict: they are
    /// neither refunded nor counted as photographed until the supervisor decides.
    pub held_back: usize,
    /// Students whose capture the server holds in quarantine ("name（order, station）"): not
    /// refunded either; the supervisor settles each by hand.
    pub quarantined: Vec<String>,
}

const GATE_SQL: &str = "
    SELECT s.name,
           k.station IS NOT NULL,
           k.written_off_by,
           k.reason,
           (SELECT coalesce(max(e.station_seq), 0) FROM events e WHERE e.station = s.name)
    FROM stations s
    LEFT JOIN seals k ON k.station = s.name AND k.school = $1
    ORDER BY s.name";

fn gate(client: &mut impl postgres::GenericClient, school: &str) -> CampusResult<Vec<GateStation>> {
    Ok(client
        .query(GATE_SQL, &[&school])?
        .iter()
        .map(|row| {
            let sealed: bool = row.get(1);
            let written_off_by: Option<String> = row.get(2);
            let state = match (sealed, &written_off_by) {
                (true, Some(_)) => "written_off",
                (true, None) => "sealed",
                (false, _) => "open",
            };
            GateStation {
                station: row.get(0),
                state,
                held_seq: row.get(4),
                written_off: written_off_by.map(|who| (who, row.get(3))),
            }
        })
        .collect())
}

impl CampusClient {
    /// Seals `school` for this station: the station says it has sent every event up to
    /// `through_seq`, and the server agrees only if it holds exactly that many.
    pub fn seal(&mut self, school: &str, through_seq: i64) -> CampusResult<()> {
        let station = self.station_or_refuse()?;
        let mut tx = self.client().transaction()?;
        // Under the log's lock: no upload of this station can land between the check and the
        // seal.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&EVENTS_LOCK])?;
        // The last number the server took, applied or quarantined: a quarantined event was
        // received, and the station cannot send it again.
        let held: i64 = tx
            .query_one(
                "SELECT coalesce(max(last_seq), 0) FROM stations WHERE name = $1",
                &[&station],
            )?
            .get(0);
        if held != through_seq {
            return Err(super::CampusRefusal::ServerBehind {
                held,
                through: through_seq,
            }
            .into());
        }
        tx.execute(
            "INSERT INTO seals (station, school, through_seq) VALUES ($1, $2, $3)
             ON CONFLICT (station, school) DO UPDATE SET through_seq = EXCLUDED.through_seq,
                 sealed_at = clock_timestamp(), written_off_by = NULL, reason = NULL",
            &[&station, &school, &through_seq],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Writes off `station` for `school`'s close-out: it cannot be reached, and the supervisor
    /// says so with a reason. Its events that arrive later still land, as conflicts where they
    /// touch a refunded booking.
    pub fn write_off(
        &mut self,
        station: &str,
        school: &str,
        reason: &str,
        decided_by: &str,
    ) -> CampusResult<()> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(super::CampusRefusal::WriteOffNeedsReason.into());
        }
        let mut tx = self.supervised()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&EVENTS_LOCK])?;
        let known: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM stations WHERE name = $1)",
                &[&station],
            )?
            .get(0);
        if !known {
            return Err(super::CampusRefusal::UnknownStation(station.to_string()).into());
        }
        tx.execute(
            "INSERT INTO seals (station, school, through_seq, written_off_by, reason)
             VALUES ($1, $2, (SELECT coalesce(max(last_seq), 0) FROM stations
                              WHERE name = $1), $3, $4)
             ON CONFLICT (station, school) DO UPDATE SET written_off_by = EXCLUDED.written_off_by,
                 reason = EXCLUDED.reason, sealed_at = clock_timestamp()",
            &[&station, &school, &decided_by, &reason],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The schools closed for the campus, in the order they closed: a station that joins later
    /// is told, since any capture of theirs goes to the supervisor as a conflict.
    pub fn closed_schools(&mut self) -> CampusResult<Vec<String>> {
        Ok(self
            .client()
            .query(
                "SELECT school FROM close_outs GROUP BY school ORDER BY min(closed_at)",
                &[],
            )?
            .iter()
            .map(|row| row.get(0))
            .collect())
    }

    /// Every station's place in `school`'s close-out gate.
    pub fn close_gate(&mut self, school: &str) -> CampusResult<Vec<GateStation>> {
        gate(self.client(), school)
    }

    /// Closes `school` for the campus: refused while a station is neither sealed nor written
    /// off; otherwise, in one transaction, every booking of the school still `booked` (no
    /// capture anywhere on the campus) is put up for refund, due on `due_date`, and every
    /// station pulls the refund marks.
    pub fn close_school(
        &mut self,
        school: &str,
        due_date: NaiveDate,
        decided_by: &str,
    ) -> CampusResult<CampusCloseOutcome> {
        let mut tx = self.supervised()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&EVENTS_LOCK])?;
        let known: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM bookings WHERE school = $1)",
                &[&school],
            )?
            .get(0);
        if !known {
            return Err(super::CampusRefusal::UnknownSchool(school.to_string()).into());
        }
        let stations = gate(&mut tx, school)?;
        let blocking: Vec<&str> = stations
            .iter()
            .filter(|s| s.blocks())
            .map(|s| s.station.as_str())
            .collect();
        if !blocking.is_empty() {
            return Err(super::CampusRefusal::NotSealed {
                school: school.to_string(),
                stations: blocking.iter().map(|s| s.to_string()).collect(),
            }
            .into());
        }
        // A capture the server quarantined (its photo did not come with it, or it broke a
        // rule) is a photographed student all the same: never refunded by the close, and named
        // for the supervisor. No station can send that event again, and every station is
        // sealed by now, so refusing the close would leave the school open for good.
        let quarantined: Vec<String> = tx
            .query(
                "SELECT coalesce(b.record->>'name', b.id::text), coalesce(b.order_no, '–'),
                        q.station
                 FROM quarantine q JOIN bookings b ON b.id::text = q.payload->>'booking_id'
                 WHERE q.kind = $2 AND b.school = $1 AND b.status = 'booked'
                   AND NOT EXISTS (SELECT 1 FROM captures c WHERE c.booking_id = b.id)
                 ORDER BY q.received_at",
                &[&school, &kind::CAPTURE],
            )?
            .iter()
            .map(|row| {
                let (name, order, station): (String, String, String) =
                    (row.get(0), row.get(1), row.get(2));
                format!("{name}（{order}，{station}）")
            })
            .collect();
        // A photo held in an open conflict is still a photo of the student: refunding them
        // would refund a photographed student if the supervisor then keeps it.
        let held_back: i64 = tx
            .query_one(
                "SELECT count(*) FROM bookings b
                 WHERE b.school = $1 AND b.status = 'booked'
                   AND EXISTS (SELECT 1 FROM captures c WHERE c.booking_id = b.id)",
                &[&school],
            )?
            .get(0);
        let refunded = tx.query(
            "UPDATE bookings b SET status = 'refund_pending', refund_due = $2
             WHERE b.school = $1 AND b.status = 'booked'
               AND NOT EXISTS (SELECT 1 FROM captures c WHERE c.booking_id = b.id)
               AND NOT EXISTS (SELECT 1 FROM quarantine q
                               WHERE q.kind = $3 AND q.payload->>'booking_id' = b.id::text)
             RETURNING b.id, coalesce((b.record->>'amount_fen')::bigint, 0)",
            &[&school, &due_date, &kind::CAPTURE],
        )?;
        let mut total = 0;
        let mut event_ids = Vec::with_capacity(refunded.len());
        let mut payloads = Vec::with_capacity(refunded.len());
        for row in &refunded {
            let booking: uuid::Uuid = row.get(0);
            let amount: i64 = row.get(1);
            total += amount;
            event_ids.push(uuid::Uuid::now_v7());
            payloads.push(json!(RefundPayload {
                booking_id: booking.to_string(),
                status: refund_status::PENDING.to_string(),
                due_date: Some(due_date.to_string()),
                reference: None,
                who: decided_by.to_string(),
            }));
        }
        tx.execute(
            "INSERT INTO events (event_id, station, kind, payload, outcome, shared)
             SELECT event_id, 'server', $3, payload, 'applied', true
             FROM unnest($1::uuid[], $2::jsonb[]) WITH ORDINALITY AS t(event_id, payload, n)
             ORDER BY n",
            &[&event_ids, &payloads, &kind::REFUND],
        )?;
        let written_off: Vec<String> = stations
            .iter()
            .filter_map(|s| {
                s.written_off
                    .as_ref()
                    .map(|(who, reason)| format!("{}（{who}：{reason}）", s.station))
            })
            .collect();
        let close_id = uuid::Uuid::now_v7();
        tx.execute(
            "INSERT INTO close_outs (id, school, closed_by, due_date, refunded, refund_total_fen,
                 written_off)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &close_id,
                &school,
                &decided_by,
                &due_date,
                &(refunded.len() as i32),
                &total,
                &json!(written_off),
            ],
        )?;
        tx.execute("SELECT pg_notify($1, '')", &[&CHANGES_CHANNEL])?;
        tx.commit()?;
        Ok(CampusCloseOutcome {
            close_id: close_id.to_string(),
            school: school.to_string(),
            refunded: refunded.len(),
            refund_total_fen: total,
            due_date,
            written_off,
            held_back: held_back as usize,
            quarantined,
        })
    }
}
