//! What the screens ask for. Screens never change shared state or talk to workers themselves:
//! they return commands, and the app applies them after drawing.

use crate::config::{ConfigFile, Language};
use crate::domain::CorrectableField;

use super::state::{Screen, SupervisorTab};

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// The campus screen and the campus close-out.
    Campus(super::campus::CampusCommand),
    Show(Screen),
    SetLanguage(Language),
    /// Take the live frame and make the portrait (Space) of the card's student, if the card
    /// still shows `booking_id` (`None`: no card was shown).
    Capture {
        booking_id: Option<String>,
    },
    /// Save the shot (Enter) against `booking_id`, the card shown when the key was pressed.
    /// `override_checks` saves a shot that failed its checks, recorded.
    Accept {
        booking_id: Option<String>,
        override_checks: bool,
    },
    /// Arm or disarm the override for a failed shot.
    ArmOverride(bool),
    /// Drop the shot and shoot again (R).
    Retake,
    /// Move or zoom the crop (arrows, + and -).
    Nudge {
        right: i32,
        down: i32,
        zoom_in: i32,
    },
    /// A capture code typed by a keyboard-wedge scanner or pasted.
    ResolveCode(String),
    OpenSearch,
    Search {
        query: String,
        for_supervisor: bool,
    },
    OpenBooking(String),
    ClearCard,
    /// Open the walk-in desk, pre-filled with a capture code.
    StartWalkIn {
        capture_code: Option<String>,
    },
    SaveWalkIn,
    /// Save the walk-in with a school not known yet, which staff confirmed is meant.
    ConfirmNewSchool,
    /// Signing in and out, and managing the accounts.
    Accounts(super::accounts::AccountsCommand),
    SupervisorTab(SupervisorTab),
    SelectForCorrection(String),
    Correct {
        booking_id: String,
        field: CorrectableField,
        value: String,
        reason: String,
        confirmed_after_capture: bool,
    },
    ApproveRetake {
        booking_id: String,
    },
    /// 信息有误 (E): the student says the record on the student's screen is wrong. The shot waits
    /// for the supervisor's correction.
    FlagDetails {
        booking_id: String,
    },
    /// A supervisor checked the card's disputed record and allows the shot without a change.
    OverrideDispute {
        booking_id: String,
    },
    /// Open the supervisor's correction screen on the card's disputed record.
    CorrectDisputed {
        booking_id: String,
    },
    /// A supervisor lets the card's student be shot outside the collection windows.
    OverrideWindow {
        booking_id: String,
    },
    LoadSchools,
    AddWindow {
        school: String,
        first_day: String,
        last_day: String,
    },
    UpdateWindow {
        window_id: String,
        first_day: String,
        last_day: String,
    },
    SaveSettings(Box<ConfigFile>),
    /// Show what closing the school now would do.
    PreviewClose {
        school: String,
    },
    /// Close the school now (after the preview); `force` while a window is still open.
    CloseSession {
        school: String,
        force: bool,
    },
    MarkRefunded {
        order_no: String,
        reference: String,
    },
    /// Write the school's refund list (XLSX) into the data folder's `exports/`.
    WriteRefundList {
        school: String,
    },
    LoadReport {
        school: String,
    },
    /// Write the school's report (XLSX) into `exports/`.
    WriteReport {
        school: String,
    },
    /// Read and preview an order export (picked, typed or dropped); nothing is written.
    PreviewImport {
        path: std::path::PathBuf,
    },
    /// Import the previewed bytes.
    ConfirmImport,
    /// Write the last import's rejected rows (with their reasons) to an XLSX in `exports/`.
    WriteRejectedRows,
    /// Work out what the export in the form needs and what the target has; nothing written.
    PlanExport,
    /// Run the export in the form.
    StartExport,
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
