//! Campus mode against a real PostgreSQL server (no mocks): the upload's idempotence, sequence
//! gaps, an interrupted batch, the pull cursor under out-of-order commits, the claim race, every
//! conflict case, photo hashes, and three stations driven through the real binary.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use capture_station::campus::CampusError;
use capture_station::campus::server::{CampusClient, ClaimAnswer, EventOutcome};
use capture_station::domain::changes::CapturePayload;
use capture_station::store::captures::sha256_hex;
use capture_station::store::outbox::OutboxEntry;

use crate::util;
use crate::util::campus_server::{TestCampus, ordered, walk_in};

fn outcomes(answer: &capture_station::campus::server::UploadAnswer) -> Vec<EventOutcome> {
    answer.outcomes.iter().map(|(_, o)| *o).collect()
}

fn photos_of(
    station: &crate::util::campus_server::TestStation,
    batch: &[OutboxEntry],
) -> HashMap<String, Vec<u8>> {
    let mut photos = HashMap::new();
    for event in batch {
        if let Some(sha) = event.payload.get("sha256").and_then(|v| v.as_str()) {
            let path = station.store.photo_path_for(sha).unwrap().unwrap();
            photos.insert(
                sha.to_string(),
                std::fs::read(station.photos.join(path)).unwrap(),
            );
        }
    }
    photos
}

#[test]
fn the_same_batch_twice_and_a_lost_acknowledgement_change_nothing() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let first = a.walk_in(&walk_in("甲", None, "S1"));
    a.walk_in(&walk_in("乙", None, "S2"));
    a.capture(&first);
    let batch = a.store.outbox_pending(100).unwrap();
    assert_eq!(batch.len(), 3);
    let photos = photos_of(&a, &batch);
    let mut client = a.client();
    let answer = client.upload(&batch, &photos).unwrap();
    assert_eq!(outcomes(&answer), vec![EventOutcome::Applied; 3]);
    let events = campus.count("SELECT count(*) FROM events");
    // Sent again, as after a lost acknowledgement: nothing changes on the server.
    let again = client.upload(&batch, &photos).unwrap();
    assert_eq!(outcomes(&again), vec![EventOutcome::Duplicate; 3]);
    assert_eq!(campus.count("SELECT count(*) FROM events"), events);
    assert_eq!(campus.count("SELECT count(*) FROM captures"), 1);
    assert_eq!(campus.count("SELECT count(*) FROM bookings"), 2);
    // The station never recorded the acknowledgement: its next sync resends, and learns.
    assert_eq!(a.store.outbox_depth().unwrap(), 3);
    let report = a.sync();
    assert_eq!((report.duplicates, report.applied), (3, 0));
    assert_eq!(a.store.outbox_depth().unwrap(), 0);
    assert_eq!(campus.count("SELECT count(*) FROM events"), events);
    assert_eq!(campus.count("SELECT count(*) FROM quarantine"), 0);
}

/// A station stopped after the server's answer was recorded but before its photos were marked
/// as held (two transactions until this was found by the campus fault run) kept a photo waiting
/// that no event would carry again: `photos_waiting` never reached 0. Events and photos are now
/// confirmed together, and a photo left behind that way is sent on its own.
#[test]
fn a_photo_left_waiting_after_its_event_was_confirmed_is_sent_on_its_own() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let first = a.walk_in(&walk_in("甲", None, "S1"));
    let first_capture = a.capture(&first);
    let batch = a.store.outbox_pending(100).unwrap();
    let photos = photos_of(&a, &batch);
    let answer = a.client().upload(&batch, &photos).unwrap();
    assert_eq!(outcomes(&answer), vec![EventOutcome::Applied; 2]);
    let answers: Vec<(i64, String)> = answer
        .outcomes
        .iter()
        .map(|(seq, outcome)| (*seq, outcome.as_str().to_string()))
        .collect();
    // The old version's crash window: the answer is stored, the photos are not confirmed.
    a.store.outbox_confirm(&answers, &[]).unwrap();
    // A capture not yet sent travels with its event, not on its own.
    let second = a.walk_in(&walk_in("乙", None, "S2"));
    a.capture(&second);
    let behind = a.store.photos_left_behind(100).unwrap();
    assert_eq!(
        behind.iter().map(|p| p.sha256.as_str()).collect::<Vec<_>>(),
        vec![first_capture.sha256.as_str()]
    );
    // Two accepted photos and two originals wait.
    assert_eq!(a.store.photos_pending_count().unwrap(), 4);

    let report = a.sync();
    assert_eq!(report.photos_left_behind, 1);
    assert_eq!(report.applied, 2);
    assert_eq!(report.originals_uploaded, 2);
    assert_eq!(report.photos_waiting, 0);
    assert_eq!(a.store.photos_pending_count().unwrap(), 0);
    assert_eq!(
        campus.count(&format!(
            "SELECT count(*) FROM photos WHERE sha256 = '{}'",
            first_capture.sha256
        )),
        1
    );
    assert_eq!(campus.count("SELECT count(*) FROM quarantine"), 0);
}

#[test]
fn a_gap_in_the_sequence_stops_the_batch_and_a_restored_server_gets_the_events_again() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    for n in 1..=5 {
        a.walk_in(&walk_in(&format!("学生{n}"), None, &format!("G{n}")));
    }
    let batch = a.store.outbox_pending(100).unwrap();
    let mut client = a.client();
    let answer = client.upload(&batch[..2], &HashMap::new()).unwrap();
    assert_eq!(outcomes(&answer), vec![EventOutcome::Applied; 2]);
    // Events 4 and 5 without 3: the server answers with the number it expects, applies nothing.
    let answer = client.upload(&batch[3..], &HashMap::new()).unwrap();
    assert_eq!(answer.gap_expected, Some(3));
    assert!(answer.outcomes.is_empty());
    assert_eq!(campus.count("SELECT count(*) FROM bookings"), 2);
    // The station's own sync sends 3, 4, 5 in order.
    let report = a.sync();
    assert_eq!((report.applied, report.duplicates), (3, 2));
    assert_eq!(campus.count("SELECT count(*) FROM bookings"), 5);

    // The server is restored from a backup taken after event 2: it asks for 3 onwards again,
    // and the station, which had them all confirmed, sends them.
    let mut admin = campus.admin();
    admin
        .batch_execute(
            "DELETE FROM events WHERE station = 'A' AND station_seq > 2;
             DELETE FROM bookings WHERE station = 'A' AND student_no IN ('G3', 'G4', 'G5');
             UPDATE stations SET last_seq = 2 WHERE name = 'A';",
        )
        .unwrap();
    a.walk_in(&walk_in("学生6", None, "G6"));
    let report = a.sync();
    assert_eq!(report.gaps_resent, 4, "{report:?}");
    assert_eq!(campus.count("SELECT count(*) FROM bookings"), 6);
    assert_eq!(
        campus.count("SELECT max(station_seq) FROM events WHERE station = 'A'"),
        6
    );
    assert_eq!(a.store.outbox_depth().unwrap(), 0);
}

#[test]
fn an_upload_interrupted_mid_batch_leaves_nothing_and_is_resumed() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    for n in 1..=6 {
        let booking = a.walk_in(&walk_in(&format!("学生{n}"), None, &format!("I{n}")));
        a.capture(&booking);
    }
    let batch = a.store.outbox_pending(100).unwrap();
    let photos = photos_of(&a, &batch);
    let mut client = a.client();
    let interrupted = client.upload_with(&batch, &photos, |index| {
        if index == 4 {
            Err(CampusError::Unreachable("the Wi-Fi dropped".to_string()))
        } else {
            Ok(())
        }
    });
    assert!(interrupted.is_err());
    assert_eq!(
        campus.count("SELECT count(*) FROM events"),
        0,
        "half a batch was kept"
    );
    assert_eq!(campus.count("SELECT count(*) FROM photos"), 0);
    drop(client);
    let report = a.sync();
    assert_eq!(report.applied, 12);
    assert_eq!(report.originals_uploaded, 6);
    assert_eq!(campus.count("SELECT count(*) FROM events"), 12);
    assert_eq!(
        campus.count("SELECT count(DISTINCT event_id) FROM events"),
        12
    );
    assert_eq!(
        campus.count("SELECT count(*) FROM captures WHERE active"),
        6
    );
    // Accepted photos and originals, each under its own hash.
    assert_eq!(campus.count("SELECT count(*) FROM photos"), 12);
    assert_eq!(a.store.photos_pending_count().unwrap(), 0);
}

