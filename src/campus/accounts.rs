//! Staff accounts for the whole campus. The server holds each account's role, PIN hash and
//! wrong-PIN count, so a supervisor signs in at any booth and five wrong PINs lock the account at
//! every booth, however they were spread. A booth keeps the accounts that signed in there, and
//! while the server is away it signs in only those, and says so.
//!
//! An account a booth had before it joined comes to the campus the first time it signs in there
//! (if the campus has no account of that name; otherwise the campus's account is the one).

use chrono::Local;
use serde::Serialize;

use super::server::{CampusClient, SupervisorTicket};
use super::{CampusError, CampusResult};
use crate::store::accounts::{
    LOCKOUT_AFTER, Role, Session, check_pin, check_user_name, hash_pin, pin_matches,
};
use crate::store::{Permission, Store, StoreError, StoreResult};

/// The server's verdict on a PIN.
enum Verdict {
    Accepted {
        role: Role,
        pin_hash: String,
        ticket: SupervisorTicket,
    },
    Refused(StoreError),
}

/// Signs `name` in at a joined booth: against the campus server when `server` connected (which
/// also hands out the account's ticket for a supervisor's campus work), else (the server away)
/// against the accounts this booth has seen, without a ticket. Refusals are the store's own
/// errors (wrong PIN, locked out), so the sign-in screen shows them as it always did.
pub fn sign_in(
    store: &mut Store,
    server: CampusResult<CampusClient>,
    name: &str,
    pin: &str,
) -> StoreResult<(Session, Option<SupervisorTicket>)> {
    let name = name.trim();
    match server.and_then(|mut client| verdict(&mut client, store, name, pin, true)) {
        Ok(Verdict::Accepted {
            role,
            pin_hash,
            ticket,
        }) => {
            store.adopt_account(name, role, &pin_hash)?;
            Ok((store.login(name, pin)?, Some(ticket)))
        }
        Ok(Verdict::Refused(error)) => {
            store.record_refused_sign_in(name, &error)?;
            Err(error)
        }
        Err(error) => {
            tracing::warn!(%error, "sign-in without the campus server: only accounts seen here");
            if store.account_credentials(name)?.is_none() {
                let refusal = StoreError::from(crate::store::Refusal::OfflineUnknownAccount);
                store.record_refused_sign_in(name, &refusal)?;
                return Err(refusal);
            }
            Ok((store.login(name, pin)?, None))
        }
    }
}

/// Asks the campus to check `pin`: the booth hashes it with the account's salt and sends only
/// the hash's output, which the server checks and counts (wrong ones lock the account at
/// every booth). `may_bring` allows one hand-over of this booth's own account.
fn verdict(
    client: &mut CampusClient,
    store: &Store,
    name: &str,
    pin: &str,
    may_bring: bool,
) -> CampusResult<Verdict> {
    // The account's parameters can change between the two calls (another booth brought the
    // account, or its PIN was set): the server then says so instead of counting a wrong PIN.
    let mut attempts = 0;
    let (row, pin_hash) = loop {
        attempts += 1;
        let params: String = client
            .client()
            .query_one("SELECT campus_pin_params($1)", &[&name])?
            .get(0);
        let pin_hash = hash_with_params(pin, &params)?;
        let row = client.client().query_one(
            "SELECT outcome, account_role, remaining, locked_seconds, ticket
             FROM campus_sign_in($1, $2, $3)",
            &[&name, &params, &proof_of(&pin_hash)],
        )?;
        let changed = row.get::<_, String>(0) == "params_changed";
        if !changed || attempts >= 3 {
            break (row, pin_hash);
        }
    };
    let outcome: String = row.get(0);
    let remaining: i32 = row.get(2);
    match outcome.as_str() {
        "accepted" => {
            let role_text: String = row.get(1);
            let role = Role::parse(&role_text)
                .ok_or_else(|| CampusError::Refused(format!("unknown role '{role_text}'")))?;
            let ticket: String = row.get(4);
            Ok(Verdict::Accepted {
                role,
                pin_hash,
                ticket: SupervisorTicket::new(ticket),
            })
        }
        "locked" => {
            let seconds: Option<f64> = row.get(3);
            Ok(Verdict::Refused(locked_out(
                seconds.unwrap_or(1.0).ceil() as i64
            )))
        }
        "unknown" if may_bring => bring_account(client, store, name, pin),
        // Same wording for an unknown or disabled account as for a wrong PIN, so the screen does
        // not reveal which names exist.
        _ => Ok(Verdict::Refused(StoreError::WrongPin {
            remaining: remaining.max(0) as u32,
        })),
    }
}

