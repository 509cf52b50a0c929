//! 主管 → 校区: joining a campus (token typed, pasted or scanned, and this station's name), then
//! the campus as its server sees it: every station's last contact, clock offset and queue, the
//! join token as a QR code for the next station, events the server refused, and the open
//! conflicts side by side (both photos, or both values) with the supervisor's decision.

use crate::app::campus::CampusCommand;
use crate::campus::ConflictDecision;
use egui::{ColorImage, RichText, TextureHandle, TextureOptions};

use super::theme;
use super::widgets::{coloured, message};
use crate::app::command::Command;
use crate::app::state::{AppState, CampusScreen};
use crate::i18n::Texts;

pub fn show(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
    let screen = &mut state.supervisor.campus;
    if let Some(error) = &screen.error {
        ui.label(message(error, t, theme::BAD));
    }
    if screen.joined.is_none() {
        join_form(ui, screen, t, commands);
        return;
    }
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.columns(2, |columns| {
            // Left-aligned, not justified: server messages are long and spaced.
            columns[0].with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                overview(ui, state, t, commands);
            });
            join_code(&mut columns[1], &state.supervisor.campus, t, commands);
        });
        ui.separator();
        conflicts(ui, &state.supervisor.campus, t, commands);
        ui.separator();
        close_out(ui, state, t, commands);
    });
}

/// 校区结算: the school, its gate (each station sealed, written off, or blocking), this booth's
/// seal, a write-off with its reason, the close itself, and the campus report.
fn close_out(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
    let schools: Vec<String> = state
        .supervisor
        .schools
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let form = &mut state.supervisor.campus.close;
    ui.label(RichText::new(t.campus_close_title).strong());
    ui.horizontal(|ui| {
        let label = ui.label(t.campus_close_school);
        egui::ComboBox::from_id_salt("campus-close-school")
            .selected_text(form.school.as_str())
            .show_ui(ui, |ui| {
                for school in &schools {
                    if ui
                        .selectable_label(&form.school == school, school)
                        .clicked()
                    {
                        commands.push(Command::Campus(CampusCommand::LoadGate(school.clone())));
                    }
                }
            })
            .response
            .labelled_by(label.id);
        if ui
            .add_enabled(
                !form.busy && !form.school.is_empty(),
                egui::Button::new(t.campus_close_load),
            )
            .clicked()
        {
            commands.push(Command::Campus(CampusCommand::LoadGate(
                form.school.clone(),
            )));
        }
        if form.busy {
            ui.spinner();
        }
    });
    let Some(view) = form.gate.clone().filter(|v| v.school == form.school) else {
        return;
    };
    egui::Grid::new("campus-gate")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for station in &view.gate {
                ui.label(&station.station);
                match station.state {
                    "sealed" => ui.label(coloured(t.campus_gate_sealed, theme::OK)),
                    "written_off" => {
                        let (who, why) = station.written_off.clone().unwrap_or_default();
                        ui.label(coloured(
                            &format!("{}（{who}：{why}）", t.campus_gate_written_off),
                            theme::WARN,
                        ))
                    }
                    _ => ui.label(coloured(t.campus_gate_open, theme::BAD)),
                };
                ui.label(format!("{} {}", t.campus_gate_held, station.held_seq));
                ui.end_row();
            }
        });
    ui.add_space(6.0);
    if ui
        .add_enabled(!form.busy, egui::Button::new(t.campus_seal_here))
        .clicked()
    {
        commands.push(Command::Campus(CampusCommand::Seal));
    }
    let blocking: Vec<&str> = view
        .gate
        .iter()
        .filter(|g| g.blocks())
        .map(|g| g.station.as_str())
        .collect();
    if blocking.is_empty() {
        if ui
            .add_enabled(!form.busy, egui::Button::new(t.campus_close_now))
            .clicked()
        {
            commands.push(Command::Campus(CampusCommand::CloseOut));
        }
    } else {
        ui.label(coloured(
            &format!("{} {}", t.campus_close_blocked, blocking.join("、")),
            theme::WARN,
        ));
        ui.horizontal(|ui| {
            ui.label(t.station);
            egui::ComboBox::from_id_salt("campus-write-off")
                .selected_text(form.write_off_station.as_str())
                .show_ui(ui, |ui| {
                    for station in &blocking {
                        ui.selectable_value(
                            &mut form.write_off_station,
                            station.to_string(),
                            *station,
                        );
                    }
                });
            let label = ui.label(t.campus_write_off_reason);
            ui.add(egui::TextEdit::singleline(&mut form.write_off_reason).desired_width(260.0))
                .labelled_by(label.id);
            let ready = !form.busy
                && !form.write_off_station.is_empty()
                && !form.write_off_reason.trim().is_empty();
            if ui
                .add_enabled(ready, egui::Button::new(t.campus_write_off))
                .clicked()
            {
                commands.push(Command::Campus(CampusCommand::WriteOff));
            }
        });
    }
    if let Some(outcome) = form.outcome.as_ref().filter(|o| o.school == view.school) {
        ui.label(coloured(
            &format!(
                "{} {} · {} {}",
                t.campus_closed,
                outcome.refunded,
                outcome.due_date,
                crate::domain::money::format_yuan(outcome.refund_total_fen)
            ),
            theme::OK,
        ));
        if outcome.held_back > 0 {
            ui.label(coloured(
                &format!("{} {}", outcome.held_back, t.campus_held_back),
                theme::WARN,
            ));
        }
        if !outcome.quarantined.is_empty() {
            ui.label(coloured(
                &format!(
                    "{} {}：{}",
                    outcome.quarantined.len(),
                    t.campus_quarantined_not_refunded,
                    outcome.quarantined.join("、")
                ),
                theme::WARN,
            ));
        }
    }
    report(ui, &view.report, t);
}

