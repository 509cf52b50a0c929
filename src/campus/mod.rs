//! Campus mode: several booths share one PostgreSQL campus store and keep shooting when the
//! network drops. Each station keeps its SQLite store as a working copy; its outbox (written by
//! the store, in the same transaction as each change) is uploaded by the sync worker, and the
//! server's change feed is pulled back into the store.
//!
//! - `accounts`: staff accounts for the whole campus (sign-in, lockout across booths).
//! - `close_out`: sealing stations and closing a school for the whole campus.
//! - `cluster`: a PostgreSQL cluster of our own, from the installed binaries (`server init --dir`).
//! - `export`: a school's photos exported from the server's copies.
//! - `import`: the mini-program export, imported once into the server for every station.
//! - `report`: the campus report (per station throughput, open conflicts, unsealed stations).
//! - `schema`: the server's versioned schema and its roles.
//! - `server`: the campus store's operations (enrol, upload, pull, claim, status).
//! - `token`: the join token a supervisor hands to a new station.
//! - `settings`: what a joined station remembers (`campus.toml`).
//! - `sync`: one sync pass, and the worker thread that repeats it.
//!
//! Single-station mode never loads any of this: no `campus.toml`, no network.

pub mod accounts;
pub mod close_out;
pub mod cluster;
pub mod export;
pub mod hand_over;
pub mod import;
pub mod inbox;
pub mod link;
pub mod report;
pub mod schema;
pub mod server;
pub mod settings;
pub mod sync;
pub mod tls;
pub mod token;

