//! What a station writes, it writes through functions the server owns: uploading an event (with
//! its photo), claiming a booking before a shot, storing a photo on its own. Each takes the
//! station from the login (`session_user`), never from the payload, checks every field, and
//! applies the campus's rules itself: an upload can no longer skip them by writing the tables.
//! Row policies then keep a station's login from writing the shared tables directly; a
//! supervisor's ticketed transaction still may (`supervision`).
//!
//! `campus_upload_event` answers `applied`, `conflict`, `quarantined`, `duplicate` or
//! `gap N` (the server wants sequence number N next). An event the rules refuse is kept whole
//! in `quarantine` with the reason, as before; a transient failure (a lock wait, a cancelled
//! statement) fails the call instead, so that the batch is sent again.

use postgres::Transaction;

use super::names::{CHANGES_CHANNEL, EVENTS_LOCK, STATION_GROUP};
use crate::campus::CampusResult;
use crate::domain::CorrectableField;
use crate::domain::changes::refund_status;

pub(super) fn ensure(tx: &mut Transaction<'_>) -> CampusResult<()> {
    let fields = CorrectableField::ALL
        .iter()
        .map(|field| format!("'{}'", field.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let pending = refund_status::PENDING;
    let refunded = refund_status::REFUNDED;
    tx.batch_execute(&format!(
        r#"
        -- Refuses a payload that lacks one of `keys` (a booth could not read it back).
        CREATE OR REPLACE FUNCTION campus_require_keys(payload jsonb, what text, keys text[])
        RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
            IF jsonb_typeof(payload) IS DISTINCT FROM 'object' OR NOT payload ?& keys THEN
                RAISE EXCEPTION '% payload: needs %', what, array_to_string(keys, ', ');
            END IF;
        END $$;

        CREATE OR REPLACE FUNCTION campus_set_record_field(booking uuid, field text, value text)
        RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            IF field NOT IN ({fields}) THEN
                RAISE EXCEPTION 'unknown correctable field ''%''', field;
            END IF;
            UPDATE bookings SET record = jsonb_set(record, ARRAY[field],
                   CASE WHEN value IS NULL THEN 'null'::jsonb ELSE to_jsonb(value) END)
             WHERE id = booking;
            IF field = 'id_number' THEN
                UPDATE bookings SET id_number = value WHERE id = booking;
            ELSIF field = 'student_no' THEN
                UPDATE bookings SET student_no = value WHERE id = booking;
            ELSIF field = 'school' THEN
                UPDATE bookings SET school = value WHERE id = booking;
            END IF;
        END $$;

        -- A booking's status, its row locked until the event's work ends; unknown: refused.
        CREATE OR REPLACE FUNCTION campus_lock_booking(booking uuid) RETURNS text
        LANGUAGE plpgsql AS $$
        DECLARE
            found_status text;
        BEGIN
            SELECT status INTO found_status FROM bookings WHERE id = booking FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'the server has no booking %', booking;
            END IF;
            RETURN found_status;
        END $$;

        -- One event's rules (see `campus_upload_event`): what it changes, and whether the
        -- stations pull it.
        CREATE OR REPLACE FUNCTION campus_apply_event(here text, event uuid, event_kind text,
                                                      payload jsonb, photo bytea,
                                                      OUT outcome text, OUT shared boolean)
        LANGUAGE plpgsql AS $$
        DECLARE
            booking uuid;
            b jsonb;
            twin uuid;
            capture uuid;
            digest text;
            found_status text;
            active_id uuid;
            active_station text;
            holder text;
            stale boolean;
            conflict_kind text;
            other jsonb;
            kept_value text;
            changed bigint;
        BEGIN
            outcome := 'applied';
            shared := true;
            IF event_kind = 'booking' THEN
                PERFORM campus_require_keys(payload, 'booking',
                    ARRAY['booking_id', 'student_id', 'booking']);
                b := payload->'booking';
                PERFORM campus_require_keys(b, 'booking', ARRAY['source', 'name', 'has_id_card',
                    'school', 'amount_fen', 'payment_method']);
                IF coalesce(b->>'name', '') = '' OR coalesce(b->>'school', '') = '' THEN
                    RAISE EXCEPTION 'booking payload: a booking needs a name and a school';
                END IF;
                booking := (payload->>'booking_id')::uuid;
                SELECT id INTO twin FROM bookings
                 WHERE id <> booking AND ((b->>'id_number' IS NOT NULL
                           AND id_number = b->>'id_number')
                       OR (b->>'student_no' IS NOT NULL AND school = b->>'school'
                           AND student_no = b->>'student_no'))
                 ORDER BY received_at LIMIT 1;
                INSERT INTO bookings (id, student_id, order_no, school, id_number, student_no,
                                      capture_code, status, record, station)
                VALUES (booking, (payload->>'student_id')::uuid, b->>'order_no', b->>'school',
                        b->>'id_number', b->>'student_no', b->>'capture_code', 'booked', b, here);
                IF twin IS NOT NULL THEN
                    INSERT INTO conflicts (kind, booking_id, event_id, other)
                    VALUES ('duplicate_walk_in', booking, event,
                            jsonb_build_object('booking_id', twin::text));
                    -- Both kept and spread: each booth may hold a photo of one of them.
                    outcome := 'conflict';
                END IF;
            ELSIF event_kind = 'capture' THEN
                PERFORM campus_require_keys(payload, 'capture', ARRAY['capture_id', 'booking_id',
                    'sha256', 'spec_ok', 'overridden', 'retake', 'operator', 'captured_at',
                    'spec_report']);
                capture := (payload->>'capture_id')::uuid;
                booking := (payload->>'booking_id')::uuid;
                digest := payload->>'sha256';
                IF digest IS NULL OR digest !~ '^[0-9a-f]{{64}}$'
                   OR coalesce(payload->>'original_sha256', digest) !~ '^[0-9a-f]{{64}}$' THEN
                    RAISE EXCEPTION 'capture payload: a sha256 is 64 lowercase hex digits';
                END IF;
                IF photo IS NOT NULL THEN
                    IF encode(sha256(photo), 'hex') <> digest THEN
                        RAISE EXCEPTION 'the photo''s bytes do not match its sha256';
                    END IF;
                    INSERT INTO photos (sha256, bytes) VALUES (digest, photo)
                    ON CONFLICT (sha256) DO NOTHING;
                ELSIF NOT EXISTS (SELECT 1 FROM photos WHERE sha256 = digest) THEN
                    RAISE EXCEPTION '照片未随采集事件上传 / the capture came without its photo';
                END IF;
                found_status := campus_lock_booking(booking);
                SELECT id, station INTO active_id, active_station FROM captures
                 WHERE booking_id = booking AND active;
                SELECT station, claimed_at < clock_timestamp() - interval '10 minutes'
                  INTO holder, stale FROM claims WHERE booking_id = booking;
                -- A closed school takes no capture from any station, one that joined after
                -- the close included: its refunds were decided on the captures held then.
                IF EXISTS (SELECT 1 FROM close_outs c JOIN bookings k ON k.school = c.school
                            WHERE k.id = booking) THEN
                    conflict_kind := 'capture_after_close';
                    other := jsonb_build_object('status', found_status);
                ELSIF found_status IN ('cancelled', 'refund_pending', 'refunded') THEN
                    conflict_kind := 'capture_after_cancel';
                    other := jsonb_build_object('status', found_status);
                ELSIF active_id IS NOT NULL THEN
                    IF NOT (coalesce((payload->>'retake')::boolean, false)
                            AND active_station = here) THEN
                        conflict_kind := 'double_capture';
                        other := jsonb_build_object('capture_id', active_id::text,
                                                    'station', active_station);
                    END IF;
                ELSIF holder IS NOT NULL AND holder <> here AND NOT stale THEN
                    conflict_kind := 'double_capture';
                    other := jsonb_build_object('claimed_by', holder, 'capture_id', NULL);
                END IF;
                IF conflict_kind IS NULL THEN
                    UPDATE captures SET active = false WHERE booking_id = booking AND active;
                END IF;
                INSERT INTO captures (id, booking_id, event_id, station, sha256, original_sha256,
                                      active, operator, captured_at)
                VALUES (capture, booking, event, here, digest, payload->>'original_sha256',
                        conflict_kind IS NULL, payload->>'operator', payload->>'captured_at');
                IF conflict_kind IS NULL THEN
                    UPDATE bookings SET status = 'captured' WHERE id = booking;
                    INSERT INTO claims (booking_id, station) VALUES (booking, here)
                    ON CONFLICT (booking_id) DO UPDATE SET station = EXCLUDED.station;
                ELSE
                    INSERT INTO conflicts (kind, booking_id, event_id, other)
                    VALUES (conflict_kind, booking, event, other);
                    outcome := 'conflict';
                    shared := false;
                END IF;
            ELSIF event_kind = 'correction' THEN
                PERFORM campus_require_keys(payload, 'correction', ARRAY['booking_id',
                    'student_id', 'field', 'reason', 'who']);
                booking := (payload->>'booking_id')::uuid;
                IF payload->>'field' IS NULL OR payload->>'field' NOT IN ({fields}) THEN
                    RAISE EXCEPTION 'unknown correctable field ''%''', payload->>'field';
                END IF;
                SELECT record->>(payload->>'field') INTO kept_value FROM bookings
                 WHERE id = booking FOR UPDATE;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'the server has no booking %', booking;
                END IF;
                IF kept_value IS NOT DISTINCT FROM payload->>'old_value' THEN
                    PERFORM campus_set_record_field(booking, payload->>'field',
                                                    payload->>'new_value');
                ELSE
                    INSERT INTO conflicts (kind, booking_id, event_id, other)
                    VALUES ('stale_correction', booking, event, jsonb_build_object(
                        'field', payload->>'field', 'server_value', kept_value,
                        'station_saw', payload->'old_value',
                        'station_wanted', payload->'new_value'));
                    outcome := 'conflict';
                    shared := false;
                END IF;
            ELSIF event_kind = 'refund' THEN
                -- Only a booking nobody on the campus photographed, and that no other booth
                -- claimed a moment ago, is refunded; otherwise the supervisor decides.
                PERFORM campus_require_keys(payload, 'refund', ARRAY['booking_id', 'status',
                    'who']);
                booking := (payload->>'booking_id')::uuid;
                found_status := campus_lock_booking(booking);
                SELECT station INTO holder FROM (
                    SELECT station FROM captures WHERE booking_id = booking AND active
                    UNION ALL
                    SELECT station FROM claims WHERE booking_id = booking AND station <> here
                       AND claimed_at >= clock_timestamp() - interval '10 minutes') s
                 LIMIT 1;
                IF found_status = 'captured' OR holder IS NOT NULL THEN
                    INSERT INTO conflicts (kind, booking_id, event_id, other)
                    VALUES ('refund_of_captured', booking, event, jsonb_build_object(
                        'station', holder, 'status', found_status, 'refund', payload));
                    outcome := 'conflict';
                    shared := false;
                ELSIF payload->>'status' = '{pending}' THEN
                    UPDATE bookings SET status = 'refund_pending',
                           refund_due = (payload->>'due_date')::date
                     WHERE id = booking AND status = 'booked';
                    GET DIAGNOSTICS changed = ROW_COUNT;
                    shared := changed > 0;
                ELSIF payload->>'status' = '{refunded}' THEN
                    UPDATE bookings SET status = 'refunded', refund_ref = payload->>'reference'
                     WHERE id = booking AND status IN ('booked', 'cancelled', 'refund_pending');
                    GET DIAGNOSTICS changed = ROW_COUNT;
                    -- Already closed by another station's close-out: nothing new to tell.
                    shared := changed > 0;
                ELSE
                    RAISE EXCEPTION 'unknown refund status ''%''', payload->>'status';
                END IF;
            ELSIF event_kind = 'exception' THEN
                -- Audit only: held with the campus's log, changes no booking, not spread.
                PERFORM campus_require_keys(payload, 'exception', ARRAY['what', 'booking_id',
                    'who']);
                shared := false;
            ELSE
                RAISE EXCEPTION '未知的事件类型 / unknown event kind ''%''', event_kind;
            END IF;
        END $$;

        -- Uploads one event of the calling station, in the station's order (see the module
        -- doc); the batch is the caller's transaction.
        CREATE OR REPLACE FUNCTION campus_upload_event(event uuid, station_seq bigint,
                                                       event_kind text, payload jsonb,
                                                       device_at text, photo bytea)
        RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            here text := campus_station_name();
            held_seq bigint;
            applied record;
            reason text;
        BEGIN
            IF here IS NULL THEN
                RAISE EXCEPTION 'only a station of this campus uploads'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF event IS NULL OR station_seq IS NULL OR event_kind IS NULL OR payload IS NULL THEN
                RAISE EXCEPTION 'an event needs its id, sequence number, kind and payload';
            END IF;
            PERFORM pg_advisory_xact_lock({EVENTS_LOCK});
            IF EXISTS (SELECT 1 FROM events e WHERE e.event_id = event)
               OR EXISTS (SELECT 1 FROM quarantine q WHERE q.event_id = event) THEN
                RETURN 'duplicate';
            END IF;
            SELECT s.last_seq INTO held_seq FROM stations s WHERE s.name = here FOR UPDATE;
            IF station_seq > held_seq + 1 THEN
                RETURN 'gap ' || (held_seq + 1);
            END IF;
            IF station_seq <= held_seq THEN
                -- A number already used by another event: a restored backup reusing its
                -- sequence. Kept for the supervisor, never applied blind.
                reason := '序号已被另一事件使用 / sequence number already used by another event from this station';
            ELSE
                UPDATE stations SET last_seq = station_seq, last_contact = now()
                 WHERE name = here;
                BEGIN
                    applied := campus_apply_event(here, event, event_kind, payload, photo);
                    INSERT INTO events (event_id, station, station_seq, kind, payload, outcome,
                                        shared, device_at)
                    VALUES (event, here, station_seq, event_kind, payload, applied.outcome,
                            applied.shared, device_at);
                    IF applied.shared THEN
                        PERFORM pg_notify('{CHANGES_CHANNEL}', '');
                    END IF;
                    RETURN applied.outcome;
                EXCEPTION
                    WHEN lock_not_available OR query_canceled OR serialization_failure
                         OR deadlock_detected OR admin_shutdown THEN
                        RAISE;
                    WHEN OTHERS THEN
                        reason := '服务器拒绝 / refused by the server: ' || SQLERRM;
                END;
            END IF;
            INSERT INTO quarantine (event_id, station, station_seq, kind, payload, reason)
            VALUES (event, here, station_seq, event_kind, payload, reason)
            ON CONFLICT (event_id) DO NOTHING;
            RETURN 'quarantined';
        END $$;

        -- Claims a booking for the calling station before a shot: 'won', 'unknown' (the server
        -- does not hold it yet) or 'lost' with the station that holds it. A claim with no
        -- capture behind it for 10 minutes no longer blocks another station.
        CREATE OR REPLACE FUNCTION campus_claim(booking uuid, OUT answer text, OUT holder text)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            here text := campus_station_name();
        BEGIN
            IF here IS NULL THEN
                RAISE EXCEPTION 'only a station of this campus claims'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF NOT EXISTS (SELECT 1 FROM bookings WHERE id = booking) THEN
                answer := 'unknown';
                RETURN;
            END IF;
            INSERT INTO claims AS c (booking_id, station)
            SELECT booking, here WHERE NOT EXISTS
                (SELECT 1 FROM captures WHERE booking_id = booking AND active AND station <> here)
            ON CONFLICT (booking_id) DO UPDATE SET station = EXCLUDED.station,
                claimed_at = clock_timestamp()
            WHERE c.station = EXCLUDED.station
               OR (c.claimed_at < clock_timestamp() - interval '10 minutes'
                   AND NOT EXISTS (SELECT 1 FROM captures k
                                   WHERE k.booking_id = c.booking_id AND k.active))
            RETURNING c.station INTO holder;
            IF holder IS NOT NULL THEN
                answer := 'won';
                RETURN;
            END IF;
            answer := 'lost';
            holder := coalesce(
                (SELECT station FROM captures WHERE booking_id = booking AND active),
                (SELECT station FROM claims WHERE booking_id = booking), '');
        END $$;

        -- Stores a photo the calling station holds; the server computes its hash.
        CREATE OR REPLACE FUNCTION campus_put_photo(digest text, bytes bytea) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            IF campus_station_name() IS NULL THEN
                RAISE EXCEPTION 'only a station of this campus stores photos'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF encode(sha256(bytes), 'hex') IS DISTINCT FROM digest THEN
                RAISE EXCEPTION 'the photo''s bytes do not match its sha256'
                    USING ERRCODE = 'check_violation';
            END IF;
            INSERT INTO photos (sha256, bytes) VALUES (digest, bytes)
            ON CONFLICT (sha256) DO NOTHING;
        END $$;

        REVOKE ALL ON FUNCTION campus_require_keys(jsonb, text, text[]),
            campus_set_record_field(uuid, text, text), campus_lock_booking(uuid),
            campus_apply_event(text, uuid, text, jsonb, bytea) FROM PUBLIC;
        REVOKE ALL ON FUNCTION campus_upload_event(uuid, bigint, text, jsonb, text, bytea),
            campus_claim(uuid), campus_put_photo(text, bytea) FROM PUBLIC;
        -- Runs with the caller's rights: on a station's login only inside a supervisor's
        -- ticketed transaction (the bookings' row policies), for a stale correction's decision.
        GRANT EXECUTE ON FUNCTION campus_set_record_field(uuid, text, text) TO {STATION_GROUP};
        GRANT EXECUTE ON FUNCTION campus_upload_event(uuid, bigint, text, jsonb, text, bytea),
            campus_claim(uuid), campus_put_photo(text, bytea) TO {STATION_GROUP};

        -- The shared tables: a station's login reads them and, outside a supervisor's ticketed
        -- transaction, writes them only through the functions above.
        DO $do$
        DECLARE
            shared_table text;
        BEGIN
            FOREACH shared_table IN ARRAY ARRAY['bookings', 'captures', 'claims', 'photos',
                                                'quarantine']
            LOOP
                EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', shared_table);
                EXECUTE format('DROP POLICY IF EXISTS %I ON %I', shared_table || '_read',
                               shared_table);
                EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO {STATION_GROUP} USING (true)',
                               shared_table || '_read', shared_table);
                EXECUTE format('DROP POLICY IF EXISTS %I ON %I', shared_table || '_supervised',
                               shared_table);
                EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO {STATION_GROUP}
                                USING (campus_supervisor() IS NOT NULL)
                                WITH CHECK (campus_supervisor() IS NOT NULL)',
                               shared_table || '_supervised', shared_table);
            END LOOP;
        END $do$;
        DROP POLICY IF EXISTS conflicts_raise ON conflicts;
        CREATE POLICY conflicts_raise ON conflicts FOR INSERT TO {STATION_GROUP}
            WITH CHECK (campus_supervisor() IS NOT NULL);
        DROP POLICY IF EXISTS events_as_itself ON events;
        CREATE POLICY events_as_itself ON events FOR INSERT TO {STATION_GROUP}
            WITH CHECK (station = 'server' AND campus_supervisor() IS NOT NULL);
        "#
    ))?;
    Ok(())
}
