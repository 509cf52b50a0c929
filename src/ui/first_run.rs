//! 首次设置: the first-run guide's window. Five steps (camera, supervisor account, this station,
//! bookings, campus) beside a list that shows where the user is, then a summary. Each step reuses
//! the form it would use later under 主管, so the guide and 设置 cannot drift apart.

use egui::{Color32, RichText, vec2};

use super::widgets::coloured;
use super::{Textures, campus, sign_in, supervisor, theme};
use crate::app::command::Command;
use crate::app::first_run::{FirstRun, FirstRunStep, StepOutcome};
use crate::app::state::AppState;
use crate::i18n::Texts;

pub fn show(
    ui: &mut egui::Ui,
    state: &mut AppState,
    textures: &Textures,
    commands: &mut Vec<Command>,
) {
    let t = state.texts();
    let Some(step) = state.first_run.as_ref().map(|guide| guide.step) else {
        return;
    };
    ui.add_space(8.0);
    ui.heading(RichText::new(t.fr_title).size(28.0));
    ui.label(t.fr_hint);
    ui.separator();
    ui.horizontal_top(|ui| {
        if let Some(guide) = &state.first_run {
            step_list(ui, guide, t);
        }
        ui.separator();
        ui.vertical(|ui| {
            if let Some(number) = FirstRunStep::WORK.iter().position(|s| *s == step) {
                ui.label(
                    RichText::new(format!(
                        "{} {}/5 · {}",
                        t.fr_step,
                        number + 1,
                        title(t, step)
                    ))
                    .size(24.0)
                    .strong(),
                );
                ui.add_space(6.0);
            }
            // The buttons stay in sight: the step's own content scrolls above them.
            let content_height = (ui.available_height() - 60.0).max(200.0);
            egui::ScrollArea::vertical()
                .max_height(content_height)
                .auto_shrink([false, true])
                .show(ui, |ui| match step {
                    FirstRunStep::Camera => camera(ui, state, textures, t, commands),
                    FirstRunStep::Supervisor => {
                        ui.label(t.first_run_hint);
                        ui.label(coloured(t.fr_supervisor_required, theme::INFO));
                        ui.add_space(12.0);
                        sign_in::form(ui, state, true, commands);
                    }
                    FirstRunStep::Station => station(ui, state, t),
                    FirstRunStep::Import => supervisor::import(ui, state, t, commands),
                    FirstRunStep::Campus => join_campus(ui, state, t, commands),
                    FirstRunStep::Finished => summary(ui, state, t),
                });
            ui.separator();
            buttons(ui, state, step, t, commands);
        });
    });
}

fn title(t: &Texts, step: FirstRunStep) -> &'static str {
    match step {
        FirstRunStep::Camera => t.fr_step_camera,
        FirstRunStep::Supervisor => t.fr_step_supervisor,
        FirstRunStep::Station => t.fr_step_station,
        FirstRunStep::Import => t.fr_step_import,
        FirstRunStep::Campus => t.fr_step_campus,
        FirstRunStep::Finished => t.fr_step_finished,
    }
}

/// The five steps down the left, the current one marked, each finished one with its outcome.
fn step_list(ui: &mut egui::Ui, guide: &FirstRun, t: &Texts) {
    ui.vertical(|ui| {
        ui.set_width(230.0);
        for (number, step) in FirstRunStep::WORK.iter().enumerate() {
            let (mark, colour) = match (guide.outcome(*step), *step == guide.step) {
                (_, true) => ("▶", theme::INFO),
                (Some(StepOutcome::Done), _) => ("✓", theme::OK),
                (Some(StepOutcome::Skipped), _) => ("–", Color32::GRAY),
                (Some(StepOutcome::NoCamera), _) => ("!", theme::WARN),
                (None, _) => ("○", Color32::GRAY),
            };
            let text = RichText::new(format!("{mark} {} {}", number + 1, title(t, *step)))
                .size(18.0)
                .color(colour);
            ui.label(if *step == guide.step {
                text.strong()
            } else {
                text
            });
            ui.add_space(6.0);
        }
    });
}

fn camera(
    ui: &mut egui::Ui,
    state: &AppState,
    textures: &Textures,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    let Some(guide) = &state.first_run else {
        return;
    };
    ui.label(t.fr_camera_hint);
    ui.add_space(8.0);
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(380.0);
            match &guide.cameras {
                None => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(t.fr_finding_cameras);
                    });
                }
                Some(options) => {
                    if options.is_empty() {
                        ui.label(coloured(t.fr_no_camera, theme::WARN));
                    }
                    for option in options {
                        let chosen = guide.is_chosen(option);
                        let name = t.camera_name(&option.name);
                        let label = if option.formats.is_empty() {
                            name
                        } else {
                            format!("{name} ({} {})", option.formats.len(), t.fr_formats)
                        };
                        if ui.radio(chosen, RichText::new(label).size(18.0)).clicked() && !chosen {
                            commands.push(Command::FirstRunCamera {
                                setting: option.setting.clone(),
                                format: None,
                            });
                        }
                        if chosen && !option.formats.is_empty() {
                            format_choice(ui, guide, option, t, commands);
                        }
                    }
                    ui.add_space(8.0);
                    if ui.button(t.fr_find_again).clicked() {
                        commands.push(Command::FirstRunFindCameras);
                    }
                }
            }
        });
        ui.vertical(|ui| {
            ui.label(format!(
                "{} {}",
                t.fr_live,
                t.camera_name(&state.camera_name)
            ));
            live_preview(ui, state, textures, t, vec2(480.0, 270.0));
        });
    });
}

