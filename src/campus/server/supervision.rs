//! The supervisor's view and decisions: conflicts (with both photos), stations, quarantine.

use serde_json::json;

use crate::campus::schema::EVENTS_LOCK;
use crate::campus::{CampusError, CampusResult};
use crate::domain::changes::*;

use super::*;

impl CampusClient {
    /// Settles one conflict with the supervisor's decision, audited (who, when, from which
    /// station) and spread to every station as a `conflict_resolved` event:
    /// - `use_this`: the conflicting capture becomes the booking's photo (for a capture after
    ///   cancellation this also takes the booking back from its refund: status captured);
    /// - `keep_existing`: the booking keeps what it has; the other photo stays on the server;
    /// - `keep_both`: two walk-ins of one student stay two bookings.
    pub fn resolve_conflict(
        &mut self,
        conflict_id: i64,
        decision: &str,
        decided_by: &str,
    ) -> CampusResult<()> {
        let mut tx = super::supervised(
            &mut self.client,
            self.station.is_some(),
            self.ticket.as_ref(),
        )?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&EVENTS_LOCK])?;
        let row = tx
            .query_opt(
                "SELECT kind, booking_id, event_id, resolved_at IS NOT NULL FROM conflicts
                 WHERE id = $1 FOR UPDATE",
                &[&conflict_id],
            )?
            .ok_or(crate::campus::CampusRefusal::NoConflict(conflict_id))?;
        let (kind, booking, event_id, resolved): (String, Option<uuid::Uuid>, uuid::Uuid, bool) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        if resolved {
            return Err(crate::campus::CampusRefusal::ConflictResolved(conflict_id).into());
        }
        let allowed: &[&str] = match kind.as_str() {
            "double_capture"
            | "capture_after_cancel"
            | "capture_after_close"
            | "stale_correction" => &["use_this", "keep_existing"],
            "duplicate_walk_in" => &["keep_both"],
            "refund_of_captured" => &["keep_existing", "use_this"],
            _ => &["keep_existing"],
        };
        if !allowed.contains(&decision) {
            return Err(crate::campus::CampusRefusal::WrongDecision {
                kind,
                decision: decision.to_string(),
            }
            .into());
        }
        let mut payload = json!({
            "conflict_id": conflict_id,
            "kind": kind,
            "decision": decision,
            "decided_by": decided_by,
            "booking_id": booking.map(|b| b.to_string()),
        });
        if kind == "refund_of_captured" {
            let booking_id = booking
                .ok_or_else(|| CampusError::Refused("the conflict names no booking".to_string()))?;
            let refund: serde_json::Value = tx
                .query_one(
                    "SELECT payload FROM events WHERE event_id = $1",
                    &[&event_id],
                )?
                .get(0);
            let captured: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM captures WHERE booking_id = $1 AND active)",
                    &[&booking_id],
                )?
                .get(0);
            if decision == "use_this" {
                // Refunding is only ever allowed for a student nobody photographed.
                if captured {
                    return Err(crate::campus::CampusRefusal::RefundOfPhotographed.into());
                }
                let due = refund["due_date"]
                    .as_str()
                    .and_then(|text| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok());
                tx.execute(
                    "UPDATE bookings SET status = 'refund_pending', refund_due = $2
                     WHERE id = $1 AND status = 'booked'",
                    &[&booking_id, &due],
                )?;
                payload["refund"] = refund;
            } else {
                let status: String = tx
                    .query_one("SELECT status FROM bookings WHERE id = $1", &[&booking_id])?
                    .get(0);
                payload["booking_status"] = json!(status);
            }
        } else if kind == "stale_correction" {
            let event: serde_json::Value = tx
                .query_one(
                    "SELECT payload FROM events WHERE event_id = $1",
                    &[&event_id],
                )?
                .get(0);
            let mut correction: CorrectionPayload = serde_json::from_value(event)
                .map_err(|error| CampusError::Refused(format!("correction payload: {error}")))?;
            let booking_id = parse_uuid(&correction.booking_id, "booking id")?;
            if decision == "use_this" {
                tx.execute(
                    "SELECT campus_set_record_field($1, $2, $3)",
                    &[&booking_id, &correction.field, &correction.new_value],
                )?;
            } else {
                // Every station, the one that made the correction included, goes back to the
                // value the campus kept.
                let kept: Option<String> = tx
                    .query_one(
                        "SELECT record->>$2 FROM bookings WHERE id = $1",
                        &[&booking_id, &correction.field],
                    )?
                    .get(0);
                correction.old_value = None;
                correction.new_value = kept;
                correction.reason = format!(
                    "校区冲突 #{conflict_id} 保留原值 / campus conflict #{conflict_id}: value kept"
                );
                correction.who = decided_by.to_string();
            }
            payload["correction"] = serde_json::to_value(&correction)
                .map_err(|error| CampusError::Refused(format!("correction payload: {error}")))?;
        } else if decision == "use_this" {
            let capture = tx.query_one(
                "SELECT c.id, c.booking_id, e.payload FROM captures c
                 JOIN events e ON e.event_id = c.event_id WHERE c.event_id = $1",
                &[&event_id],
            )?;
            let (capture_id, booking_id, capture_payload): (
                uuid::Uuid,
                uuid::Uuid,
                serde_json::Value,
            ) = (capture.get(0), capture.get(1), capture.get(2));
            tx.execute(
                "UPDATE captures SET active = false WHERE booking_id = $1 AND active",
                &[&booking_id],
            )?;
            tx.execute(
                "UPDATE captures SET active = true WHERE id = $1",
                &[&capture_id],
            )?;
            // For a capture after a cancellation or close-out this takes back the refund.
            tx.execute(
                "UPDATE bookings SET status = 'captured', refund_due = NULL WHERE id = $1",
                &[&booking_id],
            )?;
            payload["capture"] = capture_payload.clone();
            payload["sha256"] = capture_payload["sha256"].clone();
        }
        tx.execute(
            "UPDATE conflicts SET resolved_at = clock_timestamp(), decision = $2, decided_by = $3
             WHERE id = $1",
            &[&conflict_id, &decision, &decided_by],
        )?;
        tx.execute(
            "INSERT INTO events (event_id, station, kind, payload, outcome, shared)
             VALUES ($1, 'server', 'conflict_resolved', $2, 'applied', true)",
            &[&uuid::Uuid::now_v7(), &payload],
        )?;
        tx.execute("SELECT pg_notify($1, '')", &[&CHANGES_CHANNEL])?;
        tx.commit()?;
        Ok(())
    }

    /// The photos on both sides of a conflict.
    pub fn conflict_photos(&mut self, conflict_id: i64) -> CampusResult<ConflictPhotos> {
        let row = self.client.query_one(
            "SELECT
                 (SELECT p.bytes FROM captures c JOIN photos p ON p.sha256 = c.sha256
                  WHERE c.booking_id = k.booking_id AND c.active),
                 (SELECT p.bytes FROM captures c JOIN photos p ON p.sha256 = c.sha256
                  WHERE c.event_id = k.event_id)
             FROM conflicts k WHERE k.id = $1",
            &[&conflict_id],
        )?;
        Ok(ConflictPhotos {
            current: row.get(0),
            other: row.get(1),
        })
    }

    /// Revokes `station` (a supervisor's ticket, or the owner): its login stops working, its
    /// open connections end, and what it uploaded stays on the campus. Returns how many
    /// connections were ended. Revoking twice is harmless.
    pub fn revoke_station(&mut self, station: &str) -> CampusResult<i64> {
        let mut tx = self.supervised()?;
        let ended: Option<i64> = tx
            .query_one("SELECT campus_revoke_station($1)", &[&station])
            .map_err(super::refused_or_failed)?
            .get(0);
        tx.commit()?;
        ended
            .ok_or_else(|| crate::campus::CampusRefusal::UnknownStation(station.to_string()).into())
    }

    pub fn stations(&mut self) -> CampusResult<Vec<StationRow>> {
        let rows = self.client.query(
            "SELECT s.name, to_char(s.last_contact AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    s.clock_offset_ms, s.last_seq, s.outbox_depth, s.photos_waiting,
                    (SELECT count(*) FROM captures c WHERE c.station = s.name AND c.active
                         AND c.received_at >= date_trunc('day', now())),
                    s.revoked_at IS NOT NULL
             FROM stations s ORDER BY s.name",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| StationRow {
                name: r.get(0),
                last_contact: r.get(1),
                clock_offset_ms: r.get(2),
                last_seq: r.get(3),
                outbox_depth: r.get(4),
                photos_waiting: r.get(5),
                captures_today: r.get(6),
                revoked: r.get(7),
            })
            .collect())
    }

    /// How many conflicts wait for a supervisor's decision (shown on every booth).
    pub fn open_conflict_count(&mut self) -> CampusResult<i64> {
        Ok(self
            .client
            .query_one(
                "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL",
                &[],
            )?
            .get(0))
    }

    pub fn open_conflicts(&mut self) -> CampusResult<Vec<ConflictRow>> {
        let rows = self.client.query(
            "SELECT k.id, k.kind, k.booking_id::text, k.event_id::text, k.other,
                    k.created_at::text, b.record->>'name', b.order_no, b.school,
                    coalesce(e.station, q.station, '–'),
                    coalesce(k.other->>'station', k.other->>'claimed_by',
                             (SELECT c.station FROM captures c
                              WHERE c.booking_id = k.booking_id AND c.active))
             FROM conflicts k
             LEFT JOIN bookings b ON b.id = k.booking_id
             LEFT JOIN events e ON e.event_id = k.event_id
             LEFT JOIN quarantine q ON q.event_id = k.event_id
             WHERE k.resolved_at IS NULL ORDER BY k.id",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| ConflictRow {
                id: r.get(0),
                kind: r.get(1),
                booking_id: r.get(2),
                event_id: r.get(3),
                other: r.get(4),
                created_at: r.get(5),
                name: r.get(6),
                order_no: r.get(7),
                school: r.get(8),
                station: r.get(9),
                other_station: r.get(10),
            })
            .collect())
    }

    pub fn quarantined(&mut self) -> CampusResult<Vec<QuarantineRow>> {
        let rows = self.client.query(
            "SELECT event_id::text, station, station_seq, kind, reason FROM quarantine
             ORDER BY received_at",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| QuarantineRow {
                event_id: r.get(0),
                station: r.get(1),
                station_seq: r.get(2),
                kind: r.get(3),
                reason: r.get(4),
            })
            .collect())
    }
}
