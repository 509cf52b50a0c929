//! What the window asks of the store threads (jobs) and what they answer (events), with the
//! area of the window each belongs to and the thread each runs on.

use std::path::PathBuf;
use std::sync::mpsc::SyncSender;

use anyhow::Result;

use crate::app::state::Area;
use crate::app::state::{BookingCard, SchoolRow};
use crate::domain::{CollectionWindow, CorrectableField};
use crate::i18n::Message;
use crate::store::{BookingView, CorrectionOutcome, NewBooking, Session};

pub enum StoreJob {
    ResolveCode(String),
    PlanExport {
        request: Box<crate::transfer::school_export::ExportRequest>,
        session: Session,
    },
    Export {
        request: Box<crate::transfer::school_export::ExportRequest>,
        session: Session,
    },
    PreviewImport {
        path: PathBuf,
        session: Session,
    },
    Import {
        bytes: std::sync::Arc<Vec<u8>>,
        label: String,
        session: Session,
    },
    WriteRejectedRows {
        bytes: std::sync::Arc<Vec<u8>>,
        rejected: Vec<crate::store::ImportRejection>,
        session: Session,
    },
    Search {
        query: String,
        generation: u64,
        for_supervisor: bool,
    },
    OpenBooking(String),
    SaveCapture(Box<SaveRequest>),
    CreateWalkIn {
        booking: Box<NewBooking>,
        session: Session,
    },
    Correct {
        booking_id: String,
        field: CorrectableField,
        value: Option<String>,
        reason: String,
        confirmed: bool,
        session: Session,
    },
    ApproveRetake {
        booking_id: String,
        session: Session,
    },
    SelectForCorrection(String),
    /// 信息有误: the student disputes the record on the student's screen.
    FlagDetails {
        booking_id: String,
        session: Session,
    },
    /// A supervisor checked the disputed record and lets the shot go ahead uncorrected.
    OverrideDispute {
        booking_id: String,
        session: Session,
    },
    LoadSchools,
    AddWindow {
        school: String,
        window: CollectionWindow,
        session: Session,
    },
    UpdateWindow {
        window_id: String,
        window: CollectionWindow,
        session: Session,
    },
    RefreshCounts,
    SaveSettings {
        file: Box<crate::config::ConfigFile>,
        session: Session,
    },
    PreviewClose {
        school: String,
        calendar: Box<crate::domain::HolidayCalendar>,
    },
    CloseSession {
        school: String,
        force: bool,
        calendar: Box<crate::domain::HolidayCalendar>,
        session: Session,
    },
    LoadRefunds {
        school: String,
    },
    MarkRefunded {
        school: String,
        order_no: String,
        reference: String,
        session: Session,
    },
    WriteRefundList {
        school: String,
        session: Session,
    },
    /// The school's report; `station_name` names this booth in the hourly figures.
    LoadReport {
        school: String,
        station_name: String,
    },
    WriteReport {
        school: String,
        station_name: String,
        session: Session,
    },
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

pub struct SaveRequest {
    pub booking_id: String,
    pub jpeg: Vec<u8>,
    pub original_jpeg: Option<Vec<u8>>,
    pub report: serde_json::Value,
    pub spec_ok: bool,
    pub overridden: bool,
    pub session: Session,
}

impl StoreJob {
    /// The form or screen the job was sent from: its failure is said there, and goes when that
    /// place's next action succeeds.
    pub fn area(&self) -> Area {
        match self {
            Self::ResolveCode(_)
            | Self::Search { .. }
            | Self::OpenBooking(_)
            | Self::SaveCapture(_)
            | Self::FlagDetails { .. }
            | Self::OverrideDispute { .. }
            | Self::RefreshCounts
            | Self::RecordEvent { .. }
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::LogRefusal { .. }) => {
                Area::Capture
            }
            Self::CreateWalkIn { .. } => Area::WalkIn,
            Self::Correct { .. } | Self::SelectForCorrection(_) => Area::Corrections,
            Self::ApproveRetake { .. } => Area::Retakes,
            Self::LoadSchools | Self::AddWindow { .. } | Self::UpdateWindow { .. } => Area::Schools,
            Self::SaveSettings { .. } => Area::Settings,
            Self::PreviewClose { .. }
            | Self::CloseSession { .. }
            | Self::LoadRefunds { .. }
            | Self::MarkRefunded { .. }
            | Self::WriteRefundList { .. } => Area::CloseOut,
            Self::LoadReport { .. } | Self::WriteReport { .. } => Area::Report,
            Self::PreviewImport { .. } | Self::Import { .. } | Self::WriteRejectedRows { .. } => {
                Area::Import
            }
            Self::PlanExport { .. } | Self::Export { .. } => Area::Export,
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
            Self::PreviewImport { .. }
            | Self::Import { .. }
            | Self::Export { .. }
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::SignIn { .. })
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::AddUser { .. })
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::ResetPin { .. })
            | Self::Accounts(crate::app::accounts::AccountsStoreJob::SetDisabled { .. })
            | Self::Campus(_) => true,
            // A save claims the student on the campus first, bounded and skipped while the
            // server is known to be away: it must be decided before the commit, in order with
            // the other saves.
            Self::SaveCapture(_) => false,
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
    CodeResolved {
        code: String,
        card: Option<Box<BookingCard>>,
    },
    SearchResults {
        generation: u64,
        for_supervisor: bool,
        hits: Vec<crate::store::LookupHit>,
    },
    CardLoaded(Box<BookingCard>),
    CaptureSaved {
        booking_id: String,
    },
    WalkInCreated(Box<BookingCard>),
    WalkInDuplicate(Box<BookingCard>),
    /// The walk-in's capture code belongs to another student's booking: nothing was saved.
    WalkInCodeTaken {
        owner: String,
    },
    Corrected {
        booking: Box<BookingView>,
        history: Vec<crate::store::CorrectionRecord>,
        outcome: CorrectionOutcome,
    },
    Selected {
        booking: Box<BookingView>,
        history: Vec<crate::store::CorrectionRecord>,
    },
    RetakeApproved(Box<BookingCard>),
    /// The record is flagged; the supervisor's correction screen opens on it.
    DetailsFlagged {
        card: Box<BookingCard>,
        history: Vec<crate::store::CorrectionRecord>,
    },
    DisputeOverridden(Box<BookingCard>),
    Schools(Vec<SchoolRow>),
    Counts(crate::store::DayCounts),
    SettingsSaved(Box<crate::config::StationConfig>),
    Recorded,
    ClosePreviewed(Box<crate::store::close_out::ClosePreview>),
    Closed(Box<crate::store::close_out::CloseOutcome>),
    Refunds {
        rows: Vec<crate::store::close_out::RefundRow>,
        summary: crate::store::close_out::RefundSummary,
    },
    ReportLoaded(Box<crate::store::report::SchoolReport>),
    FileWritten(PathBuf),
    /// Signing in and out, and managing the accounts: the answers.
    Accounts(crate::app::accounts::AccountsStoreEvent),
    ImportPreviewed {
        path: PathBuf,
        bytes: std::sync::Arc<Vec<u8>>,
        preview: Box<crate::transfer::ImportPreview>,
    },
    Imported(Box<crate::transfer::ImportReport>),
    /// The file cannot be imported at all (unreadable, a required header missing); nothing
    /// was written.
    ImportRefused(Message),
    ExportPlanned(Box<crate::transfer::school_export::ExportPlan>),
    ExportProgress {
        done: usize,
        total: usize,
    },
    Exported(Box<crate::transfer::school_export::SchoolExport>),
    ExportRefused(Message),
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
            Self::CodeResolved { .. }
            | Self::CardLoaded(_)
            | Self::CaptureSaved { .. }
            | Self::DetailsFlagged { .. }
            | Self::DisputeOverridden(_) => Area::Capture,
            Self::WalkInCreated(_) | Self::WalkInDuplicate(_) => Area::WalkIn,
            Self::Corrected { .. } => Area::Corrections,
            Self::RetakeApproved(_) => Area::Retakes,
            Self::ClosePreviewed(_) | Self::Closed(_) | Self::Refunds { .. } => Area::CloseOut,
            Self::ReportLoaded(_) => Area::Report,
            Self::SettingsSaved(_) => Area::Settings,
            Self::Accounts(crate::app::accounts::AccountsStoreEvent::Users(_))
            | Self::Accounts(crate::app::accounts::AccountsStoreEvent::PinReset { .. }) => {
                Area::Accounts
            }
            Self::Accounts(crate::app::accounts::AccountsStoreEvent::SignedIn { .. }) => {
                Area::SignIn
            }
            Self::ImportPreviewed { .. } | Self::Imported(_) => Area::Import,
            Self::ExportPlanned(_) | Self::Exported(_) => Area::Export,
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