fn report(ui: &mut egui::Ui, report: &crate::campus::report::CampusReport, t: &Texts) {
    ui.add_space(6.0);
    ui.label(RichText::new(t.campus_report).strong());
    ui.label(format!(
        "{}: {} / {} / {} / {} / {}",
        t.campus_report_total,
        report.bookings,
        report.captured,
        report.still_booked,
        report.refund_pending,
        report.refunded
    ));
    ui.label(format!("{}: {}", t.campus_conflicts, report.open_conflicts));
    egui::Grid::new("campus-report")
        .striped(true)
        .num_columns(4)
        .show(ui, |ui| {
            for header in [
                t.station,
                t.campus_captures,
                t.campus_median_secs,
                t.campus_per_hour,
            ] {
                ui.label(RichText::new(header).weak());
            }
            ui.end_row();
            for station in &report.stations {
                ui.label(&station.station);
                ui.label(station.captures.to_string());
                ui.label(
                    station
                        .median_seconds_per_student
                        .map_or("–".to_string(), |s| format!("{s:.0}")),
                );
                let hours: Vec<String> = station
                    .per_hour
                    .iter()
                    .map(|h| format!("{} {}", h.hour.get(11..).unwrap_or(&h.hour), h.captures))
                    .collect();
                ui.label(hours.join(" · "));
                ui.end_row();
            }
        });
}

pub fn join_form(
    ui: &mut egui::Ui,
    screen: &mut CampusScreen,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    ui.label(t.campus_single);
    ui.add_space(8.0);
    // A pasted or scanned token holds a credential: shown as dots once it is there.
    let hide_token = !screen.token.is_empty();
    egui::Grid::new("campus-join")
        .num_columns(2)
        .spacing([12.0, 10.0])
        .show(ui, |ui| {
            let label = ui.label(t.campus_token);
            ui.add(
                egui::TextEdit::singleline(&mut screen.token)
                    .hint_text(t.campus_token_hint)
                    .desired_width(620.0)
                    .password(hide_token),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label(t.campus_station_name);
            ui.add(
                egui::TextEdit::singleline(&mut screen.station_name)
                    .hint_text("东门-1")
                    .desired_width(240.0),
            )
            .labelled_by(label.id);
            ui.end_row();
        });
    let ready =
        !screen.busy && !screen.token.trim().is_empty() && !screen.station_name.trim().is_empty();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(ready, egui::Button::new(t.campus_join))
            .clicked()
        {
            commands.push(Command::Campus(CampusCommand::Join));
        }
        if screen.busy {
            ui.spinner();
        }
    });
}

