//! The use cases that may reach the campus, one function for each thing a person does: import a
//! file, export a school, sign in, manage accounts, save a shot, close a school, seal, write a
//! station off, revoke a station. Each takes the station's store and its [`Reach`] and decides "this station
//! alone, or the campus it joined" once, here. The window's workers and the command line call
//! these functions; neither decides on its own.

pub mod accounts;
pub mod capture;
pub mod close_out;
pub mod export;
pub mod import;
pub mod stations;

use crate::campus::CampusError;
use crate::campus::link::{CampusLink, HeldElsewhere};
use crate::store::StoreError;
use crate::transfer::ImportError;
use crate::transfer::school_export::SchoolExportError;

/// Where a station's data lives for a use case.
#[derive(Clone, Copy)]
pub enum Reach<'a> {
    /// A single station: its store is the whole truth.
    Local,
    /// A station that joined a campus: bookings, accounts, exports and close-outs are the
    /// campus's, reached through the link.
    Campus(&'a CampusLink),
}

impl<'a> Reach<'a> {
    /// The reach of a station with this link (none: a single station).
    pub fn of(link: Option<&'a CampusLink>) -> Self {
        link.map_or(Self::Local, Self::Campus)
    }

    /// A change was made here: a joined station's sync uploads it now rather than at its next
    /// round.
    pub fn after_local_change(self) {
        if let Self::Campus(link) = self {
            link.nudge();
        }
    }

    /// The link, for a campus-only operation (seal, write-off, close-out, the gate); a single
    /// station is told it has not joined.
    pub fn joined(self) -> Result<&'a CampusLink, CampusError> {
        match self {
            Self::Campus(link) => Ok(link),
            Self::Local => Err(CampusError::Refused(
                "本工位未加入校区 / this station has not joined a campus".to_string(),
            )),
        }
    }
}

/// Why a use case did not happen. `Store` is a fault or a refusal of this station's store (a
/// missing permission, a full disk); the others are the operation's own answer (a file that
/// cannot be imported, a campus that refused or is away), which the window shows beside the
/// operation rather than as a failure of the booth.
#[derive(Debug)]
pub enum StationError {
    Store(StoreError),
    Campus(CampusError),
    Import(ImportError),
    Export(SchoolExportError),
    /// Another station photographed this student first.
    HeldElsewhere(HeldElsewhere),
}

impl StationError {
    /// Whether the store itself failed or refused (the window reports it as the area's
    /// failure), as opposed to the operation's own answer.
    pub fn is_store(&self) -> bool {
        matches!(self, Self::Store(_))
    }

    /// The answer, worded for the person who asked.
    pub fn message(&self) -> crate::i18n::Message {
        use crate::i18n::Message;
        match self {
            Self::Store(error) => Message::of(error),
            Self::Campus(error) => Message::of(error),
            Self::Import(error) => Message::of(error),
            Self::Export(error) => Message::of(error),
            Self::HeldElsewhere(held) => Message::of_error(&held_elsewhere(held)),
        }
    }
}

fn held_elsewhere(held: &HeldElsewhere) -> anyhow::Error {
    anyhow::anyhow!(
        "该学生已在 {0} 工位拍摄，本次未保存；如需重拍请主管处理 / this student was already photographed at station {0}; this shot was not saved (a retake needs the supervisor)",
        held.station
    )
}

/// The error with its own type, so that the command line's and the log's wording, which look
/// for the typed cause, read as before.
impl From<StationError> for anyhow::Error {
    fn from(error: StationError) -> Self {
        match error {
            StationError::Store(error) => error.into(),
            StationError::Campus(error) => error.into(),
            StationError::Import(error) => error.into(),
            StationError::Export(error) => error.into(),
            StationError::HeldElsewhere(held) => held_elsewhere(&held),
        }
    }
}

impl From<StoreError> for StationError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<CampusError> for StationError {
    fn from(error: CampusError) -> Self {
        Self::Campus(error)
    }
}

impl From<ImportError> for StationError {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Store(error) => Self::Store(error),
            error => Self::Import(error),
        }
    }
}

impl From<SchoolExportError> for StationError {
    fn from(error: SchoolExportError) -> Self {
        Self::Export(error)
    }
}

pub type StationResult<T> = Result<T, StationError>;
