//! 拍摄: the operator's screen. Live view with the crop guide on the left, the student card and
//! the shot on the right; below the live view, the search or the shot's check list.

use crate::app::accounts::AccountsCommand;
use crate::app::capture::CaptureCommand;
use crate::app::corrections::CorrectionsCommand;
use crate::app::walk_in_desk::WalkInCommand;
use egui::{Color32, RichText, Stroke, vec2};

use super::widgets::coloured;
use super::{Textures, theme};
use crate::app::command::Command;
use crate::app::state::{AppState, BookingCard, CardState, ShootBlock, ShotState, WindowRole};
use crate::domain::photo_spec::{EYE_LINE, FACE_WIDTH, HEAD_TOP, HEIGHT, WIDTH};
use crate::i18n::Texts;

/// The right column's width range: the card and the result photo with its buttons.
const RIGHT_MIN_WIDTH: f32 = 440.0;
const RIGHT_MAX_WIDTH: f32 = 780.0;
/// Width of the button column beside the result photo.
const SHOT_BUTTONS_WIDTH: f32 = 262.0;
/// Height the check list may take per failed check (one line, or two when it wraps at the
/// narrowest layout), and for its verdict and the folded line of passed checks.
const CHECK_LINE_HEIGHT: f32 = 26.0;
const CHECKS_FRAME_HEIGHT: f32 = 80.0;
/// From this many failed checks the list takes two columns, so that a shot failing nearly
/// everything still leaves the live view its room; a line in half the width may wrap twice.
const TWO_COLUMNS_FROM: usize = 7;
const HALF_WIDTH_LINE_HEIGHT: f32 = 44.0;

/// The operator's screen fits any window from 1366×768 up without scrolling: the right column
/// takes the card and then as much of the result photo as the height leaves (never more than
/// its 480×640), the check list below the live view is as tall as its failed checks need, and
/// the live view takes whatever is left at its own aspect ratio.
pub fn show(
    ui: &mut egui::Ui,
    state: &mut AppState,
    textures: &mut Textures,
    commands: &mut Vec<Command>,
) {
    let available = ui.available_size();
    let right_width = (available.x * 0.45)
        .clamp(RIGHT_MIN_WIDTH, RIGHT_MAX_WIDTH)
        .min(available.x * 0.6);
    let left_width = (available.x - right_width - 24.0).max(200.0);
    let below_live_view = if state.operator.search.open {
        available.y * 0.45
    } else {
        checks_height(state)
    };
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(left_width);
            let live_height = (available.y - below_live_view).max(120.0);
            live_view(ui, state, textures, left_width, live_height);
            if state.operator.search.open {
                search(ui, state, commands);
            } else {
                checks(ui, state);
            }
        });
        ui.separator();
        ui.vertical(|ui| {
            ui.set_width(right_width);
            card(ui, state, textures, commands);
            ui.separator();
            shot(ui, state, textures, commands);
        });
    });
}

/// Room the check list needs under the live view: every failed check gets a line.
fn checks_height(state: &AppState) -> f32 {
    match &state.operator.shot {
        ShotState::Ready { report, .. } | ShotState::Failed { report, .. } => {
            let failed = report.checks.iter().filter(|c| !c.ok).count();
            if failed >= TWO_COLUMNS_FROM {
                CHECKS_FRAME_HEIGHT + HALF_WIDTH_LINE_HEIGHT * failed.div_ceil(2) as f32
            } else {
                CHECKS_FRAME_HEIGHT + CHECK_LINE_HEIGHT * failed as f32
            }
        }
        _ => CHECKS_FRAME_HEIGHT,
    }
}

