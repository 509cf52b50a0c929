//! The campus server's schema, versioned like the station's: `campus_schema` lists the versions
//! applied, each migration runs in one transaction with its version row (PostgreSQL's DDL is
//! transactional, so a migration never stays half-done), and the migrator holds a lock on the
//! table so two migrators cannot interleave. Stations never run DDL: their role may not.
//!
//! Roles: the schema's owner (the supervisor's admin login) owns everything. `campus_station`
//! is the group every station's login belongs to: it reads, inserts and updates the sync tables
//! and cannot delete, truncate or change the schema; what only a supervisor may write, and the
//! accounts, it reaches only with a supervisor's ticket (`supervision`). `campus_enrol` (the join token's login) may
//! only call `campus_enrol()`, which registers one station and creates its login, and only with
//! a one-time join code (`campus_issue_join_code()`, valid for minutes): the token's password
//! alone registers nothing.

mod names;
pub mod role_powers;
mod station_functions;
mod supervision;

use postgres::GenericClient;

pub use names::{CHANGES_CHANNEL, EVENTS_LOCK, STATION_GROUP};
pub use supervision::TICKET_MINUTES;

use super::{CampusError, CampusResult};

pub const ENROL_ROLE: &str = "campus_enrol";
/// Join codes one issuer may have open (issued, unused, unexpired) at once.
pub const OPEN_JOIN_CODES: i64 = 5;
/// How long a join code is valid unless the issuer says otherwise.
pub const JOIN_CODE_MINUTES: i32 = 15;

