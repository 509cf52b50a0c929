//! What the window asks of the store threads (jobs) and what they answer (events), with the
//! area of the window each belongs to and the thread each runs on.

use std::path::PathBuf;
use std::sync::mpsc::SyncSender;

use anyhow::Result;

use crate::app::state::Area;
use crate::i18n::Message;
use crate::store::Session;

pub enum StoreJob {
    /// Finding the student, shooting and saving the photo.
    Capture(crate::app::capture::CaptureStoreJob),
    /// Importing bookings, exporting photos, the school's report.
    Transfer(crate::app::transfer::TransferStoreJob),
    /// Booking a walk-in at the desk.
    WalkIn(crate::app::walk_in_desk::WalkInStoreJob),
    /// Correcting a student's record, disputes, retakes and window overrides.
    Corrections(crate::app::corrections::CorrectionsStoreJob),
    /// The schools and their collection windows.
    Schools(crate::app::schools::SchoolsStoreJob),
    RefreshCounts,
    SaveSettings {
        file: Box<crate::config::ConfigFile>,
        session: Session,
    },
    /// Closing a school at this station, and its refunds.
    CloseOut(crate::app::close_out::CloseOutStoreJob),
    /// Signing in and out, and managing the accounts.
    Accounts(crate::app::accounts::AccountsStoreJob),
    /// A supervisor's decision that changes no row but must be in the event log.
    RecordEvent {
        kind: &'static str,
        subject: String,
        session: Session,
    },
    /// The campus close-out (seal, write-off, close, the gate).
    Campus(crate::app::campus::CampusStoreJob),
}

impl StoreJob {
    /// The form or screen the job was sent from: its failure is said there, and goes when that
    /// place's next action succeeds.
    pub fn area(&self) -> Area {
        match self {
            Self::Capture(crate::app::capture::CaptureStoreJob::ResolveCode(_))
            | Self::Capture(crate::app::capture::CaptureStoreJob::Search { .. })
            | Self::Capture(crate::app::capture::CaptureStoreJob::OpenBooking(_))
            | Self::Capture(crate::app::capture::CaptureStoreJob::SaveCapture(_))
            | Self::Corrections(crate::app::corrections::CorrectionsStoreJob::FlagDetails {
                ..
            })
            | Self::Corrections(crate::app::corrections::CorrectionsStoreJob::OverrideDispute {
                ..
            })
            | Self::RefreshCounts
            | Self::RecordEvent { .. }
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::LogRefusal { .. }) => {
                Area::Capture
            }
            Self::WalkIn(crate::app::walk_in_desk::WalkInStoreJob::CreateWalkIn { .. }) => {
                Area::WalkIn
            }
            Self::Corrections(crate::app::corrections::CorrectionsStoreJob::Correct { .. })
            | Self::Corrections(
                crate::app::corrections::CorrectionsStoreJob::SelectForCorrection(_),
            ) => Area::Corrections,
            Self::Corrections(crate::app::corrections::CorrectionsStoreJob::ApproveRetake {
                ..
            }) => Area::Retakes,
            Self::Schools(crate::app::schools::SchoolsStoreJob::LoadSchools)
            | Self::Schools(crate::app::schools::SchoolsStoreJob::AddWindow { .. })
            | Self::Schools(crate::app::schools::SchoolsStoreJob::UpdateWindow { .. }) => {
                Area::Schools
            }
            Self::SaveSettings { .. } => Area::Settings,
            Self::CloseOut(crate::app::close_out::CloseOutStoreJob::PreviewClose { .. })
            | Self::CloseOut(crate::app::close_out::CloseOutStoreJob::CloseSession { .. })
            | Self::CloseOut(crate::app::close_out::CloseOutStoreJob::LoadRefunds { .. })
            | Self::CloseOut(crate::app::close_out::CloseOutStoreJob::MarkRefunded { .. })
            | Self::CloseOut(crate::app::close_out::CloseOutStoreJob::WriteRefundList { .. }) => {
                Area::CloseOut
            }
            Self::Transfer(crate::app::transfer::TransferStoreJob::LoadReport { .. })
            | Self::Transfer(crate::app::transfer::TransferStoreJob::WriteReport { .. }) => {
                Area::Report
            }
            Self::Transfer(crate::app::transfer::TransferStoreJob::PreviewImport { .. })
            | Self::Transfer(crate::app::transfer::TransferStoreJob::Import { .. })
            | Self::Transfer(crate::app::transfer::TransferStoreJob::WriteRejectedRows {
                ..
            }) => Area::Import,
            Self::Transfer(crate::app::transfer::TransferStoreJob::PlanExport { .. })
            | Self::Transfer(crate::app::transfer::TransferStoreJob::Export { .. }) => Area::Export,
            Self::Accounts(crate::app::accounts::AccountsStoreJob::SignIn { .. })
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::CreateFirstSupervisor {
                ..
            })
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::SignOut { .. }) => {
                Area::SignIn
            }
            Self::Accounts(crate::app::accounts::AccountsStoreJob::LoadUsers)
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::AddUser { .. })
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::ResetPin { .. })
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::SetDisabled { .. }) => {
                Area::Accounts
            }
            Self::Campus(_) => Area::Campus,
        }
    }

    /// Whether the job's use case may talk to the campus server, or run long (an export): such
    /// jobs run on the `station-ops` thread. Decided by the kind of job alone, never by whether
    /// the station joined a campus (the use case decides that).
    pub fn may_wait_on_the_network(&self) -> bool {
        match self {
            Self::Transfer(crate::app::transfer::TransferStoreJob::PreviewImport { .. })
            | Self::Transfer(crate::app::transfer::TransferStoreJob::Import { .. })
            | Self::Transfer(crate::app::transfer::TransferStoreJob::Export { .. })
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::SignIn { .. })
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::AddUser { .. })
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::ResetPin { .. })
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::SetDisabled { .. })
            | Self::Campus(_) => true,
            // A save claims the student on the campus first, bounded and skipped while the
            // server is known to be away: it must be decided before the commit, in order with
            // the other saves.
            Self::Capture(crate::app::capture::CaptureStoreJob::SaveCapture(_)) => false,
            _ => false,
        }
    }
}

