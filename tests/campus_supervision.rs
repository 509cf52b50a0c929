//! A supervisor's work on the campus, decided by the server. An attacker holds a real joined
//! station's own login, read from its `campus.toml`, and tries in raw SQL what a supervisor
//! does: read PIN data, make a supervisor, refund as the campus, seal or write off for another
//! station, settle a conflict, close a school, issue a join code, forge or borrow a ticket, guess
//! a PIN. Each is refused; the honest supervisor's work goes on and is recorded under the
//! ticket's account whatever the client says.

use std::time::Duration;

use capture_station::campus::accounts;
use capture_station::campus::settings::CampusSettings;
use capture_station::campus::{CampusError, CampusRefusal};
use capture_station::store::Role;
use serde_json::json;

use crate::util;
use crate::util::campus_server::{TestCampus, TestStation, walk_in};

const SCHOOL: &str = "校区大学";
/// Well-formed PIN fields, so that only the missing ticket can be what refuses them.
const PARAMS: &str = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA";
const PROOF: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// The attacker's connection: the station's own login as its data folder holds it.
fn attacker_login(station: &TestStation) -> postgres::Client {
    let folder = station.photos.parent().unwrap();
    let login = CampusSettings::load(folder).unwrap().unwrap().login;
    capture_station::campus::tls::connect(&login, Duration::from_secs(10)).unwrap()
}

/// Signs `name` in at `station` against the campus.
fn online(
    station: &mut TestStation,
    name: &str,
    pin: &str,
) -> Result<
    (
        capture_station::store::Session,
        Option<capture_station::campus::server::SupervisorTicket>,
    ),
    capture_station::store::StoreError,
> {
    let client = station.client();
    accounts::sign_in(&mut station.store, Ok(client), name, pin)
}

/// The SQLSTATE of a refused statement (`None`: it was not refused).
fn refusal<T>(result: Result<T, postgres::Error>) -> Option<String> {
    result.err().map(|error| {
        error
            .code()
            .map(|c| c.code().to_string())
            .unwrap_or_default()
    })
}

