//! 学生屏幕: the screen turned toward the student, drawn from
//! [`crate::app::student_view::student_view`]. Large type for reading from two metres, Chinese
//! first with English below, the live view mirrored like a looking glass (the saved photo never
//! is). It takes no input: the student tells the operator, who keeps the keys.

use std::time::Instant;

use egui::{Color32, RichText, Stroke, vec2};

use super::{Textures, theme};
use crate::app::state::{AppState, NoticeLevel};
use crate::app::student_view::{StudentRecord, StudentView, student_view};
use crate::config::StudentScreenMode;
use crate::domain::photo_spec::{EYE_LINE, FACE_WIDTH, HEAD_TOP, HEIGHT, WIDTH};
use crate::i18n::{EN, Texts, ZH};

/// Picks one string out of a language's table, so a line can be shown in both languages.
type TextOf = fn(&Texts) -> &'static str;

/// A calm dark blue: white type on it reads from across the booth, and it does not glare.
const BACKGROUND: Color32 = Color32::from_rgb(0x0d, 0x2a, 0x4a);
const SECONDARY: Color32 = Color32::from_rgb(0xb8, 0xc7, 0xd9);
/// The layout is designed at 1920×1080 and scaled to the window.
const DESIGN: egui::Vec2 = vec2(1920.0, 1080.0);
/// The inset copy's smallest width: below it, the operator's screen leaves it out.
const INSET_MIN_WIDTH: f32 = 160.0;
/// The pose advice's band along the bottom of the operator's live view, which the inset keeps
/// clear of.
pub const ADVICE_BAND: f32 = 40.0;

pub fn viewport_id() -> egui::ViewportId {
    egui::ViewportId::from_hash_of("student-screen")
}

/// Whether the student's screen is shown as an inset on the operator's screen: by the setting,
/// or because there is no second surface (the test harness), where egui would embed the window
/// wherever it fits, over what the operator clicks.
pub fn shows_inset(ctx: &egui::Context, state: &AppState) -> bool {
    match state.student_screen {
        StudentScreenMode::Off => false,
        StudentScreenMode::Inset => true,
        // A laptop alone: the student's screen would open as a window over the operator's.
        StudentScreenMode::Monitor(n) if state.monitors.is_some_and(|count| n > count) => true,
        StudentScreenMode::Window | StudentScreenMode::Monitor(_) => ctx.embed_viewports(),
    }
}

/// Shows the student's screen where the setting says: a window of its own (full screen on a
/// monitor, or placed by the desktop), or nowhere. The inset has a place of its own on the
/// operator's screen ([`inset`]), so that it never covers a field or a button.
pub fn show(ctx: &egui::Context, state: &mut AppState, textures: &mut Textures) {
    let title = state.texts().student_window_title;
    if shows_inset(ctx, state) {
        return;
    }
    match state.student_screen {
        StudentScreenMode::Off | StudentScreenMode::Inset => {}
        StudentScreenMode::Window | StudentScreenMode::Monitor(_) => {
            let mut builder = egui::ViewportBuilder::default()
                .with_title(title)
                .with_inner_size(state.student_window_size);
            if let StudentScreenMode::Monitor(number) = state.student_screen {
                builder = builder.with_monitor(number.saturating_sub(1));
            }
            let closed = ctx.show_viewport_immediate(viewport_id(), builder, |ui, _| {
                egui::CentralPanel::default()
                    .frame(egui::Frame::new().fill(BACKGROUND))
                    .show(ui, |ui| screen(ui, state, textures));
                ui.ctx().input(|i| i.viewport().close_requested())
            });
            if closed {
                // Closing the window is the operator's way to switch it off for this run.
                state.student_screen = StudentScreenMode::Off;
                let text = state.texts().student_screen_closed;
                state.notify(NoticeLevel::Info, text);
            }
        }
    }
}

