//! The system's file dialog for an order export, behind a function the app holds so that tests
//! can stand in for it. rfd asks the desktop portal, then zenity; where neither exists it
//! returns at once as if cancelled, and the window must say so instead of doing nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::events::FilePick;

/// Shows the dialog titled with the argument and waits for the person's answer.
pub type FilePicker = Arc<dyn Fn(&str) -> FilePick + Send + Sync>;

/// Faster than anyone can read a dialog and press Cancel: an answer this quick means none was
/// shown.
const NO_DIALOG_WITHIN: Duration = Duration::from_millis(400);

/// The system's own dialog (rfd: the desktop portal, else zenity; the native one on Windows).
pub fn system_file_picker() -> FilePicker {
    Arc::new(|title: &str| {
        let started = Instant::now();
        let picked = rfd::FileDialog::new()
            .set_title(title)
            .add_filter("XLSX / XLS / CSV", &["xlsx", "xls", "csv"])
            .pick_file();
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
