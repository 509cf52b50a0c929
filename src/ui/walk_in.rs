//! 现场预约: the walk-in desk's form, with the ID number checked as it is typed.

use crate::app::walk_in_desk::WalkInCommand;
use egui::RichText;

use super::theme;
use super::widgets::{coloured, text_field};
use crate::app::command::Command;
use crate::app::state::{AppState, NoIdReason, WalkInForm};
use crate::app::walk_in::id_number_verdict;
use crate::domain::PaymentMethod;

pub fn show(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let t = state.texts();
    let today = chrono::Local::now().date_naive();
    let known_schools: Vec<String> = state
        .supervisor
        .schools
        .iter()
        .map(|school| school.name.clone())
        .collect();
    ui.heading(t.walk_in_title);
    ui.label(RichText::new(t.required_hint).small());
    let form = &mut state.walk_in;
    // Two columns, so the whole form and its save button fit a 1366×768 booth laptop.
    ui.columns(2, |columns| {
        let ui = &mut columns[0];
        text_field(ui, &format!("{} *", t.name), &mut form.name);
        // The marks follow the ticks: the ID number is required unless the student has no ID
        // card, and then the student number is.
        let id_label = required_unless(t.id_number, form.no_id_card);
        text_field(ui, &id_label, &mut form.id_number);
        // The verdict's line is always there, so the fields below never move while typing.
        let verdict = match id_number_verdict(form, today) {
            Some(Ok(())) => coloured(&format!("✓ {}", t.id_ok), theme::OK),
            Some(Err(reason)) => coloured(&format!("× {}", t.word(&reason)), theme::BAD),
            None => RichText::new(" "),
        };
        reserved_line(ui, verdict);
        ui.checkbox(&mut form.no_id_card, t.no_id_card);
        if form.no_id_card {
            ui.horizontal(|ui| {
                for (reason, label) in
                    NoIdReason::ALL
                        .into_iter()
                        .zip([t.no_id_lost, t.no_id_ocr, t.no_id_other])
                {
                    ui.radio_value(&mut form.no_id_reason, reason, label);
                }
            });
        }
        let student_no_label = required_unless(t.student_no, !form.no_id_card);
        text_field(ui, &student_no_label, &mut form.student_no);
        if text_field(ui, &format!("{} *", t.school), &mut form.school).changed() {
            form.school_unknown = false;
        }
        school_suggestions(ui, t, form, &known_schools);
        text_field(ui, t.department, &mut form.department);
        let ui = &mut columns[1];
        text_field(ui, t.major, &mut form.major);
        text_field(ui, t.level, &mut form.level);
        text_field(ui, t.phone, &mut form.phone);
        ui.horizontal(|ui| {
            ui.add_sized([150.0, 30.0], egui::Label::new(t.payment));
            for (method, label) in [
                (PaymentMethod::Wechat, t.pay_wechat),
                (PaymentMethod::Alipay, t.pay_alipay),
                (PaymentMethod::Cash, t.pay_cash),
            ] {
                ui.radio_value(&mut form.payment, method, label);
            }
        });
        text_field(ui, t.amount, &mut form.amount);
        capture_code_field(ui, t, form);
        ui.checkbox(&mut form.no_capture_code, t.walk_in_no_code);
    });
    // The error's line is always there, so 保存预约 does not move when one appears.
    match &form.error {
        Some(error) => reserved_line(ui, coloured(error, theme::BAD)),
        None => reserved_line(ui, RichText::new(" ")),
    }
    ui.add_space(12.0);
    let id_blocks = !form.no_id_card && matches!(id_number_verdict(form, today), Some(Err(_)));
    let can_save = !form.saving && !id_blocks;
    ui.horizontal(|ui| {
        let save = egui::Button::new(RichText::new(t.save_walk_in).size(22.0))
            .min_size(egui::vec2(220.0, 44.0));
        if ui.add_enabled(can_save, save).clicked() {
            commands.push(Command::WalkIn(WalkInCommand::SaveWalkIn));
        }
        // A school nobody has booked yet: a typo (演示大學) would make a new school in the
        // reports, the export and the close-out, so it is asked once.
        if form.school_unknown {
            let confirm = egui::Button::new(RichText::new(t.walk_in_confirm_school).size(20.0));
            if ui.add_enabled(can_save, confirm).clicked() {
                commands.push(Command::WalkIn(WalkInCommand::ConfirmNewSchool));
            }
        }
        if form.saving {
            ui.spinner();
        }
    });
}