/// A small copy of the student's screen, over the corner of the live view that the crop guide
/// leaves free: its own place, never over a field or a button.
pub fn inset(
    ui: &mut egui::Ui,
    live_view: egui::Rect,
    guide: egui::Rect,
    state: &AppState,
    textures: &mut Textures,
) {
    let t = state.texts();
    let margin = 8.0;
    // Beside the guide, above the pose advice along the live view's bottom.
    let width = (guide.left() - live_view.left() - 2.0 * margin).min(live_view.width() * 0.4);
    if width < INSET_MIN_WIDTH {
        return;
    }
    let size = vec2(width, width * DESIGN.y / DESIGN.x);
    let rect = egui::Rect::from_min_size(
        egui::pos2(
            live_view.left() + margin,
            live_view.bottom() - ADVICE_BAND - margin - size.y,
        ),
        size,
    );
    if rect.top() < live_view.top() + margin {
        return;
    }
    // A window pinned exactly there: screen readers (and the tests) find it as the student's
    // window, as when it has a screen of its own.
    egui::Window::new(t.student_window_title)
        .title_bar(false)
        .frame(egui::Frame::NONE.stroke(Stroke::new(1.0, SECONDARY)))
        .fixed_pos(rect.min)
        .fixed_size(size)
        .resizable(false)
        .movable(false)
        .collapsible(false)
        .show(ui.ctx(), |ui| {
            let (area, _) = ui.allocate_exact_size(size, egui::Sense::hover());
            let mut child = ui.new_child(egui::UiBuilder::new().max_rect(area));
            screen(&mut child, state, textures);
        });
}

/// The student's screen filling the whole window (the screenshot tour of the student's screen).
pub fn fill(ui: &mut egui::Ui, state: &AppState, textures: &mut Textures) {
    egui::CentralPanel::default()
        .frame(egui::Frame::new().fill(BACKGROUND))
        .show(ui, |ui| screen(ui, state, textures));
}

/// The student's screen in the space `ui` has.
fn screen(ui: &mut egui::Ui, state: &AppState, textures: &mut Textures) {
    let area = ui.max_rect();
    ui.painter().rect_filled(area, 0.0, BACKGROUND);
    let scale = (area.width() / DESIGN.x).min(area.height() / DESIGN.y);
    let view = student_view(state, Instant::now());
    let ui = &mut ui.new_child(
        egui::UiBuilder::new()
            .max_rect(area.shrink(24.0 * scale))
            .layout(egui::Layout::top_down(egui::Align::Center)),
    );
    ui.spacing_mut().item_spacing = vec2(8.0 * scale, 6.0 * scale);
    match view {
        StudentView::Waiting => waiting(ui, scale),
        StudentView::PleaseWait => centred(ui, scale, |t| t.student_wait, true),
        StudentView::Processing => centred(ui, scale, |t| t.student_processing, true),
        StudentView::Thanks => centred(ui, scale, |t| t.student_thanks, false),
        StudentView::Record(record) => record_screen(ui, scale, &record, textures),
        StudentView::Countdown(seconds) => countdown(ui, scale, seconds, textures),
        StudentView::Result { shot_id, photo } => {
            result(ui, scale, textures.shot(ui.ctx(), shot_id, photo))
        }
    }
}

/// Smallest English line, in design pixels (1920×1080): 24 px on a 1366×768 screen, readable
/// from two metres.
const MIN_ENGLISH: f32 = 34.0;

/// A line in Chinese at `size` (design pixels), and the same in English below it, smaller but
/// never small.
fn both(
    ui: &mut egui::Ui,
    text: impl Fn(&Texts) -> &'static str,
    size: f32,
    scale: f32,
    colour: Color32,
) {
    ui.label(RichText::new(text(&ZH)).size(size * scale).color(colour));
    let english = (size * 0.5).max(MIN_ENGLISH) * scale;
    ui.label(RichText::new(text(&EN)).size(english).color(SECONDARY));
}

fn centred(ui: &mut egui::Ui, scale: f32, text: impl Fn(&Texts) -> &'static str, spinner: bool) {
    ui.add_space(ui.available_height() * 0.3);
    if spinner {
        ui.add(
            egui::Spinner::new()
                .size(80.0 * scale)
                .color(Color32::WHITE),
        );
    }
    both(ui, text, 110.0, scale, Color32::WHITE);
}

