//! The app's per-frame work: drain worker events into the state, read the keyboard (operator
//! keys and wedge scanners), and apply commands by sending jobs to the workers.

use std::time::{Duration, Instant};

use chrono::Local;

use super::campus_worker::{CampusEvent, CampusJob};
use super::command::Command;
use super::events::AppEvent;
use super::keyboard::Typed;
use super::portrait_worker::{PortraitJob, PortraitOutcome};
use super::state::{
    Area, CardState, DatabaseHealth, JoinedCampus, NoticeLevel, Screen, ShootBlock, ShotState,
    SupervisorTab, WindowRole,
};
use super::store_worker::NotTaken;
use super::store_worker::{SaveRequest, StoreEvent, StoreJob};
use super::{StationApp, walk_in};
use crate::domain::CollectionWindow;
use crate::domain::correction::correction_reason;
use crate::portrait::geometry::CropAdjust;
use crate::scan::worker::ScanEvent;
use crate::store::{Permission, Role as AccountRole, Session};

/// How often the window redraws with nothing happening, to pick up camera status changes.
const CAMERA_STATUS_HEARTBEAT: Duration = Duration::from_millis(200);

/// Longest time one frame spends draining events, so a burst cannot stall drawing.
const DRAIN_BUDGET: Duration = Duration::from_millis(10);

/// A supervisor signed in over the booth's session is signed out after this long without a key,
/// click or scan (the booth's own user after `idle_logout`).
pub const SUPERVISOR_IDLE_LOGOUT: Duration = Duration::from_secs(120);

impl StationApp {
    pub(super) fn before_frame(&mut self, ctx: &egui::Context) {
        if let Some(campus) = self.campus.get() {
            let status = campus.status();
            // A sync may have brought bookings (an import at another booth, a close-out): the
            // status bar's counts follow.
            let synced =
                self.state.campus.as_ref().map(|c| &c.last_sync) != Some(&status.last_sync);
            self.state.campus = Some(status);
            if synced {
                self.send_store(StoreJob::RefreshCounts);
            }
        }
        let started = Instant::now();
        while started.elapsed() < DRAIN_BUDGET {
            match self.events.try_recv() {
                Ok(event) => self.handle_event(event),
                Err(_) => break,
            }
        }
        self.drain_scanner();
        if let Some(camera) = &self.camera {
            let status = camera.status();
            self.state.camera_live = status.is_live();
            self.state.camera_fault = match status {
                crate::camera::CameraStatus::Lost { reason } => Some(reason),
                _ => None,
            };
        } else {
            self.state.camera_live = self.hub.latest().is_some();
        }
        self.take_preview(ctx);
        self.finish_countdown();
        self.check_idle(ctx);
        self.read_keyboard(ctx);
    }

    pub(super) fn after_frame(&mut self, ctx: &egui::Context) {
        // A heartbeat: a camera that stops sends no frame to wake the window, yet the status
        // bar must show it within a second.
        ctx.request_repaint_after(CAMERA_STATUS_HEARTBEAT);
        if self.keys.is_collecting() {
            ctx.request_repaint_after(Duration::from_millis(50));
        }
        let processing = matches!(self.state.operator.shot, ShotState::Processing { .. });
        if processing || self.state.operator.countdown_started.is_some() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
    }

    /// Takes the shot once the 3-2-1 on the student's screen has run out.
    fn finish_countdown(&mut self) {
        let Some(started) = self.state.operator.countdown_started else {
            return;
        };
        if started.elapsed() >= super::student_view::COUNTDOWN {
            self.state.operator.countdown_started = None;
            self.shoot_now();
        }
    }

