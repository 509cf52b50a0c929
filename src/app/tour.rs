//! `capture-station screenshot`: walks through every screen of the demo (a scan, a shot, the
//! walk-in form with a bad ID number, the supervisor's screens, English, sign-in) and saves a PNG of
//! each, so the window can be checked by eye at the booth laptop's 1366×768.

use crate::app::accounts::AccountsCommand;
use crate::app::campus::CampusCommand;
use crate::app::capture::CaptureCommand;
use crate::app::close_out::CloseOutCommand;
use crate::app::corrections::CorrectionsCommand;
use crate::app::transfer::TransferCommand;
use crate::app::walk_in_desk::WalkInCommand;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::StationApp;
use super::command::Command;
use super::first_run::FirstRunStep;
use super::state::{CardState, Screen, ShotState, SupervisorTab, WindowRole};
use crate::config::Language;

/// The longest one step waits for what it shows (a scan, a shot) before taking the picture.
const STEP_TIMEOUT: Duration = Duration::from_secs(20);
/// Frames drawn after a step is ready, so layout and textures settle.
const SETTLE_FRAMES: u32 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scene {
    OperatorCard,
    OperatorPhoto,
    WalkIn,
    SupervisorLogin,
    Corrections,
    Schools,
    CloseOut,
    ImportPreview,
    ExportPlan,
    Campus,
    Settings,
    English,
    SignIn,
    StudentRecord,
    StudentCountdown,
    StudentResult,
    StudentThanks,
    StudentDisputed,
    StudentWaiting,
    FirstRunCamera,
    FirstRunAccount,
    FirstRunStation,
    FirstRunImportPreview,
    FirstRunImported,
    FirstRunCampus,
    FirstRunSummary,
    FirstRunSummaryEnglish,
}

const SHOTS: [(Scene, &str); 13] = [
    (Scene::OperatorCard, "1-operator-card"),
    (Scene::OperatorPhoto, "2-operator-shot"),
    (Scene::WalkIn, "3-walk-in"),
    (Scene::SupervisorLogin, "4-supervisor-login"),
    (Scene::Corrections, "5-corrections"),
    (Scene::Schools, "6-schools"),
    (Scene::CloseOut, "7-close-out-preview"),
    (Scene::ImportPreview, "8-import-preview"),
    (Scene::ExportPlan, "9-export"),
    (Scene::Campus, "9b-campus"),
    (Scene::Settings, "10-settings"),
    (Scene::English, "11-operator-english"),
    (Scene::SignIn, "12-sign-in"),
];

/// `screenshot --student`: the student's screen in each state, drawn full-window at the size
/// asked, while the tour drives the operator's side by commands.
const STUDENT_SHOTS: [(Scene, &str); 6] = [
    (Scene::StudentRecord, "s1-record-and-framing"),
    (Scene::StudentCountdown, "s2-countdown"),
    (Scene::StudentResult, "s3-result"),
    (Scene::StudentThanks, "s4-thanks"),
    (Scene::StudentDisputed, "s5-details-wrong"),
    (Scene::StudentWaiting, "s6-waiting"),
];

/// `screenshot --first-run`: the first-run guide of a fresh real booth (a throwaway folder, the
/// synthetic camera), step by step, driven by the guide's own commands.
const FIRST_RUN_SHOTS: [(Scene, &str); 8] = [
    (Scene::FirstRunCamera, "f1-camera"),
    (Scene::FirstRunAccount, "f2-supervisor"),
    (Scene::FirstRunStation, "f3-station"),
    (Scene::FirstRunImportPreview, "f4-import-preview"),
    (Scene::FirstRunImported, "f5-import-report"),
    (Scene::FirstRunCampus, "f6-campus"),
    (Scene::FirstRunSummary, "f7-summary"),
    (Scene::FirstRunSummaryEnglish, "f8-summary-english"),
];

/// The account the first-run tour creates in its throwaway folder.
const TOUR_SUPERVISOR: (&str, &str) = ("李主管", "864209");

