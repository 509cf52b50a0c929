//! The store's own threads. The `store` thread opens (or seeds) the database, so the window
//! never waits on disk, then answers the screens' jobs one at a time. Jobs whose use case may
//! reach the campus server (imports, exports, signing in, accounts, close-out) run on a second
//! thread, `station-ops`, with its own connection to the same database, so that a shot's save
//! never waits behind a slow server or a long export. Each job is caught: a panic is logged and
//! reported as a failed job, and the thread goes on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use anyhow::{Context, Result};
use chrono::{Local, NaiveDate};
use image::RgbImage;

use super::demo;
use super::state::Area;
use super::state::{BookingCard, SchoolRow};
use crate::domain::{CollectionWindow, CorrectableField};
use crate::i18n::Message;
use crate::station;
pub use crate::station::close_out::CampusGateView;
use crate::store::captures::NewCapture;
use crate::store::{
    BookingView, Correction, CorrectionOutcome, MatchKind, NewBooking, Permission, Role, Session,
    Store, StoreError, UserSummary,
};

/// Start-up backups kept in `<data>/backups`.
const STARTUP_BACKUPS_KEPT: usize = 10;
const SEARCH_LIMIT: usize = 20;

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
    SignIn {
        name: String,
        pin: String,
        elevate: bool,
    },
    CreateFirstSupervisor {
        name: String,
        pin: String,
    },
    SignOut {
        session: Session,
        reason: &'static str,
    },
    LoadUsers,
    AddUser {
        name: String,
        role: Role,
        pin: String,
        session: Session,
    },
    ResetPin {
        name: String,
        pin: String,
        session: Session,
    },
    SetDisabled {
        name: String,
        disabled: bool,
        session: Session,
    },
    /// Something the window refused for lack of a role: the store checks it too, and logs it.
    LogRefusal {
        session: Session,
        permission: Permission,
    },
    /// A supervisor's decision that changes no row but must be in the event log.
    RecordEvent {
        kind: &'static str,
        subject: String,
        session: Session,
    },
    /// The school's close-out gate and campus report, from the server.
    CampusGate {
        school: String,
    },
    /// Seal the school at this booth (it stops capturing it; the server checks its events).
    CampusSeal {
        school: String,
        session: Session,
    },
    /// Close the school without a station that cannot be reached, with the reason.
    CampusWriteOff {
        school: String,
        station: String,
        reason: String,
        session: Session,
    },
    /// Close the school for the whole campus (every station sealed or written off).
    CampusCloseOut {
        school: String,
        calendar: Box<crate::domain::HolidayCalendar>,
        session: Session,
    },
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
            | Self::LogRefusal { .. } => Area::Capture,
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
            Self::SignIn { .. } | Self::CreateFirstSupervisor { .. } | Self::SignOut { .. } => {
                Area::SignIn
            }
            Self::LoadUsers
            | Self::AddUser { .. }
            | Self::ResetPin { .. }
            | Self::SetDisabled { .. } => Area::Accounts,
            Self::CampusGate { .. }
            | Self::CampusSeal { .. }
            | Self::CampusWriteOff { .. }
            | Self::CampusCloseOut { .. } => Area::Campus,
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
            | Self::SignIn { .. }
            | Self::AddUser { .. }
            | Self::ResetPin { .. }
            | Self::SetDisabled { .. }
            | Self::CampusGate { .. }
            | Self::CampusSeal { .. }
            | Self::CampusWriteOff { .. }
            | Self::CampusCloseOut { .. } => true,
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
    store: SyncSender<StoreJob>,
    station_ops: SyncSender<StoreJob>,
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
    /// How many active accounts exist (none: the window asks for the first supervisor).
    Accounts(usize),
    SignedIn {
        session: Session,
        elevate: bool,
    },
    SignInRefused {
        message: Message,
        elevate: bool,
    },
    Users(Vec<UserSummary>),
    /// A supervisor set a new PIN for `name`.
    PinReset {
        name: String,
        users: Vec<UserSummary>,
    },
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
    CampusGate(Box<CampusGateView>),
    CampusClosed(Box<crate::campus::close_out::CampusCloseOutcome>),
    /// A campus operation the server refused or could not be reached for; nothing changed.
    CampusRefused(Message),
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
            Self::Users(_) | Self::PinReset { .. } => Area::Accounts,
            Self::SignedIn { .. } => Area::SignIn,
            Self::ImportPreviewed { .. } | Self::Imported(_) => Area::Import,
            Self::ExportPlanned(_) | Self::Exported(_) => Area::Export,
            Self::CampusGate(_) | Self::CampusClosed(_) => Area::Campus,
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

