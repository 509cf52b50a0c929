//! The system's file dialog (the order file to import, the folder to export into), behind a
//! function the app holds so that tests can stand in for it. rfd asks the desktop portal, then zenity; where neither exists it
//! returns at once as if cancelled, and the window must say so instead of doing nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the dialog is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickWhat {
    /// A spreadsheet of orders (XLSX, XLS, CSV).
    OrderFile,
    /// A folder to export a school's photos into (a USB stick, usually).
    ExportFolder,
}

/// The file dialog's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilePick {
    Picked(std::path::PathBuf),
    Cancelled,
    /// No dialog could be shown (no desktop portal, no zenity): the window says how else to
    /// give the file.
    Unavailable,
}

/// Shows the dialog for `PickWhat`, titled with the text, and waits for the person's answer.
pub type FilePicker = Arc<dyn Fn(PickWhat, &str) -> FilePick + Send + Sync>;

/// Faster than anyone can read a dialog and press Cancel: an answer this quick means none was
/// shown.
const NO_DIALOG_WITHIN: Duration = Duration::from_millis(400);

/// The system's own dialog (rfd: the desktop portal, else zenity; the native one on Windows).
pub fn system_file_picker() -> FilePicker {
    Arc::new(|what: PickWhat, title: &str| {
        let started = Instant::now();
        let dialog = rfd::FileDialog::new().set_title(title);
        let picked = match what {
            PickWhat::OrderFile => dialog
                .add_filter("XLSX / XLS / CSV", &["xlsx", "xls", "csv"])
                .pick_file(),
            PickWhat::ExportFolder => dialog.pick_folder(),
        };
        match picked {
            Some(path) => FilePick::Picked(path),
            None if started.elapsed() < NO_DIALOG_WITHIN => {
                tracing::warn!("no file dialog could be shown (no desktop portal or zenity)");
                FilePick::Unavailable
            }
            None => FilePick::Cancelled,
        }
    })
}
