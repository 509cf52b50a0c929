//! Campus trust against a real PostgreSQL server: what a dead or forged peer can do to the other
//! booths. A booth gone silent inside an upload, a claim that would wait on a lock, ids in pulled
//! changes that are paths, and the server's own listen and access rules.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use capture_station::campus::accounts;
use capture_station::campus::cluster::{self, ADMIN_ROLE, CAMPUS_DATABASE, LOG_FILE};
use capture_station::campus::inbox::{self, RemoteEvent};
use capture_station::campus::link::{CLAIM_WAIT_LIMIT, CampusLink};
use capture_station::campus::schema::{
    ENROL_ROLE, EVENTS_LOCK, IDLE_IN_TRANSACTION_LIMIT, LOCK_WAIT_LIMIT, OPEN_JOIN_CODES,
    STATION_GROUP,
};
use capture_station::campus::server::CampusClient;
use capture_station::campus::settings::{CampusSettings, settings_path};
use capture_station::campus::token::JoinToken;
use capture_station::campus::{CampusError, CampusRefusal};
use capture_station::domain::changes::{BookingPayload, CapturePayload, kind};
use capture_station::store::Store;
use capture_station::store::captures::sha256_hex;
use serde_json::json;

use crate::util;
use crate::util::campus_server::{TestCampus, walk_in};

/// The settings on the campus database itself, as `name=value`.
fn database_settings(campus: &TestCampus) -> Vec<String> {
    campus
        .admin()
        .query(
            "SELECT unnest(s.setconfig) FROM pg_db_role_setting s
             JOIN pg_database d ON d.oid = s.setdatabase
             WHERE d.datname = current_database() AND s.setrole = 0",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// All writers take one lock. A booth whose Wi-Fi dropped inside an upload used to hold it until
/// TCP gave up (about two hours), and every other booth's sync waited behind it.
#[test]
fn a_booth_gone_silent_inside_an_upload_frees_the_lock_and_the_others_sync_on() {
    let campus = TestCampus::start();
    let shipped = database_settings(&campus);
    for expected in [
        format!("idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_LIMIT}"),
        format!("lock_timeout={LOCK_WAIT_LIMIT}"),
        "tcp_keepalives_idle=20".to_string(),
    ] {
        assert!(shipped.contains(&expected), "{expected} in {shipped:?}");
    }
    // Shortened for this test, so that it runs in seconds: the mechanism is the shipped one.
    campus
        .admin()
        .batch_execute(&format!(
            "ALTER DATABASE {CAMPUS_DATABASE} SET idle_in_transaction_session_timeout = '2s'"
        ))
        .unwrap();
    let silent_booth = campus.station("A");
    let mut b = campus.station("B");

    // Booth A takes the lock inside its upload transaction, as an upload does, and then its
    // connection says nothing more and never closes.
    let mut dead =
        capture_station::campus::tls::connect(&silent_booth.login, Duration::from_secs(10))
            .unwrap();
    let mut dead_upload = dead.transaction().unwrap();
    dead_upload
        .execute("SELECT pg_advisory_xact_lock($1)", &[&EVENTS_LOCK])
        .unwrap();

    // Booth B books a walk-in and syncs: it waits for the lock, and goes on once the server has
    // cut the silent booth off.
    let booking = b.walk_in(&walk_in("丙", None, "S3"));
    let started = Instant::now();
    let (sender, answer) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let report = b.sync();
        let _ = sender.send(report);
        b
    });
    let report = answer
        .recv_timeout(Duration::from_secs(40))
        .expect("booth B's sync still waits for the lock of a booth that went silent");
    let waited = started.elapsed();
    assert_eq!(report.applied, 1, "{report:?}");
    // Well before B's own lock wait would have given up: the silent holder was cut off.
    assert!(waited < Duration::from_secs(20), "{waited:?}");
    assert!(
        dead_upload.execute("SELECT 1", &[]).is_err(),
        "the silent booth's transaction is still open"
    );
    worker.join().unwrap();
    assert_eq!(
        campus.count(&format!(
            "SELECT count(*) FROM bookings WHERE id = '{booking}'"
        )),
        1
    );
}

