//! 主管: PIN login, then 信息更正 (corrections with history), 重拍审批 (retake approvals),
//! 场次 (schools and collection windows) and 设置 (settings).

use egui::RichText;

use super::theme;
use super::widgets::{coloured, text_field};
use crate::app::command::Command;
use crate::app::state::{AppState, Role, SupervisorTab};
use crate::domain::CorrectableField;
use crate::domain::money::format_yuan;
use crate::i18n::Texts;
use crate::store::Role as AccountRole;

pub fn show(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let t = state.texts();
    if state.role != Role::Supervisor {
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
            commands.push(Command::Logout);
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

/// 导入预约: a path (picked, typed or dropped), the preview, the confirmation and the outcome
/// with its rejected rows. The first-run guide shows it too.
pub fn import(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
    let import = &mut state.supervisor.import;
    ui.label(t.import_hint);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                !import.busy && !import.picking,
                egui::Button::new(RichText::new(t.import_pick_file).size(18.0)),
            )
            .clicked()
        {
            commands.push(Command::PickImportFile);
        }
        if import.picking {
            ui.spinner();
        }
    });
    if import.no_file_dialog {
        ui.label(coloured(t.import_no_file_dialog, theme::WARN));
    }
    ui.horizontal(|ui| {
        let label = ui.label(t.import_path);
        let field = ui
            .add(egui::TextEdit::singleline(&mut import.path).desired_width(520.0))
            .labelled_by(label.id);
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let ready = !import.busy && !import.path.trim().is_empty();
        if (ui
            .add_enabled(ready, egui::Button::new(t.import_preview_button))
            .clicked()
            || (entered && ready))
            && !import.path.trim().is_empty()
        {
            commands.push(Command::PreviewImport {
                path: import.path.trim().into(),
            });
        }
    });
    ui.separator();
    if import.busy {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(if import.preview.is_some() {
                t.import_running
            } else {
                t.import_reading
            });
        });
        ui.add(egui::ProgressBar::new(0.0).animate(true));
        return;
    }
    if let Some(reason) = &import.refused {
        let reason = reason.text(t.language());
        ui.label(coloured(&format!("{} {reason}", t.import_refused), theme::BAD).size(18.0));
    }
    if let Some(preview) = &import.preview {
        // Compact, so that the problem rows below get most of a 1366×768 screen.
        let ignored = if preview.ignored_columns.is_empty() {
            "-".to_string()
        } else {
            preview.ignored_columns.join("、")
        };
        ui.add(
            egui::Label::new(
                RichText::new(format!(
                    "{}{}{} · {}{}{} · {}{}{ignored}",
                    t.import_format,
                    t.colon,
                    preview.format,
                    t.import_columns_found,
                    t.colon,
                    preview.known_columns.join("、"),
                    t.import_columns_ignored,
                    t.colon,
                ))
                .size(16.0),
            )
            .wrap(),
        );
        let report = &preview.report;
        ui.horizontal_wrapped(|ui| {
            if ui
                .add(
                    egui::Button::new(
                        RichText::new(t.import_confirm)
                            .size(20.0)
                            .color(egui::Color32::WHITE)
                            .strong(),
                    )
                    .fill(theme::OK),
                )
                .clicked()
            {
                commands.push(Command::ConfirmImport);
            }
            ui.label(RichText::new(t.import_counts(t.import_would, report)).size(18.0));
        });
        rejected_rows(ui, t, &report.rejected, "preview_rejected");
    }
    if let Some(result) = &import.result {
        ui.label(coloured(&t.import_counts(t.import_done, result), theme::OK).size(18.0));
        if !result.rejected.is_empty() && ui.button(t.import_write_rejected).clicked() {
            commands.push(Command::WriteRejectedRows);
        }
        rejected_rows(ui, t, &result.rejected, "import_rejected");
    }
}