pub const MIGRATIONS: &[&str] = &[
    // 1: stations, the event log (the upload's idempotency and the pull's change feed),
    // quarantine, bookings, photos, captures with one active capture per booking, claims and
    // conflicts.
    r#"
    CREATE TABLE stations (
        name            text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
        role_name       text NOT NULL UNIQUE,
        joined_at       timestamptz NOT NULL DEFAULT now(),
        last_contact    timestamptz,
        clock_offset_ms bigint,
        last_seq        bigint NOT NULL DEFAULT 0,
        outbox_depth    bigint NOT NULL DEFAULT 0,
        photos_waiting  bigint NOT NULL DEFAULT 0
    );

    -- Every change the campus accepted, in the server's order. `shared` says whether stations
    -- pull it: a capture that became a conflict is kept here and in `conflicts`, not spread.
    CREATE TABLE events (
        server_seq  bigserial PRIMARY KEY,
        event_id    uuid NOT NULL UNIQUE,
        station     text NOT NULL,
        station_seq bigint,
        kind        text NOT NULL,
        payload     jsonb NOT NULL,
        outcome     text NOT NULL CHECK (outcome IN ('applied', 'conflict')),
        shared      boolean NOT NULL,
        device_at   text,
        received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (station, station_seq)
    );
    CREATE INDEX events_shared ON events (server_seq) WHERE shared;

    -- Events the server could not apply: kept whole, with the reason, for the supervisor.
    CREATE TABLE quarantine (
        event_id    uuid PRIMARY KEY,
        station     text NOT NULL,
        station_seq bigint,
        kind        text NOT NULL,
        payload     jsonb NOT NULL,
        reason      text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );

    CREATE TABLE bookings (
        id              uuid PRIMARY KEY,
        student_id      uuid NOT NULL,
        order_no        text UNIQUE,
        school          text NOT NULL,
        id_number       text,
        student_no      text,
        capture_code    text UNIQUE,
        status          text NOT NULL CHECK (status IN
                            ('booked', 'captured', 'cancelled', 'refund_pending', 'refunded')),
        record          jsonb NOT NULL,
        station         text NOT NULL,
        received_at     timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX bookings_id_number ON bookings (id_number);
    CREATE INDEX bookings_student_no ON bookings (school, student_no);

    -- Content-addressed: the server computes the hash itself before it stores the bytes.
    CREATE TABLE photos (
        sha256      text PRIMARY KEY,
        bytes       bytea NOT NULL,
        received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT photos_hash_matches CHECK (sha256 = encode(sha256(bytes), 'hex'))
    );

    CREATE TABLE captures (
        id              uuid PRIMARY KEY,
        booking_id      uuid NOT NULL REFERENCES bookings (id),
        event_id        uuid NOT NULL,
        station         text NOT NULL,
        sha256          text NOT NULL REFERENCES photos (sha256),
        original_sha256 text,
        active          boolean NOT NULL,
        operator        text NOT NULL,
        captured_at     text NOT NULL,
        received_at     timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    -- Two accepted captures of one booking are impossible, whatever the stations do.
    CREATE UNIQUE INDEX captures_one_active ON captures (booking_id) WHERE active;

    -- Which station may shoot a booking, claimed online before the shot.
    CREATE TABLE claims (
        booking_id uuid PRIMARY KEY REFERENCES bookings (id),
        station    text NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );

    CREATE TABLE conflicts (
        id             bigserial PRIMARY KEY,
        kind           text NOT NULL CHECK (kind IN ('double_capture', 'capture_after_cancel',
                            'duplicate_walk_in', 'stale_correction')),
        booking_id     uuid,
        event_id       uuid NOT NULL,
        other          jsonb NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
        resolved_at    timestamptz,
        decision       text,
        decided_by     text
    );
    CREATE INDEX conflicts_open ON conflicts (id) WHERE resolved_at IS NULL;
    "#,
    // 2: refund marks (close-out's pending refunds, refunds done) and the conflict raised when
    // a station asks to refund a student another station photographed.
    r#"
    ALTER TABLE bookings ADD COLUMN refund_due date, ADD COLUMN refund_ref text;
    ALTER TABLE conflicts DROP CONSTRAINT conflicts_kind_check;
    ALTER TABLE conflicts ADD CONSTRAINT conflicts_kind_check CHECK (kind IN ('double_capture',
        'capture_after_cancel', 'duplicate_walk_in', 'stale_correction', 'refund_of_captured'));
    "#,
    // 3: the campus close-out. A station seals a school once the server holds all its events;
    // a station that cannot be reached is written off by the supervisor, with a reason. A
    // capture that arrives after the close is a `capture_after_close` conflict.
    r#"
    CREATE TABLE seals (
        station        text NOT NULL,
        school         text NOT NULL,
        through_seq    bigint NOT NULL,
        sealed_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
        written_off_by text,
        reason         text,
        PRIMARY KEY (station, school)
    );
    CREATE TABLE close_outs (
        id               uuid PRIMARY KEY,
        school           text NOT NULL,
        closed_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
        closed_by        text NOT NULL,
        due_date         date NOT NULL,
        refunded         integer NOT NULL,
        refund_total_fen bigint NOT NULL,
        written_off      jsonb NOT NULL
    );
    CREATE INDEX close_outs_school ON close_outs (school);
    ALTER TABLE conflicts DROP CONSTRAINT conflicts_kind_check;
    ALTER TABLE conflicts ADD CONSTRAINT conflicts_kind_check CHECK (kind IN ('double_capture',
        'capture_after_cancel', 'capture_after_close', 'duplicate_walk_in', 'stale_correction',
        'refund_of_captured'));
    "#,
    // 4: staff accounts for the whole campus: a supervisor signs in at any booth, and wrong PINs
    // count per account across every booth.
    r#"
    CREATE TABLE accounts (
        name          text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 32),
        role          text NOT NULL CHECK (role IN ('operator', 'staff', 'supervisor')),
        pin_hash      text NOT NULL,
        failed_count  integer NOT NULL DEFAULT 0,
        locked_until  timestamptz,
        disabled      boolean NOT NULL DEFAULT false,
        added_by      text NOT NULL,
        added_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
        last_login_at timestamptz,
        last_station  text
    );
    "#,
    // 5: one-time join codes instead of a reusable enrolment password (only each code's sha256
    // is kept), and revoked stations.
    r#"
    CREATE TABLE join_codes (
        code_sha256 text PRIMARY KEY,
        issued_by   text NOT NULL,
        issued_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
        expires_at  timestamptz NOT NULL,
        used_by     text,
        used_at     timestamptz
    );
    ALTER TABLE stations ADD COLUMN revoked_at timestamptz;
    DROP FUNCTION IF EXISTS campus_enrol(text, text);
    "#,
    // 6: supervisors sign in to the server: a PIN check the server verifies itself, tickets,
    // and the per-transaction supervision marker (see `supervision`).
    supervision::MIGRATION,
    // 7: no table changes. The station functions (recreated at every start) now make any
    // capture of a closed school a conflict, and a seal counts quarantined events; the version
    // keeps booths from relying on that before their server has it.
    "SELECT 1;",
];

/// The schema version this app needs.
pub fn known_version() -> i32 {
    MIGRATIONS.len() as i32
}

/// The server's schema version (0 for a database never set up).
pub fn server_version(client: &mut impl GenericClient) -> CampusResult<i32> {
    let exists: bool = client
        .query_one("SELECT to_regclass('campus_schema') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(0);
    }
    Ok(client
        .query_one("SELECT coalesce(max(version), 0) FROM campus_schema", &[])?
        .get(0))
}

/// Refuses a server whose schema is not the one this app was built for.
pub fn check_version(client: &mut impl GenericClient) -> CampusResult<()> {
    let found = server_version(client)?;
    let known = known_version();
    match found.cmp(&known) {
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Greater => Err(CampusError::ServerTooNew { found, known }),
        std::cmp::Ordering::Less => Err(CampusError::ServerTooOld { found, known }),
    }
}

/// Brings the schema up to date (as its owner), and (re)creates the station roles' grants and
/// the enrolment function. Safe to run again: applied versions are skipped.
pub fn migrate(client: &mut postgres::Client, enrol_password: &str) -> CampusResult<Vec<i32>> {
    let mut tx = client.transaction()?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS campus_schema (
             version    integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         );
         LOCK TABLE campus_schema IN EXCLUSIVE MODE;",
    )?;
    let found = server_version(&mut tx)?;
    let known = known_version();
    if found > known {
        return Err(CampusError::ServerTooNew { found, known });
    }
    let mut applied = Vec::new();
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = index as i32 + 1;
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO campus_schema (version) VALUES ($1)",
            &[&version],
        )?;
        applied.push(version);
    }
    ensure_roles(&mut tx, enrol_password)?;
    supervision::ensure(&mut tx)?;
    station_functions::ensure(&mut tx)?;
    ensure_session_limits(&mut tx)?;
    tx.commit()?;
    Ok(applied)
}

