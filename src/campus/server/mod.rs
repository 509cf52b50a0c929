//! The campus store's operations, as a station (or the supervisor) calls them: enrolment,
//! uploading outbox batches, pulling the change feed, claiming a booking before a shot, photo
//! uploads and the station's heartbeat. Each is one server transaction.
//!
//! Upload rules: events apply in the station's sequence order; an event id already held is a
//! duplicate (so a batch sent twice, or resent after a lost acknowledgement, changes nothing);
//! a sequence number past the next expected one stops the batch with the number the server
//! wants; an event that cannot be applied is kept whole in `quarantine` with the reason, never
//! dropped. The station a batch belongs to is the login's, not a claim of the client.

mod import;
mod pull;
mod supervision;
mod upload;

use std::collections::HashMap;
use std::time::Duration;

use postgres::{Client, Statement};
use serde::Serialize;

use super::schema::{self};
use super::token::{JoinToken, ServerLogin, new_secret};
use super::{CampusError, CampusRefusal, CampusResult};

pub use super::schema::CHANGES_CHANNEL;
/// The claim (see `campus_claim` in `schema::station_functions`): this station takes the
/// booking unless another station photographed it or holds a fresh claim.
const CLAIM_SQL: &str = "SELECT answer, holder FROM campus_claim($1)";

/// A join code just issued, and until when it lets one station join.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedJoinCode {
    pub code: String,
    pub valid_until: chrono::DateTime<chrono::Local>,
}

impl std::fmt::Debug for IssuedJoinCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "join code valid until {}", self.valid_until)
    }
}

/// What the server did with one uploaded event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventOutcome {
    Applied,
    /// Already held (sent before): nothing changed.
    Duplicate,
    /// Held, and a conflict row waits for the supervisor.
    Conflict,
    /// Could not be applied; kept in quarantine with the reason.
    Quarantined,
}

impl EventOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Duplicate => "duplicate",
            Self::Conflict => "conflict",
            Self::Quarantined => "quarantined",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UploadAnswer {
    /// (station_seq, outcome) for each event the server answered, in order.
    pub outcomes: Vec<(i64, EventOutcome)>,
    /// The batch skipped ahead of the server's record: resend from this sequence number.
    pub gap_expected: Option<i64>,
}

/// Who may shoot a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "claim")]
pub enum ClaimAnswer {
    /// This station holds the booking.
    Won,
    /// Another station claimed or photographed it first.
    Lost { holder: String },
    /// The server does not know the booking yet (a walk-in still in this station's outbox):
    /// shoot, and the upload checks it.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StationRow {
    pub name: String,
    pub last_contact: Option<String>,
    pub clock_offset_ms: Option<i64>,
    pub last_seq: i64,
    pub outbox_depth: i64,
    pub photos_waiting: i64,
    pub captures_today: i64,
    /// Revoked: its login no longer works.
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictRow {
    pub id: i64,
    pub kind: String,
    pub booking_id: Option<String>,
    pub event_id: String,
    pub other: serde_json::Value,
    pub created_at: String,
    /// The student, as the campus holds the booking (none for a booking it does not have).
    pub name: Option<String>,
    pub order_no: Option<String>,
    pub school: Option<String>,
    /// The station whose event raised the conflict.
    pub station: String,
    /// The station on the other side: the one holding the booking's photo or claim now.
    pub other_station: Option<String>,
}

/// A conflict's two photos, JPEG bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictPhotos {
    /// The booking's photo now (the active capture), if it has one.
    pub current: Option<Vec<u8>>,
    /// The photo the conflict is about.
    pub other: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarantineRow {
    pub event_id: String,
    pub station: String,
    pub station_seq: Option<i64>,
    pub kind: String,
    pub reason: String,
}

/// A supervisor's ticket from the campus's sign-in: what lets this station's login do a
/// supervisor's work for the next minutes. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SupervisorTicket(String);

impl SupervisorTicket {
    pub fn new(text: String) -> Self {
        Self(text)
    }

