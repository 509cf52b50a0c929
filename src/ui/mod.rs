//! The booth window's screens. Each screen is a function of the state that returns commands;
//! none of them talks to a worker or the store. Strings come from [`crate::i18n`].

pub mod campus;
pub mod first_run;
pub mod operator;
pub mod sign_in;
pub mod status_bar;
pub mod student;
pub mod supervisor;
pub mod textures;
pub mod theme;
pub mod walk_in;
pub mod widgets;

use crate::app::accounts::AccountsCommand;
use crate::app::command::Command;
use crate::app::state::{AppState, Screen};
use crate::app::transfer::TransferCommand;
use crate::config::Language;
pub use textures::Textures;

/// Draws the whole window and returns what the user asked for.
pub fn show(ui: &mut egui::Ui, state: &mut AppState, textures: &mut Textures) -> Vec<Command> {
    let mut commands = Vec::new();
    let t = state.texts();
    egui::Panel::top("tabs").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading(t.app_title);
            ui.separator();
            // The guide leads through its own steps: the tabs wait until it is finished.
            let signed_in = state.session.is_some();
            let tabs = if state.first_run.is_some() {
                Vec::new()
            } else {
                vec![
                    (Screen::Operator, t.tab_operator),
                    (Screen::WalkIn, t.tab_walk_in),
                    (Screen::Supervisor, t.tab_supervisor),
                ]
            };
            for (screen, label) in tabs {
                let tab = egui::Button::selectable(
                    state.screen == screen,
                    egui::RichText::new(label).size(22.0),
                );
                if ui.add_enabled(signed_in, tab).clicked() {
                    commands.push(Command::Show(screen));
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let other = match state.language {
                    Language::Chinese => (Language::English, "English"),
                    Language::English => (Language::Chinese, "中文"),
                };
                if ui.button(other.1).clicked() {
                    commands.push(Command::SetLanguage(other.0));
                }
                // Who is signed in is in the status bar; the top bar only offers the way out.
                if state.session.is_some() && ui.button(t.sign_out).clicked() {
                    commands.push(Command::Accounts(AccountsCommand::SignOut));
                }
                if state.demo {
                    if ui.button(t.exit_demo).clicked() {
                        commands.push(Command::ExitDemo);
                    }
                    egui::Frame::new()
                        .fill(theme::DEMO)
                        .inner_margin(6.0)
                        .corner_radius(4.0)
                        .show(ui, |ui| {
                            ui.label(
                                egui::RichText::new(t.demo_banner)
                                    .color(egui::Color32::WHITE)
                                    .strong()
                                    .size(16.0),
                            );
                        });
                }
            });
        });
    });
    egui::Panel::bottom("status").show(ui, |ui| status_bar::show(ui, state));
    if state.close_dialog {
        close_dialog(ui.ctx(), t, &mut commands);
    }
    if let Some(notice) = &state.notice {
        egui::Panel::bottom("notice").show(ui, |ui| widgets::notice(ui, notice, state.language));
    }
    // Past its account step the guide needs the supervisor: signed out meanwhile (by hand or
    // after idle time), the sign-in shows, and the guide goes on where it was.
    let guide = state.first_run.as_ref().is_some_and(|guide| {
        state.session.is_some() || guide.step <= crate::app::first_run::FirstRunStep::Supervisor
    });
    if state.session.is_none() && !guide {
        egui::CentralPanel::default().show(ui, |ui| sign_in::show(ui, state, &mut commands));
        return commands;
    }
    if guide {
        // A file dropped during the guide's import step is previewed there.
        if let Some(path) = dropped_file(ui).filter(|_| state.session.is_some()) {
            commands.push(Command::Transfer(TransferCommand::PreviewImport { path }));
        }
        egui::CentralPanel::default()
            .show(ui, |ui| first_run::show(ui, state, textures, &mut commands));
        return commands;
    }
    // A spreadsheet dropped anywhere on the window opens the supervisor's import preview.
    let dropped = dropped_file(ui);
    // On the export tab, a dropped folder is the export's target instead.
    let exporting = state.screen == Screen::Supervisor
        && state.supervisor.tab == crate::app::state::SupervisorTab::Export;
    match dropped {
        Some(path) if exporting => state.supervisor.export.folder = path.display().to_string(),
        Some(path) => {
            commands.push(Command::Show(Screen::Supervisor));
            commands.push(Command::Transfer(TransferCommand::PreviewImport { path }));
        }
        None => {}
    }
    egui::CentralPanel::default().show(ui, |ui| match state.screen {
        Screen::Operator => operator::show(ui, state, textures, &mut commands),
        Screen::WalkIn => walk_in::show(ui, state, &mut commands),
        Screen::Supervisor => supervisor::show(ui, state, &mut commands),
    });
    commands
}

/// The first file dropped on the window this frame.
fn dropped_file(ui: &egui::Ui) -> Option<std::path::PathBuf> {
    ui.ctx()
        .input(|i| i.raw.dropped_files.first().map(|f| f.path().to_path_buf()))
}

/// Asked when the window's close button is pressed while a photo is unsaved.
fn close_dialog(ctx: &egui::Context, t: &crate::i18n::Texts, commands: &mut Vec<Command>) {
    let modal = egui::Modal::new(egui::Id::unique("close-unsaved")).show(ctx, |ui| {
        ui.set_max_width(520.0);
        ui.heading(t.close_unsaved_title);
        ui.label(t.close_unsaved_body);
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button(t.close_back).clicked() {
                commands.push(Command::KeepWindowOpen);
            }
            if ui
                .button(egui::RichText::new(t.close_anyway).color(theme::BAD))
                .clicked()
            {
                commands.push(Command::CloseAnyway);
            }
        });
    });
    if modal.should_close() {
        commands.push(Command::KeepWindowOpen);
    }
}