/// The SCRAM-SHA-256 verifier PostgreSQL stores for `password`: what a role's password is set to,
/// so that the password itself is never sent.
pub fn scram_verifier(password: &str) -> String {
    postgres_protocol::password::scram_sha_256(password.as_bytes())
}

/// `password` as the SQL literal a `CREATE/ALTER ROLE … PASSWORD` takes: PostgreSQL accepts no
/// parameters there. Only its SCRAM verifier is sent, so the password itself never reaches the
/// server (or its log), and `quote_literal` on the server does the quoting.
pub fn password_literal(client: &mut impl GenericClient, password: &str) -> CampusResult<String> {
    Ok(client
        .query_one("SELECT quote_literal($1)", &[&scram_verifier(password)])?
        .get(0))
}

/// How long a session may sit inside a transaction without a word, and so hold the events lock
/// every writer needs. A booth that loses the Wi-Fi mid-upload is cut off after this and its
/// transaction rolled back (the booth sends the batch again); without it, every booth's sync
/// would wait up to two hours, until TCP gave up.
pub const IDLE_IN_TRANSACTION_LIMIT: &str = "30s";
/// How long a session waits for a lock before its statement fails: longer than the idle limit,
/// so a waiter outlives a dead holder, and bounded, so that a booth's claim before a save gets
/// an answer (it is then saved offline) instead of waiting on a lock.
pub const LOCK_WAIT_LIMIT: &str = "45s";

/// The campus database's session limits (see the constants), and TCP keepalives that notice a
/// silent peer within a minute. Set on the database, so every login gets them, and the stations
/// cannot lift them for anyone but themselves.
fn ensure_session_limits(tx: &mut postgres::Transaction<'_>) -> CampusResult<()> {
    tx.batch_execute(&format!(
        "DO $$
         DECLARE
             setting record;
         BEGIN
             FOR setting IN SELECT * FROM (VALUES
                 ('idle_in_transaction_session_timeout', '{IDLE_IN_TRANSACTION_LIMIT}'),
                 ('lock_timeout', '{LOCK_WAIT_LIMIT}'),
                 ('tcp_keepalives_idle', '20'),
                 ('tcp_keepalives_interval', '5'),
                 ('tcp_keepalives_count', '4')) AS limits (name, value)
             LOOP
                 EXECUTE format('ALTER DATABASE %I SET %s = %L',
                                current_database(), setting.name, setting.value);
             END LOOP;
         END $$;"
    ))?;
    Ok(())
}