/// Where the store threads send their answers (the window wraps them in its own event).
pub type StoreSink = std::sync::Arc<dyn Fn(StoreEvent) + Send + Sync>;

/// Starts the store threads; `send` receives every answer.
pub fn spawn_store_worker(setup: StoreSetup, send: StoreSink) -> std::io::Result<StoreJobs> {
    let (store_jobs, store_receiver) = sync_channel::<StoreJob>(64);
    let (ops_jobs, ops_receiver) = sync_channel::<StoreJob>(16);
    // The second connection is opened by the store thread once the database is ready (created,
    // migrated, seeded), and handed over.
    let (hand_over, handed) = sync_channel::<Store>(1);
    let setup = std::sync::Arc::new(setup);
    let ops_setup = std::sync::Arc::clone(&setup);
    let ops_send = std::sync::Arc::clone(&send);
    std::thread::Builder::new()
        .name("station-ops".to_string())
        .spawn(move || {
            if let Ok(mut store) = handed.recv() {
                serve(&mut store, &ops_setup, ops_receiver, &*ops_send);
            }
        })?;
    std::thread::Builder::new()
        .name("store".to_string())
        .spawn(move || run(&setup, store_receiver, hand_over, &*send))?;
    Ok(StoreJobs {
        store: store_jobs,
        station_ops: ops_jobs,
    })
}

fn run(
    setup: &StoreSetup,
    jobs: Receiver<StoreJob>,
    hand_over: SyncSender<Store>,
    send: &(dyn Fn(StoreEvent) + Send + Sync),
) {
    let mut store = match open(setup, &send) {
        Ok((store, seeded)) => {
            send(StoreEvent::Ready {
                demo_seeded: seeded,
            });
            store
        }
        Err(error) => {
            tracing::error!("{error:#}");
            send(StoreEvent::OpenFailed(Message::of_error(&error)));
            return;
        }
    };
    match store.user_count() {
        Ok(count) => send(StoreEvent::Accounts(count)),
        Err(error) => tracing::warn!("reading the accounts: {error}"),
    }
    if setup.seed_demo {
        // The demo opens signed in as its staff account, so trying it needs no PIN.
        match store.login(demo::DEMO_STAFF, demo::DEMO_STAFF_PIN) {
            Ok(session) => send(StoreEvent::SignedIn {
                session,
                elevate: false,
            }),
            Err(error) => tracing::warn!("demo sign-in: {error}"),
        }
    }
    if let Ok(counts) = store.day_counts(today()) {
        send(StoreEvent::Counts(counts));
    }
    match Store::open(&setup.database_path) {
        Ok(second) => {
            let _ = hand_over.send(second);
        }
        Err(error) => {
            tracing::error!("the station-ops connection could not open: {error}");
        }
    }
    serve(&mut store, setup, jobs, send);
}