#[test]
fn a_station_login_without_a_ticket_can_do_none_of_a_supervisors_work() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let mut honest = a.supervisor_client();
    let mut m = campus.station("M");
    // A conflict for the supervisor: one student walked in at both booths.
    a.walk_in(&walk_in("王同学", Some("11010519491231002X"), "W1"));
    m.walk_in(&walk_in("王同学", Some("11010519491231002X"), "W1-m"));
    a.sync();
    assert_eq!(m.sync().conflicts, 1);
    let conflict: i64 = campus
        .admin()
        .query_one("SELECT id FROM conflicts", &[])
        .unwrap()
        .get(0);
    let a_seq: i64 = campus
        .admin()
        .query_one(
            "SELECT max(station_seq) FROM events WHERE station = 'A'",
            &[],
        )
        .unwrap()
        .get(0);
    let mut attacker = attacker_login(&m);
    let denied = Some("42501".to_string());

    // PIN data and the supervision tables: not readable. The account list is.
    for sql in [
        "SELECT pin_check FROM accounts",
        "SELECT pin_params FROM accounts",
        "SELECT * FROM accounts",
        "SELECT * FROM tickets",
        "SELECT * FROM supervising",
        "SELECT * FROM campus_secret",
    ] {
        assert_eq!(refusal(attacker.query(sql, &[])), denied, "{sql}");
    }
    assert_eq!(
        attacker
            .query("SELECT name, role FROM accounts", &[])
            .unwrap()
            .len(),
        1
    );

    // Making a supervisor, or taking one's PIN or account away.
    let role_change = attacker.execute("UPDATE accounts SET role = 'supervisor'", &[]);
    assert_eq!(refusal(role_change), denied);
    let inserted = attacker.execute(
        "INSERT INTO accounts (name, role, pin_params, pin_check, added_by)
         VALUES ('黑客', 'supervisor', $1, $2, 'M')",
        &[&PARAMS, &PROOF],
    );
    assert_eq!(refusal(inserted), denied);
    let no_ticket = Some("CS401".to_string());
    for (sql, params) in [
        (
            "SELECT campus_add_account('黑客', 'supervisor', $1, $2)",
            vec![PARAMS, PROOF],
        ),
        (
            "SELECT campus_reset_pin('测试主管', $1, $2)",
            vec![PARAMS, PROOF],
        ),
        ("SELECT campus_set_disabled('测试主管', true)", vec![]),
        ("SELECT campus_issue_join_code(15)", vec![]),
    ] {
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> = params
            .iter()
            .map(|p| p as &(dyn postgres::types::ToSql + Sync))
            .collect();
        assert_eq!(refusal(attacker.query(sql, &params)), no_ticket, "{sql}");
    }
    let brought: String = attacker
        .query_one(
            "SELECT campus_adopt_account('黑客', 'supervisor', $1, $2)",
            &[&PARAMS, &PROOF],
        )
        .unwrap()
        .get(0);
    assert_eq!(brought, "campus_has_supervisors");

    // A refund (or any event) as the campus, which every booth would apply.
    let as_campus = attacker.execute(
        "INSERT INTO events (event_id, station, kind, payload, outcome, shared)
         VALUES ($1, 'server', 'refund', $2, 'applied', true)",
        &[&uuid::Uuid::now_v7(), &json!({})],
    );
    assert_eq!(refusal(as_campus), denied);

    // Seals: for another station, its own with a sequence the server does not hold, a
    // write-off.
    for (station, through, written_off) in [
        ("A", a_seq, None),
        ("M", 999, None),
        ("A", a_seq, Some("M")),
        ("M", 1, Some("M")),
    ] {
        let sealed = attacker.execute(
            "INSERT INTO seals (station, school, through_seq, written_off_by, reason)
             VALUES ($1, $2, $3, $4, 'lost')",
            &[&station, &SCHOOL, &through, &written_off],
        );
        assert_eq!(
            refusal(sealed),
            denied,
            "{station} {through} {written_off:?}"
        );
    }

    // Settling the conflict, closing the school.
    let settled = attacker
        .execute(
            "UPDATE conflicts SET resolved_at = now(), decision = 'keep_both', decided_by = 'M'",
            &[],
        )
        .unwrap();
    assert_eq!(settled, 0, "a station settled a conflict");
    let closed = attacker.execute(
        "INSERT INTO close_outs (id, school, closed_by, due_date, refunded, refund_total_fen,
                                 written_off)
         VALUES ($1, $2, 'M', current_date, 0, 0, '[]')",
        &[&uuid::Uuid::now_v7(), &SCHOOL],
    );
    assert_eq!(refusal(closed), denied);

    // A made-up ticket, a forged supervision row, another station's ticket, an operator's.
    let made_up = attacker.query_one("SELECT campus_supervise(repeat('0', 64))", &[]);
    assert_eq!(refusal(made_up), no_ticket);
    let forged = attacker.execute(
        "INSERT INTO supervising VALUES (pg_backend_pid(), pg_current_xact_id(), '测试主管', 'A')",
        &[],
    );
    assert_eq!(refusal(forged), denied);
    let a_ticket = {
        let (_, ticket) = online(&mut a, util::BOSS, util::BOSS_PIN).unwrap();
        ticket.unwrap()
    };
    let borrowed = attacker.query_one("SELECT campus_supervise($1)", &[&a_ticket.text()]);
    assert_eq!(
        refusal(borrowed),
        no_ticket,
        "A's ticket worked on M's login"
    );
    accounts::add_account(
        &mut honest,
        &mut a.store,
        &a.session,
        "操作员",
        Role::Operator,
        "135790",
    )
    .unwrap();
    let (_, operator_ticket) = online(&mut m, "操作员", "135790").unwrap();
    let operator = attacker.query_one(
        "SELECT campus_supervise($1)",
        &[&operator_ticket.unwrap().text()],
    );
    assert_eq!(refusal(operator), Some("CS403".to_string()));
    assert_eq!(
        campus.count("SELECT count(*) FROM accounts WHERE role = 'supervisor'"),
        1
    );
    assert_eq!(
        campus.count("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL"),
        1
    );
    assert_eq!(campus.count("SELECT count(*) FROM seals"), 0);

    // The honest supervisor's work goes on, recorded under the ticket's account whatever the
    // client writes.
    honest
        .resolve_conflict(conflict, "keep_both", "冒名")
        .unwrap();
    honest
        .write_off(
            "M",
            SCHOOL,
            "笔记本电脑被盗 / the laptop was stolen",
            "冒名",
        )
        .unwrap();
    let decided: String = campus
        .admin()
        .query_one(
            "SELECT decided_by FROM conflicts WHERE id = $1",
            &[&conflict],
        )
        .unwrap()
        .get(0);
    assert_eq!(decided, "测试主管@A");
    let spread: String = campus
        .admin()
        .query_one(
            "SELECT payload->>'decided_by' FROM events WHERE kind = 'conflict_resolved'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(spread, "测试主管@A");
    let written_off: String = campus
        .admin()
        .query_one("SELECT written_off_by FROM seals WHERE station = 'M'", &[])
        .unwrap()
        .get(0);
    assert_eq!(written_off, "测试主管@A");
    let booking = m.walk_in(&walk_in("辛", None, "S8"));
    m.capture(&booking);
    assert_eq!(m.sync().applied, 2, "the station's own work goes on");

    // Guessing the supervisor's PIN on the server: the wrong guesses count there, and the fifth
    // locks the account at every booth.
    let mut outcomes = Vec::new();
    for _ in 0..5 {
        let row = attacker
            .query_one(
                "SELECT outcome FROM campus_sign_in('测试主管', campus_pin_params('测试主管'), $1)",
                &[&PROOF],
            )
            .unwrap();
        outcomes.push(row.get::<_, String>(0));
    }
    assert_eq!(
        outcomes,
        ["wrong_pin", "wrong_pin", "wrong_pin", "wrong_pin", "locked"]
    );
    let at_a = online(&mut a, util::BOSS, util::BOSS_PIN);
    assert!(
        matches!(
            at_a,
            Err(capture_station::store::StoreError::LockedOut { .. })
        ),
        "{at_a:?}"
    );
}