/// An account this booth brought with it joins the campus on its first sign-in here, but only
/// while the campus has no supervisor: that is how the first one is set up. After that, campus
/// accounts are made by a campus supervisor; otherwise a copied `campus.toml` in a fresh data
/// folder, whose first account needs no sign-in, would make anyone a campus supervisor. The
/// server decides (`campus_adopt_account`).
fn bring_account(
    client: &mut CampusClient,
    store: &Store,
    name: &str,
    pin: &str,
) -> CampusResult<Verdict> {
    let Some((role, pin_hash)) = store
        .account_credentials(name)?
        .filter(|(_, hash)| pin_matches(pin, hash))
    else {
        return Ok(Verdict::Refused(StoreError::WrongPin {
            remaining: LOCKOUT_AFTER,
        }));
    };
    let (params, proof) = split_pin_hash(&pin_hash)?;
    let answer: String = client
        .client()
        .query_one(
            "SELECT campus_adopt_account($1, $2, $3, $4)",
            &[&name, &role.as_str(), &params, &proof],
        )?
        .get(0);
    match answer.as_str() {
        "campus_has_supervisors" => Ok(Verdict::Refused(StoreError::from(
            crate::store::Refusal::AccountNotShared,
        ))),
        // Taken in now, or another booth brought the same name a moment ago (its account
        // stands): either way the campus checks the PIN.
        _ => verdict(client, store, name, pin, false),
    }
}

/// The Argon2id hash of `pin` with the salt and parameters the campus gave
/// (`$argon2id$v=19$m=…,t=…,p=…$salt`), as a whole PHC string.
fn hash_with_params(pin: &str, params: &str) -> CampusResult<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let bad = || CampusError::Refused("the campus sent PIN parameters this app cannot use".into());
    let parts: Vec<&str> = params.split('$').collect();
    let ["", "argon2id", "v=19", costs, salt] = parts.as_slice() else {
        return Err(bad());
    };
    let mut pairs = costs.split(',').map(|pair| pair.split_once('='));
    let mut take = |key: &str| -> CampusResult<u32> {
        match pairs.next() {
            Some(Some((found, value))) if found == key => value.parse().map_err(|_| bad()),
            _ => Err(bad()),
        }
    };
    let (memory, passes, lanes) = (take("m")?, take("t")?, take("p")?);
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(memory, passes, lanes, None).map_err(|_| bad())?,
    );
    let salt = SaltString::from_b64(salt).map_err(|_| bad())?;
    let hash = argon
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|_| bad())?;
    let output = hash.hash.ok_or_else(bad)?;
    Ok(format!("{params}${output}"))
}

/// A whole PHC string split into what the campus keeps public (salt and parameters) and the
/// hash's output, the sign-in's proof.
fn split_pin_hash(pin_hash: &str) -> CampusResult<(String, String)> {
    pin_hash
        .rsplit_once('$')
        .map(|(params, proof)| (params.to_string(), proof.to_string()))
        .ok_or_else(|| CampusError::Refused("a PIN hash without its output".into()))
}

fn proof_of(pin_hash: &str) -> String {
    pin_hash
        .rsplit_once('$')
        .map(|(_, proof)| proof.to_string())
        .unwrap_or_default()
}

fn locked_out(seconds: i64) -> StoreError {
    StoreError::LockedOut {
        until: (Local::now() + chrono::Duration::seconds(seconds))
            .format("%H:%M:%S")
            .to_string(),
        seconds,
    }
}