/// The claim before a save runs on the operator's path: it may not wait on a lock for longer
/// than its limit. The shot then goes ahead offline, and the next claim reaches the server again.
#[test]
fn a_claim_that_would_wait_on_a_lock_gives_way_and_the_shot_goes_ahead() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let booking = a.walk_in(&walk_in("丁", None, "S4"));
    a.sync();
    let link = std::sync::Arc::new(CampusLink::for_command(CampusSettings {
        station: a.name.clone(),
        login: a.login.clone(),
        enrolment: None,
    }));

    // Something long holds the claims table (a supervisor's big import, a stuck session).
    let mut holder = campus.admin();
    let mut held = holder.transaction().unwrap();
    held.batch_execute("LOCK TABLE claims IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let started = Instant::now();
    let (sender, answer) = mpsc::channel();
    let claiming = {
        let link = std::sync::Arc::clone(&link);
        let booking = booking.clone();
        std::thread::spawn(move || {
            let _ = sender.send(link.claim_before_shot(&booking));
        })
    };
    let claimed = answer
        .recv_timeout(Duration::from_secs(20))
        .expect("the claim still waits on the lock");
    assert!(claimed.is_ok(), "{claimed:?}");
    let waited = started.elapsed();
    // Connect (at most 2 s) plus the wait limit and a statement's twice that.
    assert!(
        waited < Duration::from_secs(2) + CLAIM_WAIT_LIMIT * 4,
        "{waited:?}"
    );
    claiming.join().unwrap();
    held.rollback().unwrap();
    assert_eq!(campus.count("SELECT count(*) FROM claims"), 0);
    assert!(link.claim_before_shot(&booking).is_ok());
    assert_eq!(
        campus.count(&format!(
            "SELECT count(*) FROM claims WHERE booking_id = '{booking}' AND station = 'A'"
        )),
        1,
        "the claim after the lock did not reach the server"
    );
}

/// Pulled ids become file paths (`{booking}/{capture}.jpg`) and keys: a forged change whose id
/// is a path is kept aside, and nothing is written outside the photos folder.
#[test]
fn a_pulled_change_whose_id_is_a_path_is_kept_aside_and_writes_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let photos = folder.path().join("photos");
    let mut store = Store::open(&folder.path().join("station.sqlite3")).unwrap();
    let forged = "../outside";
    let photo = b"a forged photo".to_vec();
    let event =
        |seq: i64, kind: &str, payload: serde_json::Value, photo: Option<Vec<u8>>| RemoteEvent {
            server_seq: seq,
            event_id: uuid::Uuid::now_v7().to_string(),
            station: "elsewhere".to_string(),
            kind: kind.to_string(),
            payload,
            photo,
        };
    let capture = |booking_id: &str| CapturePayload {
        capture_id: "escaped".to_string(),
        booking_id: booking_id.to_string(),
        sha256: sha256_hex(&photo),
        original_sha256: None,
        spec_ok: true,
        overridden: false,
        retake: false,
        operator: "op".to_string(),
        captured_at: "2026-12-07T10:00:00+08:00".to_string(),
        spec_report: json!({}),
    };
    let page = vec![
        event(
            1,
            kind::BOOKING,
            serde_json::to_value(BookingPayload {
                booking_id: forged.to_string(),
                student_id: uuid::Uuid::now_v7().to_string(),
                booking: walk_in("戊", None, "S5"),
            })
            .unwrap(),
            None,
        ),
        event(
            2,
            kind::CAPTURE,
            serde_json::to_value(capture(forged)).unwrap(),
            Some(photo.clone()),
        ),
    ];
    let applied = inbox::apply_page(&mut store, &page, 2, &photos).unwrap();
    assert_eq!((applied.applied, applied.skipped), (0, 2), "{applied:?}");
    assert!(!folder.path().join("outside").exists());
    assert!(!photos.exists() || std::fs::read_dir(&photos).unwrap().next().is_none());
    assert_eq!(store.replica_cursor().unwrap(), 2);

    // An honest booking pulled next still applies.
    let honest = uuid::Uuid::now_v7().to_string();
    let page = vec![event(
        3,
        kind::BOOKING,
        serde_json::to_value(BookingPayload {
            booking_id: honest.clone(),
            student_id: uuid::Uuid::now_v7().to_string(),
            booking: walk_in("己", None, "S6"),
        })
        .unwrap(),
        None,
    )];
    let applied = inbox::apply_page(&mut store, &page, 3, &photos).unwrap();
    assert_eq!(applied.applied, 1, "{applied:?}");
}

