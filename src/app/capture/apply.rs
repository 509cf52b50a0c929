//! Applying the capture feature's commands, and the store threads' answers to its jobs.

use crate::app::StationApp;
use crate::app::state::*;
use crate::app::store_worker::jobs::StoreJob;

use super::messages::{CaptureCommand, CaptureStoreEvent, CaptureStoreJob};

impl StationApp {
    pub(in crate::app) fn apply_capture(&mut self, command: CaptureCommand) {
        let _t = self.state.texts();
        match command {
            CaptureCommand::Capture { booking_id } => {
                if self.card_still_is(booking_id.as_deref()) {
                    self.capture();
                }
            }
            CaptureCommand::Accept {
                booking_id,
                override_checks,
            } => {
                if self.card_still_is(booking_id.as_deref()) {
                    self.accept(override_checks);
                }
            }
            CaptureCommand::ArmOverride(armed) => {
                if let ShotState::Ready { override_armed, .. } = &mut self.state.operator.shot {
                    *override_armed = armed;
                }
            }
            CaptureCommand::Retake => {
                if !matches!(
                    &self.state.operator.shot,
                    ShotState::Ready { saving: true, .. }
                ) {
                    self.reset_shot();
                }
            }
            CaptureCommand::Nudge {
                right,
                down,
                zoom_in,
            } => self.nudge(right, down, zoom_in),
            CaptureCommand::ResolveCode(code) => {
                let code = match self.config.capture_code_rules.validate(&code) {
                    Ok(code) => code.as_str().to_string(),
                    Err(error) => {
                        self.state
                            .notify(NoticeLevel::Error, crate::i18n::Message::of(&error));
                        return;
                    }
                };
                self.code_scanned(code);
            }
            CaptureCommand::OpenSearch => {
                self.state.screen = Screen::Operator;
                self.state.operator.search.open = true;
                self.state.operator.search.focus_requested = true;
            }
            CaptureCommand::Search {
                query,
                for_supervisor,
            } => {
                let search = if for_supervisor {
                    &mut self.state.supervisor.search
                } else {
                    &mut self.state.operator.search
                };
                search.generation += 1;
                search.query = query.clone();
                let generation = search.generation;
                if query.trim().is_empty() {
                    search.results.clear();
                    return;
                }
                self.send_store(StoreJob::Capture(CaptureStoreJob::Search {
                    query,
                    generation,
                    for_supervisor,
                }));
            }
            CaptureCommand::OpenBooking(id) => {
                if self.refuse_while_unsaved() {
                    return;
                }
                self.state.screen = Screen::Operator;
                self.send_store(StoreJob::Capture(CaptureStoreJob::OpenBooking(id)));
            }
            CaptureCommand::ClearCard => {
                if self.state.operator.search.open {
                    self.state.operator.search = Default::default();
                } else if self.state.operator.shot.holds_unsaved_photo() {
                    let text = self.unsaved_photo_text();
                    self.state.notify(NoticeLevel::Warning, text);
                } else {
                    self.state.operator.card = CardState::Empty;
                    self.reset_shot();
                    // "已识别 X" must not stay up once X's card is gone.
                    self.state.clear_card_notice();
                    self.take_next_up();
                }
            }
        }
    }

    pub(in crate::app) fn capture_answered(&mut self, event: CaptureStoreEvent) {
        let t = self.state.texts();
        match event {
            CaptureStoreEvent::CodeResolved { code, card } => {
                let name = card.as_ref().map(|card| card.booking.student.name.clone());
                let form = &mut self.state.walk_in;
                if form.capture_code == code
                    && let Some(filled) = &mut form.code_from_camera
                {
                    filled.owner = Some(name.clone());
                }
                let captured = card.as_ref().is_some_and(|card| {
                    card.booking.status == crate::domain::BookingStatus::Captured.as_str()
                });
                if self.name_next_up(&code, name, captured) {
                    return;
                }
                let waiting =
                    matches!(&self.state.operator.card, CardState::Looking(c) if *c == code);
                if !waiting {
                    return;
                }
                if let Some(at) = self.state.operator.scanned_at.take() {
                    let card_ms = at.elapsed().as_secs_f64() * 1000.0;
                    self.state.operator.card_latency_ms = Some(card_ms);
                    tracing::info!(card_ms, "scan to card");
                }
                // The save just made is confirmed beside the next student's name.
                let saved = match self.state.operator.just_saved.take() {
                    Some(name) => format!("{} {name} · ", t.saved),
                    None => String::new(),
                };
                self.state.operator.card = match card {
                    Some(card) => {
                        self.state.notify(
                            NoticeLevel::Success,
                            format!("{saved}{} {}", t.found, card.booking.student.name),
                        );
                        CardState::Found(card)
                    }
                    None => {
                        self.state
                            .notify(NoticeLevel::Warning, format!("{saved}{}", t.no_booking));
                        CardState::Unknown(code)
                    }
                };
            }
            CaptureStoreEvent::SearchResults {
                generation,
                for_supervisor,
                hits,
            } => {
                let search = if for_supervisor {
                    &mut self.state.supervisor.search
                } else {
                    &mut self.state.operator.search
                };
                if search.generation == generation {
                    search.results = hits;
                }
            }
            CaptureStoreEvent::CardLoaded(card) => {
                // The message names the student now on the card, never the one before.
                self.state.notify(
                    NoticeLevel::Info,
                    format!("{} {}", t.card_opened, card.booking.student.name),
                );
                self.state.operator.card = CardState::Found(card);
                self.state.operator.search = Default::default();
                self.reset_shot();
            }
            CaptureStoreEvent::CaptureSaved { booking_id } => {
                if let ShotState::Ready { shot_id, image, .. } =
                    std::mem::replace(&mut self.state.operator.shot, ShotState::None)
                {
                    self.state.operator.shot = ShotState::Saved { shot_id, image };
                }
                self.shot_frame = None;
                self.shot_original = None;
                if let CardState::Found(card) = &mut self.state.operator.card
                    && card.booking.booking_id == booking_id
                {
                    card.booking.status =
                        crate::domain::BookingStatus::Captured.as_str().to_string();
                    card.booking.retake_approved = false;
                    card.saved = true;
                    let name = card.booking.student.name.clone();
                    self.state
                        .notify(NoticeLevel::Success, format!("{} {name}", t.saved));
                    if self.state.operator.next_up.is_some() {
                        self.state.operator.just_saved = Some(name);
                    }
                }
                self.take_next_up();
            }
        }
    }
}
