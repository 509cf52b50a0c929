//! Applying the screens' commands: each one changes the state or sends a job to a worker.

use crate::app::accounts::AccountsStoreJob;
use crate::app::schools::SchoolsStoreJob;

use super::StationApp;
use super::campus_worker::CampusJob;
use super::command::Command;
use super::state::{Screen, SupervisorTab, WindowRole};
use super::store_worker::StoreJob;
use crate::store::Permission;

impl StationApp {
    pub(super) fn apply(&mut self, command: Command) {
        let _t = self.state.texts();
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
                    self.send_store(StoreJob::Schools(SchoolsStoreJob::LoadSchools));
                }
            }
            Command::SetLanguage(language) => {
                self.state.language = language;
                self.state.drop_notice_in_one_language();
            }
            Command::Capture(command) => self.apply_capture(command),
            Command::WalkIn(command) => self.apply_walk_in_desk(command),
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
                    self.send_store(StoreJob::Schools(SchoolsStoreJob::LoadSchools));
                }
            }
            Command::Corrections(command) => self.apply_corrections(command),
            Command::Schools(command) => self.apply_schools(command),
            Command::SaveSettings(file) => {
                if let Some(session) = self.require_supervisor(Permission::ChangeSettings) {
                    self.send_store(StoreJob::SaveSettings { file, session });
                }
            }
            Command::CloseOut(command) => self.apply_close_out(command),
            Command::Transfer(command) => self.apply_transfer(command),
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