fn live_view(
    ui: &mut egui::Ui,
    state: &AppState,
    textures: &mut Textures,
    width: f32,
    max_height: f32,
) {
    let t = state.texts();
    let Some(texture) = textures.preview.clone() else {
        let (rect, _) = ui.allocate_exact_size(
            vec2(width, (width * 9.0 / 16.0).min(max_height)),
            egui::Sense::hover(),
        );
        ui.painter().rect_filled(rect, 4.0, Color32::from_gray(40));
        ui.painter().text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            t.camera_waiting,
            egui::FontId::proportional(22.0),
            Color32::WHITE,
        );
        if super::student::shows_inset(ui.ctx(), state) {
            super::student::inset(ui, rect, guide_rect(rect), state, textures);
        }
        return;
    };
    let size = texture.size_vec2();
    let scale = (width / size.x).min(max_height / size.y);
    let response = ui.add(
        egui::Image::new(&texture)
            .fit_to_exact_size(size * scale)
            .alt_text(t.live_view),
    );
    let rect = response.rect;
    let guide = draw_guide(ui.painter(), rect);
    draw_guidance(ui.painter(), rect, state);
    if super::student::shows_inset(ui.ctx(), state) {
        super::student::inset(ui, rect, guide, state, textures);
    }
    show_scan_hint(ui, rect, state);
    if state.operator.code_in_view {
        let badge = egui::Rect::from_min_size(rect.left_top() + vec2(8.0, 8.0), vec2(190.0, 34.0));
        ui.painter().rect_filled(badge, 6.0, theme::OK);
        ui.painter().text(
            badge.center(),
            egui::Align2::CENTER_CENTER,
            format!("▣ {}", t.code_in_view),
            egui::FontId::proportional(20.0),
            Color32::WHITE,
        );
    }
}

/// Across the top of the live view, when a code has been in view for a second without reading:
/// what the student should change, large enough to read out from across the counter. A label,
/// not paint, so that screen readers and the window's tests see it.
fn show_scan_hint(ui: &mut egui::Ui, frame: egui::Rect, state: &AppState) {
    let Some(trouble) = state.operator.scan_hint else {
        return;
    };
    let t = state.texts();
    let text = match trouble {
        crate::scan::decode::UnreadTrouble::TooSmall => t.hint_closer,
        crate::scan::decode::UnreadTrouble::Overexposed => t.hint_dimmer,
    };
    let band = egui::Rect::from_min_size(
        frame.left_top() + vec2(0.0, 48.0),
        vec2(frame.width(), 44.0),
    );
    ui.painter().rect_filled(band, 0.0, theme::WARN);
    ui.put(
        band,
        egui::Label::new(
            egui::RichText::new(format!("⚠ {text}"))
                .size(26.0)
                .color(Color32::WHITE),
        ),
    );
}

/// The live advice along the bottom of the live view: what the student should fix, or that the
/// pose is fine. Nothing while no face is in view, so an empty booth stays quiet.
fn draw_guidance(painter: &egui::Painter, frame: egui::Rect, state: &AppState) {
    let Some(guidance) = state.operator.guidance.as_ref().filter(|g| g.face_found) else {
        return;
    };
    let t = state.texts();
    // "Ready to shoot" only where Space would shoot: with no card, or one that cannot be shot
    // (already photographed, at the walk-in desk, …), the pose is merely fine.
    let can_shoot = state
        .card()
        .is_some_and(|card| card.shoot_block().is_none());
    let (text, colour) = if guidance.ready() {
        let line = if can_shoot {
            t.guidance_ready
        } else {
            t.guidance_pose_fine
        };
        (format!("✓ {line}"), theme::OK)
    } else {
        let hints: Vec<String> = guidance
            .hints
            .iter()
            .take(3)
            .map(|hint| crate::i18n::checks::hint_text(hint, state.language))
            .collect();
        (hints.join(" · "), theme::WARN)
    };
    let band = egui::Rect::from_min_max(
        egui::pos2(frame.left(), frame.bottom() - super::student::ADVICE_BAND),
        frame.right_bottom(),
    );
    painter.rect_filled(band, 0.0, colour);
    painter.text(
        band.center(),
        egui::Align2::CENTER_CENTER,
        text,
        egui::FontId::proportional(22.0),
        Color32::WHITE,
    );
}