/// Where to hold the phone: the camera above, the phone's screen toward it, then the words.
fn waiting(ui: &mut egui::Ui, scale: f32) {
    let (rect, _) = ui.allocate_exact_size(
        vec2(ui.available_width(), 500.0 * scale),
        egui::Sense::hover(),
    );
    let painter = ui.painter();
    let centre = rect.center_top();
    let camera =
        egui::Rect::from_center_size(centre + vec2(0.0, 70.0 * scale), vec2(180.0, 90.0) * scale);
    painter.rect_filled(camera, 16.0 * scale, Color32::from_gray(60));
    painter.circle_filled(camera.center(), 30.0 * scale, Color32::from_gray(20));
    painter.circle_stroke(
        camera.center(),
        30.0 * scale,
        Stroke::new(4.0 * scale, SECONDARY),
    );
    let phone = egui::Rect::from_center_size(
        centre + vec2(0.0, 330.0 * scale),
        vec2(190.0, 300.0) * scale,
    );
    let arrow_from = phone.center_top() - vec2(0.0, 12.0 * scale);
    let arrow_to = camera.center_bottom() + vec2(0.0, 12.0 * scale);
    painter.arrow(
        arrow_from,
        arrow_to - arrow_from,
        Stroke::new(6.0 * scale, theme::GUIDE),
    );
    painter.rect_filled(phone, 24.0 * scale, Color32::from_gray(25));
    let screen = phone.shrink(16.0 * scale);
    painter.rect_filled(screen, 8.0 * scale, Color32::WHITE);
    // A QR-like pattern: three finder squares and some modules, enough to say "this code".
    let code = egui::Rect::from_center_size(screen.center(), vec2(130.0, 130.0) * scale);
    let module = code.width() / 13.0;
    for (col, row) in [(0.0, 0.0), (8.0, 0.0), (0.0, 8.0)] {
        let finder =
            egui::Rect::from_min_size(code.min + vec2(col, row) * module, vec2(5.0, 5.0) * module);
        painter.rect_filled(finder, 0.0, Color32::BLACK);
        painter.rect_filled(finder.shrink(module), 0.0, Color32::WHITE);
        painter.rect_filled(finder.shrink(2.0 * module), 0.0, Color32::BLACK);
    }
    for (col, row) in [
        (6, 1),
        (7, 3),
        (9, 6),
        (11, 7),
        (6, 9),
        (8, 11),
        (10, 10),
        (12, 12),
    ] {
        let cell = egui::Rect::from_min_size(
            code.min + vec2(col as f32, row as f32) * module,
            vec2(module, module),
        );
        painter.rect_filled(cell, 0.0, Color32::BLACK);
    }
    both(ui, |t| t.student_show_code, 110.0, scale, Color32::WHITE);
    ui.add_space(12.0 * scale);
    both(ui, |t| t.student_hold_phone, 48.0, scale, Color32::WHITE);
}

/// The record to check on the left; the framing view and the pose advice on the right.
fn record_screen(
    ui: &mut egui::Ui,
    scale: f32,
    record: &StudentRecord<'_>,
    textures: &mut Textures,
) {
    let full = ui.max_rect();
    let split = full.left() + full.width() * 0.55;
    let left = egui::Rect::from_min_max(full.min, egui::pos2(split - 16.0 * scale, full.bottom()));
    let right = egui::Rect::from_min_max(egui::pos2(split, full.top()), full.max);
    let mut details = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(left)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    details_column(&mut details, scale, record);
    let mut framing = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(right)
            .layout(egui::Layout::top_down(egui::Align::Center)),
    );
    if record.framing {
        framing_view(&mut framing, scale, textures, None);
        advice(&mut framing, scale, record);
    } else {
        framing.add_space(right.height() * 0.3);
        both(
            &mut framing,
            |t| t.student_wait,
            80.0,
            scale,
            Color32::WHITE,
        );
    }
}

