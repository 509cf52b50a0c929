//! The command line: argument definitions (clap) and dispatch. Each command opens what it needs,
//! does its work through the library, and prints human text or `--json`.

#[macro_use]
mod output;

mod bookings;
mod camera;
mod campus;
mod campus_conflicts;
mod close_out;
mod context;
mod export;
mod portrait;
mod scan;
mod soak;
mod users;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::config::{self, StationConfig};
use context::Station;

use crate::config::BACKUPS_FOLDER;

pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("CS_GIT_COMMIT"), ")");

#[derive(Debug, Parser)]
#[command(
    name = "capture-station",
    version = VERSION,
    about = "Capture Station: 高校学生图像采集 booth software",
    long_about = "Capture Station: booth software for on-site graduation photo collection \
                  (高校学生图像采集). Without a command it starts the booth window."
)]
pub struct Cli {
    /// Folder holding the database, photos, logs and config.toml
    /// [default: $CAPTURE_STATION_DATA, else the OS data dir]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Staff account for commands that change data; the PIN comes from $CAPTURE_STATION_PIN or
    /// is read from standard input
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,

    /// Also print informational log lines on stderr
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Open the window in demo mode (its own data folder, generated bookings, demo camera)
    #[arg(long, conflicts_with = "no_demo")]
    pub demo: bool,

    /// Never choose demo mode, even with no webcam and an empty store
    #[arg(long)]
    pub no_demo: bool,

    /// Camera for the window: synthetic, replay:DIR or device:N [default: settings, else auto]
    #[arg(long, value_name = "SOURCE")]
    pub camera: Option<crate::camera::SourceSpec>,