/// Sequence values are handed out at insert but commit in any order. If writers did not
/// serialise, B's later event would be visible while A's earlier one is still uncommitted, a
/// puller's cursor would move past A's, and A's booking would never reach C.
#[test]
fn the_pull_cursor_never_skips_a_change_that_commits_late() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let mut b = campus.station("B");
    let mut c = campus.station("C");
    a.walk_in(&walk_in("先写", None, "C1"));
    b.walk_in(&walk_in("后写", None, "C2"));
    let a_batch = a.store.outbox_pending(10).unwrap();
    let b_batch = b.store.outbox_pending(10).unwrap();
    let (a_inside_tx, a_is_inside) = mpsc::channel();
    let (release_a, a_released) = mpsc::channel::<()>();
    let a_login = a.login.clone();
    let a_thread = std::thread::spawn(move || {
        let mut client = CampusClient::connect(&a_login, Duration::from_secs(10)).unwrap();
        client
            .upload_with(&a_batch, &HashMap::new(), |_| {
                a_inside_tx.send(()).unwrap();
                a_released.recv().unwrap();
                Ok(())
            })
            .unwrap()
    });
    a_is_inside.recv().unwrap();
    let (b_done_tx, b_done) = mpsc::channel();
    let b_login = b.login.clone();
    let b_thread = std::thread::spawn(move || {
        let mut client = CampusClient::connect(&b_login, Duration::from_secs(10)).unwrap();
        let answer = client.upload(&b_batch, &HashMap::new()).unwrap();
        b_done_tx.send(()).unwrap();
        answer
    });
    // Wait until B either committed or is waiting on A's lock: either way, C pulls now.
    let mut admin = campus.admin();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let waiting: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
                &[],
            )
            .unwrap()
            .get(0);
        if waiting > 0 || b_done.try_recv().is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "B neither committed nor waited");
        std::thread::yield_now();
    }
    let first = c.sync();
    release_a.send(()).unwrap();
    a_thread.join().unwrap();
    b_thread.join().unwrap();
    let second = c.sync();
    assert_eq!(
        first.pulled.applied, 0,
        "C saw a change while an earlier one was open"
    );
    assert_eq!(second.pulled.applied, 2, "C skipped a change: {second:?}");
    assert_eq!(c.store.booking_count().unwrap(), 2);
}

#[test]
fn two_stations_claiming_one_booking_at_the_same_instant_exactly_one_wins() {
    let campus = TestCampus::start();
    let a = campus.station("A");
    let b = campus.station("B");
    let bookings: Vec<_> = (0..30)
        .map(|n| ordered(&format!("CLAIM{n:03}"), &format!("CL{n}")))
        .collect();
    campus.admin_client().import_bookings(&bookings).unwrap();
    let ids: Vec<String> = campus
        .admin()
        .query("SELECT id::text FROM bookings ORDER BY order_no", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let barrier = Arc::new(Barrier::new(2));
    let racer = |login: capture_station::campus::token::ServerLogin| {
        let ids = ids.clone();
        let barrier = Arc::clone(&barrier);
        std::thread::spawn(move || {
            let mut client = CampusClient::connect(&login, Duration::from_secs(10)).unwrap();
            ids.iter()
                .map(|id| {
                    barrier.wait();
                    client.claim(id).unwrap()
                })
                .collect::<Vec<_>>()
        })
    };
    let a_thread = racer(a.login.clone());
    let b_thread = racer(b.login.clone());
    let a_answers = a_thread.join().unwrap();
    let b_answers = b_thread.join().unwrap();
    for (n, (x, y)) in a_answers.iter().zip(&b_answers).enumerate() {
        let winners = [x, y].iter().filter(|a| ***a == ClaimAnswer::Won).count();
        assert_eq!(winners, 1, "booking {n}: {x:?} / {y:?}");
        let loser = if *x == ClaimAnswer::Won { y } else { x };
        assert!(matches!(loser, ClaimAnswer::Lost { holder } if holder == "A" || holder == "B"));
    }
    // Claiming again is idempotent for the holder; a booking the server lacks is "unknown".
    // Either booth may have won every race (the scheduler is free to favour one), so the
    // check uses whichever booth holds the first booking.
    let (holder, other) = if a_answers[0] == ClaimAnswer::Won {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let mut client = holder.client();
    assert_eq!(client.claim(&ids[0]).unwrap(), ClaimAnswer::Won);
    assert!(matches!(
        other.client().claim(&ids[0]).unwrap(),
        ClaimAnswer::Lost { .. }
    ));
    assert_eq!(
        client.claim(&uuid::Uuid::now_v7().to_string()).unwrap(),
        ClaimAnswer::Unknown
    );
}

#[test]
fn two_offline_captures_of_one_booking_are_both_kept_as_a_conflict() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let mut b = campus.station("B");
    campus
        .admin_client()
        .import_bookings(&[ordered("DOUBLE-1", "D1")])
        .unwrap();
    a.sync();
    b.sync();
    let booking = a.store.booking_by_order_no("DOUBLE-1").unwrap().booking_id;
    // Both booths offline: both shoot the same student.
    let shot_a = a.capture(&booking);
    let shot_b = b.capture(&booking);
    assert_eq!(a.sync().applied, 1);
    let report = b.sync();
    assert_eq!(report.conflicts, 1, "{report:?}");
    assert_eq!(
        campus.count("SELECT count(*) FROM captures"),
        2,
        "both captures are kept"
    );
    assert_eq!(
        campus.count("SELECT count(*) FROM captures WHERE active"),
        1
    );
    assert_eq!(
        campus.count("SELECT count(*) FROM photos"),
        4,
        "both photos and both originals are kept"
    );
    let conflicts = campus.admin_client().open_conflicts().unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].kind, "double_capture");
    assert_eq!(conflicts[0].other["capture_id"], shot_a.id);
    // B learns of A's capture and keeps its own photo, marked superseded, on disk.
    let at_b = b.store.captures_for(&booking).unwrap();
    assert_eq!(at_b.len(), 2);
    let own = at_b.iter().find(|c| c.id == shot_b.id).unwrap();
    assert!(own.superseded);
    assert!(b.photos.join(&own.photo_path).is_file());
    let theirs = at_b.iter().find(|c| c.id == shot_a.id).unwrap();
    assert!(!theirs.superseded);
    assert_eq!(
        sha256_hex(&std::fs::read(b.photos.join(&theirs.photo_path)).unwrap()),
        shot_a.sha256
    );
}

#[test]
fn a_capture_of_a_cancelled_booking_is_kept_as_a_conflict() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    campus
        .admin_client()
        .import_bookings(&[ordered("LATE-1", "L1")])
        .unwrap();
    a.sync();
    let booking = a.store.booking_by_order_no("LATE-1").unwrap().booking_id;
    // The campus closed the school out (and refunded the order) while A was offline.
    campus
        .admin()
        .execute(
            "UPDATE bookings SET status = 'cancelled' WHERE order_no = 'LATE-1'",
            &[],
        )
        .unwrap();
    a.capture(&booking);
    assert_eq!(a.sync().conflicts, 1);
    let conflicts = campus.admin_client().open_conflicts().unwrap();
    assert_eq!(conflicts[0].kind, "capture_after_cancel");
    assert_eq!(
        campus.count("SELECT count(*) FROM captures WHERE NOT active"),
        1
    );
}

