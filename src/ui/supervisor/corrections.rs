//! The supervisor's 信息更正 tab: find a student, correct a field, with the history.

use crate::app::capture::CaptureCommand;
use crate::app::corrections::CorrectionsCommand;
use egui::RichText;

use crate::app::command::Command;
use crate::app::state::AppState;
use crate::domain::CorrectableField;
use crate::i18n::Texts;
use crate::ui::theme;
use crate::ui::widgets::{coloured, text_field};

/// Search box and results shared by corrections and retakes; picking one selects it.
pub(super) fn pick_student(
    ui: &mut egui::Ui,
    state: &mut AppState,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    let search = &mut state.supervisor.search;
    ui.horizontal(|ui| {
        let label = ui.label(t.search);
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut search.query)
                    .hint_text(t.search_hint)
                    .desired_width(ui.available_width()),
            )
            .labelled_by(label.id);
        if response.changed() {
            commands.push(Command::Capture(CaptureCommand::Search {
                query: search.query.clone(),
                for_supervisor: true,
            }));
        }
    });
    egui::ScrollArea::vertical()
        .id_salt("supervisor_results")
        .show(ui, |ui| {
            for hit in &search.results {
                let booking = &hit.booking;
                let selected = state
                    .supervisor
                    .selected
                    .as_ref()
                    .is_some_and(|s| s.booking_id == booking.booking_id);
                let line = crate::ui::widgets::booking_line(t, booking);
                if ui.add(egui::Button::selectable(selected, line)).clicked() {
                    commands.push(Command::Corrections(
                        CorrectionsCommand::SelectForCorrection(booking.booking_id.clone()),
                    ));
                }
            }
        });
}

pub(super) fn field_label(t: &Texts, field: CorrectableField) -> &'static str {
    match field {
        CorrectableField::Name => t.name,
        CorrectableField::IdNumber => t.id_number,
        CorrectableField::StudentNo => t.student_no,
        CorrectableField::School => t.school,
        CorrectableField::Department => t.department,
        CorrectableField::Major => t.major,
        CorrectableField::Level => t.level,
    }
}

pub(super) fn corrections(
    ui: &mut egui::Ui,
    state: &mut AppState,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    ui.columns(2, |columns| {
        pick_student(&mut columns[0], state, t, commands);
        correction_form(&mut columns[1], state, t, commands);
    });
}

pub(super) fn correction_form(
    ui: &mut egui::Ui,
    state: &mut AppState,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    let Some(booking) = state.supervisor.selected.clone() else {
        ui.label(t.pick_student);
        return;
    };
    let student = &booking.student;
    // Whose record this is, always in view beside the form.
    ui.label(
        RichText::new(format!("{}{}{}", t.correcting, t.colon, student.name))
            .size(24.0)
            .strong(),
    );
    ui.label(
        RichText::new(format!(
            "{} {} · {} {} · {} · {}",
            t.id_number,
            student.id_number.as_deref().unwrap_or("-"),
            t.student_no,
            student.student_no.as_deref().unwrap_or("-"),
            student.school,
            t.status(&booking.status)
        ))
        .color(egui::Color32::from_gray(70)),
    );
    if booking.details_disputed {
        ui.label(coloured(t.disputed_banner, theme::BAD).size(20.0));
        let card_is_this = state
            .card()
            .is_some_and(|card| card.booking.booking_id == booking.booking_id);
        if card_is_this && ui.button(t.override_dispute).clicked() {
            commands.push(Command::Corrections(CorrectionsCommand::OverrideDispute {
                booking_id: booking.booking_id.clone(),
            }));
        }
    }
    let form = &mut state.supervisor.correction;
    // Every field in view at once: a drop-down showed 4 of 7 at 1366×768 with no sign of more.
    ui.horizontal_wrapped(|ui| {
        ui.label(t.field);
        for field in CorrectableField::ALL {
            ui.selectable_value(&mut form.field, field, field_label(t, field));
        }
    });
    ui.horizontal(|ui| {
        ui.label(t.current_value);
        let current = match form.field {
            CorrectableField::Name => Some(student.name.clone()),
            CorrectableField::IdNumber => student.id_number.clone(),
            CorrectableField::StudentNo => student.student_no.clone(),
            CorrectableField::School => Some(student.school.clone()),
            CorrectableField::Department => student.department.clone(),
            CorrectableField::Major => student.major.clone(),
            CorrectableField::Level => student.level.clone(),
        };
        ui.label(RichText::new(current.unwrap_or_else(|| "-".to_string())).weak());
    });
    text_field(ui, t.new_value, &mut form.value);
    text_field(ui, t.reason, &mut form.reason);
    let captured = booking.status == "captured";
    if captured {
        ui.checkbox(&mut form.confirm_after_capture, t.confirm_after_capture);
    }
    if let Some(error) = &state.supervisor.correction_error {
        ui.label(crate::ui::widgets::message(error, t, theme::BAD));
    }
    let ready = !form.reason.trim().is_empty() && (!captured || form.confirm_after_capture);
    if ui
        .add_enabled(ready, egui::Button::new(t.save_correction))
        .clicked()
    {
        commands.push(Command::Corrections(CorrectionsCommand::Correct {
            booking_id: booking.booking_id.clone(),
            field: form.field,
            value: form.value.clone(),
            reason: form.reason.clone(),
            confirmed_after_capture: form.confirm_after_capture,
        }));
    }
    ui.separator();
    ui.label(RichText::new(t.history).strong());
    if state.supervisor.history.is_empty() {
        ui.label(t.no_history);
    }
    egui::ScrollArea::vertical()
        .id_salt("history")
        .show(ui, |ui| {
            for record in &state.supervisor.history {
                let field = CorrectableField::parse(&record.field).map_or_else(
                    || record.field.clone(),
                    |field| crate::i18n::errors::correctable_name(field, t.language()),
                );
                ui.label(format!(
                    "{} · {field}{}{} → {} · {} · {}",
                    t.local_minute(&record.at),
                    t.colon,
                    record.old_value.as_deref().unwrap_or("-"),
                    record.new_value.as_deref().unwrap_or("-"),
                    t.actor(&record.who),
                    record.reason
                ));
            }
        });
}