/// Answers jobs until the window goes.
fn serve(
    store: &mut Store,
    setup: &StoreSetup,
    jobs: Receiver<StoreJob>,
    send: &(dyn Fn(StoreEvent) + Send + Sync),
) {
    for job in jobs {
        let area = job.area();
        let answer = catch_unwind(AssertUnwindSafe(|| handle(store, setup, job, &send)));
        let event = match answer {
            Ok(Ok(event)) => event,
            Ok(Err(error)) => {
                tracing::warn!("store job failed: {error:#}");
                StoreEvent::Failed {
                    area,
                    message: Message::of_error(&error),
                }
            }
            Err(_) => {
                tracing::error!("the store thread panicked on a job; it goes on");
                StoreEvent::Failed {
                    area,
                    message: Message::new(
                        "程序内部出错，详情已记入日志",
                        "internal error; see the log",
                    ),
                }
            }
        };
        // The status bar's 待拍 and counts follow every change to the bookings.
        let changed_counts = matches!(
            event,
            StoreEvent::CaptureSaved { .. }
                | StoreEvent::WalkInCreated(_)
                | StoreEvent::Imported(_)
                | StoreEvent::Closed(_)
                | StoreEvent::CampusClosed(_)
                | StoreEvent::Refunds { .. }
                | StoreEvent::Corrected { .. }
        );
        if let Some(campus) = setup.campus.get()
            && !matches!(event, StoreEvent::Failed { .. })
        {
            campus.nudge();
        }
        send(event);
        if changed_counts && let Ok(counts) = store.day_counts(today()) {
            send(StoreEvent::Counts(counts));
        }
    }
}

/// The CLI's import settings, from the station's own.
fn import_options(setup: &StoreSetup) -> crate::transfer::ImportOptions {
    crate::transfer::ImportOptions {
        school: None,
        capture_code_rules: setup.capture_code_rules.clone(),
        today: today(),
    }
}

fn today() -> NaiveDate {
    Local::now().date_naive()
}

fn open(setup: &StoreSetup, send: &dyn Fn(StoreEvent)) -> Result<(Store, Option<usize>)> {
    let mut store = Store::open(&setup.database_path)
        .with_context(|| format!("opening {}", setup.database_path.display()))?;
    store
        .clean_photo_folder(&setup.photos_dir)
        .context("cleaning the photos folder")?;
    if let Some(backups) = &setup.backups_dir
        && store.booking_count()? > 0
    {
        // A copy at every start: the cheapest insurance against a bad day.
        match store.backup_to(backups, STARTUP_BACKUPS_KEPT) {
            Ok(path) => tracing::info!(backup = %path.display(), "start-up backup"),
            Err(error) => tracing::warn!("start-up backup failed: {error}"),
        }
    }
    let mut seeded = None;
    if setup.seed_demo && store.booking_count()? == 0 {
        send(StoreEvent::Preparing);
        seeded = Some(demo::seed(&mut store, &setup.capture_code_rules)?);
    } else if setup.seed_demo && store.user_count()? == 0 {
        demo::ensure_accounts(&mut store)?;
    }
    Ok((store, seeded))
}

