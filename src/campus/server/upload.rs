//! Uploading a station's outbox batch, under the rules in the module doc. The server applies
//! each event itself (`campus_upload_event`, see `schema::station_functions`): the station
//! sends it with its photo and hears what became of it.

use std::collections::HashMap;

use crate::campus::CampusResult;
use crate::domain::changes::kind;
use crate::store::outbox::OutboxEntry;

use super::*;

const UPLOAD_SQL: &str = "SELECT campus_upload_event($1, $2, $3, $4, $5, $6)";

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
        self.station_or_refuse()?;
        let event_ids = events
            .iter()
            .map(|event| parse_uuid(&event.event_id, "event id"))
            .collect::<CampusResult<Vec<_>>>()?;
        // Prepared once per connection: each event is then one round trip.
        let statement = self.prepared(UPLOAD_SQL)?;
        let mut tx = self.client.transaction()?;
        let mut answer = UploadAnswer::default();
        for (index, (event, event_id)) in events.iter().zip(event_ids).enumerate() {
            let photo = (event.kind == kind::CAPTURE)
                .then(|| event.payload["sha256"].as_str())
                .flatten()
                .and_then(|sha256| photos.get(sha256));
            let said: String = tx
                .query_one(
                    &statement,
                    &[
                        &event_id,
                        &event.station_seq,
                        &event.kind,
                        &event.payload,
                        &event.device_at,
                        &photo,
                    ],
                )?
                .get(0);
            let outcome = match said.as_str() {
                "applied" => EventOutcome::Applied,
                "conflict" => EventOutcome::Conflict,
                "quarantined" => EventOutcome::Quarantined,
                "duplicate" => EventOutcome::Duplicate,
                gap => {
                    let expected = gap
                        .strip_prefix("gap ")
                        .and_then(|number| number.parse().ok())
                        .ok_or_else(|| {
                            CampusError::Refused(format!("the server answered '{gap}'"))
                        })?;
                    answer.gap_expected = Some(expected);
                    break;
                }
            };
            answer.outcomes.push((event.station_seq, outcome));
            after_each(index)?;
        }
        tx.commit()?;
        Ok(answer)
    }
}
