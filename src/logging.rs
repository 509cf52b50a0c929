//! Logging: a file in the data folder for the record, and stderr for the person at the terminal.
//! Log lines never carry full ID numbers, phone numbers or capture codes; call sites log masked
//! forms or ids.

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result};
use tracing_subscriber::{EnvFilter, Layer, layer::SubscriberExt, util::SubscriberInitExt};

pub const LOG_FILE: &str = "capture-station.log";

pub fn init(data_dir: &Path, verbose: bool) -> Result<()> {
    let log_dir = data_dir.join("logs");
    std::fs::create_dir_all(&log_dir).with_context(|| format!("creating {}", log_dir.display()))?;
    // Log lines name accounts, stations and bookings: owner-only, as the data folder is (also
    // for a folder and file an older version made 0755/0644).
    crate::platform::owner_only_folder(&log_dir)
        .with_context(|| format!("restricting {}", log_dir.display()))?;
    let path = log_dir.join(LOG_FILE);
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    crate::platform::owner_only_new_files(&mut options);
    let file = options
        .open(&path)
        .with_context(|| format!("opening log file {}", path.display()))?;
    crate::platform::owner_only_file(&path)
        .with_context(|| format!("restricting {}", path.display()))?;
    let file_filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr_filter = EnvFilter::new(if verbose { "info" } else { "warn" });
    let file_layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .with_filter(file_filter);
    // Colours only for a person at a terminal: redirected to a file, escape codes are noise.
    let stderr_layer = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_filter(stderr_filter);
    // A second init (tests that run the CLI in-process) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    Ok(())
}
