//! The `capture-station` binary: parse the command line and hand over to the library. Without a
//! command it opens the booth window.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let started = std::time::Instant::now();
    let cli = capture_station::cli::Cli::parse();
    match capture_station::cli::run_from(cli, started) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("错误 error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