#[test]
fn the_same_student_walked_in_at_two_booths_is_a_conflict_with_both_bookings_kept() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let mut b = campus.station("B");
    let mut c = campus.station("C");
    let id_number = "11010519491231002X";
    a.walk_in(&walk_in("王同学", Some(id_number), "W1"));
    b.walk_in(&walk_in("王同学", Some(id_number), "W1-b"));
    // Same school and student number, no ID card.
    a.walk_in(&walk_in("李同学", None, "W2"));
    b.walk_in(&walk_in("李同学", None, "W2"));
    a.sync();
    assert_eq!(b.sync().conflicts, 2);
    let conflicts = campus.admin_client().open_conflicts().unwrap();
    assert_eq!(conflicts.len(), 2);
    assert!(conflicts.iter().all(|c| c.kind == "duplicate_walk_in"));
    assert_eq!(campus.count("SELECT count(*) FROM bookings"), 4);
    // Both bookings reach every station: each may already hold a photo of one of them.
    assert_eq!(c.sync().pulled.applied, 4);
}

#[test]
fn a_photo_whose_bytes_do_not_match_its_hash_is_refused() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let booking = a.walk_in(&walk_in("哈希", None, "H1"));
    a.capture(&booking);
    let batch = a.store.outbox_pending(10).unwrap();
    let mut photos = photos_of(&a, &batch);
    for bytes in photos.values_mut() {
        bytes[0] ^= 0xff;
    }
    let answer = a.client().upload(&batch, &photos).unwrap();
    assert_eq!(
        outcomes(&answer),
        vec![EventOutcome::Applied, EventOutcome::Quarantined]
    );
    assert_eq!(campus.count("SELECT count(*) FROM photos"), 0);
    assert_eq!(campus.count("SELECT count(*) FROM captures"), 0);
    let quarantined = campus.admin_client().quarantined().unwrap();
    assert_eq!(quarantined.len(), 1);
    assert!(
        quarantined[0].reason.contains("sha256"),
        "{}",
        quarantined[0].reason
    );
    // A lone photo upload is checked by the server too.
    let error = a
        .client()
        .upload_photo(&sha256_hex(b"one thing"), b"another")
        .unwrap_err();
    assert!(error.to_string().contains("sha256"), "{error}");
    let payload: CapturePayload = serde_json::from_value(batch[1].payload.clone()).unwrap();
    assert_eq!(payload.booking_id, booking);
}

