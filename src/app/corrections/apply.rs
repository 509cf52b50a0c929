//! Applying the corrections feature's commands, and the store threads' answers to its jobs.

use crate::app::capture::CaptureCommand;
use crate::domain::correction::correction_reason;

use chrono::Local;

use crate::app::StationApp;
use crate::app::command::Command;
use crate::app::state::*;
use crate::app::store_worker::jobs::StoreJob;
use crate::store::Permission;

use super::messages::{CorrectionsCommand, CorrectionsStoreEvent, CorrectionsStoreJob};

impl StationApp {
    pub(in crate::app) fn apply_corrections(&mut self, command: CorrectionsCommand) {
        let _t = self.state.texts();
        match command {
            CorrectionsCommand::SelectForCorrection(id) => {
                if self
                    .require_supervisor(Permission::CorrectIdentity)
                    .is_some()
                {
                    self.send_store(StoreJob::Corrections(
                        CorrectionsStoreJob::SelectForCorrection(id),
                    ));
                }
            }
            CorrectionsCommand::Correct {
                booking_id,
                field,
                value,
                reason,
                confirmed_after_capture,
            } => {
                let Some(session) = self.require_supervisor(Permission::CorrectIdentity) else {
                    return;
                };
                let today = Local::now().date_naive();
                let checked = field
                    .validate(&value, today)
                    .and_then(|value| Ok((value, correction_reason(&reason)?)));
                match checked {
                    Ok((value, reason)) => {
                        self.send_store(StoreJob::Corrections(CorrectionsStoreJob::Correct {
                            booking_id,
                            field,
                            value,
                            reason,
                            confirmed: confirmed_after_capture,
                            session,
                        }));
                    }
                    Err(error) => {
                        self.state.supervisor.correction_error =
                            Some(crate::i18n::Message::of(&error))
                    }
                }
            }
            CorrectionsCommand::ApproveRetake { booking_id } => {
                if let Some(session) = self.require_supervisor(Permission::ApproveRetake) {
                    self.send_store(StoreJob::Corrections(CorrectionsStoreJob::ApproveRetake {
                        booking_id,
                        session,
                    }));
                }
            }
            CorrectionsCommand::FlagDetails { booking_id } => {
                if !self.card_still_is(Some(&booking_id)) {
                    return;
                }
                if self
                    .state
                    .card()
                    .is_some_and(|c| c.booking.details_disputed)
                {
                    return;
                }
                if let Some(session) = self.require_session() {
                    self.state.operator.countdown_started = None;
                    self.send_store(StoreJob::Corrections(CorrectionsStoreJob::FlagDetails {
                        booking_id,
                        session,
                    }));
                }
            }
            CorrectionsCommand::OverrideDispute { booking_id } => {
                if !self.card_still_is(Some(&booking_id)) {
                    return;
                }
                if let Some(session) = self.require_supervisor(Permission::CorrectIdentity) {
                    self.send_store(StoreJob::Corrections(
                        CorrectionsStoreJob::OverrideDispute {
                            booking_id,
                            session,
                        },
                    ));
                }
            }
            CorrectionsCommand::CorrectDisputed { booking_id } => {
                if !self.card_still_is(Some(&booking_id)) {
                    return;
                }
                if let Some(card) = self.state.card() {
                    let booking = card.booking.clone();
                    if self
                        .state
                        .supervisor
                        .selected
                        .as_ref()
                        .map(|b| &b.booking_id)
                        != Some(&booking.booking_id)
                    {
                        self.state.supervisor.history.clear();
                        self.state.supervisor.correction = Default::default();
                    }
                    self.state.supervisor.selected = Some(booking);
                }
                self.state.supervisor.tab = SupervisorTab::Corrections;
                self.apply(Command::Show(Screen::Supervisor));
            }
            CorrectionsCommand::OverrideWindow { booking_id } => {
                if !self.card_still_is(Some(&booking_id)) {
                    return;
                }
                let Some(session) = self.require_supervisor(Permission::OverrideChecks) else {
                    return;
                };
                if let CardState::Found(card) = &mut self.state.operator.card {
                    card.window_overridden = true;
                    let booking_id = card.booking.booking_id.clone();
                    // The exception is audited like every other supervisor decision.
                    self.send_store(StoreJob::RecordEvent {
                        kind: "window_overridden",
                        subject: booking_id,
                        session,
                    });
                }
            }
        }
    }

    pub(in crate::app) fn corrections_answered(&mut self, event: CorrectionsStoreEvent) {
        let t = self.state.texts();
        match event {
            CorrectionsStoreEvent::Corrected {
                booking,
                history,
                outcome,
            } => {
                let reexport = matches!(
                    outcome,
                    crate::store::CorrectionOutcome::Corrected {
                        photo_needs_reexport: true
                    }
                );
                let message = match outcome {
                    crate::store::CorrectionOutcome::Unchanged => {
                        t.correction_unchanged.to_string()
                    }
                    _ if reexport => format!("{} {}", t.correction_saved, t.photo_reexport),
                    _ => t.correction_saved.to_string(),
                };
                self.state.notify(NoticeLevel::Success, message);
                self.refresh_card_if(&booking.booking_id);
                self.state.supervisor.selected = Some(*booking);
                self.state.supervisor.history = history;
                self.state.supervisor.correction = Default::default();
                // The list beside the form shows the record as it is now (王萍, not 王平).
                let query = self.state.supervisor.search.query.clone();
                if !query.trim().is_empty() {
                    self.apply(Command::Capture(CaptureCommand::Search {
                        query,
                        for_supervisor: true,
                    }));
                }
            }
            CorrectionsStoreEvent::Selected { booking, history } => {
                self.state.supervisor.correction = Default::default();
                self.state.supervisor.selected = Some(*booking);
                self.state.supervisor.history = history;
            }
            CorrectionsStoreEvent::RetakeApproved(card) => {
                self.state.notify(
                    NoticeLevel::Success,
                    format!("{} {}", t.retake_approved, card.booking.student.name),
                );
                if let Some(selected) = &mut self.state.supervisor.selected
                    && selected.booking_id == card.booking.booking_id
                {
                    *selected = card.booking.clone();
                }
                if matches!(&self.state.operator.card, CardState::Found(c) if c.booking.booking_id == card.booking.booking_id)
                {
                    self.state.operator.card = CardState::Found(card);
                }
            }
            CorrectionsStoreEvent::DetailsFlagged { card, history } => {
                self.state.notify(NoticeLevel::Warning, t.details_flagged);
                // The supervisor's correction screen opens on this student, whoever signs in.
                self.state.supervisor.selected = Some(card.booking.clone());
                self.state.supervisor.history = history;
                self.state.supervisor.correction = Default::default();
                self.state.supervisor.tab = SupervisorTab::Corrections;
                self.replace_card(*card);
            }
            CorrectionsStoreEvent::DisputeOverridden(card) => {
                self.state
                    .notify(NoticeLevel::Success, t.dispute_overridden);
                if let Some(selected) = &mut self.state.supervisor.selected
                    && selected.booking_id == card.booking.booking_id
                {
                    *selected = card.booking.clone();
                }
                self.replace_card(*card);
            }
        }
    }
}