/// 导出照片: school, naming, target folder, the space check, progress, and the verified result.
fn export(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
    use crate::app::state::EXPORT_NAMINGS;
    ui.label(t.export_hint);
    let supervisor = &mut state.supervisor;
    pick_school(
        ui,
        &supervisor.schools,
        &mut supervisor.export.school,
        t,
        "export_school",
    );
    let form = &mut supervisor.export;
    egui::Grid::new("export_form")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label(t.export_naming);
            ui.horizontal(|ui| {
                let labels = [
                    t.naming_capture_code,
                    t.naming_id_number,
                    t.naming_student_no_name,
                ];
                for (index, (label, template)) in labels.iter().zip(EXPORT_NAMINGS).enumerate() {
                    let picked = ui
                        .radio_value(&mut form.naming, index, format!("{label}.jpg"))
                        .on_hover_text(template);
                    if picked.changed() {
                        // The plan was for the other naming: check again.
                        form.plan = None;
                    }
                }
            });
            ui.end_row();
            let label = ui.label(t.export_folder);
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut form.folder).desired_width(460.0))
                    .labelled_by(label.id);
                if ui
                    .add_enabled(!form.picking, egui::Button::new(t.export_pick_folder))
                    .clicked()
                {
                    commands.push(Command::PickExportFolder);
                }
                if form.picking {
                    ui.spinner();
                }
            });
            ui.end_row();
        });
    if form.no_folder_dialog {
        ui.label(coloured(t.export_no_folder_dialog, theme::WARN));
    }
    ui.checkbox(&mut form.only_reexports, t.export_only_reexports);
    ui.horizontal(|ui| {
        let idle = !form.busy;
        if ui
            .add_enabled(idle, egui::Button::new(t.export_check))
            .clicked()
        {
            commands.push(Command::PlanExport);
        }
        let fits = form
            .plan
            .as_ref()
            .is_some_and(|p| p.fits() && p.unnamed.is_empty());
        let start = egui::Button::new(
            RichText::new(t.export_start)
                .size(20.0)
                .color(egui::Color32::WHITE)
                .strong(),
        )
        .fill(theme::OK);
        if ui.add_enabled(idle && fits, start).clicked() {
            commands.push(Command::StartExport);
        }
    });
    ui.separator();
    if let Some((done, total)) = form.progress {
        ui.label(t.export_running);
        let fraction = if total == 0 {
            0.0
        } else {
            done as f32 / total as f32
        };
        ui.add(egui::ProgressBar::new(fraction).show_percentage());
    }
    if let Some(reason) = &form.refused {
        ui.label(super::widgets::message(reason, t, theme::BAD).size(18.0));
    }
    if let Some(plan) = &form.plan {
        let mb = |bytes: u64| match bytes {
            0..1_000_000_000 => format!("{:.1} MB", bytes as f64 / 1e6),
            _ => format!("{:.1} GB", bytes as f64 / 1e9),
        };
        let free = plan
            .available_bytes
            .map_or_else(|| t.export_unknown_space.to_string(), mb);
        let line = format!(
            "{} {}{}{} {}{}{} {}",
            t.export_plan,
            plan.photos,
            t.list_separator,
            t.export_needed,
            mb(plan.needed_bytes),
            t.list_separator,
            t.export_available,
            free
        );
        if plan.fits() {
            ui.label(RichText::new(line).size(18.0));
        } else {
            ui.label(coloured(&format!("{} — {line}", t.export_no_space), theme::BAD).size(18.0));
        }
        if !plan.reexports.is_empty() {
            ui.label(format!(
                "{} ({}): {}",
                t.export_reexports,
                plan.reexports.len(),
                plan.reexports.join(t.list_separator)
            ));
        }
        if !plan.unnamed.is_empty() {
            let line = t
                .export_unnamed
                .replace("{count}", &plan.unnamed.len().to_string());
            ui.label(
                coloured(
                    &format!("{line}{}{}", t.colon, plan.unnamed.join(t.list_separator)),
                    theme::BAD,
                )
                .size(18.0),
            );
        }
    }
    if let Some(result) = &form.result {
        let report = &result.report;
        ui.label(format!(
            "{} {}{}{} {}",
            t.export_done,
            report.folder.display(),
            t.list_separator,
            t.export_plan,
            report.photos - report.damaged.len()
        ));
        match &result.verdict {
            Some(verdict) if verdict.ok() => {
                ui.label(coloured(&format!("✓ {}", t.export_verified), theme::OK).size(20.0));
            }
            _ => {
                ui.label(coloured(&format!("× {}", t.export_not_verified), theme::BAD).size(20.0));
            }
        }
    }
}

/// The rejected rows: spreadsheet row number and reason.
fn rejected_rows(
    ui: &mut egui::Ui,
    t: &Texts,
    rejected: &[crate::store::ImportRejection],
    id: &str,
) {
    if rejected.is_empty() {
        return;
    }
    ui.label(RichText::new(format!("{} ({})", t.import_rejected_rows, rejected.len())).strong());
    // Tight rows in a smaller type: a dozen fit at 1366×768, and the list scrolls for more.
    egui::ScrollArea::vertical()
        .id_salt(id)
        .max_height(ui.available_height() - 8.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            ui.spacing_mut().item_spacing.y = 2.0;
            ui.spacing_mut().interact_size.y = 20.0;
            egui::Grid::new(id)
                .striped(true)
                .num_columns(2)
                .spacing([12.0, 2.0])
                .show(ui, |ui| {
                    for rejection in rejected {
                        ui.label(
                            RichText::new(format!("{} {}", t.import_row, rejection.row)).size(16.0),
                        );
                        let reason =
                            crate::i18n::errors::row_problems(&rejection.problems, t.language());
                        ui.label(coloured(&reason, theme::BAD).size(16.0));
                        ui.end_row();
                    }
                });
        });
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
            commands.push(Command::Login {
                name: state.supervisor.name.trim().to_string(),
                pin: std::mem::take(&mut state.supervisor.pin),
            });
        }
    });
}

