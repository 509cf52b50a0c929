//! The `capture-station` binary: parse the command line and hand over to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = capture_station::cli::Cli::parse();
    match capture_station::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("错误 error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
