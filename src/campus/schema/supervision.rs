//! What the server lets a supervisor do, decided on the server: a supervisor signs in to the
//! campus (the PIN checked and the wrong PINs counted there), gets a short-lived ticket, and
//! starts each supervisor transaction with `campus_supervise(ticket)`. Row policies on the
//! supervisor's tables (conflict decisions, write-offs, close-outs, the campus's own events) let
//! a station's login write them only inside such a transaction, and triggers record the account
//! from the ticket, whatever text the client sent. Accounts are reached through functions only:
//! no station reads a PIN check value or makes a supervisor.
//!
//! The PIN check the server can verify itself: a booth hashes the PIN with Argon2id and the
//! account's salt and parameters (`campus_pin_params`, public), and sends the hash's output as
//! the proof; the server keeps only the proof's sha256. Guessing from a stolen server still costs
//! an Argon2id per guess, as it did; a station's login cannot read even that.
//!
//! Own SQLSTATEs: `CS401` no valid ticket, `CS403` the ticket's account is not a supervisor,
//! `CS410` the last supervisor would be disabled.

use postgres::Transaction;

use super::names::STATION_GROUP;
use crate::campus::CampusResult;

/// How long a ticket stays valid after its last use. The booth signs a supervisor out after
/// two idle minutes; this bounds what a copied ticket is worth.
pub const TICKET_MINUTES: i32 = 30;

/// Migration 6's SQL: the server-verifiable PIN check (moved from each account's Argon2 string,
/// which is dropped), tickets, and the per-transaction supervision marker.
pub(super) const MIGRATION: &str = r#"
    ALTER TABLE accounts ADD COLUMN pin_params text, ADD COLUMN pin_check text;
    UPDATE accounts SET
        pin_check = encode(sha256(convert_to(split_part(pin_hash, '$', 6), 'UTF8')), 'hex'),
        pin_params = left(pin_hash, length(pin_hash) - length(split_part(pin_hash, '$', 6)) - 1);
    ALTER TABLE accounts ALTER COLUMN pin_params SET NOT NULL,
        ALTER COLUMN pin_check SET NOT NULL, DROP COLUMN pin_hash;

    CREATE TABLE tickets (
        ticket_sha256 text PRIMARY KEY,
        account       text NOT NULL REFERENCES accounts (name),
        station_role  text NOT NULL,
        station       text NOT NULL,
        issued_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
        expires_at    timestamptz NOT NULL
    );
    -- Which transaction a ticket opened: (backend, transaction id) never repeats while the
    -- server runs, and a rolled-back transaction takes its row with it.
    CREATE TABLE supervising (
        backend_pid integer NOT NULL,
        xact        xid8 NOT NULL,
        account     text NOT NULL,
        station     text NOT NULL,
        PRIMARY KEY (backend_pid, xact)
    );
    -- A key for the made-up salts of unknown names, so that a salt does not tell whether an
    -- account exists.
    CREATE TABLE campus_secret (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        salt_key text NOT NULL
    );
    INSERT INTO campus_secret (salt_key)
    VALUES (replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''));
"#;

