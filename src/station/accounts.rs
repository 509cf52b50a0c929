//! Signing in and managing accounts: a single station checks its own accounts; a joined one
//! asks the campus, which holds every booth's accounts, and keeps what it saw for offline use.

use super::{Reach, StationResult};
use crate::store::{Role, Session, Store, StoreResult};

/// Checks a PIN. A joined station asks the campus (going by the accounts seen here when the
/// server is away), and keeps the campus's ticket for the account's supervisor work.
pub fn sign_in(store: &mut Store, reach: Reach, name: &str, pin: &str) -> StoreResult<Session> {
    match reach {
        Reach::Campus(link) => {
            let (session, ticket) =
                crate::campus::accounts::sign_in(store, link.sign_in_client(), name, pin)?;
            link.set_ticket(session.name(), ticket);
            Ok(session)
        }
        Reach::Local => store.login(name, pin),
    }
}

/// Forgets the campus's ticket of an account that signed out here.
pub fn signed_out(reach: Reach, name: &str) {
    if let Reach::Campus(link) = reach {
        link.set_ticket(name, None);
    }
}

/// Where an account was added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddedTo {
    ThisStation,
    /// Every booth of the campus (and kept here).
    Campus,
}

/// Adds an account (not the first supervisor, who is made by [`Store::create_first_supervisor`]
/// on a station that has none).
pub fn add_user(
    store: &mut Store,
    reach: Reach,
    by: &Session,
    name: &str,
    role: Role,
    pin: &str,
) -> StationResult<AddedTo> {
    match reach {
        Reach::Campus(link) => {
            crate::campus::accounts::add_account(
                &mut link.connect_as(by.name())?,
                store,
                by,
                name,
                role,
                pin,
            )?;
            Ok(AddedTo::Campus)
        }
        Reach::Local => {
            store.add_user(by, name, role, pin)?;
            Ok(AddedTo::ThisStation)
        }
    }
}

/// Sets a new PIN for an account, which also ends a lock.
pub fn reset_pin(
    store: &mut Store,
    reach: Reach,
    by: &Session,
    name: &str,
    pin: &str,
) -> StationResult<()> {
    match reach {
        Reach::Campus(link) => crate::campus::accounts::reset_pin(
            &mut link.connect_as(by.name())?,
            store,
            by,
            name,
            pin,
        )?,
        Reach::Local => store.reset_pin(by, name, pin)?,
    }
    Ok(())
}

/// Stops an account from signing in, or lets it again.
pub fn set_disabled(
    store: &mut Store,
    reach: Reach,
    by: &Session,
    name: &str,
    disabled: bool,
) -> StationResult<()> {
    match reach {
        Reach::Campus(link) => crate::campus::accounts::set_disabled(
            &mut link.connect_as(by.name())?,
            store,
            by,
            name,
            disabled,
        )?,
        Reach::Local => store.set_account_disabled(by, name, disabled)?,
    }
    Ok(())
}

/// The accounts a supervisor sees: the campus's when it answers, else those this station holds
/// (with why the campus's are not shown).
pub enum AccountList {
    Campus(Vec<crate::campus::accounts::CampusAccount>),
    Here {
        users: Vec<crate::store::accounts::UserSummary>,
        campus_away: Option<crate::campus::CampusError>,
    },
}

pub fn list(store: &Store, reach: Reach) -> StationResult<AccountList> {
    let campus_away = match reach {
        Reach::Campus(link) => match link.connect() {
            Ok(mut client) => {
                return Ok(AccountList::Campus(crate::campus::accounts::accounts(
                    &mut client,
                )?));
            }
            Err(error) => Some(error),
        },
        Reach::Local => None,
    };
    Ok(AccountList::Here {
        users: store.users()?,
        campus_away,
    })
}