fn handle(
    store: &mut Store,
    setup: &StoreSetup,
    job: StoreJob,
    send: &dyn Fn(StoreEvent),
) -> Result<StoreEvent> {
    Ok(match job {
        StoreJob::ResolveCode(code) => {
            let hit = store
                .lookup(&code, 1)?
                .into_iter()
                .find(|hit| hit.matched_by == MatchKind::CaptureCode);
            let card = match hit {
                Some(hit) => Some(Box::new(card_for(store, setup, hit.booking)?)),
                None => None,
            };
            StoreEvent::CodeResolved { code, card }
        }
        StoreJob::Search {
            query,
            generation,
            for_supervisor,
        } => StoreEvent::SearchResults {
            generation,
            for_supervisor,
            hits: store.lookup(&query, SEARCH_LIMIT)?,
        },
        StoreJob::OpenBooking(id) => {
            let booking = store.booking(&id)?;
            StoreEvent::CardLoaded(Box::new(card_for(store, setup, booking)?))
        }
        StoreJob::SaveCapture(request) => {
            station::capture::save(
                store,
                reach(setup),
                &setup.photos_dir,
                NewCapture {
                    booking_id: &request.booking_id,
                    jpeg: &request.jpeg,
                    original_jpeg: request.original_jpeg.as_deref(),
                    spec_report: request.report.clone(),
                    spec_ok: request.spec_ok,
                    overridden: request.overridden,
                    session: &request.session,
                },
            )?;
            StoreEvent::CaptureSaved {
                booking_id: request.booking_id,
            }
        }
        StoreJob::CreateWalkIn { booking, session } => {
            if let Some((existing, matched_by)) = existing_booking(store, &booking)? {
                // A code is only a key: the same code on someone else is a mistake (a code the
                // camera read from the next phone in the queue), never a reason to open that
                // other student's booking.
                if matched_by == MatchKind::CaptureCode && !same_student(&existing, &booking) {
                    return Ok(StoreEvent::WalkInCodeTaken {
                        owner: existing.student.name,
                    });
                }
                return Ok(StoreEvent::WalkInDuplicate(Box::new(card_for(
                    store, setup, existing,
                )?)));
            }
            let id = store.create_booking(&booking, &session)?;
            let booking = store.booking(&id)?;
            StoreEvent::WalkInCreated(Box::new(card_for(store, setup, booking)?))
        }
        StoreJob::Correct {
            booking_id,
            field,
            value,
            reason,
            confirmed,
            session,
        } => {
            let outcome = store.correct_student(
                Correction {
                    booking_id: &booking_id,
                    field,
                    new_value: value,
                    reason: &reason,
                    confirmed_after_capture: confirmed,
                },
                &session,
            )?;
            StoreEvent::Corrected {
                booking: Box::new(store.booking(&booking_id)?),
                history: store.corrections_for(&booking_id)?,
                outcome,
            }
        }
        StoreJob::SelectForCorrection(id) => StoreEvent::Selected {
            booking: Box::new(store.booking(&id)?),
            history: store.corrections_for(&id)?,
        },
        StoreJob::ApproveRetake {
            booking_id,
            session,
        } => {
            store.approve_retake(&booking_id, &session)?;
            let booking = store.booking(&booking_id)?;
            StoreEvent::RetakeApproved(Box::new(card_for(store, setup, booking)?))
        }
        StoreJob::FlagDetails {
            booking_id,
            session,
        } => {
            store.flag_details(&booking_id, &session)?;
            let booking = store.booking(&booking_id)?;
            StoreEvent::DetailsFlagged {
                card: Box::new(card_for(store, setup, booking)?),
                history: store.corrections_for(&booking_id)?,
            }
        }
        StoreJob::OverrideDispute {
            booking_id,
            session,
        } => {
            store.override_details_dispute(&booking_id, &session)?;
            let booking = store.booking(&booking_id)?;
            StoreEvent::DisputeOverridden(Box::new(card_for(store, setup, booking)?))
        }
        StoreJob::LoadSchools => StoreEvent::Schools(school_rows(store)?),
        StoreJob::AddWindow {
            school,
            window,
            session,
        } => {
            store.add_collection_window(&school, window, &session)?;
            StoreEvent::Schools(school_rows(store)?)
        }
        StoreJob::UpdateWindow {
            window_id,
            window,
            session,
        } => {
            store.update_collection_window(&window_id, window, &session)?;
            StoreEvent::Schools(school_rows(store)?)
        }
        StoreJob::RefreshCounts => StoreEvent::Counts(store.day_counts(today())?),
        StoreJob::PreviewClose { school, calendar } => StoreEvent::ClosePreviewed(Box::new(
            store.preview_close(&school, Local::now().naive_local(), &calendar)?,
        )),
        StoreJob::CloseSession {
            school,
            force,
            calendar,
            session,
        } => StoreEvent::Closed(Box::new(station::close_out::close_session(
            store,
            reach(setup),
            &school,
            Local::now().naive_local(),
            force,
            &calendar,
            &session,
        )?)),
        StoreJob::LoadRefunds { school } => refunds(store, &school)?,
        StoreJob::MarkRefunded {
            school,
            order_no,
            reference,
            session,
        } => {
            store.mark_refunded(&order_no, &reference, &session)?;
            refunds(store, &school)?
        }
        StoreJob::WriteRefundList { school, session } => {
            store.authorize(&session, Permission::Export, Some(&school))?;
            let bytes = crate::transfer::refund_list::refunds_xlsx(&store.refunds(&school)?)?;
            StoreEvent::FileWritten(write_export(setup, &format!("退款清单-{school}"), &bytes)?)
        }
        StoreJob::PlanExport { request, session } => {
            store.authorize(&session, Permission::Export, Some(&request.school))?;
            use crate::transfer::school_export::{available_space, plan_export};
            match plan_export(store, &setup.photos_dir, &request, available_space) {
                Ok(plan) => StoreEvent::ExportPlanned(Box::new(plan)),
                Err(error) => StoreEvent::ExportRefused(Message::of(&error)),
            }
        }
        StoreJob::Export { request, session } => {
            use crate::transfer::school_export::available_space;
            let mut last_sent = std::time::Instant::now();
            let progress = |done, total| {
                // A few updates a second are enough for a progress bar.
                if done == total || last_sent.elapsed().as_millis() >= 100 {
                    last_sent = std::time::Instant::now();
                    send(StoreEvent::ExportProgress { done, total });
                }
            };
            match station::export::export_school(
                store,
                reach(setup),
                (&setup.data_dir, &setup.photos_dir),
                &session,
                &request,
                available_space,
                progress,
            ) {
                Ok(done) => StoreEvent::Exported(Box::new(done)),
                Err(error) => refused(error, StoreEvent::ExportRefused)?,
            }
        }
        StoreJob::CampusGate { school } => campus_gate(setup, &school),
        StoreJob::CampusSeal { school, session } => {
            match station::close_out::seal(
                store,
                reach(setup),
                &setup.photos_dir,
                &school,
                &session,
            ) {
                Ok(_) => campus_gate(setup, &school),
                Err(error) => StoreEvent::CampusRefused(error.message()),
            }
        }
        StoreJob::CampusWriteOff {
            school,
            station,
            reason,
            session,
        } => {
            match station::close_out::write_off(
                store,
                reach(setup),
                &school,
                &station,
                &reason,
                &session,
            ) {
                Ok(()) => campus_gate(setup, &school),
                Err(error) => refused(error, StoreEvent::CampusRefused)?,
            }
        }
        StoreJob::CampusCloseOut {
            school,
            calendar,
            session,
        } => {
            match station::close_out::close_out(
                store,
                reach(setup),
                &setup.photos_dir,
                &school,
                today(),
                &calendar,
                &session,
            ) {
                Ok(outcome) => StoreEvent::CampusClosed(Box::new(outcome)),
                Err(error) => refused(error, StoreEvent::CampusRefused)?,
            }
        }
        StoreJob::PreviewImport { path, session } => {
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => std::sync::Arc::new(bytes),
                Err(error) => {
                    return Ok(StoreEvent::ImportRefused(Message::file(&path, &error)));
                }
            };
            match station::import::preview(
                store,
                reach(setup),
                &bytes,
                &import_options(setup),
                &session,
            ) {
                Ok(preview) => StoreEvent::ImportPreviewed {
                    path,
                    bytes,
                    preview: Box::new(preview),
                },
                Err(error) => refused(error, StoreEvent::ImportRefused)?,
            }
        }
        StoreJob::Import {
            bytes,
            label,
            session,
        } => {
            match station::import::import(
                store,
                reach(setup),
                &setup.photos_dir,
                &bytes,
                &label,
                &import_options(setup),
                &session,
            ) {
                Ok(report) => StoreEvent::Imported(Box::new(report)),
                Err(error) => refused(error, StoreEvent::ImportRefused)?,
            }
        }
        StoreJob::WriteRejectedRows {
            bytes,
            rejected,
            session,
        } => {
            store.authorize(&session, Permission::ImportBookings, None)?;
            // The workbook goes back to the office: Chinese, like its headers.
            let reasons: Vec<(usize, String)> = rejected
                .iter()
                .map(|rejection| {
                    let reason = crate::i18n::errors::row_problems(
                        &rejection.problems,
                        crate::config::Language::Chinese,
                    );
                    (rejection.row, reason)
                })
                .collect();
            let workbook = crate::transfer::rejected_rows::rejected_rows_xlsx(&bytes, &reasons)?;
            StoreEvent::FileWritten(write_export(setup, "导入问题行", &workbook)?)
        }
        StoreJob::LoadReport {
            school,
            station_name,
        } => {
            let mut report = store.school_report(&school, None)?;
            report.name_stations(store.station_id(), &station_name);
            StoreEvent::ReportLoaded(Box::new(report))
        }
        StoreJob::WriteReport {
            school,
            station_name,
            session,
        } => {
            store.authorize(&session, Permission::Export, Some(&school))?;
            let mut report = store.school_report(&school, None)?;
            report.name_stations(store.station_id(), &station_name);
            let bytes = crate::transfer::report_sheet::report_xlsx(&report)?;
            StoreEvent::FileWritten(write_export(setup, &format!("报表-{school}"), &bytes)?)
        }
        StoreJob::RecordEvent {
            kind,
            subject,
            session,
        } => {
            store.record_supervisor_exception(kind, &subject, &session)?;
            StoreEvent::Recorded
        }
        StoreJob::SaveSettings { file, session } => {
            store.authorize(&session, Permission::ChangeSettings, None)?;
            StoreEvent::SettingsSaved(Box::new(crate::config::StationConfig::save(
                &setup.data_dir,
                *file,
            )?))
        }
        StoreJob::SignIn { name, pin, elevate } => {
            match station::accounts::sign_in(store, reach(setup), &name, &pin) {
                Ok(session) => StoreEvent::SignedIn { session, elevate },
                Err(
                    error @ (StoreError::WrongPin { .. }
                    | StoreError::LockedOut { .. }
                    | StoreError::Refused(_)),
                ) => StoreEvent::SignInRefused {
                    message: Message::of(&error),
                    elevate,
                },
                Err(error) => return Err(error.into()),
            }
        }
        StoreJob::CreateFirstSupervisor { name, pin } => {
            match store.create_first_supervisor(&name, &pin) {
                Ok(session) => StoreEvent::SignedIn {
                    session,
                    elevate: false,
                },
                Err(error @ (StoreError::Refused(_) | StoreError::Forbidden { .. })) => {
                    StoreEvent::SignInRefused {
                        message: Message::of(&error),
                        elevate: false,
                    }
                }
                Err(error) => return Err(error.into()),
            }
        }
        StoreJob::SignOut { session, reason } => {
            store.logout(&session, reason)?;
            StoreEvent::Accounts(store.user_count()?)
        }
        StoreJob::LoadUsers => StoreEvent::Users(store.users()?),
        StoreJob::LogRefusal {
            session,
            permission,
        } => {
            // The window already said why; only the log entry is wanted here.
            if store.authorize(&session, permission, None).is_ok() {
                tracing::warn!("a refusal in the window was allowed by the store");
            }
            StoreEvent::Recorded
        }
        StoreJob::AddUser {
            name,
            role,
            pin,
            session,
        } => {
            station::accounts::add_user(store, reach(setup), &session, &name, role, &pin)?;
            StoreEvent::Users(store.users()?)
        }
        StoreJob::ResetPin { name, pin, session } => {
            station::accounts::reset_pin(store, reach(setup), &session, &name, &pin)?;
            StoreEvent::PinReset {
                name,
                users: store.users()?,
            }
        }
        StoreJob::SetDisabled {
            name,
            disabled,
            session,
        } => {
            station::accounts::set_disabled(store, reach(setup), &session, &name, disabled)?;
            StoreEvent::Users(store.users()?)
        }
    })
}

