//! Applying the screens' commands: each one changes the state or sends a job to a worker.

use crate::app::accounts::AccountsStoreJob;
use chrono::Local;

use super::campus_worker::CampusJob;
use super::command::Command;
use super::state::{CardState, NoticeLevel, Screen, ShotState, SupervisorTab, WindowRole};
use super::store_worker::StoreJob;
use super::{StationApp, walk_in};
use crate::domain::CollectionWindow;
use crate::domain::correction::correction_reason;
use crate::store::Permission;

impl StationApp {
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
            Command::Accounts(command) => self.apply_accounts(command),
            Command::Campus(command) => self.apply_campus(command),
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
                        self.send_store(StoreJob::Accounts(AccountsStoreJob::LoadUsers));
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
