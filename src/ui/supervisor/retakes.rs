//! The supervisor's 重拍审批 tab: approving a retake of a captured student.

use crate::app::corrections::CorrectionsCommand;
use egui::RichText;

use crate::app::command::Command;
use crate::app::state::AppState;
use crate::i18n::Texts;
use crate::ui::theme;
use crate::ui::widgets::coloured;

use super::corrections::pick_student;

pub(super) fn retakes(
    ui: &mut egui::Ui,
    state: &mut AppState,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    ui.columns(2, |columns| {
        pick_student(&mut columns[0], state, t, commands);
        retake_approval(&mut columns[1], state, t, commands);
    });
}

pub(super) fn retake_approval(
    ui: &mut egui::Ui,
    state: &mut AppState,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    let Some(booking) = &state.supervisor.selected else {
        ui.label(t.pick_student);
        return;
    };
    ui.label(
        RichText::new(format!(
            "{} · {}",
            booking.student.name,
            t.status(&booking.status)
        ))
        .size(24.0),
    );
    if booking.retake_approved {
        ui.label(coloured(t.retake_allowed, theme::OK));
    } else if booking.status == "captured" {
        if ui.button(t.approve_retake).clicked() {
            commands.push(Command::Corrections(CorrectionsCommand::ApproveRetake {
                booking_id: booking.booking_id.clone(),
            }));
        }
    } else {
        ui.label(t.only_captured);
    }
}