/// Where the 3:4 crop guide sits in the live view: centred, 92% of its height.
fn guide_rect(frame: egui::Rect) -> egui::Rect {
    let height = frame.height() * 0.92;
    let width = height * WIDTH as f32 / HEIGHT as f32;
    egui::Rect::from_center_size(frame.center(), vec2(width, height))
}

/// The 3:4 crop guide, centred, with the bands the spec puts the head top, the eyes and the
/// face width in, so the operator can place the student before pressing Space. Returns where.
fn draw_guide(painter: &egui::Painter, frame: egui::Rect) -> egui::Rect {
    let guide = guide_rect(frame);
    let (width, height) = (guide.width(), guide.height());
    let y = |out_y: f32| guide.top() + out_y / HEIGHT as f32 * height;
    let band = |top: f32, bottom: f32| {
        egui::Rect::from_min_max(
            egui::pos2(guide.left(), y(top)),
            egui::pos2(guide.right(), y(bottom)),
        )
    };
    let fill = Color32::from_rgba_unmultiplied(255, 213, 79, 40);
    painter.rect_filled(band(HEAD_TOP.min, HEAD_TOP.max), 0.0, fill);
    painter.rect_filled(band(EYE_LINE.min, EYE_LINE.max), 0.0, fill);
    painter.rect_stroke(
        guide,
        0.0,
        Stroke::new(2.0, theme::GUIDE),
        egui::StrokeKind::Inside,
    );
    let scale = width / WIDTH as f32;
    for half in [FACE_WIDTH.min / 2.0, FACE_WIDTH.max / 2.0] {
        for side in [-1.0, 1.0] {
            let x = guide.center().x + side * half * scale;
            painter.line_segment(
                [
                    egui::pos2(x, y(EYE_LINE.min)),
                    egui::pos2(x, y(EYE_LINE.max)),
                ],
                Stroke::new(1.5, theme::GUIDE),
            );
        }
    }
    guide
}

fn search(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let t = state.texts();
    let search = &mut state.operator.search;
    ui.horizontal(|ui| {
        let label = ui.label(t.search);
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut search.query)
                    .hint_text(t.search_hint)
                    .desired_width(ui.available_width() - 140.0),
            )
            .labelled_by(label.id);
        if search.focus_requested {
            response.request_focus();
            search.focus_requested = false;
        }
        if response.changed() {
            commands.push(Command::Capture(CaptureCommand::Search {
                query: search.query.clone(),
                for_supervisor: false,
            }));
        }
        if ui.button(t.close).clicked()
            || (response.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Escape)))
        {
            commands.push(Command::Capture(CaptureCommand::ClearCard));
        }
        if response.lost_focus()
            && ui.input(|i| i.key_pressed(egui::Key::Enter))
            && let Some(first) = search.results.first()
        {
            commands.push(Command::Capture(CaptureCommand::OpenBooking(
                first.booking.booking_id.clone(),
            )));
        }
    });
    egui::ScrollArea::vertical().show(ui, |ui| {
        if search.results.is_empty() && !search.query.trim().is_empty() {
            ui.label(t.no_results);
        }
        for hit in &search.results {
            let booking = &hit.booking;
            let line = super::widgets::booking_line(t, booking);
            if ui.button(line).clicked() {
                commands.push(Command::Capture(CaptureCommand::OpenBooking(
                    booking.booking_id.clone(),
                )));
            }
        }
    });
}