/// A ticket is worth something only at the station it was given to, for its minutes, and while
/// its account stays a supervisor with the same PIN.
#[test]
fn a_supervisor_ticket_ends_with_its_minutes_its_pin_or_its_account() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let (_, boss_ticket) = online(&mut a, util::BOSS, util::BOSS_PIN).unwrap();
    let boss_ticket = boss_ticket.unwrap();
    let mut boss = a.client().with_ticket(boss_ticket.clone());
    boss.issue_join_code(15).unwrap();
    accounts::add_account(
        &mut boss,
        &mut a.store,
        &a.session,
        "王主管",
        Role::Supervisor,
        "135792",
    )
    .unwrap();
    let mut b = campus.station("B");
    let (wang, wang_ticket) = online(&mut b, "王主管", "135792").unwrap();
    let wang_ticket = wang_ticket.unwrap();
    assert_eq!(wang.role(), Role::Supervisor);
    let mut wang_at_b = b.client().with_ticket(wang_ticket.clone());
    wang_at_b.issue_join_code(15).unwrap();

    let signed_in_again = |refused: CampusError| {
        assert!(
            matches!(
                refused,
                CampusError::Refusal(CampusRefusal::SupervisorSignInNeeded)
            ),
            "{refused:?}"
        );
    };
    // A new PIN ends the account's tickets.
    accounts::reset_pin(&mut boss, &mut a.store, &a.session, "王主管", "246813").unwrap();
    signed_in_again(wang_at_b.issue_join_code(15).unwrap_err());
    // Disabling ends them too.
    let (_, again) = online(&mut b, "王主管", "246813").unwrap();
    let mut wang_at_b = b.client().with_ticket(again.unwrap());
    wang_at_b.issue_join_code(15).unwrap();
    accounts::set_disabled(&mut boss, &mut a.store, &a.session, "王主管", true).unwrap();
    signed_in_again(wang_at_b.issue_join_code(15).unwrap_err());
    // The server keeps the campus's last supervisor, whatever a booth sends.
    let mut raw = attacker_login(&a);
    let mut tx = raw.transaction().unwrap();
    tx.query_one("SELECT campus_supervise($1)", &[&boss_ticket.text()])
        .unwrap();
    let last = tx.query_one("SELECT campus_set_disabled('测试主管', true)", &[]);
    assert_eq!(refusal(last), Some("CS410".to_string()));
    drop(tx);
    // Minutes: an expired ticket is refused.
    campus
        .admin()
        .execute(
            "UPDATE tickets SET expires_at = clock_timestamp() - interval '1 second'",
            &[],
        )
        .unwrap();
    signed_in_again(boss.issue_join_code(15).unwrap_err());
    // Signed in while the campus was away: the booth works, the campus's work waits.
    let away = Err(CampusError::Unreachable("the Wi-Fi is down".to_string()));
    let (_, none) = accounts::sign_in(&mut a.store, away, util::BOSS, util::BOSS_PIN).unwrap();
    assert!(none.is_none());
    signed_in_again(a.client().issue_join_code(15).unwrap_err());
}

