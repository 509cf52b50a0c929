//! The supervisor's 学校 tab: each school's collection windows.

use crate::app::schools::SchoolsCommand;
use egui::RichText;

use crate::app::command::Command;
use crate::app::state::AppState;
use crate::i18n::Texts;

pub(super) fn schools(
    ui: &mut egui::Ui,
    state: &mut AppState,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    let supervisor = &mut state.supervisor;
    ui.horizontal(|ui| {
        let label = ui.label(t.school_name);
        ui.add(egui::TextEdit::singleline(&mut supervisor.new_school).desired_width(220.0))
            .labelled_by(label.id);
        let label = ui.label(t.first_day);
        ui.add(
            egui::TextEdit::singleline(&mut supervisor.new_first_day)
                .hint_text("2026-12-01")
                .desired_width(130.0),
        )
        .labelled_by(label.id);
        let label = ui.label(t.last_day);
        ui.add(
            egui::TextEdit::singleline(&mut supervisor.new_last_day)
                .hint_text("2026-12-05")
                .desired_width(130.0),
        )
        .labelled_by(label.id);
        if ui.button(t.add_window).clicked() {
            commands.push(Command::Schools(SchoolsCommand::AddWindow {
                school: supervisor.new_school.clone(),
                first_day: supervisor.new_first_day.clone(),
                last_day: supervisor.new_last_day.clone(),
            }));
        }
    });
    ui.separator();
    if supervisor.schools.is_empty() {
        ui.label(t.no_schools);
    }
    egui::ScrollArea::vertical()
        .id_salt("schools")
        .show(ui, |ui| {
            for school in &mut supervisor.schools {
                ui.label(RichText::new(&school.name).strong());
                for (id, first, last) in &mut school.windows {
                    ui.horizontal(|ui| {
                        ui.add(egui::TextEdit::singleline(first).desired_width(130.0));
                        ui.label("—");
                        ui.add(egui::TextEdit::singleline(last).desired_width(130.0));
                        if ui.button(t.save_window).clicked() {
                            commands.push(Command::Schools(SchoolsCommand::UpdateWindow {
                                window_id: id.clone(),
                                first_day: first.clone(),
                                last_day: last.clone(),
                            }));
                        }
                    });
                }
            }
        });
}