/// The chosen camera's formats: automatic, or one the camera reports.
fn format_choice(
    ui: &mut egui::Ui,
    guide: &FirstRun,
    option: &crate::app::first_run::CameraOption,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    let picked = guide.picked_format();
    let current = option.formats.iter().find(|f| {
        picked.as_ref().is_some_and(|wanted| {
            wanted.size == Some((f.width, f.height))
                && wanted.fourcc.as_deref() == Some(f.fourcc.as_str())
        })
    });
    ui.horizontal(|ui| {
        ui.add_space(24.0);
        let label = ui.label(t.fr_format);
        egui::ComboBox::from_id_salt("first-run-format")
            .width(300.0)
            .selected_text(current.map_or(t.fr_format_auto.to_string(), |f| f.to_string()))
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(current.is_none(), t.fr_format_auto)
                    .clicked()
                {
                    commands.push(Command::FirstRunCamera {
                        setting: option.setting.clone(),
                        format: None,
                    });
                }
                for format in &option.formats {
                    if ui
                        .selectable_label(current == Some(format), format.to_string())
                        .clicked()
                    {
                        commands.push(Command::FirstRunCamera {
                            setting: option.setting.clone(),
                            format: Some(format.clone()),
                        });
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
}

/// The live frame fitted into `size`, or a dark box saying what the camera is doing.
fn live_preview(
    ui: &mut egui::Ui,
    state: &AppState,
    textures: &Textures,
    t: &Texts,
    size: egui::Vec2,
) {
    match (&textures.preview, state.camera_live) {
        (Some(texture), true) => {
            let source = texture.size_vec2();
            let scale = (size.x / source.x).min(size.y / source.y);
            ui.add(
                egui::Image::new(texture)
                    .fit_to_exact_size(source * scale)
                    .alt_text(t.live_view),
            );
        }
        _ => {
            let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
            ui.painter().rect_filled(rect, 4.0, Color32::from_gray(40));
            let text = state
                .camera_fault
                .as_ref()
                .map_or_else(|| t.camera_waiting.to_string(), |fault| t.word(fault));
            ui.painter().text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                text,
                egui::FontId::proportional(18.0),
                Color32::WHITE,
            );
        }
    }
}

fn station(ui: &mut egui::Ui, state: &mut AppState, t: &Texts) {
    ui.label(t.fr_station_hint);
    ui.add_space(8.0);
    if let Some(guide) = &mut state.first_run {
        supervisor::station_fields(ui, t, &mut guide.draft);
    }
    if let Some(error) = &state.supervisor.settings_error {
        ui.label(super::widgets::message(error, t, theme::BAD));
    }
}

fn join_campus(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
    let screen = &mut state.supervisor.campus;
    if let Some(joined) = &screen.joined {
        ui.label(
            coloured(
                &format!(
                    "{} {} · {}",
                    t.fr_campus_joined, joined.server, joined.station
                ),
                theme::OK,
            )
            .size(18.0),
        );
        return;
    }
    ui.label(t.fr_campus_hint);
    ui.add_space(8.0);
    if let Some(error) = &screen.error {
        ui.label(super::widgets::message(error, t, theme::BAD));
    }
    campus::join_form(ui, screen, t, commands);
}

fn summary(ui: &mut egui::Ui, state: &AppState, t: &Texts) {
    let Some(guide) = &state.first_run else {
        return;
    };
    egui::Grid::new("first-run-summary")
        .num_columns(2)
        .spacing([24.0, 10.0])
        .show(ui, |ui| {
            for step in FirstRunStep::WORK {
                ui.label(RichText::new(title(t, step)).size(18.0));
                ui.label(match guide.outcome(step) {
                    Some(StepOutcome::Done) => coloured(t.fr_done, theme::OK).size(18.0),
                    Some(StepOutcome::NoCamera) => {
                        coloured(t.fr_no_camera_found, theme::WARN).size(18.0)
                    }
                    _ => coloured(t.fr_skipped, Color32::GRAY).size(18.0),
                });
                ui.end_row();
            }
        });
    ui.add_space(12.0);
    ui.label(t.fr_later);
}

fn buttons(
    ui: &mut egui::Ui,
    state: &AppState,
    step: FirstRunStep,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    let saving = state.first_run.as_ref().is_some_and(|guide| guide.saving);
    let busy = saving || state.supervisor.import.busy || state.supervisor.campus.busy;
    ui.horizontal(|ui| {
        let big = |text: &str| RichText::new(text).size(20.0);
        match step {
            FirstRunStep::Supervisor => {}
            FirstRunStep::Finished => {
                let start = egui::Button::new(big(t.fr_start).color(Color32::WHITE).strong())
                    .fill(theme::OK);
                if ui.add(start).clicked() {
                    commands.push(Command::FirstRunFinish);
                }
            }
            _ => {
                let next = if step == FirstRunStep::Station {
                    t.fr_save_next
                } else {
                    t.fr_next
                };
                if ui
                    .add_enabled(!busy, egui::Button::new(big(next).strong()))
                    .clicked()
                {
                    commands.push(Command::FirstRunNext);
                }
                if step.skippable()
                    && ui
                        .add_enabled(!busy, egui::Button::new(big(t.fr_skip)))
                        .clicked()
                {
                    commands.push(Command::FirstRunSkip);
                }
                if saving {
                    ui.spinner();
                }
            }
        }
    });
}
