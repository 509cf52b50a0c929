//! The supervisor's 设置 tab: the station's settings, the student's screen, the accounts.

use egui::RichText;

use crate::app::command::Command;
use crate::app::state::AppState;
use crate::i18n::Texts;
use crate::ui::theme;

use super::users::users;

pub(super) fn settings(
    ui: &mut egui::Ui,
    state: &mut AppState,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    let data_dir = state.data_dir.display().to_string();
    let monitors = state.monitors;
    let supervisor = &mut state.supervisor;
    let file = &mut supervisor.settings;
    let settings_error = &supervisor.settings_error;
    let users_state = &mut supervisor.users;
    ui.columns(2, |columns| {
        users(&mut columns[1], users_state, t, commands);
        let ui = &mut columns[0];
        // The save button and what it said stay in view above the fields, which scroll.
        ui.horizontal_wrapped(|ui| {
            let save = egui::Button::new(
                RichText::new(t.save_settings)
                    .strong()
                    .color(egui::Color32::WHITE),
            )
            .fill(theme::OK);
            if ui.add(save).clicked() {
                commands.push(Command::SaveSettings(Box::new(file.clone())));
            }
            if let Some(error) = settings_error {
                ui.label(crate::ui::widgets::message(error, t, theme::BAD));
            }
        });
        ui.label(RichText::new(t.settings_defaults_hint).small().weak());
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("settings")
                .num_columns(2)
                .spacing([12.0, 8.0])
                .show(ui, |ui| {
                    setting_row(ui, t, t.camera, &mut file.camera, t.camera_auto);
                    setting_row(
                        ui,
                        t,
                        t.resolution,
                        &mut file.camera_resolution,
                        "1920x1080",
                    );
                    setting_row(ui, t, t.pixel_format, &mut file.camera_format, "MJPG");
                    station_rows(ui, t, file);
                    setting_row(ui, t, t.walk_in_price, &mut file.walk_in_amount, "25.00");
                    let mut idle = file.idle_logout_minutes.map(|m| m.to_string());
                    setting_row(ui, t, t.idle_logout_minutes, &mut idle, "15");
                    // Unparseable text is kept as 0, which the save refuses with a clear message.
                    file.idle_logout_minutes = idle.map(|m| m.trim().parse().unwrap_or(0));
                    ui.label(t.language);
                    ui.horizontal(|ui| {
                        for (value, label) in [("zh", "中文"), ("en", "English")] {
                            let selected = file.language.as_deref().unwrap_or("zh") == value;
                            if ui.radio(selected, label).clicked() {
                                file.language = Some(value.to_string());
                            }
                        }
                    });
                    ui.end_row();
                    student_screen_setting(ui, t, file, monitors);
                    ui.label(t.countdown_setting);
                    let mut countdown = file.countdown.unwrap_or(false);
                    if ui.checkbox(&mut countdown, t.turned_on).changed() {
                        file.countdown = Some(countdown);
                    }
                    ui.end_row();
                    let mut holiday = file.holiday_file.as_ref().map(|p| p.display().to_string());
                    setting_row(ui, t, t.holiday_file, &mut holiday, t.holiday_built_in);
                    file.holiday_file = holiday.map(Into::into);
                    ui.label(t.data_folder);
                    ui.label(RichText::new(&data_dir).monospace());
                    ui.end_row();
                });
        });
    });
}

/// One row of the settings grid: the label, and the value typed. An empty field means the
/// default, which the field says in words ("默认：20-40"), so a set value and a default never
/// look alike.
pub(super) fn setting_row(
    ui: &mut egui::Ui,
    t: &Texts,
    label: &str,
    value: &mut Option<String>,
    default: &str,
) {
    let mut buffer = value.clone().unwrap_or_default();
    let label = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(&mut buffer)
            .hint_text(format!("{}{}{default}", t.default_value, t.colon))
            .desired_width(300.0),
    )
    .labelled_by(label.id);
    ui.end_row();
    *value = (!buffer.trim().is_empty()).then_some(buffer);
}

/// The station's name, its backdrop and the accepted JPEG size, in a grid of their own: the
/// first-run guide's station step.
pub fn station_fields(ui: &mut egui::Ui, t: &Texts, file: &mut crate::config::ConfigFile) {
    egui::Grid::new("station_fields")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| station_rows(ui, t, file));
}

/// The station's rows, in the settings' grid or the guide's.
pub(super) fn station_rows(ui: &mut egui::Ui, t: &Texts, file: &mut crate::config::ConfigFile) {
    setting_row(
        ui,
        t,
        t.station_name,
        &mut file.station_name,
        crate::config::DEFAULT_STATION_NAME,
    );
    ui.label(t.backdrop);
    ui.horizontal_wrapped(|ui| {
        for (value, label) in [
            ("blue", t.backdrop_blue),
            ("white", t.backdrop_white),
            ("grey", t.backdrop_grey),
        ] {
            let selected = file.backdrop.as_deref().unwrap_or("blue") == value;
            if ui.radio(selected, label).clicked() {
                file.backdrop = Some(value.to_string());
            }
        }
    });
    ui.end_row();
    setting_row(ui, t, t.jpeg_kb, &mut file.jpeg_kb, "20-40");
}

/// Off, a window, full screen on monitor N, or an inset. An unreadable value is shown as the
/// default and written back only when the supervisor picks one.
pub(super) fn student_screen_setting(
    ui: &mut egui::Ui,
    t: &Texts,
    file: &mut crate::config::ConfigFile,
    monitors: Option<usize>,
) {
    use crate::config::StudentScreenMode;
    let current = file
        .student_screen
        .as_deref()
        .and_then(StudentScreenMode::parse)
        .unwrap_or_default();
    let mut chosen = current;
    ui.label(t.student_screen_setting);
    // One choice a line: side by side they ran past the panel's edge. Framed as one group: bare,
    // the first of them (关闭) read as a third choice of the language above.
    ui.group(|ui| {
        ui.vertical(|ui| {
            ui.radio_value(&mut chosen, StudentScreenMode::Off, t.student_screen_off);
            ui.radio_value(
                &mut chosen,
                StudentScreenMode::Window,
                t.student_screen_window,
            );
            ui.radio_value(
                &mut chosen,
                StudentScreenMode::Inset,
                t.student_screen_inset,
            );
            let monitor = match chosen {
                StudentScreenMode::Monitor(n) => n,
                _ => 2,
            };
            ui.horizontal(|ui| {
                ui.radio_value(
                    &mut chosen,
                    StudentScreenMode::Monitor(monitor),
                    t.student_screen_monitor,
                );
                if let StudentScreenMode::Monitor(n) = &mut chosen {
                    ui.add(egui::DragValue::new(n).range(1..=16));
                }
            });
            if let (StudentScreenMode::Monitor(n), Some(count)) = (chosen, monitors)
                && n > count
            {
                let note = t
                    .student_screen_no_such_monitor
                    .replace("{n}", &count.to_string());
                ui.label(RichText::new(note).small().color(theme::WARN));
            }
        });
    });
    ui.end_row();
    if chosen != current {
        file.student_screen = Some(chosen.as_setting());
    }
}