    pub fn text(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SupervisorTicket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SupervisorTicket(…)")
    }
}

pub struct CampusClient {
    client: Client,
    /// The station this login belongs to (`None` for the campus owner's login).
    station: Option<String>,
    /// The signed-in supervisor's ticket, for a supervisor's operations on a station's login.
    ticket: Option<SupervisorTicket>,
    listening: bool,
    /// Statements prepared on this connection, by their text.
    statements: HashMap<&'static str, Statement>,
}

fn unreachable(login: &ServerLogin, error: super::tls::ConnectError) -> CampusError {
    // The login's Display carries no password. The causes say why (a refused certificate, a
    // timeout), which the top error alone does not.
    let mut text = format!("{login}: {error}");
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        text.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    // The server answered and refused: not a network that may come back, and worded first.
    let refused_login = match &error {
        super::tls::ConnectError::Postgres(postgres) => postgres
            .as_db_error()
            .is_some_and(|db| matches!(db.code().code(), "28P01" | "28000")),
        _ => false,
    };
    if refused_login {
        return CampusError::LoginRefused(text);
    }
    if text.contains(super::tls::PIN_MISMATCH) {
        return CampusError::CertificateMismatch(text);
    }
    CampusError::Unreachable(text)
}

fn parse_uuid(text: &str, what: &str) -> CampusResult<uuid::Uuid> {
    uuid::Uuid::parse_str(text)
        .map_err(|_| CampusError::Refused(format!("{what} '{text}' is not a UUID")))
}

/// A server function's refusal (typed where the app words it for people), or a failure.
pub(crate) fn refused_or_failed(error: postgres::Error) -> CampusError {
    use postgres::error::SqlState;
    match error.as_db_error() {
        Some(db) if db.code() == &SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            CampusRefusal::JoinCodeRefused.into()
        }
        Some(db) if db.code() == &SqlState::CONFIGURATION_LIMIT_EXCEEDED => {
            CampusRefusal::TooManyJoinCodes(schema::OPEN_JOIN_CODES).into()
        }
        Some(db) if db.code().code() == "CS401" => CampusRefusal::SupervisorSignInNeeded.into(),
        Some(db) if db.code().code() == "CS403" => CampusRefusal::NotCampusSupervisor.into(),
        Some(db) if db.code().code() == "CS409" => CampusRefusal::RevokeOwnStation.into(),
        Some(db) if db.code().code() == "CS410" => {
            crate::store::StoreError::from(crate::store::Refusal::LastSupervisor).into()
        }
        Some(db) => CampusError::Refused(db.message().to_string()),
        None => CampusError::Postgres(error),
    }
}

/// Opens a transaction for a supervisor's work; see [`CampusClient::supervised`].
fn supervised<'a>(
    client: &'a mut Client,
    station_login: bool,
    ticket: Option<&SupervisorTicket>,
) -> CampusResult<postgres::Transaction<'a>> {
    let mut tx = client.transaction()?;
    match ticket {
        Some(ticket) => {
            tx.query_one("SELECT campus_supervise($1)", &[&ticket.text()])
                .map_err(refused_or_failed)?;
        }
        None if station_login => return Err(CampusRefusal::SupervisorSignInNeeded.into()),
        None => {}
    }
    Ok(tx)
}

/// A one-time join code issued on `client`'s login (a station of this campus, or the campus
/// owner), valid for `minutes`.
pub fn issue_join_code_on(
    client: &mut impl postgres::GenericClient,
    minutes: i32,
) -> CampusResult<IssuedJoinCode> {
    let row = client
        .query_one(
            "SELECT campus_issue_join_code($1), clock_timestamp() + make_interval(mins => $1)",
            &[&minutes],
        )
        .map_err(refused_or_failed)?;
    let valid_until: chrono::DateTime<chrono::Utc> = row.get(1);
    Ok(IssuedJoinCode {
        code: row.get(0),
        valid_until: valid_until.with_timezone(&chrono::Local),
    })
}

