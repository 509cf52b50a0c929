//! Staff accounts for the whole campus. The server holds each account's role, PIN hash and
//! wrong-PIN count, so a supervisor signs in at any booth and five wrong PINs lock the account at
//! every booth, however they were spread. A booth keeps the accounts that signed in there, and
//! while the server is away it signs in only those, and says so.
//!
//! An account a booth had before it joined comes to the campus the first time it signs in there
//! (if the campus has no account of that name; otherwise the campus's account is the one).

use chrono::Local;
use serde::Serialize;

use super::server::CampusClient;
use super::{CampusError, CampusResult};
use crate::store::accounts::{
    LOCKOUT_AFTER, Role, Session, check_pin, check_user_name, hash_pin, lock_duration, pin_matches,
};
use crate::store::{Permission, Store, StoreError, StoreResult};

/// The server's verdict on a PIN.
enum Verdict {
    Accepted { role: Role, pin_hash: String },
    Refused(StoreError),
}

/// Signs `name` in at a joined booth: against the campus server when `server` connected, else
/// (the server away) against the accounts this booth has seen. Refusals are the store's own
/// errors (wrong PIN, locked out), so the sign-in screen shows them as it always did.
pub fn sign_in(
    store: &mut Store,
    server: CampusResult<CampusClient>,
    name: &str,
    pin: &str,
) -> StoreResult<Session> {
    let name = name.trim();
    match server.and_then(|mut client| verdict(&mut client, store, name, pin)) {
        Ok(Verdict::Accepted { role, pin_hash }) => {
            store.adopt_account(name, role, &pin_hash)?;
            store.login(name, pin)
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
            store.login(name, pin)
        }
    }
}

fn verdict(
    client: &mut CampusClient,
    store: &Store,
    name: &str,
    pin: &str,
) -> CampusResult<Verdict> {
    let station = client.station().unwrap_or("campus").to_string();
    let mut tx = client.client().transaction()?;
    let row = tx.query_opt(
        "SELECT role, pin_hash, failed_count, disabled,
                extract(epoch FROM locked_until - clock_timestamp())::float8
         FROM accounts WHERE name = $1 FOR UPDATE",
        &[&name],
    )?;
    let Some(row) = row else {
        // An account this booth brought with it joins the campus on its first sign-in here, but
        // only while the campus has no supervisor: that is how the first one is set up. After
        // that, campus accounts are made by a campus supervisor; otherwise a copied
        // `campus.toml` in a fresh data folder, whose first account needs no sign-in, would make
        // anyone a campus supervisor.
        let campus_has_supervisors: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM accounts WHERE role = 'supervisor' AND NOT disabled)",
                &[],
            )?
            .get(0);
        return match store.account_credentials(name)? {
            Some((_, pin_hash)) if campus_has_supervisors && pin_matches(pin, &pin_hash) => Ok(
                Verdict::Refused(StoreError::from(crate::store::Refusal::AccountNotShared)),
            ),
            Some((role, pin_hash)) if pin_matches(pin, &pin_hash) => {
                let inserted = tx.execute(
                    "INSERT INTO accounts (name, role, pin_hash, added_by, last_login_at,
                         last_station)
                     VALUES ($1, $2, $3, $4, clock_timestamp(), $4)
                     ON CONFLICT (name) DO NOTHING",
                    &[&name, &role.as_str(), &pin_hash, &station],
                )?;
                tx.commit()?;
                if inserted == 0 {
                    // Another booth brought the same name a moment ago: its account stands.
                    return verdict(client, store, name, pin);
                }
                Ok(Verdict::Accepted { role, pin_hash })
            }
            // Same wording as a wrong PIN, so the screen does not reveal which names exist.
            _ => Ok(Verdict::Refused(StoreError::WrongPin {
                remaining: LOCKOUT_AFTER,
            })),
        };
    };
    let role_text: String = row.get(0);
    let pin_hash: String = row.get(1);
    let failures: i32 = row.get(2);
    let disabled: bool = row.get(3);
    let locked_for: Option<f64> = row.get(4);
    if disabled {
        return Ok(Verdict::Refused(StoreError::WrongPin {
            remaining: LOCKOUT_AFTER,
        }));
    }
    if let Some(seconds) = locked_for.filter(|s| *s > 0.0) {
        return Ok(Verdict::Refused(locked_out(seconds.ceil() as i64)));
    }
    let role = Role::parse(&role_text)
        .ok_or_else(|| CampusError::Refused(format!("unknown role '{role_text}'")))?;
    if !pin_matches(pin, &pin_hash) {
        let failures = (failures.max(0) as u32).saturating_add(1);
        let lock_seconds = lock_duration(failures).map(|d| d.num_seconds());
        tx.execute(
            "UPDATE accounts SET failed_count = $2,
                 locked_until = clock_timestamp() + make_interval(secs => $3::float8)
             WHERE name = $1",
            &[&name, &(failures as i32), &lock_seconds.map(|s| s as f64)],
        )?;
        tx.commit()?;
        return Ok(Verdict::Refused(match lock_seconds {
            Some(seconds) => locked_out(seconds),
            None => StoreError::WrongPin {
                remaining: LOCKOUT_AFTER - failures,
            },
        }));
    }
    tx.execute(
        "UPDATE accounts SET failed_count = 0, locked_until = NULL,
             last_login_at = clock_timestamp(), last_station = $2
         WHERE name = $1",
        &[&name, &station],
    )?;
    tx.commit()?;
    Ok(Verdict::Accepted { role, pin_hash })
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

/// Adds an account to the campus (a supervisor, signed in at this booth), and keeps it here.
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
    let added_by = format!("{}@{}", by.name(), client.station().unwrap_or("campus"));
    let inserted = client.client().execute(
        "INSERT INTO accounts (name, role, pin_hash, added_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO NOTHING",
        &[&name, &role.as_str(), &pin_hash, &added_by],
    )?;
    if inserted == 0 {
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
    let role: Option<String> = client
        .client()
        .query_opt(
            "UPDATE accounts SET pin_hash = $2, failed_count = 0, locked_until = NULL
             WHERE name = $1 RETURNING role",
            &[&name, &pin_hash],
        )?
        .map(|row| row.get(0));
    let role = role
        .as_deref()
        .and_then(Role::parse)
        .ok_or_else(|| super::CampusRefusal::NoAccount(name.to_string()))?;
    store.adopt_account(name, role, &pin_hash)?;
    Ok(())
}

/// Stops a campus account from signing in at any booth, or lets it again; this booth follows
/// at once, the others at their next sign-in of it.
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
    let mut tx = client.client().transaction()?;
    let others: i64 = tx
        .query_one(
            "SELECT count(*) FROM accounts
             WHERE role = 'supervisor' AND NOT disabled AND name <> $1",
            &[&name],
        )?
        .get(0);
    let role: Option<String> = tx
        .query_opt(
            "UPDATE accounts SET disabled = $2 WHERE name = $1 RETURNING role",
            &[&name, &disabled],
        )?
        .map(|row| row.get(0));
    let Some(role) = role else {
        return Err(super::CampusRefusal::NoAccount(name.to_string()).into());
    };
    if disabled && role == Role::Supervisor.as_str() && others == 0 {
        return Err(StoreError::from(crate::store::Refusal::LastSupervisor).into());
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