    fn take_preview(&mut self, ctx: &egui::Context) {
        let frame = {
            let mut slot = self.preview.slot.lock().unwrap_or_else(|p| p.into_inner());
            self.state.camera_fps = slot.fps;
            slot.frame.take()
        };
        {
            let slot = self.guidance.slot.lock().unwrap_or_else(|p| p.into_inner());
            let fresh = slot
                .frame_at
                .is_some_and(|at| at.elapsed() <= super::guidance::STALE_AFTER);
            self.state.operator.guidance = slot.latest.clone().filter(|_| fresh);
            self.state.operator.guidance_per_second = slot.per_second;
        }
        if let Some(frame) = frame {
            self.textures.set_preview(ctx, frame);
            if self.first_frame_ms.is_none() {
                let ms = self.started.elapsed().as_secs_f64() * 1000.0;
                self.first_frame_ms = Some(ms);
                tracing::info!(first_live_frame_ms = ms, "first live frame shown");
                if self.startup_probe {
                    println!(
                        "{}",
                        serde_json::json!({ "first_live_frame_ms": (ms * 10.0).round() / 10.0 })
                    );
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
        }
    }

    pub(super) fn drain_scanner(&mut self) {
        let mut scanned = Vec::new();
        if let Some(scanner) = &self.scanner {
            while let Some(event) = scanner.try_event() {
                match event {
                    ScanEvent::Scanned { payload, at } => {
                        scanned.push((payload.as_str().to_string(), at))
                    }
                    ScanEvent::CodeInView(in_view) => self.state.operator.code_in_view = in_view,
                    ScanEvent::Hint(hint) => self.state.operator.scan_hint = hint,
                    ScanEvent::Rejected { .. } => {}
                    ScanEvent::JoinToken(token) => {
                        let wanted = self.first_run_wants_join_token()
                            || (self.state.screen == Screen::Supervisor
                                && self.state.supervisor.tab == SupervisorTab::Campus);
                        let screen = &mut self.state.supervisor.campus;
                        if wanted && screen.joined.is_none() {
                            screen.token = token;
                        }
                    }
                }
            }
        }
        for (code, frame_at) in scanned {
            self.scanned(code);
            // Measure from the camera frame that carried the code, not from the decode.
            if matches!(&self.state.operator.card, CardState::Looking(_)) {
                self.state.operator.scanned_at = Some(frame_at);
            }
        }
    }

    /// A code from the camera or a wedge scanner.
    fn scanned(&mut self, code: String) {
        self.state.last_activity = Instant::now();
        // During the guide a code is not a student: nothing to resolve it against yet.
        if self.state.session.is_none() || self.state.first_run.is_some() {
            return;
        }
        match self.state.screen {
            Screen::Operator => self.apply(Command::ResolveCode(code)),
            // At the walk-in desk a scan fills the form's empty capture code, visibly, and the
            // code's owner is named if it already has a booking. It never replaces a code.
            Screen::WalkIn if self.state.walk_in.capture_code.trim().is_empty() => {
                let code = match self.config.capture_code_rules.validate(&code) {
                    Ok(code) => code.as_str().to_string(),
                    Err(_) => return,
                };
                self.state.walk_in.capture_code = code.clone();
                self.state.walk_in.code_from_camera = Some(super::state::CameraFilledCode {
                    at: Instant::now(),
                    owner: None,
                });
                self.send_store(StoreJob::ResolveCode(code));
            }
            // The phone whose code the form already holds is still in front of the camera.
            Screen::WalkIn if self.state.walk_in.capture_code.trim() == code.trim() => {}
            // Elsewhere a scan must not pull the screen away from a half-filled form. Said once
            // per phone: a code held in view is read many times a second.
            Screen::WalkIn | Screen::Supervisor => {
                if self.scan_elsewhere_said.as_deref() != Some(code.as_str()) {
                    let t = self.state.texts();
                    self.state.notify(NoticeLevel::Info, t.scan_elsewhere);
                    self.scan_elsewhere_said = Some(code);
                }
            }
        }
    }

    fn read_keyboard(&mut self, ctx: &egui::Context) {
        let text_field_focused = ctx.text_edit_focused();
        // The guide's screens are forms: the operator's keys mean nothing there. Nor behind the
        // close dialog: Enter there must not save the photo the dialog is asking about.
        if self.state.session.is_none() || self.state.first_run.is_some() || self.state.close_dialog
        {
            return;
        }
        if !text_field_focused && let Some(focused) = ctx.memory(|m| m.focused()) {
            // A button clicked with the mouse keeps focus, and a focused button also reacts to
            // Space and Enter: the operator's keys would press it twice. Only text fields keep
            // the keyboard.
            ctx.memory_mut(|m| m.surrender_focus(focused));
        }
        let (events, time) = ctx.input(|i| (i.events.clone(), i.time));
        if text_field_focused {
            return;
        }
        let shot_shown = matches!(
            self.state.operator.shot,
            ShotState::Ready { .. } | ShotState::Failed { .. }
        );
        // A nudge pressed before the result is up means nothing yet, and must not start a
        // search either.
        let shot_pending = matches!(self.state.operator.shot, ShotState::Processing { .. });
        let operator = self.state.screen == Screen::Operator;
        let shown_booking = self.shown_booking();
        let mut commands = Vec::new();
        for event in events {
            match event {
                egui::Event::Key {
                    key,
                    pressed: true,
                    modifiers,
                    repeat,
                    ..
                } => {
                    if modifiers.command && key == egui::Key::F {
                        commands.push(Command::Show(Screen::Operator));
                        self.state.operator.search.open = true;
                        self.state.operator.search.focus_requested = true;
                        continue;
                    }
                    if key == egui::Key::Enter {
                        match self.keys.enter(time) {
                            Typed::Scan(code) => self.scanned(code),
                            Typed::Search(text) => self.open_search_with(text),
                            Typed::PlainEnter if operator && !repeat => {
                                commands.push(Command::Accept {
                                    booking_id: shown_booking.clone(),
                                    override_checks: modifiers.command,
                                });
                            }
                            _ => {}
                        }
                        continue;
                    }
                    if self.keys.is_collecting() || !operator {
                        continue;
                    }
                    match key {
                        egui::Key::Space if !repeat => commands.push(Command::Capture {
                            booking_id: shown_booking.clone(),
                        }),
                        egui::Key::R if (shot_shown || shot_pending) && !repeat => {
                            commands.push(Command::Retake)
                        }
                        egui::Key::ArrowLeft
                        | egui::Key::ArrowRight
                        | egui::Key::ArrowUp
                        | egui::Key::ArrowDown
                            if shot_pending => {}
                        egui::Key::ArrowLeft => commands.push(nudge(-1, 0, 0)),
                        egui::Key::ArrowRight => commands.push(nudge(1, 0, 0)),
                        egui::Key::ArrowUp => commands.push(nudge(0, -1, 0)),
                        egui::Key::ArrowDown => commands.push(nudge(0, 1, 0)),
                        egui::Key::Escape => commands.push(Command::ClearCard),
                        egui::Key::F2 => commands.push(Command::StartWalkIn {
                            capture_code: self.shown_unknown_code(),
                        }),
                        _ => {}
                    }
                }
                egui::Event::Text(text) => {
                    let collecting = self.keys.is_collecting();
                    let operator_key = operator && !collecting && shot_shown;
                    let nudge_waits = operator && !collecting && shot_pending;
                    match text.as_str() {
                        " " if !collecting => {}
                        "r" | "R" if operator_key || nudge_waits => {}
                        "+" | "=" if operator_key => commands.push(nudge(0, 0, 1)),
                        "-" if operator_key => commands.push(nudge(0, 0, -1)),
                        "+" | "=" | "-" if nudge_waits => {}
                        _ if operator || collecting => {
                            if !collecting {
                                // A lone E typed now is 信息有误 for the card on screen now.
                                self.card_when_typing_began = shown_booking.clone();
                            }
                            self.keys.text(&text, time)
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        if let Typed::Search(text) = self.keys.idle(time) {
            // E alone, typed with a card up, is 信息有误. It goes through the wedge detector
            // like any text, so that a scanner's code starting with E is still a scan.
            let card = self.card_when_typing_began.take();
            if operator && text.eq_ignore_ascii_case("e") && card.is_some() {
                if let Some(booking_id) = card {
                    commands.push(Command::FlagDetails { booking_id });
                }
            } else {
                self.open_search_with(text);
            }
        }
        for command in commands {
            self.apply(command);
        }
    }

    fn open_search_with(&mut self, text: String) {
        // + and - zoom a result; pressed with none to zoom they must not open the search (the
        // cursor would then sit in it, and Space would type a space instead of shooting).
        if text
            .chars()
            .all(|c| matches!(c, '+' | '=' | '-') || c.is_whitespace())
        {
            return;
        }
        self.state.screen = Screen::Operator;
        let search = &mut self.state.operator.search;
        search.open = true;
        search.focus_requested = true;
        search.query.push_str(&text);
        let query = search.query.clone();
        self.apply(Command::Search {
            query,
            for_supervisor: false,
        });
    }

    /// The unknown code on the card the operator saw (F2 books it at the walk-in desk).
    fn shown_unknown_code(&self) -> Option<String> {
        match &self.shown_card {
            super::state::ShownCard::Unknown(code) => Some(code.clone()),
            _ => None,
        }
    }

    pub(super) fn send_store(&mut self, job: StoreJob) {
        let t = self.state.texts();
        match self.store_jobs.try_send(job) {
            Ok(()) => {}
            Err(NotTaken::Busy) => self.state.notify(NoticeLevel::Error, t.store_busy),
            // Not "busy": trying again will not help.
            Err(NotTaken::Stopped) => self.state.notify(NoticeLevel::Error, t.store_stopped),
        }
    }

    fn send_portrait(&mut self, job: PortraitJob) -> bool {
        self.portrait_jobs.try_send(job).is_ok()
    }

    /// The supervisor who acts: one signed in over the booth's session, or the booth's own user.
    fn supervisor_session(&self) -> Option<Session> {
        self.state.elevated.clone().or_else(|| {
            self.state
                .session
                .clone()
                .filter(|s| s.role() == AccountRole::Supervisor)
        })
    }

    /// The supervisor's session, or a notice saying one is needed. The store checks the role
    /// again; this only spares a round trip and shows the reason at once. A refusal here is
    /// still put to the store, so that it lands in the audit log like any other.
    pub(super) fn require_supervisor(&mut self, permission: Permission) -> Option<Session> {
        let session = self.supervisor_session();
        if session.is_none() {
            let t = self.state.texts();
            self.state.notify(NoticeLevel::Error, t.needs_supervisor);
            if let Some(booth) = self.state.session.clone() {
                self.send_store(StoreJob::LogRefusal {
                    session: booth,
                    permission,
                });
            }
        }
        session
    }

    /// The booth's signed-in user, or a notice asking to sign in.
    fn require_session(&mut self) -> Option<Session> {
        let session = self.state.session.clone();
        if session.is_none() {
            let t = self.state.texts();
            self.state.notify(NoticeLevel::Error, t.sign_in_first);
        }
        session
    }

    fn update_role(&mut self) {
        self.state.role = if self.supervisor_session().is_some() {
            WindowRole::Supervisor
        } else {
            WindowRole::Operator
        };
    }

    /// Signs everyone out after `idle_logout` without a key press, click or scan.
    fn check_idle(&mut self, ctx: &egui::Context) {
        let active = ctx.input(|i| {
            i.events.iter().any(|e| {
                matches!(
                    e,
                    egui::Event::Key { .. }
                        | egui::Event::Text(_)
                        | egui::Event::PointerButton { .. }
                        | egui::Event::MouseWheel { .. }
                )
            })
        });
        if active {
            self.state.last_activity = Instant::now();
        }
        if self.state.session.is_none() && self.state.elevated.is_none() {
            return;
        }
        let idle = self.state.last_activity.elapsed();
        // A supervisor over the booth's session leaves sooner: the booth's screen is seen by
        // everyone in the queue.
        let supervisor_idle = SUPERVISOR_IDLE_LOGOUT.min(self.config.idle_logout);
        if self.state.elevated.is_some() && idle >= supervisor_idle {
            tracing::info!(
                idle_s = idle.as_secs(),
                "supervisor signed out after idle time"
            );
            self.sign_out_supervisor("idle");
            let t = self.state.texts();
            self.state
                .notify(NoticeLevel::Info, t.supervisor_signed_out_idle);
        }
        if self.state.session.is_none() {
            return;
        }
        if idle >= self.config.idle_logout {
            if self.state.operator.shot.holds_unsaved_photo() {
                // Signing out would leave a photo nobody can save: the booth stays signed in
                // until it is saved or discarded, and says so.
                if !self.idle_sign_out_held {
                    self.idle_sign_out_held = true;
                    tracing::info!("idle sign-out held: a photo is not saved");
                    let t = self.state.texts();
                    self.state.notify(NoticeLevel::Warning, t.idle_held_unsaved);
                }
                ctx.request_repaint_after(Duration::from_secs(1));
                return;
            }
            tracing::info!(idle_s = idle.as_secs(), "signed out after idle time");
            self.sign_out("idle");
            let t = self.state.texts();
            self.state.notify(NoticeLevel::Info, t.signed_out_idle);
        } else {
            self.idle_sign_out_held = false;
            let next = if self.state.elevated.is_some() {
                supervisor_idle.saturating_sub(idle)
            } else {
                self.config.idle_logout - idle
            };
            ctx.request_repaint_after(next.max(Duration::from_millis(100)));
        }
    }

    /// The supervisor over the booth's session leaves; the booth's user stays signed in.
    fn sign_out_supervisor(&mut self, reason: &'static str) {
        if let Some(session) = self.state.elevated.take() {
            self.send_store(StoreJob::SignOut { session, reason });
        }
        self.update_role();
        self.state.supervisor.selected = None;
        self.state.supervisor.users = Default::default();
    }

    fn sign_out(&mut self, reason: &'static str) {
        // A 3-2-1 under way must not shoot once nobody is signed in.
        self.state.operator.countdown_started = None;
        for session in [self.state.elevated.take(), self.state.session.take()]
            .into_iter()
            .flatten()
        {
            self.send_store(StoreJob::SignOut { session, reason });
        }
        self.state.supervisor.selected = None;
        self.state.supervisor.users = Default::default();
        self.state.sign_in = Default::default();
        // Known again once the store has logged the sign-out (it answers with the count).
        self.state.accounts = None;
        self.update_role();
    }

    pub(super) fn handle_event(&mut self, event: AppEvent) {
        match event {
            AppEvent::ScannerWake => self.drain_scanner(),
            AppEvent::Portrait(outcome) => self.portrait_done(*outcome),
            AppEvent::Store(event) => self.store_answered(event),
            AppEvent::Campus(event) => self.campus_answered(event),
            AppEvent::CamerasFound(options) => self.cameras_found(options),
            AppEvent::FilePicked(what, picked) => self.file_picked(what, picked),
        }
    }

    fn start_campus(&mut self, settings: crate::campus::settings::CampusSettings) {
        let link = crate::campus::link::CampusLink::start(
            settings,
            self.config.database_path(),
            self.config.photos_dir(),
        );
        let _ = self.campus.set(std::sync::Arc::new(link));
    }

    fn send_campus(&mut self, job: CampusJob) {
        self.state.supervisor.campus.busy = true;
        self.state.supervisor.campus.error = None;
        match self.campus_jobs.try_send(job) {
            Ok(()) => {}
            Err(std::sync::mpsc::TrySendError::Full(_)) => {
                // The earlier jobs are still waiting on the server: this one is dropped, said.
                let t = self.state.texts();
                self.state.notify(NoticeLevel::Error, t.campus_busy);
            }
            Err(std::sync::mpsc::TrySendError::Disconnected(_)) => {
                self.state.supervisor.campus.busy = false;
                self.state.supervisor.campus.error = Some(crate::i18n::Message::new(
                    "校区页面的后台线程已停止，详情已记入日志",
                    "the campus screen's thread has stopped; see the log",
                ));
            }
        }
    }

    fn campus_answered(&mut self, event: CampusEvent) {
        let screen = &mut self.state.supervisor.campus;
        screen.busy = false;
        match event {
            CampusEvent::Joined(settings) => {
                screen.joined = Some(JoinedCampus {
                    station: settings.station.clone(),
                    server: settings.login.address(),
                    token: settings.join_token.as_ref().map(|t| t.to_token()),
                });
                screen.token.clear();
                self.start_campus(*settings);
                self.send_campus(CampusJob::Overview);
            }
            CampusEvent::Overview(overview) => {
                if let Some(shown) = &screen.conflict_photos
                    && !overview.conflicts.iter().any(|c| c.id == shown.conflict_id)
                {
                    screen.conflict_photos = None;
                }
                screen.overview = Some(*overview);
            }
            CampusEvent::Photos {
                conflict_id,
                current,
                other,
            } => {
                screen.conflict_photos = Some(super::state::ConflictPhotosShown {
                    conflict_id,
                    current,
                    other,
                });
            }
            CampusEvent::Resolved(_) => {
                screen.conflict_photos = None;
                self.send_campus(CampusJob::Overview);
            }
            CampusEvent::Failed(message) => screen.error = Some(message),
        }
    }

    fn portrait_done(&mut self, outcome: PortraitOutcome) {
        // A result belongs to the shot, and the shot to its card: one for a shot or a card
        // that is gone (Esc, R, another student) is dropped.
        let current = match &self.state.operator.shot {
            ShotState::Processing {
                shot_id,
                booking_id,
                ..
            } if *shot_id == outcome.shot_id
                && self
                    .state
                    .card()
                    .is_some_and(|card| card.booking.booking_id == *booking_id) =>
            {
                Some(*shot_id)
            }
            _ => None,
        };
        if current.is_none() {
            self.state.operator.portrait_results_dropped += 1;
            tracing::info!(
                shot_id = outcome.shot_id,
                "a portrait result arrived for a shot no longer on screen; dropped"
            );
            return;
        }
        if outcome.original_jpeg.is_some() {
            self.shot_original = outcome.original_jpeg;
        }
        self.state.operator.shot = match outcome.result {
            Ok(portrait) => ShotState::Ready {
                shot_id: outcome.shot_id,
                image: portrait.image,
                jpeg: portrait.jpeg,
                report: portrait.report,
                override_armed: false,
                saving: false,
            },
            Err(report) => ShotState::Failed {
                shot_id: outcome.shot_id,
                report,
            },
        };
    }

    fn store_answered(&mut self, event: StoreEvent) {
        let t = self.state.texts();
        if let Some(area) = event.success_area() {
            self.state.succeeded(area);
        }
        match event {
            StoreEvent::Preparing => self.state.database = DatabaseHealth::Preparing,
            StoreEvent::Ready { demo_seeded } => {
                self.state.database = DatabaseHealth::Healthy;
                // The sync worker opens the database only now: the store thread has migrated,
                // seeded and tidied it, so the two connections never race on a new file.
                if let Some(settings) = self.campus_waiting.take() {
                    self.start_campus(settings);
                }
                if let Some(count) = demo_seeded {
                    tracing::info!(count, "demo database seeded");
                }
            }
            StoreEvent::OpenFailed(error) => {
                self.state.database = DatabaseHealth::Failed(error.clone());
                self.state.notify(NoticeLevel::Error, error);
            }
            StoreEvent::CodeResolved { code, card } => {
                let name = card.as_ref().map(|card| card.booking.student.name.clone());
                let form = &mut self.state.walk_in;
                if form.capture_code == code
                    && let Some(filled) = &mut form.code_from_camera
                {
                    filled.owner = Some(name.clone());
                }
                let captured = card.as_ref().is_some_and(|card| {
                    card.booking.status == crate::domain::BookingStatus::Captured.as_str()
                });
                if self.name_next_up(&code, name, captured) {
                    return;
                }
                let waiting =
                    matches!(&self.state.operator.card, CardState::Looking(c) if *c == code);
                if !waiting {
                    return;
                }
                if let Some(at) = self.state.operator.scanned_at.take() {
                    let card_ms = at.elapsed().as_secs_f64() * 1000.0;
                    self.state.operator.card_latency_ms = Some(card_ms);
                    tracing::info!(card_ms, "scan to card");
                }
                // The save just made is confirmed beside the next student's name.
                let saved = match self.state.operator.just_saved.take() {
                    Some(name) => format!("{} {name} · ", t.saved),
                    None => String::new(),
                };
                self.state.operator.card = match card {
                    Some(card) => {
                        self.state.notify(
                            NoticeLevel::Success,
                            format!("{saved}{} {}", t.found, card.booking.student.name),
                        );
                        CardState::Found(card)
                    }
                    None => {
                        self.state
                            .notify(NoticeLevel::Warning, format!("{saved}{}", t.no_booking));
                        CardState::Unknown(code)
                    }
                };
            }
            StoreEvent::SearchResults {
                generation,
                for_supervisor,
                hits,
            } => {
                let search = if for_supervisor {
                    &mut self.state.supervisor.search
                } else {
                    &mut self.state.operator.search
                };
                if search.generation == generation {
                    search.results = hits;
                }
            }
            StoreEvent::CardLoaded(card) => {
                // The message names the student now on the card, never the one before.
                self.state.notify(
                    NoticeLevel::Info,
                    format!("{} {}", t.card_opened, card.booking.student.name),
                );
                self.state.operator.card = CardState::Found(card);
                self.state.operator.search = Default::default();
                self.reset_shot();
            }
            StoreEvent::CaptureSaved { booking_id } => {
                if let ShotState::Ready { shot_id, image, .. } =
                    std::mem::replace(&mut self.state.operator.shot, ShotState::None)
                {
                    self.state.operator.shot = ShotState::Saved { shot_id, image };
                }
                self.shot_frame = None;
                self.shot_original = None;
                if let CardState::Found(card) = &mut self.state.operator.card
                    && card.booking.booking_id == booking_id
                {
                    card.booking.status =
                        crate::domain::BookingStatus::Captured.as_str().to_string();
                    card.booking.retake_approved = false;
                    card.saved = true;
                    let name = card.booking.student.name.clone();
                    self.state
                        .notify(NoticeLevel::Success, format!("{} {name}", t.saved));
                    if self.state.operator.next_up.is_some() {
                        self.state.operator.just_saved = Some(name);
                    }
                }
                self.take_next_up();
            }
            StoreEvent::WalkInCreated(card) => {
                self.state.notify(
                    NoticeLevel::Success,
                    format!("{} {}", t.walk_in_saved, card.booking.student.name),
                );
                self.state.walk_in = super::state::WalkInForm::new(
                    self.config.walk_in_amount_fen,
                    self.config.walk_in_payment,
                );
                self.state.operator.card = CardState::Found(card);
                self.reset_shot();
                self.state.screen = Screen::Operator;
                // A school confirmed as new is known from now on.
                self.send_store(StoreJob::LoadSchools);
            }
            StoreEvent::WalkInCodeTaken { owner } => {
                let form = &mut self.state.walk_in;
                form.saving = false;
                // Beside the form it belongs to, until the next save.
                form.error = Some(t.walk_in_code_taken.replace("{name}", &owner));
            }
            StoreEvent::WalkInDuplicate(card) => {
                self.state.walk_in.saving = false;
                self.state.notify(
                    NoticeLevel::Warning,
                    format!("{} {}", t.walk_in_duplicate, card.booking.student.name),
                );
                self.state.operator.card = CardState::Found(card);
                self.reset_shot();
                self.state.screen = Screen::Operator;
            }
            StoreEvent::Corrected {
                booking,
                history,
                outcome,
            } => {
                let reexport = matches!(
                    outcome,
                    crate::store::CorrectionOutcome::Corrected {
                        photo_needs_reexport: true
                    }
                );
                let message = match outcome {
                    crate::store::CorrectionOutcome::Unchanged => {
                        t.correction_unchanged.to_string()
                    }
                    _ if reexport => format!("{} {}", t.correction_saved, t.photo_reexport),
                    _ => t.correction_saved.to_string(),
                };
                self.state.notify(NoticeLevel::Success, message);
                self.refresh_card_if(&booking.booking_id);
                self.state.supervisor.selected = Some(*booking);
                self.state.supervisor.history = history;
                self.state.supervisor.correction = Default::default();
                // The list beside the form shows the record as it is now (王萍, not 王平).
                let query = self.state.supervisor.search.query.clone();
                if !query.trim().is_empty() {
                    self.apply(Command::Search {
                        query,
                        for_supervisor: true,
                    });
                }
            }
            StoreEvent::Selected { booking, history } => {
                self.state.supervisor.correction = Default::default();
                self.state.supervisor.selected = Some(*booking);
                self.state.supervisor.history = history;
            }
            StoreEvent::RetakeApproved(card) => {
                self.state.notify(
                    NoticeLevel::Success,
                    format!("{} {}", t.retake_approved, card.booking.student.name),
                );
                if let Some(selected) = &mut self.state.supervisor.selected
                    && selected.booking_id == card.booking.booking_id
                {
                    *selected = card.booking.clone();
                }
                if matches!(&self.state.operator.card, CardState::Found(c) if c.booking.booking_id == card.booking.booking_id)
                {
                    self.state.operator.card = CardState::Found(card);
                }
            }
            StoreEvent::DetailsFlagged { card, history } => {
                self.state.notify(NoticeLevel::Warning, t.details_flagged);
                // The supervisor's correction screen opens on this student, whoever signs in.
                self.state.supervisor.selected = Some(card.booking.clone());
                self.state.supervisor.history = history;
                self.state.supervisor.correction = Default::default();
                self.state.supervisor.tab = SupervisorTab::Corrections;
                self.replace_card(*card);
            }
            StoreEvent::DisputeOverridden(card) => {
                self.state
                    .notify(NoticeLevel::Success, t.dispute_overridden);
                if let Some(selected) = &mut self.state.supervisor.selected
                    && selected.booking_id == card.booking.booking_id
                {
                    *selected = card.booking.clone();
                }
                self.replace_card(*card);
            }
            StoreEvent::Schools(rows) => {
                self.state.supervisor.schools = rows;
                self.state.supervisor.schools_loaded = true;
            }
            StoreEvent::CampusGate(view) => {
                let form = &mut self.state.supervisor.campus.close;
                form.busy = false;
                if form.write_off_station.is_empty() || view.gate.iter().all(|g| !g.blocks()) {
                    form.write_off_station.clear();
                    form.write_off_reason.clear();
                }
                form.gate = Some(*view);
            }
            StoreEvent::CampusClosed(outcome) => {
                let text = format!(
                    "{} {} · {} {}",
                    t.campus_closed,
                    outcome.refunded,
                    t.refund_total,
                    crate::domain::money::format_yuan(outcome.refund_total_fen)
                );
                self.state.notify(NoticeLevel::Success, text);
                let school = outcome.school.clone();
                let form = &mut self.state.supervisor.campus.close;
                form.busy = false;
                form.outcome = Some(*outcome);
                self.send_store(StoreJob::CampusGate { school });
            }
            StoreEvent::CampusRefused(message) => {
                self.state.supervisor.campus.close.busy = false;
                self.state
                    .notify_in(Area::Campus, NoticeLevel::Error, message);
            }
            StoreEvent::Recorded => {}
            StoreEvent::ClosePreviewed(preview) => {
                self.state.supervisor.close_out.preview = Some(*preview);
                self.state.supervisor.close_out.outcome = None;
            }
            StoreEvent::Closed(outcome) => {
                let text = format!(
                    "{} {} · {} {}",
                    t.closed,
                    outcome.cancelled,
                    t.refund_total,
                    crate::domain::money::format_yuan(outcome.refund_total_fen)
                );
                self.state.notify(NoticeLevel::Success, text);
                let school = outcome.school.clone();
                let close_out = &mut self.state.supervisor.close_out;
                close_out.outcome = Some(*outcome);
                close_out.preview = None;
                close_out.force = false;
                self.send_store(StoreJob::LoadRefunds { school });
            }
            StoreEvent::Refunds { rows, summary } => {
                let close_out = &mut self.state.supervisor.close_out;
                close_out.refunds = rows;
                close_out.summary = summary;
            }
            StoreEvent::ReportLoaded(report) => {
                self.state.supervisor.close_out.report = Some(*report)
            }
            StoreEvent::FileWritten(path) => {
                self.state.notify(
                    NoticeLevel::Success,
                    format!("{} {}", t.file_written, path.display()),
                );
                self.state.supervisor.close_out.written = Some(path);
            }
            StoreEvent::Counts(counts) => self.state.counts = counts,
            StoreEvent::SettingsSaved(config) => {
                let camera_changed = config.camera != self.config.camera
                    || config.camera_resolution != self.config.camera_resolution
                    || config.camera_format != self.config.camera_format;
                self.state.language = config.language;
                self.state.station_name = config.station_name.clone();
                self.state.student_screen = config.student_screen;
                self.state.countdown = config.countdown;
                self.state.supervisor.settings = config.file.clone();
                self.state.supervisor.settings_error = None;
                let _ = self.send_portrait(PortraitJob::Settings(
                    crate::portrait::pipeline::PortraitSettings {
                        backdrop: config.backdrop,
                        size: config.jpeg_size,
                    },
                ));
                self.config = *config;
                // The camera changes at once; in tests' own frame hubs there is none to change.
                if camera_changed && self.camera_spec.is_some() {
                    let spec = self
                        .config
                        .camera
                        .clone()
                        .or_else(|| self.camera_spec.clone());
                    if let Some(spec) = spec {
                        self.switch_camera(spec, self.config.camera_preference());
                    }
                }
                self.first_run_settings_saved();
                let t = self.state.texts();
                self.state.notify(NoticeLevel::Success, t.settings_saved);
            }
            StoreEvent::Accounts(count) => {
                self.state.accounts = Some(count);
                self.accounts_counted(count);
            }
            StoreEvent::SignedIn { session, elevate } => {
                self.state.sign_in = Default::default();
                self.state.supervisor.pin.clear();
                self.state.last_activity = Instant::now();
                self.state.accounts = Some(self.state.accounts.unwrap_or(0).max(1));
                let name = session.name().to_string();
                if elevate {
                    if session.role() == AccountRole::Supervisor {
                        self.state.elevated = Some(session);
                    } else {
                        // Signed in, but not a supervisor: nothing changes, and the store has
                        // logged the sign-in.
                        self.state.notify(NoticeLevel::Error, t.needs_supervisor);
                        return;
                    }
                } else {
                    self.state.session = Some(session);
                }
                self.update_role();
                self.first_run_signed_in();
                self.state
                    .notify(NoticeLevel::Success, format!("{} {name}", t.logged_in));
                if self.state.role == WindowRole::Supervisor {
                    self.send_store(StoreJob::LoadSchools);
                }
            }
            StoreEvent::SignInRefused { message, elevate } => {
                self.state.sign_in.busy = false;
                self.state.supervisor.pin.clear();
                self.state.sign_in.pin.clear();
                self.state.sign_in.pin_again.clear();
                // The sign-in screen shows its own message; over the booth, the notice strip.
                if elevate {
                    self.state.notify(NoticeLevel::Error, message);
                } else {
                    self.state.sign_in.message = Some(message);
                }
            }
            StoreEvent::PinReset { name, users } => {
                self.state.supervisor.users.list = users;
                self.state.notify(
                    NoticeLevel::Success,
                    t.pin_reset_done.replace("{name}", &name),
                );
            }
            StoreEvent::Users(list) => {
                let users = &mut self.state.supervisor.users;
                let added = users
                    .adding
                    .take()
                    .filter(|name| list.iter().any(|user| user.name == *name));
                users.list = list;
                users.new_name.clear();
                users.new_pin.clear();
                if let Some(name) = added {
                    self.state
                        .notify(NoticeLevel::Success, t.user_added.replace("{name}", &name));
                }
            }
            StoreEvent::ImportPreviewed {
                path,
                bytes,
                preview,
            } => {
                let import = &mut self.state.supervisor.import;
                // A preview for a file the supervisor has since replaced is stale.
                if import.path == path.display().to_string() {
                    import.busy = false;
                    import.bytes = Some(bytes);
                    import.preview = Some(*preview);
                }
            }
            StoreEvent::Imported(report) => {
                let import = &mut self.state.supervisor.import;
                import.busy = false;
                import.preview = None;
                let message = t.import_counts(t.import_done, &report);
                import.result = Some(*report);
                self.state.notify(NoticeLevel::Success, message);
                self.send_store(StoreJob::LoadSchools);
            }
            StoreEvent::ExportPlanned(plan) => {
                let form = &mut self.state.supervisor.export;
                form.busy = false;
                form.plan = Some(*plan);
            }
            StoreEvent::ExportProgress { done, total } => {
                self.state.supervisor.export.progress = Some((done, total));
            }
            StoreEvent::Exported(done) => {
                let form = &mut self.state.supervisor.export;
                form.busy = false;
                form.progress = None;
                form.plan = None;
                let verified = done.verdict.as_ref().is_some_and(|v| v.ok());
                let message = format!(
                    "{} {} {}",
                    t.export_done,
                    done.report.folder.display(),
                    if verified {
                        t.export_verified
                    } else {
                        t.export_not_verified
                    }
                );
                form.result = Some(*done);
                self.state.notify(
                    if verified {
                        NoticeLevel::Success
                    } else {
                        NoticeLevel::Error
                    },
                    message,
                );
            }
            StoreEvent::ExportRefused(reason) => {
                let form = &mut self.state.supervisor.export;
                form.busy = false;
                form.progress = None;
                form.refused = Some(reason.clone());
                self.state.notify(NoticeLevel::Error, reason);
            }
            StoreEvent::ImportRefused(reason) => {
                let import = &mut self.state.supervisor.import;
                import.busy = false;
                import.preview = None;
                import.bytes = None;
                // Said on the import screen itself, where the file is chosen again.
                import.refused = Some(reason);
            }
            StoreEvent::Failed { area, message } => self.store_failed(area, message),
        }
    }

    /// A job failed: nothing waits for it any more, and the reason is said where the job came
    /// from (beside its form, or in the notice strip), until that place next succeeds.
    fn store_failed(&mut self, area: Area, message: crate::i18n::Message) {
        self.state.supervisor.import.busy = false;
        self.state.supervisor.export.busy = false;
        self.state.supervisor.export.progress = None;
        self.state.sign_in.busy = false;
        if let ShotState::Ready { saving, .. } = &mut self.state.operator.shot {
            // The photo stays on screen: nothing is lost, the operator can try again.
            *saving = false;
        }
        self.state.walk_in.saving = false;
        if matches!(self.state.operator.card, CardState::Looking(_)) {
            self.state.operator.card = CardState::Empty;
        }
        let supervisor = &mut self.state.supervisor;
        match area {
            Area::Settings => {
                supervisor.settings_error = Some(message);
                self.first_run_save_failed();
            }
            Area::Accounts => {
                supervisor.users.adding = None;
                supervisor.users.error = Some(message);
            }
            Area::Import => supervisor.import.refused = Some(message),
            Area::Export => supervisor.export.refused = Some(message),
            Area::Corrections => supervisor.correction_error = Some(message),
            Area::SignIn => self.state.sign_in.message = Some(message),
            Area::WalkIn => {
                self.state.walk_in.error = Some(message.text(self.state.language).to_string())
            }
            Area::Campus => {
                supervisor.campus.close.busy = false;
                supervisor.campus.error = Some(message);
            }
            _ => self.state.notify_in(area, NoticeLevel::Error, message),
        }
    }

    fn refresh_card_if(&mut self, booking_id: &str) {
        if matches!(&self.state.operator.card, CardState::Found(c) if c.booking.booking_id == booking_id)
        {
            self.send_store(StoreJob::OpenBooking(booking_id.to_string()));
        }
    }

    /// The card again, as the store now has it, if it is still the one up; the shot stays.
    fn replace_card(&mut self, card: super::state::BookingCard) {
        if let CardState::Found(current) = &mut self.state.operator.card
            && current.booking.booking_id == card.booking.booking_id
        {
            let window_overridden = current.window_overridden;
            **current = card;
            current.window_overridden = window_overridden;
        }
    }

    pub(super) fn reset_shot(&mut self) {
        self.state.operator.countdown_started = None;
        self.state.operator.shot = ShotState::None;
        self.state.operator.nudge = Default::default();
        self.shot_frame = None;
        self.shot_original = None;
    }

    pub(super) fn apply(&mut self, command: Command) {
        let t = self.state.texts();
        match command {
            Command::Show(screen) => {
                if screen == Screen::Operator
                    && self.state.screen != Screen::Operator
                    && let Some(scanner) = &self.scanner
                {
                    // A code seen while another screen was open counts again here.
                    scanner.reset();
                }
                // A message about another screen does not follow the person here.
                let leaving = self.state.area_now();
                self.state.screen = screen;
                if self.state.area_now() != leaving
                    && self
                        .state
                        .notice
                        .as_ref()
                        .is_some_and(|n| n.area == leaving)
                {
                    self.state.notice = None;
                }
                if (screen == Screen::Supervisor && self.state.role == WindowRole::Supervisor)
                    || screen == Screen::WalkIn
                {
                    // The walk-in desk offers the known schools, so a typo makes no new one.
                    self.send_store(StoreJob::LoadSchools);
                }
            }
            Command::SetLanguage(language) => {
                self.state.language = language;
                self.state.drop_notice_in_one_language();
            }
            Command::Capture { booking_id } => {
                if self.card_still_is(booking_id.as_deref()) {
                    self.capture();
                }
            }
            Command::Accept {
                booking_id,
                override_checks,
            } => {
                if self.card_still_is(booking_id.as_deref()) {
                    self.accept(override_checks);
                }
            }
            Command::ArmOverride(armed) => {
                if let ShotState::Ready { override_armed, .. } = &mut self.state.operator.shot {
                    *override_armed = armed;
                }
            }
            Command::Retake => {
                if !matches!(
                    &self.state.operator.shot,
                    ShotState::Ready { saving: true, .. }
                ) {
                    self.reset_shot();
                }
            }
            Command::Nudge {
                right,
                down,
                zoom_in,
            } => self.nudge(right, down, zoom_in),
            Command::ResolveCode(code) => {
                let code = match self.config.capture_code_rules.validate(&code) {
                    Ok(code) => code.as_str().to_string(),
                    Err(error) => {
                        self.state
                            .notify(NoticeLevel::Error, crate::i18n::Message::of(&error));
                        return;
                    }
                };
                self.code_scanned(code);
            }
            Command::OpenSearch => {
                self.state.screen = Screen::Operator;
                self.state.operator.search.open = true;
                self.state.operator.search.focus_requested = true;
            }
            Command::Search {
                query,
                for_supervisor,
            } => {
                let search = if for_supervisor {
                    &mut self.state.supervisor.search
                } else {
                    &mut self.state.operator.search
                };
                search.generation += 1;
                search.query = query.clone();
                let generation = search.generation;
                if query.trim().is_empty() {
                    search.results.clear();
                    return;
                }
                self.send_store(StoreJob::Search {
                    query,
                    generation,
                    for_supervisor,
                });
            }
            Command::OpenBooking(id) => {
                if self.refuse_while_unsaved() {
                    return;
                }
                self.state.screen = Screen::Operator;
                self.send_store(StoreJob::OpenBooking(id));
            }
            Command::ClearCard => {
                if self.state.operator.search.open {
                    self.state.operator.search = Default::default();
                } else if self.state.operator.shot.holds_unsaved_photo() {
                    let text = self.unsaved_photo_text();
                    self.state.notify(NoticeLevel::Warning, text);
                } else {
                    self.state.operator.card = CardState::Empty;
                    self.reset_shot();
                    // "已识别 X" must not stay up once X's card is gone.
                    self.state.clear_card_notice();
                    self.take_next_up();
                }
            }
            Command::StartWalkIn { capture_code } => {
                let mut form = super::state::WalkInForm::new(
                    self.config.walk_in_amount_fen,
                    self.config.walk_in_payment,
                );
                form.capture_code = capture_code.unwrap_or_default();
                self.state.walk_in = form;
                self.apply(Command::Show(Screen::WalkIn));
            }
            Command::SaveWalkIn => {
                // The saved walk-in takes the operator's card: never over a photo not saved yet.
                if self.refuse_while_unsaved() {
                    return;
                }
                let today = Local::now().date_naive();
                match walk_in::validate(&self.state.walk_in, today, &self.config.capture_code_rules)
                {
                    Ok(booking) => {
                        let Some(session) = self.require_session() else {
                            return;
                        };
                        let form = &mut self.state.walk_in;
                        let known = !self.state.supervisor.schools_loaded
                            || self
                                .state
                                .supervisor
                                .schools
                                .iter()
                                .any(|school| school.name == booking.school);
                        if !known
                            && form.new_school_confirmed.as_deref() != Some(booking.school.as_str())
                        {
                            form.school_unknown = true;
                            form.error =
                                Some(t.walk_in_new_school.replace("{school}", &booking.school));
                            return;
                        }
                        let form = &mut self.state.walk_in;
                        form.school_unknown = false;
                        self.state.walk_in.error = None;
                        self.state.walk_in.saving = true;
                        self.send_store(StoreJob::CreateWalkIn {
                            booking: Box::new(booking),
                            session,
                        });
                    }
                    Err(problems) => {
                        let text = problems
                            .iter()
                            .map(|p| t.word(&p.problem))
                            .collect::<Vec<_>>()
                            .join(t.list_separator);
                        self.state.walk_in.error = Some(text);
                    }
                }
            }
            Command::ConfirmNewSchool => {
                self.state.walk_in.new_school_confirmed =
                    Some(self.state.walk_in.school.trim().to_string());
                self.apply(Command::SaveWalkIn);
            }
            Command::SignIn { name, pin } => {
                self.state.sign_in.busy = true;
                self.state.sign_in.message = None;
                self.send_store(StoreJob::SignIn {
                    name,
                    pin,
                    elevate: false,
                });
            }
            Command::CreateFirstSupervisor {
                name,
                pin,
                pin_again,
            } => {
                if pin != pin_again {
                    self.state.sign_in.message =
                        Some(crate::i18n::Message::texts(|t| t.pins_differ));
                    self.state.sign_in.pin_again.clear();
                    return;
                }
                self.state.sign_in.busy = true;
                self.state.sign_in.message = None;
                self.send_store(StoreJob::CreateFirstSupervisor { name, pin });
            }
            Command::SignOut => {
                if self.refuse_while_unsaved() {
                    return;
                }
                self.sign_out("by_hand");
                self.state.notify(NoticeLevel::Info, t.logged_out);
            }
            Command::Login { name, pin } => {
                self.send_store(StoreJob::SignIn {
                    name,
                    pin,
                    elevate: true,
                });
            }
            Command::Logout => {
                if self.refuse_while_unsaved() {
                    return;
                }
                self.sign_out_supervisor("supervisor_left");
                self.state.notify(NoticeLevel::Info, t.logged_out);
            }
            Command::LoadUsers => {
                if self.require_supervisor(Permission::ManageUsers).is_some() {
                    self.send_store(StoreJob::LoadUsers);
                }
            }
            Command::AddUser { name, role, pin } => {
                if let Some(session) = self.require_supervisor(Permission::ManageUsers) {
                    self.state.supervisor.users.adding = Some(name.clone());
                    self.send_store(StoreJob::AddUser {
                        name,
                        role,
                        pin,
                        session,
                    });
                }
            }
            Command::ResetPin { name, pin } => {
                if let Some(session) = self.require_supervisor(Permission::ManageUsers) {
                    self.state.supervisor.users.reset = None;
                    self.send_store(StoreJob::ResetPin { name, pin, session });
                }
            }
            Command::CancelPinReset => self.state.supervisor.users.reset = None,
            Command::SetAccountDisabled { name, disabled } => {
                if let Some(session) = self.require_supervisor(Permission::ManageUsers) {
                    self.send_store(StoreJob::SetDisabled {
                        name,
                        disabled,
                        session,
                    });
                }
            }
            Command::CampusJoin => {
                let screen = &self.state.supervisor.campus;
                let job = CampusJob::Join {
                    token: screen.token.trim().to_string(),
                    station: screen.station_name.trim().to_string(),
                };
                self.send_campus(job);
            }
            Command::CampusRefresh => self.send_campus(CampusJob::Overview),
            Command::CampusLoadGate(school) => {
                let form = &mut self.state.supervisor.campus.close;
                form.school = school.clone();
                form.busy = true;
                self.send_store(StoreJob::CampusGate { school });
            }
            Command::CampusSeal => {
                if let Some(session) = self.require_supervisor(Permission::CloseOut) {
                    let form = &mut self.state.supervisor.campus.close;
                    form.busy = true;
                    let school = form.school.clone();
                    self.send_store(StoreJob::CampusSeal { school, session });
                }
            }
            Command::CampusWriteOff => {
                if let Some(session) = self.require_supervisor(Permission::CloseOut) {
                    let form = &mut self.state.supervisor.campus.close;
                    let job = StoreJob::CampusWriteOff {
                        school: form.school.clone(),
                        station: form.write_off_station.trim().to_string(),
                        reason: form.write_off_reason.trim().to_string(),
                        session,
                    };
                    form.busy = true;
                    self.send_store(job);
                }
            }
            Command::CampusCloseOut => {
                if let Some(session) = self.require_supervisor(Permission::CloseOut) {
                    let form = &mut self.state.supervisor.campus.close;
                    form.busy = true;
                    let school = form.school.clone();
                    let calendar = Box::new(self.config.holidays.clone());
                    self.send_store(StoreJob::CampusCloseOut {
                        school,
                        calendar,
                        session,
                    });
                }
            }
            Command::CampusOpenConflict(id) => self.send_campus(CampusJob::ConflictPhotos(id)),
            Command::CampusResolve {
                conflict_id,
                decision,
            } => {
                let Some(session) = self.supervisor_session() else {
                    return;
                };
                let station = self
                    .state
                    .supervisor
                    .campus
                    .joined
                    .as_ref()
                    .map(|j| j.station.clone())
                    .unwrap_or_default();
                let decided_by = format!("{}@{station}", session.name());
                self.send_campus(CampusJob::Resolve {
                    conflict_id,
                    decision,
                    decided_by,
                });
            }
            Command::SupervisorTab(tab) => {
                let arriving = self.state.supervisor.tab != tab;
                self.state.supervisor.tab = tab;
                if tab == SupervisorTab::Campus && self.state.supervisor.campus.joined.is_some() {
                    self.send_campus(CampusJob::Overview);
                }
                if tab == SupervisorTab::Settings {
                    // The form shows what is saved now, and nothing said about an earlier
                    // attempt (in the first-run guide, say) follows it here.
                    if arriving {
                        self.state.supervisor.settings = self.config.file.clone();
                        self.state.supervisor.settings_error = None;
                    }
                    if self.supervisor_session().is_some() {
                        self.send_store(StoreJob::LoadUsers);
                    }
                }
                if matches!(
                    tab,
                    SupervisorTab::Schools
                        | SupervisorTab::CloseOut
                        | SupervisorTab::Report
                        | SupervisorTab::Export
                        | SupervisorTab::Campus
                ) {
                    self.send_store(StoreJob::LoadSchools);
                }
            }
            Command::SelectForCorrection(id) => {
                if self
                    .require_supervisor(Permission::CorrectIdentity)
                    .is_some()
                {
                    self.send_store(StoreJob::SelectForCorrection(id));
                }
            }
            Command::Correct {
                booking_id,
                field,
                value,
                reason,
                confirmed_after_capture,
            } => {
                let Some(session) = self.require_supervisor(Permission::CorrectIdentity) else {
                    return;
                };
                let today = Local::now().date_naive();
                let checked = field
                    .validate(&value, today)
                    .and_then(|value| Ok((value, correction_reason(&reason)?)));
                match checked {
                    Ok((value, reason)) => {
                        self.send_store(StoreJob::Correct {
                            booking_id,
                            field,
                            value,
                            reason,
                            confirmed: confirmed_after_capture,
                            session,
                        });
                    }
                    Err(error) => {
                        self.state.supervisor.correction_error =
                            Some(crate::i18n::Message::of(&error))
                    }
                }
            }
            Command::ApproveRetake { booking_id } => {
                if let Some(session) = self.require_supervisor(Permission::ApproveRetake) {
                    self.send_store(StoreJob::ApproveRetake {
                        booking_id,
                        session,
                    });
                }
            }
            Command::FlagDetails { booking_id } => {
                if !self.card_still_is(Some(&booking_id)) {
                    return;
                }
                if self
                    .state
                    .card()
                    .is_some_and(|c| c.booking.details_disputed)
                {
                    return;
                }
                if let Some(session) = self.require_session() {
                    self.state.operator.countdown_started = None;
                    self.send_store(StoreJob::FlagDetails {
                        booking_id,
                        session,
                    });
                }
            }
            Command::OverrideDispute { booking_id } => {
                if !self.card_still_is(Some(&booking_id)) {
                    return;
                }
                if let Some(session) = self.require_supervisor(Permission::CorrectIdentity) {
                    self.send_store(StoreJob::OverrideDispute {
                        booking_id,
                        session,
                    });
                }
            }
            Command::CorrectDisputed { booking_id } => {
                if !self.card_still_is(Some(&booking_id)) {
                    return;
                }
                if let Some(card) = self.state.card() {
                    let booking = card.booking.clone();
                    if self
                        .state
                        .supervisor
                        .selected
                        .as_ref()
                        .map(|b| &b.booking_id)
                        != Some(&booking.booking_id)
                    {
                        self.state.supervisor.history.clear();
                        self.state.supervisor.correction = Default::default();
                    }
                    self.state.supervisor.selected = Some(booking);
                }
                self.state.supervisor.tab = SupervisorTab::Corrections;
                self.apply(Command::Show(Screen::Supervisor));
            }
            Command::OverrideWindow { booking_id } => {
                if !self.card_still_is(Some(&booking_id)) {
                    return;
                }
                let Some(session) = self.require_supervisor(Permission::OverrideChecks) else {
                    return;
                };
                if let CardState::Found(card) = &mut self.state.operator.card {
                    card.window_overridden = true;
                    let booking_id = card.booking.booking_id.clone();
                    // The exception is audited like every other supervisor decision.
                    self.send_store(StoreJob::RecordEvent {
                        kind: "window_overridden",
                        subject: booking_id,
                        session,
                    });
                }
            }
            Command::LoadSchools => self.send_store(StoreJob::LoadSchools),
            Command::AddWindow {
                school,
                first_day,
                last_day,
            } => {
                let Some(session) = self.require_supervisor(Permission::ManageSchools) else {
                    return;
                };
                match parse_window(&first_day, &last_day, self.state.language) {
                    Ok(window) => {
                        self.state.supervisor.new_school.clear();
                        self.send_store(StoreJob::AddWindow {
                            school,
                            window,
                            session,
                        });
                    }
                    Err(error) => self.state.notify(NoticeLevel::Error, error),
                }
            }
            Command::UpdateWindow {
                window_id,
                first_day,
                last_day,
            } => {
                let Some(session) = self.require_supervisor(Permission::ManageSchools) else {
                    return;
                };
                match parse_window(&first_day, &last_day, self.state.language) {
                    Ok(window) => {
                        self.send_store(StoreJob::UpdateWindow {
                            window_id,
                            window,
                            session,
                        });
                    }
                    Err(error) => self.state.notify(NoticeLevel::Error, error),
                }
            }
            Command::SaveSettings(file) => {
                if let Some(session) = self.require_supervisor(Permission::ChangeSettings) {
                    self.send_store(StoreJob::SaveSettings { file, session });
                }
            }
            Command::PreviewClose { school } => {
                if self.require_supervisor(Permission::CloseOut).is_some() {
                    self.state.supervisor.close_out.school = school.clone();
                    let calendar = Box::new(self.config.holidays.clone());
                    self.send_store(StoreJob::PreviewClose {
                        school: school.clone(),
                        calendar,
                    });
                    self.send_store(StoreJob::LoadRefunds { school });
                }
            }
            Command::CloseSession { school, force } => {
                if let Some(session) = self.require_supervisor(Permission::CloseOut) {
                    let calendar = Box::new(self.config.holidays.clone());
                    self.send_store(StoreJob::CloseSession {
                        school,
                        force,
                        calendar,
                        session,
                    });
                }
            }
            Command::MarkRefunded {
                order_no,
                reference,
            } => {
                if let Some(session) = self.require_supervisor(Permission::MarkRefund) {
                    let school = self.state.supervisor.close_out.school.clone();
                    self.state.supervisor.close_out.references.remove(&order_no);
                    self.send_store(StoreJob::MarkRefunded {
                        school,
                        order_no,
                        reference,
                        session,
                    });
                }
            }
            Command::WriteRefundList { school } => {
                if let Some(session) = self.require_supervisor(Permission::Export) {
                    self.send_store(StoreJob::WriteRefundList { school, session });
                }
            }
            Command::LoadReport { school } => {
                if self.require_supervisor(Permission::Export).is_some() {
                    self.state.supervisor.close_out.school = school.clone();
                    self.send_store(StoreJob::LoadReport {
                        school,
                        station_name: self.config.station_name.clone(),
                    });
                }
            }
            Command::WriteReport { school } => {
                if let Some(session) = self.require_supervisor(Permission::Export) {
                    self.send_store(StoreJob::WriteReport {
                        school,
                        station_name: self.config.station_name.clone(),
                        session,
                    });
                }
            }
            Command::PreviewImport { path } => {
                if let Some(session) = self.require_supervisor(Permission::ImportBookings) {
                    let import = &mut self.state.supervisor.import;
                    *import = super::state::ImportState {
                        path: path.display().to_string(),
                        busy: true,
                        ..Default::default()
                    };
                    self.state.supervisor.tab = SupervisorTab::Import;
                    self.send_store(StoreJob::PreviewImport { path, session });
                }
            }
            Command::ConfirmImport => {
                if let Some(session) = self.require_supervisor(Permission::ImportBookings) {
                    let import = &mut self.state.supervisor.import;
                    if let (Some(bytes), false) = (import.bytes.clone(), import.busy) {
                        import.busy = true;
                        let label = std::path::Path::new(&import.path)
                            .file_name()
                            .map(|name| name.to_string_lossy().into_owned())
                            .unwrap_or_else(|| "import".to_string());
                        self.send_store(StoreJob::Import {
                            bytes,
                            label,
                            session,
                        });
                    }
                }
            }
            Command::WriteRejectedRows => {
                if let Some(session) = self.require_supervisor(Permission::ImportBookings) {
                    let import = &self.state.supervisor.import;
                    if let (Some(bytes), Some(result)) = (import.bytes.clone(), &import.result) {
                        let rejected = result.rejected.clone();
                        self.send_store(StoreJob::WriteRejectedRows {
                            bytes,
                            rejected,
                            session,
                        });
                    }
                }
            }
            Command::PlanExport | Command::StartExport => {
                if let Some(session) = self.require_supervisor(Permission::Export) {
                    let start = matches!(command, Command::StartExport);
                    let form = &mut self.state.supervisor.export;
                    let naming = super::state::EXPORT_NAMINGS
                        .get(form.naming)
                        .copied()
                        .unwrap_or(super::state::EXPORT_NAMINGS[0]);
                    let naming = match crate::transfer::export::Naming::parse(naming) {
                        Ok(naming) => naming,
                        Err(error) => {
                            form.refused = Some(crate::i18n::Message::of(&error));
                            return;
                        }
                    };
                    if form.school.trim().is_empty() || form.folder.trim().is_empty() {
                        form.refused = Some(crate::i18n::Message::texts(|t| t.export_choose_first));
                        return;
                    }
                    let request = Box::new(crate::transfer::school_export::ExportRequest {
                        school: form.school.trim().to_string(),
                        out: form.folder.trim().into(),
                        naming,
                        zip: false,
                        only_reexports: form.only_reexports,
                        station_name: Some(self.config.station_name.clone()),
                    });
                    form.busy = true;
                    form.refused = None;
                    if start {
                        form.result = None;
                        form.progress = Some((0, 0));
                        self.send_store(StoreJob::Export { request, session });
                    } else {
                        form.plan = None;
                        self.send_store(StoreJob::PlanExport { request, session });
                    }
                }
            }
            Command::ExitDemo => {
                if !self.refuse_while_unsaved() {
                    self.exit_demo();
                }
            }
            Command::CloseAnyway => {
                self.state.close_dialog = false;
                self.state.close_confirmed = true;
                tracing::warn!("the window was closed with an unsaved photo, by choice");
                self.egui_ctx
                    .send_viewport_cmd(egui::ViewportCommand::Close);
            }
            Command::KeepWindowOpen => self.state.close_dialog = false,
            Command::PickImportFile => self.pick_import_file(),
            Command::PickExportFolder => self.pick_export_folder(),
            command @ (Command::FirstRunFindCameras
            | Command::FirstRunCamera { .. }
            | Command::FirstRunNext
            | Command::FirstRunSkip
            | Command::FirstRunFinish) => self.first_run_command(command),
        }
    }

    /// Space: the shot, or the 3-2-1 on the student's screen first when that setting is on.
    fn capture(&mut self) {
        if self.state.operator.countdown_started.is_some() {
            return;
        }
        if self.state.countdown && self.shootable_frame().is_some() {
            self.state.operator.countdown_started = Some(Instant::now());
            return;
        }
        self.shoot_now();
    }

    /// The frame Space would shoot now, or `None` with the reason shown when it may not.
    fn shootable_frame(&mut self) -> Option<crate::camera::Frame> {
        let t = self.state.texts();
        let block = match &self.state.operator.card {
            CardState::Found(card) => card.shoot_block(),
            _ => Some(ShootBlock::NoCard),
        };
        if let Some(block) = block {
            self.state.notify(NoticeLevel::Warning, block.text(t));
            return None;
        }
        // A photo on its way to the store stays as it is.
        if matches!(
            &self.state.operator.shot,
            ShotState::Ready { saving: true, .. }
        ) {
            return None;
        }
        let frame = self.hub.latest();
        if frame.is_none() {
            self.state.notify(NoticeLevel::Error, t.no_camera_frame);
        }
        frame
    }

    fn shoot_now(&mut self) {
        let Some(frame) = self.shootable_frame() else {
            return;
        };
        self.state.operator.nudge = Default::default();
        self.shot_original = None;
        self.shot_frame = Some(frame.image.clone());
        self.process_shot(true);
    }

    fn process_shot(&mut self, keep_original: bool) {
        let Some(frame) = self.shot_frame.clone() else {
            return;
        };
        let Some(booking_id) = self
            .state
            .card()
            .map(|card| card.booking.booking_id.clone())
        else {
            return;
        };
        let shot_id = self.state.operator.next_shot_id;
        self.state.operator.next_shot_id += 1;
        let nudge = self.state.operator.nudge;
        let job = PortraitJob::Process {
            shot_id,
            frame,
            adjust: CropAdjust {
                right: nudge.right,
                down: nudge.down,
                zoom_in: nudge.zoom_in,
            },
            keep_original,
        };
        if self.send_portrait(job) {
            self.state.operator.shot = ShotState::Processing {
                shot_id,
                booking_id,
                started: Instant::now(),
            };
        }
    }

    fn nudge(&mut self, right: i32, down: i32, zoom_in: i32) {
        let shown = matches!(
            self.state.operator.shot,
            ShotState::Ready { saving: false, .. } | ShotState::Failed { .. }
        );
        if !shown || self.shot_frame.is_none() {
            return;
        }
        let nudge = &mut self.state.operator.nudge;
        nudge.right += right;
        nudge.down += down;
        nudge.zoom_in += zoom_in;
        self.process_shot(false);
    }

    fn accept(&mut self, override_checks: bool) {
        let t = self.state.texts();
        let booking_id = match &self.state.operator.card {
            CardState::Found(card) if card.booking.details_disputed => {
                self.state.notify(NoticeLevel::Warning, t.details_disputed);
                return;
            }
            CardState::Found(card) => card.booking.booking_id.clone(),
            _ => return,
        };
        let supervisor = self.supervisor_session();
        let Some(booth) = self.require_session() else {
            return;
        };
        let ShotState::Ready {
            jpeg,
            report,
            override_armed,
            saving,
            ..
        } = &mut self.state.operator.shot
        else {
            return;
        };
        if *saving {
            return;
        }
        let overridden = !report.ok;
        if overridden && !(override_checks && *override_armed) {
            self.state
                .notify(NoticeLevel::Warning, t.checks_failed_override);
            return;
        }
        // Saving a photo that failed its checks is the supervisor's call, and the store checks it.
        let session = if overridden {
            let Some(supervisor) = supervisor else {
                self.require_supervisor(Permission::OverrideChecks);
                return;
            };
            supervisor
        } else {
            booth
        };
        *saving = true;
        let request = SaveRequest {
            booking_id,
            jpeg: jpeg.clone(),
            original_jpeg: self.shot_original.clone(),
            report: serde_json::to_value(&*report).unwrap_or_default(),
            spec_ok: report.ok,
            overridden,
            session,
        };
        self.send_store(StoreJob::SaveCapture(Box::new(request)));
    }

    fn exit_demo(&mut self) {
        match std::env::current_exe() {
            Ok(exe) => {
                let spawned = std::process::Command::new(exe)
                    .arg("--no-demo")
                    .arg("--data-dir")
                    .arg(
                        self.config
                            .data_dir
                            .parent()
                            .unwrap_or(&self.config.data_dir),
                    )
                    .spawn();
                match spawned {
                    Ok(_) => self
                        .egui_ctx
                        .send_viewport_cmd(egui::ViewportCommand::Close),
                    Err(error) => self.state.notify(NoticeLevel::Error, error.to_string()),
                }
            }
            Err(error) => self.state.notify(NoticeLevel::Error, error.to_string()),
        }
    }
}

fn nudge(right: i32, down: i32, zoom_in: i32) -> Command {
    Command::Nudge {
        right,
        down,
        zoom_in,
    }
}

/// A collection window as typed in 场次: the same date spellings the command line reads.
fn parse_window(
    first: &str,
    last: &str,
    language: crate::config::Language,
) -> Result<CollectionWindow, String> {
    use crate::domain::collection::parse_day;
    use crate::i18n::errors::Worded as _;
    let day = |text: &str| parse_day(text).map_err(|e| e.worded(language));
    CollectionWindow::new(day(first)?, day(last)?).map_err(|e| e.worded(language))
}