/// Where the window sends store jobs: each goes to the thread its kind belongs on.
#[derive(Clone)]
pub struct StoreJobs {
    pub(super) store: SyncSender<StoreJob>,
    pub(super) station_ops: SyncSender<StoreJob>,
}

/// Why a job was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotTaken {
    /// The thread's queue is full: try again.
    Busy,
    /// The thread has stopped (the database could not be opened, or the app is closing).
    Stopped,
}

impl StoreJobs {
    pub fn try_send(&self, job: StoreJob) -> Result<(), NotTaken> {
        let lane = if job.may_wait_on_the_network() {
            &self.station_ops
        } else {
            &self.store
        };
        lane.try_send(job).map_err(|error| match error {
            std::sync::mpsc::TrySendError::Full(_) => NotTaken::Busy,
            std::sync::mpsc::TrySendError::Disconnected(_) => NotTaken::Stopped,
        })
    }
}

/// What the store thread reports back.
#[derive(Debug)]
pub enum StoreEvent {
    Ready {
        demo_seeded: Option<usize>,
    },
    Preparing,
    OpenFailed(Message),
    /// Finding the student, shooting and saving the photo: the answers.
    Capture(crate::app::capture::CaptureStoreEvent),
    /// Booking a walk-in at the desk: the answers.
    WalkIn(crate::app::walk_in_desk::WalkInStoreEvent),
    /// Correcting a student's record, disputes, retakes and window overrides: the answers.
    Corrections(crate::app::corrections::CorrectionsStoreEvent),
    /// The schools and their collection windows: the answers.
    Schools(crate::app::schools::SchoolsStoreEvent),
    Counts(crate::store::DayCounts),
    SettingsSaved(Box<crate::config::StationConfig>),
    Recorded,
    /// Closing a school at this station, and its refunds: the answers.
    CloseOut(crate::app::close_out::CloseOutStoreEvent),
    /// Importing bookings, exporting photos, the school's report: the answers.
    Transfer(crate::app::transfer::TransferStoreEvent),
    FileWritten(PathBuf),
    /// Signing in and out, and managing the accounts: the answers.
    Accounts(crate::app::accounts::AccountsStoreEvent),
    /// The campus close-out's answers.
    Campus(crate::app::campus::CampusStoreEvent),
    /// A job failed; the message says why, in the place the job came from.
    Failed {
        area: Area,
        message: Message,
    },
}

