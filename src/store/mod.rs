//! The booking store: one SQLite file per data folder, opened with durable settings, checked at
//! open, and migrated to the current schema. Everything that changes a row goes through here, in
//! transactions, and leaves a line in the append-only event log.

pub mod accounts;
pub mod announce;
pub mod backup;
mod bookings;
pub mod captures;
pub mod close_out;
mod corrections;
mod day_counts;
mod disputes;
mod events;
mod export_rows;
mod lookup;
pub mod outbox;
pub mod photo_files;

pub mod replica;
pub mod report;
mod schema;
mod schools;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

pub use crate::domain::NewBooking;
pub use accounts::{Permission, Role, Session, UserSummary};
pub use bookings::{BookingView, ImportCounts, ImportRejection, StudentView};
pub use corrections::{Correction, CorrectionOutcome, CorrectionRecord};
pub use day_counts::DayCounts;
pub use events::{BrokenLink, EventEntry, actor};
pub use export_rows::ExportRow;
pub use lookup::{LookupHit, MatchKind};
pub use schools::SchoolSummary;

use crate::domain::{BookingStatus, TransitionError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the database {path} failed its integrity check ({detail}). It was left untouched: \
         restore a backup or ask for help; do not delete it"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the database {path} was written by a newer version (schema {found}, this app knows {known})"
    )]
    TooNew {
        path: PathBuf,
        found: usize,
        known: usize,
    },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("no {what} '{key}'")]
    NotFound { what: &'static str, key: String },
    /// Something a person asked for that the rules refuse, worded for them by `i18n`.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Data that should not be there (a stored status no version wrote, a payload that does not
    /// parse): a fault to log, not something the person at the booth can fix.
    #[error("{0}")]
    Invalid(String),
    #[error("not allowed: a {role} may not {action}")]
    Forbidden { role: String, action: String },
    #[error("wrong name or PIN ({remaining} tries before lockout)")]
    WrongPin { remaining: u32 },
    #[error("account locked until {until} ({seconds} s)")]
    LockedOut { until: String, seconds: i64 },
    #[error("{}", sqlite_message(.0))]
    Sqlite(#[from] rusqlite::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// SQLite's own words, except for a full disk, where the reader needs to know what to do.
fn sqlite_message(error: &rusqlite::Error) -> String {
    if is_disk_full(error) {
        return "the disk is full: nothing was changed; free some space and try again".to_string();
    }
    format!("database error: {error}")
}

/// Whether SQLite stopped because the disk is full (the one database error the booth can fix).
pub fn is_disk_full(error: &rusqlite::Error) -> bool {
    error.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
}

/// What the store refuses to do, and why, for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("this capture code already has a booking")]
    CodeTaken,
    #[error("order number {0} already exists")]
    OrderExists(String),
    #[error("only a captured booking can be approved for a retake")]
    RetakeNeedsCapture,
    #[error(
        "{school}'s collection window {first_day}–{last_day} is still open; close after it ends, or force it"
    )]
    WindowStillOpen {
        school: String,
        first_day: chrono::NaiveDate,
        last_day: chrono::NaiveDate,
    },
    #[error(
        "the student disputed this record: a supervisor must correct it before the photo is saved"
    )]
    Disputed,
    #[error("the photo failed its checks; saving it needs an explicit override")]
    NeedsOverride,
    #[error("{0} is sealed at this station for the campus close-out: no more captures here")]
    Sealed(String),
    #[error("the PIN must be 6 to 12 digits")]
    PinRule,
    #[error("user {0} exists")]
    UserExists(String),
    #[error("the user name is over {0} characters")]
    UserNameTooLong(usize),
    #[error("you cannot disable your own account")]
    DisableSelf,
    #[error("this is the last supervisor: add another before disabling it")]
    LastSupervisor,
    #[error(
        "this student's photo is already taken: confirm to correct the record and mark the photo for re-export"
    )]
    ConfirmAfterCapture,
    #[error(
        "this station belongs to a campus: seal the school at every station (`campus seal --school`), then `campus close-out --school`"
    )]
    CampusCloseOnly,
    #[error(
        "the campus server cannot be reached, and offline this station only takes accounts that signed in here before"
    )]
    OfflineUnknownAccount,
    #[error(
        "this account exists only at this booth, and the campus has its supervisors: a campus supervisor adds it (主管 → 账户)"
    )]
    AccountNotShared,
    #[error("the photo was not saved ({}) and the booking is unchanged: {}", if *.disk_full { "the disk holding it is full" } else { "it could not be written" }, .folder.display())]
    PhotoNotSaved {
        folder: PathBuf,
        disk_full: bool,
        kind: std::io::ErrorKind,
    },
    #[error(transparent)]
    Text(#[from] crate::domain::TextError),
    #[error(transparent)]
    Window(#[from] crate::domain::collection::WindowOrderError),
}

pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    station_id: String,
}

