//! Where the station keeps its data, and the station's settings file (`config.toml` in the data
//! folder). The file is optional; every setting has a default.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::camera::SourceSpec;
use crate::domain::photo_spec::{Backdrop, SizeRange};
use crate::domain::{CaptureCodeRules, HolidayCalendar, PaymentMethod};

/// Where `backup` writes, inside the data folder.
pub const BACKUPS_FOLDER: &str = "backups";

pub const DATA_DIR_ENV: &str = "CAPTURE_STATION_DATA";
pub const DATABASE_FILE: &str = "station.sqlite3";
pub const CONFIG_FILE: &str = "config.toml";
pub const PHOTOS_FOLDER: &str = "photos";
/// The station's name until one is set: in Chinese, as everything the booth shows.
pub const DEFAULT_STATION_NAME: &str = "工位-1";

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
    crate::platform::owner_only_folder(dir)
        .with_context(|| format!("restricting {}", dir.display()))
}

/// The settings file as people write it, and as the settings screen edits it: every field
/// optional, nothing validated. [`StationConfig::from_file`] is the one step that can fail.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub station_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holiday_file: Option<PathBuf>,
    /// `zh` (default) or `en`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// `auto` (default: the first webcam, else the demo camera), `synthetic`, `replay:DIR` or
    /// `device:N`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera: Option<String>,
    /// Wanted capture size, `WIDTHxHEIGHT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera_resolution: Option<String>,
    /// Wanted pixel format, e.g. `MJPG` or `YUYV`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera_format: Option<String>,
    /// `blue`, `white` or `grey`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backdrop: Option<String>,
    /// Accepted JPEG size in KB, `MIN-MAX`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jpeg_kb: Option<String>,
    /// No longer used: PINs are staff accounts, stored as Argon2id hashes (`user add`). Still
    /// read, so that an older config.toml loads; never written back.
    #[serde(skip_serializing)]
    pub supervisor_pin: Option<String>,
    /// Minutes without a key press, click or scan before everyone is signed out (default 15).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_logout_minutes: Option<u64>,
    /// Walk-in price in yuan, e.g. `25.00`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub walk_in_amount: Option<String>,
    /// `wechat`, `alipay` or `cash`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub walk_in_payment: Option<String>,
    /// The student's screen: `monitor:N` (default `monitor:2`: full screen on the second
    /// monitor, the inset when there is only one), `window`, `inset` (inside the operator's
    /// window, for testing) or `off`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub student_screen: Option<String>,
    /// Count 3-2-1 on the student's screen before each shot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub countdown: Option<bool>,
    pub capture_code: RawCaptureCode,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawCaptureCode {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_len: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

/// A setting whose value cannot be used, named by its key in config.toml. `i18n` words it with
/// the setting's name as 设置 shows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    #[error("capture_code.pattern '{0}' is not a regular expression")]
    Pattern(String),
    #[error("holiday file {}: {detail}", .path.display())]
    HolidayFile { path: PathBuf, detail: String },
    #[error("language '{0}': use zh or en")]
    Language(String),
    #[error("camera '{0}': use auto, synthetic, replay:DIR or device:N")]
    Camera(String),
    #[error("camera_resolution '{0}': write it as 1920x1080")]
    Resolution(String),
    #[error("backdrop '{0}': use blue, white or grey")]
    Backdrop(String),
    #[error("jpeg_kb '{0}': write it as 20-40")]
    JpegKb(String),
    #[error("idle_logout_minutes must be 1 to 1440, not {0}")]
    IdleMinutes(u64),
    #[error("walk_in_amount '{value}': {error}")]
    WalkInAmount {
        value: String,
        error: crate::domain::money::AmountError,
    },
    #[error("walk_in_payment '{0}': use wechat, alipay or cash")]
    WalkInPayment(String),
    #[error("student_screen '{0}': use monitor:2, window, inset or off")]
    StudentScreen(String),
}

/// Validated settings. Building this is the one step that can fail on a bad file.
#[derive(Debug, Clone)]
pub struct StationConfig {
    pub data_dir: PathBuf,
    pub file: ConfigFile,
    pub station_name: String,
    pub capture_code_rules: CaptureCodeRules,
    pub holidays: HolidayCalendar,
    pub language: Language,
    /// `None` means automatic: the first webcam, else the demo camera.
    pub camera: Option<SourceSpec>,
    pub camera_resolution: Option<(u32, u32)>,
    pub camera_format: Option<String>,
    pub backdrop: Backdrop,
    pub jpeg_size: SizeRange,
    /// Idle time before the window signs everyone out.
    pub idle_logout: std::time::Duration,
    pub walk_in_amount_fen: i64,
    pub walk_in_payment: PaymentMethod,
    pub student_screen: StudentScreenMode,
    pub countdown: bool,
}