/// Search box and results shared by corrections and retakes; picking one selects it.
fn pick_student(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
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
            commands.push(Command::Search {
                query: search.query.clone(),
                for_supervisor: true,
            });
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
                let line = super::widgets::booking_line(t, booking);
                if ui.add(egui::Button::selectable(selected, line)).clicked() {
                    commands.push(Command::SelectForCorrection(booking.booking_id.clone()));
                }
            }
        });
}

fn field_label(t: &Texts, field: CorrectableField) -> &'static str {
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

fn corrections(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
    ui.columns(2, |columns| {
        pick_student(&mut columns[0], state, t, commands);
        correction_form(&mut columns[1], state, t, commands);
    });
}

fn correction_form(
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
            commands.push(Command::OverrideDispute {
                booking_id: booking.booking_id.clone(),
            });
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
        ui.label(super::widgets::message(error, t, theme::BAD));
    }
    let ready = !form.reason.trim().is_empty() && (!captured || form.confirm_after_capture);
    if ui
        .add_enabled(ready, egui::Button::new(t.save_correction))
        .clicked()
    {
        commands.push(Command::Correct {
            booking_id: booking.booking_id.clone(),
            field: form.field,
            value: form.value.clone(),
            reason: form.reason.clone(),
            confirmed_after_capture: form.confirm_after_capture,
        });
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

fn retakes(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
    ui.columns(2, |columns| {
        pick_student(&mut columns[0], state, t, commands);
        retake_approval(&mut columns[1], state, t, commands);
    });
}

fn retake_approval(
    ui: &mut egui::Ui,
    state: &mut AppState,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    let Some(booking) = &state.supervisor.selected else {
        ui.label(t.pick_student);
        return;
    };
    ui.label(
        RichText::new(format!(
            "{} · {}",
            booking.student.name,
            t.status(&booking.status)
        ))
        .size(24.0),
    );
    if booking.retake_approved {
        ui.label(coloured(t.retake_allowed, theme::OK));
    } else if booking.status == "captured" {
        if ui.button(t.approve_retake).clicked() {
            commands.push(Command::ApproveRetake {
                booking_id: booking.booking_id.clone(),
            });
        }
    } else {
        ui.label(t.only_captured);
    }
}

fn schools(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
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
            commands.push(Command::AddWindow {
                school: supervisor.new_school.clone(),
                first_day: supervisor.new_first_day.clone(),
                last_day: supervisor.new_last_day.clone(),
            });
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
                            commands.push(Command::UpdateWindow {
                                window_id: id.clone(),
                                first_day: first.clone(),
                                last_day: last.clone(),
                            });
                        }
                    });
                }
            }
        });
}