fn details_column(ui: &mut egui::Ui, scale: f32, record: &StudentRecord<'_>) {
    ui.label(
        RichText::new(format!(
            "{} / {}",
            ZH.student_check_details, EN.student_check_details
        ))
        .size(40.0 * scale)
        .color(SECONDARY),
    );
    ui.add_space(8.0 * scale);
    ui.add(
        egui::Label::new(
            RichText::new(record.name)
                .size(120.0 * scale)
                .color(Color32::WHITE),
        )
        .wrap(),
    );
    ui.add_space(16.0 * scale);
    let rows: [(TextOf, Option<&str>); 5] = [
        (|t| t.school, Some(record.school)),
        (|t| t.department, record.department),
        (|t| t.major, record.major),
        (|t| t.level, record.level),
        (|t| t.id_number, record.masked_id.as_deref()),
    ];
    // Label beside value, so that the whole record and the advice fit at 1366×768.
    egui::Grid::new("student-record")
        .num_columns(2)
        .spacing(vec2(24.0 * scale, 14.0 * scale))
        .show(ui, |ui| {
            for (label, value) in rows {
                let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
                    continue;
                };
                ui.vertical(|ui| {
                    ui.spacing_mut().item_spacing.y = 0.0;
                    for (text, size) in [(label(&ZH), 40.0), (label(&EN), MIN_ENGLISH)] {
                        ui.add(
                            egui::Label::new(
                                RichText::new(text).size(size * scale).color(SECONDARY),
                            )
                            .extend(),
                        );
                    }
                });
                ui.add(
                    egui::Label::new(
                        RichText::new(value)
                            .size(56.0 * scale)
                            .color(Color32::WHITE),
                    )
                    .wrap(),
                );
                ui.end_row();
            }
        });
    ui.add_space(16.0 * scale);
    let (fill, text): (Color32, TextOf) = if record.disputed {
        (theme::BAD, |t| t.student_details_flagged)
    } else {
        (theme::WARN, |t| t.student_details_wrong)
    };
    egui::Frame::new()
        .fill(fill)
        .corner_radius(8.0 * scale)
        .inner_margin(16.0 * scale)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            both(ui, text, 52.0, scale, Color32::WHITE);
        });
}

/// Under the framing view: what to fix, in large type, or that the pose is fine.
fn advice(ui: &mut egui::Ui, scale: f32, record: &StudentRecord<'_>) {
    match record.guidance {
        None => both(ui, |t| t.student_look_here, 64.0, scale, Color32::WHITE),
        Some(guidance) if guidance.ready() => {
            both(ui, |t| t.student_pose_ok, 64.0, scale, theme::GUIDE)
        }
        Some(guidance) => {
            for hint in guidance.hints.iter().take(2) {
                use crate::config::Language;
                use crate::i18n::checks::hint_text;
                ui.label(
                    RichText::new(hint_text(hint, Language::Chinese))
                        .size(64.0 * scale)
                        .color(theme::GUIDE),
                );
                ui.label(
                    RichText::new(hint_text(hint, Language::English))
                        .size(MIN_ENGLISH * scale)
                        .color(SECONDARY),
                );
            }
        }
    }
}

