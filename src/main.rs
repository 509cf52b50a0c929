//! The `capture-station` binary: parse the command line and hand over to the library. Without a
//! command it opens the booth window.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let started = std::time::Instant::now();
    let cli = capture_station::cli::Cli::parse();
    match capture_station::cli::run_from(cli, started) {
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