/// The verdict, then every failed check on its own line (they are what the operator must act
/// on, so they never fold away), then the passed checks folded into one line.
fn checks(ui: &mut egui::Ui, state: &AppState) {
    let t = state.texts();
    let report = match &state.operator.shot {
        ShotState::Ready { report, .. } | ShotState::Failed { report, .. } => report,
        _ => {
            ui.label(RichText::new(t.nudge_hint_after_shot).weak());
            return;
        }
    };
    let passed = report.checks.iter().filter(|c| c.ok).count();
    if report.ok {
        let line = t.checks_all_passed_n.replace("{n}", &passed.to_string());
        ui.label(coloured(&format!("✓ {line}"), theme::OK).size(22.0));
        return;
    }
    ui.label(coloured(t.checks_failed, theme::BAD).size(22.0));
    let failed: Vec<RichText> = report
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|check| {
            let text =
                crate::i18n::checks::check_failure(check, report.error.as_ref(), state.language);
            RichText::new(format!("× {text}"))
                .color(theme::BAD)
                .size(16.0)
        })
        .collect();
    if failed.len() >= TWO_COLUMNS_FROM {
        ui.columns(2, |columns| {
            for (index, line) in failed.into_iter().enumerate() {
                columns[index % 2].label(line);
            }
        });
    } else {
        for line in failed {
            ui.label(line);
        }
    }
    if passed > 0 {
        let line = t.checks_others_passed_n.replace("{n}", &passed.to_string());
        ui.label(
            RichText::new(format!("✓ {line}"))
                .color(theme::OK)
                .size(16.0),
        );
    }
}

fn card(ui: &mut egui::Ui, state: &AppState, textures: &mut Textures, commands: &mut Vec<Command>) {
    let t = state.texts();
    match &state.operator.card {
        CardState::Empty => {
            ui.add_space(20.0);
            ui.label(RichText::new(t.scan_prompt).size(28.0).color(theme::INFO));
        }
        CardState::Looking(_) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(t.looking_up);
            });
        }
        CardState::Unknown(code) => {
            heading_with_next_up(ui, state, coloured(t.no_booking, theme::BAD).size(30.0));
            ui.label(format!("{} {}", t.capture_code, t.masked_code(code)));
            if ui
                .button(RichText::new(t.open_walk_in).size(22.0))
                .clicked()
            {
                commands.push(Command::WalkIn(WalkInCommand::StartWalkIn {
                    capture_code: Some(code.clone()),
                }));
            }
        }
        CardState::Found(card) => found_card(ui, state, t, card, textures, commands),
    }
}

