//! Who may create and end logins. Registering a station makes a login and revoking one ends it,
//! so something must hold CREATEROLE; in PostgreSQL 15 a role with CREATEROLE can also grant
//! itself `pg_execute_server_program` and run programs as the server's account. So the campus
//! owner's login does not keep it: a NOLOGIN role, `campus_roles`, that nobody is a member of,
//! holds it and owns only the two functions that need it (`campus_enrol`, which makes a
//! station's login, and `campus_revoke_station`, which ends one). They run with its powers and
//! do nothing else.
//!
//! PostgreSQL's superuser sets this up on a cluster made by `campus server init`: it lends
//! CREATEROLE to the owner for the length of a migration ([`lend_to_owner`]) and takes it back
//! after ([`hand_to_campus_roles`]). A server run by someone else keeps what its owner was given.

use postgres::Client;

use crate::campus::CampusResult;

/// The role that holds CREATEROLE for the two functions that need it.
pub const ROLES_ROLE: &str = "campus_roles";

/// The functions `campus_roles` owns.
const POWERED_FUNCTIONS: &[&str] = &[
    "campus_enrol(text, text, text)",
    "campus_revoke_station(text)",
];

/// Before a migration, as the superuser: the owner may create roles and owns the powered
/// functions again, so that the migration can (re)create them.
pub fn lend_to_owner(superuser: &mut Client, owner: &str) -> CampusResult<()> {
    let mut sql = format!("ALTER ROLE {owner} CREATEROLE;");
    for function in POWERED_FUNCTIONS {
        if function_exists(superuser, function)? {
            sql.push_str(&format!("ALTER FUNCTION {function} OWNER TO {owner};"));
        }
    }
    superuser.batch_execute(&sql)?;
    Ok(())
}

/// After a migration, as the superuser: `campus_roles` owns the powered functions, may do what
/// they do, and the owner's login can no longer create roles.
pub fn hand_to_campus_roles(superuser: &mut Client, owner: &str) -> CampusResult<()> {
    let mut tx = superuser.transaction()?;
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&ROLES_ROLE],
        )?
        .get(0);
    if !exists {
        tx.batch_execute(&format!("CREATE ROLE {ROLES_ROLE} NOLOGIN CREATEROLE"))?;
    }
    let mut sql = format!(
        "GRANT pg_signal_backend TO {ROLES_ROLE};
         GRANT USAGE ON SCHEMA public TO {ROLES_ROLE};
         GRANT SELECT, INSERT, UPDATE ON stations TO {ROLES_ROLE};
         GRANT SELECT, UPDATE ON join_codes TO {ROLES_ROLE};
         GRANT SELECT, DELETE ON tickets TO {ROLES_ROLE};
         GRANT EXECUTE ON FUNCTION campus_require_supervisor(), campus_supervisor()
             TO {ROLES_ROLE};
         DROP POLICY IF EXISTS stations_by_campus_roles ON stations;
         CREATE POLICY stations_by_campus_roles ON stations FOR ALL TO {ROLES_ROLE}
             USING (true) WITH CHECK (true);
         ALTER ROLE {owner} NOCREATEROLE;"
    );
    for function in POWERED_FUNCTIONS {
        sql.push_str(&format!("ALTER FUNCTION {function} OWNER TO {ROLES_ROLE};"));
    }
    tx.batch_execute(&sql)?;
    tx.commit()?;
    Ok(())
}

fn function_exists(client: &mut Client, signature: &str) -> CampusResult<bool> {
    Ok(client
        .query_one("SELECT to_regprocedure($1) IS NOT NULL", &[&signature])?
        .get(0))
}
