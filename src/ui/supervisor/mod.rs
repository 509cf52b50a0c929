//! 主管: PIN login, then 信息更正 (corrections with history), 重拍审批 (retake approvals),
//! 场次 (schools and collection windows) and 设置 (settings).

mod close_out;
mod corrections;
mod export;
mod import;
mod pickers;
mod report;
mod retakes;
mod schools;
mod settings;
mod users;

use crate::app::accounts::AccountsCommand;
use close_out::close_out;
use corrections::corrections;
use export::export;
pub use import::import;
use report::report;
use retakes::retakes;
use schools::schools;
use settings::settings;
pub use settings::station_fields;

use crate::app::command::Command;
use crate::app::state::{AppState, SupervisorTab, WindowRole};
use crate::i18n::Texts;

pub fn show(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let t = state.texts();
    if state.role != WindowRole::Supervisor {
        login(ui, state, t, commands);
        return;
    }
    // Wrapped, so the English tab names never run under the log-out button at 1366 px.
    ui.horizontal_wrapped(|ui| {
        for (tab, label) in [
            (SupervisorTab::Corrections, t.tab_corrections),
            (SupervisorTab::Retakes, t.tab_retakes),
            (SupervisorTab::Schools, t.tab_schools),
            (SupervisorTab::CloseOut, t.tab_close_out),
            (SupervisorTab::Report, t.tab_report),
            (SupervisorTab::Import, t.tab_import),
            (SupervisorTab::Export, t.tab_export),
            (SupervisorTab::Campus, t.tab_campus),
            (SupervisorTab::Settings, t.tab_settings),
        ] {
            if ui
                .add(egui::Button::selectable(state.supervisor.tab == tab, label))
                .clicked()
            {
                commands.push(Command::SupervisorTab(tab));
            }
        }
        ui.separator();
        if ui.button(t.logout).clicked() {
            commands.push(Command::Accounts(AccountsCommand::Logout));
        }
    });
    ui.separator();
    match state.supervisor.tab {
        SupervisorTab::Corrections => corrections(ui, state, t, commands),
        SupervisorTab::Retakes => retakes(ui, state, t, commands),
        SupervisorTab::Schools => schools(ui, state, t, commands),
        SupervisorTab::CloseOut => close_out(ui, state, t, commands),
        SupervisorTab::Report => report(ui, state, t, commands),
        SupervisorTab::Import => import(ui, state, t, commands),
        SupervisorTab::Export => export(ui, state, t, commands),
        SupervisorTab::Campus => super::campus::show(ui, state, t, commands),
        SupervisorTab::Settings => settings(ui, state, t, commands),
    }
}

fn login(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
    ui.heading(t.supervisor_login);
    ui.horizontal(|ui| {
        let label = ui.label(t.supervisor_name);
        ui.add(egui::TextEdit::singleline(&mut state.supervisor.name).desired_width(160.0))
            .labelled_by(label.id);
        let label = ui.label(t.pin);
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut state.supervisor.pin)
                    .password(true)
                    .desired_width(160.0),
            )
            .labelled_by(label.id);
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button(t.login).clicked() || entered {
            commands.push(Command::Accounts(AccountsCommand::Login {
                name: state.supervisor.name.trim().to_string(),
                pin: std::mem::take(&mut state.supervisor.pin),
            }));
        }
    });
}
