//! Syncing a station with its campus: one pass (`sync_once`: upload the outbox in ordered
//! batches with their photos, pull the change feed, send the originals, report the queue), and
//! the worker thread that repeats it, wakes on the server's notifications or on a local change,
//! and backs off while the server is away without ever giving up.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use super::CampusResult;
use super::hand_over::hand_over_pre_campus_data;
use super::inbox::{self, AppliedPage};
use super::server::{CampusClient, EventOutcome};
use super::settings::CampusSettings;
use super::settings::SharedLogin;
use crate::domain::changes::photo_kind;
use crate::store::outbox::PendingPhoto;
use crate::store::{Store, StoreResult};

/// Events per upload transaction. Each capture carries its ~50 kB JPEG, so a batch is a few MB.
pub const UPLOAD_BATCH: usize = 200;
/// Changes per pulled page (each page and its cursor commit together in SQLite).
pub const PULL_PAGE: i64 = 2000;
/// How long a station waits for a connection before it counts as offline.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncReport {
    pub uploaded: usize,
    pub applied: usize,
    pub duplicates: usize,
    pub conflicts: usize,
    pub quarantined: usize,
    pub gaps_resent: usize,
    pub pulled: AppliedPage,
    pub originals_uploaded: usize,
    /// Accepted photos sent on their own because their events were already confirmed.
    pub photos_left_behind: usize,
    pub cursor: i64,
    pub outbox_depth: usize,
    pub photos_waiting: usize,
    pub clock_offset_ms: i64,
    /// Conflicts on the campus waiting for a supervisor.
    pub open_conflicts: i64,
}

/// One full pass. Safe to interrupt at any point: every step is a transaction on both sides,
/// and whatever was not confirmed is sent again next time (the server answers "duplicate").
pub fn sync_once(
    store: &mut Store,
    client: &mut CampusClient,
    photos_dir: &Path,
) -> CampusResult<SyncReport> {
    let mut report = SyncReport::default();
    hand_over_pre_campus_data(store, client)?;
    upload_outbox(store, client, photos_dir, &mut report)?;
    pull_changes(store, client, photos_dir, &mut report)?;
    upload_originals(store, client, photos_dir, &mut report)?;
    report.outbox_depth = store.outbox_depth()?;
    report.photos_waiting = store.photos_pending_count()?;
    report.clock_offset_ms = client.heartbeat(report.outbox_depth, report.photos_waiting)?;
    report.open_conflicts = client.open_conflict_count()?;
    report.cursor = store.replica_cursor()?;
    store.note_sync()?;
    Ok(report)
}

pub fn upload_outbox(
    store: &mut Store,
    client: &mut CampusClient,
    photos_dir: &Path,
    report: &mut SyncReport,
) -> CampusResult<()> {
    loop {
        let mut batch = store.outbox_pending(UPLOAD_BATCH)?;
        if batch.is_empty() {
            return Ok(());
        }
        let (photos, unreadable) = read_batch_photos(store, &mut batch, photos_dir)?;
        if batch.is_empty() {
            // The very first event's photo cannot be read.
            return unreadable.map_or(Ok(()), |photo| Err(photo.into()));
        }
        let answer = client.upload(&batch, &photos)?;
        let mut confirmed = Vec::with_capacity(answer.outcomes.len());
        let mut accepted_photos = Vec::new();
        for (seq, outcome) in &answer.outcomes {
            report.uploaded += 1;
            match outcome {
                EventOutcome::Applied => report.applied += 1,
                EventOutcome::Duplicate => report.duplicates += 1,
                EventOutcome::Conflict => report.conflicts += 1,
                EventOutcome::Quarantined => report.quarantined += 1,
            }
            confirmed.push((*seq, outcome.as_str().to_string()));
            if matches!(
                outcome,
                EventOutcome::Applied | EventOutcome::Conflict | EventOutcome::Duplicate
            ) && let Some(event) = batch.iter().find(|e| e.station_seq == *seq)
                && let Some(sha) = event.payload.get("sha256").and_then(|v| v.as_str())
            {
                accepted_photos.push(sha.to_string());
            }
        }
        store.outbox_confirm(&confirmed, &accepted_photos)?;
        if let Some(expected) = answer.gap_expected {
            // The server holds less than we thought (it was restored from a backup): send
            // again from the number it expects. Refusing to go on would lose nothing, but
            // would stall the station for good.
            let reopened = store.outbox_reopen_from(expected)?;
            if reopened == 0 {
                return Err(super::CampusRefusal::EventGone(expected).into());
            }
            report.gaps_resent += reopened;
            tracing::warn!(expected, reopened, "the server asked for events again");
        }
        if let Some(unreadable) = unreadable {
            return Err(unreadable.into());
        }
    }
}

