//! The versioned schema. Each entry is one migration; the database's `user_version` says how many
//! have run. Migrations are append-only: never edit one that has shipped, add the next.

pub const MIGRATIONS: &[&str] = &[
    // 1: bookings, students, schools, capture codes, captures, corrections, the event log.
    // Tables keyed by UUIDv7 are WITHOUT ROWID: the keys are time-ordered, so the primary key
    // is the table's own B-tree and inserts append, instead of feeding a rowid table plus a
    // separate key index.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE schools (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE collection_windows (
        id         TEXT PRIMARY KEY,
        school_id  TEXT NOT NULL REFERENCES schools(id),
        first_day  TEXT NOT NULL,
        last_day   TEXT NOT NULL CHECK (last_day >= first_day),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX collection_windows_school ON collection_windows(school_id);

    CREATE TABLE students (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        sex         TEXT,
        id_number   TEXT,
        has_id_card INTEGER NOT NULL CHECK (has_id_card IN (0, 1)),
        student_no  TEXT,
        school_id   TEXT NOT NULL REFERENCES schools(id),
        department  TEXT,
        major       TEXT,
        level       TEXT,
        phone       TEXT,
        phone_tail  TEXT,
        station_id  TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX students_id_number ON students(id_number);
    CREATE INDEX students_student_no ON students(student_no);
    CREATE INDEX students_phone_tail ON students(phone_tail);
    CREATE INDEX students_name ON students(name);
    CREATE INDEX students_school ON students(school_id);

    -- Bigrams of each lower-cased name plus its last character, so that a substring search for
    -- a Chinese name (often one or two characters) uses an index instead of scanning every
    -- student: a one-character query is a range scan over grams starting with it.
    CREATE TABLE name_grams (
        gram       TEXT NOT NULL,
        student_id TEXT NOT NULL REFERENCES students(id) ON DELETE CASCADE,
        PRIMARY KEY (gram, student_id)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE bookings (
        id              TEXT PRIMARY KEY,
        order_no        TEXT UNIQUE,
        student_id      TEXT NOT NULL REFERENCES students(id),
        source          TEXT NOT NULL CHECK (source IN ('mini_program', 'walk_in')),
        amount_fen      INTEGER NOT NULL CHECK (amount_fen >= 0),
        payment_method  TEXT NOT NULL,
        paid_at         TEXT,
        slot            TEXT,
        status          TEXT NOT NULL CHECK (status IN
                            ('booked', 'captured', 'cancelled', 'refund_pending', 'refunded')),
        retake_approved INTEGER NOT NULL DEFAULT 0 CHECK (retake_approved IN (0, 1)),
        note            TEXT,
        refund_due      TEXT,
        refund_ref      TEXT,
        station_id      TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
    ) STRICT;
    CREATE INDEX bookings_student ON bookings(student_id);

    -- The code itself is the key: 学信网 issues it, so it is already unique across stations.
    CREATE TABLE capture_codes (
        code       TEXT PRIMARY KEY,
        booking_id TEXT NOT NULL UNIQUE REFERENCES bookings(id),
        station_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE captures (
        id            TEXT PRIMARY KEY,
        booking_id    TEXT NOT NULL REFERENCES bookings(id),
        photo_path    TEXT NOT NULL,
        original_path TEXT,
        sha256        TEXT NOT NULL,
        spec_report   TEXT NOT NULL,
        spec_ok       INTEGER NOT NULL CHECK (spec_ok IN (0, 1)),
        overridden    INTEGER NOT NULL DEFAULT 0 CHECK (overridden IN (0, 1)),
        superseded    INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1)),
        station_id    TEXT NOT NULL,
        operator      TEXT NOT NULL,
        captured_at   TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
    ) STRICT;
    CREATE INDEX captures_booking ON captures(booking_id);

    CREATE TABLE corrections (
        id         TEXT PRIMARY KEY,
        student_id TEXT NOT NULL REFERENCES students(id),
        field      TEXT NOT NULL,
        old_value  TEXT,
        new_value  TEXT,
        reason     TEXT NOT NULL,
        who        TEXT NOT NULL,
        at         TEXT NOT NULL,
        station_id TEXT NOT NULL
    ) STRICT;
    CREATE INDEX corrections_student ON corrections(student_id);

    -- Append-only and hash-chained: each entry's hash covers the previous entry's hash.
    CREATE TABLE events (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        id         TEXT NOT NULL UNIQUE,
        at         TEXT NOT NULL,
        station_id TEXT NOT NULL,
        actor      TEXT NOT NULL,
        kind       TEXT NOT NULL,
        subject    TEXT,
        detail     TEXT NOT NULL,
        prev_hash  TEXT NOT NULL,
        hash       TEXT NOT NULL
    ) STRICT;
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    "#,
    // 2: a correction made after capture marks the booking's photo for re-export, so the next
    // export sends the corrected record again.
    r#"
    ALTER TABLE bookings ADD COLUMN reexport_needed INTEGER NOT NULL DEFAULT 0
        CHECK (reexport_needed IN (0, 1));
    "#,
    // 3: close-outs. Each run is one row; the orders it cancelled point at it, so a re-run
    // finds nothing new and a report can say which run closed what.
    r#"
    CREATE TABLE close_outs (
        id          TEXT PRIMARY KEY,
        school_id   TEXT NOT NULL REFERENCES schools(id),
        closed_at   TEXT NOT NULL,
        forced      INTEGER NOT NULL CHECK (forced IN (0, 1)),
        cancelled   INTEGER NOT NULL,
        total_fen   INTEGER NOT NULL,
        due_date    TEXT NOT NULL,
        actor       TEXT NOT NULL,
        station_id  TEXT NOT NULL,
        created_at  TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    ALTER TABLE bookings ADD COLUMN close_out_id TEXT REFERENCES close_outs(id);
    ALTER TABLE bookings ADD COLUMN refunded_at TEXT;
    -- When the booking's photo last left in an export; a later correction or retake sets
    -- reexport_needed again.
    ALTER TABLE bookings ADD COLUMN exported_at TEXT;
    "#,
    // 4: staff accounts. PINs only as Argon2id PHC strings; the lock state lives with the
    // account so that a restart does not reset the back-off.
    r#"
    CREATE TABLE users (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL UNIQUE,
        role          TEXT NOT NULL CHECK (role IN ('operator', 'staff', 'supervisor')),
        pin_hash      TEXT NOT NULL,
        failed_count  INTEGER NOT NULL DEFAULT 0,
        locked_until  TEXT,
        last_login_at TEXT,
        disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_at    TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    "#,
    // 5: campus sync. The outbox holds every change a campus must hear of, written with the
    // change; its AUTOINCREMENT key is the station's contiguous sequence (rows are never
    // deleted, and a rolled-back insert does not use a number up). photo_uploads lists photo
    // files until a server confirms their hash; sync_skipped keeps pulled changes that could not
    // be applied here, with the reason.
    r#"
    CREATE TABLE outbox (
        station_seq  INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id     TEXT NOT NULL UNIQUE,
        kind         TEXT NOT NULL,
        payload      TEXT NOT NULL,
        device_at    TEXT NOT NULL,
        confirmed_at TEXT,
        outcome      TEXT
    ) STRICT;
    CREATE INDEX outbox_unconfirmed ON outbox(station_seq) WHERE confirmed_at IS NULL;

    CREATE TABLE photo_uploads (
        sha256       TEXT PRIMARY KEY,
        path         TEXT NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('accepted', 'original')),
        created_at   TEXT NOT NULL,
        confirmed_at TEXT
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE sync_skipped (
        event_id   TEXT PRIMARY KEY,
        server_seq INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        reason     TEXT NOT NULL,
        at         TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    "#,
    // 6: campus close-out. A school sealed at this station takes no more captures here: the
    // station has told the campus server that it holds every event of this station.
    r#"
    CREATE TABLE sealed_schools (
        school_id TEXT PRIMARY KEY REFERENCES schools(id),
        sealed_at TEXT NOT NULL,
        actor     TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    "#,
    // 7: the student said the record shown on the student's screen is wrong. The booking may
    // not be photographed until a supervisor corrects the record or overrides the flag.
    r#"
    ALTER TABLE bookings ADD COLUMN details_disputed_at TEXT;
    "#,
];