enum Phase {
    Start,
    WaitReady { since: Instant, captured: bool },
    Settle(u32),
    Saving(Arc<AtomicBool>),
}

/// The app under a screenshot tour. Each frame the tour acts after the app has read its
/// workers' news and before it draws, as a person would between two frames. A tour saves no
/// window state: it shows the defaults and leaves none behind.
pub struct TourApp {
    app: StationApp,
    tour: Option<Tour>,
}

impl TourApp {
    pub fn new(app: StationApp, tour: Tour) -> Self {
        Self {
            app,
            tour: Some(tour),
        }
    }
}

impl eframe::App for TourApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.app.before_frame(&ctx);
        if let Some(mut tour) = self.tour.take()
            && !tour.step(&mut self.app, &ctx)
        {
            self.tour = Some(tour);
        }
        self.app.draw(ui, &ctx);
    }
}

pub struct Tour {
    dir: PathBuf,
    index: usize,
    phase: Phase,
    shots: &'static [(Scene, &'static str)],
    /// Whether the scene being photographed was reached before the wait ran out.
    reached: bool,
}

impl Tour {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            index: 0,
            phase: Phase::Start,
            shots: &SHOTS,
            reached: false,
        }
    }

    /// The student's screen's tour instead of the operator's.
    pub fn student(self) -> Self {
        Self {
            shots: &STUDENT_SHOTS,
            ..self
        }
    }

    /// The first-run guide's tour instead of the operator's.
    pub fn first_run(self) -> Self {
        Self {
            shots: &FIRST_RUN_SHOTS,
            ..self
        }
    }

    /// Advances the tour; returns true when every screenshot is saved (and closes the window).
    pub fn step(&mut self, app: &mut StationApp, ctx: &egui::Context) -> bool {
        ctx.request_repaint_after(Duration::from_millis(30));
        let Some(&(shot, name)) = self.shots.get(self.index) else {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return true;
        };
        self.phase = match std::mem::replace(&mut self.phase, Phase::Start) {
            Phase::Start => {
                prepare(app, shot);
                Phase::WaitReady {
                    since: Instant::now(),
                    captured: false,
                }
            }
            Phase::WaitReady {
                since,
                mut captured,
            } => {
                let shoots = matches!(shot, Scene::OperatorPhoto | Scene::StudentCountdown);
                let wants_a_student = shoots || matches!(shot, Scene::StudentRecord);
                // A student who cannot be shot (photographed on an earlier tour of this demo
                // folder): Esc, as the operator would, and the next code comes up.
                if wants_a_student
                    && app
                        .state
                        .card()
                        .is_some_and(|card| card.shoot_block().is_some())
                    && !app.state.operator.shot.holds_unsaved_photo()
                {
                    app.apply(Command::Capture(CaptureCommand::ClearCard));
                }
                if shoots && !captured && student_in_front(app) {
                    app.apply(Command::Capture(CaptureCommand::Capture {
                        booking_id: app.card_booking_id(),
                    }));
                    captured = true;
                }
                let reached = ready(app, shot);
                if reached || since.elapsed() > STEP_TIMEOUT {
                    self.reached = reached;
                    Phase::Settle(SETTLE_FRAMES)
                } else {
                    Phase::WaitReady { since, captured }
                }
            }
            Phase::Settle(0) => {
                let done = Arc::new(AtomicBool::new(false));
                let signal = Arc::clone(&done);
                let path = self.dir.join(format!("{name}.png"));
                // Each line says whether the scene was reached or the wait timed out, and whose
                // card is up, so that a script (the Windows test under Wine) can tell a real
                // screen from a stuck one and compare like with like (the demo's phones take
                // turns in front of the camera, so a slow run may find the second student).
                let outcome = if self.reached { "ready" } else { "timed-out" };
                let student = app
                    .state
                    .card()
                    .map(|card| card.booking.student.name.clone())
                    .unwrap_or_default();
                let callback =
                    egui::ScreenshotCallback::new(move |image: Arc<egui::ColorImage>| {
                        let [w, h] = image.size;
                        let bytes: Vec<u8> =
                            image.pixels.iter().flat_map(|p| p.to_array()).collect();
                        match image::RgbaImage::from_raw(w as u32, h as u32, bytes)
                            .map(|i| i.save(&path))
                        {
                            Some(Ok(())) => {
                                println!("{}\t{outcome}\t{student}", path.display())
                            }
                            other => {
                                eprintln!("screenshot {} not saved: {other:?}", path.display())
                            }
                        }
                        signal.store(true, Ordering::SeqCst);
                    });
                ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(callback));
                Phase::Saving(done)
            }
            Phase::Settle(frames) => Phase::Settle(frames - 1),
            Phase::Saving(done) if done.load(Ordering::SeqCst) => {
                self.index += 1;
                Phase::Start
            }
            saving @ Phase::Saving(_) => saving,
        };
        false
    }
}

