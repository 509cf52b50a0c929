//! How the app moves the first-run guide on: starting it when the store has no account, asking
//! the system for cameras and for a file off the UI thread, switching the live camera to the one
//! picked, and saving the chosen settings once a supervisor exists to save them.

use super::StationApp;
use super::command::Command;
use super::events::{AppEvent, FilePick};
use super::file_dialog::PickWhat;
use super::first_run::{CameraOption, FirstRun, FirstRunStep, StepOutcome, source_setting};
use super::state::{NoticeLevel, Screen};
use crate::app::transfer::TransferCommand;
use crate::camera::SourceSpec;
use crate::store::Permission;

impl StationApp {
    /// The store counted its accounts: none on a real booth opens the guide.
    pub(super) fn accounts_counted(&mut self, count: usize) {
        if !std::mem::take(&mut self.offer_first_run) || count > 0 {
            return;
        }
        tracing::info!("no account yet: showing the first-run guide");
        self.state.first_run = Some(FirstRun::new(&self.config.file));
        self.find_cameras();
    }

    /// Asks the system which cameras there are, on a thread of its own: opening each device to
    /// read its formats takes a moment the window must not wait for.
    pub(super) fn find_cameras(&mut self) {
        let Some(guide) = &mut self.state.first_run else {
            return;
        };
        guide.cameras = None;
        guide.running = self.camera_spec.as_ref().map(source_setting);
        // A source that is not a device (a replay folder set in config.toml) is offered too,
        // so that the guide never hides the camera that is running.
        let running = self
            .camera_spec
            .clone()
            .filter(|spec| !matches!(spec, SourceSpec::Device(_)))
            .map(|spec| CameraOption {
                setting: source_setting(&spec),
                name: self.state.camera_name.clone(),
                formats: Vec::new(),
            });
        let sender = self.event_sender.clone();
        let ctx = self.egui_ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("camera-query".to_string())
            .spawn(move || {
                let found = std::panic::catch_unwind(crate::camera::webcam::list_cameras)
                    .unwrap_or_else(|_| {
                        tracing::error!("the camera query panicked; offering no camera");
                        Ok(Vec::new())
                    })
                    .unwrap_or_default();
                let mut options: Vec<CameraOption> = running.into_iter().collect();
                options.extend(CameraOption::from_listings(found));
                let _ = sender.send(AppEvent::CamerasFound(options));
                ctx.request_repaint();
            });
        if let Err(error) = spawned {
            tracing::error!(%error, "could not start the camera query");
            if let Some(guide) = &mut self.state.first_run {
                guide.cameras = Some(Vec::new());
            }
        }
    }

    pub(super) fn cameras_found(&mut self, options: Vec<CameraOption>) {
        if let Some(guide) = &mut self.state.first_run {
            guide.cameras = Some(options);
        }
    }

    /// Opens the system's file dialog (the desktop portal, or zenity) on a thread of its own;
    /// the file picked comes back as an event and is previewed like a typed path.
    pub(super) fn pick_import_file(&mut self) {
        if self
            .require_supervisor(Permission::ImportBookings)
            .is_none()
            || self.state.supervisor.import.picking
        {
            return;
        }
        self.state.supervisor.import.picking = true;
        self.state.supervisor.import.no_file_dialog = false;
        let title = self.state.texts().import_pick_file;
        if !self.show_file_dialog(PickWhat::OrderFile, title) {
            self.state.supervisor.import.picking = false;
            self.state.supervisor.import.no_file_dialog = true;
        }
    }

    pub(super) fn pick_export_folder(&mut self) {
        let export = &mut self.state.supervisor.export;
        if export.picking {
            return;
        }
        export.picking = true;
        export.no_folder_dialog = false;
        let title = self.state.texts().export_pick_folder;
        if !self.show_file_dialog(PickWhat::ExportFolder, title) {
            let export = &mut self.state.supervisor.export;
            export.picking = false;
            export.no_folder_dialog = true;
        }
    }

    /// Shows the system's dialog on a thread of its own (it blocks until answered); the answer
    /// comes back as an event. False when the thread could not start.
    fn show_file_dialog(&mut self, what: PickWhat, title: &'static str) -> bool {
        let picker = self.file_picker.clone();
        let sender = self.event_sender.clone();
        let ctx = self.egui_ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("file-dialog".to_string())
            .spawn(move || {
                let pick = std::panic::AssertUnwindSafe(|| picker(what, title));
                let picked = std::panic::catch_unwind(pick).unwrap_or_else(|_| {
                    tracing::error!("the file dialog panicked");
                    FilePick::Unavailable
                });
                let _ = sender.send(AppEvent::FilePicked(what, picked));
                ctx.request_repaint();
            });
        if let Err(error) = &spawned {
            tracing::error!(%error, "could not open the file dialog");
        }
        spawned.is_ok()
    }

    pub(super) fn file_picked(&mut self, what: PickWhat, picked: FilePick) {
        match what {
            PickWhat::OrderFile => {
                self.state.supervisor.import.picking = false;
                match picked {
                    FilePick::Picked(path) => {
                        self.apply(Command::Transfer(TransferCommand::PreviewImport { path }))
                    }
                    FilePick::Cancelled => {}
                    FilePick::Unavailable => self.state.supervisor.import.no_file_dialog = true,
                }
            }
            PickWhat::ExportFolder => {
                let export = &mut self.state.supervisor.export;
                export.picking = false;
                match picked {
                    FilePick::Picked(path) => {
                        export.folder = path.display().to_string();
                        // The plan was for the folder before: check again.
                        export.plan = None;
                    }
                    FilePick::Cancelled => {}
                    FilePick::Unavailable => export.no_folder_dialog = true,
                }
            }
        }
    }

