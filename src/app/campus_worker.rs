//! The campus screen's own thread: joining a campus, reading the server's overview (stations,
//! open conflicts, quarantined events), a conflict's two photos, and the supervisor's decisions.
//! Every network round trip runs here, never on the UI thread. It reports through a callback,
//! so it does not depend on the app's event type.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Duration;

use image::RgbImage;

use crate::campus::schema::JOIN_CODE_MINUTES;
use crate::campus::server::{
    CampusClient, ConflictRow, QuarantineRow, StationRow, SupervisorTicket,
};
use crate::campus::settings::CampusSettings;
use crate::campus::token::JoinToken;
use crate::campus::{CampusError, CampusRefusal};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub enum CampusJob {
    Join {
        token: String,
        station: String,
    },
    Overview,
    /// Carries the signed-in supervisor's campus ticket (none: signed in offline).
    IssueJoinCode(Option<SupervisorTicket>),
    ConflictPhotos(i64),
    /// Revoke a station, with the signed-in supervisor's campus ticket.
    RevokeStation {
        station: String,
        ticket: Option<SupervisorTicket>,
    },
    Resolve {
        conflict_id: i64,
        decision: crate::campus::ConflictDecision,
        decided_by: String,
        ticket: Option<SupervisorTicket>,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CampusOverview {
    pub stations: Vec<StationRow>,
    pub conflicts: Vec<ConflictRow>,
    pub quarantined: Vec<QuarantineRow>,
}

/// A one-time join code the supervisor asked for, shown as a QR code and as text until it is
/// used or expires.
#[derive(Clone, PartialEq, Eq)]
pub struct ShownJoinCode {
    /// The join token's text, code included.
    pub text: String,
    /// Local time, `HH:MM`.
    pub valid_until: String,
}

impl std::fmt::Debug for ShownJoinCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "join code valid until {}", self.valid_until)
    }
}

#[derive(Debug)]
pub enum CampusEvent {
    Joined {
        settings: Box<CampusSettings>,
        /// Schools the campus closed before this station joined.
        closed_schools: Vec<String>,
    },
    Overview(Box<CampusOverview>),
    Photos {
        conflict_id: i64,
        current: Option<RgbImage>,
        other: Option<RgbImage>,
    },
    Resolved(i64),
    Revoked(String),
    JoinCode(ShownJoinCode),
    Failed(crate::i18n::Message),
}

/// Starts the thread; `settings` is the campus already joined, if any.
pub fn spawn_campus_worker(
    data_dir: PathBuf,
    settings: Option<CampusSettings>,
    send: Box<dyn Fn(CampusEvent) + Send>,
) -> std::io::Result<SyncSender<CampusJob>> {
    // A few jobs may wait (a refresh behind a decision); more means the server is away and
    // the screen says busy rather than queueing clicks.
    let (jobs, receiver) = sync_channel(8);
    std::thread::Builder::new()
        .name("campus-screen".to_string())
        .spawn(move || run(data_dir, settings, receiver, send))?;
    Ok(jobs)
}

fn run(
    data_dir: PathBuf,
    mut settings: Option<CampusSettings>,
    jobs: Receiver<CampusJob>,
    send: Box<dyn Fn(CampusEvent) + Send>,
) {
    let mut client: Option<CampusClient> = None;
    for job in jobs {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            handle(&data_dir, &mut settings, &mut client, job)
        }));
        let event = match outcome {
            Ok(Ok(event)) => event,
            Ok(Err(error)) => {
                client = None;
                tracing::warn!("campus screen: {error:#}");
                CampusEvent::Failed(crate::i18n::Message::of_error(&error))
            }
            Err(_) => {
                client = None;
                tracing::error!("the campus screen's thread panicked on a job; it goes on");
                CampusEvent::Failed(crate::i18n::Message::new(
                    "程序内部出错，详情已记入日志",
                    "internal error; see the log",
                ))
            }
        };
        send(event);
    }
}

