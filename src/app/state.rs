//! Everything the screens read: the current card and shot, the forms, the supervisor's session
//! and the status-bar figures. Workers never touch this; the app updates it from their events.

use std::path::PathBuf;
use std::time::Instant;

use image::RgbImage;

use crate::config::{ConfigFile, Language};
use crate::domain::CorrectableField;
use crate::portrait::pipeline::PortraitReport;
use crate::store::{BookingView, CorrectionRecord, DayCounts, LookupHit};

/// The three screens, in tab order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub enum Screen {
    #[default]
    Operator,
    WalkIn,
    Supervisor,
}

/// Which of the window's two faces is up: the operator's, or a supervisor's signed in over
/// it (an account's role is [`crate::store::Role`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowRole {
    Operator,
    Supervisor,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseHealth {
    Opening,
    /// Seeding the demo database in the background.
    Preparing,
    Healthy,
    Failed(crate::i18n::Message),
}

pub use crate::camera::CameraName;

/// A message shown in the notice strip: until the next one, or until the place that raised it
/// next succeeds (a fixed form does not keep saying what was wrong with it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: NoticeLevel,
    pub text: crate::i18n::Message,
    pub area: Area,
}

/// Where a message belongs: the form or screen whose action raised it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    SignIn,
    Capture,
    WalkIn,
    Corrections,
    Retakes,
    Schools,
    CloseOut,
    Report,
    Import,
    Export,
    Campus,
    Settings,
    Accounts,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Success,
    Warning,
    Error,
}

/// A booking found for the student at the counter, with what the operator must know first.
#[derive(Debug, Clone)]
pub struct BookingCard {
    pub booking: BookingView,
    /// The current photo, if the booking is already captured.
    pub previous_photo: Option<RgbImage>,
    /// `Some(false)` when the school has collection windows and today is in none of them.
    pub within_window: Option<bool>,
    /// A supervisor let this student be shot outside the collection windows.
    pub window_overridden: bool,
    /// The photo was just saved at this station.
    pub saved: bool,
}

/// What the card area shows after a scan, a search pick or a walk-in.
#[derive(Debug, Clone)]
pub enum CardState {
    Empty,
    Looking(String),
    Found(Box<BookingCard>),
    Unknown(String),
}

/// Why the operator cannot shoot the card's student right now, if they cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShootBlock {
    NoCard,
    Cancelled,
    Refunded,
    AlreadyCaptured,
    /// The student said the record is wrong: a supervisor corrects it (or overrides) first.
    DetailsDisputed,
    OutsideWindow,
}

impl ShootBlock {
    /// What the operator is told when Space is refused.
    pub fn text(self, t: &crate::i18n::Texts) -> &'static str {
        match self {
            Self::NoCard => t.scan_first,
            Self::Cancelled => t.blocked_cancelled,
            Self::Refunded => t.blocked_refunded,
            Self::AlreadyCaptured => t.already_captured,
            Self::DetailsDisputed => t.details_disputed,
            Self::OutsideWindow => t.outside_window,
        }
    }
}

impl BookingCard {
    pub fn shoot_block(&self) -> Option<ShootBlock> {
        use crate::domain::BookingStatus::*;
        match self.booking.status() {
            Some(Cancelled) => Some(ShootBlock::Cancelled),
            Some(RefundPending) | Some(Refunded) => Some(ShootBlock::Refunded),
            Some(Captured) if !self.booking.retake_approved => Some(ShootBlock::AlreadyCaptured),
            _ if self.booking.details_disputed => Some(ShootBlock::DetailsDisputed),
            _ if self.within_window == Some(false) && !self.window_overridden => {
                Some(ShootBlock::OutsideWindow)
            }
            _ => None,
        }
    }
}

/// Operator nudges on top of the automatic crop: steps of 2% of the crop, zoom steps of 4%.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Nudge {
    pub right: i32,
    pub down: i32,
    pub zoom_in: i32,
}