impl CampusClient {
    /// Connects and checks that the server's schema is the one this app knows.
    pub fn connect(login: &ServerLogin, timeout: Duration) -> CampusResult<Self> {
        let mut client =
            super::tls::connect(login, timeout).map_err(|error| unreachable(login, error))?;
        schema::check_version(&mut client)?;
        let station: Option<String> = client
            .query_opt(
                "SELECT name FROM stations WHERE role_name = current_user",
                &[],
            )?
            .map(|row| row.get(0));
        Ok(Self {
            client,
            station,
            ticket: None,
            listening: false,
            statements: HashMap::new(),
        })
    }

    /// Bounds this connection's waits: a statement waits at most `limit` for a lock and runs at
    /// most twice that, then fails (a claim is then made offline).
    pub fn limit_waits(&mut self, limit: Duration) -> CampusResult<()> {
        let millis = limit.as_millis();
        self.client.batch_execute(&format!(
            "SET lock_timeout = '{millis}ms'; SET statement_timeout = '{}ms'",
            millis * 2
        ))?;
        Ok(())
    }

    /// Registers `station` with the join token's login and returns the station's own login.
    pub fn enrol(token: &JoinToken, station: &str, timeout: Duration) -> CampusResult<ServerLogin> {
        let mut client = Self::connect(&token.server, timeout)?;
        let password = new_secret();
        // Only the SCRAM verifier travels: the password never reaches the server, so no server
        // log (a failed statement, `log_statement`) can hold it.
        let verifier = schema::scram_verifier(&password);
        let role: String = client
            .client
            .query_one(
                "SELECT campus_enrol($1, $2, $3)",
                &[&station, &verifier, &token.code],
            )
            .map_err(refused_or_failed)?
            .get(0);
        Ok(ServerLogin {
            user: role,
            password,
            ..token.server.clone()
        })
    }

    /// A one-time join code for the next station, valid for `minutes`: a campus supervisor
    /// asks; the server makes and keeps only its hash.
    pub fn issue_join_code(&mut self, minutes: i32) -> CampusResult<IssuedJoinCode> {
        let mut tx = self.supervised()?;
        let issued = issue_join_code_on(&mut tx, minutes)?;
        tx.commit()?;
        Ok(issued)
    }

    /// `sql` prepared on this connection, once: later calls are one round trip each.
    fn prepared(&mut self, sql: &'static str) -> CampusResult<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    /// This connection acts for the supervisor who holds `ticket`.
    pub fn with_ticket(mut self, ticket: SupervisorTicket) -> Self {
        self.ticket = Some(ticket);
        self
    }

    /// This connection acts for the supervisor who holds `ticket` from now on (`None`: for
    /// nobody).
    pub fn set_ticket(&mut self, ticket: Option<SupervisorTicket>) {
        self.ticket = ticket;
    }

    /// A transaction the server lets do a supervisor's work: opened with the ticket on a
    /// station's login (refused without one), as it is on the campus owner's.
    pub(crate) fn supervised(&mut self) -> CampusResult<postgres::Transaction<'_>> {
        supervised(
            &mut self.client,
            self.station.is_some(),
            self.ticket.as_ref(),
        )
    }

    /// Sets this login's own password (its SCRAM verifier only travels).
    pub fn set_own_password(&mut self, password: &str) -> CampusResult<()> {
        let literal = schema::password_literal(&mut self.client, password)?;
        self.client
            .batch_execute(&format!("ALTER ROLE CURRENT_USER PASSWORD {literal}"))?;
        Ok(())
    }

    /// Whether this connection is encrypted, as the server sees it.
    pub fn encrypted(&mut self) -> CampusResult<bool> {
        Ok(self
            .client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )?
            .get(0))
    }

    pub fn station(&self) -> Option<&str> {
        self.station.as_deref()
    }

    pub(super) fn station_or_refuse(&self) -> CampusResult<String> {
        self.station.clone().ok_or_else(|| {
            CampusError::Refused("this login is not a station's; join the campus first".to_string())
        })
    }

    /// Raw access for tests and the supervisor's reports.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }
}
