//! What the accounts feature's screens ask for, and what it asks of the store threads and hears
//! back, apart from the code that handles them.

use crate::i18n::Message;
use crate::store::{Permission, Role, Session, UserSummary};

#[derive(Debug, Clone, PartialEq)]
pub enum AccountsCommand {
    /// Sign in at the booth (from the sign-in screen).
    SignIn {
        name: String,
        pin: String,
    },
    /// Create the first supervisor (first run only).
    CreateFirstSupervisor {
        name: String,
        pin: String,
        pin_again: String,
    },
    /// Sign the booth's user (and any supervisor over them) out.
    SignOut,
    /// A supervisor signs in over the booth's session.
    Login {
        name: String,
        pin: String,
    },
    /// The supervisor leaves; the booth's session stays.
    Logout,
    LoadUsers,
    AddUser {
        name: String,
        role: crate::store::Role,
        pin: String,
    },
    /// A supervisor sets a new PIN for an account (it also ends a lock).
    ResetPin {
        name: String,
        pin: String,
    },
    /// Close the PIN reset without changing anything.
    CancelPinReset,
    /// A supervisor stops an account from signing in, or lets it again.
    SetAccountDisabled {
        name: String,
        disabled: bool,
    },
}

pub enum AccountsStoreJob {
    SignIn {
        name: String,
        pin: String,
        elevate: bool,
    },
    CreateFirstSupervisor {
        name: String,
        pin: String,
    },
    SignOut {
        session: Session,
        reason: &'static str,
    },
    LoadUsers,
    AddUser {
        name: String,
        role: Role,
        pin: String,
        session: Session,
    },
    ResetPin {
        name: String,
        pin: String,
        session: Session,
    },
    SetDisabled {
        name: String,
        disabled: bool,
        session: Session,
    },
    /// Something the window refused for lack of a role: the store checks it too, and logs it.
    LogRefusal {
        session: Session,
        permission: Permission,
    },
}

#[derive(Debug)]
pub enum AccountsStoreEvent {
    /// How many active accounts exist (none: the window asks for the first supervisor).
    AccountCount(usize),
    SignedIn {
        session: Session,
        elevate: bool,
    },
    SignInRefused {
        message: Message,
        elevate: bool,
    },
    Users(Vec<UserSummary>),
    /// A supervisor set a new PIN for `name`.
    PinReset {
        name: String,
        users: Vec<UserSummary>,
    },
}