fn settings(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
    let data_dir = state.data_dir.display().to_string();
    let monitors = state.monitors;
    let supervisor = &mut state.supervisor;
    let file = &mut supervisor.settings;
    let settings_error = &supervisor.settings_error;
    let users_state = &mut supervisor.users;
    ui.columns(2, |columns| {
        users(&mut columns[1], users_state, t, commands);
        let ui = &mut columns[0];
        // The save button and what it said stay in view above the fields, which scroll.
        ui.horizontal_wrapped(|ui| {
            let save = egui::Button::new(
                RichText::new(t.save_settings)
                    .strong()
                    .color(egui::Color32::WHITE),
            )
            .fill(theme::OK);
            if ui.add(save).clicked() {
                commands.push(Command::SaveSettings(Box::new(file.clone())));
            }
            if let Some(error) = settings_error {
                ui.label(super::widgets::message(error, t, theme::BAD));
            }
        });
        ui.label(RichText::new(t.settings_defaults_hint).small().weak());
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("settings")
                .num_columns(2)
                .spacing([12.0, 8.0])
                .show(ui, |ui| {
                    setting_row(ui, t, t.camera, &mut file.camera, t.camera_auto);
                    setting_row(
                        ui,
                        t,
                        t.resolution,
                        &mut file.camera_resolution,
                        "1920x1080",
                    );
                    setting_row(ui, t, t.pixel_format, &mut file.camera_format, "MJPG");
                    station_rows(ui, t, file);
                    setting_row(ui, t, t.walk_in_price, &mut file.walk_in_amount, "25.00");
                    let mut idle = file.idle_logout_minutes.map(|m| m.to_string());
                    setting_row(ui, t, t.idle_logout_minutes, &mut idle, "15");
                    // Unparseable text is kept as 0, which the save refuses with a clear message.
                    file.idle_logout_minutes = idle.map(|m| m.trim().parse().unwrap_or(0));
                    ui.label(t.language);
                    ui.horizontal(|ui| {
                        for (value, label) in [("zh", "中文"), ("en", "English")] {
                            let selected = file.language.as_deref().unwrap_or("zh") == value;
                            if ui.radio(selected, label).clicked() {
                                file.language = Some(value.to_string());
                            }
                        }
                    });
                    ui.end_row();
                    student_screen_setting(ui, t, file, monitors);
                    ui.label(t.countdown_setting);
                    let mut countdown = file.countdown.unwrap_or(false);
                    if ui.checkbox(&mut countdown, t.turned_on).changed() {
                        file.countdown = Some(countdown);
                    }
                    ui.end_row();
                    let mut holiday = file.holiday_file.as_ref().map(|p| p.display().to_string());
                    setting_row(ui, t, t.holiday_file, &mut holiday, t.holiday_built_in);
                    file.holiday_file = holiday.map(Into::into);
                    ui.label(t.data_folder);
                    ui.label(RichText::new(&data_dir).monospace());
                    ui.end_row();
                });
        });
    });
}

/// One row of the settings grid: the label, and the value typed. An empty field means the
/// default, which the field says in words ("默认：20-40"), so a set value and a default never
/// look alike.
fn setting_row(
    ui: &mut egui::Ui,
    t: &Texts,
    label: &str,
    value: &mut Option<String>,
    default: &str,
) {
    let mut buffer = value.clone().unwrap_or_default();
    let label = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(&mut buffer)
            .hint_text(format!("{}{}{default}", t.default_value, t.colon))
            .desired_width(300.0),
    )
    .labelled_by(label.id);
    ui.end_row();
    *value = (!buffer.trim().is_empty()).then_some(buffer);
}

/// The station's name, its backdrop and the accepted JPEG size, in a grid of their own: the
/// first-run guide's station step.
pub fn station_fields(ui: &mut egui::Ui, t: &Texts, file: &mut crate::config::ConfigFile) {
    egui::Grid::new("station_fields")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| station_rows(ui, t, file));
}

/// The station's rows, in the settings' grid or the guide's.
fn station_rows(ui: &mut egui::Ui, t: &Texts, file: &mut crate::config::ConfigFile) {
    setting_row(
        ui,
        t,
        t.station_name,
        &mut file.station_name,
        crate::config::DEFAULT_STATION_NAME,
    );
    ui.label(t.backdrop);
    ui.horizontal_wrapped(|ui| {
        for (value, label) in [
            ("blue", t.backdrop_blue),
            ("white", t.backdrop_white),
            ("grey", t.backdrop_grey),
        ] {
            let selected = file.backdrop.as_deref().unwrap_or("blue") == value;
            if ui.radio(selected, label).clicked() {
                file.backdrop = Some(value.to_string());
            }
        }
    });
    ui.end_row();
    setting_row(ui, t, t.jpeg_kb, &mut file.jpeg_kb, "20-40");
}

/// Off, a window, full screen on monitor N, or an inset. An unreadable value is shown as the
/// default and written back only when the supervisor picks one.
fn student_screen_setting(
    ui: &mut egui::Ui,
    t: &Texts,
    file: &mut crate::config::ConfigFile,
    monitors: Option<usize>,
) {
    use crate::config::StudentScreenMode;
    let current = file
        .student_screen
        .as_deref()
        .and_then(StudentScreenMode::parse)
        .unwrap_or_default();
    let mut chosen = current;
    ui.label(t.student_screen_setting);
    // One choice a line: side by side they ran past the panel's edge. Framed as one group: bare,
    // the first of them (关闭) read as a third choice of the language above.
    ui.group(|ui| {
        ui.vertical(|ui| {
            ui.radio_value(&mut chosen, StudentScreenMode::Off, t.student_screen_off);
            ui.radio_value(
                &mut chosen,
                StudentScreenMode::Window,
                t.student_screen_window,
            );
            ui.radio_value(
                &mut chosen,
                StudentScreenMode::Inset,
                t.student_screen_inset,
            );
            let monitor = match chosen {
                StudentScreenMode::Monitor(n) => n,
                _ => 2,
            };
            ui.horizontal(|ui| {
                ui.radio_value(
                    &mut chosen,
                    StudentScreenMode::Monitor(monitor),
                    t.student_screen_monitor,
                );
                if let StudentScreenMode::Monitor(n) = &mut chosen {
                    ui.add(egui::DragValue::new(n).range(1..=16));
                }
            });
            if let (StudentScreenMode::Monitor(n), Some(count)) = (chosen, monitors)
                && n > count
            {
                let note = t
                    .student_screen_no_such_monitor
                    .replace("{n}", &count.to_string());
                ui.label(RichText::new(note).small().color(theme::WARN));
            }
        });
    });
    ui.end_row();
    if chosen != current {
        file.student_screen = Some(chosen.as_setting());
    }
}