/// A batch's photos, by their sha256.
type PhotosBySha = HashMap<String, Vec<u8>>;

/// A capture's photo that could not be read for its upload.
#[derive(Debug)]
struct UnreadablePhoto {
    path: String,
    reason: String,
}

impl From<UnreadablePhoto> for super::CampusError {
    fn from(photo: UnreadablePhoto) -> Self {
        Self::PhotoUnreadable {
            path: photo.path,
            reason: photo.reason,
        }
    }
}

/// Reads the photos of `batch`'s captures. At the first capture whose photo cannot be read the
/// batch is cut short, before it: sent without its photo the capture would be quarantined, the
/// booking stay unphotographed on the campus, and a close-out refund a photographed student.
/// The cut events wait in the outbox for the next pass.
fn read_batch_photos(
    store: &Store,
    batch: &mut Vec<crate::store::outbox::OutboxEntry>,
    photos_dir: &Path,
) -> CampusResult<(PhotosBySha, Option<UnreadablePhoto>)> {
    let mut photos = HashMap::new();
    for (index, event) in batch.iter().enumerate() {
        if event.kind != crate::domain::changes::kind::CAPTURE {
            continue;
        }
        let Some(sha) = event.payload.get("sha256").and_then(|v| v.as_str()) else {
            continue;
        };
        let read = match store.photo_path_for(sha)? {
            Some(path) => std::fs::read(photos_dir.join(&path)).map_err(|error| UnreadablePhoto {
                path: photos_dir.join(&path).display().to_string(),
                reason: error.to_string(),
            }),
            None => Err(UnreadablePhoto {
                path: sha.to_string(),
                reason: "not in this station's list of photos to send".to_string(),
            }),
        };
        match read {
            Ok(bytes) => {
                photos.insert(sha.to_string(), bytes);
            }
            Err(unreadable) => {
                tracing::warn!(
                    path = unreadable.path,
                    reason = unreadable.reason,
                    "a photo to upload could not be read; the upload waits before it"
                );
                batch.truncate(index);
                return Ok((photos, Some(unreadable)));
            }
        }
    }
    Ok((photos, None))
}

pub fn pull_changes(
    store: &mut Store,
    client: &mut CampusClient,
    photos_dir: &Path,
    report: &mut SyncReport,
) -> CampusResult<()> {
    loop {
        let cursor = store.replica_cursor()?;
        let (page, next) = client.pull(cursor, PULL_PAGE)?;
        if page.is_empty() {
            return Ok(());
        }
        let applied = inbox::apply_page(store, &page, next, photos_dir)?;
        report.pulled.applied += applied.applied;
        report.pulled.known += applied.known;
        report.pulled.skipped += applied.skipped;
    }
}

/// Sends the full-resolution originals, a few at a time, and any accepted photo its event no
/// longer carries; each is confirmed only after the server stored it under its recomputed hash.
pub fn upload_originals(
    store: &mut Store,
    client: &mut CampusClient,
    photos_dir: &Path,
    report: &mut SyncReport,
) -> CampusResult<()> {
    let left_behind = upload_photos_apart(store, client, photos_dir, |store| {
        store.photos_left_behind(20)
    })?;
    if left_behind > 0 {
        tracing::warn!(
            left_behind,
            "sent accepted photos that were waiting after their events were confirmed"
        );
    }
    report.photos_left_behind += left_behind;
    report.originals_uploaded += upload_photos_apart(store, client, photos_dir, |store| {
        store.photos_pending(photo_kind::ORIGINAL, 20)
    })?;
    Ok(())
}

