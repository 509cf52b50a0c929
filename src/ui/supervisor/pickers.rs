//! The school picker the tabs share.

use crate::app::state::AppState;
use crate::i18n::Texts;

/// A combo box of the known schools; returns the picked one.
pub(super) fn school_picker(ui: &mut egui::Ui, state: &mut AppState, t: &Texts) -> Option<String> {
    let supervisor = &mut state.supervisor;
    pick_school(
        ui,
        &supervisor.schools,
        &mut supervisor.close_out.school,
        t,
        "close_out_school",
    )
}

/// A combo box of `schools` editing `current` (the first school when empty); returns the pick.
pub(super) fn pick_school(
    ui: &mut egui::Ui,
    schools: &[crate::app::state::SchoolRow],
    current: &mut String,
    t: &Texts,
    id: &str,
) -> Option<String> {
    if current.is_empty()
        && let Some(first) = schools.first()
    {
        current.clone_from(&first.name);
    }
    ui.horizontal(|ui| {
        let label = ui.label(t.pick_school);
        egui::ComboBox::from_id_salt(id)
            .selected_text(current.as_str())
            .show_ui(ui, |ui| {
                for school in schools {
                    ui.selectable_value(current, school.name.clone(), &school.name);
                }
            })
            .response
            .labelled_by(label.id);
    });
    (!current.is_empty()).then(|| current.clone())
}