/// The accounts list and the form to add one (the store refuses anyone but a supervisor).
fn users(
    ui: &mut egui::Ui,
    users: &mut crate::app::state::UsersState,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.heading(t.users_title);
        if ui.button(t.campus_refresh).clicked() {
            commands.push(Command::LoadUsers);
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
            ui.label(super::widgets::role_label(t, user.role));
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
                    commands.push(Command::SetAccountDisabled {
                        name: user.name.clone(),
                        disabled,
                    });
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
                commands.push(Command::ResetPin {
                    name: name.clone(),
                    pin: std::mem::take(pin),
                });
            }
            if ui.button(t.cancel).clicked() {
                commands.push(Command::CancelPinReset);
            }
        });
    }
    ui.horizontal_wrapped(|ui| {
        let label = ui.label(t.user_name);
        ui.add(egui::TextEdit::singleline(&mut users.new_name).desired_width(140.0))
            .labelled_by(label.id);
        let role = users.new_role.unwrap_or(AccountRole::Operator);
        egui::ComboBox::from_id_salt("new_user_role")
            .selected_text(super::widgets::role_label(t, role))
            .show_ui(ui, |ui| {
                for option in [
                    AccountRole::Operator,
                    AccountRole::Staff,
                    AccountRole::Supervisor,
                ] {
                    ui.selectable_value(
                        &mut users.new_role,
                        Some(option),
                        super::widgets::role_label(t, option),
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
            commands.push(Command::AddUser {
                name: users.new_name.trim().to_string(),
                role,
                pin: std::mem::take(&mut users.new_pin),
            });
        }
    });
    // Why the last change was refused, under the form that made it: last, so that nothing
    // above it moves when it appears.
    if let Some(error) = &users.error {
        ui.label(super::widgets::message(error, t, theme::BAD));
    }
}

/// A combo box of the known schools; returns the picked one.
fn school_picker(ui: &mut egui::Ui, state: &mut AppState, t: &Texts) -> Option<String> {
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
fn pick_school(
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

fn close_out(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
    let Some(school) = school_picker(ui, state, t) else {
        ui.label(t.no_schools);
        return;
    };
    ui.columns(2, |columns| {
        let ui = &mut columns[0];
        if ui.button(t.preview_close).clicked() {
            commands.push(Command::PreviewClose {
                school: school.clone(),
            });
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
                                commands.push(Command::CloseSession {
                                    school: school.clone(),
                                    force: close_out.force,
                                });
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

fn refunds(
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
        commands.push(Command::WriteRefundList {
            school: school.to_string(),
        });
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
                        commands.push(Command::MarkRefunded {
                            order_no: order.clone(),
                            reference: reference.clone(),
                        });
                    }
                });
            }
        });
}

fn report(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
    let Some(school) = school_picker(ui, state, t) else {
        ui.label(t.no_schools);
        return;
    };
    ui.horizontal(|ui| {
        if ui.button(t.load_report).clicked() {
            commands.push(Command::LoadReport {
                school: school.clone(),
            });
        }
        if ui.button(t.write_report).clicked() {
            commands.push(Command::WriteReport {
                school: school.clone(),
            });
        }
    });
    let Some(report) = state
        .supervisor
        .close_out
        .report
        .as_ref()
        .filter(|r| r.school == school)
    else {
        return;
    };
    egui::ScrollArea::vertical()
        .id_salt("report")
        .show(ui, |ui| {
            egui::Grid::new("report_grid")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (figure, value) in crate::transfer::report_sheet::report_figures(report) {
                        ui.label(crate::i18n::report_label(&figure, state.language));
                        ui.label(crate::i18n::report_value(&figure, &value, state.language));
                        ui.end_row();
                    }
                });
        });
}