fn overview(ui: &mut egui::Ui, state: &AppState, t: &Texts, commands: &mut Vec<Command>) {
    let screen = &state.supervisor.campus;
    let Some(joined) = &screen.joined else {
        return;
    };
    ui.label(RichText::new(format!("{} {}", t.campus_joined_as, joined.station)).strong());
    ui.label(format!("{} {}", t.campus_server, joined.server));
    if let Some(status) = &state.campus {
        let text = if status.connected {
            coloured(&format!("● {}", t.campus_connected), theme::OK)
        } else {
            coloured(&format!("● {}", t.campus_offline), theme::WARN)
        };
        ui.label(text);
    }
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!screen.busy, egui::Button::new(t.campus_refresh))
            .clicked()
        {
            commands.push(Command::Campus(CampusCommand::Refresh));
        }
        if ui
            .add_enabled(!screen.busy, egui::Button::new(t.campus_rotate_password))
            .clicked()
        {
            commands.push(Command::Campus(CampusCommand::RotatePassword));
        }
        if screen.busy {
            ui.spinner();
        }
    });
    let Some(overview) = &screen.overview else {
        return;
    };
    ui.add_space(6.0);
    ui.label(RichText::new(t.campus_stations).strong());
    egui::Grid::new("campus-stations")
        .striped(true)
        .num_columns(7)
        .show(ui, |ui| {
            for header in [
                t.station,
                t.campus_last_contact,
                t.campus_clock_offset,
                t.campus_outbox,
                t.campus_photos_waiting,
                t.campus_captures_today,
                "",
            ] {
                ui.label(RichText::new(header).weak());
            }
            ui.end_row();
            for station in &overview.stations {
                ui.label(&station.name);
                ui.label(
                    station
                        .last_contact
                        .as_deref()
                        .map(super::widgets::clock)
                        .unwrap_or_else(|| "–".to_string()),
                );
                ui.label(
                    station
                        .clock_offset_ms
                        .map_or("–".to_string(), |ms| format!("{ms} ms")),
                );
                ui.label(station.outbox_depth.to_string());
                ui.label(station.photos_waiting.to_string());
                ui.label(station.captures_today.to_string());
                if station.revoked {
                    ui.label(coloured(t.campus_revoked, theme::WARN));
                } else if station.name != joined.station
                    && ui
                        .add_enabled(!screen.busy, egui::Button::new(t.campus_revoke))
                        .clicked()
                {
                    commands.push(Command::Campus(CampusCommand::AskRevoke(
                        station.name.clone(),
                    )));
                }
                ui.end_row();
            }
        });
    if let Some(asked) = &screen.revoke_confirm {
        ui.horizontal_wrapped(|ui| {
            ui.label(coloured(
                &format!("{} {asked}", t.campus_revoke_question),
                theme::WARN,
            ));
            if ui.button(t.campus_revoke_confirm).clicked() {
                commands.push(Command::Campus(CampusCommand::ConfirmRevoke(true)));
            }
            if ui.button(t.cancel).clicked() {
                commands.push(Command::Campus(CampusCommand::ConfirmRevoke(false)));
            }
        });
    }
    if !overview.quarantined.is_empty() {
        ui.add_space(6.0);
        ui.label(coloured(
            &format!("{}: {}", t.campus_quarantined, overview.quarantined.len()),
            theme::WARN,
        ));
        for event in &overview.quarantined {
            ui.label(format!(
                "{} #{} {}: {}",
                event.station,
                event.station_seq.unwrap_or_default(),
                event.kind,
                event.reason
            ));
        }
    }
}