/// The station's reach: the campus link once it joined.
fn reach(setup: &StoreSetup) -> station::Reach<'_> {
    station::Reach::of(setup.campus.get().map(|link| link.as_ref()))
}

/// A use case's own answer as the event that shows it beside the operation; a failure of the
/// store stays an error, reported as the area's failure.
fn refused(error: station::StationError, event: fn(Message) -> StoreEvent) -> Result<StoreEvent> {
    if error.is_store() {
        return Err(error.into());
    }
    Ok(event(error.message()))
}

fn campus_gate(setup: &StoreSetup, school: &str) -> StoreEvent {
    match station::close_out::gate(reach(setup), school) {
        Ok(view) => StoreEvent::CampusGate(Box::new(view)),
        Err(error) => StoreEvent::CampusRefused(error.message()),
    }
}

fn refunds(store: &Store, school: &str) -> Result<StoreEvent> {
    let rows = store.refunds(school)?;
    let summary = crate::store::close_out::RefundSummary::of(&rows, today());
    Ok(StoreEvent::Refunds { rows, summary })
}

/// Writes a spreadsheet into `<data>/exports/`, named with the date and time.
fn write_export(setup: &StoreSetup, stem: &str, bytes: &[u8]) -> Result<PathBuf> {
    let stamp = Local::now().format("%Y%m%d-%H%M%S");
    let path = setup
        .data_dir
        .join("exports")
        .join(format!("{stem}-{stamp}.xlsx"));
    crate::store::photo_files::write_atomically(&path, bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// The booking with what the operator must see first: the earlier photo and the window check.
fn card_for(store: &Store, setup: &StoreSetup, booking: BookingView) -> Result<BookingCard> {
    let previous_photo = store
        .captures_for(&booking.booking_id)?
        .into_iter()
        .rev()
        .find(|capture| !capture.superseded)
        .and_then(|capture| thumbnail(&setup.photos_dir.join(&capture.photo_path)));
    let windows = store
        .collection_windows(&booking.student.school)
        .unwrap_or_default();
    let within_window = (!windows.is_empty())
        .then(|| crate::domain::collection::within_period(&windows, Local::now().naive_local()));
    Ok(BookingCard {
        booking,
        previous_photo,
        within_window,
        window_overridden: false,
        saved: false,
    })
}

fn thumbnail(path: &std::path::Path) -> Option<RgbImage> {
    let bytes = std::fs::read(path).ok()?;
    let image = crate::scan::image_input::decode_rgb(&bytes).ok()?;
    Some(image::imageops::thumbnail(&image, 120, 160))
}

/// Whether a booking found by the walk-in's capture code is the student at the desk: the same
/// ID number when both have one, else the same name.
fn same_student(existing: &BookingView, walk_in: &NewBooking) -> bool {
    match (&existing.student.id_number, &walk_in.id_number) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => existing.student.name.trim() == walk_in.name.trim(),
    }
}

/// The booking that already holds this ID number, student number (same school) or capture code,
/// and which of them matched.
fn existing_booking(
    store: &Store,
    booking: &NewBooking,
) -> Result<Option<(BookingView, MatchKind)>> {
    let probes = [
        (booking.capture_code.as_deref(), MatchKind::CaptureCode),
        (booking.id_number.as_deref(), MatchKind::IdNumber),
        (booking.student_no.as_deref(), MatchKind::StudentNo),
    ];
    for (value, kind) in probes {
        let Some(value) = value else { continue };
        let found = store.lookup(value, 5)?.into_iter().find(|hit| {
            hit.matched_by == kind
                && (kind != MatchKind::StudentNo || hit.booking.student.school == booking.school)
        });
        if let Some(hit) = found {
            return Ok(Some((hit.booking, kind)));
        }
    }
    Ok(None)
}

fn school_rows(store: &Store) -> Result<Vec<SchoolRow>> {
    let mut rows = Vec::new();
    for school in store.schools()? {
        let windows = store
            .collection_window_rows(&school.name)?
            .into_iter()
            .map(|(id, w)| (id, w.first_day.to_string(), w.last_day.to_string()))
            .collect();
        rows.push(SchoolRow {
            name: school.name,
            windows,
        });
    }
    Ok(rows)
}
