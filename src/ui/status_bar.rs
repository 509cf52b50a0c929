//! The bottom line: camera and frame rate, database and its health, station and who is logged
//! in, and today's counts.

use egui::RichText;

use super::{theme, widgets::coloured};
use crate::app::state::{AppState, DatabaseHealth};

pub fn show(ui: &mut egui::Ui, state: &AppState) {
    let t = state.texts();
    ui.horizontal_wrapped(|ui| {
        ui.style_mut().override_text_style = Some(egui::TextStyle::Small);
        if state.camera_live {
            ui.label(coloured(
                &format!("● {} {:.0} fps", t.camera_live, state.camera_fps),
                theme::OK,
            ));
        } else {
            let text = match &state.camera_fault {
                Some(reason) => {
                    let short: String = reason.chars().take(60).collect();
                    format!("● {}：{short}", t.camera_lost)
                }
                None => format!("● {}", t.camera_lost),
            };
            ui.label(coloured(&text, theme::BAD));
        }
        ui.label(RichText::new(&state.camera_label).weak());
        ui.separator();
        let (health, color) = match &state.database {
            DatabaseHealth::Opening => (t.db_opening, theme::WARN),
            DatabaseHealth::Preparing => (t.db_preparing, theme::WARN),
            DatabaseHealth::Healthy => (t.db_ok, theme::OK),
            DatabaseHealth::Failed(_) => (t.db_failed, theme::BAD),
        };
        ui.label(format!("{} {}", t.database, state.database_path.display()));
        ui.label(coloured(health, color));
        ui.separator();
        let who = match (&state.session, &state.elevated) {
            (Some(user), Some(boss)) => {
                format!("{} + {} ({})", user.name(), boss.name(), t.role_supervisor)
            }
            (Some(user), None) => format!(
                "{} ({})",
                user.name(),
                super::supervisor::role_label(t, user.role())
            ),
            (None, _) => t.sign_in_first.to_string(),
        };
        ui.label(format!("{} {} · {who}", t.station, state.station_name));
        ui.separator();
        ui.label(format!(
            "{} {} · {} {} · {} {}",
            t.today_captured,
            state.counts.captured,
            t.remaining,
            state.counts.remaining_booked,
            t.walk_ins,
            state.counts.walk_ins
        ));
        if let Some((since, what)) = &state.busy_since
            && since.elapsed().as_millis() > 200
        {
            ui.separator();
            ui.spinner();
            ui.label(what);
        }
    });
}
