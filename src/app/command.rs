//! What the screens ask for. Screens never change shared state or talk to workers themselves:
//! they return commands, and the app applies them after drawing.

use crate::config::{ConfigFile, Language};

use super::state::{Screen, SupervisorTab};

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// The campus screen and the campus close-out.
    Campus(super::campus::CampusCommand),
    Show(Screen),
    SetLanguage(Language),
    /// Finding the student, shooting and saving the photo.
    Capture(super::capture::CaptureCommand),
    /// Booking a walk-in at the desk.
    WalkIn(super::walk_in_desk::WalkInCommand),
    /// Signing in and out, and managing the accounts.
    Accounts(super::accounts::AccountsCommand),
    SupervisorTab(SupervisorTab),
    /// Correcting a student's record, disputes, retakes and window overrides.
    Corrections(super::corrections::CorrectionsCommand),
    /// The schools and their collection windows.
    Schools(super::schools::SchoolsCommand),
    SaveSettings(Box<ConfigFile>),
    /// Closing a school at this station, and its refunds.
    CloseOut(super::close_out::CloseOutCommand),
    /// Importing bookings, exporting photos, the school's report.
    Transfer(super::transfer::TransferCommand),
    ExitDemo,
    /// The close dialog: close the window although a photo is not saved (it is lost).
    CloseAnyway,
    /// The close dialog: go back to the photo.
    KeepWindowOpen,
    /// Open the system's file dialog for an order export; the file picked is previewed.
    PickImportFile,
    /// Open the system's folder dialog for the export's target folder.
    PickExportFolder,
    /// First-run guide: ask the system again which cameras there are.
    FirstRunFindCameras,
    /// First-run guide: show this camera live (in this format, or the best it offers).
    FirstRunCamera {
        setting: String,
        format: Option<crate::camera::CaptureFormat>,
    },
    /// First-run guide: this step is done; save what it chose and show the next.
    FirstRunNext,
    /// First-run guide: leave this step as it was and show the next.
    FirstRunSkip,
    /// First-run guide: close it and start working.
    FirstRunFinish,
}