#[test]
fn a_station_login_cannot_delete_or_change_the_schema() {
    let campus = TestCampus::start();
    let a = campus.station("A");
    let mut client = a.client();
    for sql in [
        "DELETE FROM events",
        "TRUNCATE photos",
        "DROP TABLE captures",
        "CREATE TABLE intruder (x int)",
        "ALTER TABLE bookings ADD COLUMN x int",
    ] {
        assert!(
            client.client().batch_execute(sql).is_err(),
            "{sql} was allowed"
        );
    }
    let superuser: bool = client
        .client()
        .query_one(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(!superuser);
    // The join token's login may only register stations.
    let mut enrol = CampusClient::connect(&campus.enrol, Duration::from_secs(10)).unwrap();
    assert!(
        enrol
            .client()
            .batch_execute("SELECT * FROM events")
            .is_err()
    );
    // A name is taken once.
    let again =
        CampusClient::enrol(&campus.join_token(), "A", Duration::from_secs(10)).unwrap_err();
    assert!(again.to_string().contains("already joined"), "{again}");
}

#[test]
fn every_connection_is_encrypted_and_trusts_only_the_pinned_certificate() {
    let campus = TestCampus::start();
    let pin = campus
        .enrol
        .tls_pin
        .clone()
        .expect("a server we make pins its certificate");
    assert!(
        campus
            .join_token()
            .to_text()
            .contains(&format!("?tls={pin}&code="))
    );
    let a = campus.station("A");
    assert_eq!(
        a.login.tls_pin.as_deref(),
        Some(pin.as_str()),
        "joining keeps the pin"
    );
    // The station's own connection, as the server sees it.
    let mut station_client = a.client();
    let (encrypted, version): (bool, Option<String>) = {
        let row = station_client
            .client()
            .query_one(
                "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert!(encrypted, "the station's connection is not encrypted");
    assert!(version.is_some_and(|v| v.starts_with("TLS")));
    drop(station_client);

    // The server refuses a connection without TLS, even over loopback.
    let mut plain = a.login.client_config(Duration::from_secs(10));
    plain.ssl_mode(postgres::config::SslMode::Disable);
    let Err(refused) = plain.connect(postgres::NoTls) else {
        panic!("a plain connection was accepted");
    };
    assert!(
        format!("{refused:?}").contains("no encryption"),
        "{refused:?}"
    );

    // A server with another certificate (a look-alike on the Wi-Fi) is refused, and so is a
    // plain server where the token expects TLS.
    let other = capture_station::campus::token::ServerLogin {
        tls_pin: Some("0".repeat(64)),
        ..campus.enrol.clone()
    };
    let other = capture_station::campus::token::JoinToken {
        server: other,
        code: campus.join_token().code,
    };
    let error = CampusClient::enrol(&other, "B", Duration::from_secs(10)).unwrap_err();
    assert!(
        matches!(error, CampusError::CertificateMismatch(_)),
        "{error}"
    );
    use capture_station::i18n::Worded as _;
    assert!(
        error.zh().starts_with("服务器的证书与加入码不符"),
        "{}",
        error.zh()
    );
    let shown = format!("{error} {error:?}");
    assert!(
        shown.contains("certificate") || shown.contains("证书"),
        "{shown}"
    );
    assert!(!shown.contains(&campus.enrol.password), "{shown}");

    // Pointing `server init --url` at a running server pins what it presents. Such a server's
    // owner may create roles (the campus's own cluster keeps that from its owner).
    capture_station::campus::schema::role_powers::lend_to_owner(
        &mut campus.superuser(),
        &campus.admin.user,
    )
    .unwrap();
    let url = format!(
        "postgres://{}:{}@127.0.0.1:{}/{}",
        campus.admin.user, campus.admin.password, campus.admin.port, campus.admin.database
    );
    let existing = capture_station::campus::cluster::init_existing(&url, None).unwrap();
    assert_eq!(existing.enrol.tls_pin.as_deref(), Some(pin.as_str()));
}

fn run_ok(data: &std::path::Path, args: &[&str]) -> String {
    let output = util::run(data, args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    util::stdout(&output)
}

/// The real binary end to end: `campus server init` prints the first token last, three
/// stations join (the next two with `campus server token`'s one-time tokens), each runs the headless capture loop, and after syncing every station holds every
/// capture with its photo.
#[test]
fn three_stations_share_their_captures_through_the_real_binary() {
    let folder = tempfile::tempdir().unwrap();
    capture_station::platform::others_may_enter(folder.path()).unwrap();
    let server = folder.path().join("server");
    let server_arg = server.to_str().unwrap();
    let init = run_ok(
        &folder.path().join("admin"),
        &[
            "campus",
            "server",
            "init",
            "--dir",
            server_arg,
            "--advertise",
            "127.0.0.1",
        ],
    );
    struct StopOnDrop(std::path::PathBuf);
    impl Drop for StopOnDrop {
        fn drop(&mut self) {
            let _ = capture_station::campus::cluster::stop(&self.0);
        }
    }
    let _stop = StopOnDrop(server.clone());
    let token = init.lines().last().unwrap().to_string();
    assert!(token.starts_with("capture-station-campus://"), "{init}");
    assert!(
        token.contains("?tls="),
        "the token pins the server's certificate: {token}"
    );
    let status = run_ok(
        &folder.path().join("admin"),
        &["campus", "server", "status", "--dir", server_arg, "--json"],
    );
    assert!(status.contains("\"running\":true"), "{status}");

    let stations: Vec<_> = ["东门-1", "东门-2", "西门-1"]
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let data = folder.path().join(name);
            // The first station joins with the token `init` printed; a token joins one
            // station, so the next ones get their own from `campus server token`.
            let token = if index == 0 {
                token.clone()
            } else {
                run_ok(
                    &folder.path().join("admin"),
                    &["campus", "server", "token", "--dir", server_arg],
                )
                .trim()
                .to_string()
            };
            run_ok(&data, &["campus", "join", &token, "--station", name]);
            run_ok(
                &data,
                &["soak-capture", "--count", "2", "--school", "校区大学"],
            );
            data
        })
        .collect();
    // `import` at a joined station goes to the campus, once, for every station.
    let orders = folder.path().join("orders.csv");
    std::fs::write(
        &orders,
        "订单号,姓名,学校\nCLI-1,孙一,校区大学\nCLI-2,,校区大学\n",
    )
    .unwrap();
    let report: serde_json::Value = serde_json::from_str(
        run_ok(
            &stations[0],
            &["import", orders.to_str().unwrap(), "--json"],
        )
        .trim(),
    )
    .unwrap();
    assert_eq!(report["inserted"], 1, "{report}");
    assert_eq!(report["rejected"][0]["row"], 3, "{report}");
    for data in &stations {
        run_ok(data, &["campus", "sync", "--once", "--json"]);
    }
    let found = run_ok(&stations[2], &["lookup", "CLI-1", "--json"]);
    assert!(found.contains("孙一"), "{found}");
    for data in &stations {
        let report: serde_json::Value =
            serde_json::from_str(run_ok(data, &["campus", "sync", "--once", "--json"]).trim())
                .unwrap();
        assert_eq!(report["outbox_depth"], 0);
        let status: serde_json::Value =
            serde_json::from_str(run_ok(data, &["campus", "status", "--json"]).trim()).unwrap();
        assert_eq!(status["connected"], true);
        assert_eq!(status["encrypted"], true, "{status}");
        assert_eq!(status["tls_pinned"], true, "{status}");
        assert_eq!(status["outbox_depth"], 0);
        assert!(status["last_sync"].is_string());
        // Six captures (two per station) with their photos, here.
        let conn = rusqlite::Connection::open(data.join("station.sqlite3")).unwrap();
        let rows: Vec<(String, String)> = conn
            .prepare("SELECT photo_path, sha256 FROM captures WHERE superseded = 0")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows.len(), 6, "{}", data.display());
        for (path, sha) in rows {
            let bytes = std::fs::read(data.join("photos").join(&path)).unwrap();
            assert_eq!(sha256_hex(&bytes), sha);
        }
    }
    let overview = run_ok(&stations[0], &["campus", "overview", "--json"]);
    let overview: serde_json::Value = serde_json::from_str(overview.trim()).unwrap();
    assert_eq!(overview["stations"].as_array().unwrap().len(), 3);
    assert_eq!(overview["conflicts"].as_array().unwrap().len(), 0);
    let stop = run_ok(
        &folder.path().join("admin"),
        &["campus", "server", "stop", "--dir", server_arg],
    );
    assert!(stop.contains("stopped"));
    let status = run_ok(
        &folder.path().join("admin"),
        &["campus", "server", "status", "--dir", server_arg, "--json"],
    );
    assert!(status.contains("\"running\":false"), "{status}");
    // Offline: the station still works from its copy and says so.
    let status: serde_json::Value =
        serde_json::from_str(run_ok(&stations[0], &["campus", "status", "--json"]).trim()).unwrap();
    assert_eq!(status["connected"], false);
    run_ok(
        &stations[0],
        &["soak-capture", "--count", "1", "--school", "校区大学"],
    );
    let status: serde_json::Value =
        serde_json::from_str(run_ok(&stations[0], &["campus", "status", "--json"]).trim()).unwrap();
    assert_eq!(
        status["outbox_depth"], 2,
        "the walk-in and its capture wait"
    );

    // The server is back; the school closes for the campus once every station sealed it.
    run_ok(
        &folder.path().join("admin"),
        &["campus", "server", "start", "--dir", server_arg],
    );
    let local = util::run(
        &stations[1],
        &["close-session", "--school", "校区大学", "--force"],
    );
    assert!(
        !local.status.success(),
        "a joined station never closes on its own"
    );
    assert!(String::from_utf8_lossy(&local.stderr).contains("campus seal"));
    let early = util::run(
        &stations[0],
        &["campus", "close-out", "--school", "校区大学", "--json"],
    );
    assert!(!early.status.success());
    let gate: serde_json::Value = serde_json::from_str(util::stdout(&early).trim()).unwrap();
    assert_eq!(gate["gate"].as_array().unwrap().len(), 3, "{gate}");
    for data in &stations {
        let sealed: serde_json::Value = serde_json::from_str(
            run_ok(data, &["campus", "seal", "--school", "校区大学", "--json"]).trim(),
        )
        .unwrap();
        assert!(sealed["through_seq"].as_i64().unwrap() >= 4, "{sealed}");
    }
    let closed: serde_json::Value = serde_json::from_str(
        run_ok(
            &stations[0],
            &["campus", "close-out", "--school", "校区大学", "--json"],
        )
        .trim(),
    )
    .unwrap();
    assert_eq!(
        closed["refunded"], 1,
        "only the imported CLI-1 was never photographed: {closed}"
    );
    run_ok(&stations[2], &["campus", "sync", "--once"]);
    let refunds = run_ok(
        &stations[2],
        &["refund", "summary", "--school", "校区大学", "--json"],
    );
    let refunds: serde_json::Value = serde_json::from_str(refunds.trim()).unwrap();
    assert_eq!(refunds["pending"], 1, "{refunds}");
    let report: serde_json::Value = serde_json::from_str(
        run_ok(
            &stations[1],
            &["campus", "report", "--school", "校区大学", "--json"],
        )
        .trim(),
    )
    .unwrap();
    assert_eq!(report["captured"], 7, "{report}");
    assert_eq!(report["refund_pending"], 1, "{report}");
    assert_eq!(report["stations"].as_array().unwrap().len(), 3);
    assert_eq!(report["not_sealed"].as_array().unwrap().len(), 0);

    // `export` at a joined station exports the campus's photos, from the server.
    let out = folder.path().join("usb");
    let exported: serde_json::Value = serde_json::from_str(
        run_ok(
            &stations[1],
            &[
                "export",
                "--school",
                "校区大学",
                "--out",
                out.to_str().unwrap(),
                "--naming",
                "{student_no}_{name}.jpg",
                "--json",
            ],
        )
        .trim(),
    )
    .unwrap();
    assert_eq!(exported["campus"], true, "{exported}");
    assert_eq!(exported["verified"], true, "{exported}");
    assert_eq!(exported["report"]["photos"], 7, "{exported}");
    let manifest = std::fs::read_to_string(
        out.join("校区大学")
            .join(capture_station::transfer::export::MANIFEST_CSV),
    )
    .unwrap();
    for name in ["东门-1", "东门-2", "西门-1"] {
        assert!(
            manifest.contains(name),
            "the manifest names each booth: {manifest}"
        );
    }
}

fn correct(
    station: &mut crate::util::campus_server::TestStation,
    booking_id: &str,
    field: capture_station::domain::CorrectableField,
    value: &str,
) {
    station
        .store
        .correct_student(
            capture_station::store::Correction {
                booking_id,
                field,
                new_value: Some(value.to_string()),
                reason: "学生出示证件",
                confirmed_after_capture: true,
            },
            &station.session,
        )
        .unwrap();
}

#[test]
fn a_correction_reaches_every_station_and_one_made_on_a_changed_value_waits_for_the_supervisor() {
    use capture_station::domain::CorrectableField;
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let mut b = campus.station("B");
    campus
        .admin_client()
        .import_bookings(&[ordered("FIX-1", "F1")])
        .unwrap();
    a.sync();
    b.sync();
    let booking = a.store.booking_by_order_no("FIX-1").unwrap().booking_id;
    correct(&mut a, &booking, CorrectableField::Name, "张三");
    assert_eq!(a.sync().applied, 1);
    b.sync();
    assert_eq!(b.store.booking(&booking).unwrap().student.name, "张三");
    assert_eq!(b.store.corrections_for(&booking).unwrap().len(), 1);

    // Offline at both booths, two supervisors change the same field differently.
    correct(&mut a, &booking, CorrectableField::Major, "数学");
    correct(&mut b, &booking, CorrectableField::Major, "物理");
    assert_eq!(a.sync().applied, 1);
    assert_eq!(
        b.sync().conflicts,
        1,
        "B's change was made on a value A had changed"
    );
    let mut admin = campus.admin_client();
    let conflicts = admin.open_conflicts().unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].kind, "stale_correction");
    assert_eq!(conflicts[0].other["server_value"], "数学");
    assert_eq!(conflicts[0].other["station_wanted"], "物理");
    // The server's order decides what the record says meanwhile: A's change came first, so
    // every station shows it, and B's value waits in the conflict, not lost and not applied.
    assert_eq!(
        b.store.booking(&booking).unwrap().student.major.as_deref(),
        Some("数学")
    );
    assert!(
        admin
            .resolve_conflict(conflicts[0].id, "keep_both", "王主管")
            .is_err()
    );
    // The supervisor checks the student's papers: B was right.
    admin
        .resolve_conflict(conflicts[0].id, "use_this", "王主管@东门-1")
        .unwrap();
    assert!(admin.open_conflicts().unwrap().is_empty());
    for station in [&mut a, &mut b] {
        station.sync();
        assert_eq!(
            station
                .store
                .booking(&booking)
                .unwrap()
                .student
                .major
                .as_deref(),
            Some("物理"),
            "{}",
            station.name
        );
    }
    let kept: Option<String> = campus
        .admin()
        .query_one(
            "SELECT record->>'major' FROM bookings WHERE order_no = 'FIX-1'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(kept.as_deref(), Some("物理"));
}