/// The demo camera shows the student (not the phone) once no code is in view.
fn student_in_front(app: &StationApp) -> bool {
    app.card_found() && !app.state.operator.code_in_view && app.state.camera_live
}

fn prepare(app: &mut StationApp, shot: Scene) {
    match shot {
        Scene::OperatorCard | Scene::OperatorPhoto => app.apply(Command::Show(Screen::Operator)),
        Scene::WalkIn => {
            app.apply(Command::WalkIn(WalkInCommand::StartWalkIn {
                capture_code: Some("CSDEMO-WALKIN-0001".to_string()),
            }));
            app.state.walk_in.name = "王小明".to_string();
            app.state.walk_in.id_number = "110105200001010011".to_string();
            app.state.walk_in.school = "演示大学".to_string();
        }
        Scene::SupervisorLogin => {
            app.apply(Command::Accounts(AccountsCommand::Logout));
            app.apply(Command::Show(Screen::Supervisor));
        }
        Scene::Corrections => {
            app.apply(Command::Accounts(AccountsCommand::Login {
                name: super::demo::DEMO_SUPERVISOR.to_string(),
                pin: super::demo::DEMO_SUPERVISOR_PIN.to_string(),
            }));
            app.apply(Command::SupervisorTab(SupervisorTab::Corrections));
            app.apply(Command::Capture(CaptureCommand::Search {
                query: "王".to_string(),
                for_supervisor: true,
            }));
        }
        Scene::Schools => app.apply(Command::SupervisorTab(SupervisorTab::Schools)),
        // The preview only: the tour never closes the demo school.
        Scene::CloseOut => {
            app.apply(Command::SupervisorTab(SupervisorTab::CloseOut));
            app.apply(Command::CloseOut(CloseOutCommand::PreviewClose {
                school: super::demo::DEMO_SCHOOL.to_string(),
            }));
        }
        // The preview only, of a demo file written into the demo folder: nothing is imported.
        Scene::ImportPreview => match write_demo_order_file(&app.state.data_dir) {
            Ok(path) => app.apply(Command::Transfer(TransferCommand::PreviewImport { path })),
            Err(error) => tracing::warn!("tour: writing the demo order file: {error:#}"),
        },
        // The demo shot from the operator scenes is saved (demo data only), so that the export
        // has a photo; the tour checks the space but never writes the export.
        Scene::ExportPlan => {
            app.apply(Command::Capture(CaptureCommand::Accept {
                booking_id: app.card_booking_id(),
                override_checks: false,
            }));
            app.apply(Command::SupervisorTab(SupervisorTab::Export));
            app.state.supervisor.export.folder =
                app.state.data_dir.join("U盘").display().to_string();
        }
        Scene::Campus => {
            app.apply(Command::SupervisorTab(SupervisorTab::Campus));
            if app.state.supervisor.campus.joined.is_some() {
                app.apply(Command::Campus(CampusCommand::LoadGate(
                    super::demo::DEMO_SCHOOL.to_string(),
                )));
                app.apply(Command::Campus(CampusCommand::IssueJoinCode));
            }
        }
        Scene::Settings => app.apply(Command::SupervisorTab(SupervisorTab::Settings)),
        Scene::English => {
            app.apply(Command::SetLanguage(Language::English));
            app.apply(Command::Show(Screen::Operator));
        }
        Scene::SignIn | Scene::StudentWaiting => {
            app.apply(Command::SetLanguage(Language::Chinese));
            app.apply(Command::Capture(CaptureCommand::Retake));
            app.apply(Command::Accounts(AccountsCommand::SignOut));
        }
        Scene::StudentRecord => app.apply(Command::Show(Screen::Operator)),
        Scene::StudentCountdown => app.state.countdown = true,
        Scene::StudentResult => {}
        Scene::StudentThanks => app.apply(Command::Capture(CaptureCommand::Accept {
            booking_id: app.card_booking_id(),
            override_checks: false,
        })),
        Scene::StudentDisputed => app.apply(Command::Capture(CaptureCommand::ClearCard)),
        Scene::FirstRunCamera => {}
        Scene::FirstRunAccount => {
            app.apply(Command::FirstRunNext);
            let (name, pin) = TOUR_SUPERVISOR;
            app.state.sign_in.name = name.to_string();
            app.state.sign_in.pin = pin.to_string();
            app.state.sign_in.pin_again = pin.to_string();
        }
        Scene::FirstRunStation => {
            let (name, pin) = TOUR_SUPERVISOR;
            app.apply(Command::Accounts(AccountsCommand::CreateFirstSupervisor {
                name: name.to_string(),
                pin: pin.to_string(),
                pin_again: pin.to_string(),
            }));
        }
        Scene::FirstRunImportPreview | Scene::FirstRunCampus => app.apply(Command::FirstRunNext),
        Scene::FirstRunImported => app.apply(Command::Transfer(TransferCommand::ConfirmImport)),
        Scene::FirstRunSummary => app.apply(Command::FirstRunSkip),
        Scene::FirstRunSummaryEnglish => app.apply(Command::SetLanguage(Language::English)),
    }
}

