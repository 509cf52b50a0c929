//! Applying the transfer feature's commands, and the store threads' answers to its jobs.

use crate::app::schools::SchoolsStoreJob;

use crate::app::StationApp;
use crate::app::state::*;
use crate::app::store_worker::jobs::StoreJob;
use crate::store::Permission;

use super::messages::{TransferCommand, TransferStoreEvent, TransferStoreJob};

impl StationApp {
    /// This booth's name in a report: its campus name once joined (other stations' captures
    /// carry theirs), else the name in its settings.
    fn report_station_name(&self) -> String {
        self.campus
            .get()
            .map(|link| link.station().to_string())
            .unwrap_or_else(|| self.config.station_name.clone())
    }

    pub(in crate::app) fn apply_transfer(&mut self, command: TransferCommand) {
        let _t = self.state.texts();
        match command {
            TransferCommand::LoadReport { school } => {
                if self.require_supervisor(Permission::Export).is_some() {
                    self.state.supervisor.close_out.school = school.clone();
                    self.send_store(StoreJob::Transfer(TransferStoreJob::LoadReport {
                        school,
                        station_name: self.report_station_name(),
                    }));
                }
            }
            TransferCommand::WriteReport { school } => {
                if let Some(session) = self.require_supervisor(Permission::Export) {
                    self.send_store(StoreJob::Transfer(TransferStoreJob::WriteReport {
                        school,
                        station_name: self.report_station_name(),
                        session,
                    }));
                }
            }
            TransferCommand::PreviewImport { path } => {
                if let Some(session) = self.require_supervisor(Permission::ImportBookings) {
                    let import = &mut self.state.supervisor.import;
                    *import = crate::app::state::ImportState {
                        path: path.display().to_string(),
                        busy: true,
                        ..Default::default()
                    };
                    self.state.supervisor.tab = SupervisorTab::Import;
                    self.send_store(StoreJob::Transfer(TransferStoreJob::PreviewImport {
                        path,
                        session,
                    }));
                }
            }
            TransferCommand::ConfirmImport => {
                if let Some(session) = self.require_supervisor(Permission::ImportBookings) {
                    let import = &mut self.state.supervisor.import;
                    if let (Some(bytes), false) = (import.bytes.clone(), import.busy) {
                        import.busy = true;
                        let label = std::path::Path::new(&import.path)
                            .file_name()
                            .map(|name| name.to_string_lossy().into_owned())
                            .unwrap_or_else(|| "import".to_string());
                        self.send_store(StoreJob::Transfer(TransferStoreJob::Import {
                            bytes,
                            label,
                            session,
                        }));
                    }
                }
            }
            TransferCommand::WriteRejectedRows => {
                if let Some(session) = self.require_supervisor(Permission::ImportBookings) {
                    let import = &self.state.supervisor.import;
                    if let (Some(bytes), Some(result)) = (import.bytes.clone(), &import.result) {
                        let rejected = result.rejected.clone();
                        self.send_store(StoreJob::Transfer(TransferStoreJob::WriteRejectedRows {
                            bytes,
                            rejected,
                            session,
                        }));
                    }
                }
            }
            TransferCommand::PlanExport | TransferCommand::StartExport => {
                if let Some(session) = self.require_supervisor(Permission::Export) {
                    let start = matches!(command, TransferCommand::StartExport);
                    let form = &mut self.state.supervisor.export;
                    let naming = crate::app::state::EXPORT_NAMINGS
                        .get(form.naming)
                        .copied()
                        .unwrap_or(crate::app::state::EXPORT_NAMINGS[0]);
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
                        self.send_store(StoreJob::Transfer(TransferStoreJob::Export {
                            request,
                            session,
                        }));
                    } else {
                        form.plan = None;
                        self.send_store(StoreJob::Transfer(TransferStoreJob::PlanExport {
                            request,
                            session,
                        }));
                    }
                }
            }
        }
    }

    pub(in crate::app) fn transfer_answered(&mut self, event: TransferStoreEvent) {
        let t = self.state.texts();
        match event {
            TransferStoreEvent::ReportLoaded(report) => {
                self.state.supervisor.close_out.report = Some(*report)
            }
            TransferStoreEvent::ImportPreviewed {
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
            TransferStoreEvent::Imported(report) => {
                let import = &mut self.state.supervisor.import;
                import.busy = false;
                import.preview = None;
                let message = t.import_counts(t.import_done, &report);
                import.result = Some(*report);
                self.state.notify(NoticeLevel::Success, message);
                self.send_store(StoreJob::Schools(SchoolsStoreJob::LoadSchools));
            }
            TransferStoreEvent::ExportPlanned(plan) => {
                let form = &mut self.state.supervisor.export;
                form.busy = false;
                form.plan = Some(*plan);
            }
            TransferStoreEvent::ExportProgress { done, total } => {
                self.state.supervisor.export.progress = Some((done, total));
            }
            TransferStoreEvent::Exported(done) => {
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
            TransferStoreEvent::ExportRefused(reason) => {
                let form = &mut self.state.supervisor.export;
                form.busy = false;
                form.progress = None;
                form.refused = Some(reason.clone());
                self.state.notify(NoticeLevel::Error, reason);
            }
            TransferStoreEvent::ImportRefused(reason) => {
                let import = &mut self.state.supervisor.import;
                import.busy = false;
                import.preview = None;
                import.bytes = None;
                // Said on the import screen itself, where the file is chosen again.
                import.refused = Some(reason);
            }
        }
    }
}