/// The shot beside the live view. Every shot belongs to the card it was taken for: a result
/// that arrives for another card is dropped.
#[derive(Debug, Clone)]
pub enum ShotState {
    None,
    Processing {
        shot_id: u64,
        booking_id: String,
        started: Instant,
    },
    Ready {
        shot_id: u64,
        image: RgbImage,
        jpeg: Vec<u8>,
        report: PortraitReport,
        override_armed: bool,
        /// Sent to the store; kept here until it confirms, so a failed save loses nothing.
        saving: bool,
    },
    Failed {
        shot_id: u64,
        report: PortraitReport,
    },
    Saved {
        shot_id: u64,
        image: RgbImage,
    },
}

impl ShotState {
    /// A taken, unsaved photo (shown, or being made or re-cropped): nothing may drop it
    /// without the operator's R.
    pub fn holds_unsaved_photo(&self) -> bool {
        matches!(self, Self::Ready { .. } | Self::Processing { .. })
    }

    /// A photo shown that passed its checks, so that Enter saves it.
    pub fn enter_saves(&self) -> bool {
        matches!(self, Self::Ready { report, .. } if report.ok)
    }
}

/// A scan that arrived while the operator was busy with the card: shown as 下一位 and taken
/// when the operator presses Esc or the photo is saved, never in place of the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextUp {
    pub code: String,
    /// The booking's student, once the store has answered; `Some(None)`: no booking.
    pub name: Option<Option<String>>,
    /// The store's answer says this student's photo is already saved.
    pub captured: bool,
}

impl NextUp {
    /// Whether the held scan keeps its place against a newer one: a booked student still to be
    /// photographed (first come, first served), or one the store has not named yet. A code
    /// with no booking, or a student already photographed, gives way to the next phone shown.
    pub fn keeps_its_place(&self) -> bool {
        match &self.name {
            None => true,
            Some(Some(_)) => !self.captured,
            Some(None) => false,
        }
    }
}

/// What the operator saw on the card when the last frame was drawn: keys act on this.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ShownCard {
    #[default]
    Nothing,
    Booking(String),
    Unknown(String),
}

#[derive(Debug, Clone, Default)]
pub struct SearchState {
    pub open: bool,
    pub query: String,
    pub results: Vec<LookupHit>,
    pub focus_requested: bool,
    pub generation: u64,
}

pub struct OperatorState {
    pub card: CardState,
    pub shot: ShotState,
    pub nudge: Nudge,
    pub search: SearchState,
    pub code_in_view: bool,
    /// Why the code in view has not read for a second, for the operator to fix.
    pub scan_hint: Option<crate::scan::decode::UnreadTrouble>,
    /// The live advice on the newest frame's face, and how many frames a second it covers.
    pub guidance: Option<crate::portrait::pipeline::Guidance>,
    pub guidance_per_second: f32,
    pub next_shot_id: u64,
    /// When the last scan arrived, to measure scan → card.
    pub scanned_at: Option<Instant>,
    pub card_latency_ms: Option<f64>,
    /// The 3-2-1 before the shot started here (when the countdown setting is on).
    pub countdown_started: Option<Instant>,
    /// A scan held back while the card was in use.
    pub next_up: Option<NextUp>,
    /// Portrait results that arrived for a shot no longer on screen, and were dropped.
    pub portrait_results_dropped: u64,
    /// The student whose photo was just saved, while the next one's card is looked up: the
    /// message then says both, so the save is confirmed even as the next card comes up.
    pub just_saved: Option<String>,
}

impl Default for OperatorState {
    fn default() -> Self {
        Self {
            card: CardState::Empty,
            shot: ShotState::None,
            nudge: Nudge::default(),
            search: SearchState::default(),
            code_in_view: false,
            scan_hint: None,
            guidance: None,
            guidance_per_second: 0.0,
            next_shot_id: 1,
            scanned_at: None,
            card_latency_ms: None,
            countdown_started: None,
            next_up: None,
            portrait_results_dropped: 0,
            just_saved: None,
        }
    }
}

/// Why a walk-in has no ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoIdReason {
    Lost,
    OcrFailed,
    OtherDocument,
}

impl NoIdReason {
    pub const ALL: [Self; 3] = [Self::Lost, Self::OcrFailed, Self::OtherDocument];