fn found_card(
    ui: &mut egui::Ui,
    state: &AppState,
    t: &Texts,
    card: &BookingCard,
    textures: &mut Textures,
    commands: &mut Vec<Command>,
) {
    let booking = &card.booking;
    let student = &booking.student;
    heading_with_next_up(ui, state, RichText::new(&student.name).size(34.0).strong());
    // A character no font has is drawn as a box; the operator checks the name on the ID card.
    if !super::theme::can_draw(ui.ctx(), &student.name) {
        ui.label(coloured(t.name_not_drawable, theme::BAD).size(20.0));
    }
    // The booth's screen is seen by the queue: whole numbers only when the booth's own user is a
    // supervisor, never for one signed in over the operator's shoulder (主管 shows them there).
    let whole = state
        .session
        .as_ref()
        .is_some_and(|s| s.role() == crate::store::Role::Supervisor)
        && state.elevated.is_none();
    let id_shown = match &student.id_number {
        Some(id) if whole => id.clone(),
        Some(id) => crate::domain::id_number::mask(id),
        None => "-".to_string(),
    };
    let phone_shown = match &student.phone {
        Some(phone) if whole => phone.clone(),
        Some(phone) => crate::domain::text::mask_phone(phone),
        None => "-".to_string(),
    };
    ui.style_mut().override_font_id = Some(egui::FontId::proportional(18.0));
    let capture_code = booking
        .capture_code
        .as_deref()
        .map(|code| t.masked_code(code))
        .unwrap_or_else(|| "-".to_string());
    let fields: [(&str, &str); 9] = [
        (t.id_number, &id_shown),
        (t.phone, &phone_shown),
        (t.student_no, student.student_no.as_deref().unwrap_or("-")),
        (t.school, &student.school),
        (t.department, student.department.as_deref().unwrap_or("-")),
        (t.major, student.major.as_deref().unwrap_or("-")),
        (t.level, student.level.as_deref().unwrap_or("-")),
        (t.source, t.source(&booking.source)),
        (t.capture_code, &capture_code),
    ];
    // Two fields a row, so the card leaves the column's height to the result photo.
    egui::Grid::new("card_grid")
        .num_columns(4)
        .spacing(vec2(10.0, 2.0))
        .show(ui, |ui| {
            let status_color = match booking.status.as_str() {
                "booked" => theme::INFO,
                "captured" => theme::OK,
                _ => theme::BAD,
            };
            // The ninth field shares its row with the status.
            for pair in fields.chunks(2) {
                for (label, value) in pair {
                    ui.label(RichText::new(*label).color(Color32::from_gray(90)));
                    ui.label(RichText::new(*value).strong());
                }
                if pair.len() == 1 {
                    ui.label(RichText::new(t.status).color(Color32::from_gray(90)));
                    ui.label(coloured(t.status(&booking.status), status_color));
                }
                ui.end_row();
            }
        });
    match card.shoot_block() {
        Some(ShootBlock::AlreadyCaptured) if !card.saved => {
            ui.label(coloured(t.already_captured, theme::WARN));
            ui.horizontal(|ui| {
                if let Some(photo) = &card.previous_photo {
                    let texture = textures.thumbnail(ui.ctx(), &booking.booking_id, photo);
                    ui.add(egui::Image::new(&texture).fit_to_exact_size(vec2(60.0, 80.0)));
                    ui.label(t.earlier_photo);
                }
                if state.role == WindowRole::Supervisor && ui.button(t.approve_retake).clicked() {
                    commands.push(Command::Corrections(CorrectionsCommand::ApproveRetake {
                        booking_id: booking.booking_id.clone(),
                    }));
                }
            });
        }
        Some(ShootBlock::OutsideWindow) => {
            ui.horizontal(|ui| {
                ui.label(coloured(t.outside_window, theme::WARN));
                if state.role == WindowRole::Supervisor && ui.button(t.override_window).clicked() {
                    commands.push(Command::Corrections(CorrectionsCommand::OverrideWindow {
                        booking_id: booking.booking_id.clone(),
                    }));
                }
            });
        }
        Some(ShootBlock::DetailsDisputed) => {
            ui.label(coloured(t.details_disputed, theme::BAD).size(20.0));
            ui.horizontal(|ui| {
                if ui.button(t.open_correction).clicked() {
                    commands.push(Command::Corrections(CorrectionsCommand::CorrectDisputed {
                        booking_id: booking.booking_id.clone(),
                    }));
                }
                if state.role == WindowRole::Supervisor && ui.button(t.override_dispute).clicked() {
                    commands.push(Command::Corrections(CorrectionsCommand::OverrideDispute {
                        booking_id: booking.booking_id.clone(),
                    }));
                }
            });
        }
        Some(block @ (ShootBlock::Cancelled | ShootBlock::Refunded)) => {
            ui.label(coloured(block.text(t), theme::BAD).size(24.0));
        }
        _ => {
            if booking.retake_approved {
                ui.label(coloured(t.retake_allowed, theme::INFO));
            }
            if card.window_overridden {
                ui.label(coloured(t.window_overridden, theme::WARN));
            }
        }
    }
}