/// Current local time as stored in `*_at` columns: RFC 3339 with the offset, so rows from
/// stations in other zones still sort and merge correctly.
pub(crate) fn now_text() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

impl Store {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let conn = Connection::open(path)?;
        // Owner-only, like the data folder: SQLite gives its -wal and -shm files the same mode.
        // Not fatal: a backup opened for checking may belong to someone else.
        if let Err(error) = crate::platform::owner_only_file(path) {
            tracing::warn!(%error, path = %path.display(), "could not restrict the database file");
        }
        Self::init(conn, Some(path.to_path_buf()))
    }

    /// A private in-memory store, for tests and benchmarks.
    pub fn open_in_memory() -> StoreResult<Self> {
        Self::init(Connection::open_in_memory()?, None)
    }

    fn init(conn: Connection, path: Option<PathBuf>) -> StoreResult<Self> {
        conn.busy_timeout(Duration::from_secs(5))?;
        // Every transaction takes the write lock at BEGIN. A deferred one that read first and
        // then writes fails at once with "database is locked" if another connection (the
        // campus sync worker's) wrote in between; an immediate one waits its turn instead.
        let mut conn = conn;
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        let shown_path = path.clone().unwrap_or_else(|| PathBuf::from(":memory:"));
        // quick_check before anything writes, so a damaged file is never "repaired" by us.
        let check = conn
            .query_row("PRAGMA quick_check", [], |row| row.get::<_, String>(0))
            .unwrap_or_else(|error| error.to_string());
        if check != "ok" {
            return Err(StoreError::Corrupt {
                path: shown_path,
                detail: check,
            });
        }
        // Takes effect only on a new, empty database (before WAL is on); larger pages mean
        // fewer B-tree splits and WAL frames for the wide booking rows.
        conn.pragma_update(None, "page_size", 16384)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 64 MiB of page cache: a 50,000-row import touches several large indexes at once, and
        // the default 2 MiB cache makes it spill and re-read pages.
        conn.pragma_update(None, "cache_size", -65536)?;
        let mut store = Self {
            conn,
            path,
            station_id: String::new(),
        };
        store.migrate(&shown_path)?;
        store.station_id = store.ensure_station_id()?;
        Ok(store)
    }

    fn migrate(&mut self, shown_path: &Path) -> StoreResult<()> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))?;
        let version = usize::try_from(version).unwrap_or(usize::MAX);
        if version > schema::MIGRATIONS.len() {
            return Err(StoreError::TooNew {
                path: shown_path.to_path_buf(),
                found: version,
                known: schema::MIGRATIONS.len(),
            });
        }
        for (index, sql) in schema::MIGRATIONS.iter().enumerate().skip(version) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (index + 1) as i64)?;
            tx.commit()?;
            tracing::info!(version = index + 1, "database migrated");
        }
        Ok(())
    }

    /// Every database gets its own station id at creation, so that data from several booths can
    /// later be merged and still say where each row came from.
    fn ensure_station_id(&self) -> StoreResult<String> {
        let existing: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'station_id'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(id) = existing {
            return Ok(id);
        }
        let id = new_id();
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('station_id', ?1)",
            params![id],
        )?;
        Ok(id)
    }

    pub fn station_id(&self) -> &str {
        &self.station_id
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Raw access for tests and maintenance commands that inspect the file.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub fn booking_count(&self) -> StoreResult<usize> {
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM bookings", [], |r| r.get(0))?;
        Ok(count as usize)
    }

    pub fn counts_by_status(&self) -> StoreResult<Vec<(BookingStatus, usize)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT status, count(*) FROM bookings GROUP BY status")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize))
        })?;
        let mut counts = Vec::new();
        for row in rows {
            let (status, count) = row?;
            if let Some(status) = BookingStatus::parse(&status) {
                counts.push((status, count));
            }
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_creates_schema_and_station_id_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("station.sqlite3");
        let first = Store::open(&path).unwrap();
        let station = first.station_id().to_string();
        drop(first);
        let again = Store::open(&path).unwrap();
        assert_eq!(again.station_id(), station);
        let mode: String = again
            .connection()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = again
            .connection()
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
        let fk: i64 = again
            .connection()
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn a_damaged_file_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("station.sqlite3");
        std::fs::write(
            &path,
            b"this is not a database, but it has some bytes in it",
        )
        .unwrap();
        let before = std::fs::read(&path).unwrap();
        let error = Store::open(&path).err().expect("must refuse");
        assert!(matches!(error, StoreError::Corrupt { .. }), "{error}");
        assert!(error.to_string().contains("do not delete"));
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "file must be untouched"
        );
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("station.sqlite3");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        assert!(matches!(
            Store::open(&path),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }
}