/// Where the student's screen is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StudentScreenMode {
    Off,
    /// A window of its own, placed by the desktop.
    Window,
    /// Full screen on this monitor, counted from 1 in the desktop's order; the inset when the
    /// machine has fewer monitors (a window would cover the operator's).
    Monitor(usize),
    /// A small copy inside the operator's window, for trying it out with one monitor.
    Inset,
}

impl Default for StudentScreenMode {
    /// Booth laptops drive a second monitor turned toward the student.
    fn default() -> Self {
        Self::Monitor(2)
    }
}

impl StudentScreenMode {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().to_ascii_lowercase();
        match text.as_str() {
            "off" => Some(Self::Off),
            "window" => Some(Self::Window),
            "inset" => Some(Self::Inset),
            _ => text
                .strip_prefix("monitor:")
                .and_then(|n| n.trim().parse().ok())
                .filter(|&n: &usize| (1..=16).contains(&n))
                .map(Self::Monitor),
        }
    }

    /// The setting as written in config.toml.
    pub fn as_setting(self) -> String {
        match self {
            Self::Off => "off".to_string(),
            Self::Window => "window".to_string(),
            Self::Inset => "inset".to_string(),
            Self::Monitor(n) => format!("monitor:{n}"),
        }
    }
}

/// The UI language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum Language {
    #[default]
    Chinese,
    English,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Self::Chinese => "zh",
            Self::English => "en",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" | "中文" => Some(Self::Chinese),
            "en" | "english" => Some(Self::English),
            _ => None,
        }
    }
}

impl StationConfig {
    /// The camera format these settings ask for.
    pub fn camera_preference(&self) -> crate::camera::webcam::FormatPreference {
        crate::camera::webcam::FormatPreference {
            size: self.camera_resolution,
            fourcc: self.camera_format.clone(),
        }
    }

