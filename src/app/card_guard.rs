//! Which student the operator's actions land on. The one rule, kept here: a scan never replaces a
//! card the operator is working with. It waits as 下一位 until the operator presses Esc or the
//! photo is saved, and the first student held keeps that place. Every action on a card names
//! the booking that was on screen when the key was pressed or the button drawn; if another card
//! is up by the time it is applied, the action is refused and nothing is written.

use crate::app::capture::CaptureStoreJob;
use std::time::Instant;

use super::StationApp;
use super::state::{CardState, NextUp, NoticeLevel, ShownCard};
use super::store_worker::StoreJob;

impl StationApp {
    /// A capture code read at the operator's screen (camera or wedge scanner), already checked
    /// against the code rules.
    pub(super) fn code_scanned(&mut self, code: String) {
        if self.card_code() == Some(code.as_str()) {
            return;
        }
        if self.card_free_for_scan() {
            self.state.operator.next_up = None;
            self.look_up_code(code);
            return;
        }
        if let Some(next) = &self.state.operator.next_up
            && (next.code == code || next.keeps_its_place())
        {
            // One student waits as 下一位 at a time: the first phone shown keeps its place, a
            // later one is read again once the operator is free.
            return;
        }
        tracing::info!("a scan is held as the next student while the card is in use");
        self.state.operator.next_up = Some(NextUp {
            code: code.clone(),
            name: None,
            captured: false,
        });
        // Only to name the next student; the card stays as it is.
        self.send_store(StoreJob::Capture(CaptureStoreJob::ResolveCode(code)));
    }

    /// Whether a scan may take the card's place now: nothing is on it yet, or its photo was
    /// just saved. A card the operator is looking at (to shoot, to send to the walk-in desk, to
    /// flag, to read a warning) is never swapped under them.
    pub(super) fn card_free_for_scan(&self) -> bool {
        let operator = &self.state.operator;
        match &operator.card {
            CardState::Empty | CardState::Looking(_) => true,
            CardState::Found(card) => {
                card.saved && !operator.shot.holds_unsaved_photo() && !self.countdown_running()
            }
            CardState::Unknown(_) => false,
        }
    }

    fn countdown_running(&self) -> bool {
        self.state.operator.countdown_started.is_some()
    }

    /// The capture code of the card up, or being looked up.
    fn card_code(&self) -> Option<&str> {
        match &self.state.operator.card {
            CardState::Empty => None,
            CardState::Looking(code) | CardState::Unknown(code) => Some(code),
            CardState::Found(card) => card.booking.capture_code.as_deref(),
        }
    }

    /// Puts `code` on the card: looked up now, the shot and search cleared.
    pub(super) fn look_up_code(&mut self, code: String) {
        self.state.screen = super::state::Screen::Operator;
        self.state.operator.card = CardState::Looking(code.clone());
        self.state.operator.scanned_at = Some(Instant::now());
        self.state.operator.search = Default::default();
        self.reset_shot();
        self.send_store(StoreJob::Capture(CaptureStoreJob::ResolveCode(code)));
    }

    /// The held scan takes the card's place (after Esc, or once the photo is saved).
    pub(super) fn take_next_up(&mut self) {
        if let Some(next) = self.state.operator.next_up.take() {
            self.look_up_code(next.code);
        }
    }

    /// The store named a code: the held scan's student (and whether their photo is saved
    /// already), if it is that code.
    pub(super) fn name_next_up(
        &mut self,
        code: &str,
        name: Option<String>,
        captured: bool,
    ) -> bool {
        match &mut self.state.operator.next_up {
            Some(next) if next.code == code => {
                next.name = Some(name);
                next.captured = captured;
                true
            }
            _ => false,
        }
    }

    /// The card as it is drawn now, for the keys pressed before the next frame is drawn.
    pub(super) fn remember_shown_card(&mut self) {
        self.shown_card = match &self.state.operator.card {
            CardState::Found(card) => ShownCard::Booking(card.booking.booking_id.clone()),
            CardState::Unknown(code) => ShownCard::Unknown(code.clone()),
            CardState::Empty | CardState::Looking(_) => ShownCard::Nothing,
        };
    }

    /// The booking on the card now (for tests and the screenshot tour, which act as the
    /// operator would on what is shown).
    pub fn card_booking_id(&self) -> Option<String> {
        self.state
            .card()
            .map(|card| card.booking.booking_id.clone())
    }

    /// The booking the operator saw on the card when the last frame was drawn.
    pub(super) fn shown_booking(&self) -> Option<String> {
        match &self.shown_card {
            ShownCard::Booking(id) => Some(id.clone()),
            _ => None,
        }
    }

    /// Whether the card up is still `booking_id` (`None`: no card). If not, the action meant
    /// for the card the operator saw is refused, with the reason.
    pub(super) fn card_still_is(&mut self, booking_id: Option<&str>) -> bool {
        let current = self
            .state
            .card()
            .map(|card| card.booking.booking_id.as_str());
        if current == booking_id {
            return true;
        }
        tracing::warn!(
            acted_on = ?booking_id,
            card_up = ?current,
            "an action meant for another card was refused"
        );
        let t = self.state.texts();
        self.state.notify(NoticeLevel::Warning, t.card_changed);
        false
    }
}