/// The part of the live view the crop guide covers, mirrored so that moving left moves left,
/// with the head outline and the eye line where the spec wants them.
fn framing_view(ui: &mut egui::Ui, scale: f32, textures: &mut Textures, big_number: Option<u64>) {
    let room = vec2(ui.available_width(), ui.available_height() - 190.0 * scale);
    let height = room.y.min(room.x * HEIGHT as f32 / WIDTH as f32).max(60.0);
    let size = vec2(height * WIDTH as f32 / HEIGHT as f32, height);
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let painter = ui.painter();
    match &textures.preview {
        Some(texture) => {
            // The operator's crop guide: 92% of the frame's height, 3:4, centred.
            let frame = texture.size_vec2();
            let guide_height = 0.92;
            let guide_width = guide_height * frame.y * WIDTH as f32 / HEIGHT as f32 / frame.x;
            let (left, right) = (0.5 - guide_width / 2.0, 0.5 + guide_width / 2.0);
            let mirrored = egui::Rect::from_min_max(
                egui::pos2(right, 0.5 - guide_height / 2.0),
                egui::pos2(left, 0.5 + guide_height / 2.0),
            );
            egui::Image::new(texture).uv(mirrored).paint_at(ui, rect);
        }
        None => {
            painter.rect_filled(rect, 8.0, Color32::from_gray(40));
        }
    }
    let y = |spec_y: f32| rect.top() + spec_y / HEIGHT as f32 * rect.height();
    let x_scale = rect.width() / WIDTH as f32;
    let head_top = (HEAD_TOP.min + HEAD_TOP.max) / 2.0;
    let eyes = (EYE_LINE.min + EYE_LINE.max) / 2.0;
    let face_half = (FACE_WIDTH.min + FACE_WIDTH.max) / 4.0;
    // Eyes sit about halfway down a head, so the chin is as far below them as the crown is above.
    let outline = Stroke::new(4.0 * scale.max(0.5), theme::GUIDE);
    painter.add(egui::Shape::ellipse_stroke(
        egui::pos2(rect.center().x, y(eyes)),
        vec2(face_half * 1.1 * x_scale, y(eyes) - y(head_top)),
        outline,
    ));
    painter.add(egui::Shape::dashed_line(
        &[
            egui::pos2(rect.left(), y(eyes)),
            egui::pos2(rect.right(), y(eyes)),
        ],
        outline,
        18.0 * scale,
        12.0 * scale,
    ));
    // In a corner, so that the student still sees their own face while it counts.
    if let Some(number) = big_number {
        let radius = rect.height() * 0.13;
        let badge = egui::Rect::from_center_size(
            rect.right_top() + vec2(-radius - 12.0 * scale, radius + 12.0 * scale),
            vec2(2.0 * radius, 2.0 * radius),
        );
        painter.circle_filled(
            badge.center(),
            radius,
            Color32::from_rgba_unmultiplied(13, 42, 74, 220),
        );
        // In a child of its own: placing it with `put` moved the layout's cursor there, and the
        // caption below the view was drawn over the student's face.
        let mut digit = ui.new_child(egui::UiBuilder::new().max_rect(badge).layout(
            egui::Layout::centered_and_justified(egui::Direction::TopDown),
        ));
        digit.label(
            RichText::new(number.to_string())
                .size(radius * 1.5)
                .color(Color32::WHITE),
        );
    }
}

fn countdown(ui: &mut egui::Ui, scale: f32, seconds: u64, textures: &mut Textures) {
    framing_view(ui, scale, textures, Some(seconds));
    both(ui, |t| t.student_look_here, 64.0, scale, Color32::WHITE);
}

/// The photo as it will be saved (not mirrored), and the question.
fn result(ui: &mut egui::Ui, scale: f32, photo: egui::TextureHandle) {
    let full = ui.max_rect();
    let height = (full.height() * 0.95).min(HEIGHT as f32 * 1.5 * scale.max(0.25));
    let size = vec2(height * WIDTH as f32 / HEIGHT as f32, height);
    let photo_rect = egui::Rect::from_min_size(
        egui::pos2(full.left() + full.width() * 0.08, full.top()),
        size,
    );
    ui.put(photo_rect, egui::Image::new(&photo).fit_to_exact_size(size));
    let words = egui::Rect::from_min_max(
        egui::pos2(photo_rect.right() + 48.0 * scale, full.top()),
        full.max,
    );
    let mut column = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(words)
            .layout(egui::Layout::top_down(egui::Align::Center)),
    );
    column.add_space(words.height() * 0.25);
    both(
        &mut column,
        |t| t.student_happy,
        120.0,
        scale,
        Color32::WHITE,
    );
    column.add_space(24.0 * scale);
    both(
        &mut column,
        |t| t.student_tell_staff,
        52.0,
        scale,
        Color32::WHITE,
    );
}