/// A laptop is stolen: a supervisor at another booth revokes its station from the command line.
/// Its open connection and login end at once, it cannot revoke anyone (nor itself be revoked
/// from itself), and what it uploaded stays.
#[test]
fn a_supervisor_revokes_a_stolen_station_from_another_booth() {
    let campus = TestCampus::start();
    let a = campus.station("A");
    let mut stolen = campus.station("被盗");
    let booking = stolen.walk_in(&walk_in("庚", None, "S7"));
    stolen.capture(&booking);
    stolen.sync();
    let mut open = attacker_login(&stolen);
    let from_stolen = open.query_one("SELECT campus_revoke_station('A')", &[]);
    assert_eq!(refusal(from_stolen), Some("CS401".to_string()));

    let a_folder = a.photos.parent().unwrap();
    let boss = Some((util::BOSS, util::BOSS_PIN));
    let revoked = util::run_as(a_folder, boss, &["campus", "station", "revoke", "被盗"]);
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    assert!(
        open.query_one("SELECT 1", &[]).is_err(),
        "the stolen station's open connection still works"
    );
    let folder = stolen.photos.parent().unwrap();
    let login = CampusSettings::load(folder).unwrap().unwrap().login;
    assert!(capture_station::campus::tls::connect(&login, Duration::from_secs(10)).is_err());
    assert_eq!(
        campus.count("SELECT count(*) FROM captures WHERE station = '被盗' AND active"),
        1
    );
    let listed = util::run_as(a_folder, None, &["campus", "station", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let revoked_rows: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["revoked"] == json!(true))
        .map(|row| row["name"].as_str().unwrap())
        .collect();
    assert_eq!(revoked_rows, ["被盗"]);
    let itself = util::run_as(a_folder, boss, &["campus", "station", "revoke", "A"]);
    assert!(!itself.status.success(), "a station revoked itself");
    let unknown = util::run_as(a_folder, boss, &["campus", "station", "revoke", "无此工位"]);
    assert!(!unknown.status.success());
}

/// The campus owner's login cannot create roles (with which PostgreSQL 15 would let it grant
/// itself the running of programs on the server): only `campus_roles`, which nobody logs in as,
/// can, inside the two functions that need it. Joining still makes a station's login.
#[test]
fn the_owner_login_cannot_create_roles_and_joining_still_works() {
    let campus = TestCampus::start();
    let mut admin = campus.admin();
    let can_create: bool = admin
        .query_one(
            "SELECT rolcreaterole FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(!can_create, "the owner's login has CREATEROLE");
    let escalate = admin.batch_execute("GRANT pg_execute_server_program TO CURRENT_USER");
    assert!(
        escalate.is_err(),
        "the owner granted itself server programs"
    );
    assert!(admin.batch_execute("CREATE ROLE intruder LOGIN").is_err());
    assert!(admin.batch_execute("SET ROLE campus_roles").is_err());
    let mut station = campus.station("新");
    station.sync();
    assert_eq!(campus.count("SELECT count(*) FROM stations"), 1);
}

/// Two booths sign the same new account in at once: one brings it to the campus while the
/// other has already asked for its (then made-up) salt. The late proof is not counted as a
/// wrong PIN; the booth asks again and signs in.
#[test]
fn a_proof_made_before_the_account_arrived_is_asked_again_not_counted() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let mut b = campus.station("B");
    let mut raw_b = attacker_login(&b);
    let made_up: String = raw_b
        .query_one("SELECT campus_pin_params($1)", &[&util::BOSS])
        .unwrap()
        .get(0);
    online(&mut a, util::BOSS, util::BOSS_PIN).unwrap();
    let late: String = raw_b
        .query_one(
            "SELECT outcome FROM campus_sign_in($1, $2, $3)",
            &[&util::BOSS, &made_up, &PROOF],
        )
        .unwrap()
        .get(0);
    assert_eq!(late, "params_changed");
    assert_eq!(
        campus.count("SELECT failed_count::bigint FROM accounts"),
        0,
        "a wrong PIN was counted"
    );
    let (session, ticket) = online(&mut b, util::BOSS, util::BOSS_PIN).unwrap();
    assert_eq!(session.role(), Role::Supervisor);
    assert!(ticket.is_some());
}

/// A station's own login, in raw SQL against the shared tables: it may not undo another
/// booth's photo (which would have the close-out refund a photographed student), rewrite a
/// booking, forge a capture, a photo, a claim or its own events around the rules. Through the
/// server's upload function the campus's rules apply to whatever it sends, and the honest
/// booths' work goes on.
#[test]
fn a_station_login_writes_the_shared_tables_only_through_the_servers_rules() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let m = campus.station("M");
    let booking = a.walk_in(&walk_in("王同学", None, "W1"));
    let shot = a.capture(&booking);
    a.sync();
    let mut attacker = attacker_login(&m);
    let booking_id = uuid::Uuid::parse_str(&booking).unwrap();
    let denied = Some("42501".to_string());

    for sql in [
        "UPDATE captures SET active = false",
        "UPDATE bookings SET status = 'booked'",
        "UPDATE bookings SET record = jsonb_set(record, '{name}', '\"冒名\"')",
        "UPDATE claims SET station = 'M'",
    ] {
        assert_eq!(attacker.execute(sql, &[]).unwrap(), 0, "{sql}");
    }
    assert_eq!(
        refusal(attacker.execute("DELETE FROM bookings", &[])),
        denied
    );
    let forged_booking = attacker.execute(
        "INSERT INTO bookings (id, student_id, school, status, record, station)
         VALUES (gen_random_uuid(), gen_random_uuid(), '校区大学', 'captured', '{}', 'M')",
        &[],
    );
    assert_eq!(refusal(forged_booking), denied);
    let forged_photo = attacker.execute(
        "INSERT INTO photos (sha256, bytes) VALUES (encode(sha256('x'), 'hex'), 'x')",
        &[],
    );
    assert_eq!(refusal(forged_photo), denied);
    let forged_capture = attacker.execute(
        "INSERT INTO captures (id, booking_id, event_id, station, sha256, active, operator,
                               captured_at)
         SELECT gen_random_uuid(), id, gen_random_uuid(), 'M', sha256, false, 'x', 'now'
         FROM captures LIMIT 1",
        &[],
    );
    assert_eq!(refusal(forged_capture), denied);
    let own_event = attacker.execute(
        "INSERT INTO events (event_id, station, station_seq, kind, payload, outcome, shared)
         VALUES (gen_random_uuid(), 'M', 1, 'refund', $1, 'applied', true)",
        &[&json!({ "booking_id": booking, "status": "refunded", "who": "M" })],
    );
    assert_eq!(refusal(own_event), denied);
    let quarantined = attacker.execute(
        "INSERT INTO quarantine (event_id, station, kind, payload, reason)
         VALUES (gen_random_uuid(), 'A', 'x', '{}', 'x')",
        &[],
    );
    assert_eq!(refusal(quarantined), denied);

    // Through the function the rules hold: a refund of the photographed student is a conflict
    // for the supervisor, a path for a booking id is quarantined, and the sequence is the
    // server's.
    let upload =
        |attacker: &mut postgres::Client, seq: i64, kind: &str, payload: serde_json::Value| {
            attacker
                .query_one(
                    "SELECT campus_upload_event(gen_random_uuid(), $1, $2, $3, NULL, NULL)",
                    &[&seq, &kind, &payload],
                )
                .unwrap()
                .get::<_, String>(0)
        };
    let refund =
        json!({ "booking_id": booking, "status": "refunded", "reference": "x", "who": "M" });
    assert_eq!(upload(&mut attacker, 1, "refund", refund), "conflict");
    let path = json!({ "booking_id": "../../etc", "status": "refunded", "who": "M" });
    assert_eq!(upload(&mut attacker, 2, "refund", path), "quarantined");
    assert_eq!(
        upload(&mut attacker, 9_000_000, "exception", json!({})),
        "gap 3"
    );
    let status: String = campus
        .admin()
        .query_one("SELECT status FROM bookings WHERE id = $1", &[&booking_id])
        .unwrap()
        .get(0);
    assert_eq!(status, "captured");
    let active: String = campus
        .admin()
        .query_one(
            "SELECT id::text FROM captures WHERE booking_id = $1 AND active",
            &[&booking_id],
        )
        .unwrap()
        .get(0);
    assert_eq!(active, shot.id);

    let next = a.walk_in(&walk_in("辛", None, "S8"));
    a.capture(&next);
    assert_eq!(a.sync().applied, 2, "the honest booth's work goes on");
}