fn connected<'a>(
    data_dir: &std::path::Path,
    settings: &mut Option<CampusSettings>,
    client: &'a mut Option<CampusClient>,
) -> anyhow::Result<&'a mut CampusClient> {
    if client.is_none() {
        // What the station keeps now: its password may have been rotated since.
        if let Ok(Some(kept)) = CampusSettings::load(data_dir) {
            *settings = Some(kept);
        }
    }
    let settings = settings.as_ref().ok_or_else(|| {
        anyhow::anyhow!("本工位未加入校区 / this station has not joined a campus")
    })?;
    if client.is_none() {
        *client = Some(CampusClient::connect(&settings.login, CONNECT_TIMEOUT)?);
    }
    client
        .as_mut()
        .ok_or_else(|| anyhow::anyhow!("no campus connection"))
}

/// Runs `operation` on the screen's connection for the supervisor holding `ticket`; the
/// connection keeps no ticket afterwards, whatever the outcome.
fn as_supervisor<T>(
    client: &mut CampusClient,
    ticket: Option<SupervisorTicket>,
    operation: impl FnOnce(&mut CampusClient) -> crate::campus::CampusResult<T>,
) -> crate::campus::CampusResult<T> {
    client.set_ticket(ticket);
    let outcome = operation(client);
    client.set_ticket(None);
    outcome
}

fn decode(bytes: Option<Vec<u8>>) -> Option<RgbImage> {
    let bytes = bytes?;
    match image::load_from_memory(&bytes) {
        Ok(image) => Some(image.to_rgb8()),
        Err(error) => {
            tracing::warn!(%error, "a conflict photo could not be decoded");
            None
        }
    }
}

fn handle(
    data_dir: &std::path::Path,
    settings: &mut Option<CampusSettings>,
    client: &mut Option<CampusClient>,
    job: CampusJob,
) -> anyhow::Result<CampusEvent> {
    Ok(match job {
        CampusJob::Join { token, station } => {
            // The window never accepts a token without the server's certificate pin.
            let joined = crate::campus::settings::join(data_dir, &token, &station, false)?;
            *settings = Some(joined.clone());
            // Told at once, so that nobody shoots a closed school's students unawares; the
            // server makes such a capture a conflict all the same.
            let closed_schools = connected(data_dir, settings, client)
                .and_then(|c| Ok(c.closed_schools()?))
                .unwrap_or_else(|error| {
                    tracing::warn!(%error, "the closed schools could not be read after joining");
                    Vec::new()
                });
            CampusEvent::Joined {
                settings: Box::new(joined),
                closed_schools,
            }
        }
        CampusJob::IssueJoinCode(ticket) => {
            let Some(enrolment) = settings.as_ref().and_then(|s| s.enrolment.clone()) else {
                return Err(CampusError::from(CampusRefusal::NoEnrolmentLogin).into());
            };
            let client = connected(data_dir, settings, client)?;
            let issued = as_supervisor(client, ticket, |c| c.issue_join_code(JOIN_CODE_MINUTES))?;
            CampusEvent::JoinCode(ShownJoinCode {
                text: JoinToken {
                    server: enrolment,
                    code: issued.code,
                }
                .to_text(),
                valid_until: issued.valid_until.format("%H:%M").to_string(),
            })
        }
        CampusJob::Overview => {
            let client = connected(data_dir, settings, client)?;
            CampusEvent::Overview(Box::new(CampusOverview {
                stations: client.stations()?,
                conflicts: client.open_conflicts()?,
                quarantined: client.quarantined()?,
            }))
        }
        CampusJob::ConflictPhotos(conflict_id) => {
            let photos = connected(data_dir, settings, client)?.conflict_photos(conflict_id)?;
            CampusEvent::Photos {
                conflict_id,
                current: decode(photos.current),
                other: decode(photos.other),
            }
        }
        CampusJob::RevokeStation { station, ticket } => {
            let client = connected(data_dir, settings, client)?;
            as_supervisor(client, ticket, |c| c.revoke_station(&station))?;
            CampusEvent::Revoked(station)
        }
        CampusJob::Resolve {
            conflict_id,
            decision,
            decided_by,
            ticket,
        } => {
            let client = connected(data_dir, settings, client)?;
            as_supervisor(client, ticket, |c| {
                c.resolve_conflict(conflict_id, decision.as_str(), &decided_by)
            })?;
            CampusEvent::Resolved(conflict_id)
        }
    })
}
