//! The supervisor's 报表 tab: a school's report and its spreadsheet.

use crate::app::command::Command;
use crate::app::state::AppState;
use crate::app::transfer::TransferCommand;
use crate::i18n::Texts;

use super::pickers::school_picker;

pub(super) fn report(
    ui: &mut egui::Ui,
    state: &mut AppState,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    let Some(school) = school_picker(ui, state, t) else {
        ui.label(t.no_schools);
        return;
    };
    ui.horizontal(|ui| {
        if ui.button(t.load_report).clicked() {
            commands.push(Command::Transfer(TransferCommand::LoadReport {
                school: school.clone(),
            }));
        }
        if ui.button(t.write_report).clicked() {
            commands.push(Command::Transfer(TransferCommand::WriteReport {
                school: school.clone(),
            }));
        }
    });
    let Some(report) = state
        .supervisor
        .close_out
        .report
        .as_ref()
        .filter(|r| r.school == school)
    else {
        return;
    };
    egui::ScrollArea::vertical()
        .id_salt("report")
        .show(ui, |ui| {
            egui::Grid::new("report_grid")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (figure, value) in crate::transfer::report_sheet::report_figures(report) {
                        ui.label(crate::i18n::report_label(&figure, state.language));
                        ui.label(crate::i18n::report_value(&figure, &value, state.language));
                        ui.end_row();
                    }
                });
        });
}