/// A station's own campus password, changed while its window runs: the old one stops working,
/// and the running sync worker (once its connection is gone) and every later connection use
/// the new one without a restart.
#[test]
fn a_rotated_station_password_reaches_the_running_sync_worker() {
    use capture_station::campus::link::CampusLink;
    use postgres::fallible_iterator::FallibleIterator as _;
    let campus = TestCampus::start();
    let mut station = campus.station("轮换");
    let folder = station.photos.parent().unwrap().to_path_buf();
    let settings = CampusSettings::load(&folder).unwrap().unwrap();
    let old = settings.login.clone();
    let link = CampusLink::start(
        settings,
        folder.join("station.sqlite3"),
        station.photos.clone(),
    );
    link.rotate_password(&folder).unwrap();
    assert!(capture_station::campus::tls::connect(&old, Duration::from_secs(10)).is_err());
    // The worker's open connection ends (the Wi-Fi dropped): it must reconnect, with the new
    // password, to bring the next walk-in to the server.
    campus
        .superuser()
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = $1",
            &[&old.user],
        )
        .unwrap();
    let mut server = campus.admin();
    server.batch_execute("LISTEN campus_changes").unwrap();
    station.walk_in(&walk_in("新密码", None, "R1"));
    link.nudge();
    // The upload's commit notifies the change channel.
    let notified = server
        .notifications()
        .timeout_iter(Duration::from_secs(60))
        .next()
        .unwrap();
    assert!(
        notified.is_some(),
        "the walk-in never reached the server: {:?}",
        link.status()
    );
    assert_eq!(
        campus.count("SELECT count(*) FROM bookings WHERE student_no = 'R1'"),
        1
    );
    link.connect()
        .expect("a new connection uses the new password");
}
