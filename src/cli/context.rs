//! The station a command runs at: its settings, its store, and the `--user` who signs in for a
//! command that changes data.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::config::{self, StationConfig};
use crate::store::Store;

/// What every command that touches the store needs.
pub struct Station {
    pub config: StationConfig,
    pub store: Store,
    /// `--user`, for commands that change data.
    pub user: Option<String>,
    /// The campus link, loaded once: the ticket the campus gives `--user` at sign-in stays
    /// with it for the command's supervisor operations.
    pub campus: std::cell::OnceCell<Option<std::sync::Arc<crate::campus::link::CampusLink>>>,
    /// The data folder's writer lock, while the command may change it; `None` for a command
    /// that only reads, which may run beside the window.
    pub folder_lock: Option<std::sync::Arc<crate::platform::FolderLock>>,
}

/// Where a command-line PIN comes from when it is not typed at a prompt.
pub const PIN_ENV: &str = "CAPTURE_STATION_PIN";

/// The PIN from the environment, else one line of standard input (with a prompt on a terminal).
pub fn read_pin(prompt: &str) -> Result<String> {
    if let Ok(pin) = std::env::var(PIN_ENV) {
        return Ok(pin);
    }
    use std::io::{BufRead, IsTerminal, Write};
    if std::io::stdin().is_terminal() {
        eprint!("{prompt}: ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the PIN from standard input")?;
    Ok(line.trim().to_string())
}

impl Station {
    /// Logs `--user` in with the PIN from [`read_pin`]; the store then checks each change
    /// against the account's role.
    pub fn sign_in(&mut self) -> Result<crate::store::Session> {
        let Some(name) = self.user.clone() else {
            if self.store.user_count()? == 0 {
                anyhow::bail!(
                    "no staff account exists yet: create the supervisor first with \
                     `capture-station user add --name NAME --role supervisor`"
                );
            }
            anyhow::bail!(
                "this command changes data: give --user NAME (PIN in ${PIN_ENV} or on stdin)"
            );
        };
        let pin = read_pin(&format!("{name} 的 PIN"))?;
        let link = self.campus_link()?;
        Ok(crate::station::accounts::sign_in(
            &mut self.store,
            crate::station::Reach::of(link.as_deref()),
            &name,
            &pin,
        )?)
    }

    /// The campus this station joined, if any; the use cases take it as their reach.
    pub fn campus_link(&self) -> Result<Option<std::sync::Arc<crate::campus::link::CampusLink>>> {
        if let Some(link) = self.campus.get() {
            return Ok(link.clone());
        }
        let link =
            crate::campus::settings::CampusSettings::load(&self.config.data_dir)?.map(|settings| {
                std::sync::Arc::new(crate::campus::link::CampusLink::for_command(settings))
            });
        Ok(self.campus.get_or_init(|| link).clone())
    }

    /// Opens the data folder for a command that may change it: the folder's lock first (see
    /// `platform::FolderLock`; `command` names this process to a second one), then the store,
    /// and the photos folder tidied.
    pub fn open(data_dir: PathBuf, command: &str) -> Result<Self> {
        config::create_private_dir(&data_dir)?;
        let lock = crate::platform::FolderLock::take(&data_dir, command)?;
        let mut station = Self::open_read_only(data_dir)?;
        // A save interrupted by a crash leaves temporaries or unreferenced photos: tidy them
        // before anything else reads the folder. Only the lock's holder may: the window may be
        // saving a photo whose row is not committed yet.
        station
            .store
            .clean_photo_folder(&station.config.photos_dir())
            .context("cleaning the photos folder")?;
        station.folder_lock = Some(std::sync::Arc::new(lock));
        Ok(station)
    }

    /// Opens the data folder for a command that only reads (a lookup, a report): no lock, so
    /// that it runs beside the window, and the photos folder left as it is.
    pub fn open_read_only(data_dir: PathBuf) -> Result<Self> {
        config::create_private_dir(&data_dir)?;
        let config = StationConfig::load(&data_dir)?;
        let path = config.database_path();
        let store = Store::open(&path).with_context(|| format!("opening {}", path.display()))?;
        Ok(Self {
            config,
            store,
            user: None,
            campus: std::cell::OnceCell::new(),
            folder_lock: None,
        })
    }
}

/// This station's campus settings, or the way to join one.
pub(super) fn settings_or_refuse(
    data_dir: &std::path::Path,
) -> Result<crate::campus::settings::CampusSettings> {
    crate::campus::settings::CampusSettings::load(data_dir)?.context(
        "本工位未加入校区 / this station has not joined a campus: run `capture-station campus join TOKEN --station NAME`",
    )
}