/// The station group, the enrolment login and what each may do.
fn ensure_roles(tx: &mut postgres::Transaction<'_>, enrol_password: &str) -> CampusResult<()> {
    let role_exists = |tx: &mut postgres::Transaction<'_>, name: &str| -> CampusResult<bool> {
        Ok(tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                &[&name],
            )?
            .get(0))
    };
    if !role_exists(tx, STATION_GROUP)? {
        tx.batch_execute(&format!("CREATE ROLE {STATION_GROUP} NOLOGIN"))?;
    }
    let literal = password_literal(tx, enrol_password)?;
    if role_exists(tx, ENROL_ROLE)? {
        tx.batch_execute(&format!("ALTER ROLE {ENROL_ROLE} LOGIN PASSWORD {literal}"))?;
    } else {
        tx.batch_execute(&format!(
            "CREATE ROLE {ENROL_ROLE} LOGIN PASSWORD {literal}"
        ))?;
    }
    tx.batch_execute(&format!(
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
         GRANT USAGE ON SCHEMA public TO {STATION_GROUP}, {ENROL_ROLE};
         GRANT SELECT ON campus_schema, stations TO {ENROL_ROLE};
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO {STATION_GROUP};
         REVOKE ALL ON join_codes FROM {STATION_GROUP};
         GRANT INSERT ON quarantine, bookings, photos, captures, claims, conflicts, seals,
             close_outs TO {STATION_GROUP};
         GRANT UPDATE ON bookings, captures, claims, conflicts, seals TO {STATION_GROUP};
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {STATION_GROUP};

         -- The server's order is the server's: a station may not pick `server_seq` (one far
         -- ahead would move every puller's cursor past all real changes) or the receive time.
         REVOKE INSERT ON events FROM {STATION_GROUP};
         GRANT INSERT (event_id, station, station_seq, kind, payload, outcome, shared,
             device_at) ON events TO {STATION_GROUP};
         -- Who may write which events: `station_functions`.
         ALTER TABLE events ENABLE ROW LEVEL SECURITY;
         DROP POLICY IF EXISTS events_read ON events;
         CREATE POLICY events_read ON events FOR SELECT TO {STATION_GROUP} USING (true);
         -- A station reports its own health, and nothing else: not its login (taking over
         -- another station), not its name, not another station's row.
         REVOKE UPDATE ON stations FROM {STATION_GROUP};
         -- Not `last_seq`: only the upload function moves it, and a seal trusts it.
         GRANT UPDATE (last_contact, clock_offset_ms, outbox_depth, photos_waiting)
             ON stations TO {STATION_GROUP};
         ALTER TABLE stations ENABLE ROW LEVEL SECURITY;
         DROP POLICY IF EXISTS stations_read ON stations;
         CREATE POLICY stations_read ON stations FOR SELECT TO {STATION_GROUP}, {ENROL_ROLE}
             USING (true);
         DROP POLICY IF EXISTS stations_own_row ON stations;
         CREATE POLICY stations_own_row ON stations FOR UPDATE TO {STATION_GROUP}
             USING (role_name = session_user) WITH CHECK (role_name = session_user);

         CREATE OR REPLACE FUNCTION campus_enrol(station_name text, station_password text,
                                                 join_code text)
         RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
         DECLARE
             login text := 'station_' || md5(station_name);
         BEGIN
             -- The code first, so that a wrong one learns nothing about station names.
             UPDATE join_codes SET used_by = station_name, used_at = clock_timestamp()
              WHERE code_sha256 = encode(sha256(convert_to(join_code, 'UTF8')), 'hex')
                AND used_by IS NULL AND expires_at > clock_timestamp();
             IF NOT FOUND THEN
                 RAISE EXCEPTION 'the join code is unknown, used or expired'
                     USING ERRCODE = 'invalid_authorization_specification';
             END IF;
             IF length(station_name) NOT BETWEEN 1 AND 64 THEN
                 RAISE EXCEPTION '站名须为 1–64 个字符 / a station name has 1 to 64 characters';
             END IF;
             -- A SCRAM verifier, never the password itself (which would reach the log).
             IF station_password NOT LIKE 'SCRAM-SHA-256$%' OR length(station_password) < 64 THEN
                 RAISE EXCEPTION 'the station login must be given as a SCRAM-SHA-256 verifier';
             END IF;
             IF EXISTS (SELECT 1 FROM stations WHERE name = station_name) THEN
                 RAISE EXCEPTION '站名 % 已被使用 / a station named % has already joined this campus', station_name, station_name
                     USING ERRCODE = 'unique_violation';
             END IF;
             EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE {STATION_GROUP}',
                            login, station_password);
             INSERT INTO stations (name, role_name) VALUES (station_name, login);
             RETURN login;
         END $$;
         REVOKE ALL ON FUNCTION campus_enrol(text, text, text) FROM PUBLIC;
         GRANT EXECUTE ON FUNCTION campus_enrol(text, text, text) TO {ENROL_ROLE};

         -- A one-time join code, valid for `minutes`, issued by a campus supervisor (a ticketed
         -- transaction at a booth) or by the campus owner on the server. Only its sha256 is
         -- kept; a few may be open per issuer at once.
         CREATE OR REPLACE FUNCTION campus_issue_join_code(minutes integer)
         RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
         DECLARE
             issuer text := campus_require_supervisor();
             code text := replace(gen_random_uuid()::text, '-', '');
         BEGIN
         IF minutes NOT BETWEEN 1 AND 60 THEN
                 RAISE EXCEPTION '加入码有效期为 1–60 分钟 / a join code is valid for 1 to 60 minutes';
             END IF;
             IF (SELECT count(*) FROM join_codes WHERE issued_by = issuer AND used_by IS NULL
                   AND expires_at > clock_timestamp()) >= {OPEN_JOIN_CODES} THEN
                 RAISE EXCEPTION '{OPEN_JOIN_CODES} join codes are open already: use or let them expire'
                     USING ERRCODE = 'configuration_limit_exceeded';
             END IF;
             INSERT INTO join_codes (code_sha256, issued_by, expires_at)
             VALUES (encode(sha256(convert_to(code, 'UTF8')), 'hex'), issuer,
                     clock_timestamp() + make_interval(mins => minutes));
             RETURN code;
         END $$;
         -- A campus supervisor (or the owner) revokes a station: its login stops working, its
         -- open connections and tickets end, and what it uploaded stays. Returns how many
         -- connections were ended (NULL: no such station).
         CREATE OR REPLACE FUNCTION campus_revoke_station(station_name text)
         RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
         DECLARE
             who text := campus_require_supervisor();
             login text;
             ended bigint := 0;
             other record;
         BEGIN
             SELECT role_name INTO login FROM stations WHERE name = station_name;
             IF login IS NULL THEN
                 RETURN NULL;
             END IF;
             IF login = session_user THEN
                 RAISE EXCEPTION 'a station does not revoke itself' USING ERRCODE = 'CS409';
             END IF;
             UPDATE stations SET revoked_at = coalesce(revoked_at, clock_timestamp())
              WHERE name = station_name;
             EXECUTE format('ALTER ROLE %I NOLOGIN', login);
             DELETE FROM tickets WHERE station_role = login;
             FOR other IN SELECT pid FROM pg_stat_activity WHERE usename = login LOOP
                 BEGIN
                     IF pg_terminate_backend(other.pid) THEN
                         ended := ended + 1;
                     END IF;
                 EXCEPTION WHEN insufficient_privilege THEN
                     -- A server run by someone else may not let the owner end connections:
                     -- the login is still refused from now on.
                     NULL;
                 END;
             END LOOP;
             RETURN ended;
         END $$;
         REVOKE ALL ON FUNCTION campus_revoke_station(text) FROM PUBLIC;
         GRANT EXECUTE ON FUNCTION campus_revoke_station(text) TO {STATION_GROUP};

         REVOKE ALL ON FUNCTION campus_issue_join_code(integer) FROM PUBLIC;
         GRANT EXECUTE ON FUNCTION campus_issue_join_code(integer) TO {STATION_GROUP};"
    ))?;
    Ok(())
}
