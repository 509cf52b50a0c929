//! Applying the campus feature's commands, and what its workers answer: the campus screen's
//! thread (joining, the overview, conflicts) and the store threads (the close-out).

use super::messages::{CampusCommand, CampusStoreEvent, CampusStoreJob};
use crate::app::StationApp;
use crate::app::campus_worker::{CampusEvent, CampusJob};
use crate::app::state::{Area, JoinedCampus, NoticeLevel};
use crate::app::store_worker::StoreJob;
use crate::store::Permission;

impl StationApp {
    pub(in crate::app) fn apply_campus(&mut self, command: CampusCommand) {
        match command {
            CampusCommand::Join => {
                let screen = &self.state.supervisor.campus;
                let job = CampusJob::Join {
                    token: screen.token.trim().to_string(),
                    station: screen.station_name.trim().to_string(),
                };
                self.send_campus(job);
            }
            CampusCommand::Refresh => self.send_campus(CampusJob::Overview),
            CampusCommand::IssueJoinCode => {
                if let Some(session) = self.require_supervisor(Permission::ManageUsers) {
                    self.state.supervisor.campus.join_code = None;
                    let ticket = self.campus_ticket(session.name());
                    self.send_campus(CampusJob::IssueJoinCode(ticket));
                }
            }
            CampusCommand::LoadGate(school) => {
                let form = &mut self.state.supervisor.campus.close;
                form.school = school.clone();
                form.busy = true;
                self.send_store(StoreJob::Campus(CampusStoreJob::Gate { school }));
            }
            CampusCommand::Seal => {
                if let Some(session) = self.require_supervisor(Permission::CloseOut) {
                    let form = &mut self.state.supervisor.campus.close;
                    form.busy = true;
                    let school = form.school.clone();
                    self.send_store(StoreJob::Campus(CampusStoreJob::Seal { school, session }));
                }
            }
            CampusCommand::WriteOff => {
                if let Some(session) = self.require_supervisor(Permission::CloseOut) {
                    let form = &mut self.state.supervisor.campus.close;
                    let job = StoreJob::Campus(CampusStoreJob::WriteOff {
                        school: form.school.clone(),
                        station: form.write_off_station.trim().to_string(),
                        reason: form.write_off_reason.trim().to_string(),
                        session,
                    });
                    form.busy = true;
                    self.send_store(job);
                }
            }
            CampusCommand::CloseOut => {
                if let Some(session) = self.require_supervisor(Permission::CloseOut) {
                    let form = &mut self.state.supervisor.campus.close;
                    form.busy = true;
                    let school = form.school.clone();
                    let calendar = Box::new(self.config.holidays.clone());
                    self.send_store(StoreJob::Campus(CampusStoreJob::CloseOut {
                        school,
                        calendar,
                        session,
                    }));
                }
            }
            CampusCommand::RotatePassword => {
                if let Some(session) = self.require_supervisor(Permission::ChangeSettings) {
                    self.state.supervisor.campus.busy = true;
                    self.send_store(StoreJob::Campus(CampusStoreJob::RotatePassword { session }));
                }
            }
            CampusCommand::AskRevoke(station) => {
                self.state.supervisor.campus.revoke_confirm = Some(station);
            }
            CampusCommand::ConfirmRevoke(confirmed) => {
                let asked = self.state.supervisor.campus.revoke_confirm.take();
                if let Some(station) = asked.filter(|_| confirmed)
                    && let Some(session) = self.require_supervisor(Permission::ChangeSettings)
                {
                    let ticket = self.campus_ticket(session.name());
                    self.send_campus(CampusJob::RevokeStation { station, ticket });
                }
            }
            CampusCommand::OpenConflict(id) => self.send_campus(CampusJob::ConflictPhotos(id)),
            CampusCommand::Resolve {
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
                let ticket = self.campus_ticket(session.name());
                self.send_campus(CampusJob::Resolve {
                    conflict_id,
                    decision,
                    decided_by,
                    ticket,
                });
            }
        }
    }

    pub(in crate::app) fn campus_store_answered(&mut self, event: CampusStoreEvent) {
        let t = self.state.texts();
        match event {
            CampusStoreEvent::Gate(view) => {
                let form = &mut self.state.supervisor.campus.close;
                form.busy = false;
                if form.write_off_station.is_empty() || view.gate.iter().all(|g| !g.blocks()) {
                    form.write_off_station.clear();
                    form.write_off_reason.clear();
                }
                form.gate = Some(*view);
            }
            CampusStoreEvent::Closed(outcome) => {
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
                self.send_store(StoreJob::Campus(CampusStoreJob::Gate { school }));
            }
            CampusStoreEvent::PasswordRotated => {
                self.state.supervisor.campus.busy = false;
                self.state.notify_in(
                    Area::Campus,
                    NoticeLevel::Success,
                    t.campus_password_rotated,
                );
            }
            CampusStoreEvent::Refused(message) => {
                self.state.supervisor.campus.close.busy = false;
                self.state.supervisor.campus.busy = false;
                self.state
                    .notify_in(Area::Campus, NoticeLevel::Error, message);
            }
        }
    }

    pub(in crate::app) fn start_campus(
        &mut self,
        settings: crate::campus::settings::CampusSettings,
    ) {
        let link = crate::campus::link::CampusLink::start(
            settings,
            self.config.database_path(),
            self.config.photos_dir(),
        );
        let _ = self.campus.set(std::sync::Arc::new(link));
    }

    pub(in crate::app) fn send_campus(&mut self, job: CampusJob) {
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

    pub(in crate::app) fn campus_answered(&mut self, event: CampusEvent) {
        let screen = &mut self.state.supervisor.campus;
        screen.busy = false;
        match event {
            CampusEvent::Joined {
                settings,
                closed_schools,
            } => {
                screen.joined = Some(JoinedCampus {
                    station: settings.station.clone(),
                    server: settings.login.address(),
                });
                screen.token.clear();
                self.start_campus(*settings);
                self.send_campus(CampusJob::Overview);
                // A supervisor signed in before the join was checked by this booth only; the
                // campus gives a supervisor's ticket at a sign-in it checks itself.
                let t = self.state.texts();
                if self.state.elevated.is_some() {
                    self.sign_out_supervisor("joined a campus");
                } else if self
                    .state
                    .session
                    .as_ref()
                    .is_some_and(|s| s.role() == crate::store::Role::Supervisor)
                {
                    self.sign_out("joined a campus");
                }
                let closed = if closed_schools.is_empty() {
                    String::new()
                } else {
                    format!(
                        "\n{}{}",
                        t.campus_joined_closed_schools,
                        closed_schools.join("、")
                    )
                };
                self.state.notify(
                    NoticeLevel::Info,
                    format!("{}{closed}", t.campus_joined_sign_in_again),
                );
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
                screen.conflict_photos = Some(crate::app::state::ConflictPhotosShown {
                    conflict_id,
                    current,
                    other,
                });
            }
            CampusEvent::Resolved(_) => {
                screen.conflict_photos = None;
                self.send_campus(CampusJob::Overview);
            }
            CampusEvent::Revoked(station) => {
                let t = self.state.texts();
                self.state.notify(
                    NoticeLevel::Success,
                    format!("{} {station}", t.campus_revoke_done),
                );
                self.send_campus(CampusJob::Overview);
            }
            CampusEvent::JoinCode(code) => screen.join_code = Some(code),
            CampusEvent::Failed(message) => screen.error = Some(message),
        }
    }
}
