//! Small pieces the screens share: the notice strip, labelled text fields, a field row.

use egui::{Color32, RichText};

use super::theme;
use crate::app::state::{Notice, NoticeLevel};
use crate::i18n::Texts;
use crate::store::BookingView;

pub fn notice(ui: &mut egui::Ui, notice: &Notice, language: crate::config::Language) {
    let color = match notice.level {
        NoticeLevel::Info => theme::INFO,
        NoticeLevel::Success => theme::OK,
        NoticeLevel::Warning => theme::WARN,
        NoticeLevel::Error => theme::BAD,
    };
    egui::Frame::new()
        .fill(color)
        .inner_margin(4.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                RichText::new(notice.text.text(language))
                    .color(Color32::WHITE)
                    .strong()
                    .size(18.0),
            );
        });
}

/// A labelled single-line text field; the label names the field for screen readers and tests.
pub fn text_field(ui: &mut egui::Ui, label: &str, value: &mut String) -> egui::Response {
    ui.horizontal(|ui| {
        let label = ui.add_sized([150.0, 30.0], egui::Label::new(label));
        ui.add(egui::TextEdit::singleline(value).desired_width(ui.available_width().min(320.0)))
            .labelled_by(label.id)
    })
    .inner
}

/// A read-only "label: value" row of the student card.
pub fn field_row(ui: &mut egui::Ui, label: &str, value: &str) {
    ui.label(RichText::new(label).color(Color32::from_gray(90)));
    ui.label(RichText::new(value).strong());
    ui.end_row();
}

/// A message kept in both languages, in the window's.
pub fn message(text: &crate::i18n::Message, t: &Texts, color: Color32) -> RichText {
    coloured(text.text(t.language()), color)
}

pub fn coloured(text: &str, color: Color32) -> RichText {
    RichText::new(text).color(color).strong()
}

/// One search result as a line: name · student number · school · status.
pub fn booking_line(t: &Texts, booking: &BookingView) -> String {
    format!(
        "{} · {} · {} · {}",
        booking.student.name,
        booking.student.student_no.as_deref().unwrap_or("-"),
        booking.student.school,
        t.status(&booking.status)
    )
}

/// Clock time (HH:MM:SS) of an RFC 3339 stamp, in local time.
pub fn clock(stamp: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stamp)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| stamp.to_string())
}

pub fn role_label(t: &crate::i18n::Texts, role: crate::store::Role) -> &'static str {
    match role {
        crate::store::Role::Operator => t.role_operator,
        crate::store::Role::Staff => t.role_staff,
        crate::store::Role::Supervisor => t.role_supervisor,
    }
}