#[test]
fn the_supervisors_decision_on_a_double_capture_reaches_every_station() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let mut b = campus.station("B");
    campus
        .admin_client()
        .import_bookings(&[ordered("TWICE-1", "T1")])
        .unwrap();
    a.sync();
    b.sync();
    let booking = a.store.booking_by_order_no("TWICE-1").unwrap().booking_id;
    a.capture(&booking);
    let b_shot = b.capture(&booking);
    a.sync();
    assert_eq!(b.sync().conflicts, 1);
    let mut admin = campus.admin_client();
    let conflict = admin.open_conflicts().unwrap().remove(0);
    let photos = admin.conflict_photos(conflict.id).unwrap();
    assert!(photos.current.is_some(), "both photos are shown");
    assert_eq!(sha256_hex(&photos.other.unwrap()), b_shot.sha256);
    // B's photo is the better one: use it.
    admin
        .resolve_conflict(conflict.id, "use_this", "王主管@东门-1")
        .unwrap();
    assert!(
        admin
            .resolve_conflict(conflict.id, "use_this", "again")
            .is_err()
    );
    let mut c = campus.station("C");
    for station in [&mut a, &mut b, &mut c] {
        station.sync();
        let captures = station.store.captures_for(&booking).unwrap();
        let current: Vec<_> = captures.iter().filter(|c| !c.superseded).collect();
        assert_eq!(current.len(), 1, "{}", station.name);
        assert_eq!(current[0].id, b_shot.id, "{}", station.name);
        let bytes = std::fs::read(station.photos.join(&current[0].photo_path)).unwrap();
        assert_eq!(sha256_hex(&bytes), b_shot.sha256);
    }
    assert_eq!(
        campus.count("SELECT count(*) FROM captures WHERE active AND station = 'B'"),
        1
    );
}

/// The booth's claim before a shot: refused when another station holds the booking, and never
/// in the way when the server is gone (the shot goes ahead and its upload is checked).
#[test]
fn a_booth_cannot_shoot_a_student_another_booth_claimed_and_shoots_on_when_offline() {
    use capture_station::campus::link::CampusLink;
    use capture_station::campus::settings::CampusSettings;
    let campus = TestCampus::start();
    let a = campus.station("A");
    let mut b = campus.station("B");
    campus
        .admin_client()
        .import_bookings(&[ordered("HELD-1", "H1"), ordered("FREE-1", "H2")])
        .unwrap();
    b.sync();
    let held = b.store.booking_by_order_no("HELD-1").unwrap().booking_id;
    let free = b.store.booking_by_order_no("FREE-1").unwrap().booking_id;
    assert_eq!(a.client().claim(&held).unwrap(), ClaimAnswer::Won);
    let settings = CampusSettings::load(b.photos.parent().unwrap())
        .unwrap()
        .unwrap();
    let link = CampusLink::start(
        settings,
        b.photos.parent().unwrap().join("station.sqlite3"),
        b.photos.clone(),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while !link.status().connected {
        assert!(Instant::now() < deadline, "the sync worker never connected");
        std::thread::yield_now();
    }
    let refused = link.claim_before_shot(&held).unwrap_err();
    assert_eq!(refused.station, "A");
    assert!(link.claim_before_shot(&free).is_ok());
    // The server goes away: the claim neither blocks nor refuses.
    capture_station::campus::cluster::stop(&campus.server_dir).unwrap();
    let started = Instant::now();
    let other = uuid::Uuid::now_v7().to_string();
    assert!(link.claim_before_shot(&other).is_ok());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the claim waited on a dead server"
    );
}

/// The real binary's headless capture loop at a joined station, killed with SIGKILL three times
/// at whatever point the next save had reached; after each kill a sync brings the server level
/// with the station: every capture and walk-in the station holds is on the server once, with
/// contiguous sequence numbers, and nothing waits in the outbox.
#[test]
fn after_sigkill_the_outbox_brings_every_capture_to_the_server_exactly_once() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let campus = TestCampus::start();
    let station = campus.station("K");
    let data = station.photos.parent().unwrap().to_path_buf();
    drop(station);
    let mut saved_total = 0;
    for round in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_capture-station"))
            .arg("--data-dir")
            .arg(&data)
            .args(["--user", util::BOSS, "soak-capture", "--school", "校区大学"])
            .env("CAPTURE_STATION_PIN", util::BOSS_PIN)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        for _ in 0..(2 + round) {
            let line = lines.next().expect("the loop reports saves").unwrap();
            assert!(line.starts_with("saved "), "{line}");
            saved_total += 1;
        }
        // Killed somewhere inside the next walk-in or save.
        child.kill().unwrap();
        child.wait().unwrap();
        let report = run_ok(&data, &["campus", "sync", "--once", "--json"]);
        let report: serde_json::Value = serde_json::from_str(report.trim()).unwrap();
        assert_eq!(report["outbox_depth"], 0, "{report}");
        assert_eq!(report["quarantined"], 0, "{report}");
    }
    let local = rusqlite::Connection::open(data.join("station.sqlite3")).unwrap();
    let count = |sql: &str| -> i64 { local.query_row(sql, [], |r| r.get(0)).unwrap() };
    let local_captures = count("SELECT count(*) FROM captures");
    let local_bookings = count("SELECT count(*) FROM bookings");
    let local_events = count("SELECT count(*) FROM outbox");
    assert!(local_captures >= saved_total, "a reported save is missing");
    assert_eq!(
        campus.count("SELECT count(*) FROM captures WHERE station = 'K'"),
        local_captures
    );
    assert_eq!(
        campus.count("SELECT count(*) FROM bookings WHERE station = 'K'"),
        local_bookings
    );
    assert_eq!(
        campus.count("SELECT count(*) FROM events WHERE station = 'K'"),
        local_events
    );
    assert_eq!(
        campus.count("SELECT max(station_seq) FROM events WHERE station = 'K'"),
        local_events,
        "the server holds the station's events contiguously"
    );
    // Each accepted photo on the server is the file the station holds.
    let mut admin = campus.admin();
    for row in local
        .prepare("SELECT photo_path, sha256 FROM captures")
        .unwrap()
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
    {
        let (path, sha) = row.unwrap();
        let bytes: Vec<u8> = admin
            .query_one("SELECT bytes FROM photos WHERE sha256 = $1", &[&sha])
            .unwrap()
            .get(0);
        assert_eq!(
            bytes,
            std::fs::read(data.join("photos").join(path)).unwrap()
        );
    }
}