/// The server listens where it was told, and only stations and the enrolment login may reach the
/// campus database from the network; PostgreSQL's superuser and the campus owner only from this
/// machine. Read from the server's own parsed rules; a cluster an older version made (every
/// interface, every login from everywhere) is brought to the same rules when it starts.
#[test]
fn the_server_listens_where_told_and_lets_its_owners_in_from_this_machine_only() {
    let campus = TestCampus::start();
    assert_access_is_tight(&campus);

    cluster::stop(&campus.server_dir).unwrap();
    let data = campus.server_dir.join("data");
    let conf = std::fs::read_to_string(data.join("postgresql.conf")).unwrap();
    let conf = conf.replace("listen_addresses = '127.0.0.1'", "listen_addresses = '*'");
    assert!(conf.contains("listen_addresses = '*'"));
    std::fs::write(data.join("postgresql.conf"), conf).unwrap();
    std::fs::write(
        data.join("pg_hba.conf"),
        "local all all peer\nhostssl all all 0.0.0.0/0 scram-sha-256\nhostssl all all ::/0 scram-sha-256\n",
    )
    .unwrap();
    cluster::start(&campus.server_dir).unwrap();
    assert_access_is_tight(&campus);
}

fn assert_access_is_tight(campus: &TestCampus) {
    let mut superuser = campus.superuser();
    let listen: String = superuser
        .query_one("SHOW listen_addresses", &[])
        .unwrap()
        .get(0);
    assert_eq!(listen, "127.0.0.1");
    let rules = superuser
        .query(
            "SELECT type, database, user_name, coalesce(address, ''), error
             FROM pg_hba_file_rules ORDER BY line_number",
            &[],
        )
        .unwrap();
    let mut network_rules = 0;
    for rule in &rules {
        let (kind, databases, users, address, error): (
            String,
            Vec<String>,
            Vec<String>,
            String,
            Option<String>,
        ) = (
            rule.get(0),
            rule.get(1),
            rule.get(2),
            rule.get(3),
            rule.get(4),
        );
        assert_eq!(error, None, "a rule the server could not read");
        if kind == "local" || address == "127.0.0.1" || address == "::1" {
            continue;
        }
        network_rules += 1;
        assert_eq!(kind, "hostssl", "{address}");
        assert_eq!(databases, vec![CAMPUS_DATABASE.to_string()], "{address}");
        let mut users = users;
        users.sort();
        assert_eq!(
            users,
            vec![format!("+{STATION_GROUP}"), ENROL_ROLE.to_string()],
            "{address}"
        );
    }
    assert_eq!(network_rules, 2, "{rules:?}");
}

/// Role passwords travel only as SCRAM verifiers: with every statement logged, neither a
/// station's password (set by `campus_enrol`) nor the enrolment login's (set by the migration)
/// reaches the server's log, and the station still logs in with its password.
#[test]
fn no_role_password_reaches_the_server_log() {
    let campus = TestCampus::start();
    // Per role, so that it holds from the next connection on (a reload would race).
    campus
        .superuser()
        .batch_execute(&format!(
            "ALTER ROLE {ENROL_ROLE} SET log_statement = 'all';
             ALTER ROLE {ADMIN_ROLE} SET log_statement = 'all';"
        ))
        .unwrap();
    let station = campus.station("A");
    let enrol_password = "0123456789abcdef0123456789abcdef";
    // As `campus server start` migrates: the owner may create roles only meanwhile.
    let mut superuser = campus.superuser();
    capture_station::campus::schema::role_powers::lend_to_owner(&mut superuser, ADMIN_ROLE)
        .unwrap();
    capture_station::campus::schema::migrate(&mut campus.admin(), enrol_password).unwrap();
    capture_station::campus::schema::role_powers::hand_to_campus_roles(&mut superuser, ADMIN_ROLE)
        .unwrap();
    let log = std::fs::read_to_string(campus.server_dir.join(LOG_FILE)).unwrap();
    assert!(
        log.contains("campus_enrol($1, $2, $3)") && log.contains("ALTER ROLE"),
        "the statements were not logged"
    );
    assert!(
        log.contains("SCRAM-SHA-256$"),
        "the verifiers were not logged"
    );
    assert!(
        !log.contains(&station.login.password),
        "a station's password"
    );
    assert!(!log.contains(enrol_password), "the enrolment password");
    station.client();
}