/// A one-time join code for the next station: a button asks the server for one, which is then
/// shown as a QR code (for the next station's webcam), as text, and with its expiry.
fn join_code(ui: &mut egui::Ui, screen: &CampusScreen, t: &Texts, commands: &mut Vec<Command>) {
    ui.vertical_centered(|ui| {
        if ui
            .add_enabled(!screen.busy, egui::Button::new(t.campus_issue_join_code))
            .clicked()
        {
            commands.push(Command::Campus(CampusCommand::IssueJoinCode));
        }
        let Some(code) = &screen.join_code else {
            return;
        };
        let Some(image) = qr_image(&code.text) else {
            return;
        };
        let texture = texture(ui, &format!("join-code-{}", code.text), &image);
        ui.add(egui::Image::new(&texture).fit_to_exact_size(egui::vec2(220.0, 220.0)));
        ui.label(format!(
            "{} {}",
            t.campus_join_code_valid_until, code.valid_until
        ));
        ui.label(RichText::new(t.campus_token_qr).weak());
        ui.add(
            egui::Label::new(RichText::new(&code.text).monospace().small())
                .wrap_mode(egui::TextWrapMode::Wrap),
        );
    });
}

/// Black modules on white with the standard four-module quiet zone, four pixels a module.
fn qr_image(text: &str) -> Option<image::RgbImage> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let (scale, quiet) = (4usize, 4usize);
    let side = ((width + 2 * quiet) * scale) as u32;
    Some(image::RgbImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x as usize / scale, y as usize / scale);
        let dark = mx >= quiet
            && my >= quiet
            && mx - quiet < width
            && my - quiet < width
            && colors[(my - quiet) * width + (mx - quiet)] == qrcode::Color::Dark;
        if dark {
            image::Rgb([0, 0, 0])
        } else {
            image::Rgb([255, 255, 255])
        }
    }))
}

/// A texture for `image`, kept in egui's memory under `key` so it is uploaded once.
fn texture(ui: &egui::Ui, key: &str, image: &image::RgbImage) -> TextureHandle {
    let id = egui::Id::unique(("campus-texture", key));
    if let Some(texture) = ui.ctx().data(|d| d.get_temp::<TextureHandle>(id)) {
        return texture;
    }
    let (w, h) = image.dimensions();
    let texture = ui.ctx().load_texture(
        key,
        ColorImage::from_rgb([w as usize, h as usize], image.as_raw()),
        TextureOptions::LINEAR,
    );
    ui.ctx().data_mut(|d| d.insert_temp(id, texture.clone()));
    texture
}

fn kind_label(t: &Texts, kind: &str) -> &'static str {
    match kind {
        "double_capture" => t.conflict_double_capture,
        "capture_after_cancel" => t.conflict_capture_after_cancel,
        "capture_after_close" => t.conflict_capture_after_close,
        "duplicate_walk_in" => t.conflict_duplicate_walk_in,
        "refund_of_captured" => t.conflict_refund_of_captured,
        _ => t.conflict_stale_correction,
    }
}

