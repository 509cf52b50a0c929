//! The `capture-station` binary: parse the command line and hand over to the library. Without a
//! command it opens the booth window.

use clap::Parser;

/// Set (to anything), the process says its peak memory on standard error as it ends.
const PEAK_MEMORY_ENV: &str = "CAPTURE_STATION_PEAK_MEMORY";

fn main() -> std::process::ExitCode {
    let started = std::time::Instant::now();
    let cli = capture_station::cli::Cli::parse();
    let outcome = capture_station::cli::run_from(cli, started);
    // For the memory tests: the peak, said last, whatever the outcome.
    if std::env::var_os(PEAK_MEMORY_ENV).is_some()
        && let Some(peak) = capture_station::platform::peak_memory_kib()
    {
        eprintln!("peak memory: {peak} KiB");
    }
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // Chinese first, then the English with its whole chain (never glued on one line).
            let language = capture_station::config::Language::Chinese;
            eprintln!(
                "错误：{}",
                capture_station::i18n::describe(&error, language)
            );
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
