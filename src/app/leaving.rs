//! Every way out of the booth treats an unsaved photo the same way. 退出, 退出演示, the
//! supervisor's 主管退出, idle sign-out and opening another student all refuse with the reason
//! while a photo is taken but not saved. Closing the window asks first, because the window
//! cannot be told to wait.

use super::StationApp;
use super::state::{NoticeLevel, ShotState};

impl StationApp {
    /// Why the photo on screen is not saved yet, and the keys that settle it.
    pub(super) fn unsaved_photo_text(&self) -> &'static str {
        let t = self.state.texts();
        match &self.state.operator.shot {
            ShotState::Processing { .. } => t.unsaved_photo_processing,
            ShotState::Ready { report, .. } if !report.ok => t.unsaved_photo_failed,
            _ => t.unsaved_photo,
        }
    }

    /// Whether a photo is taken and not saved; if so, the operator is told why nothing happens.
    pub(super) fn refuse_while_unsaved(&mut self) -> bool {
        // A 3-2-1 under way is no photo yet: signing out stops it (nobody is shot unattended).
        let unsaved = self.state.operator.shot.holds_unsaved_photo();
        if unsaved {
            let text = self.unsaved_photo_text();
            self.state.notify(NoticeLevel::Warning, text);
        }
        unsaved
    }

    /// The window's close button: with a photo unsaved, the close waits and the window asks.
    pub(super) fn close_requested(&mut self, ctx: &egui::Context) {
        // The dialog speaks of an unsaved photo: once there is none (its result failed to come,
        // or it was settled), it must not go on saying so. The window stays open: closing it
        // now would surprise whoever is looking at the booth.
        if self.state.close_dialog && !self.state.operator.shot.holds_unsaved_photo() {
            self.state.close_dialog = false;
        }
        if !ctx.input(|i| i.viewport().close_requested()) {
            return;
        }
        if self.state.close_confirmed {
            // The operator chose to close anyway (the dialog sends the close again).
            return;
        }
        if self.state.operator.shot.holds_unsaved_photo() {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.state.close_dialog = true;
        }
    }
}