/// The result photo as large as the column's remaining height allows (at most its own
/// 480×640), with the buttons beside it.
fn shot(
    ui: &mut egui::Ui,
    state: &mut AppState,
    textures: &mut Textures,
    commands: &mut Vec<Command>,
) {
    let t = state.texts();
    let photo_height = ((ui.available_width() - SHOT_BUTTONS_WIDTH) * HEIGHT as f32 / WIDTH as f32)
        .min(ui.available_height() - 8.0)
        .clamp(160.0, HEIGHT as f32);
    let photo_size = vec2(photo_height * WIDTH as f32 / HEIGHT as f32, photo_height);
    ui.horizontal_top(|ui| {
        match &state.operator.shot {
            ShotState::None => {
                let (rect, _) = ui.allocate_exact_size(photo_size, egui::Sense::hover());
                ui.painter().rect_stroke(
                    rect,
                    4.0,
                    Stroke::new(1.0, Color32::from_gray(160)),
                    egui::StrokeKind::Inside,
                );
                ui.painter().text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    t.result,
                    egui::FontId::proportional(20.0),
                    Color32::from_gray(140),
                );
            }
            ShotState::Processing { .. } => {
                ui.allocate_ui(photo_size, |ui| {
                    ui.spinner();
                    ui.label(t.processing);
                });
            }
            ShotState::Ready { shot_id, image, .. } | ShotState::Saved { shot_id, image } => {
                let texture = textures.shot(ui.ctx(), *shot_id, image);
                ui.add(
                    egui::Image::new(&texture)
                        .fit_to_exact_size(photo_size)
                        .alt_text(t.result_photo),
                );
            }
            ShotState::Failed { report, .. } => {
                ui.allocate_ui(photo_size, |ui| {
                    ui.set_width(photo_size.x);
                    ui.label(coloured(t.checks_failed, theme::BAD));
                    for check in report.checks.iter().filter(|c| !c.ok) {
                        let text = crate::i18n::checks::check_failure(
                            check,
                            report.error.as_ref(),
                            state.language,
                        );
                        ui.label(RichText::new(text).color(theme::BAD));
                    }
                });
            }
        }
        ui.vertical(|ui| {
            shot_buttons(ui, state, t, commands);
        });
    });
}

fn shot_buttons(ui: &mut egui::Ui, state: &mut AppState, t: &Texts, commands: &mut Vec<Command>) {
    let booking_id = state.card().map(|card| card.booking.booking_id.clone());
    let big =
        |text: &str| egui::Button::new(RichText::new(text).size(22.0)).min_size(vec2(250.0, 40.0));
    let filled = |text: &str, fill: Color32| {
        egui::Button::new(
            RichText::new(text)
                .size(22.0)
                .color(Color32::WHITE)
                .strong(),
        )
        .min_size(vec2(250.0, 40.0))
        .fill(fill)
    };
    let supervisor_here = state.role == WindowRole::Supervisor;
    match &state.operator.shot {
        ShotState::Ready {
            report,
            override_armed,
            saving,
            ..
        } => {
            let (ok, armed) = (report.ok, *override_armed);
            ui.label(format!(
                "{} {:.1} KB / Q{}",
                t.size_quality,
                report.bytes as f64 / 1024.0,
                report.quality
            ));
            if *saving {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(t.saving);
                });
                return;
            }
            if ok {
                if ui.add(filled(t.accept_button, theme::OK)).clicked() {
                    commands.push(Command::Capture(CaptureCommand::Accept {
                        booking_id,
                        override_checks: false,
                    }));
                }
            } else if armed && !supervisor_here {
                // Saving a failed photo is the supervisor's call: they sign in right here,
                // instead of being offered a button that can only be refused.
                supervisor_sign_in(ui, state, t, commands);
                if ui.button(t.cancel).clicked() {
                    commands.push(Command::Capture(CaptureCommand::ArmOverride(false)));
                }
            } else if armed {
                if ui.add(filled(t.override_confirm, theme::BAD)).clicked() {
                    commands.push(Command::Capture(CaptureCommand::Accept {
                        booking_id,
                        override_checks: true,
                    }));
                }
                if ui.button(t.cancel).clicked() {
                    commands.push(Command::Capture(CaptureCommand::ArmOverride(false)));
                }
            } else if ui.add(big(t.override_button)).clicked() {
                commands.push(Command::Capture(CaptureCommand::ArmOverride(true)));
            }
            if ui.add(big(t.retake_button)).clicked() {
                commands.push(Command::Capture(CaptureCommand::Retake));
            }
            ui.label(RichText::new(t.nudge_hint).small());
        }
        ShotState::Failed { .. } => {
            if ui.add(big(t.retake_button)).clicked() {
                commands.push(Command::Capture(CaptureCommand::Retake));
            }
            if ui.add(big(t.capture_button)).clicked() {
                commands.push(Command::Capture(CaptureCommand::Capture { booking_id }));
            }
        }
        ShotState::Saved { .. } => {
            ui.label(coloured(&format!("✓ {}", t.saved), theme::OK).size(26.0));
        }
        _ => {
            let ready = state.card().is_some_and(|c| c.shoot_block().is_none());
            if ui.add_enabled(ready, big(t.capture_button)).clicked() {
                commands.push(Command::Capture(CaptureCommand::Capture {
                    booking_id: booking_id.clone(),
                }));
            }
            if ui.add(egui::Button::new(t.search)).clicked() {
                commands.push(Command::Capture(CaptureCommand::OpenSearch));
            }
            // Beside the photo, where there is room: the card keeps its height for the photo.
            if ready
                && let Some(booking_id) = booking_id
                && ui.add(egui::Button::new(t.flag_details_button)).clicked()
            {
                commands.push(Command::Corrections(CorrectionsCommand::FlagDetails {
                    booking_id,
                }));
            }
        }
    }
}