/// Sends the photos `next` lists until it lists none (or none of them can be read). Returns
/// how many the server confirmed.
fn upload_photos_apart(
    store: &mut Store,
    client: &mut CampusClient,
    photos_dir: &Path,
    next: impl Fn(&Store) -> StoreResult<Vec<PendingPhoto>>,
) -> CampusResult<usize> {
    let mut sent = 0;
    loop {
        let pending = next(store)?;
        if pending.is_empty() {
            return Ok(sent);
        }
        let mut confirmed = Vec::new();
        for photo in &pending {
            let bytes = match std::fs::read(photos_dir.join(&photo.path)) {
                Ok(bytes) => bytes,
                Err(error) => {
                    tracing::warn!(%error, path = photo.path, "a photo could not be read; it stays queued");
                    continue;
                }
            };
            client.upload_photo(&photo.sha256, &bytes)?;
            confirmed.push(photo.sha256.clone());
        }
        if confirmed.is_empty() {
            return Ok(sent);
        }
        sent += confirmed.len();
        store.confirm_photos(&confirmed)?;
    }
}

/// What the window shows of the campus.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CampusStatus {
    pub station: String,
    pub server: String,
    pub connected: bool,
    /// When the station last lost the server (RFC 3339), while it is offline.
    pub offline_since: Option<String>,
    pub outbox_depth: usize,
    pub photos_waiting: usize,
    pub last_sync: Option<String>,
    pub clock_offset_ms: Option<i64>,
    pub last_error: Option<String>,
    /// A capture's photo that cannot be read holds the upload back (the booth's screen says so:
    /// the server is fine, the laptop's disk is not).
    pub photo_unreadable: Option<String>,
    /// Conflicts on the campus waiting for a supervisor, as of the last sync.
    pub open_conflicts: Option<i64>,
}

/// Handle to the sync worker: nudge it after a local change; read its status.
#[derive(Clone)]
pub struct SyncHandle {
    nudge: SyncSender<()>,
    status: Arc<Mutex<CampusStatus>>,
}

impl SyncHandle {
    /// A local change is waiting: sync now instead of at the next tick.
    pub fn nudge(&self) {
        let _ = self.nudge.try_send(());
    }

    pub fn status(&self) -> CampusStatus {
        self.status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }
}

/// How often a connected station checks in when nothing happens.
const IDLE_TICK: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Starts the worker on its own thread with its own connection to the station's database.
pub fn spawn(
    settings: CampusSettings,
    login: SharedLogin,
    database: PathBuf,
    photos_dir: PathBuf,
) -> SyncHandle {
    // One waiting nudge is enough: the next pass uploads everything queued by then.
    let (nudge, nudged) = std::sync::mpsc::sync_channel(1);
    let status = Arc::new(Mutex::new(CampusStatus {
        station: settings.station.clone(),
        server: settings.login.to_string(),
        ..Default::default()
    }));
    let shared = Arc::clone(&status);
    let spawned = std::thread::Builder::new()
        .name("campus-sync".to_string())
        .spawn(move || run(login, database, photos_dir, nudged, shared));
    if let Err(error) = spawned {
        tracing::error!(%error, "the campus sync thread could not start");
    }
    SyncHandle { nudge, status }
}

/// Waits out a back-off of `wait`, swallowing nudges: each local save nudges, and a booth
/// offline would otherwise try (and fail, and log) after every one. What was queued goes up with
/// the next pass. `false` when the handle is gone (the app is closing).
fn back_off(nudged: &Receiver<()>, wait: Duration) -> bool {
    let until = std::time::Instant::now() + wait;
    loop {
        let left = until.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return true;
        }
        match nudged.recv_timeout(left) {
            Ok(()) => {}
            Err(RecvTimeoutError::Timeout) => return true,
            Err(RecvTimeoutError::Disconnected) => return false,
        }
    }
}

