//! What the workers answered: the store's, the portrait worker's and the campus screen's
//! events, applied to the state (and the cards they concern).

use super::StationApp;
use super::events::AppEvent;
use super::portrait_worker::{PortraitJob, PortraitOutcome};
use super::state::{Area, CardState, DatabaseHealth, NoticeLevel, ShotState};
use super::store_worker::{StoreEvent, StoreJob};
use crate::app::capture::CaptureStoreJob;

impl StationApp {
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

    pub(super) fn portrait_done(&mut self, outcome: PortraitOutcome) {
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

    pub(super) fn store_answered(&mut self, event: StoreEvent) {
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
            StoreEvent::Capture(event) => self.capture_answered(event),
            StoreEvent::WalkIn(event) => self.walk_in_desk_answered(event),
            StoreEvent::Corrections(event) => self.corrections_answered(event),
            StoreEvent::Schools(event) => self.schools_answered(event),
            StoreEvent::Campus(event) => self.campus_store_answered(event),
            StoreEvent::Recorded => {}
            StoreEvent::CloseOut(event) => self.close_out_answered(event),
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
            StoreEvent::Accounts(event) => self.accounts_answered(event),
            StoreEvent::Transfer(event) => self.transfer_answered(event),
            StoreEvent::Failed { area, message } => self.store_failed(area, message),
        }
    }

    /// A job failed: nothing waits for it any more, and the reason is said where the job came
    /// from (beside its form, or in the notice strip), until that place next succeeds.
    pub(super) fn store_failed(&mut self, area: Area, message: crate::i18n::Message) {
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

    pub(super) fn refresh_card_if(&mut self, booking_id: &str) {
        if matches!(&self.state.operator.card, CardState::Found(c) if c.booking.booking_id == booking_id)
        {
            self.send_store(StoreJob::Capture(CaptureStoreJob::OpenBooking(
                booking_id.to_string(),
            )));
        }
    }

    /// The card again, as the store now has it, if it is still the one up; the shot stays.
    pub(super) fn replace_card(&mut self, card: super::state::BookingCard) {
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
}