    /// Recorded in the booking's note, in Chinese like the rest of the records.
    pub fn record(self) -> &'static str {
        match self {
            Self::Lost => "无身份证：遗失",
            Self::OcrFailed => "无身份证：识别失败",
            Self::OtherDocument => "无身份证：其他证件",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkInForm {
    pub name: String,
    pub id_number: String,
    pub no_id_card: bool,
    pub no_id_reason: NoIdReason,
    pub student_no: String,
    pub school: String,
    pub department: String,
    pub major: String,
    pub level: String,
    pub phone: String,
    pub payment: crate::domain::PaymentMethod,
    pub amount: String,
    pub capture_code: String,
    /// The capture code was filled by the camera, not typed: flashed, and its owner named.
    pub code_from_camera: Option<CameraFilledCode>,
    /// The student cannot show a capture code now: booked without one, on purpose (the export
    /// then names such students before it starts).
    pub no_capture_code: bool,
    /// A school not known yet that staff confirmed is meant (a typo would make a new school).
    pub new_school_confirmed: Option<String>,
    /// The school typed is not known: the save asks to confirm it as new.
    pub school_unknown: bool,
    pub saving: bool,
    /// Why the last save was refused, kept beside the form until the next try.
    pub error: Option<String>,
}

/// A capture code the camera put into the walk-in form's empty field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraFilledCode {
    pub at: Instant,
    /// The student already booked with this code, once the store has answered: `Some(None)`
    /// means no booking has it.
    pub owner: Option<Option<String>>,
}

impl WalkInForm {
    pub fn new(amount_fen: i64, payment: crate::domain::PaymentMethod) -> Self {
        Self {
            name: String::new(),
            id_number: String::new(),
            no_id_card: false,
            no_id_reason: NoIdReason::Lost,
            student_no: String::new(),
            school: String::new(),
            department: String::new(),
            major: String::new(),
            level: String::new(),
            phone: String::new(),
            payment,
            amount: crate::domain::money::format_yuan(amount_fen),
            capture_code: String::new(),
            code_from_camera: None,
            no_capture_code: false,
            new_school_confirmed: None,
            school_unknown: false,
            saving: false,
            error: None,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SupervisorTab {
    #[default]
    Corrections,
    Retakes,
    Schools,
    CloseOut,
    Report,
    Import,
    Export,
    Campus,
    Settings,
}

/// 主管 → 校区: joining a campus, and the campus as its server sees it.
#[derive(Debug, Clone, Default)]
pub struct CampusScreen {
    pub token: String,
    pub station_name: String,
    /// The campus this station joined (station name, server without password).
    pub joined: Option<JoinedCampus>,
    /// The last join code issued here for the next station.
    pub join_code: Option<crate::app::campus_worker::ShownJoinCode>,
    pub busy: bool,
    pub error: Option<crate::i18n::Message>,
    pub overview: Option<crate::app::campus_worker::CampusOverview>,
    /// The conflict shown with its two photos (current, other).
    pub conflict_photos: Option<ConflictPhotosShown>,
    /// The close-out of one school for the whole campus.
    pub close: CampusCloseForm,
    /// The station the supervisor asked to revoke, waiting for the confirmation.
    pub revoke_confirm: Option<String>,
}

/// 校区结算: the school chosen, its gate and report from the server, a write-off being typed,
/// and the last outcome.
#[derive(Debug, Clone, Default)]
pub struct CampusCloseForm {
    pub school: String,
    pub gate: Option<crate::app::store_worker::CampusGateView>,
    pub write_off_station: String,
    pub write_off_reason: String,
    /// A seal, write-off or close-out is on its way to the server.
    pub busy: bool,
    pub outcome: Option<crate::campus::close_out::CampusCloseOutcome>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinedCampus {
    pub station: String,
    pub server: String,
}

#[derive(Debug, Clone)]
pub struct ConflictPhotosShown {
    pub conflict_id: i64,
    pub current: Option<image::RgbImage>,
    pub other: Option<image::RgbImage>,
}

/// The naming templates offered in the window, in the CLI's syntax.
pub const EXPORT_NAMINGS: [&str; 3] = [
    "{capture_code}.jpg",
    "{id_number}.jpg",
    "{student_no}_{name}.jpg",
];

/// 导出照片: the form, the space check, the progress and the verified outcome.
#[derive(Debug, Clone, Default)]
pub struct ExportState {
    pub school: String,
    /// Index into [`EXPORT_NAMINGS`].
    pub naming: usize,
    /// The target folder (a USB stick, usually), typed or dropped.
    pub folder: String,
    pub only_reexports: bool,
    pub plan: Option<crate::transfer::school_export::ExportPlan>,
    pub busy: bool,
    /// Photos done and in all, while exporting.
    pub progress: Option<(usize, usize)>,
    pub result: Option<crate::transfer::school_export::SchoolExport>,
    /// Why the export was refused or failed.
    pub refused: Option<crate::i18n::Message>,
    /// The system's folder dialog is open.
    pub picking: bool,
    /// No folder dialog could be shown: the tab says how else to give the folder.
    pub no_folder_dialog: bool,
}

/// 导入预约: the file picked or dropped, its preview, and the import's outcome.
#[derive(Debug, Clone, Default)]
pub struct ImportState {
    /// The path as typed or dropped.
    pub path: String,
    /// The bytes previewed: the import writes exactly these, even if the file changes meanwhile.
    pub bytes: Option<std::sync::Arc<Vec<u8>>>,
    pub preview: Option<crate::transfer::ImportPreview>,
    /// Previewing or importing on the store thread.
    pub busy: bool,
    pub result: Option<crate::transfer::ImportReport>,
    /// Why the file was refused (missing header, unreadable); nothing was written.
    pub refused: Option<crate::i18n::Message>,
    /// The system's file dialog is open.
    pub picking: bool,
    /// The system could show no file dialog: the screen says how else to give the file.
    pub no_file_dialog: bool,
}

/// 结束采集 and 报表: the close-out preview and result, the school's refunds, its report.
#[derive(Debug, Clone, Default)]
pub struct CloseOutState {
    pub school: String,
    pub preview: Option<crate::store::close_out::ClosePreview>,
    pub force: bool,
    /// 确认结束采集 was pressed: the window asks once more, with the count and the amount.
    pub confirming: bool,
    pub outcome: Option<crate::store::close_out::CloseOutcome>,
    pub refunds: Vec<crate::store::close_out::RefundRow>,
    pub summary: crate::store::close_out::RefundSummary,
    /// The reference typed for each pending order, by order number.
    pub references: std::collections::HashMap<String, String>,
    pub report: Option<crate::store::report::SchoolReport>,
    pub written: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct CorrectionForm {
    pub field: CorrectableField,
    pub value: String,
    pub reason: String,
    pub confirm_after_capture: bool,
}

impl Default for CorrectionForm {
    fn default() -> Self {
        Self {
            field: CorrectableField::Name,
            value: String::new(),
            reason: String::new(),
            confirm_after_capture: false,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SchoolRow {
    pub name: String,
    /// (window id, first day, last day) as editable text.
    pub windows: Vec<(String, String, String)>,
}

/// The sign-in screen (and the supervisor's sign-in over an operator's session).
#[derive(Default)]
pub struct SignInForm {
    pub name: String,
    pub pin: String,
    /// Only when creating the first supervisor.
    pub pin_again: String,
    pub busy: bool,
    pub message: Option<crate::i18n::Message>,
}

/// Accounts the supervisor manages from 设置.
#[derive(Debug, Clone, Default)]
pub struct UsersState {
    pub list: Vec<crate::store::UserSummary>,
    pub new_name: String,
    pub new_role: Option<crate::store::Role>,
    pub new_pin: String,
    /// The new PIN typed for an account, while its reset is open.
    pub reset: Option<(String, String)>,
    /// Why the last change to the accounts was refused, shown under the accounts' form.
    pub error: Option<crate::i18n::Message>,
    /// The account being added, until the store's list shows it (then 已添加账户 is said).
    pub adding: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct SupervisorState {
    pub pin: String,
    /// The supervisor's name for signing in over the booth's session.
    pub name: String,
    pub users: UsersState,
    pub tab: SupervisorTab,
    pub search: SearchState,
    pub selected: Option<BookingView>,
    pub history: Vec<CorrectionRecord>,
    pub correction: CorrectionForm,
    pub schools: Vec<SchoolRow>,
    /// The store has answered with the schools at least once (until then a school typed at the
    /// walk-in desk cannot be told new).
    pub schools_loaded: bool,
    pub new_school: String,
    pub new_first_day: String,
    pub new_last_day: String,
    pub settings: ConfigFile,
    pub settings_error: Option<crate::i18n::Message>,
    /// Why the last correction was refused, shown beside the correction form.
    pub correction_error: Option<crate::i18n::Message>,
    pub close_out: CloseOutState,
    pub import: ImportState,
    pub export: ExportState,
    pub campus: CampusScreen,
}

pub struct AppState {
    pub screen: Screen,
    pub language: Language,
    pub demo: bool,
    pub station_name: String,
    pub data_dir: PathBuf,
    pub database_path: PathBuf,
    pub database: DatabaseHealth,
    /// The camera running, as the status bar names it.
    pub camera_name: CameraName,
    pub camera_live: bool,
    /// Why the camera is down (shown in the status bar until it is live again).
    pub camera_fault: Option<crate::camera::CameraFault>,
    pub camera_fps: f32,
    /// What the window shows: supervisor screens while a supervisor session is active.
    pub role: WindowRole,
    /// Who is signed in at the booth. None: the sign-in (or first-run) screen.
    pub session: Option<crate::store::Session>,
    /// A supervisor signed in over the booth's session (to approve, correct, close out).
    pub elevated: Option<crate::store::Session>,
    /// Active accounts in the store; 0 means the first supervisor must be created.
    pub accounts: Option<usize>,
    pub sign_in: SignInForm,
    /// The last key press, click or scan: after `idle_logout` without one, everyone is signed out.
    pub last_activity: Instant,
    pub counts: DayCounts,
    pub notice: Option<Notice>,
    pub operator: OperatorState,
    pub walk_in: WalkInForm,
    pub supervisor: SupervisorState,
    /// The campus sync's state, when this station joined a campus.
    pub campus: Option<crate::campus::sync::CampusStatus>,
    /// Where the student's screen shows, and its size when it is a window of its own.
    pub student_screen: crate::config::StudentScreenMode,
    /// How many monitors the desktop has (unknown in tests): the student's screen set to a
    /// monitor that is not there shows as the inset, never as a window over the operator's.
    pub monitors: Option<usize>,
    pub student_window_size: [f32; 2],
    /// Count 3-2-1 on the student's screen before each shot.
    pub countdown: bool,
    /// The first-run guide, while it shows (a real booth whose store has no account yet).
    pub first_run: Option<super::first_run::FirstRun>,
    /// The window's close was asked for while a photo is unsaved: the dialog shows.
    pub close_dialog: bool,
    /// The operator chose to close anyway.
    pub close_confirmed: bool,
}

impl AppState {
    pub fn texts(&self) -> &'static crate::i18n::Texts {
        crate::i18n::for_language(self.language)
    }

    /// A message for the screen in front of the person now.
    pub fn notify(&mut self, level: NoticeLevel, text: impl Into<crate::i18n::Message>) {
        let area = self.area_now();
        self.notify_in(area, level, text);
    }

    /// After the language changed: a message written in the old language only (most of the
    /// window's own, formatted as they were raised) goes rather than stay in the other language.
    pub fn drop_notice_in_one_language(&mut self) {
        if self.notice.as_ref().is_some_and(|notice| {
            notice.text.text(Language::Chinese) == notice.text.text(Language::English)
        }) {
            self.notice = None;
        }
    }

    /// A message that belongs to `area` (a worker's answer to a job from there).
    pub fn notify_in(
        &mut self,
        area: Area,
        level: NoticeLevel,
        text: impl Into<crate::i18n::Message>,
    ) {
        self.notice = Some(Notice {
            level,
            text: text.into(),
            area,
        });
    }

    /// Takes down the capture screen's good news (已识别 X, 已保存 X) when the card it was about
    /// goes; warnings and errors stay until something replaces them.
    pub fn clear_card_notice(&mut self) {
        if self.notice.as_ref().is_some_and(|notice| {
            notice.area == Area::Capture
                && matches!(notice.level, NoticeLevel::Success | NoticeLevel::Info)
        }) {
            self.notice = None;
        }
    }

    /// The place in front of the person: the screen, and the supervisor's tab.
    pub fn area_now(&self) -> Area {
        if self.session.is_none() {
            return Area::SignIn;
        }
        match self.screen {
            Screen::Operator => Area::Capture,
            Screen::WalkIn => Area::WalkIn,
            Screen::Supervisor => match self.supervisor.tab {
                SupervisorTab::Corrections => Area::Corrections,
                SupervisorTab::Retakes => Area::Retakes,
                SupervisorTab::Schools => Area::Schools,
                SupervisorTab::CloseOut => Area::CloseOut,
                SupervisorTab::Report => Area::Report,
                SupervisorTab::Import => Area::Import,
                SupervisorTab::Export => Area::Export,
                SupervisorTab::Campus => Area::Campus,
                SupervisorTab::Settings => Area::Settings,
            },
        }
    }

    /// `area`'s action went through: what was wrong there is no longer said, in the notice
    /// strip or beside the form.
    pub fn succeeded(&mut self, area: Area) {
        if self.notice.as_ref().is_some_and(|notice| {
            notice.area == area && matches!(notice.level, NoticeLevel::Error | NoticeLevel::Warning)
        }) {
            self.notice = None;
        }
        match area {
            Area::SignIn => self.sign_in.message = None,
            Area::WalkIn => self.walk_in.error = None,
            Area::Import => self.supervisor.import.refused = None,
            Area::Export => self.supervisor.export.refused = None,
            Area::Campus => self.supervisor.campus.error = None,
            Area::Settings => self.supervisor.settings_error = None,
            Area::Accounts => self.supervisor.users.error = None,
            Area::Corrections => self.supervisor.correction_error = None,
            Area::Capture
            | Area::Retakes
            | Area::Schools
            | Area::CloseOut
            | Area::Report
            | Area::Other => {}
        }
    }

    pub fn card(&self) -> Option<&BookingCard> {
        match &self.operator.card {
            CardState::Found(card) => Some(card),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StudentView;

    fn card(status: &str, retake_approved: bool, within_window: Option<bool>) -> BookingCard {
        BookingCard {
            booking: BookingView {
                booking_id: "b".to_string(),
                order_no: None,
                source: "walk_in".to_string(),
                status: status.to_string(),
                amount_fen: 0,
                payment_method: "cash".to_string(),
                paid_at: None,
                slot: None,
                note: None,
                capture_code: None,
                retake_approved,
                details_disputed: false,
                student: StudentView {
                    id: "s".to_string(),
                    name: "张三".to_string(),
                    sex: None,
                    id_number: None,
                    has_id_card: true,
                    student_no: None,
                    school: "示例大学".to_string(),
                    department: None,
                    major: None,
                    level: None,
                    phone: None,
                },
            },
            previous_photo: None,
            within_window,
            window_overridden: false,
            saved: false,
        }
    }

    #[test]
    fn who_may_be_shot() {
        assert_eq!(card("booked", false, None).shoot_block(), None);
        assert_eq!(card("booked", false, Some(true)).shoot_block(), None);
        assert_eq!(
            card("booked", false, Some(false)).shoot_block(),
            Some(ShootBlock::OutsideWindow)
        );
        let mut overridden = card("booked", false, Some(false));
        overridden.window_overridden = true;
        assert_eq!(overridden.shoot_block(), None);
        assert_eq!(
            card("captured", false, None).shoot_block(),
            Some(ShootBlock::AlreadyCaptured)
        );
        assert_eq!(card("captured", true, None).shoot_block(), None);
        assert_eq!(
            card("cancelled", false, None).shoot_block(),
            Some(ShootBlock::Cancelled)
        );
        assert_eq!(
            card("refund_pending", false, None).shoot_block(),
            Some(ShootBlock::Refunded)
        );
        assert_eq!(
            card("refunded", true, None).shoot_block(),
            Some(ShootBlock::Refunded)
        );
    }
}
