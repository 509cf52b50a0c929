//! A command's output lines. Piped into a reader that stops early (`campus report | head -3`),
//! a write fails with a broken pipe; the command then ends quietly, as other command-line
//! tools do, instead of panicking with "failed printing to stdout".

use std::io::Write;

/// `println!` for a command's output; see the module doc.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::output::line(format_args!($($arg)*))
    };
}

/// Writes one line to standard output; a reader gone away ends the process with status 0.
pub fn line(text: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let written = writeln!(out, "{text}").and_then(|()| out.flush());
    match written {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        // Standard output is not there at all (a closed descriptor): nothing to tell anyone.
        Err(error) => tracing::warn!(%error, "a command's output line was not written"),
    }
}