/// Joining takes a one-time code: it registers one station, within its minutes. A used code, an
/// expired one, a made-up one and a token without a code (what older versions handed out and
/// kept) register nothing, and the enrolment login alone can do nothing else.
#[test]
fn a_join_code_registers_one_station_once_within_its_minutes() {
    let campus = TestCampus::start();
    let wait = Duration::from_secs(10);
    let token = campus.join_token();
    CampusClient::enrol(&token, "A", wait).unwrap();
    let replayed = CampusClient::enrol(&token, "B", wait).unwrap_err();
    assert!(
        matches!(
            replayed,
            CampusError::Refusal(CampusRefusal::JoinCodeRefused)
        ),
        "{replayed}"
    );

    let expired = campus.join_token();
    campus
        .admin()
        .execute(
            "UPDATE join_codes SET expires_at = clock_timestamp() - interval '1 second'
             WHERE code_sha256 = encode(sha256(convert_to($1, 'UTF8')), 'hex')",
            &[&expired.code],
        )
        .unwrap();
    let refused = CampusClient::enrol(&expired, "B", wait).unwrap_err();
    assert!(
        matches!(
            refused,
            CampusError::Refusal(CampusRefusal::JoinCodeRefused)
        ),
        "{refused}"
    );

    let made_up = JoinToken {
        code: "0123456789abcdef0123456789abcdef".to_string(),
        ..campus.join_token()
    };
    assert!(CampusClient::enrol(&made_up, "B", wait).is_err());
    let without_code = JoinToken::parse(&campus.enrol.to_token()).unwrap_err();
    assert!(
        without_code.to_string().contains("no one-time code"),
        "{without_code}"
    );
    assert_eq!(campus.count("SELECT count(*) FROM stations"), 1);

    // The enrolment login, in raw SQL: no codes to read, none to issue.
    let mut enrol = capture_station::campus::tls::connect(&campus.enrol, wait).unwrap();
    assert!(enrol.query("SELECT * FROM join_codes", &[]).is_err());
    assert!(
        enrol
            .query("SELECT campus_issue_join_code(15)", &[])
            .is_err()
    );
    // A station's login sees no code, and issues none without a supervisor's ticket; a
    // supervisor may have only a few open at once.
    let mut c = campus.station("C");
    let mut station = capture_station::campus::tls::connect(&c.login, wait).unwrap();
    assert!(station.query("SELECT * FROM join_codes", &[]).is_err());
    let unticketed = station
        .query_one("SELECT campus_issue_join_code(15)", &[])
        .unwrap_err();
    assert_eq!(unticketed.code().map(|c| c.code()), Some("CS401"));
    let mut supervisor = c.supervisor_client();
    for _ in 0..OPEN_JOIN_CODES {
        supervisor.issue_join_code(15).unwrap();
    }
    let too_many = supervisor.issue_join_code(15).unwrap_err();
    assert!(
        matches!(
            too_many,
            CampusError::Refusal(CampusRefusal::TooManyJoinCodes(_))
        ),
        "{too_many:?}"
    );
}

/// A lost or stolen laptop: revoking its station ends its open connection and its login at once,
/// it can issue no join code, and what it uploaded stays on the campus.
#[test]
fn a_revoked_station_is_cut_off_at_once_and_its_uploads_stay() {
    let campus = TestCampus::start();
    let mut stolen = campus.station("被盗");
    let booking = stolen.walk_in(&walk_in("庚", None, "S7"));
    stolen.capture(&booking);
    stolen.sync();
    let mut open =
        capture_station::campus::tls::connect(&stolen.login, Duration::from_secs(10)).unwrap();
    open.query_one("SELECT 1", &[]).unwrap();

    let revoked = cluster::revoke_station(&campus.server_dir, "被盗").unwrap();
    assert!(revoked.connections_ended >= 1, "{revoked:?}");
    assert!(
        open.query_one("SELECT 1", &[]).is_err(),
        "the open connection still works"
    );
    let again = capture_station::campus::tls::connect(&stolen.login, Duration::from_secs(10));
    assert!(again.is_err(), "the revoked login still logs in");
    assert_eq!(
        campus.count("SELECT count(*) FROM captures WHERE station = '被盗' AND active"),
        1
    );
    assert!(cluster::revoke_station(&campus.server_dir, "无此工位").is_err());
    // Twice is harmless.
    cluster::revoke_station(&campus.server_dir, "被盗").unwrap();
}

