//! 登录: the screen everyone sees until they sign in, and on the very first run the form that
//! creates the supervisor account. Nothing else of the booth shows while nobody is signed in.

use crate::app::accounts::AccountsCommand;
use egui::RichText;

use super::theme;
use super::widgets::coloured;
use crate::app::command::Command;
use crate::app::state::AppState;

pub fn show(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let t = state.texts();
    let first_run = state.accounts == Some(0);
    ui.add_space(40.0);
    ui.vertical_centered(|ui| {
        ui.set_max_width(520.0);
        let title = if first_run {
            t.first_run_title
        } else {
            t.sign_in_title
        };
        ui.heading(RichText::new(title).size(28.0));
        ui.add_space(8.0);
        ui.label(if first_run {
            t.first_run_hint
        } else {
            t.sign_in_hint
        });
        if state.demo {
            ui.label(coloured(t.demo_accounts, theme::DEMO));
        }
        ui.add_space(16.0);
        form(ui, state, first_run, commands);
    });
}

/// The name and PIN fields with their button: signing in, or creating the first supervisor
/// (also the first-run guide's account step).
pub fn form(ui: &mut egui::Ui, state: &mut AppState, first_run: bool, commands: &mut Vec<Command>) {
    let t = state.texts();
    let form = &mut state.sign_in;
    let mut submitted = false;
    egui::Grid::new("sign_in")
        .num_columns(2)
        .spacing([12.0, 12.0])
        .show(ui, |ui| {
            let label = ui.label(t.user_name);
            ui.add(egui::TextEdit::singleline(&mut form.name).desired_width(260.0))
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label(t.pin);
            let pin = ui
                .add(
                    egui::TextEdit::singleline(&mut form.pin)
                        .password(true)
                        .desired_width(260.0),
                )
                .labelled_by(label.id);
            submitted |=
                !first_run && pin.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.end_row();
            if first_run {
                let label = ui.label(t.pin_again);
                let again = ui
                    .add(
                        egui::TextEdit::singleline(&mut form.pin_again)
                            .password(true)
                            .desired_width(260.0),
                    )
                    .labelled_by(label.id);
                submitted |= again.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.end_row();
            }
        });
    ui.add_space(12.0);
    let button = if first_run {
        t.create_supervisor
    } else {
        t.sign_in
    };
    let clicked = ui
        .add_enabled(
            !form.busy && state.accounts.is_some(),
            egui::Button::new(RichText::new(button).size(20.0)),
        )
        .clicked();
    if (clicked || submitted) && !form.busy && state.accounts.is_some() {
        let name = form.name.trim().to_string();
        let pin = std::mem::take(&mut form.pin);
        commands.push(if first_run {
            Command::Accounts(AccountsCommand::CreateFirstSupervisor {
                name,
                pin,
                pin_again: std::mem::take(&mut form.pin_again),
            })
        } else {
            Command::Accounts(AccountsCommand::SignIn { name, pin })
        });
    }
    if form.busy {
        ui.spinner();
    }
    if let Some(message) = &form.message {
        ui.label(super::widgets::message(message, t, theme::BAD));
    }
}
