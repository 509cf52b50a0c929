//! What a station remembers after joining a campus: its name there and its own login, in
//! `<data>/campus.toml`, readable by the owner only. No such file means single-station mode.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::server::CampusClient;
use super::token::{JoinToken, ServerLogin};
use super::{CampusError, CampusRefusal};

pub const SETTINGS_FILE: &str = "campus.toml";

#[derive(Clone, PartialEq, Eq)]
pub struct CampusSettings {
    /// The station's name on the campus (unique there), e.g. 东门-1.
    pub station: String,
    pub login: ServerLogin,
    /// The enrolment login this station joined with (no code). With a one-time code from the
    /// server it lets the next station join; on its own it registers nothing.
    pub enrolment: Option<ServerLogin>,
}

impl std::fmt::Debug for CampusSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "station {} at {}", self.station, self.login)
    }
}

#[derive(Serialize, Deserialize)]
struct SettingsFile {
    station: String,
    host: String,
    port: u16,
    database: String,
    user: String,
    password: String,
    /// The server certificate's sha256; absent in files written before TLS.
    #[serde(default)]
    tls_pin: Option<String>,
    /// The enrolment login (the name predates one-time codes: older tokens were only this).
    join_token: Option<String>,
}

/// Joins the campus a join token names, as `station` (1–64 characters, trimmed), and keeps the
/// settings in `data_dir`; a station that joined already is refused. A
/// token without the server's certificate pin is refused unless `allow_unpinned` (the CLI's
/// `--insecure`): without a pin the connection may fall back to plain text, and any server on
/// the hall's network could pose as the campus.
pub fn join(
    data_dir: &Path,
    token: &str,
    station: &str,
    allow_unpinned: bool,
) -> Result<CampusSettings> {
    if let Some(existing) = CampusSettings::load(data_dir)? {
        return Err(
            CampusError::from(CampusRefusal::AlreadyJoined(existing.login.address())).into(),
        );
    }
    let station = station.trim();
    if station.is_empty() || station.chars().count() > 64 || station.chars().any(char::is_control) {
        return Err(CampusError::from(CampusRefusal::StationNameRule).into());
    }
    let token = JoinToken::parse(token)?;
    if token.server.tls_pin.is_none() && !allow_unpinned {
        return Err(CampusError::from(CampusRefusal::TokenWithoutCertificate).into());
    }
    let login = CampusClient::enrol(&token, station, JOIN_TIMEOUT)?;
    let settings = CampusSettings {
        station: station.to_string(),
        login,
        enrolment: Some(token.server),
    };
    settings.save(data_dir)?;
    Ok(settings)
}

/// Gives this station's campus login a new password: the server takes its SCRAM verifier (a role
/// may change its own password), then the settings are saved with it. Should the save fail after
/// the server changed, the error says so, with the way back (a new join code).
pub fn rotate_password(data_dir: &Path) -> Result<()> {
    let Some(mut settings) = CampusSettings::load(data_dir)? else {
        anyhow::bail!("本工位未加入校区 / this station has not joined a campus");
    };
    let mut client = CampusClient::connect(&settings.login, JOIN_TIMEOUT)?;
    let password = super::token::new_secret();
    client.set_own_password(&password)?;
    settings.login.password = password;
    settings.save(data_dir).context(
        "the server took the new password but this station could not keep it: ask the supervisor \
         to revoke this station and join again with a new join code",
    )
}

/// How long joining waits for the server.
const JOIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A joined station's login as its running workers use it: one cell, so that a rotated password
/// reaches the sync worker and every later connection without a restart.
#[derive(Clone)]
pub struct SharedLogin(std::sync::Arc<std::sync::RwLock<super::token::ServerLogin>>);

impl SharedLogin {
    pub fn new(login: super::token::ServerLogin) -> Self {
        Self(std::sync::Arc::new(std::sync::RwLock::new(login)))
    }

    pub fn get(&self) -> super::token::ServerLogin {
        match self.0.read() {
            Ok(login) => login.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set(&self, login: super::token::ServerLogin) {
        match self.0.write() {
            Ok(mut held) => *held = login,
            Err(poisoned) => *poisoned.into_inner() = login,
        }
    }
}

pub fn settings_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SETTINGS_FILE)
}

impl CampusSettings {
    /// The campus this station joined, or `None` in single-station mode.
    pub fn load(data_dir: &Path) -> Result<Option<Self>> {
        let path = settings_path(data_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(error).with_context(|| format!("reading {}", path.display()));
            }
        };
        let file: SettingsFile =
            toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))?;
        Ok(Some(Self {
            station: file.station,
            login: ServerLogin {
                host: file.host,
                port: file.port,
                database: file.database,
                user: file.user,
                password: file.password,
                tls_pin: file.tls_pin,
            },
            enrolment: file
                .join_token
                .as_deref()
                .and_then(|token| ServerLogin::parse_token(token).ok()),
        }))
    }

    /// Writes the file owner-only, through a temporary file so a crash never leaves half of it.
    pub fn save(&self, data_dir: &Path) -> Result<()> {
        let file = SettingsFile {
            station: self.station.clone(),
            host: self.login.host.clone(),
            port: self.login.port,
            database: self.login.database.clone(),
            user: self.login.user.clone(),
            password: self.login.password.clone(),
            tls_pin: self.login.tls_pin.clone(),
            join_token: self.enrolment.as_ref().map(ServerLogin::to_token),
        };
        let text = toml::to_string(&file).context("writing campus settings")?;
        let path = settings_path(data_dir);
        crate::store::photo_files::write_atomically(&path, text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        crate::platform::owner_only_file(&path)
            .with_context(|| format!("restricting {}", path.display()))?;
        Ok(())
    }
}