    pub fn load(data_dir: &Path) -> Result<Self> {
        let path = data_dir.join(CONFIG_FILE);
        let file: ConfigFile = match std::fs::read_to_string(&path) {
            Ok(text) => {
                toml::from_str(&text).with_context(|| format!("reading {}", path.display()))?
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => ConfigFile::default(),
            Err(error) => {
                return Err(error).with_context(|| format!("reading {}", path.display()));
            }
        };
        Self::from_file(data_dir, file).with_context(|| format!("in {}", path.display()))
    }

    /// Validates `file`; every error names the setting.
    pub fn from_file(data_dir: &Path, file: ConfigFile) -> Result<Self> {
        let pattern = file
            .capture_code
            .pattern
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(|pattern| {
                regex::Regex::new(pattern).map_err(|_| SettingError::Pattern(pattern.to_string()))
            })
            .transpose()?;
        let holidays = match &file.holiday_file {
            None => HolidayCalendar::built_in(),
            Some(name) => {
                let path = data_dir.join(name);
                let text =
                    std::fs::read_to_string(&path).map_err(|error| SettingError::HolidayFile {
                        path: path.clone(),
                        detail: error.to_string(),
                    })?;
                HolidayCalendar::parse(&text).map_err(|error| SettingError::HolidayFile {
                    path: path.clone(),
                    detail: error.to_string(),
                })?
            }
        };
        let text = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let language = match text(&file.language) {
            None => Language::Chinese,
            Some(value) => Language::parse(&value).ok_or(SettingError::Language(value))?,
        };
        let camera = match text(&file.camera) {
            None => None,
            Some(value) if value == "auto" => None,
            Some(value) => Some(
                value
                    .parse::<SourceSpec>()
                    .map_err(|_| SettingError::Camera(value.clone()))?,
            ),
        };
        let camera_resolution = match text(&file.camera_resolution) {
            None => None,
            Some(value) => Some(
                value
                    .split_once(['x', 'X', '×'])
                    .and_then(|(w, h)| Some((w.trim().parse().ok()?, h.trim().parse().ok()?)))
                    .filter(|&(w, h): &(u32, u32)| w >= 160 && h >= 120)
                    .ok_or_else(|| SettingError::Resolution(value.clone()))?,
            ),
        };
        let backdrop = match text(&file.backdrop) {
            None => Backdrop::Blue,
            Some(value) => Backdrop::parse(&value).ok_or(SettingError::Backdrop(value))?,
        };
        let jpeg_size = match text(&file.jpeg_kb) {
            None => SizeRange::default(),
            Some(value) => SizeRange::parse_kb(&value).ok_or(SettingError::JpegKb(value))?,
        };
        if file.supervisor_pin.is_some() {
            tracing::warn!(
                "config.toml still has supervisor_pin; it is ignored (and dropped on the next save). \
                 Staff accounts replace it: capture-station user add"
            );
        }
        let mut file = file;
        file.supervisor_pin = None;
        let idle_minutes = file.idle_logout_minutes.unwrap_or(15);
        if !(1..=24 * 60).contains(&idle_minutes) {
            return Err(SettingError::IdleMinutes(idle_minutes).into());
        }
        let walk_in_amount_fen = match text(&file.walk_in_amount) {
            None => 2500,
            Some(value) => crate::domain::money::parse_yuan(&value)
                .map_err(|error| SettingError::WalkInAmount { value, error })?,
        };
        let walk_in_payment = match text(&file.walk_in_payment) {
            None => PaymentMethod::Wechat,
            Some(value) => {
                PaymentMethod::parse(&value).ok_or(SettingError::WalkInPayment(value))?
            }
        };
        let student_screen = match text(&file.student_screen) {
            None => StudentScreenMode::default(),
            Some(value) => {
                StudentScreenMode::parse(&value).ok_or(SettingError::StudentScreen(value))?
            }
        };
        Ok(Self {
            student_screen,
            countdown: file.countdown.unwrap_or(false),
            data_dir: data_dir.to_path_buf(),
            station_name: text(&file.station_name)
                .unwrap_or_else(|| DEFAULT_STATION_NAME.to_string()),
            capture_code_rules: CaptureCodeRules {
                max_len: file.capture_code.max_len.unwrap_or(1024),
                pattern,
            },
            holidays,
            language,
            camera,
            camera_resolution,
            camera_format: text(&file.camera_format),
            backdrop,
            jpeg_size,
            idle_logout: std::time::Duration::from_secs(idle_minutes * 60),
            walk_in_amount_fen,
            walk_in_payment,
            file,
        })
    }

    /// Validates and writes `file` as the new `config.toml` (atomically), returning the result.
    pub fn save(data_dir: &Path, file: ConfigFile) -> Result<Self> {
        let config = Self::from_file(data_dir, file)?;
        let text = toml::to_string_pretty(&config.file).context("writing the settings")?;
        let path = data_dir.join(CONFIG_FILE);
        crate::store::photo_files::write_atomically(&path, text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(config)
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
    fn the_student_screen_setting() {
        assert_eq!(StudentScreenMode::default(), StudentScreenMode::Monitor(2));
        for mode in [
            StudentScreenMode::Off,
            StudentScreenMode::Window,
            StudentScreenMode::Inset,
            StudentScreenMode::Monitor(3),
        ] {
            assert_eq!(StudentScreenMode::parse(&mode.as_setting()), Some(mode));
        }
        assert_eq!(
            StudentScreenMode::parse(" Monitor:1 "),
            Some(StudentScreenMode::Monitor(1))
        );
        for bad in ["monitor:0", "monitor:x", "tv", ""] {
            assert_eq!(StudentScreenMode::parse(bad), None, "{bad}");
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "student_screen = \"tv\"\n").unwrap();
        let error = format!("{:#}", StationConfig::load(dir.path()).unwrap_err());
        assert!(error.contains("student_screen"), "{error}");
    }

    #[test]
    fn defaults_without_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let config = StationConfig::load(dir.path()).unwrap();
        assert_eq!(config.station_name, "工位-1");
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

    #[test]
    fn the_settings_screen_round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = ConfigFile {
            station_name: Some("北门".to_string()),
            language: Some("en".to_string()),
            backdrop: Some("white".to_string()),
            jpeg_kb: Some("30-50".to_string()),
            camera: Some("synthetic".to_string()),
            camera_resolution: Some("1280x720".to_string()),
            idle_logout_minutes: Some(5),
            ..ConfigFile::default()
        };
        let saved = StationConfig::save(dir.path(), file.clone()).unwrap();
        let loaded = StationConfig::load(dir.path()).unwrap();
        assert_eq!(loaded.file, file);
        assert_eq!(loaded.language, Language::English);
        assert_eq!(loaded.backdrop, Backdrop::White);
        assert_eq!(loaded.jpeg_size.min_bytes, saved.jpeg_size.min_bytes);
        assert_eq!(loaded.camera, Some(SourceSpec::Synthetic));
        assert_eq!(loaded.camera_resolution, Some((1280, 720)));
        assert_eq!(loaded.idle_logout, std::time::Duration::from_secs(300));

        for bad in [
            ConfigFile {
                jpeg_kb: Some("forty".to_string()),
                ..ConfigFile::default()
            },
            ConfigFile {
                idle_logout_minutes: Some(0),
                ..ConfigFile::default()
            },
            ConfigFile {
                camera: Some("webcam".to_string()),
                ..ConfigFile::default()
            },
            ConfigFile {
                language: Some("fr".to_string()),
                ..ConfigFile::default()
            },
        ] {
            assert!(StationConfig::save(dir.path(), bad).is_err());
        }
        // A refused save leaves the file as it was.
        assert_eq!(StationConfig::load(dir.path()).unwrap().file, file);
    }
}