#[test]
fn a_supervisors_window_override_reaches_the_server_log_and_changes_no_booking() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let booking = a.walk_in(&walk_in("例外", None, "E1"));
    a.store
        .record_supervisor_exception("window_overridden", &booking, &a.session)
        .unwrap();
    assert_eq!(a.sync().applied, 2);
    assert_eq!(
        campus.count(
            "SELECT count(*) FROM events WHERE kind = 'exception' AND NOT shared
                 AND payload->>'what' = 'window_overridden'"
        ),
        1
    );
    assert_eq!(
        campus.count("SELECT count(*) FROM bookings WHERE status = 'booked'"),
        1
    );
}

#[test]
fn a_close_out_refunds_only_students_nobody_on_the_campus_photographed() {
    use capture_station::domain::working_days::HolidayCalendar;
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let mut b = campus.station("B");
    campus
        .admin_client()
        .import_bookings(&[
            ordered("CLOSE-X", "X1"),
            ordered("CLOSE-Y", "Y1"),
            ordered("CLOSE-Z", "Z1"),
        ])
        .unwrap();
    a.sync();
    b.sync();
    let id = |station: &crate::util::campus_server::TestStation, order: &str| {
        station.store.booking_by_order_no(order).unwrap().booking_id
    };
    let status = |station: &crate::util::campus_server::TestStation, order: &str| {
        station.store.booking_by_order_no(order).unwrap().status
    };
    let server_status = |order: &str| -> String {
        campus
            .admin()
            .query_one("SELECT status FROM bookings WHERE order_no = $1", &[&order])
            .unwrap()
            .get(0)
    };
    // A photographs X and reports it; A's operator has Z in front of the camera (claimed).
    let x = id(&a, "CLOSE-X");
    a.capture(&x);
    a.sync();
    assert_eq!(
        a.client().claim(&id(&a, "CLOSE-Z")).unwrap(),
        ClaimAnswer::Won
    );
    // B has not heard of either and closes the school: all three are refund-pending there.
    let at = chrono::NaiveDate::from_ymd_opt(2026, 6, 30)
        .unwrap()
        .and_hms_opt(18, 0, 0)
        .unwrap();
    let closed = b
        .store
        .close_session(
            "校区大学",
            at,
            true,
            &HolidayCalendar::built_in(),
            &b.session,
        )
        .unwrap();
    assert_eq!(closed.cancelled, 3);
    assert_eq!(b.store.outbox_depth().unwrap(), 3, "one refund mark each");
    let report = b.sync();
    assert_eq!(
        (report.applied, report.conflicts),
        (1, 2),
        "only Y is refunded; X (photographed) and Z (being photographed) are conflicts: {report:?}"
    );
    assert_eq!(server_status("CLOSE-X"), "captured");
    assert_eq!(server_status("CLOSE-Y"), "refund_pending");
    assert_eq!(server_status("CLOSE-Z"), "booked");
    // B learned of A's photo of X in the same sync, and withdrew X's refund.
    assert_eq!(status(&b, "CLOSE-X"), "captured");
    assert_eq!(status(&b, "CLOSE-Y"), "refund_pending");
    // A hears of Y's refund, with its due date; its own photo of X stays.
    a.sync();
    assert_eq!(status(&a, "CLOSE-X"), "captured");
    assert_eq!(status(&a, "CLOSE-Y"), "refund_pending");
    assert_eq!(status(&a, "CLOSE-Z"), "booked");
    let refunds_a = a.store.refunds("校区大学").unwrap();
    let refunds_b = b.store.refunds("校区大学").unwrap();
    let due = |rows: &[capture_station::store::close_out::RefundRow], order: &str| {
        rows.iter()
            .find(|r| r.order_no.as_deref() == Some(order))
            .and_then(|r| r.refund_due.clone())
    };
    assert_eq!(due(&refunds_a, "CLOSE-Y"), due(&refunds_b, "CLOSE-Y"));
    assert!(due(&refunds_a, "CLOSE-Y").is_some());

    // The supervisor: X cannot be refunded at all; Z's refund is voided everywhere.
    let mut admin = campus.admin_client();
    let open = admin.open_conflicts().unwrap();
    assert!(
        open.iter().all(|c| c.kind == "refund_of_captured"),
        "{open:?}"
    );
    let conflict_of = |booking: &str| {
        open.iter()
            .find(|c| c.booking_id.as_deref() == Some(booking))
            .unwrap()
            .id
    };
    let refused = admin
        .resolve_conflict(conflict_of(&x), "use_this", "主管@B")
        .unwrap_err();
    assert!(refused.to_string().contains("photographed"), "{refused}");
    admin
        .resolve_conflict(conflict_of(&id(&a, "CLOSE-Z")), "keep_existing", "主管@B")
        .unwrap();
    admin
        .resolve_conflict(conflict_of(&x), "keep_existing", "主管@B")
        .unwrap();
    b.sync();
    assert_eq!(
        status(&b, "CLOSE-Z"),
        "booked",
        "the voided refund is withdrawn"
    );
    assert_eq!(status(&b, "CLOSE-X"), "captured");

    // Y's refund is paid at B; every station hears it, with the reference.
    b.store
        .mark_refunded("CLOSE-Y", "WX-REF-1", &b.session)
        .unwrap();
    b.sync();
    a.sync();
    assert_eq!(server_status("CLOSE-Y"), "refunded");
    assert_eq!(status(&a, "CLOSE-Y"), "refunded");
    let refunded = a.store.refunds("校区大学").unwrap();
    assert_eq!(
        refunded
            .iter()
            .find(|r| r.order_no.as_deref() == Some("CLOSE-Y"))
            .and_then(|r| r.refund_ref.clone())
            .as_deref(),
        Some("WX-REF-1")
    );
}

/// The order export imported once into the campus: the station's own importer checks the rows
/// (row numbers, reasons), the server applies the same rules, and every station pulls the result.
#[test]
fn an_import_into_the_campus_reaches_every_station_and_never_changes_a_captured_order() {
    use capture_station::transfer::import::ImportOptions;
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let mut b = campus.station("B");
    let options = ImportOptions {
        school: None,
        capture_code_rules: Default::default(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
    };
    let first = "订单号,姓名,学号,学校,采集码\r\n\
                 IMP-1,张三,S1,校区大学,CODE-0001\r\n\
                 IMP-2,李四,S2,校区大学,CODE-0002\r\n\
                 ,无单号,S9,校区大学,\r\n\
                 IMP-3,王五,S3,校区大学,CODE-0001\r\n\
                 IMP-4,赵六,S4,校区大学,\r\n";
    let import = |station: &mut crate::util::campus_server::TestStation, csv: &str| {
        capture_station::campus::import::import_file(
            &mut station.supervisor_client(),
            csv.as_bytes(),
            &options,
        )
        .unwrap()
    };
    let report = import(&mut a, first);
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (3, 0, 0)
    );
    let rows: Vec<usize> = report.rejected.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![4, 5], "{:?}", report.rejected);
    assert!(
        crate::util::zh_reason(&report.rejected[1]).contains("IMP-1"),
        "{:?}",
        report.rejected
    );
    for station in [&mut a, &mut b] {
        station.sync();
        assert_eq!(station.store.booking_count().unwrap(), 3);
        assert_eq!(
            station.store.lookup("IMP-2", 1).unwrap()[0]
                .booking
                .student
                .name,
            "李四"
        );
    }
    // The same file again changes nothing and tells no station anything.
    let events = campus.count("SELECT count(*) FROM events");
    let again = import(&mut b, first);
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(campus.count("SELECT count(*) FROM events"), events);

    // A photographs IMP-1; a corrected export arrives while B is still shooting.
    let imp1 = a.store.booking_by_order_no("IMP-1").unwrap().booking_id;
    a.capture(&imp1);
    a.sync();
    let second = "订单号,姓名,学号,学校\n\
                  IMP-1,张三丰,S1,校区大学\n\
                  IMP-2,李思,S2,校区大学\n\
                  IMP-4,赵六,S4,校区大学\n\
                  IMP-5,钱七,S5,校区大学\n";
    let report = import(&mut b, second);
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (1, 1, 1)
    );
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].row, 2);
    assert!(crate::util::zh_reason(&report.rejected[0]).contains("信息更正"));
    for station in [&mut a, &mut b] {
        station.sync();
        assert_eq!(station.store.booking_count().unwrap(), 4);
        let name = |order: &str| {
            station.store.lookup(order, 1).unwrap()[0]
                .booking
                .student
                .name
                .clone()
        };
        assert_eq!(name("IMP-1"), "张三", "a captured order keeps its record");
        assert_eq!(name("IMP-2"), "李思");
        assert_eq!(name("IMP-5"), "钱七");
    }
    // The capture code of the first import still opens IMP-1 at B.
    assert_eq!(
        b.store.lookup("CODE-0001", 1).unwrap()[0]
            .booking
            .order_no
            .as_deref(),
        Some("IMP-1")
    );
}