/// An account as the campus lists it (never its PIN).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampusAccount {
    pub name: String,
    pub role: String,
    pub locked: bool,
    pub disabled: bool,
    pub last_station: Option<String>,
}

/// Adds an account to the campus (a supervisor, signed in at this booth with the campus's
/// ticket), and keeps it here. The server records who added it, from the ticket.
pub fn add_account(
    client: &mut CampusClient,
    store: &mut Store,
    by: &Session,
    name: &str,
    role: Role,
    pin: &str,
) -> CampusResult<()> {
    store.authorize(by, Permission::ManageUsers, Some(name))?;
    let name = check_user_name(name)?;
    check_pin(pin)?;
    let pin_hash = hash_pin(pin)?;
    let (params, proof) = split_pin_hash(&pin_hash)?;
    let mut tx = client.supervised()?;
    let added: bool = tx
        .query_one(
            "SELECT campus_add_account($1, $2, $3, $4)",
            &[&name, &role.as_str(), &params, &proof],
        )?
        .get(0);
    tx.commit()?;
    if !added {
        return Err(super::CampusRefusal::AccountExists(name.to_string()).into());
    }
    store.adopt_account(&name, role, &pin_hash)?;
    Ok(())
}

/// Sets a new PIN for a campus account, which also ends its lock at every booth.
pub fn reset_pin(
    client: &mut CampusClient,
    store: &mut Store,
    by: &Session,
    name: &str,
    pin: &str,
) -> CampusResult<()> {
    store.authorize(by, Permission::ManageUsers, Some(name))?;
    check_pin(pin)?;
    let pin_hash = hash_pin(pin)?;
    let (params, proof) = split_pin_hash(&pin_hash)?;
    let mut tx = client.supervised()?;
    let role: Option<String> = tx
        .query_one(
            "SELECT campus_reset_pin($1, $2, $3)",
            &[&name, &params, &proof],
        )?
        .get(0);
    tx.commit()?;
    let role = role
        .as_deref()
        .and_then(Role::parse)
        .ok_or_else(|| super::CampusRefusal::NoAccount(name.to_string()))?;
    store.adopt_account(name, role, &pin_hash)?;
    Ok(())
}

/// Stops a campus account from signing in at any booth, or lets it again; this booth follows
/// at once, the others at their next sign-in of it. The server refuses to disable the last
/// supervisor.
pub fn set_disabled(
    client: &mut CampusClient,
    store: &mut Store,
    by: &Session,
    name: &str,
    disabled: bool,
) -> CampusResult<()> {
    store.authorize(by, Permission::ManageUsers, Some(name))?;
    if disabled && name == by.name() {
        return Err(StoreError::from(crate::store::Refusal::DisableSelf).into());
    }
    let mut tx = client.supervised()?;
    let role: Option<String> = tx
        .query_one("SELECT campus_set_disabled($1, $2)", &[&name, &disabled])
        .map_err(super::server::refused_or_failed)?
        .get(0);
    if role.is_none() {
        return Err(super::CampusRefusal::NoAccount(name.to_string()).into());
    }
    tx.commit()?;
    // This booth knows the account from the campus: it follows the campus now.
    match store.set_account_disabled(by, name, disabled) {
        // The campus decides: a booth that has not seen the account, or not its other
        // supervisors, still follows.
        Ok(())
        | Err(StoreError::NotFound { .. })
        | Err(StoreError::Refused(crate::store::Refusal::LastSupervisor)) => Ok(()),
        Err(error) => Err(error.into()),
    }
}

/// The campus's accounts, by name.
pub fn accounts(client: &mut CampusClient) -> CampusResult<Vec<CampusAccount>> {
    Ok(client
        .client()
        .query(
            "SELECT name, role, coalesce(locked_until > clock_timestamp(), false), disabled,
                    last_station
             FROM accounts ORDER BY name",
            &[],
        )?
        .iter()
        .map(|row| CampusAccount {
            name: row.get(0),
            role: row.get(1),
            locked: row.get(2),
            disabled: row.get(3),
            last_station: row.get(4),
        })
        .collect())
}
