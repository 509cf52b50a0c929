//! Applying the accounts feature's commands, and the store threads' answers to its jobs.

use crate::app::schools::SchoolsStoreJob;
use std::time::Instant;

use crate::app::StationApp;
use crate::app::state::*;
use crate::app::store_worker::jobs::StoreJob;
use crate::store::Permission;
use crate::store::Role as AccountRole;

use super::messages::{AccountsCommand, AccountsStoreEvent, AccountsStoreJob};

impl StationApp {
    pub(in crate::app) fn apply_accounts(&mut self, command: AccountsCommand) {
        let t = self.state.texts();
        match command {
            AccountsCommand::SignIn { name, pin } => {
                self.state.sign_in.busy = true;
                self.state.sign_in.message = None;
                self.send_store(StoreJob::Accounts(AccountsStoreJob::SignIn {
                    name,
                    pin,
                    elevate: false,
                }));
            }
            AccountsCommand::CreateFirstSupervisor {
                name,
                pin,
                pin_again,
            } => {
                if pin != pin_again {
                    self.state.sign_in.message =
                        Some(crate::i18n::Message::texts(|t| t.pins_differ));
                    self.state.sign_in.pin_again.clear();
                    return;
                }
                self.state.sign_in.busy = true;
                self.state.sign_in.message = None;
                self.send_store(StoreJob::Accounts(
                    AccountsStoreJob::CreateFirstSupervisor { name, pin },
                ));
            }
            AccountsCommand::SignOut => {
                if self.refuse_while_unsaved() {
                    return;
                }
                self.sign_out("by_hand");
                self.state.notify(NoticeLevel::Info, t.logged_out);
            }
            AccountsCommand::Login { name, pin } => {
                self.send_store(StoreJob::Accounts(AccountsStoreJob::SignIn {
                    name,
                    pin,
                    elevate: true,
                }));
            }
            AccountsCommand::Logout => {
                if self.refuse_while_unsaved() {
                    return;
                }
                self.sign_out_supervisor("supervisor_left");
                self.state.notify(NoticeLevel::Info, t.logged_out);
            }
            AccountsCommand::LoadUsers => {
                if self.require_supervisor(Permission::ManageUsers).is_some() {
                    self.send_store(StoreJob::Accounts(AccountsStoreJob::LoadUsers));
                }
            }
            AccountsCommand::AddUser { name, role, pin } => {
                if let Some(session) = self.require_supervisor(Permission::ManageUsers) {
                    self.state.supervisor.users.adding = Some(name.clone());
                    self.send_store(StoreJob::Accounts(AccountsStoreJob::AddUser {
                        name,
                        role,
                        pin,
                        session,
                    }));
                }
            }
            AccountsCommand::ResetPin { name, pin } => {
                if let Some(session) = self.require_supervisor(Permission::ManageUsers) {
                    self.state.supervisor.users.reset = None;
                    self.send_store(StoreJob::Accounts(AccountsStoreJob::ResetPin {
                        name,
                        pin,
                        session,
                    }));
                }
            }
            AccountsCommand::CancelPinReset => self.state.supervisor.users.reset = None,
            AccountsCommand::SetAccountDisabled { name, disabled } => {
                if let Some(session) = self.require_supervisor(Permission::ManageUsers) {
                    self.send_store(StoreJob::Accounts(AccountsStoreJob::SetDisabled {
                        name,
                        disabled,
                        session,
                    }));
                }
            }
        }
    }

    pub(in crate::app) fn accounts_answered(&mut self, event: AccountsStoreEvent) {
        let t = self.state.texts();
        match event {
            AccountsStoreEvent::AccountCount(count) => {
                self.state.accounts = Some(count);
                self.accounts_counted(count);
            }
            AccountsStoreEvent::SignedIn { session, elevate } => {
                self.state.sign_in = Default::default();
                self.state.supervisor.pin.clear();
                self.state.last_activity = Instant::now();
                self.state.accounts = Some(self.state.accounts.unwrap_or(0).max(1));
                let name = session.name().to_string();
                if elevate {
                    if session.role() == AccountRole::Supervisor {
                        self.state.elevated = Some(session);
                    } else {
                        // Signed in, but not a supervisor: nothing changes, and the store has
                        // logged the sign-in.
                        self.state.notify(NoticeLevel::Error, t.needs_supervisor);
                        return;
                    }
                } else {
                    self.state.session = Some(session);
                }
                self.update_role();
                self.first_run_signed_in();
                self.state
                    .notify(NoticeLevel::Success, format!("{} {name}", t.logged_in));
                if self.state.role == WindowRole::Supervisor {
                    self.send_store(StoreJob::Schools(SchoolsStoreJob::LoadSchools));
                }
            }
            AccountsStoreEvent::SignInRefused { message, elevate } => {
                self.state.sign_in.busy = false;
                self.state.supervisor.pin.clear();
                self.state.sign_in.pin.clear();
                self.state.sign_in.pin_again.clear();
                // The sign-in screen shows its own message; over the booth, the notice strip.
                if elevate {
                    self.state.notify(NoticeLevel::Error, message);
                } else {
                    self.state.sign_in.message = Some(message);
                }
            }
            AccountsStoreEvent::PinReset { name, users } => {
                self.state.supervisor.users.list = users;
                self.state.notify(
                    NoticeLevel::Success,
                    t.pin_reset_done.replace("{name}", &name),
                );
            }
            AccountsStoreEvent::Users(list) => {
                let users = &mut self.state.supervisor.users;
                let added = users
                    .adding
                    .take()
                    .filter(|name| list.iter().any(|user| user.name == *name));
                users.list = list;
                users.new_name.clear();
                users.new_pin.clear();
                if let Some(name) = added {
                    self.state
                        .notify(NoticeLevel::Success, t.user_added.replace("{name}", &name));
                }
            }
        }
    }
}