/// Whether the guide shows `step` (and, once it does, what the tour fills in there).
fn guide_at(app: &mut StationApp, step: FirstRunStep) -> bool {
    let Some(guide) = &mut app.state.first_run else {
        return false;
    };
    if guide.step != step {
        return false;
    }
    match step {
        FirstRunStep::Station if guide.draft.station_name.is_none() => {
            guide.draft.station_name = Some("东门-1".to_string());
        }
        FirstRunStep::Import => {
            let import = &app.state.supervisor.import;
            if import.path.is_empty() && !import.busy {
                match write_demo_order_file(&app.state.data_dir) {
                    Ok(path) => {
                        app.apply(Command::Transfer(TransferCommand::PreviewImport { path }))
                    }
                    Err(error) => tracing::warn!("tour: writing the demo order file: {error:#}"),
                }
            }
        }
        _ => {}
    }
    true
}

fn ready(app: &mut StationApp, shot: Scene) -> bool {
    match shot {
        Scene::OperatorCard => app.card_found(),
        Scene::OperatorPhoto => matches!(
            app.state.operator.shot,
            ShotState::Ready { .. } | ShotState::Failed { .. }
        ),
        Scene::Corrections => {
            if app.state.supervisor.selected.is_none()
                && let Some(first) = app.state.supervisor.search.results.first()
            {
                let id = first.booking.booking_id.clone();
                app.apply(Command::Corrections(
                    CorrectionsCommand::SelectForCorrection(id),
                ));
            }
            app.state.role == WindowRole::Supervisor && app.state.supervisor.selected.is_some()
        }
        Scene::Schools => !app.state.supervisor.schools.is_empty(),
        Scene::CloseOut => app.state.supervisor.close_out.preview.is_some(),
        Scene::ImportPreview => app.state.supervisor.import.preview.is_some(),
        Scene::ExportPlan => {
            let export = &app.state.supervisor.export;
            let saved = matches!(app.state.operator.shot, ShotState::Saved { .. });
            if saved && export.plan.is_none() && !export.busy && !export.school.is_empty() {
                app.apply(Command::Transfer(TransferCommand::PlanExport));
            }
            app.state.supervisor.export.plan.is_some()
        }
        // A demo folder that joined a (training) campus waits for the server's overview and
        // the next station's join code.
        Scene::Campus => {
            let campus = &app.state.supervisor.campus;
            campus.joined.is_none()
                || campus.error.is_some()
                || (campus.overview.is_some()
                    && campus.join_code.is_some()
                    && !campus.close.busy
                    && !campus.busy)
        }
        Scene::Settings => !app.state.supervisor.users.list.is_empty(),
        Scene::SignIn | Scene::StudentWaiting => {
            app.state.session.is_none() && app.state.accounts.is_some()
        }
        Scene::StudentRecord => {
            student_in_front(app)
                && app
                    .state
                    .operator
                    .guidance
                    .as_ref()
                    .is_some_and(|g| g.face_found)
        }
        Scene::StudentCountdown => app.state.operator.countdown_started.is_some(),
        Scene::StudentResult => matches!(app.state.operator.shot, ShotState::Ready { .. }),
        Scene::StudentThanks => matches!(app.state.operator.shot, ShotState::Saved { .. }),
        Scene::FirstRunCamera => {
            app.state
                .first_run
                .as_ref()
                .is_some_and(|guide| guide.cameras.is_some())
                && app.state.camera_live
        }
        Scene::FirstRunAccount => guide_at(app, FirstRunStep::Supervisor),
        Scene::FirstRunStation => guide_at(app, FirstRunStep::Station),
        Scene::FirstRunImportPreview => {
            guide_at(app, FirstRunStep::Import) && app.state.supervisor.import.preview.is_some()
        }
        Scene::FirstRunImported => app.state.supervisor.import.result.is_some(),
        Scene::FirstRunCampus => guide_at(app, FirstRunStep::Campus),
        Scene::FirstRunSummary | Scene::FirstRunSummaryEnglish => {
            guide_at(app, FirstRunStep::Finished)
        }
        // The next booked student the demo camera shows says the record is wrong.
        Scene::StudentDisputed => match app.state.card() {
            Some(card) if card.booking.details_disputed => student_in_front(app),
            Some(card) if card.shoot_block().is_none() => {
                let booking_id = card.booking.booking_id.clone();
                app.apply(Command::Corrections(CorrectionsCommand::FlagDetails {
                    booking_id,
                }));
                false
            }
            Some(_) => {
                app.apply(Command::Capture(CaptureCommand::ClearCard));
                false
            }
            None => false,
        },
        _ => true,
    }
}

/// A CSV order export of 40 new demo students, two of them with mistakes (no name; a wrong ID
/// check character), as the office might send it: what the import preview is shown with.
fn write_demo_order_file(data_dir: &std::path::Path) -> anyhow::Result<PathBuf> {
    use crate::transfer::sample::{CsvEncoding, as_rows, sample_orders, write_csv};
    let mut rows = as_rows(&sample_orders(40, 9, super::demo::DEMO_SCHOOL));
    rows[6][1].clear();
    if let Some(id) = rows[12].get_mut(3)
        && let Some(last) = id.pop()
    {
        id.push(if last == '0' { '1' } else { '0' });
    }
    let path = data_dir.join("演示预约订单.csv");
    std::fs::write(&path, write_csv(&rows, CsvEncoding::Utf8Bom)?)?;
    Ok(path)
}

impl StationApp {
    fn card_found(&self) -> bool {
        matches!(self.state.operator.card, CardState::Found(_))
    }
}