impl StoreEvent {
    /// The place whose action this answer says went through, if it is a success: a message
    /// still saying what was wrong there goes.
    pub fn success_area(&self) -> Option<Area> {
        Some(match self {
            Self::Capture(crate::app::capture::CaptureStoreEvent::CodeResolved { .. })
            | Self::Capture(crate::app::capture::CaptureStoreEvent::CardLoaded(_))
            | Self::Capture(crate::app::capture::CaptureStoreEvent::CaptureSaved { .. })
            | Self::Corrections(crate::app::corrections::CorrectionsStoreEvent::DetailsFlagged {
                ..
            })
            | Self::Corrections(
                crate::app::corrections::CorrectionsStoreEvent::DisputeOverridden(_),
            ) => Area::Capture,
            Self::WalkIn(crate::app::walk_in_desk::WalkInStoreEvent::WalkInCreated(_))
            | Self::WalkIn(crate::app::walk_in_desk::WalkInStoreEvent::WalkInDuplicate(_)) => {
                Area::WalkIn
            }
            Self::Corrections(crate::app::corrections::CorrectionsStoreEvent::Corrected {
                ..
            }) => Area::Corrections,
            Self::Corrections(crate::app::corrections::CorrectionsStoreEvent::RetakeApproved(
                _,
            )) => Area::Retakes,
            Self::CloseOut(crate::app::close_out::CloseOutStoreEvent::ClosePreviewed(_))
            | Self::CloseOut(crate::app::close_out::CloseOutStoreEvent::Closed(_))
            | Self::CloseOut(crate::app::close_out::CloseOutStoreEvent::Refunds { .. }) => {
                Area::CloseOut
            }
            Self::Transfer(crate::app::transfer::TransferStoreEvent::ReportLoaded(_)) => {
                Area::Report
            }
            Self::SettingsSaved(_) => Area::Settings,
            Self::Accounts(crate::app::accounts::AccountsStoreEvent::Users(_))
            | Self::Accounts(crate::app::accounts::AccountsStoreEvent::PinReset { .. }) => {
                Area::Accounts
            }
            Self::Accounts(crate::app::accounts::AccountsStoreEvent::SignedIn { .. }) => {
                Area::SignIn
            }
            Self::Transfer(crate::app::transfer::TransferStoreEvent::ImportPreviewed {
                ..
            })
            | Self::Transfer(crate::app::transfer::TransferStoreEvent::Imported(_)) => Area::Import,
            Self::Transfer(crate::app::transfer::TransferStoreEvent::ExportPlanned(_))
            | Self::Transfer(crate::app::transfer::TransferStoreEvent::Exported(_)) => Area::Export,
            Self::Campus(
                crate::app::campus::CampusStoreEvent::Gate(_)
                | crate::app::campus::CampusStoreEvent::Closed(_),
            ) => Area::Campus,
            _ => return None,
        })
    }
}

pub struct StoreSetup {
    pub database_path: PathBuf,
    pub photos_dir: PathBuf,
    pub backups_dir: Option<PathBuf>,
    /// Seed this many demo bookings if the database is empty.
    pub seed_demo: bool,
    pub capture_code_rules: crate::domain::CaptureCodeRules,
    /// Where `config.toml` is written when the settings are saved.
    pub data_dir: PathBuf,
    /// The campus this station joined, if any (filled in when it joins from the window).
    pub campus: crate::campus::link::CampusSlot,
}

impl StoreSetup {
    /// The station's reach: the campus link once it joined.
    pub fn reach(&self) -> crate::station::Reach<'_> {
        crate::station::Reach::of(self.campus.get().map(|link| link.as_ref()))
    }
}

/// A use case's own answer as the event that shows it beside the operation; a failure of the
/// store stays an error, reported as the area's failure.
pub fn refused<E>(
    error: crate::station::StationError,
    event: impl FnOnce(Message) -> E,
) -> anyhow::Result<E> {
    if error.is_store() {
        return Err(error.into());
    }
    Ok(event(error.message()))
}

/// Where the store threads send their answers (the window wraps them in its own event).
pub type StoreSink = std::sync::Arc<dyn Fn(StoreEvent) + Send + Sync>;
