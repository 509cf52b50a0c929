//! The accounts: add, reset a PIN, disable (inside the settings tab).

use crate::app::accounts::AccountsCommand;
use egui::RichText;

use crate::app::command::Command;
use crate::i18n::Texts;
use crate::store::Role as AccountRole;
use crate::ui::theme;

/// The accounts list and the form to add one (the store refuses anyone but a supervisor).
pub(super) fn users(
    ui: &mut egui::Ui,
    users: &mut crate::app::state::UsersState,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.heading(t.users_title);
        if ui.button(t.campus_refresh).clicked() {
            commands.push(Command::Accounts(AccountsCommand::LoadUsers));
        }
    });
    egui::Grid::new("users").num_columns(4).show(ui, |ui| {
        for user in &users.list {
            let name = if user.disabled {
                RichText::new(format!("{} ({})", user.name, t.account_disabled)).weak()
            } else {
                RichText::new(&user.name)
            };
            ui.label(name);
            ui.label(crate::ui::widgets::role_label(t, user.role));
            ui.label(
                user.locked_until
                    .as_deref()
                    .map(|until| format!("{} {}", t.locked_until, t.local_minute(until)))
                    .unwrap_or_default(),
            );
            ui.horizontal(|ui| {
                let resetting = users.reset.as_ref().is_some_and(|(n, _)| *n == user.name);
                if !resetting && ui.small_button(t.reset_pin).clicked() {
                    users.reset = Some((user.name.clone(), String::new()));
                }
                let (toggle, disabled) = if user.disabled {
                    (t.enable_account, false)
                } else {
                    (t.disable_account, true)
                };
                if ui.small_button(toggle).clicked() {
                    commands.push(Command::Accounts(AccountsCommand::SetAccountDisabled {
                        name: user.name.clone(),
                        disabled,
                    }));
                }
            });
            ui.end_row();
        }
    });
    if let Some((name, pin)) = &mut users.reset {
        ui.horizontal(|ui| {
            let label = ui.label(format!("{} {name}", t.new_pin_for));
            ui.add(
                egui::TextEdit::singleline(pin)
                    .password(true)
                    .desired_width(120.0),
            )
            .labelled_by(label.id);
            if ui.button(t.confirm_new_pin).clicked() {
                commands.push(Command::Accounts(AccountsCommand::ResetPin {
                    name: name.clone(),
                    pin: std::mem::take(pin),
                }));
            }
            if ui.button(t.cancel).clicked() {
                commands.push(Command::Accounts(AccountsCommand::CancelPinReset));
            }
        });
    }
    ui.horizontal_wrapped(|ui| {
        let label = ui.label(t.user_name);
        ui.add(egui::TextEdit::singleline(&mut users.new_name).desired_width(140.0))
            .labelled_by(label.id);
        let role = users.new_role.unwrap_or(AccountRole::Operator);
        egui::ComboBox::from_id_salt("new_user_role")
            .selected_text(crate::ui::widgets::role_label(t, role))
            .show_ui(ui, |ui| {
                for option in [
                    AccountRole::Operator,
                    AccountRole::Staff,
                    AccountRole::Supervisor,
                ] {
                    ui.selectable_value(
                        &mut users.new_role,
                        Some(option),
                        crate::ui::widgets::role_label(t, option),
                    );
                }
            });
        let label = ui.label(t.pin);
        ui.add(
            egui::TextEdit::singleline(&mut users.new_pin)
                .password(true)
                .desired_width(120.0),
        )
        .labelled_by(label.id);
        if ui.button(t.add_user).clicked() {
            commands.push(Command::Accounts(AccountsCommand::AddUser {
                name: users.new_name.trim().to_string(),
                role,
                pin: std::mem::take(&mut users.new_pin),
            }));
        }
    });
    // Why the last change was refused, under the form that made it: last, so that nothing
    // above it moves when it appears.
    if let Some(error) = &users.error {
        ui.label(crate::ui::widgets::message(error, t, theme::BAD));
    }
}
