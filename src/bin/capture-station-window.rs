//! The Start menu's 学历照片采集站 on Windows: starts `capture-station.exe`, which sits beside
//! it, with no console window, and passes on its arguments. `capture-station.exe` stays a console
//! program, so the command line works from a terminal as on Linux, while the booth window opens
//! alone. Built only for the Windows installer (the `windows-launcher` feature).

#![cfg_attr(windows, windows_subsystem = "windows")]

use std::process::{Command, ExitCode};

/// `CREATE_NO_WINDOW`: a console program started without a console window.
#[cfg(windows)]
const CREATE_NO_WINDOW: u32 = 0x0800_0000;

fn main() -> ExitCode {
    let Some(program) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(program_name())))
    else {
        return ExitCode::FAILURE;
    };
    let mut command = Command::new(program);
    command.args(std::env::args_os().skip(1));
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        command.creation_flags(CREATE_NO_WINDOW);
    }
    match command.status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        // The window logs its own errors; there is no console to say more.
        _ => ExitCode::FAILURE,
    }
}

fn program_name() -> &'static str {
    if cfg!(windows) {
        "capture-station.exe"
    } else {
        "capture-station"
    }
}
