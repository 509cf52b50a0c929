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
pub mod import;
pub mod report;
pub mod schema;
pub mod server;
pub mod settings;
pub mod sync;
pub mod tls;
pub mod token;

/// Why a campus operation failed, in words a supervisor can act on.
#[derive(Debug, thiserror::Error)]
pub enum CampusError {
    #[error("校区服务器无法连接 / the campus server cannot be reached: {0}")]
    Unreachable(String),
    #[error("{0}")]
    Refused(String),
    #[error(
        "校区服务器的数据结构版本为 {found}，本程序只认识到 {known}：请升级本程序 / the campus server's schema is version {found}, newer than this app knows ({known}): upgrade this app"
    )]
    ServerTooNew { found: i32, known: i32 },
    #[error(
        "校区服务器的数据结构版本为 {found}，需要 {known}：请在服务器上运行 campus server init 升级 / the campus server's schema is version {found}, this app needs {known}: run `campus server init` against it to upgrade"
    )]
    ServerTooOld { found: i32, known: i32 },
    #[error("加入码无效 / not a join token: {0}")]
    BadToken(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Import(#[from] crate::transfer::import::ImportError),
    /// Not `#[from]`: the server's message is already in the text, and a chained source would
    /// print it twice.
    #[error("校区服务器出错 / campus server error: {}", postgres_message(.0))]
    Postgres(postgres::Error),
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
            Self::Unreachable(_) => true,
            Self::Postgres(error) => error.is_closed() || error.as_db_error().is_none(),
            _ => false,
        }
    }
}
