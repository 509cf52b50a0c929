//! The bottom line: camera and frame rate, database and its health, station and who is logged
//! in, and today's counts.

use egui::RichText;

use super::{theme, widgets::coloured};
use crate::app::state::{AppState, DatabaseHealth};

pub fn show(ui: &mut egui::Ui, state: &AppState) {
    let t = state.texts();
    ui.horizontal_wrapped(|ui| {
        ui.style_mut().override_text_style = Some(egui::TextStyle::Small);
        // Live but no frame counted yet (the first second after opening): "正常 0 fps" beside a
        // black preview read as a contradiction.
        if state.camera_live && state.camera_fps < 0.5 {
            ui.label(coloured(&format!("● {}", t.camera_waiting), theme::WARN));
        } else if state.camera_live {
            ui.label(coloured(
                &format!("● {} {:.0} fps", t.camera_live, state.camera_fps),
                theme::OK,
            ));
        } else {
            let text = match &state.camera_fault {
                Some(reason) => {
                    let reason = t.word(reason);
                    let short: String = reason.chars().take(60).collect();
                    format!("● {}{}{short}", t.camera_lost, t.colon)
                }
                None => format!("● {}", t.camera_lost),
            };
            ui.label(coloured(&text, theme::BAD));
        }
        ui.label(RichText::new(t.camera_name(&state.camera_name)).weak());
        ui.separator();
        let (health, color) = match &state.database {
            DatabaseHealth::Opening => (t.db_opening, theme::WARN),
            DatabaseHealth::Preparing => (t.db_preparing, theme::WARN),
            DatabaseHealth::Healthy => (t.db_ok, theme::OK),
            DatabaseHealth::Failed(_) => (t.db_failed, theme::BAD),
        };
        // The file's name only, the folder on hover: the full path pushed the English bar onto a
        // second line at the booth laptops' 1366 px, and the operator never needs it.
        let file_name = state
            .database_path
            .file_name()
            .map(|name| name.to_string_lossy())
            .unwrap_or_default();
        ui.label(format!("{} {file_name}", t.database))
            .on_hover_text(state.database_path.display().to_string());
        ui.label(coloured(health, color));
        ui.separator();
        let who = match (&state.session, &state.elevated) {
            (Some(user), Some(boss)) => {
                format!("{} + {} ({})", user.name(), boss.name(), t.role_supervisor)
            }
            (Some(user), None) => format!(
                "{} ({})",
                user.name(),
                super::widgets::role_label(t, user.role())
            ),
            (None, _) => t.sign_in_first.to_string(),
        };
        ui.label(format!("{} {} · {who}", t.station, state.station_name));
        if let Some(campus) = &state.campus {
            ui.separator();
            show_campus(ui, t, campus);
        }
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
        // The spinner belongs to the shot: it goes when the shot does (saved, dropped, or
        // another student's card).
        if let crate::app::state::ShotState::Processing { started, .. } = &state.operator.shot
            && started.elapsed().as_millis() > 200
        {
            ui.separator();
            ui.spinner();
            ui.label(t.processing);
        }
    });
}

fn show_campus(
    ui: &mut egui::Ui,
    t: &crate::i18n::Texts,
    campus: &crate::campus::sync::CampusStatus,
) {
    // Conflicts waiting for the supervisor ride on the campus label (a label of their own
    // wrapped the joined bar onto another line at 1366 px).
    // Offline, the bar says so first.
    let open_conflicts = campus
        .open_conflicts
        .filter(|open| *open > 0 && campus.connected);
    let state = if let Some(open) = open_conflicts {
        coloured(
            &format!(
                "● {} {} · {} {open}",
                t.campus, campus.station, t.campus_open_conflicts
            ),
            theme::WARN,
        )
    } else if campus.connected {
        coloured(
            &format!("● {} {} {}", t.campus, campus.station, t.campus_connected),
            theme::OK,
        )
    } else {
        let since = campus
            .offline_since
            .as_deref()
            .map(|s| format!("{} {}", t.campus_offline_since, super::widgets::clock(s)))
            .unwrap_or_else(|| t.campus_offline.to_string());
        coloured(
            &format!("● {} {} {since}", t.campus, campus.station),
            theme::WARN,
        )
    };
    let label = ui.label(state);
    if let Some(error) = &campus.last_error {
        // The sync's own words are English and technical: the Chinese bar says what it means.
        let hover = match t.language() {
            crate::config::Language::Chinese => t.campus_sync_retrying.to_string(),
            crate::config::Language::English => error.clone(),
        };
        label.on_hover_text(hover);
    }
    if let Some(path) = &campus.photo_unreadable {
        ui.label(coloured(
            &format!("⚠ {}", t.campus_photo_unreadable),
            theme::BAD,
        ))
        .on_hover_text(path);
    }
    ui.label(format!(
        "{} {} · {} {} · {} {}",
        t.campus_outbox,
        campus.outbox_depth,
        t.campus_photos_waiting,
        campus.photos_waiting,
        t.campus_last_sync,
        campus
            .last_sync
            .as_deref()
            .map(super::widgets::clock)
            .unwrap_or_else(|| "–".to_string())
    ));
}
