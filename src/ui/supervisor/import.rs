//! The supervisor's 导入预约 tab: a file's preview, the import and its rejected rows.

use crate::app::transfer::TransferCommand;
use egui::RichText;

use crate::app::command::Command;
use crate::app::state::AppState;
use crate::i18n::Texts;
use crate::ui::theme;
use crate::ui::widgets::coloured;

/// 导入预约: a path (picked, typed or dropped), the preview, the confirmation and the outcome
/// with its rejected rows. The first-run guide shows it too.
pub fn import(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
    let import = &mut state.supervisor.import;
    ui.label(t.import_hint);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                !import.busy && !import.picking,
                egui::Button::new(RichText::new(t.import_pick_file).size(18.0)),
            )
            .clicked()
        {
            commands.push(Command::PickImportFile);
        }
        if import.picking {
            ui.spinner();
        }
    });
    if import.no_file_dialog {
        ui.label(coloured(t.import_no_file_dialog, theme::WARN));
    }
    ui.horizontal(|ui| {
        let label = ui.label(t.import_path);
        let field = ui
            .add(egui::TextEdit::singleline(&mut import.path).desired_width(520.0))
            .labelled_by(label.id);
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let ready = !import.busy && !import.path.trim().is_empty();
        if (ui
            .add_enabled(ready, egui::Button::new(t.import_preview_button))
            .clicked()
            || (entered && ready))
            && !import.path.trim().is_empty()
        {
            commands.push(Command::Transfer(TransferCommand::PreviewImport {
                path: import.path.trim().into(),
            }));
        }
    });
    ui.separator();
    if import.busy {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(if import.preview.is_some() {
                t.import_running
            } else {
                t.import_reading
            });
        });
        ui.add(egui::ProgressBar::new(0.0).animate(true));
        return;
    }
    if let Some(reason) = &import.refused {
        let reason = reason.text(t.language());
        ui.label(coloured(&format!("{} {reason}", t.import_refused), theme::BAD).size(18.0));
    }
    if let Some(preview) = &import.preview {
        // Compact, so that the problem rows below get most of a 1366×768 screen.
        let ignored = if preview.ignored_columns.is_empty() {
            "-".to_string()
        } else {
            preview.ignored_columns.join("、")
        };
        ui.add(
            egui::Label::new(
                RichText::new(format!(
                    "{}{}{} · {}{}{} · {}{}{ignored}",
                    t.import_format,
                    t.colon,
                    preview.format,
                    t.import_columns_found,
                    t.colon,
                    preview.known_columns.join("、"),
                    t.import_columns_ignored,
                    t.colon,
                ))
                .size(16.0),
            )
            .wrap(),
        );
        let report = &preview.report;
        ui.horizontal_wrapped(|ui| {
            if ui
                .add(
                    egui::Button::new(
                        RichText::new(t.import_confirm)
                            .size(20.0)
                            .color(egui::Color32::WHITE)
                            .strong(),
                    )
                    .fill(theme::OK),
                )
                .clicked()
            {
                commands.push(Command::Transfer(TransferCommand::ConfirmImport));
            }
            ui.label(RichText::new(t.import_counts(t.import_would, report)).size(18.0));
        });
        rejected_rows(ui, t, &report.rejected, "preview_rejected");
    }
    if let Some(result) = &import.result {
        ui.label(coloured(&t.import_counts(t.import_done, result), theme::OK).size(18.0));
        if !result.rejected.is_empty() && ui.button(t.import_write_rejected).clicked() {
            commands.push(Command::Transfer(TransferCommand::WriteRejectedRows));
        }
        rejected_rows(ui, t, &result.rejected, "import_rejected");
    }
}

/// The rejected rows: spreadsheet row number and reason.
pub(super) fn rejected_rows(
    ui: &mut egui::Ui,
    t: &Texts,
    rejected: &[crate::store::ImportRejection],
    id: &str,
) {
    if rejected.is_empty() {
        return;
    }
    ui.label(RichText::new(format!("{} ({})", t.import_rejected_rows, rejected.len())).strong());
    // Tight rows in a smaller type: a dozen fit at 1366×768, and the list scrolls for more.
    egui::ScrollArea::vertical()
        .id_salt(id)
        .max_height(ui.available_height() - 8.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            ui.spacing_mut().item_spacing.y = 2.0;
            ui.spacing_mut().interact_size.y = 20.0;
            egui::Grid::new(id)
                .striped(true)
                .num_columns(2)
                .spacing([12.0, 2.0])
                .show(ui, |ui| {
                    for rejection in rejected {
                        ui.label(
                            RichText::new(format!("{} {}", t.import_row, rejection.row)).size(16.0),
                        );
                        let reason =
                            crate::i18n::errors::row_problems(&rejection.problems, t.language());
                        ui.label(coloured(&reason, theme::BAD).size(16.0));
                        ui.end_row();
                    }
                });
        });
}
