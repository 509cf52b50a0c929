//! What the campus feature's screens ask for, and what it asks of the store threads and hears
//! back. Kept apart from the code that handles them, so that the app's `Command`, `StoreJob` and
//! `StoreEvent` can hold them without importing that code.

use crate::campus::ConflictDecision;
use crate::campus::close_out::CampusCloseOutcome;
use crate::i18n::Message;
use crate::station::close_out::CampusGateView;
use crate::store::Session;

/// The campus screen's and the campus close-out's commands.
#[derive(Debug, Clone, PartialEq)]
pub enum CampusCommand {
    /// 主管 → 校区: join the campus with the token and station name typed (or scanned).
    Join,
    /// Read the stations, conflicts and quarantine from the campus server again.
    Refresh,
    /// Ask the server for a one-time join code for the next station (a supervisor's).
    IssueJoinCode,
    /// A new password for this station's own campus login.
    RotatePassword,
    /// Ask to revoke a station (a lost or stolen laptop): the screen asks for a confirmation.
    AskRevoke(String),
    /// The revocation asked for was confirmed (`true`) or called off.
    ConfirmRevoke(bool),
    /// Show a conflict with both photos.
    OpenConflict(i64),
    /// The supervisor's decision on a conflict.
    Resolve {
        conflict_id: i64,
        decision: ConflictDecision,
    },
    /// 校区结算: read the school's gate and campus report from the server.
    LoadGate(String),
    /// Seal the chosen school at this booth.
    Seal,
    /// Write off the station typed, with the reason typed.
    WriteOff,
    /// Close the chosen school for the whole campus.
    CloseOut,
}

/// The campus close-out's jobs for the store threads (all reach the server: `station-ops`).
pub enum CampusStoreJob {
    /// The school's close-out gate and campus report, from the server.
    Gate { school: String },
    /// Seal the school at this booth (it stops capturing it; the server checks its events).
    Seal { school: String, session: Session },
    /// Close the school without a station that cannot be reached, with the reason.
    WriteOff {
        school: String,
        station: String,
        reason: String,
        session: Session,
    },
    /// A new password for this station's campus login.
    RotatePassword { session: Session },
    /// Close the school for the whole campus (every station sealed or written off).
    CloseOut {
        school: String,
        calendar: Box<crate::domain::HolidayCalendar>,
        session: Session,
    },
}

/// What the store threads answer to a campus job.
#[derive(Debug)]
pub enum CampusStoreEvent {
    Gate(Box<CampusGateView>),
    Closed(Box<CampusCloseOutcome>),
    PasswordRotated,
    /// A campus operation the server refused or could not be reached for; nothing changed.
    Refused(Message),
}