fn conflicts(ui: &mut egui::Ui, screen: &CampusScreen, t: &Texts, commands: &mut Vec<Command>) {
    let Some(overview) = &screen.overview else {
        return;
    };
    ui.label(
        RichText::new(format!(
            "{} ({})",
            t.campus_conflicts,
            overview.conflicts.len()
        ))
        .strong(),
    );
    if overview.conflicts.is_empty() {
        ui.label(coloured(t.campus_no_conflicts, theme::OK));
        return;
    }
    for conflict in &overview.conflicts {
        ui.horizontal(|ui| {
            ui.label(format!("#{}", conflict.id));
            ui.label(coloured(kind_label(t, &conflict.kind), theme::WARN));
            // Who it is about, and between which stations: a booking's id tells nobody.
            ui.label(format!(
                "{} · {}",
                conflict.name.as_deref().unwrap_or("–"),
                conflict.order_no.as_deref().unwrap_or("–")
            ));
            ui.label(
                RichText::new(format!(
                    "{} / {}",
                    conflict.station,
                    conflict.other_station.as_deref().unwrap_or("–")
                ))
                .weak(),
            );
            ui.label(
                RichText::new(
                    conflict
                        .created_at
                        .get(..19)
                        .unwrap_or(&conflict.created_at),
                )
                .weak(),
            );
            let decide = |ui: &mut egui::Ui,
                          label: &str,
                          decision: ConflictDecision,
                          commands: &mut Vec<Command>| {
                if ui
                    .add_enabled(!screen.busy, egui::Button::new(label))
                    .clicked()
                {
                    commands.push(Command::Campus(CampusCommand::Resolve {
                        conflict_id: conflict.id,
                        decision,
                    }));
                }
            };
            match conflict.kind.as_str() {
                "double_capture" | "capture_after_cancel" | "capture_after_close" => {
                    if ui
                        .add_enabled(!screen.busy, egui::Button::new(t.campus_show))
                        .clicked()
                    {
                        commands.push(Command::Campus(CampusCommand::OpenConflict(conflict.id)));
                    }
                }
                "duplicate_walk_in" => {
                    decide(ui, t.campus_keep_both, ConflictDecision::KeepBoth, commands)
                }
                "refund_of_captured" => {
                    if let Some(station) = conflict.other["station"].as_str() {
                        ui.label(format!("@{station}"));
                    }
                    decide(
                        ui,
                        t.campus_void_refund,
                        ConflictDecision::KeepExisting,
                        commands,
                    );
                    decide(
                        ui,
                        t.campus_refund_anyway,
                        ConflictDecision::UseThis,
                        commands,
                    );
                }
                _ => {
                    let value = |key: &str| conflict.other[key].as_str().unwrap_or("–").to_string();
                    let field = crate::domain::CorrectableField::parse(&value("field"))
                        .map_or_else(
                            || value("field"),
                            |f| crate::i18n::errors::correctable_name(f, t.language()),
                        );
                    ui.label(format!(
                        "{}: {} → {}",
                        field,
                        value("server_value"),
                        value("station_wanted")
                    ));
                    decide(
                        ui,
                        t.campus_use_new_value,
                        ConflictDecision::UseThis,
                        commands,
                    );
                    decide(
                        ui,
                        t.campus_keep_value,
                        ConflictDecision::KeepExisting,
                        commands,
                    );
                }
            }
        });
        if let Some(shown) = &screen.conflict_photos
            && shown.conflict_id == conflict.id
        {
            ui.horizontal(|ui| {
                for (label, photo, which) in [
                    (t.campus_current_photo, &shown.current, "current"),
                    (t.campus_other_photo, &shown.other, "other"),
                ] {
                    ui.vertical(|ui| {
                        ui.label(label);
                        match photo {
                            Some(image) => {
                                let texture = texture(
                                    ui,
                                    &format!("conflict-{}-{which}", conflict.id),
                                    image,
                                );
                                ui.add(
                                    egui::Image::new(&texture)
                                        .fit_to_exact_size(egui::vec2(180.0, 240.0))
                                        .alt_text(label),
                                );
                            }
                            None => {
                                ui.label("–");
                            }
                        }
                    });
                }
                ui.vertical(|ui| {
                    for (label, decision) in [
                        (t.campus_use_this, ConflictDecision::UseThis),
                        (t.campus_keep_existing, ConflictDecision::KeepExisting),
                    ] {
                        if ui
                            .add_enabled(!screen.busy, egui::Button::new(label))
                            .clicked()
                        {
                            commands.push(Command::Campus(CampusCommand::Resolve {
                                conflict_id: conflict.id,
                                decision,
                            }));
                        }
                    }
                });
            });
        }
    }
}