/// The supervisor's name and PIN beside a failed photo, to allow saving it anyway.
fn supervisor_sign_in(
    ui: &mut egui::Ui,
    state: &mut AppState,
    t: &Texts,
    commands: &mut Vec<Command>,
) {
    ui.label(RichText::new(t.override_needs_supervisor).color(theme::BAD));
    let form = &mut state.supervisor;
    let name_label = ui.label(t.supervisor_name);
    ui.add(egui::TextEdit::singleline(&mut form.name).desired_width(240.0))
        .labelled_by(name_label.id);
    let pin_label = ui.label(t.pin);
    let pin = ui
        .add(
            egui::TextEdit::singleline(&mut form.pin)
                .password(true)
                .desired_width(240.0),
        )
        .labelled_by(pin_label.id);
    let entered = pin.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if ui.button(t.login).clicked() || entered {
        commands.push(Command::Accounts(AccountsCommand::Login {
            name: form.name.trim().to_string(),
            pin: std::mem::take(&mut form.pin),
        }));
    }
}

/// The card's heading (the student's name, or 未找到预约), with the scan held meanwhile beside
/// it: who is next, and how to take them. Beside, not above: the card, the photo and its 保存 /
/// 重拍 buttons must not jump down when a phone shows up behind the student.
fn heading_with_next_up(ui: &mut egui::Ui, state: &AppState, heading: RichText) {
    let Some(next) = &state.operator.next_up else {
        ui.label(heading);
        return;
    };
    let t = state.texts();
    let who = match &next.name {
        Some(Some(name)) => name.clone(),
        Some(None) => format!("{} ({})", t.masked_code(&next.code), t.next_up_unknown),
        None => t.masked_code(&next.code),
    };
    ui.horizontal(|ui| {
        ui.label(heading);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Min), |ui| {
            egui::Frame::new()
                .fill(theme::INFO)
                .inner_margin(egui::Margin::symmetric(8, 2))
                .corner_radius(4.0)
                .show(ui, |ui| {
                    ui.spacing_mut().item_spacing.y = 0.0;
                    ui.vertical(|ui| {
                        ui.add(
                            egui::Label::new(
                                RichText::new(format!("{}：{who}", t.next_up))
                                    .size(18.0)
                                    .strong()
                                    .color(Color32::WHITE),
                            )
                            .wrap(),
                        );
                        ui.add(
                            egui::Label::new(
                                RichText::new(t.next_up_take)
                                    .size(13.0)
                                    .color(Color32::WHITE),
                            )
                            .wrap(),
                        );
                    });
                });
        });
    });
}
