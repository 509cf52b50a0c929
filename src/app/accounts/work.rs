//! The accounts feature's store jobs, answered on the store threads.

use anyhow::Result;

use crate::app::store_worker::jobs::{StoreEvent, StoreSetup};
use crate::i18n::Message;
use crate::station;
use crate::store::{Store, StoreError};

use super::messages::{AccountsStoreEvent, AccountsStoreJob};

/// Answers one job of the feature.
pub(in crate::app) fn handle(
    store: &mut Store,
    setup: &StoreSetup,
    job: AccountsStoreJob,
) -> Result<StoreEvent> {
    Ok(match job {
        AccountsStoreJob::SignIn { name, pin, elevate } => {
            match station::accounts::sign_in(store, setup.reach(), &name, &pin) {
                Ok(session) => {
                    StoreEvent::Accounts(AccountsStoreEvent::SignedIn { session, elevate })
                }
                Err(
                    error @ (StoreError::WrongPin { .. }
                    | StoreError::LockedOut { .. }
                    | StoreError::Refused(_)),
                ) => StoreEvent::Accounts(AccountsStoreEvent::SignInRefused {
                    message: Message::of(&error),
                    elevate,
                }),
                Err(error) => return Err(error.into()),
            }
        }
        AccountsStoreJob::CreateFirstSupervisor { name, pin } => {
            match store.create_first_supervisor(&name, &pin) {
                Ok(session) => StoreEvent::Accounts(AccountsStoreEvent::SignedIn {
                    session,
                    elevate: false,
                }),
                Err(error @ (StoreError::Refused(_) | StoreError::Forbidden { .. })) => {
                    StoreEvent::Accounts(AccountsStoreEvent::SignInRefused {
                        message: Message::of(&error),
                        elevate: false,
                    })
                }
                Err(error) => return Err(error.into()),
            }
        }
        AccountsStoreJob::SignOut { session, reason } => {
            store.logout(&session, reason)?;
            station::accounts::signed_out(setup.reach(), session.name());
            StoreEvent::Accounts(AccountsStoreEvent::AccountCount(store.user_count()?))
        }
        AccountsStoreJob::LoadUsers => {
            StoreEvent::Accounts(AccountsStoreEvent::Users(store.users()?))
        }
        AccountsStoreJob::LogRefusal {
            session,
            permission,
        } => {
            // The window already said why; only the log entry is wanted here.
            if store.authorize(&session, permission, None).is_ok() {
                tracing::warn!("a refusal in the window was allowed by the store");
            }
            StoreEvent::Recorded
        }
        AccountsStoreJob::AddUser {
            name,
            role,
            pin,
            session,
        } => {
            station::accounts::add_user(store, setup.reach(), &session, &name, role, &pin)?;
            StoreEvent::Accounts(AccountsStoreEvent::Users(store.users()?))
        }
        AccountsStoreJob::ResetPin { name, pin, session } => {
            station::accounts::reset_pin(store, setup.reach(), &session, &name, &pin)?;
            StoreEvent::Accounts(AccountsStoreEvent::PinReset {
                name,
                users: store.users()?,
            })
        }
        AccountsStoreJob::SetDisabled {
            name,
            disabled,
            session,
        } => {
            station::accounts::set_disabled(store, setup.reach(), &session, &name, disabled)?;
            StoreEvent::Accounts(AccountsStoreEvent::Users(store.users()?))
        }
    })
}