/// Why a campus operation failed. `i18n` words it for the supervisor; the English here is for
/// logs and the command line.
#[derive(Debug, thiserror::Error)]
pub enum CampusError {
    #[error("the campus server cannot be reached: {0}")]
    Unreachable(String),
    /// The server answered and refused the login (a wrong password: a tampered join token,
    /// a revoked station).
    #[error("the campus server refused the login: {0}")]
    LoginRefused(String),
    /// The server's certificate is not the one the join token names.
    #[error("the server's certificate is not the campus's: {0}")]
    CertificateMismatch(String),
    /// The server or the protocol refused something no person asked for directly (a payload
    /// that does not parse, a login that is not a station's): logged, worded generically.
    #[error("{0}")]
    Refused(String),
    /// A supervisor's or station's request the campus refuses, and why.
    #[error(transparent)]
    Refusal(#[from] CampusRefusal),
    #[error(
        "the campus server's schema is version {found}, newer than this app knows ({known}): upgrade this app"
    )]
    ServerTooNew { found: i32, known: i32 },
    #[error(
        "the campus server's schema is version {found}, this app needs {known}: on the server, run `capture-station campus server start --dir DIR` with this version, which upgrades it (a server you run yourself: `campus server init --url …`)"
    )]
    ServerTooOld { found: i32, known: i32 },
    /// The photo of a capture waiting to upload cannot be read: the upload stops before it,
    /// so that the server never takes the capture without its photo (and a close-out then
    /// refunds a photographed student), and is tried again.
    #[error("the photo {path} cannot be read ({reason}): uploading waits until it can")]
    PhotoUnreadable { path: String, reason: String },
    #[error("not a join token: {0}")]
    BadToken(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Import(#[from] crate::transfer::import::ImportError),
    #[error(transparent)]
    Export(#[from] crate::transfer::school_export::SchoolExportError),
    /// Not `#[from]`: the server's message is already in the text, and a chained source would
    /// print it twice.
    #[error("campus server error: {}", postgres_message(.0))]
    Postgres(postgres::Error),
}

/// What the campus refuses a supervisor or a station, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CampusRefusal {
    #[error("no conflict #{0}")]
    NoConflict(i64),
    #[error("the student was photographed: no refund")]
    RefundOfPhotographed,
    #[error("the photo's bytes do not match its sha256")]
    PhotoHashMismatch,
    #[error("a photo fetched from the server does not match its sha256 ({0})")]
    FetchedPhotoMismatch(String),
    #[error("the server has no booking {0}")]
    NoBookingOnServer(String),
    #[error("{0} events are still waiting to upload: seal again once they are sent")]
    EventsWaiting(i64),
    #[error(
        "the server holds this station's events up to {held}, the station is at {through}: sync first"
    )]
    ServerBehind { held: i64, through: i64 },
    #[error("writing off a station needs a reason")]
    WriteOffNeedsReason,
    #[error("the campus has no station {0}")]
    UnknownStation(String),
    /// The campus holds no booking of this school (a typo, another campus's school).
    #[error("the campus has no booking of the school {0}")]
    UnknownSchool(String),
    #[error("not sealed for {school} yet: {}; seal it there, or write the station off with a reason", .stations.join(", "))]
    NotSealed {
        school: String,
        stations: Vec<String>,
    },
    #[error("a campus export always exports every photo")]
    ExportsEveryPhoto,
    #[error("the server expects event {0}, which this station no longer has")]
    EventGone(i64),
    #[error("the campus already has an account named {0}")]
    AccountExists(String),
    #[error("no campus account {0}")]
    NoAccount(String),
    #[error("conflict #{0} was already resolved")]
    ConflictResolved(i64),
    #[error("a {kind} conflict cannot be settled with {decision}")]
    WrongDecision { kind: String, decision: String },
    #[error(
        "the join token names no server certificate, so the connection could be read or faked on the network: get a token from a server with TLS, or accept it with --insecure"
    )]
    TokenWithoutCertificate,
    #[error("the join code is unknown, used or expired: ask the supervisor for a new one")]
    JoinCodeRefused,
    #[error("{0} join codes are open already: use them or let them expire")]
    TooManyJoinCodes(i64),
    #[error(
        "this station does not know the campus's enrolment login: issue the code on the server (campus server token)"
    )]
    NoEnrolmentLogin,
    #[error("this station already joined a campus ({0}); remove its campus.toml to leave it first")]
    AlreadyJoined(String),
    #[error("a station name has 1 to 64 characters and no control characters")]
    StationNameRule,
    #[error(
        "a supervisor's campus work needs a sign-in the campus checked: sign in again while the campus server is reachable"
    )]
    SupervisorSignInNeeded,
    #[error("this account is not a campus supervisor")]
    NotCampusSupervisor,
    #[error("a station cannot revoke itself: revoke it from another station or on the server")]
    RevokeOwnStation,
}

impl From<postgres::Error> for CampusError {
    fn from(error: postgres::Error) -> Self {
        Self::Postgres(error)
    }
}

pub type CampusResult<T> = Result<T, CampusError>;

/// The server's own message without the connection details the client's Display may add.
fn postgres_message(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => db.message().to_string(),
        None => error.to_string(),
    }
}

impl CampusError {
    /// True when trying again later may work (the network or the server is away).
    pub fn is_transient(&self) -> bool {
        match self {
            // A refused login or a strange certificate may be a look-alike on the hall's
            // Wi-Fi as much as a revoked station: the booth goes on offline either way.
            Self::Unreachable(_) | Self::LoginRefused(_) | Self::CertificateMismatch(_) => true,
            Self::Postgres(error) => error.is_closed() || error.as_db_error().is_none(),
            _ => false,
        }
    }
}

/// A supervisor's decision on a campus conflict (which ones a kind allows is the server's
/// rule, in `resolve_conflict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictDecision {
    /// The conflicting capture or value becomes the booking's.
    UseThis,
    /// The booking keeps what it has.
    KeepExisting,
    /// Two walk-ins of one student stay two bookings.
    KeepBoth,
}

impl ConflictDecision {
    /// The word the server's audit and events record.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UseThis => "use_this",
            Self::KeepExisting => "keep_existing",
            Self::KeepBoth => "keep_both",
        }
    }
}
