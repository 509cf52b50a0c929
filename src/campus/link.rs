//! A joined station's tie to its campus: the connections its use cases open, the sync worker
//! (in the window), woken after each local change, and the claim a capture makes on the server
//! first while the server is reachable, so that two booths never both shoot one student.
//! Offline, nothing waits: the capture goes ahead and its upload is checked instead. The window
//! and the command line hold the same link, so their campus operations wait alike.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use super::server::{CampusClient, ClaimAnswer, SupervisorTicket};
use super::settings::{CampusSettings, SharedLogin};
use super::sync::{self, CampusStatus, SyncHandle};

/// The campus link, set once: at start-up for a station that joined, or when it joins from the
/// window. The store worker and the window share it.
pub type CampusSlot = std::sync::Arc<std::sync::OnceLock<std::sync::Arc<CampusLink>>>;

/// A claim is one round trip; a server slower than this counts as away for this shot.
const CLAIM_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a claim may wait on the server (a row another booth's upload holds, a busy server)
/// before the shot goes ahead offline: the operator's save never waits longer.
pub const CLAIM_WAIT_LIMIT: Duration = Duration::from_secs(1);
/// Signing in waits a little for the server before it goes by the accounts seen here.
const SIGN_IN_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// A supervisor's operation may wait a little longer for the server than a shot.
const OPERATION_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub struct CampusLink {
    settings: CampusSettings,
    /// The login every connection uses (the sync worker's too); a rotated password replaces it.
    login: SharedLogin,
    /// The window's sync worker; a command-line run has none and syncs in its use cases.
    sync: Option<SyncHandle>,
    claim_client: Mutex<Option<CampusClient>>,
    /// The campus's tickets of the accounts signed in here, by account name: a supervisor's
    /// campus operations carry them. Held in memory only.
    tickets: Mutex<std::collections::HashMap<String, SupervisorTicket>>,
}

/// Why a shot may not be saved here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldElsewhere {
    pub station: String,
}

impl CampusLink {
    /// Starts the sync worker for the station's database.
    pub fn start(settings: CampusSettings, database: PathBuf, photos: PathBuf) -> Self {
        let login = SharedLogin::new(settings.login.clone());
        let sync = sync::spawn(settings.clone(), login.clone(), database, photos);
        Self {
            login,
            settings,
            sync: Some(sync),
            claim_client: Mutex::new(None),
            tickets: Mutex::default(),
        }
    }

    /// The link of one command-line run: no sync worker; each operation connects.
    pub fn for_command(settings: CampusSettings) -> Self {
        Self {
            login: SharedLogin::new(settings.login.clone()),
            settings,
            sync: None,
            claim_client: Mutex::new(None),
            tickets: Mutex::default(),
        }
    }

    /// Where the campus server is, for messages (no password).
    pub fn address(&self) -> String {
        self.settings.login.address()
    }

    pub fn station(&self) -> &str {
        &self.settings.station
    }

    /// The sync worker's view; a command-line run, which has none, reports the default.
    pub fn status(&self) -> CampusStatus {
        self.sync
            .as_ref()
            .map(SyncHandle::status)
            .unwrap_or_default()
    }

    /// Whether the sync worker last found the server away (never, without a sync worker).
    fn known_away(&self) -> bool {
        let status = self.status();
        self.sync.is_some() && !status.connected && status.offline_since.is_some()
    }

    /// A local change waits in the outbox: upload it now.
    pub fn nudge(&self) {
        if let Some(sync) = &self.sync {
            sync.nudge();
        }
    }

    /// A connection of its own for a supervisor's campus operation (an import), with a
    /// timeout short enough that an away server is reported, not waited for.
    pub fn connect(&self) -> crate::campus::CampusResult<CampusClient> {
        CampusClient::connect(&self.login.get(), OPERATION_CONNECT_TIMEOUT)
    }

    /// Gives this station's login a new password (the server keeps only its verifier, the
    /// station's `campus.toml` the password), and uses it from now on: the sync worker's and
    /// every later connection. Open connections stay as they are.
    pub fn rotate_password(&self, data_dir: &std::path::Path) -> crate::campus::CampusResult<()> {
        let failed =
            |error: anyhow::Error| crate::campus::CampusError::Refused(format!("{error:#}"));
        super::settings::rotate_password(data_dir).map_err(failed)?;
        let rotated = CampusSettings::load(data_dir)
            .map_err(failed)?
            .ok_or_else(|| failed(anyhow::anyhow!("campus.toml is gone after the rotation")))?;
        self.login.set(rotated.login);
        Ok(())
    }

    /// A connection for a supervisor's campus operation, carrying the ticket the campus gave
    /// `account` at its sign-in here (without one, the server refuses the operation and the
    /// supervisor is asked to sign in again while the campus is reachable).
    pub fn connect_as(&self, account: &str) -> crate::campus::CampusResult<CampusClient> {
        let client = self.connect()?;
        Ok(match self.ticket(account) {
            Some(ticket) => client.with_ticket(ticket),
            None => client,
        })
    }

    /// Keeps (`Some`) or drops (`None`: signed in offline, or signed out) `account`'s ticket.
    pub fn set_ticket(&self, account: &str, ticket: Option<SupervisorTicket>) {
        let mut tickets = match self.tickets.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        match ticket {
            Some(ticket) => tickets.insert(account.to_string(), ticket),
            None => tickets.remove(account),
        };
    }

    /// The ticket the campus gave `account` at its last sign-in here, if any.
    pub fn ticket(&self, account: &str) -> Option<SupervisorTicket> {
        let tickets = match self.tickets.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        tickets.get(account).cloned()
    }

    /// A connection for checking a PIN against the campus's accounts; an error at once while
    /// the sync worker knows the server is away, so that signing in offline never waits.
    pub fn sign_in_client(&self) -> crate::campus::CampusResult<CampusClient> {
        if self.known_away() {
            return Err(crate::campus::CampusError::Unreachable(
                self.status().last_error.unwrap_or_default(),
            ));
        }
        CampusClient::connect(&self.login.get(), SIGN_IN_CONNECT_TIMEOUT)
    }

    /// Claims the booking before its photo is saved. `Err` only when another station holds it;
    /// an unreachable server or a booking it does not know yet lets the shot go ahead.
    pub fn claim_before_shot(&self, booking_id: &str) -> Result<(), HeldElsewhere> {
        if self.sync.is_some() && !self.status().connected {
            return Ok(());
        }
        let mut guard = match self.claim_client.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if guard.is_none() {
            match CampusClient::connect(&self.login.get(), CLAIM_CONNECT_TIMEOUT).and_then(
                |mut client| {
                    client.limit_waits(CLAIM_WAIT_LIMIT)?;
                    Ok(client)
                },
            ) {
                Ok(client) => *guard = Some(client),
                Err(error) => {
                    tracing::warn!(%error, "no claim: the campus server is away; shooting offline");
                    return Ok(());
                }
            }
        }
        let Some(client) = guard.as_mut() else {
            return Ok(());
        };
        match client.claim(booking_id) {
            Ok(ClaimAnswer::Won | ClaimAnswer::Unknown) => Ok(()),
            Ok(ClaimAnswer::Lost { holder }) => Err(HeldElsewhere { station: holder }),
            Err(error) => {
                tracing::warn!(%error, "the claim failed; shooting offline");
                *guard = None;
                Ok(())
            }
        }
    }
}