/// An operator copies a joined booth's `campus.toml` into a fresh data folder, makes its first
/// account a supervisor (the first account of a folder needs no sign-in) and signs in with it:
/// once the campus has its supervisors, such an account is not taken onto the campus, so nobody
/// becomes a campus supervisor with the command line alone.
#[test]
fn a_copied_campus_file_and_a_fresh_first_account_make_nobody_a_campus_supervisor() {
    let campus = TestCampus::start();
    let mut booth = campus.station("A");
    // The campus's first supervisor comes from the first booth, on its first sign-in.
    let client = booth.client();
    accounts::sign_in(&mut booth.store, Ok(client), util::BOSS, util::BOSS_PIN).unwrap();
    let before = accounts::accounts(&mut booth.client()).unwrap();
    assert_eq!(before.len(), 1, "{before:?}");

    let fresh = campus.folder.path().join("copied");
    std::fs::create_dir_all(&fresh).unwrap();
    let booth_folder = booth.photos.parent().unwrap().to_path_buf();
    std::fs::copy(settings_path(&booth_folder), settings_path(&fresh)).unwrap();
    Store::open(&fresh.join("station.sqlite3"))
        .unwrap()
        .create_first_supervisor("冒名主管", "135790")
        .unwrap();
    let output = util::run_as(
        &fresh,
        Some(("冒名主管", "135790")),
        &["campus", "seal", "--school", "校区大学"],
    );
    assert!(
        !output.status.success(),
        "the copied folder's supervisor signed in"
    );
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("校区主管"), "{said}");
    let after = accounts::accounts(&mut booth.client()).unwrap();
    assert_eq!(after, before, "the campus took the account");
}

/// With a real station's own login, in raw SQL: it may not choose the server's order, write an
/// event as another station, take over another station's login or touch another station's row.
/// The honest station's sync goes on.
#[test]
fn a_station_login_cannot_forge_the_order_another_station_or_its_row() {
    let campus = TestCampus::start();
    let mut honest = campus.station("B");
    let attacker_station = campus.station("A");
    let mut attacker =
        capture_station::campus::tls::connect(&attacker_station.login, Duration::from_secs(10))
            .unwrap();
    let payload = json!({});
    let far_ahead = attacker.execute(
        "INSERT INTO events (server_seq, event_id, station, kind, payload, outcome, shared)
         VALUES (9000000000000000000, $1, 'A', 'refund', $2, 'applied', true)",
        &[&uuid::Uuid::now_v7(), &payload],
    );
    assert!(far_ahead.is_err(), "a station chose server_seq");
    let as_b = attacker.execute(
        "INSERT INTO events (event_id, station, station_seq, kind, payload, outcome, shared)
         VALUES ($1, 'B', 99, 'refund', $2, 'applied', true)",
        &[&uuid::Uuid::now_v7(), &payload],
    );
    assert!(as_b.is_err(), "a station wrote an event as another station");
    let takeover = attacker.execute(
        "UPDATE stations SET role_name = session_user WHERE name = 'B'",
        &[],
    );
    assert!(
        takeover.is_err(),
        "a station changed another station's login"
    );
    let others_row = attacker
        .execute(
            "UPDATE stations SET last_contact = now() WHERE name = 'B'",
            &[],
        )
        .unwrap();
    assert_eq!(others_row, 0, "a station changed another station's row");
    // Its own sequence number is the server's count of what it received: a seal trusts it.
    let own_seq = attacker.execute("UPDATE stations SET last_seq = 1000 WHERE name = 'A'", &[]);
    assert!(own_seq.is_err(), "a station moved its own sequence number");
    let own_row = attacker
        .execute(
            "UPDATE stations SET last_contact = now() WHERE name = 'A'",
            &[],
        )
        .unwrap();
    assert_eq!(own_row, 1);
    assert_eq!(
        campus.count("SELECT count(*) FROM events WHERE server_seq > 1000000"),
        0
    );

    let booking = honest.walk_in(&walk_in("辛", None, "S8"));
    honest.capture(&booking);
    let report = honest.sync();
    assert_eq!(report.applied, 2, "{report:?}");
}