fn status_of(status: &Mutex<CampusStatus>) -> CampusStatus {
    match status.lock() {
        Ok(guard) => guard.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

fn set_status(status: &Mutex<CampusStatus>, change: impl FnOnce(&mut CampusStatus)) {
    match status.lock() {
        Ok(mut guard) => change(&mut guard),
        Err(poisoned) => change(&mut poisoned.into_inner()),
    }
}

fn run(
    login: SharedLogin,
    database: PathBuf,
    photos_dir: PathBuf,
    nudged: Receiver<()>,
    status: Arc<Mutex<CampusStatus>>,
) {
    let mut backoff = Duration::from_secs(1);
    let mut store = None;
    let mut client: Option<CampusClient> = None;
    loop {
        // A panic in one pass is caught and logged; the worker goes on.
        let pass = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            one_pass(
                &login,
                &database,
                &photos_dir,
                &mut store,
                &mut client,
                &status,
            )
        }));
        let wait = match pass {
            Ok(Ok(())) => {
                backoff = Duration::from_secs(1);
                None
            }
            Ok(Err(super::CampusError::PhotoUnreadable { path, reason })) => {
                // The server is there; this laptop's photo is not. Tried again at the usual
                // pace, said once.
                let repeated = status_of(&status).photo_unreadable.as_deref() == Some(&path);
                if !repeated {
                    tracing::error!(path, reason, "campus upload waits for an unreadable photo");
                }
                set_status(&status, |s| s.photo_unreadable = Some(path));
                let wait = backoff;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                Some(wait)
            }
            Ok(Err(error)) => {
                client = None;
                let message = error.to_string();
                // Offline, the same failure comes back every few seconds: logged when it
                // changes, not each time.
                if status_of(&status).last_error.as_deref() != Some(&message) {
                    tracing::warn!(error = %message, "campus sync failed; retrying");
                } else {
                    tracing::debug!(error = %message, "campus sync failed again");
                }
                set_status(&status, |s| {
                    if s.connected || s.offline_since.is_none() {
                        s.offline_since = Some(crate::store::now_text());
                    }
                    s.connected = false;
                    s.last_error = Some(message);
                });
                let wait = backoff;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                Some(wait)
            }
            Err(_) => {
                client = None;
                store = None;
                tracing::error!("campus sync panicked; starting over");
                Some(backoff)
            }
        };
        match wait {
            Some(wait) => {
                if !back_off(&nudged, wait) {
                    return;
                }
            }
            None => {
                // Connected: sleep on the server's notifications, waking for local nudges too.
                let Some(connected) = client.as_mut() else {
                    continue;
                };
                let mut waited = Duration::ZERO;
                loop {
                    match nudged.try_recv() {
                        Ok(()) => break,
                        Err(std::sync::mpsc::TryRecvError::Disconnected) => return,
                        Err(std::sync::mpsc::TryRecvError::Empty) => {}
                    }
                    let slice = Duration::from_millis(100);
                    match connected.wait_for_change(slice) {
                        Ok(true) => break,
                        Ok(false) => {}
                        Err(_) => break,
                    }
                    waited += slice;
                    if waited >= IDLE_TICK {
                        break;
                    }
                }
                while nudged.try_recv().is_ok() {}
            }
        }
    }
}

fn one_pass(
    login: &SharedLogin,
    database: &Path,
    photos_dir: &Path,
    store: &mut Option<Store>,
    client: &mut Option<CampusClient>,
    status: &Mutex<CampusStatus>,
) -> CampusResult<()> {
    if store.is_none() {
        *store = Some(Store::open(database)?);
    }
    let Some(store) = store.as_mut() else {
        return Ok(());
    };
    // The queue is shown even while offline.
    let depth = store.outbox_depth()?;
    let waiting = store.photos_pending_count()?;
    set_status(status, |s| {
        s.outbox_depth = depth;
        s.photos_waiting = waiting;
    });
    if client.is_none() {
        let mut connected = CampusClient::connect(&login.get(), CONNECT_TIMEOUT)?;
        connected.listen()?;
        *client = Some(connected);
    }
    let Some(connected) = client.as_mut() else {
        return Ok(());
    };
    let report = sync_once(store, connected, photos_dir)?;
    set_status(status, |s| {
        s.connected = true;
        s.offline_since = None;
        s.last_error = None;
        s.photo_unreadable = None;
        s.outbox_depth = report.outbox_depth;
        s.photos_waiting = report.photos_waiting;
        s.clock_offset_ms = Some(report.clock_offset_ms);
        s.open_conflicts = Some(report.open_conflicts);
        s.last_sync = Some(crate::store::now_text());
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Offline, six failed passes (and six warnings) came in a quarter second: each save's nudge
    /// cut the back-off short. Now the back-off is waited out whatever the nudges.
    #[test]
    fn nudges_do_not_cut_a_back_off_short() {
        let (nudge, nudged) = std::sync::mpsc::sync_channel(8);
        for _ in 0..6 {
            nudge.send(()).unwrap();
        }
        let wait = Duration::from_millis(40);
        let started = std::time::Instant::now();
        assert!(back_off(&nudged, wait));
        assert!(started.elapsed() >= wait, "{:?}", started.elapsed());
        assert!(nudged.try_recv().is_err(), "the nudges were taken");
        drop(nudge);
        assert!(!back_off(&nudged, wait), "a closed handle ends the worker");
    }
}