    /// The guide's own commands.
    pub(super) fn first_run_command(&mut self, command: Command) {
        self.first_run_step_command(command);
        // The campus step offers the station's name just chosen as its name on the campus.
        let at_campus = self
            .state
            .first_run
            .as_ref()
            .is_some_and(|guide| guide.step == FirstRunStep::Campus);
        let form = &mut self.state.supervisor.campus;
        if at_campus && form.station_name.is_empty() {
            form.station_name = self.config.file.station_name.clone().unwrap_or_default();
        }
    }

    fn first_run_step_command(&mut self, command: Command) {
        let Some(guide) = &mut self.state.first_run else {
            return;
        };
        match command {
            Command::FirstRunFindCameras => self.find_cameras(),
            Command::FirstRunCamera { setting, format } => {
                let spec = match setting.parse::<SourceSpec>() {
                    Ok(spec) => spec,
                    Err(error) => {
                        self.state.notify(NoticeLevel::Error, error);
                        return;
                    }
                };
                guide.pick_camera(&setting, format.as_ref());
                let preference = guide.picked_format().unwrap_or_default();
                self.switch_camera(spec, preference);
            }
            Command::FirstRunNext => match guide.step {
                FirstRunStep::Station if guide.draft_unsaved() => {
                    // Without a session the save is refused before it is sent, and a step
                    // waiting for its answer would wait for ever (the window shows the sign-in
                    // then anyway).
                    if self.state.session.is_some() {
                        guide.saving = true;
                        let draft = guide.draft.clone();
                        self.apply(Command::SaveSettings(Box::new(draft)));
                    }
                }
                FirstRunStep::Import => {
                    let imported = self.state.supervisor.import.result.is_some();
                    guide.advance(outcome(imported));
                }
                FirstRunStep::Campus => {
                    let joined = self.state.supervisor.campus.joined.is_some();
                    guide.advance(outcome(joined));
                }
                FirstRunStep::Supervisor | FirstRunStep::Finished => {}
                // Done only with a camera found and chosen: the summary must not say the camera
                // step is done when there was none.
                FirstRunStep::Camera => {
                    let found = guide.cameras.as_ref().is_some_and(|c| !c.is_empty());
                    let chosen = guide.draft.camera.is_some() || guide.running.is_some();
                    guide.advance(if !found {
                        StepOutcome::NoCamera
                    } else if chosen {
                        StepOutcome::Done
                    } else {
                        StepOutcome::Skipped
                    });
                }
                FirstRunStep::Station => guide.advance(StepOutcome::Done),
            },
            Command::FirstRunSkip if guide.step.skippable() => {
                match guide.step {
                    FirstRunStep::Camera => {
                        let picked = guide.draft.camera.clone();
                        guide.forget_camera();
                        guide.advance(StepOutcome::Skipped);
                        if picked.is_some() {
                            self.restore_configured_camera();
                        }
                        return;
                    }
                    FirstRunStep::Station => {
                        guide.forget_station();
                        // The skipped values' error stays with them.
                        self.state.supervisor.settings_error = None;
                    }
                    _ => {}
                }
                guide.advance(StepOutcome::Skipped);
            }
            Command::FirstRunFinish => {
                self.state.first_run = None;
                self.state.screen = Screen::Operator;
                self.state.supervisor.settings_error = None;
                self.state.supervisor.settings = self.config.file.clone();
            }
            _ => {}
        }
    }

    /// Back to the camera the settings name (or the first webcam), after a skipped camera step.
    fn restore_configured_camera(&mut self) {
        let spec = self.config.camera.clone().unwrap_or_else(|| {
            SourceSpec::Device(crate::camera::webcam::first_camera_index().unwrap_or(0))
        });
        self.switch_camera(spec, self.config.camera_preference());
    }

    /// The supervisor account exists: the guide moves on, and the camera picked before it
    /// existed is saved now.
    pub(super) fn first_run_signed_in(&mut self) {
        let Some(guide) = &mut self.state.first_run else {
            return;
        };
        if guide.step != FirstRunStep::Supervisor {
            return;
        }
        guide.advance(StepOutcome::Done);
        if guide.draft_unsaved() {
            // Only the camera can differ yet; the station's fields are the next step's.
            let mut camera_only = guide.saved.clone();
            camera_only.camera = guide.draft.camera.clone();
            camera_only.camera_resolution = guide.draft.camera_resolution.clone();
            camera_only.camera_format = guide.draft.camera_format.clone();
            self.apply(Command::SaveSettings(Box::new(camera_only)));
        }
    }

    /// Settings were saved: the guide's fallback follows, and a save the station step waited
    /// for lets it move on.
    pub(super) fn first_run_settings_saved(&mut self) {
        let Some(guide) = &mut self.state.first_run else {
            return;
        };
        guide.saved = self.config.file.clone();
        if guide.saving && guide.step == FirstRunStep::Station {
            guide.advance(StepOutcome::Done);
        }
    }

    /// A save failed: the station step stays, with the store's reason under its fields.
    pub(super) fn first_run_save_failed(&mut self) {
        if let Some(guide) = &mut self.state.first_run {
            guide.saving = false;
        }
    }

    /// Whether a join token scanned now belongs in the guide's campus step.
    pub(super) fn first_run_wants_join_token(&self) -> bool {
        self.state
            .first_run
            .as_ref()
            .is_some_and(|guide| guide.step == FirstRunStep::Campus)
    }
}

fn outcome(done: bool) -> StepOutcome {
    if done {
        StepOutcome::Done
    } else {
        StepOutcome::Skipped
    }
}
