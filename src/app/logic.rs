//! The app's per-frame work: drain worker events into the state (answered in `answers.rs`), read
//! the keyboard (operator keys and wedge scanners), sign out an idle booth. Commands are applied
//! in `apply.rs`, shots taken and saved in `shooting.rs`.

use crate::app::accounts::AccountsStoreJob;
use crate::app::capture::{CaptureCommand, CaptureStoreJob};
use crate::app::corrections::CorrectionsCommand;
use crate::app::walk_in_desk::WalkInCommand;
use std::time::{Duration, Instant};

use super::StationApp;
use super::command::Command;
use super::keyboard::Typed;
use super::portrait_worker::PortraitJob;
use super::state::{CardState, NoticeLevel, Screen, ShotState, SupervisorTab, WindowRole};
use super::store_worker::NotTaken;
use super::store_worker::StoreJob;
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
    pub(super) fn finish_countdown(&mut self) {
        let Some(started) = self.state.operator.countdown_started else {
            return;
        };
        if started.elapsed() >= super::student_view::COUNTDOWN {
            self.state.operator.countdown_started = None;
            self.shoot_now();
        }
    }

    pub(super) fn take_preview(&mut self, ctx: &egui::Context) {
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
    pub(super) fn scanned(&mut self, code: String) {
        self.state.last_activity = Instant::now();
        // During the guide a code is not a student: nothing to resolve it against yet.
        if self.state.session.is_none() || self.state.first_run.is_some() {
            return;
        }
        match self.state.screen {
            Screen::Operator => self.apply(Command::Capture(CaptureCommand::ResolveCode(code))),
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
                self.send_store(StoreJob::Capture(CaptureStoreJob::ResolveCode(code)));
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

    pub(super) fn read_keyboard(&mut self, ctx: &egui::Context) {
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
                                commands.push(Command::Capture(CaptureCommand::Accept {
                                    booking_id: shown_booking.clone(),
                                    override_checks: modifiers.command,
                                }));
                            }
                            _ => {}
                        }
                        continue;
                    }
                    if self.keys.is_collecting() || !operator {
                        continue;
                    }
                    match key {
                        egui::Key::Space if !repeat => {
                            commands.push(Command::Capture(CaptureCommand::Capture {
                                booking_id: shown_booking.clone(),
                            }))
                        }
                        egui::Key::R if (shot_shown || shot_pending) && !repeat => {
                            commands.push(Command::Capture(CaptureCommand::Retake))
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
                        egui::Key::Escape => {
                            commands.push(Command::Capture(CaptureCommand::ClearCard))
                        }
                        egui::Key::F2 => {
                            commands.push(Command::WalkIn(WalkInCommand::StartWalkIn {
                                capture_code: self.shown_unknown_code(),
                            }))
                        }
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
                    commands.push(Command::Corrections(CorrectionsCommand::FlagDetails {
                        booking_id,
                    }));
                }
            } else {
                self.open_search_with(text);
            }
        }
        for command in commands {
            self.apply(command);
        }
    }

    pub(super) fn open_search_with(&mut self, text: String) {
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
        self.apply(Command::Capture(CaptureCommand::Search {
            query,
            for_supervisor: false,
        }));
    }

    /// The unknown code on the card the operator saw (F2 books it at the walk-in desk).
    pub(super) fn shown_unknown_code(&self) -> Option<String> {
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

    pub(super) fn send_portrait(&mut self, job: PortraitJob) -> bool {
        self.portrait_jobs.try_send(job).is_ok()
    }

    /// The supervisor who acts: one signed in over the booth's session, or the booth's own user.
    pub(super) fn supervisor_session(&self) -> Option<Session> {
        self.state.elevated.clone().or_else(|| {
            self.state
                .session
                .clone()
                .filter(|s| s.role() == AccountRole::Supervisor)
        })
    }

    /// The campus's ticket for `account`'s supervisor work, from its sign-in here (none: not
    /// joined, or signed in while the campus was away).
    pub(super) fn campus_ticket(
        &self,
        account: &str,
    ) -> Option<crate::campus::server::SupervisorTicket> {
        self.campus.get().and_then(|link| link.ticket(account))
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
                self.send_store(StoreJob::Accounts(AccountsStoreJob::LogRefusal {
                    session: booth,
                    permission,
                }));
            }
        }
        session
    }

    /// The booth's signed-in user, or a notice asking to sign in.
    pub(super) fn require_session(&mut self) -> Option<Session> {
        let session = self.state.session.clone();
        if session.is_none() {
            let t = self.state.texts();
            self.state.notify(NoticeLevel::Error, t.sign_in_first);
        }
        session
    }

    pub(super) fn update_role(&mut self) {
        self.state.role = if self.supervisor_session().is_some() {
            WindowRole::Supervisor
        } else {
            WindowRole::Operator
        };
    }

    /// Signs everyone out after `idle_logout` without a key press, click or scan.
    pub(super) fn check_idle(&mut self, ctx: &egui::Context) {
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
    pub(super) fn sign_out_supervisor(&mut self, reason: &'static str) {
        if let Some(session) = self.state.elevated.take() {
            self.send_store(StoreJob::Accounts(AccountsStoreJob::SignOut {
                session,
                reason,
            }));
        }
        self.update_role();
        self.state.supervisor.selected = None;
        self.state.supervisor.users = Default::default();
    }

    pub(super) fn sign_out(&mut self, reason: &'static str) {
        // A 3-2-1 under way must not shoot once nobody is signed in.
        self.state.operator.countdown_started = None;
        for session in [self.state.elevated.take(), self.state.session.take()]
            .into_iter()
            .flatten()
        {
            self.send_store(StoreJob::Accounts(AccountsStoreJob::SignOut {
                session,
                reason,
            }));
        }
        self.state.supervisor.selected = None;
        self.state.supervisor.users = Default::default();
        self.state.sign_in = Default::default();
        // Known again once the store has logged the sign-out (it answers with the count).
        self.state.accounts = None;
        self.update_role();
    }
}

fn nudge(right: i32, down: i32, zoom_in: i32) -> Command {
    Command::Capture(CaptureCommand::Nudge {
        right,
        down,
        zoom_in,
    })
}
