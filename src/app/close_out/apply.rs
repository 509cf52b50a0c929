//! Applying the close_out feature's commands, and the store threads' answers to its jobs.

use crate::app::StationApp;
use crate::app::state::*;
use crate::app::store_worker::jobs::StoreJob;
use crate::store::Permission;

use super::messages::{CloseOutCommand, CloseOutStoreEvent, CloseOutStoreJob};

impl StationApp {
    pub(in crate::app) fn apply_close_out(&mut self, command: CloseOutCommand) {
        let _t = self.state.texts();
        match command {
            CloseOutCommand::PreviewClose { school } => {
                if self.require_supervisor(Permission::CloseOut).is_some() {
                    self.state.supervisor.close_out.school = school.clone();
                    let calendar = Box::new(self.config.holidays.clone());
                    self.send_store(StoreJob::CloseOut(CloseOutStoreJob::PreviewClose {
                        school: school.clone(),
                        calendar,
                    }));
                    self.send_store(StoreJob::CloseOut(CloseOutStoreJob::LoadRefunds { school }));
                }
            }
            CloseOutCommand::CloseSession { school, force } => {
                if let Some(session) = self.require_supervisor(Permission::CloseOut) {
                    let calendar = Box::new(self.config.holidays.clone());
                    self.send_store(StoreJob::CloseOut(CloseOutStoreJob::CloseSession {
                        school,
                        force,
                        calendar,
                        session,
                    }));
                }
            }
            CloseOutCommand::MarkRefunded {
                order_no,
                reference,
            } => {
                if let Some(session) = self.require_supervisor(Permission::MarkRefund) {
                    let school = self.state.supervisor.close_out.school.clone();
                    self.state.supervisor.close_out.references.remove(&order_no);
                    self.send_store(StoreJob::CloseOut(CloseOutStoreJob::MarkRefunded {
                        school,
                        order_no,
                        reference,
                        session,
                    }));
                }
            }
            CloseOutCommand::WriteRefundList { school } => {
                if let Some(session) = self.require_supervisor(Permission::Export) {
                    self.send_store(StoreJob::CloseOut(CloseOutStoreJob::WriteRefundList {
                        school,
                        session,
                    }));
                }
            }
        }
    }

    pub(in crate::app) fn close_out_answered(&mut self, event: CloseOutStoreEvent) {
        let t = self.state.texts();
        match event {
            CloseOutStoreEvent::ClosePreviewed(preview) => {
                self.state.supervisor.close_out.preview = Some(*preview);
                self.state.supervisor.close_out.outcome = None;
            }
            CloseOutStoreEvent::Closed(outcome) => {
                let text = format!(
                    "{} {} · {} {}",
                    t.closed,
                    outcome.cancelled,
                    t.refund_total,
                    crate::domain::money::format_yuan(outcome.refund_total_fen)
                );
                self.state.notify(NoticeLevel::Success, text);
                let school = outcome.school.clone();
                let close_out = &mut self.state.supervisor.close_out;
                close_out.outcome = Some(*outcome);
                close_out.preview = None;
                close_out.force = false;
                self.send_store(StoreJob::CloseOut(CloseOutStoreJob::LoadRefunds { school }));
            }
            CloseOutStoreEvent::Refunds { rows, summary } => {
                let close_out = &mut self.state.supervisor.close_out;
                close_out.refunds = rows;
                close_out.summary = summary;
            }
        }
    }
}