/// The campus close-out: every station seals (the server checks it holds the station's events),
/// an unreachable one is written off with a reason, and the close refunds exactly the bookings
/// nobody on the campus photographed. A photo that arrives later is kept as a conflict.
#[test]
fn a_school_closes_for_the_campus_only_when_every_station_is_sealed_or_written_off() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let mut b = campus.station("B");
    let mut c = campus.station("C");
    campus
        .admin_client()
        .import_bookings(&[
            ordered("GATE-1", "G1"),
            ordered("GATE-2", "G2"),
            ordered("GATE-3", "G3"),
            ordered("GATE-4", "G4"),
        ])
        .unwrap();
    for station in [&mut a, &mut b, &mut c] {
        station.sync();
    }
    let id = |order: &str| a.store.booking_by_order_no(order).unwrap().booking_id;
    let (g1, g2, g3) = (id("GATE-1"), id("GATE-2"), id("GATE-3"));
    let school = "校区大学";
    let due = chrono::NaiveDate::from_ymd_opt(2026, 7, 3).unwrap();
    a.capture(&g1);
    a.sync();
    // B photographs G2 while its Wi-Fi is down; C (about to lose its laptop) photographs G3.
    b.capture(&g2);
    c.capture(&g3);

    let mut admin = campus.admin_client();
    let refused = admin.close_school(school, due, "主管@A").unwrap_err();
    use capture_station::i18n::Worded as _;
    assert!(refused.zh().contains("A、B、C"), "{refused}");

    // A seals. B's word is not enough while its capture has not reached the server.
    a.store.seal_school(school, &a.session).unwrap();
    a.client()
        .seal(school, a.store.outbox_last_seq().unwrap())
        .unwrap();
    b.store.seal_school(school, &b.session).unwrap();
    let early = b
        .client()
        .seal(school, b.store.outbox_last_seq().unwrap())
        .unwrap_err();
    assert!(early.to_string().contains("sync first"), "{early}");
    // A sealed school takes no more captures at that station.
    let g4_at_b = b.store.booking_by_order_no("GATE-4").unwrap().booking_id;
    let sealed = b
        .store
        .save_capture(
            &b.photos,
            capture_station::store::captures::NewCapture {
                booking_id: &g4_at_b,
                jpeg: b"late",
                original_jpeg: None,
                spec_report: serde_json::json!({}),
                spec_ok: true,
                overridden: false,
                session: &b.session,
            },
        )
        .unwrap_err();
    assert!(sealed.to_string().contains("sealed"), "{sealed}");
    b.sync();
    b.client()
        .seal(school, b.store.outbox_last_seq().unwrap())
        .unwrap();
    let gate = admin.close_gate(school).unwrap();
    let states: Vec<_> = gate.iter().map(|g| (g.station.as_str(), g.state)).collect();
    assert_eq!(states, [("A", "sealed"), ("B", "sealed"), ("C", "open")]);
    assert!(
        admin.close_school(school, due, "主管@A").is_err(),
        "C still blocks"
    );

    // C cannot be reached: written off, with a reason, then the close runs.
    assert!(
        admin.write_off("C", school, "  ", "主管@A").is_err(),
        "a reason is needed"
    );
    admin
        .write_off("C", school, "笔记本电脑损坏 / the laptop died", "主管@A")
        .unwrap();
    let closed = admin.close_school(school, due, "主管@A").unwrap();
    assert_eq!(
        closed.refunded, 2,
        "G3 (C's photo has not arrived) and G4: {closed:?}"
    );
    assert_eq!(closed.refund_total_fen, 6000);
    assert_eq!(closed.written_off.len(), 1);
    let status = |order: &str| -> String {
        campus
            .admin()
            .query_one("SELECT status FROM bookings WHERE order_no = $1", &[&order])
            .unwrap()
            .get(0)
    };
    assert_eq!(status("GATE-1"), "captured");
    assert_eq!(status("GATE-2"), "captured");
    assert_eq!(status("GATE-4"), "refund_pending");
    for station in [&mut a, &mut b] {
        station.sync();
        let refunds = station.store.refunds(school).unwrap();
        let orders: Vec<_> = refunds.iter().filter_map(|r| r.order_no.clone()).collect();
        assert_eq!(orders, ["GATE-3", "GATE-4"], "{}", station.name);
        assert_eq!(refunds[0].refund_due.as_deref(), Some("2026-07-03"));
    }

    // C comes back: its photo of G3 is kept as a conflict, and the supervisor keeps it.
    let report = c.sync();
    assert_eq!(report.conflicts, 1, "{report:?}");
    let open = admin.open_conflicts().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].kind, "capture_after_close");
    admin
        .resolve_conflict(open[0].id, "use_this", "主管@A")
        .unwrap();
    assert_eq!(status("GATE-3"), "captured", "the refund is taken back");
    a.sync();
    assert_eq!(
        a.store.booking_by_order_no("GATE-3").unwrap().status,
        "captured"
    );
}

/// The campus report counts from the server: bookings by state, each station's captures per
/// hour and median seconds per student (breaks left out), open conflicts, unsealed stations.
#[test]
fn the_campus_report_shows_each_stations_pace_and_who_has_not_sealed() {
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let mut b = campus.station("B");
    let orders: Vec<_> = (0..6)
        .map(|n| ordered(&format!("REP-{n}"), &format!("R{n}")))
        .collect();
    campus.admin_client().import_bookings(&orders).unwrap();
    a.sync();
    b.sync();
    for n in 0..4 {
        let booking = a
            .store
            .booking_by_order_no(&format!("REP-{n}"))
            .unwrap()
            .booking_id;
        a.capture(&booking);
    }
    let booking = b.store.booking_by_order_no("REP-4").unwrap().booking_id;
    b.capture(&booking);
    a.sync();
    b.sync();
    // A's shots on its own clock: 30 s, 60 s, then a 20-minute break (not a student's time).
    let times = [
        "2026-06-20T09:58:00.000+08:00",
        "2026-06-20T09:58:30.000+08:00",
        "2026-06-20T09:59:30.000+08:00",
        "2026-06-20T10:19:30.000+08:00",
    ];
    for (n, at) in times.iter().enumerate() {
        campus
            .admin()
            .execute(
                "UPDATE captures c SET captured_at = $2 FROM bookings b
                 WHERE b.id = c.booking_id AND b.order_no = $1",
                &[&format!("REP-{n}"), at],
            )
            .unwrap();
    }
    let report = a.client().report(Some("校区大学")).unwrap();
    assert_eq!(
        (report.bookings, report.captured, report.still_booked),
        (6, 5, 1)
    );
    let station_a = &report.stations[0];
    assert_eq!((station_a.station.as_str(), station_a.captures), ("A", 4));
    assert_eq!(station_a.median_seconds_per_student, Some(45.0));
    let hours: Vec<_> = station_a
        .per_hour
        .iter()
        .map(|h| (h.hour.as_str(), h.captures))
        .collect();
    assert_eq!(hours, [("2026-06-20 09:00", 3), ("2026-06-20 10:00", 1)]);
    assert_eq!(report.stations[1].captures, 1);
    assert_eq!(report.stations[1].median_seconds_per_student, None);
    assert_eq!(report.not_sealed, ["A", "B"]);
    assert_eq!(report.open_conflicts, 0);
}