    /// Print how long the first live frame took to show (JSON), then close the window
    #[arg(long)]
    pub measure_startup: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import the mini-program's order export (XLSX, XLS or CSV in UTF-8/GB18030)
    Import(bookings::ImportArgs),
    /// Find bookings by capture code, order number, ID number, student number, phone tail or name
    Lookup(bookings::LookupArgs),
    /// Schools and their collection windows
    #[command(subcommand)]
    School(bookings::SchoolCommand),
    /// Decode capture codes from still images, with the live scanner's code path
    Scan(scan::ScanArgs),
    /// List cameras, or probe one with the live scanner
    Camera(camera::CameraArgs),
    /// Crop and check a still (or a folder of them) to the 学历照片 spec
    Portrait(portrait::PortraitArgs),
    /// End a school's collection period: cancel the uncaptured orders and list their refunds
    CloseSession(close_out::CloseArgs),
    /// Refund list, marking refunds done, and the refund summary
    #[command(subcommand)]
    Refund(close_out::RefundCommand),
    /// Copy a school's photos for upload, named by a template, with a manifest (CSV and XLSX)
    Export(export::ExportArgs),
    /// Check an export folder against its manifest; exits 1 on a missing or changed file
    VerifyExport(export::VerifyExportArgs),
    /// A school's figures: orders, captures, walk-ins, refunds, captures per hour, pace
    Report(export::ReportArgs),
    /// The tamper-evident event log
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Staff accounts: add, list, reset a PIN
    #[command(subcommand)]
    User(users::UserCommand),
    /// Headless capture loop for the crash harness: walk-in, shoot, check, save, repeat
    #[command(hide = true)]
    SoakCapture(soak::SoakArgs),
    /// Campus mode: the shared campus server, joining it, syncing, status
    #[command(subcommand)]
    Campus(campus::CampusCommand),
    /// Back up the database into <data>/backups, keeping the newest N
    Backup {
        #[arg(long, default_value_t = 10)]
        keep: usize,
    },
    /// Replace the database with a backup, after checking the backup's integrity
    Restore { backup: PathBuf },
    /// Open the window in demo mode, save a PNG of every screen into DIR, then close
    Screenshot {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Window size, WIDTHxHEIGHT (default 1366x768, the usual booth laptop)
        #[arg(long, value_name = "WxH", value_parser = parse_window_size)]
        size: Option<[f32; 2]>,
        /// Photograph the student's screen in each of its states instead, at the window size
        #[arg(long)]
        student: bool,
        /// Photograph the first-run guide instead, step by step, on a throwaway folder
        #[arg(long, conflicts_with = "student")]
        first_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain and report the first broken link; exits 1 if there is one
    Verify {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cli: Cli) -> Result<()> {
    run_from(cli, std::time::Instant::now())
}

/// [`run`], with the process's start time for the window's start-up measurement.
pub fn run_from(cli: Cli, started: std::time::Instant) -> Result<()> {
    let data_dir = config::resolve_data_dir(cli.data_dir.as_deref())?;
    let user = cli.user.clone();
    // Named to a second process that finds the folder locked: the subcommand, never its
    // arguments (a join token, a path).
    let holder = cli
        .command
        .as_ref()
        .map(|command| {
            let debug = format!("{command:?}");
            let name: String = debug.chars().take_while(|c| c.is_alphanumeric()).collect();
            format!("命令 / command {name}")
        })
        .unwrap_or_else(|| "窗口 / window".to_string());
    let open = |data_dir: PathBuf| -> Result<Station> {
        Ok(Station {
            user: user.clone(),
            ..Station::open(data_dir, &holder)?
        })
    };
    let open_read_only = |data_dir: PathBuf| -> Result<Station> {
        Ok(Station {
            user: user.clone(),
            ..Station::open_read_only(data_dir)?
        })
    };
    config::create_private_dir(&data_dir)?;
    crate::logging::init(&data_dir, cli.verbose)?;
    tracing::info!(version = VERSION, data_dir = %data_dir.display(), "start");
    match cli.command {
        None => {
            let options = crate::app::launch::LaunchOptions {
                force_demo: cli.demo,
                forbid_demo: cli.no_demo,
                camera: cli.camera,
                startup_probe: cli.measure_startup,
                screenshot_dir: None,
                window_size: None,
                student_screenshots: false,
                first_run_screenshots: false,
            };
            crate::app::launch::run(&data_dir, options, started)
        }
        Some(Command::Screenshot {
            out,
            size,
            student,
            first_run,
        }) => {
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            let options = crate::app::launch::LaunchOptions {
                force_demo: true,
                camera: cli.camera,
                screenshot_dir: Some(out),
                window_size: size,
                student_screenshots: student,
                first_run_screenshots: first_run,
                ..Default::default()
            };
            crate::app::launch::run(&data_dir, options, started)
        }
        Some(Command::Import(args)) => bookings::import(open(data_dir.clone())?, args),
        Some(Command::Lookup(args)) => bookings::lookup(open_read_only(data_dir)?, args),
        Some(Command::School(command)) => bookings::school(open(data_dir)?, command),
        Some(Command::Scan(args)) => scan::scan(args),
        Some(Command::Export(args)) => export::export(open(data_dir)?, args),
        Some(Command::VerifyExport(args)) => export::verify(args),
        Some(Command::Report(args)) => export::report(open_read_only(data_dir)?, args),
        Some(Command::CloseSession(args)) => close_out::close_session(open(data_dir)?, args),
        Some(Command::Refund(command)) => close_out::refund(open(data_dir)?, command),
        Some(Command::User(command)) => users::user(open(data_dir)?, command),
        Some(Command::Campus(command)) => campus::campus(
            &data_dir,
            || open(data_dir.clone()),
            || open_read_only(data_dir.clone()),
            command,
        ),
        Some(Command::SoakCapture(args)) => soak::soak_capture(open(data_dir)?, args),
        Some(Command::Camera(args)) => camera::camera(&StationConfig::load(&data_dir)?, args),
        Some(Command::Portrait(args)) => portrait::portrait(args),
        Some(Command::Backup { keep }) => {
            let station = open(data_dir.clone())?;
            let path = station
                .store
                .backup_to(&data_dir.join(BACKUPS_FOLDER), keep)?;
            say!("备份完成 backed up to {}", path.display());
            Ok(())
        }
        Some(Command::Restore { backup }) => restore(open(data_dir.clone())?, &backup),
        Some(Command::Audit(AuditCommand::Verify { json })) => {
            let station = open_read_only(data_dir)?;
            let broken = station.store.verify_event_chain()?;
            if json {
                say!(
                    "{}",
                    serde_json::json!({ "ok": broken.is_none(), "broken": broken })
                );
            } else if let Some(link) = &broken {
                say!(
                    "审计链断裂 chain broken at entry {}: {}",
                    link.seq,
                    link.reason
                );
            } else {
                say!("审计链完好 the event log is intact");
            }
            match broken {
                Some(link) => anyhow::bail!("the event log was altered at entry {}", link.seq),
                None => Ok(()),
            }
        }
    }
}

/// `1366x768` → `[1366.0, 768.0]`; each side from 640 to 7680.
fn parse_window_size(text: &str) -> Result<[f32; 2], String> {
    let bad = || format!("'{text}': use WIDTHxHEIGHT, like 1920x1080");
    let (width, height) = text.split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let side = |value: &str| {
        value
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|v| (640..=7680).contains(v))
            .map(f32::from)
    };
    Ok([side(width).ok_or_else(bad)?, side(height).ok_or_else(bad)?])
}

/// `restore`: a supervisor replaces the database with a backup (see `store::backup::restore`),
/// holding the data folder's lock, and the restored database's audit log records it. Refused at
/// a booth joined to a campus: there the restored database would number its next events again
/// from the backup's last, and the campus would quarantine every one of them.
fn restore(mut station: Station, backup: &std::path::Path) -> Result<()> {
    if crate::campus::settings::CampusSettings::load(&station.config.data_dir)?.is_some() {
        anyhow::bail!(
            "本工位已加入校区，不能恢复备份：恢复后新记录会重复使用已上传记录的序号，都会被校区隔离。校区服务器已保存本工位上传的全部记录；更换或重装电脑时，请在校区吊销本工位，再用新的加入码以新工位名加入 / this station has joined a campus and cannot restore a backup: its next events would reuse numbers the campus already holds, and every one would be quarantined. The campus holds all this station sent; on a new or reinstalled laptop, revoke this station on the campus and join again under a new name with a new join code"
        );
    }
    // Only a supervisor rolls the station's records back. A folder without accounts (a laptop
    // being set up again) has nobody to ask, and lets anyone change anything anyway.
    let actor = if station.store.user_count()? == 0 {
        "restore(no accounts yet)".to_string()
    } else {
        let session = station.sign_in()?;
        if session.role() != crate::store::Role::Supervisor {
            anyhow::bail!("只有主管可以恢复备份 / only a supervisor restores a backup");
        }
        session.actor()
    };
    let database = station.config.database_path();
    let Station {
        store, folder_lock, ..
    } = station;
    drop(store);
    let kept = crate::store::backup::restore(backup, &database)
        .with_context(|| format!("{} was not restored", backup.display()))?;
    let restored = crate::store::Store::open(&database)
        .with_context(|| format!("opening {}", database.display()))?;
    restored.append_event(
        &actor,
        "database_restored",
        None,
        &serde_json::json!({
            "backup": backup.display().to_string(),
            "replaced_kept_as": kept.as_ref().map(|k| k.display().to_string()),
        }),
    )?;
    drop(folder_lock);
    say!("已恢复 restored {}", backup.display());
    if let Some(kept) = kept {
        say!(
            "原数据库保留为 the replaced database is kept as {}",
            kept.display()
        );
    }
    Ok(())
}