/// A field's label, marked required (*) unless `optional`.
fn required_unless(label: &str, optional: bool) -> String {
    if optional {
        label.to_string()
    } else {
        format!("{label} *")
    }
}

/// How long a capture code filled by the camera stays highlighted.
const CAMERA_FILL_FLASH: std::time::Duration = std::time::Duration::from_secs(3);

/// One line of text (or nothing) that always takes a line's height.
fn reserved_line(ui: &mut egui::Ui, text: RichText) {
    let height = ui.text_style_height(&egui::TextStyle::Body);
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), height),
        egui::Sense::hover(),
    );
    let mut line = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
    );
    line.label(text);
}

/// The capture code, typed, or filled by the camera when it was empty: then it flashes and
/// says whose booking the code already is, so a code from the next phone in the queue is seen.
fn capture_code_field(ui: &mut egui::Ui, t: &crate::i18n::Texts, form: &mut WalkInForm) {
    let flashing = form
        .code_from_camera
        .as_ref()
        .is_some_and(|filled| filled.at.elapsed() < CAMERA_FILL_FLASH);
    let response = ui
        .horizontal(|ui| {
            let text = required_unless(t.capture_code, form.no_capture_code);
            let label = ui.add_sized([150.0, 30.0], egui::Label::new(text));
            let mut edit = egui::TextEdit::singleline(&mut form.capture_code)
                .desired_width(ui.available_width().min(320.0));
            if flashing {
                edit = edit.background_color(theme::GUIDE);
            }
            ui.add(edit).labelled_by(label.id)
        })
        .inner;
    if response.changed() {
        // Typed over by hand: the camera's note no longer applies.
        form.code_from_camera = None;
    }
    if flashing {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(200));
    }
    let line = match form.code_from_camera.as_ref().map(|filled| &filled.owner) {
        Some(Some(Some(owner))) => {
            coloured(&t.walk_in_code_owner.replace("{name}", owner), theme::BAD)
        }
        Some(Some(None)) => coloured(
            &format!("{} · {}", t.walk_in_code_filled, t.walk_in_code_free),
            theme::INFO,
        ),
        Some(None) => coloured(t.walk_in_code_filled, theme::INFO),
        None => RichText::new(" "),
    };
    reserved_line(ui, line);
}

/// Known schools like the one typed, to pick instead of making a new school by a typo. The line
/// is always there, so the fields below never move.
fn school_suggestions(
    ui: &mut egui::Ui,
    t: &crate::i18n::Texts,
    form: &mut WalkInForm,
    known: &[String],
) {
    let typed = form.school.trim();
    let exact = known.iter().any(|school| school == typed);
    let mut like: Vec<&String> = if typed.is_empty() || exact {
        Vec::new()
    } else {
        known
            .iter()
            .filter(|school| shares_two_characters(school, typed))
            .take(3)
            .collect()
    };
    if like.is_empty() && !typed.is_empty() && !exact && known.len() <= 3 {
        like = known.iter().collect();
    }
    let height = ui.spacing().interact_size.y;
    // A line of its own, exactly this tall whether empty or not.
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), height),
        egui::Sense::hover(),
    );
    let mut line = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
    );
    if like.is_empty() {
        return;
    }
    line.label(RichText::new(t.walk_in_known_schools).color(theme::WARN));
    for school in like {
        if line.small_button(school).clicked() {
            form.school = school.clone();
            form.school_unknown = false;
            // What was said about the school typed before no longer applies.
            form.error = None;
        }
    }
}

/// Whether two names share at least two characters: 演示大学 and 演示大學 do.
fn shares_two_characters(a: &str, b: &str) -> bool {
    let shared = a.chars().filter(|c| b.contains(*c)).count();
    shared >= 2.min(a.chars().count()).min(b.chars().count())
}
