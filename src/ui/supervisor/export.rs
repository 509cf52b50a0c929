//! The supervisor's 导出照片 tab: a school's photos for 学信网, with the plan and progress.

use crate::app::transfer::TransferCommand;
use egui::RichText;

use crate::app::command::Command;
use crate::app::state::AppState;
use crate::i18n::Texts;
use crate::ui::theme;
use crate::ui::widgets::coloured;

use super::pickers::pick_school;

/// 导出照片: school, naming, target folder, the space check, progress, and the verified result.
pub(super) fn export(
    ui: &mut egui::Ui,
    state: &mut AppState,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    use crate::app::state::EXPORT_NAMINGS;
    ui.label(t.export_hint);
    let supervisor = &mut state.supervisor;
    pick_school(
        ui,
        &supervisor.schools,
        &mut supervisor.export.school,
        t,
        "export_school",
    );
    let form = &mut supervisor.export;
    egui::Grid::new("export_form")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label(t.export_naming);
            ui.horizontal(|ui| {
                let labels = [
                    t.naming_capture_code,
                    t.naming_id_number,
                    t.naming_student_no_name,
                ];
                for (index, (label, template)) in labels.iter().zip(EXPORT_NAMINGS).enumerate() {
                    let picked = ui
                        .radio_value(&mut form.naming, index, format!("{label}.jpg"))
                        .on_hover_text(template);
                    if picked.changed() {
                        // The plan was for the other naming: check again.
                        form.plan = None;
                    }
                }
            });
            ui.end_row();
            let label = ui.label(t.export_folder);
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut form.folder).desired_width(460.0))
                    .labelled_by(label.id);
                if ui
                    .add_enabled(!form.picking, egui::Button::new(t.export_pick_folder))
                    .clicked()
                {
                    commands.push(Command::PickExportFolder);
                }
                if form.picking {
                    ui.spinner();
                }
            });
            ui.end_row();
        });
    if form.no_folder_dialog {
        ui.label(coloured(t.export_no_folder_dialog, theme::WARN));
    }
    ui.checkbox(&mut form.only_reexports, t.export_only_reexports);
    ui.horizontal(|ui| {
        let idle = !form.busy;
        if ui
            .add_enabled(idle, egui::Button::new(t.export_check))
            .clicked()
        {
            commands.push(Command::Transfer(TransferCommand::PlanExport));
        }
        let fits = form
            .plan
            .as_ref()
            .is_some_and(|p| p.fits() && p.unnamed.is_empty());
        let start = egui::Button::new(
            RichText::new(t.export_start)
                .size(20.0)
                .color(egui::Color32::WHITE)
                .strong(),
        )
        .fill(theme::OK);
        if ui.add_enabled(idle && fits, start).clicked() {
            commands.push(Command::Transfer(TransferCommand::StartExport));
        }
    });
    ui.separator();
    if let Some((done, total)) = form.progress {
        ui.label(t.export_running);
        let fraction = if total == 0 {
            0.0
        } else {
            done as f32 / total as f32
        };
        ui.add(egui::ProgressBar::new(fraction).show_percentage());
    }
    if let Some(reason) = &form.refused {
        ui.label(crate::ui::widgets::message(reason, t, theme::BAD).size(18.0));
    }
    if let Some(plan) = &form.plan {
        let mb = |bytes: u64| match bytes {
            0..1_000_000_000 => format!("{:.1} MB", bytes as f64 / 1e6),
            _ => format!("{:.1} GB", bytes as f64 / 1e9),
        };
        let free = plan
            .available_bytes
            .map_or_else(|| t.export_unknown_space.to_string(), mb);
        let line = format!(
            "{} {}{}{} {}{}{} {}",
            t.export_plan,
            plan.photos,
            t.list_separator,
            t.export_needed,
            mb(plan.needed_bytes),
            t.list_separator,
            t.export_available,
            free
        );
        if plan.fits() {
            ui.label(RichText::new(line).size(18.0));
        } else {
            ui.label(coloured(&format!("{} — {line}", t.export_no_space), theme::BAD).size(18.0));
        }
        if !plan.reexports.is_empty() {
            ui.label(format!(
                "{} ({}): {}",
                t.export_reexports,
                plan.reexports.len(),
                plan.reexports.join(t.list_separator)
            ));
        }
        if !plan.unnamed.is_empty() {
            let line = t
                .export_unnamed
                .replace("{count}", &plan.unnamed.len().to_string());
            ui.label(
                coloured(
                    &format!("{line}{}{}", t.colon, plan.unnamed.join(t.list_separator)),
                    theme::BAD,
                )
                .size(18.0),
            );
        }
    }
    if let Some(result) = &form.result {
        let report = &result.report;
        ui.label(format!(
            "{} {}{}{} {}",
            t.export_done,
            report.folder.display(),
            t.list_separator,
            t.export_plan,
            report.photos - report.damaged.len()
        ));
        match &result.verdict {
            Some(verdict) if verdict.ok() => {
                ui.label(coloured(&format!("✓ {}", t.export_verified), theme::OK).size(20.0));
            }
            _ => {
                ui.label(coloured(&format!("× {}", t.export_not_verified), theme::BAD).size(20.0));
            }
        }
    }
}
