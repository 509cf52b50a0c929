//! Staff accounts and the permission check every changing store call goes through. PINs are kept
//! only as Argon2id hashes. A [`Session`] can only come from a successful [`Store::login`] (or the
//! very first supervisor's creation), so code outside this module cannot forge a role: the store,
//! not the UI, decides who may do what, and every refusal lands in the hash-chained event log.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration as ChronoDuration, Local};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Store, StoreError, StoreResult, events, new_id, now_text};
pub use crate::domain::roles::{Permission, Role};
use crate::domain::text::required_field;

/// Wrong PINs in a row before an account locks.
pub const LOCKOUT_AFTER: u32 = 5;
/// The first lock lasts this long; each further wrong PIN doubles it, up to [`MAX_LOCK_SECS`].
pub const FIRST_LOCK_SECS: i64 = 30;
pub const MAX_LOCK_SECS: i64 = 15 * 60;

/// A logged-in person. Fields are private to this module: the only ways to get one are
/// [`Store::login`] and [`Store::create_first_supervisor`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    user_id: String,
    name: String,
    role: Role,
}

impl Session {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// How the event log names this person.
    pub fn actor(&self) -> String {
        format!("{}({})", self.name, self.role.as_str())
    }

    #[cfg(test)]
    pub(crate) fn for_tests(role: Role) -> Self {
        Self {
            user_id: format!("test-{}", role.as_str()),
            name: format!("test-{}", role.as_str()),
            role,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UserSummary {
    pub name: String,
    pub role: Role,
    pub locked_until: Option<String>,
    pub disabled: bool,
}

/// Why a PIN is not acceptable. Booth PINs are typed on a number pad between students, so they
/// are digits; six or more make guessing through the lockout hopeless.
pub(crate) fn check_pin(pin: &str) -> StoreResult<()> {
    let digits = pin.chars().all(|c| c.is_ascii_digit());
    if !digits || !(6..=12).contains(&pin.len()) {
        return Err(super::Refusal::PinRule.into());
    }
    Ok(())
}

/// Longest account name, in characters.
pub const MAX_USER_NAME_CHARS: usize = 32;

pub(crate) fn check_user_name(name: &str) -> StoreResult<String> {
    let name =
        required_field(crate::domain::Field::UserName, name).map_err(super::Refusal::from)?;
    if name.chars().count() > MAX_USER_NAME_CHARS {
        return Err(super::Refusal::UserNameTooLong(MAX_USER_NAME_CHARS).into());
    }
    Ok(name)
}

pub(crate) fn hash_pin(pin: &str) -> StoreResult<String> {
    // 16 bytes from the OS's random source (via a v4 UUID) are a fine Argon2 salt.
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
        .map_err(|e| StoreError::Invalid(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| StoreError::Invalid(format!("hashing the PIN: {e}")))
}

pub(crate) fn pin_matches(pin: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(pin.as_bytes(), &hash)
            .is_ok()
    })
}

/// The lock after `failures` wrong PINs in a row, if any.
pub fn lock_duration(failures: u32) -> Option<ChronoDuration> {
    if failures < LOCKOUT_AFTER {
        return None;
    }
    let doublings = (failures - LOCKOUT_AFTER).min(10);
    let secs = (FIRST_LOCK_SECS << doublings).min(MAX_LOCK_SECS);
    Some(ChronoDuration::seconds(secs))
}

impl Store {
    pub fn user_count(&self) -> StoreResult<usize> {
        let count: i64 =
            self.conn
                .query_row("SELECT count(*) FROM users WHERE disabled = 0", [], |r| {
                    r.get(0)
                })?;
        Ok(count as usize)
    }

    pub fn users(&self) -> StoreResult<Vec<UserSummary>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, role, locked_until, disabled FROM users ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            let role: String = r.get(1)?;
            Ok(UserSummary {
                name: r.get(0)?,
                role: Role::parse(&role).unwrap_or(Role::Operator),
                locked_until: r.get(2)?,
                disabled: r.get::<_, i64>(3)? != 0,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Creates the first account, which is always a supervisor, and logs it in. Refused once any
    /// account exists: from then on only a supervisor adds users.
    pub fn create_first_supervisor(&mut self, name: &str, pin: &str) -> StoreResult<Session> {
        let name = check_user_name(name)?;
        check_pin(pin)?;
        let hash = hash_pin(pin)?;
        let tx = self.conn.transaction()?;
        let existing: i64 = tx.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        if existing > 0 {
            return Err(StoreError::Forbidden {
                role: "none".to_string(),
                action: "create_first_supervisor".to_string(),
            });
        }
        let user_id = new_id();
        tx.execute(
            "INSERT INTO users (id, name, role, pin_hash, failed_count, created_at)
             VALUES (?1, ?2, 'supervisor', ?3, 0, ?4)",
            params![user_id, name, hash, now_text()],
        )?;
        let session = Session {
            user_id,
            name,
            role: Role::Supervisor,
        };
        events::append(
            &tx,
            &self.station_id,
            &session.actor(),
            "user_added",
            Some(session.name()),
            &serde_json::json!({ "role": "supervisor", "first": true }),
        )?;
        tx.commit()?;
        Ok(session)
    }

    /// Adds an account (supervisors only).
    pub fn add_user(&mut self, by: &Session, name: &str, role: Role, pin: &str) -> StoreResult<()> {
        self.authorize(by, Permission::ManageUsers, Some(name))?;
        let name = check_user_name(name)?;
        check_pin(pin)?;
        let hash = hash_pin(pin)?;
        let tx = self.conn.transaction()?;
        let inserted = tx.execute(
            "INSERT INTO users (id, name, role, pin_hash, failed_count, created_at)
             VALUES (?1, ?2, ?3, ?4, 0, ?5) ON CONFLICT(name) DO NOTHING",
            params![new_id(), name, role.as_str(), hash, now_text()],
        )?;
        if inserted == 0 {
            return Err(super::Refusal::UserExists(name).into());
        }
        events::append(
            &tx,
            &self.station_id,
            &by.actor(),
            "user_added",
            Some(&name),
            &serde_json::json!({ "role": role.as_str() }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sets a new PIN (supervisors only); also clears a lockout.
    pub fn reset_pin(&mut self, by: &Session, name: &str, pin: &str) -> StoreResult<()> {
        self.authorize(by, Permission::ManageUsers, Some(name))?;
        check_pin(pin)?;
        let hash = hash_pin(pin)?;
        let tx = self.conn.transaction()?;
        let changed = tx.execute(
            "UPDATE users SET pin_hash = ?2, failed_count = 0, locked_until = NULL WHERE name = ?1",
            params![name, hash],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "user",
                key: name.to_string(),
            });
        }
        events::append(
            &tx,
            &self.station_id,
            &by.actor(),
            "pin_reset",
            Some(name),
            &serde_json::json!({}),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Stops an account from signing in, or lets it again (supervisors only). Nobody disables
    /// their own account, nor the last supervisor who could undo it.
    pub fn set_account_disabled(
        &mut self,
        by: &Session,
        name: &str,
        disabled: bool,
    ) -> StoreResult<()> {
        self.authorize(by, Permission::ManageUsers, Some(name))?;
        if disabled && name == by.name {
            return Err(super::Refusal::DisableSelf.into());
        }
        let tx = self.conn.transaction()?;
        let role: Option<String> = tx
            .query_row(
                "SELECT role FROM users WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()?;
        let Some(role) = role else {
            return Err(StoreError::NotFound {
                what: "user",
                key: name.to_string(),
            });
        };
        let other_supervisors: i64 = tx.query_row(
            "SELECT count(*) FROM users WHERE role = 'supervisor' AND disabled = 0 AND name <> ?1",
            params![name],
            |r| r.get(0),
        )?;
        if disabled && role == Role::Supervisor.as_str() && other_supervisors == 0 {
            return Err(super::Refusal::LastSupervisor.into());
        }
        tx.execute(
            "UPDATE users SET disabled = ?2 WHERE name = ?1",
            params![name, disabled as i64],
        )?;
        events::append(
            &tx,
            &self.station_id,
            &by.actor(),
            if disabled {
                "user_disabled"
            } else {
                "user_enabled"
            },
            Some(name),
            &serde_json::json!({}),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Checks a PIN. After [`LOCKOUT_AFTER`] wrong PINs in a row the account locks, for 30 s
    /// and doubling with each further wrong PIN (up to 15 min); a locked account refuses even
    /// the right PIN until the lock ends. Every attempt is logged, never with the PIN.
    pub fn login(&mut self, name: &str, pin: &str) -> StoreResult<Session> {
        self.login_at(name, pin, Local::now())
    }

    pub fn login_at(
        &mut self,
        name: &str,
        pin: &str,
        now: DateTime<Local>,
    ) -> StoreResult<Session> {
        let name = name.trim();
        let row: Option<(String, String, String, u32, Option<String>)> = self
            .conn
            .query_row(
                "SELECT id, role, pin_hash, failed_count, locked_until FROM users
                 WHERE name = ?1 AND disabled = 0",
                params![name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((user_id, role, hash, failures, locked_until)) = row else {
            // Same wording as a wrong PIN, so the screen does not reveal which names exist.
            self.append_event(
                "-",
                "login_failed",
                Some(name),
                &serde_json::json!({"reason": "unknown_user"}),
            )?;
            return Err(StoreError::WrongPin {
                remaining: LOCKOUT_AFTER,
            });
        };
        if let Some(until) = locked_until
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            && until > now
        {
            self.append_event("-", "login_locked", Some(name), &serde_json::json!({}))?;
            return Err(StoreError::LockedOut {
                until: until.with_timezone(&Local).format("%H:%M:%S").to_string(),
                seconds: (until.with_timezone(&Local) - now).num_seconds().max(1),
            });
        }
        let role = Role::parse(&role)
            .ok_or_else(|| StoreError::Invalid(format!("unknown role '{role}'")))?;
        if !pin_matches(pin, &hash) {
            let failures = failures.saturating_add(1);
            let lock = lock_duration(failures).map(|d| (now + d).to_rfc3339());
            let tx = self.conn.transaction()?;
            tx.execute(
                "UPDATE users SET failed_count = ?2, locked_until = ?3 WHERE id = ?1",
                params![user_id, failures, lock],
            )?;
            events::append(
                &tx,
                &self.station_id,
                "-",
                "login_failed",
                Some(name),
                &serde_json::json!({ "failures": failures, "locked": lock.is_some() }),
            )?;
            tx.commit()?;
            return Err(match lock_duration(failures) {
                Some(duration) => StoreError::LockedOut {
                    until: (now + duration).format("%H:%M:%S").to_string(),
                    seconds: duration.num_seconds(),
                },
                None => StoreError::WrongPin {
                    remaining: LOCKOUT_AFTER - failures,
                },
            });
        }
        let session = Session {
            user_id,
            name: name.to_string(),
            role,
        };
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE users SET failed_count = 0, locked_until = NULL, last_login_at = ?2 WHERE id = ?1",
            params![session.user_id, now_text()],
        )?;
        events::append(
            &tx,
            &self.station_id,
            &session.actor(),
            "login",
            Some(name),
            &serde_json::json!({}),
        )?;
        tx.commit()?;
        Ok(session)
    }

    /// The role and PIN hash of an active account here, if this station knows it.
    pub fn account_credentials(&self, name: &str) -> StoreResult<Option<(Role, String)>> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT role, pin_hash FROM users WHERE name = ?1 AND disabled = 0",
                params![name.trim()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(role, hash)| Role::parse(&role).map(|role| (role, hash))))
    }

    /// Keeps an account as it is held elsewhere (role and PIN hash), so that this booth can sign
    /// it in on its own later. The given account replaces this station's: a local lock ends, a
    /// changed role or PIN takes effect.
    pub fn adopt_account(&mut self, name: &str, role: Role, pin_hash: &str) -> StoreResult<()> {
        let tx = self.conn.transaction()?;
        let before: Option<(String, String)> = tx
            .query_row(
                "SELECT role, pin_hash FROM users WHERE name = ?1",
                params![name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        tx.execute(
            "INSERT INTO users (id, name, role, pin_hash, failed_count, created_at)
             VALUES (?1, ?2, ?3, ?4, 0, ?5)
             ON CONFLICT(name) DO UPDATE SET role = excluded.role, pin_hash = excluded.pin_hash,
                 failed_count = 0, locked_until = NULL, disabled = 0",
            params![new_id(), name, role.as_str(), pin_hash, now_text()],
        )?;
        let changed = before
            .as_ref()
            .is_none_or(|(old_role, old_hash)| old_role != role.as_str() || old_hash != pin_hash);
        if changed {
            events::append(
                &tx,
                &self.station_id,
                "campus",
                "account_from_campus",
                Some(name),
                &serde_json::json!({ "role": role.as_str(), "new": before.is_none() }),
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Logs a sign-in refused elsewhere (wrong PIN, locked), as a local one would be. A lock is
    /// kept here too, so that the account stays locked at this booth if the one who refused goes
    /// away before the lock ends.
    pub fn record_refused_sign_in(&self, name: &str, refusal: &StoreError) -> StoreResult<()> {
        if let StoreError::LockedOut { seconds, .. } = refusal {
            let until = (Local::now() + ChronoDuration::seconds(*seconds)).to_rfc3339();
            self.conn.execute(
                "UPDATE users SET locked_until = ?2 WHERE name = ?1",
                params![name, until],
            )?;
        }
        self.append_event(
            "-",
            "login_failed",
            Some(name),
            &serde_json::json!({ "campus": true, "reason": refusal.to_string() }),
        )
    }

    /// Records a log-out (by hand or after idle time).
    pub fn logout(&self, session: &Session, reason: &str) -> StoreResult<()> {
        self.append_event(
            &session.actor(),
            "logout",
            Some(session.name()),
            &serde_json::json!({ "reason": reason }),
        )
    }

    /// The gate in front of every changing call: the session's account must still be active and
    /// its role must allow `permission`. A refusal is logged and returned as
    /// [`StoreError::Forbidden`].
    pub fn authorize(
        &self,
        session: &Session,
        permission: Permission,
        subject: Option<&str>,
    ) -> StoreResult<()> {
        let active = self.account_active(session)?;
        if active && session.role.allows(permission) {
            return Ok(());
        }
        self.append_event(
            &session.actor(),
            "refused",
            subject,
            &serde_json::json!({ "action": permission.as_str(), "role": session.role.as_str(), "active": active }),
        )?;
        tracing::warn!(
            user = session.name(),
            action = permission.as_str(),
            "refused"
        );
        Err(StoreError::Forbidden {
            role: session.role.as_str().to_string(),
            action: permission.as_str().to_string(),
        })
    }

    fn account_active(&self, session: &Session) -> StoreResult<bool> {
        #[cfg(test)]
        if session.user_id.starts_with("test-") {
            return Ok(true);
        }
        let role: Option<String> = self
            .conn
            .query_row(
                "SELECT role FROM users WHERE id = ?1 AND disabled = 0",
                params![session.user_id],
                |r| r.get(0),
            )
            .optional()?;
        // A demoted account loses its rights at once, even inside an open session.
        Ok(role.as_deref() == Some(session.role.as_str()))
    }
}

/// A supervisor session for unit tests that exercise other rules than permissions.
#[cfg(test)]
pub(crate) fn test_session() -> Session {
    Session::for_tests(Role::Supervisor)
}

#[cfg(test)]
pub(crate) static TEST_SUPERVISOR: std::sync::LazyLock<Session> =
    std::sync::LazyLock::new(test_session);

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with_supervisor() -> (Store, Session) {
        let mut store = Store::open_in_memory().unwrap();
        let boss = store.create_first_supervisor("王主管", "246810").unwrap();
        (store, boss)
    }

    #[test]
    fn pins_are_stored_only_as_argon2id_hashes() {
        let (store, _) = store_with_supervisor();
        let hash: String = store
            .conn
            .query_row("SELECT pin_hash FROM users", [], |r| r.get(0))
            .unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("246810"));
    }

    #[test]
    fn the_first_supervisor_can_only_be_created_once() {
        let (mut store, _) = store_with_supervisor();
        assert!(matches!(
            store.create_first_supervisor("偷偷", "135790"),
            Err(StoreError::Forbidden { .. })
        ));
        assert_eq!(store.user_count().unwrap(), 1);
    }

    #[test]
    fn login_checks_the_pin_and_logs_each_attempt() {
        let (mut store, boss) = store_with_supervisor();
        store
            .add_user(&boss, "小李", Role::Operator, "111111")
            .unwrap();
        let session = store.login("小李", "111111").unwrap();
        assert_eq!(session.role(), Role::Operator);
        assert!(matches!(
            store.login("小李", "222222"),
            Err(StoreError::WrongPin { remaining: 4 })
        ));
        assert!(matches!(
            store.login("无此人", "111111"),
            Err(StoreError::WrongPin { .. })
        ));
        let kinds: Vec<String> = store
            .recent_events(10)
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds[..3], ["login_failed", "login_failed", "login"]);
        let logged = serde_json::to_string(&store.recent_events(10).unwrap()).unwrap();
        assert!(!logged.contains("222222") && !logged.contains("111111"));
    }

    #[test]
    fn five_wrong_pins_lock_the_account_with_growing_back_off() {
        let (mut store, boss) = store_with_supervisor();
        store
            .add_user(&boss, "小李", Role::Operator, "111111")
            .unwrap();
        let start = Local::now();
        for attempt in 1..=4 {
            assert!(matches!(
                store.login_at("小李", "000000", start),
                Err(StoreError::WrongPin { remaining }) if remaining == LOCKOUT_AFTER - attempt
            ));
        }
        assert!(matches!(
            store.login_at("小李", "000000", start),
            Err(StoreError::LockedOut { seconds: 30, .. })
        ));
        // Locked: even the right PIN is refused until the lock ends.
        assert!(matches!(
            store.login_at("小李", "111111", start + ChronoDuration::seconds(29)),
            Err(StoreError::LockedOut { .. })
        ));
        // A sixth wrong PIN after the lock doubles it.
        let later = start + ChronoDuration::seconds(31);
        assert!(matches!(
            store.login_at("小李", "000000", later),
            Err(StoreError::LockedOut { seconds: 60, .. })
        ));
        let after = later + ChronoDuration::seconds(61);
        assert!(store.login_at("小李", "111111", after).is_ok());
        // Success resets the count.
        assert!(matches!(
            store.login_at("小李", "000000", after),
            Err(StoreError::WrongPin { remaining: 4 })
        ));
        assert_eq!(
            lock_duration(40),
            Some(ChronoDuration::seconds(MAX_LOCK_SECS))
        );
    }

    #[test]
    fn only_supervisors_manage_users_and_refusals_are_logged() {
        let (mut store, boss) = store_with_supervisor();
        store
            .add_user(&boss, "小张", Role::Staff, "333333")
            .unwrap();
        let staff = store.login("小张", "333333").unwrap();
        assert!(matches!(
            store.add_user(&staff, "冒名", Role::Supervisor, "444444"),
            Err(StoreError::Forbidden { .. })
        ));
        let last = &store.recent_events(1).unwrap()[0];
        assert_eq!(last.kind, "refused");
        assert_eq!(last.detail["action"], "manage_users");
        assert!(store.verify_event_chain().unwrap().is_none());
    }

    #[test]
    fn a_demoted_account_loses_its_rights_inside_an_open_session() {
        let (mut store, boss) = store_with_supervisor();
        store
            .add_user(&boss, "副主管", Role::Supervisor, "555555")
            .unwrap();
        let deputy = store.login("副主管", "555555").unwrap();
        store
            .conn
            .execute(
                "UPDATE users SET role = 'operator' WHERE name = '副主管'",
                [],
            )
            .unwrap();
        assert!(store.authorize(&deputy, Permission::Export, None).is_err());
    }

    #[test]
    fn weak_pins_and_bad_names_are_refused() {
        let (mut store, boss) = store_with_supervisor();
        assert!(store.add_user(&boss, "a", Role::Operator, "1234").is_err());
        assert!(
            store
                .add_user(&boss, "a", Role::Operator, "abcdef")
                .is_err()
        );
        assert!(
            store
                .add_user(&boss, "a\u{7}b", Role::Operator, "123456")
                .is_err()
        );
        assert!(
            store
                .add_user(&boss, "  ", Role::Operator, "123456")
                .is_err()
        );
    }

    /// Every changing call checks the role in the store itself, whatever the caller shows.
    #[test]
    fn the_store_refuses_what_a_role_does_not_allow_and_logs_it() {
        use crate::domain::{BookingStatus, CorrectableField, HolidayCalendar};
        use crate::store::Correction;
        use crate::store::bookings::tests::sample;
        use crate::store::captures::NewCapture;

        let dir = tempfile::tempdir().unwrap();
        let (mut store, boss) = store_with_supervisor();
        store
            .add_user(&boss, "摄影", Role::Operator, "111111")
            .unwrap();
        store
            .add_user(&boss, "前台", Role::Staff, "222222")
            .unwrap();
        let operator = store.login("摄影", "111111").unwrap();
        let staff = store.login("前台", "222222").unwrap();
        let booking = store.create_booking(&sample("A1", "张三"), &boss).unwrap();
        let refused_before = refusals(&store);

        let forbidden = |result: StoreResult<()>| {
            assert!(
                matches!(result, Err(StoreError::Forbidden { .. })),
                "{result:?}"
            );
        };
        let correction = || Correction {
            booking_id: &booking,
            field: CorrectableField::Name,
            new_value: Some("李四".to_string()),
            reason: "证件为准",
            confirmed_after_capture: false,
        };
        for who in [&operator, &staff] {
            forbidden(store.correct_student(correction(), who).map(|_| ()));
            forbidden(store.approve_retake(&booking, who));
            forbidden(
                store
                    .close_session(
                        "示例大学",
                        chrono::Local::now().naive_local(),
                        true,
                        &HolidayCalendar::default(),
                        who,
                    )
                    .map(|_| ()),
            );
            forbidden(store.mark_exported(std::slice::from_ref(&booking), "/tmp/x", who));
            forbidden(store.mark_refunded("A1", "ref", who));
            forbidden(store.ensure_school("别的大学", who).map(|_| ()));
            forbidden(store.add_user(who, "新人", Role::Supervisor, "333333"));
            forbidden(store.set_status(&booking, BookingStatus::Cancelled, who));
        }
        forbidden(
            store
                .create_booking(&sample("A2", "王五"), &operator)
                .map(|_| ()),
        );
        store.create_booking(&sample("A3", "赵六"), &staff).unwrap();
        let shot = |passed: bool| NewCapture {
            booking_id: &booking,
            jpeg: b"photo",
            original_jpeg: None,
            spec_report: serde_json::json!({}),
            spec_ok: passed,
            overridden: !passed,
            session: &operator,
        };
        let overridden = shot(false);
        forbidden(store.save_capture(dir.path(), overridden).map(|_| ()));
        assert!(crate::store::photo_files::files_below(dir.path()).is_empty());
        // Nothing changed, and every refusal is in the chained log.
        assert_eq!(store.booking(&booking).unwrap().student.name, "张三");
        assert_eq!(
            store.booking(&booking).unwrap().status(),
            Some(BookingStatus::Booked)
        );
        assert_eq!(refusals(&store) - refused_before, 2 * 8 + 2);
        assert!(store.verify_event_chain().unwrap().is_none());
        // The operator's own job goes through.
        store.save_capture(dir.path(), shot(true)).unwrap();
    }

    fn refusals(store: &Store) -> usize {
        store
            .recent_events(10_000)
            .unwrap()
            .iter()
            .filter(|e| e.kind == "refused")
            .count()
    }

    #[test]
    fn roles_nest() {
        assert!(Role::Operator.allows(Permission::Capture));
        assert!(!Role::Operator.allows(Permission::CreateWalkIn));
        assert!(Role::Staff.allows(Permission::CreateWalkIn));
        assert!(!Role::Staff.allows(Permission::CorrectIdentity));
        assert!(!Role::Staff.allows(Permission::Export));
        assert!(Role::Supervisor.allows(Permission::ManageUsers));
    }
}