/// Accounts live on the server: a supervisor added at one booth signs in at another, wrong PINs
/// at two booths add up to one lockout that holds at a third, and a booth whose server is away
/// signs in only the accounts it has seen, and says so.
#[test]
fn a_supervisor_signs_in_at_any_booth_and_wrong_pins_lock_the_account_everywhere() {
    use capture_station::campus::CampusError;
    use capture_station::campus::accounts;
    use capture_station::store::Refusal;
    use capture_station::store::{Role, StoreError};
    let campus = TestCampus::start();
    let mut a = campus.station("A");
    let mut b = campus.station("B");
    let mut c = campus.station("C");
    let away = || Err(CampusError::Unreachable("the Wi-Fi is down".to_string()));
    let online = |station: &mut crate::util::campus_server::TestStation, name: &str, pin: &str| {
        let client = station.client();
        accounts::sign_in(&mut station.store, Ok(client), name, pin)
    };

    // The booth's own supervisor comes to the campus on first sign-in; then adds a colleague.
    let (boss, ticket) = online(&mut a, util::BOSS, util::BOSS_PIN).unwrap();
    let ticket = ticket.expect("signed in online: the campus gave a ticket");
    accounts::add_account(
        &mut a.client().with_ticket(ticket.clone()),
        &mut a.store,
        &boss,
        "王主管",
        Role::Supervisor,
        "135792",
    )
    .unwrap();
    let (at_b, _) = online(&mut b, "王主管", "135792").unwrap();
    assert_eq!(at_b.role(), Role::Supervisor, "B never had this account");
    let listed = accounts::accounts(&mut c.client()).unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    let wang = listed.iter().find(|a| a.name == "王主管").unwrap();
    assert_eq!(wang.last_station.as_deref(), Some("B"));
    assert_eq!(wang.role, "supervisor");

    // Three wrong PINs at A and two at B: the fifth locks the account for the whole campus.
    let wrong_pin = |station: &mut crate::util::campus_server::TestStation, left: u32| {
        let client = station.client();
        match accounts::sign_in(&mut station.store, Ok(client), "王主管", "000000") {
            Err(StoreError::WrongPin { remaining }) => assert_eq!(remaining, left),
            other => panic!("expected a wrong PIN, got {other:?}"),
        }
    };
    wrong_pin(&mut a, 4);
    wrong_pin(&mut a, 3);
    wrong_pin(&mut a, 2);
    wrong_pin(&mut b, 1);
    let fifth = online(&mut b, "王主管", "000000");
    assert!(
        matches!(fifth, Err(StoreError::LockedOut { .. })),
        "{fifth:?}"
    );
    let right_pin_at_c = online(&mut c, "王主管", "135792");
    assert!(
        matches!(right_pin_at_c, Err(StoreError::LockedOut { .. })),
        "locked at a booth that saw no wrong PIN: {right_pin_at_c:?}"
    );
    // B keeps the campus's lock while its server is away.
    let offline_at_b = accounts::sign_in(&mut b.store, away(), "王主管", "135792");
    assert!(
        matches!(offline_at_b, Err(StoreError::LockedOut { .. })),
        "{offline_at_b:?}"
    );

    // A new PIN ends the lock everywhere.
    accounts::reset_pin(
        &mut a.client().with_ticket(ticket),
        &mut a.store,
        &boss,
        "王主管",
        "246813",
    )
    .unwrap();
    online(&mut c, "王主管", "246813").unwrap();

    // Offline: B signs in the accounts it has seen; C refuses one it never saw, and says why.
    let mut d = campus.station("D");
    let never_seen = accounts::sign_in(&mut d.store, away(), "王主管", "246813");
    match never_seen {
        Err(StoreError::Refused(Refusal::OfflineUnknownAccount)) => {}
        other => panic!("expected the offline refusal, got {other:?}"),
    }
    accounts::sign_in(&mut c.store, away(), "王主管", "246813")
        .expect("C saw this account (with its new PIN) while online");
    let old_pin_offline = accounts::sign_in(&mut b.store, away(), "王主管", "135792");
    assert!(
        old_pin_offline.is_err(),
        "B still holds the lock from the campus"
    );

    // The same name brought by another booth does not replace the campus's account.
    let (at_d, _) = online(&mut d, util::BOSS, util::BOSS_PIN).unwrap();
    assert_eq!(at_d.role(), Role::Supervisor);
    assert_eq!(accounts::accounts(&mut d.client()).unwrap().len(), 2);
}

/// A booth that worked alone before it joined: its imported orders reach the campus ahead of
/// their photos, an order the campus already holds takes the campus's ids (its photo lands on
/// the campus's booking), and nothing is quarantined.
#[test]
fn orders_and_photos_from_before_joining_reach_the_campus() {
    use capture_station::store::StoreError;
    let campus = TestCampus::start();
    campus
        .admin_client()
        .import_bookings(&[ordered("PRE-1", "P1")])
        .unwrap();
    let campus_id: String = campus
        .admin()
        .query_one(
            "SELECT id::text FROM bookings WHERE order_no = 'PRE-1'",
            &[],
        )
        .unwrap()
        .get(0);

    // Alone: the same order PRE-1, an order the campus lacks, a walk-in, a photo of each.
    let data = campus.folder.path().join("station-单机");
    std::fs::create_dir_all(&data).unwrap();
    {
        let mut store = capture_station::store::Store::open(&data.join("station.sqlite3")).unwrap();
        let session = util::boss(&mut store);
        let rows = [ordered("PRE-1", "P1"), ordered("PRE-2", "P2")]
            .into_iter()
            .enumerate()
            .map(|(n, booking)| Ok::<_, StoreError>((n + 2, booking)));
        let counts = store.import_bookings(rows, &session, "orders.csv").unwrap();
        assert_eq!(counts.inserted, 2);
        let walk_in = store
            .create_booking(&walk_in("现场生", None, "W1"), &session)
            .unwrap();
        let photos = data.join("photos");
        for booking in [
            store.booking_by_order_no("PRE-1").unwrap().booking_id,
            store.booking_by_order_no("PRE-2").unwrap().booking_id,
            walk_in,
        ] {
            store
                .save_capture(
                    &photos,
                    capture_station::store::captures::NewCapture {
                        booking_id: &booking,
                        jpeg: format!("photo of {booking}").as_bytes(),
                        original_jpeg: None,
                        spec_report: serde_json::json!({ "ok": true }),
                        spec_ok: true,
                        overridden: false,
                        session: &session,
                    },
                )
                .unwrap();
        }
    }

    let mut station = campus.station("单机");
    let report = station.sync();
    assert_eq!(report.quarantined, 0, "{report:?}");
    assert_eq!(station.store.outbox_depth().unwrap(), 0);
    let local = station.store.booking_by_order_no("PRE-1").unwrap();
    assert_eq!(
        local.booking_id, campus_id,
        "the campus's order keeps its id"
    );
    assert_eq!(local.status, "captured");
    let captures = station.store.captures_for(&campus_id).unwrap();
    assert_eq!(captures.len(), 1);
    assert!(
        station.photos.join(&captures[0].photo_path).exists(),
        "the photo file is still found"
    );
    assert_eq!(
        campus.count(
            "SELECT count(*) FROM captures c JOIN bookings b ON b.id = c.booking_id
             WHERE c.active AND b.order_no IN ('PRE-1', 'PRE-2') AND c.station = '单机'"
        ),
        2
    );
    assert_eq!(
        campus.count("SELECT count(*) FROM bookings WHERE order_no = 'PRE-1'"),
        1,
        "one PRE-1 on the campus"
    );
    assert_eq!(
        campus.count("SELECT count(*) FROM captures WHERE station = '单机' AND active"),
        3
    );
    assert_eq!(campus.count("SELECT count(*) FROM quarantine"), 0);
    // Once only: a second pass hands nothing over again.
    station.sync();
    assert_eq!(
        campus.count("SELECT count(*) FROM bookings WHERE order_no = 'PRE-2'"),
        1
    );
    let verify = station.store.verify_event_chain().unwrap();
    assert!(verify.is_none(), "{verify:?}");
}
