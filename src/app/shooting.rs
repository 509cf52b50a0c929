//! Shooting: taking the frame, making the portrait, nudging the crop and saving the shot.

use crate::app::capture::CaptureStoreJob;
use std::time::Instant;

use super::StationApp;
use super::capture::messages::SaveRequest;
use super::portrait_worker::PortraitJob;
use super::state::{CardState, NoticeLevel, ShootBlock, ShotState};
use super::store_worker::StoreJob;
use crate::portrait::geometry::CropAdjust;
use crate::store::Permission;

impl StationApp {
    /// Space: the shot, or the 3-2-1 on the student's screen first when that setting is on.
    pub(super) fn capture(&mut self) {
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
    pub(super) fn shootable_frame(&mut self) -> Option<crate::camera::Frame> {
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

    pub(super) fn shoot_now(&mut self) {
        let Some(frame) = self.shootable_frame() else {
            return;
        };
        self.state.operator.nudge = Default::default();
        self.shot_original = None;
        self.shot_frame = Some(frame.image.clone());
        self.process_shot(true);
    }

    pub(super) fn process_shot(&mut self, keep_original: bool) {
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

    pub(super) fn nudge(&mut self, right: i32, down: i32, zoom_in: i32) {
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

    pub(super) fn accept(&mut self, override_checks: bool) {
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
        self.send_store(StoreJob::Capture(CaptureStoreJob::SaveCapture(Box::new(
            request,
        ))));
    }

    pub(super) fn exit_demo(&mut self) {
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
