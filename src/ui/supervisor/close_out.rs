//! The supervisor's 结算 tab: closing a school, its refunds.

use crate::app::close_out::CloseOutCommand;
use egui::RichText;

use crate::app::command::Command;
use crate::app::state::AppState;
use crate::domain::money::format_yuan;
use crate::i18n::Texts;
use crate::ui::theme;
use crate::ui::widgets::coloured;

use super::pickers::school_picker;

pub(super) fn close_out(
    ui: &mut egui::Ui,
    state: &mut AppState,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    let Some(school) = school_picker(ui, state, t) else {
        ui.label(t.no_schools);
        return;
    };
    ui.columns(2, |columns| {
        let ui = &mut columns[0];
        if ui.button(t.preview_close).clicked() {
            commands.push(Command::CloseOut(CloseOutCommand::PreviewClose {
                school: school.clone(),
            }));
        }
        let close_out = &mut state.supervisor.close_out;
        if let Some(preview) = close_out.preview.as_ref().filter(|p| p.school == school) {
            egui::Grid::new("close_preview")
                .num_columns(2)
                .show(ui, |ui| {
                    for (label, value) in [
                        (t.to_cancel, preview.to_cancel.to_string()),
                        (t.refund_total, format_yuan(preview.refund_total_fen)),
                        (t.paid_on_site, preview.paid_on_site.to_string()),
                        (t.refund_due, preview.due_date.to_string()),
                        (t.already_closed, preview.already_closed.to_string()),
                    ] {
                        ui.label(label);
                        ui.label(RichText::new(value).strong());
                        ui.end_row();
                    }
                });
            if let Some((first, last)) = preview.open_window {
                ui.label(coloured(
                    &format!("{} {first} – {last}", t.window_still_open),
                    theme::WARN,
                ));
                ui.checkbox(&mut close_out.force, t.force_close);
            }
            let allowed =
                preview.to_cancel > 0 && (preview.open_window.is_none() || close_out.force);
            let confirm =
                egui::Button::new(RichText::new(t.confirm_close).color(egui::Color32::WHITE))
                    .fill(theme::BAD);
            // It refunds money and cannot be undone: asked once more, with the figures.
            if ui.add_enabled(allowed, confirm).clicked() {
                close_out.confirming = true;
            }
            if preview.to_cancel == 0 {
                ui.label(t.nothing_to_close);
            }
            if close_out.confirming && allowed {
                let question = t
                    .close_question
                    .replace("{school}", &school)
                    .replace("{count}", &preview.to_cancel.to_string())
                    .replace("{amount}", &format_yuan(preview.refund_total_fen))
                    .replace("{cash}", &preview.paid_on_site.to_string())
                    .replace("{due}", &preview.due_date.to_string());
                let modal =
                    egui::Modal::new(egui::Id::unique("close-out-confirm")).show(ui.ctx(), |ui| {
                        ui.set_max_width(560.0);
                        ui.heading(t.confirm_close);
                        ui.label(RichText::new(question).size(20.0));
                        ui.add_space(8.0);
                        ui.horizontal(|ui| {
                            if ui.button(t.close_back_out).clicked() {
                                close_out.confirming = false;
                            }
                            let go = egui::Button::new(
                                RichText::new(t.close_and_refund).color(egui::Color32::WHITE),
                            )
                            .fill(theme::BAD);
                            if ui.add(go).clicked() {
                                close_out.confirming = false;
                                commands.push(Command::CloseOut(CloseOutCommand::CloseSession {
                                    school: school.clone(),
                                    force: close_out.force,
                                }));
                            }
                        });
                    });
                if modal.should_close() {
                    close_out.confirming = false;
                }
            }
        }
        if let Some(outcome) = close_out.outcome.as_ref().filter(|o| o.school == school) {
            ui.label(coloured(
                &format!(
                    "{} {} · {} {} · {} {}",
                    t.closed,
                    outcome.cancelled,
                    t.refund_total,
                    format_yuan(outcome.refund_total_fen),
                    t.refund_due,
                    outcome.due_date
                ),
                theme::OK,
            ));
        }
        refunds(&mut columns[1], state, t, commands, &school);
    });
}

pub(super) fn refunds(
    ui: &mut egui::Ui,
    state: &mut AppState,
    t: &Texts,
    commands: &mut Vec<Command>,
    school: &str,
) {
    let close_out = &mut state.supervisor.close_out;
    let summary = &close_out.summary;
    ui.label(RichText::new(t.refunds).strong());
    ui.label(format!(
        "{} {} ({}) · {} {} ({}) · {} {} ({})",
        t.refunds_pending,
        summary.pending,
        format_yuan(summary.pending_fen),
        t.refunds_overdue,
        summary.overdue,
        format_yuan(summary.overdue_fen),
        t.refunds_done,
        summary.done,
        format_yuan(summary.done_fen)
    ));
    if ui.button(t.write_refund_list).clicked() {
        commands.push(Command::CloseOut(CloseOutCommand::WriteRefundList {
            school: school.to_string(),
        }));
    }
    egui::ScrollArea::vertical()
        .id_salt("refunds")
        .show(ui, |ui| {
            for row in close_out
                .refunds
                .iter()
                .filter(|r| r.status == "refund_pending")
            {
                let Some(order) = row.order_no.clone() else {
                    continue;
                };
                ui.horizontal(|ui| {
                    ui.label(format!(
                        "{} · {} · {} · {}",
                        order,
                        row.name,
                        format_yuan(row.amount_fen),
                        t.payment_method(&row.payment_method)
                    ));
                    let reference = close_out.references.entry(order.clone()).or_default();
                    ui.add(
                        egui::TextEdit::singleline(reference)
                            .hint_text(t.refund_reference)
                            .desired_width(150.0),
                    );
                    if ui
                        .add_enabled(
                            !reference.trim().is_empty(),
                            egui::Button::new(t.mark_refunded),
                        )
                        .clicked()
                    {
                        commands.push(Command::CloseOut(CloseOutCommand::MarkRefunded {
                            order_no: order.clone(),
                            reference: reference.clone(),
                        }));
                    }
                });
            }
        });
}