/// (Re)creates the supervision functions, the row policies and triggers that rest on them, and
/// the grants. Run by every migration, after the tables exist.
pub(super) fn ensure(tx: &mut Transaction<'_>) -> CampusResult<()> {
    let lockout_after = crate::store::accounts::LOCKOUT_AFTER as i32;
    let first_lock = crate::store::accounts::FIRST_LOCK_SECS;
    let max_lock = crate::store::accounts::MAX_LOCK_SECS;
    let ticket_minutes = TICKET_MINUTES;
    tx.batch_execute(&format!(
        r#"
        REVOKE ALL ON accounts, tickets, supervising, campus_secret FROM {STATION_GROUP};
        -- What a supervisor's list shows: never the PIN's salt or check value.
        GRANT SELECT (name, role, failed_count, locked_until, disabled, added_by, added_at,
            last_login_at, last_station) ON accounts TO {STATION_GROUP};

        -- The calling station, if its login is a station's and not revoked.
        CREATE OR REPLACE FUNCTION campus_station_name() RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
            SELECT name FROM stations WHERE role_name = session_user AND revoked_at IS NULL
        $$;

        -- The supervisor (`account@station`) this transaction was opened for, or NULL.
        CREATE OR REPLACE FUNCTION campus_supervisor() RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
            SELECT account || '@' || station FROM supervising
             WHERE backend_pid = pg_backend_pid() AND xact = pg_current_xact_id_if_assigned()
        $$;

        -- An account's Argon2id salt and parameters; a made-up, stable one for an unknown name.
        CREATE OR REPLACE FUNCTION campus_pin_params(account_name text) RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
            SELECT coalesce(
                (SELECT pin_params FROM accounts WHERE name = account_name),
                '$argon2id$v=19$m=19456,t=2,p=1$' || rtrim(encode(substr(sha256(convert_to(
                    account_name || (SELECT salt_key FROM campus_secret), 'UTF8')), 1, 16),
                    'base64'), '='))
        $$;

        -- The length of the lock after `failures` wrong PINs in a row (the booth's own rule).
        CREATE OR REPLACE FUNCTION campus_lock_seconds(failures integer) RETURNS float8
        LANGUAGE sql IMMUTABLE AS $$
            SELECT CASE WHEN failures < {lockout_after} THEN NULL ELSE
                least({first_lock}::float8 * 2 ^ least(failures - {lockout_after}, 10),
                      {max_lock})::float8 END
        $$;

        -- Signs an account in at the calling station: the proof is checked and wrong ones are
        -- counted here, for every booth. Accepted, it returns a ticket for this station only.
        -- A proof made with other parameters than the account's now (it was brought or its PIN
        -- set since the booth asked) is neither checked nor counted: the booth asks again.
        CREATE OR REPLACE FUNCTION campus_sign_in(account_name text, used_params text, proof text)
        RETURNS TABLE (outcome text, account_role text, remaining integer,
                       locked_seconds float8, ticket text)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            here text := campus_station_name();
            found_account accounts%ROWTYPE;
            failures integer;
            lock_for float8;
            new_ticket text;
        BEGIN
            IF here IS NULL THEN
                RAISE EXCEPTION 'only a station of this campus signs in'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            SELECT * INTO found_account FROM accounts WHERE name = account_name FOR UPDATE;
            IF NOT FOUND THEN
                RETURN QUERY SELECT 'unknown', NULL::text, {lockout_after}, NULL::float8, NULL::text;
                RETURN;
            END IF;
            IF found_account.disabled THEN
                RETURN QUERY SELECT 'wrong_pin', NULL::text, {lockout_after}, NULL::float8, NULL::text;
                RETURN;
            END IF;
            IF used_params IS DISTINCT FROM found_account.pin_params THEN
                RETURN QUERY SELECT 'params_changed', NULL::text, {lockout_after}, NULL::float8,
                    NULL::text;
                RETURN;
            END IF;
            IF found_account.locked_until > clock_timestamp() THEN
                RETURN QUERY SELECT 'locked', NULL::text, 0, extract(epoch FROM
                    found_account.locked_until - clock_timestamp())::float8, NULL::text;
                RETURN;
            END IF;
            IF encode(sha256(convert_to(coalesce(proof, ''), 'UTF8')), 'hex')
                   IS DISTINCT FROM found_account.pin_check THEN
                failures := greatest(found_account.failed_count, 0) + 1;
                lock_for := campus_lock_seconds(failures);
                UPDATE accounts SET failed_count = failures,
                       locked_until = clock_timestamp() + make_interval(secs => lock_for)
                 WHERE name = account_name;
                RETURN QUERY SELECT CASE WHEN lock_for IS NULL THEN 'wrong_pin' ELSE 'locked' END,
                    NULL::text, greatest({lockout_after} - failures, 0), lock_for, NULL::text;
                RETURN;
            END IF;
            UPDATE accounts SET failed_count = 0, locked_until = NULL,
                   last_login_at = clock_timestamp(), last_station = here
             WHERE name = account_name;
            DELETE FROM tickets WHERE expires_at < clock_timestamp();
            new_ticket := replace(gen_random_uuid()::text, '-', '')
                       || replace(gen_random_uuid()::text, '-', '');
            INSERT INTO tickets (ticket_sha256, account, station_role, station, expires_at)
            VALUES (encode(sha256(convert_to(new_ticket, 'UTF8')), 'hex'), account_name,
                    session_user, here,
                    clock_timestamp() + make_interval(mins => {ticket_minutes}));
            RETURN QUERY SELECT 'accepted', found_account.role, {lockout_after}, NULL::float8,
                new_ticket;
        END $$;

        -- Ends a ticket (the supervisor signed out).
        CREATE OR REPLACE FUNCTION campus_end_ticket(ticket text) RETURNS void
        LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
            DELETE FROM tickets WHERE ticket_sha256 = encode(sha256(convert_to(ticket, 'UTF8')), 'hex')
               AND station_role = session_user
        $$;

        -- Opens the calling transaction for the ticket's supervisor: refused for an unknown or
        -- expired ticket, another station's, or an account that is no longer a supervisor.
        CREATE OR REPLACE FUNCTION campus_supervise(ticket text) RETURNS text
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            held tickets%ROWTYPE;
        BEGIN
            SELECT * INTO held FROM tickets
             WHERE ticket_sha256 = encode(sha256(convert_to(coalesce(ticket, ''), 'UTF8')), 'hex')
               AND station_role = session_user AND expires_at > clock_timestamp()
             FOR UPDATE;
            IF NOT FOUND OR campus_station_name() IS NULL THEN
                RAISE EXCEPTION 'no valid supervisor ticket: sign in again while the campus is reachable'
                    USING ERRCODE = 'CS401';
            END IF;
            IF NOT EXISTS (SELECT 1 FROM accounts WHERE name = held.account
                             AND role = 'supervisor' AND NOT disabled) THEN
                RAISE EXCEPTION 'the account % is not a campus supervisor', held.account
                    USING ERRCODE = 'CS403';
            END IF;
            UPDATE tickets SET expires_at = clock_timestamp() + make_interval(mins => {ticket_minutes})
             WHERE ticket_sha256 = held.ticket_sha256;
            DELETE FROM supervising WHERE backend_pid = pg_backend_pid();
            INSERT INTO supervising (backend_pid, xact, account, station)
            VALUES (pg_backend_pid(), pg_current_xact_id(), held.account, held.station);
            RETURN held.account || '@' || held.station;
        END $$;

        -- Refuses a caller that is neither the campus owner nor a ticketed supervisor.
        CREATE OR REPLACE FUNCTION campus_require_supervisor() RETURNS text
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            who text := campus_supervisor();
        BEGIN
            IF who IS NOT NULL THEN
                RETURN who;
            END IF;
            IF session_user = current_user THEN
                RETURN 'server';
            END IF;
            RAISE EXCEPTION 'a campus supervisor''s ticket is needed'
                USING ERRCODE = 'CS401';
        END $$;

        -- An account a booth brought with it, taken in while the campus has no supervisor (how
        -- the first one is set up); afterwards accounts are made by a campus supervisor.
        CREATE OR REPLACE FUNCTION campus_adopt_account(account_name text, account_role text,
                                                        params text, proof text)
        RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            here text := campus_station_name();
        BEGIN
            IF here IS NULL THEN
                RAISE EXCEPTION 'only a station of this campus brings accounts'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE;
            IF EXISTS (SELECT 1 FROM accounts WHERE name = account_name) THEN
                RETURN 'exists';
            END IF;
            IF EXISTS (SELECT 1 FROM accounts WHERE role = 'supervisor' AND NOT disabled) THEN
                RETURN 'campus_has_supervisors';
            END IF;
            PERFORM campus_check_pin_fields(params, proof);
            INSERT INTO accounts (name, role, pin_params, pin_check, added_by, last_login_at,
                                  last_station)
            VALUES (account_name, account_role, params,
                    encode(sha256(convert_to(proof, 'UTF8')), 'hex'), here, clock_timestamp(), here);
            RETURN 'adopted';
        END $$;

        CREATE OR REPLACE FUNCTION campus_check_pin_fields(params text, proof text) RETURNS void
        LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
            IF params !~ '^\$argon2id\$v=19\$m=[0-9]{{1,7}},t=[0-9]{{1,3}},p=[0-9]{{1,2}}\$[A-Za-z0-9+/]{{11,64}}$'
               OR proof !~ '^[A-Za-z0-9+/]{{22,128}}$' THEN
                RAISE EXCEPTION 'a PIN is given as Argon2id parameters and the hash''s output';
            END IF;
        END $$;

        -- A supervisor adds an account for the whole campus; false if the name is taken.
        CREATE OR REPLACE FUNCTION campus_add_account(account_name text, account_role text,
                                                      params text, proof text)
        RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            who text := campus_require_supervisor();
        BEGIN
            PERFORM campus_check_pin_fields(params, proof);
            INSERT INTO accounts (name, role, pin_params, pin_check, added_by)
            VALUES (account_name, account_role, params,
                    encode(sha256(convert_to(proof, 'UTF8')), 'hex'), who)
            ON CONFLICT (name) DO NOTHING;
            RETURN FOUND;
        END $$;

        -- A supervisor sets a new PIN, which ends the account's lock and its tickets. Returns
        -- the account's role (NULL: no such account).
        CREATE OR REPLACE FUNCTION campus_reset_pin(account_name text, params text, proof text)
        RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            who text := campus_require_supervisor();
            kept_role text;
        BEGIN
            PERFORM campus_check_pin_fields(params, proof);
            UPDATE accounts SET pin_params = params,
                   pin_check = encode(sha256(convert_to(proof, 'UTF8')), 'hex'),
                   failed_count = 0, locked_until = NULL
             WHERE name = account_name RETURNING role INTO kept_role;
            DELETE FROM tickets WHERE account = account_name;
            RETURN kept_role;
        END $$;

        -- A supervisor stops an account at every booth (its tickets end), or lets it again.
        CREATE OR REPLACE FUNCTION campus_set_disabled(account_name text, stop boolean)
        RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            who text := campus_require_supervisor();
            kept_role text;
        BEGIN
            LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE;
            UPDATE accounts SET disabled = stop WHERE name = account_name
            RETURNING role INTO kept_role;
            IF stop AND kept_role = 'supervisor' AND NOT EXISTS (SELECT 1 FROM accounts
                   WHERE role = 'supervisor' AND NOT disabled) THEN
                RAISE EXCEPTION 'the campus would have no supervisor left' USING ERRCODE = 'CS410';
            END IF;
            IF stop THEN
                DELETE FROM tickets WHERE account = account_name;
            END IF;
            RETURN kept_role;
        END $$;

        -- The supervisor's tables: a station's login writes them only inside a ticketed
        -- transaction, and the account recorded is the ticket's.
        CREATE OR REPLACE FUNCTION campus_record_supervisor() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            who text := campus_supervisor();
        BEGIN
            IF who IS NOT NULL THEN
                -- Nested: a condition naming a column another table lacks would fail there.
                IF TG_TABLE_NAME = 'conflicts' THEN
                    NEW.decided_by := who;
                ELSIF TG_TABLE_NAME = 'close_outs' THEN
                    NEW.closed_by := who;
                ELSIF TG_TABLE_NAME = 'seals' THEN
                    IF NEW.written_off_by IS NOT NULL THEN
                        NEW.written_off_by := who;
                    END IF;
                ELSIF TG_TABLE_NAME = 'events' THEN
                    IF NEW.payload ? 'decided_by' THEN
                        NEW.payload := jsonb_set(NEW.payload, '{{decided_by}}', to_jsonb(who));
                    END IF;
                END IF;
            END IF;
            RETURN NEW;
        END $$;
        DROP TRIGGER IF EXISTS conflicts_record_supervisor ON conflicts;
        CREATE TRIGGER conflicts_record_supervisor BEFORE UPDATE ON conflicts
            FOR EACH ROW EXECUTE FUNCTION campus_record_supervisor();
        DROP TRIGGER IF EXISTS close_outs_record_supervisor ON close_outs;
        CREATE TRIGGER close_outs_record_supervisor BEFORE INSERT ON close_outs
            FOR EACH ROW EXECUTE FUNCTION campus_record_supervisor();
        DROP TRIGGER IF EXISTS seals_record_supervisor ON seals;
        CREATE TRIGGER seals_record_supervisor BEFORE INSERT OR UPDATE ON seals
            FOR EACH ROW EXECUTE FUNCTION campus_record_supervisor();
        DROP TRIGGER IF EXISTS events_record_supervisor ON events;
        CREATE TRIGGER events_record_supervisor BEFORE INSERT ON events
            FOR EACH ROW WHEN (NEW.station = 'server')
            EXECUTE FUNCTION campus_record_supervisor();

        -- Conflicts: raised by a station's upload (`station_functions`), decided only by a
        -- supervisor.
        ALTER TABLE conflicts ENABLE ROW LEVEL SECURITY;
        DROP POLICY IF EXISTS conflicts_read ON conflicts;
        CREATE POLICY conflicts_read ON conflicts FOR SELECT TO {STATION_GROUP} USING (true);
        DROP POLICY IF EXISTS conflicts_decide ON conflicts;
        CREATE POLICY conflicts_decide ON conflicts FOR UPDATE TO {STATION_GROUP}
            USING (campus_supervisor() IS NOT NULL) WITH CHECK (campus_supervisor() IS NOT NULL);

        -- Seals: a station seals its own school, and only through the events the server holds
        -- from it; writing a station off is a supervisor's.
        ALTER TABLE seals ENABLE ROW LEVEL SECURITY;
        DROP POLICY IF EXISTS seals_read ON seals;
        CREATE POLICY seals_read ON seals FOR SELECT TO {STATION_GROUP} USING (true);
        DROP POLICY IF EXISTS seals_write ON seals;
        CREATE POLICY seals_write ON seals FOR INSERT TO {STATION_GROUP}
            WITH CHECK (campus_supervisor() IS NOT NULL OR (station = campus_station_name()
                AND written_off_by IS NULL AND through_seq = (SELECT coalesce(max(k.last_seq), 0)
                    FROM stations k WHERE k.name = seals.station)));
        DROP POLICY IF EXISTS seals_rewrite ON seals;
        CREATE POLICY seals_rewrite ON seals FOR UPDATE TO {STATION_GROUP}
            USING (campus_supervisor() IS NOT NULL OR station = campus_station_name())
            WITH CHECK (campus_supervisor() IS NOT NULL OR (station = campus_station_name()
                AND written_off_by IS NULL AND through_seq = (SELECT coalesce(max(k.last_seq), 0)
                    FROM stations k WHERE k.name = seals.station)));

        -- Close-outs: a supervisor's only.
        ALTER TABLE close_outs ENABLE ROW LEVEL SECURITY;
        DROP POLICY IF EXISTS close_outs_read ON close_outs;
        CREATE POLICY close_outs_read ON close_outs FOR SELECT TO {STATION_GROUP} USING (true);
        DROP POLICY IF EXISTS close_outs_write ON close_outs;
        CREATE POLICY close_outs_write ON close_outs FOR INSERT TO {STATION_GROUP}
            WITH CHECK (campus_supervisor() IS NOT NULL);


        REVOKE ALL ON FUNCTION campus_station_name(), campus_supervisor(),
            campus_pin_params(text), campus_sign_in(text, text, text), campus_end_ticket(text),
            campus_supervise(text), campus_require_supervisor(),
            campus_adopt_account(text, text, text, text),
            campus_add_account(text, text, text, text), campus_reset_pin(text, text, text),
            campus_set_disabled(text, boolean) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION campus_station_name(), campus_supervisor(),
            campus_pin_params(text), campus_sign_in(text, text, text), campus_end_ticket(text),
            campus_supervise(text), campus_require_supervisor(),
            campus_adopt_account(text, text, text, text),
            campus_add_account(text, text, text, text), campus_reset_pin(text, text, text),
            campus_set_disabled(text, boolean) TO {STATION_GROUP};
        "#
    ))?;
    Ok(())
}