/// A token without the server's certificate pin would let the connection fall back to plain
/// text and trust any server on the hall's network: joining with one is refused, unless the
/// command line says `--insecure`; nothing is written by the refusal.
#[test]
fn a_token_without_a_certificate_pin_joins_only_when_told_insecure() {
    let campus = TestCampus::start();
    let unpinned = |campus: &TestCampus| {
        let mut token = campus.join_token();
        token.server.tls_pin = None;
        token.to_text()
    };
    let refused_here = campus.folder.path().join("refused");
    let token = unpinned(&campus);
    let output = util::run_as(
        &refused_here,
        None,
        &["campus", "join", &token, "--station", "东门-9"],
    );
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("证书指纹"), "{said}");
    assert!(!settings_path(&refused_here).exists());
    assert_eq!(campus.count("SELECT count(*) FROM stations"), 0);

    let told = campus.folder.path().join("told");
    let token = unpinned(&campus);
    let output = util::run_as(
        &told,
        None,
        &[
            "campus",
            "join",
            &token,
            "--station",
            "东门-9",
            "--insecure",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(settings_path(&told).exists());
}

/// A server folder made by the version before join codes (schema 4) is upgraded by starting the
/// new version: the station it had is refused as too old until then, and after it a join code
/// registers a station.
#[test]
fn starting_the_new_version_upgrades_a_server_made_before_join_codes() {
    let campus = TestCampus::start();
    let mut station = campus.station("旧");
    // The supervisor of the old server: an account whose PIN the campus held as an Argon2 string.
    station.supervisor_client();
    let (_, old_pin_hash) = station
        .store
        .account_credentials(util::BOSS)
        .unwrap()
        .unwrap();
    campus
        .admin()
        .batch_execute(
            "DROP TABLE tickets, supervising, campus_secret;
             ALTER TABLE accounts ADD COLUMN pin_hash text;
             ALTER TABLE accounts DROP COLUMN pin_params, DROP COLUMN pin_check;
             DELETE FROM campus_schema WHERE version >= 6",
        )
        .unwrap();
    campus
        .admin()
        .execute("UPDATE accounts SET pin_hash = $1", &[&old_pin_hash])
        .unwrap();
    // As made by the version before: the owner could create roles and owned every function.
    campus
        .superuser()
        .batch_execute(
            "ALTER ROLE campus_admin CREATEROLE;
             DROP FUNCTION campus_revoke_station(text);
             DROP FUNCTION campus_enrol(text, text, text);
             DROP FUNCTION campus_issue_join_code(integer);
             DROP TABLE join_codes;
             DROP POLICY stations_read ON stations;
             DROP POLICY stations_own_row ON stations;
             ALTER TABLE stations DROP COLUMN revoked_at;
             DELETE FROM campus_schema WHERE version = 5;",
        )
        .unwrap();
    let Err(too_old) = CampusClient::connect(&station.login, Duration::from_secs(10)) else {
        panic!("a station connected to a server older than it");
    };
    assert!(
        matches!(too_old, CampusError::ServerTooOld { found: 4, .. }),
        "{too_old}"
    );
    // The hint names the command that upgrades (it used to name `server init`, which refuses an
    // existing folder).
    use capture_station::i18n::Worded as _;
    assert!(
        too_old.to_string().contains("campus server start --dir"),
        "{too_old}"
    );
    assert!(
        too_old.zh().contains("重新启动校区服务器"),
        "{}",
        too_old.zh()
    );

    cluster::stop(&campus.server_dir).unwrap();
    let started = util::run_as(
        &campus.folder.path().join("admin"),
        None,
        &[
            "campus",
            "server",
            "start",
            "--dir",
            campus.server_dir.to_str().unwrap(),
        ],
    );
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    assert!(String::from_utf8_lossy(&started.stdout).contains("[5, 6, 7]"));
    let owner_creates_roles: bool = campus
        .admin()
        .query_one(
            "SELECT rolcreaterole FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(
        !owner_creates_roles,
        "the upgrade left the owner CREATEROLE"
    );
    station.client();
    // The old supervisor's PIN still signs in, now checked by the server, at a new station that
    // never saw the account; the Argon2 string is gone from the server.
    let mut new = campus.station("新");
    new.supervisor_client().issue_join_code(15).unwrap();
    assert_eq!(
        campus.count(
            "SELECT count(*) FROM information_schema.columns WHERE column_name = 'pin_hash'"
        ),
        0
    );
}

/// A station rotates its own campus password: the old one stops working at once, the new one is
/// kept in its settings and syncs.
#[test]
fn a_station_rotates_its_own_password() {
    let campus = TestCampus::start();
    let station = campus.station("轮换");
    let folder = station.photos.parent().unwrap().to_path_buf();
    let old = CampusSettings::load(&folder).unwrap().unwrap().login;
    let refused = util::run_as(&folder, None, &["campus", "rotate-password"]);
    assert!(!refused.status.success(), "rotated without a sign-in");
    let output = util::run(&folder, &["campus", "rotate-password"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let new = CampusSettings::load(&folder).unwrap().unwrap().login;
    assert_ne!(new.password, old.password);
    assert!(capture_station::campus::tls::connect(&old, Duration::from_secs(10)).is_err());
    CampusClient::connect(&new, Duration::from_secs(10)).unwrap();
}
