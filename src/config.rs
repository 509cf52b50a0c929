//! Where the station keeps its data, and the station's settings file (`config.toml` in the data
//! folder). The file is optional; every setting has a default.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::domain::{CaptureCodeRules, HolidayCalendar};

pub const DATA_DIR_ENV: &str = "CAPTURE_STATION_DATA";
pub const DATABASE_FILE: &str = "station.sqlite3";
pub const CONFIG_FILE: &str = "config.toml";
pub const PHOTOS_FOLDER: &str = "photos";

/// The data folder: `--data-dir`, else `$CAPTURE_STATION_DATA`, else the OS data dir
/// (`~/.local/share/capture-station` on Linux).
pub fn resolve_data_dir(cli_value: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = cli_value {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("cn", "CaptureStation", "capture-station")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .context("no home directory to put the data folder in; pass --data-dir")
}

/// Creates the data folder readable by its owner only: it holds ID numbers and photos.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("restricting {}", dir.display()))?;
    }
    Ok(())
}

/// The file as written by people: every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawConfig {
    station_name: Option<String>,
    holiday_file: Option<PathBuf>,
    capture_code: RawCaptureCode,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawCaptureCode {
    max_len: Option<usize>,
    pattern: Option<String>,
}

/// Validated settings. Building this is the one step that can fail on a bad file.
#[derive(Debug, Clone)]
pub struct StationConfig {
    pub data_dir: PathBuf,
    pub station_name: String,
    pub capture_code_rules: CaptureCodeRules,
    pub holidays: HolidayCalendar,
}

impl StationConfig {
    pub fn load(data_dir: &Path) -> Result<Self> {
        let path = data_dir.join(CONFIG_FILE);
        let raw: RawConfig = match std::fs::read_to_string(&path) {
            Ok(text) => {
                toml::from_str(&text).with_context(|| format!("reading {}", path.display()))?
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => RawConfig::default(),
            Err(error) => {
                return Err(error).with_context(|| format!("reading {}", path.display()));
            }
        };
        let pattern = raw
            .capture_code
            .pattern
            .filter(|p| !p.is_empty())
            .map(|p| regex::Regex::new(&p))
            .transpose()
            .with_context(|| format!("capture_code.pattern in {}", path.display()))?;
        let holidays = match &raw.holiday_file {
            None => HolidayCalendar::built_in(),
            Some(file) => {
                let file = data_dir.join(file);
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("reading holiday file {}", file.display()))?;
                HolidayCalendar::parse(&text)
                    .with_context(|| format!("holiday file {}", file.display()))?
            }
        };
        Ok(Self {
            data_dir: data_dir.to_path_buf(),
            station_name: raw.station_name.unwrap_or_else(|| "booth-1".to_string()),
            capture_code_rules: CaptureCodeRules {
                max_len: raw.capture_code.max_len.unwrap_or(1024),
                pattern,
            },
            holidays,
        })
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join(DATABASE_FILE)
    }

    /// Accepted photos and their originals, one folder per booking.
    pub fn photos_dir(&self) -> PathBuf {
        self.data_dir.join(PHOTOS_FOLDER)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let config = StationConfig::load(dir.path()).unwrap();
        assert_eq!(config.station_name, "booth-1");
        assert!(config.holidays.covers(2026));
    }

    #[test]
    fn file_settings_and_bad_values() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("holidays.txt"), "off 2027-01-01 # 元旦\n").unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "station_name = \"东门\"\nholiday_file = \"holidays.txt\"\n[capture_code]\nmax_len = 64\npattern = \"^[A-Z0-9-]+$\"\n",
        )
        .unwrap();
        let config = StationConfig::load(dir.path()).unwrap();
        assert_eq!(config.station_name, "东门");
        assert_eq!(config.capture_code_rules.max_len, 64);
        assert!(config.capture_code_rules.validate("abc").is_err());
        assert!(config.holidays.covers(2027));

        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[capture_code]\npattern = \"(\"\n",
        )
        .unwrap();
        assert!(StationConfig::load(dir.path()).is_err());
        std::fs::write(dir.path().join(CONFIG_FILE), "statoin_name = \"typo\"\n").unwrap();
        assert!(StationConfig::load(dir.path()).is_err());
    }
}
