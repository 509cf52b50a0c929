//! Applying the walk_in_desk feature's commands, and the store threads' answers to its jobs.

use crate::app::schools::SchoolsStoreJob;

use chrono::Local;

use crate::app::StationApp;
use crate::app::command::Command;
use crate::app::state::*;
use crate::app::store_worker::jobs::StoreJob;
use crate::app::walk_in;

use super::messages::{WalkInCommand, WalkInStoreEvent, WalkInStoreJob};

impl StationApp {
    pub(in crate::app) fn apply_walk_in_desk(&mut self, command: WalkInCommand) {
        let t = self.state.texts();
        match command {
            WalkInCommand::StartWalkIn { capture_code } => {
                let mut form = crate::app::state::WalkInForm::new(
                    self.config.walk_in_amount_fen,
                    self.config.walk_in_payment,
                );
                form.capture_code = capture_code.unwrap_or_default();
                self.state.walk_in = form;
                self.apply(Command::Show(Screen::WalkIn));
            }
            WalkInCommand::SaveWalkIn => {
                // The saved walk-in takes the operator's card: never over a photo not saved yet.
                if self.refuse_while_unsaved() {
                    return;
                }
                let today = Local::now().date_naive();
                match walk_in::validate(&self.state.walk_in, today, &self.config.capture_code_rules)
                {
                    Ok(booking) => {
                        let Some(session) = self.require_session() else {
                            return;
                        };
                        let form = &mut self.state.walk_in;
                        let known = !self.state.supervisor.schools_loaded
                            || self
                                .state
                                .supervisor
                                .schools
                                .iter()
                                .any(|school| school.name == booking.school);
                        if !known
                            && form.new_school_confirmed.as_deref() != Some(booking.school.as_str())
                        {
                            form.school_unknown = true;
                            form.error =
                                Some(t.walk_in_new_school.replace("{school}", &booking.school));
                            return;
                        }
                        let form = &mut self.state.walk_in;
                        form.school_unknown = false;
                        self.state.walk_in.error = None;
                        self.state.walk_in.saving = true;
                        self.send_store(StoreJob::WalkIn(WalkInStoreJob::CreateWalkIn {
                            booking: Box::new(booking),
                            session,
                        }));
                    }
                    Err(problems) => {
                        let text = problems
                            .iter()
                            .map(|p| t.word(&p.problem))
                            .collect::<Vec<_>>()
                            .join(t.list_separator);
                        self.state.walk_in.error = Some(text);
                    }
                }
            }
            WalkInCommand::ConfirmNewSchool => {
                self.state.walk_in.new_school_confirmed =
                    Some(self.state.walk_in.school.trim().to_string());
                self.apply(Command::WalkIn(WalkInCommand::SaveWalkIn));
            }
        }
    }

    pub(in crate::app) fn walk_in_desk_answered(&mut self, event: WalkInStoreEvent) {
        let t = self.state.texts();
        match event {
            WalkInStoreEvent::WalkInCreated(card) => {
                self.state.notify(
                    NoticeLevel::Success,
                    format!("{} {}", t.walk_in_saved, card.booking.student.name),
                );
                self.state.walk_in = crate::app::state::WalkInForm::new(
                    self.config.walk_in_amount_fen,
                    self.config.walk_in_payment,
                );
                self.state.operator.card = CardState::Found(card);
                self.reset_shot();
                self.state.screen = Screen::Operator;
                // A school confirmed as new is known from now on.
                self.send_store(StoreJob::Schools(SchoolsStoreJob::LoadSchools));
            }
            WalkInStoreEvent::WalkInCodeTaken { owner } => {
                let form = &mut self.state.walk_in;
                form.saving = false;
                // Beside the form it belongs to, until the next save.
                form.error = Some(t.walk_in_code_taken.replace("{name}", &owner));
            }
            WalkInStoreEvent::WalkInDuplicate(card) => {
                self.state.walk_in.saving = false;
                self.state.notify(
                    NoticeLevel::Warning,
                    format!("{} {}", t.walk_in_duplicate, card.booking.student.name),
                );
                self.state.operator.card = CardState::Found(card);
                self.reset_shot();
                self.state.screen = Screen::Operator;
            }
        }
    }
}
