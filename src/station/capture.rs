//! Saving a shot against a student. A joined station first claims the student on the campus
//! while the server answers, so that two booths never both photograph one student; an approved
//! retake re-shoots this booth's own photo, and offline nothing waits (the upload is checked).

use std::path::Path;

use super::{Reach, StationError, StationResult};
use crate::store::Store;
use crate::store::captures::{CaptureRecord, NewCapture};

/// Saves the shot; refused when another station holds the student. A joined station's sync is
/// woken to upload it.
pub fn save(
    store: &mut Store,
    reach: Reach,
    photos_dir: &Path,
    capture: NewCapture,
) -> StationResult<CaptureRecord> {
    if let Reach::Campus(link) = reach
        && !store.booking(capture.booking_id)?.retake_approved
    {
        link.claim_before_shot(capture.booking_id)
            .map_err(StationError::HeldElsewhere)?;
    }
    let record = store.save_capture(photos_dir, capture)?;
    reach.after_local_change();
    Ok(record)
}
