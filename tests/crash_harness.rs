//! The crash harness: the real binary's headless capture loop (walk-in → shot through the
//! portrait pipeline → accepted → saved) is killed with SIGKILL at random moments, and after each
//! kill the data must hold: the database passes `PRAGMA integrity_check`, every capture row's
//! file exists with its recorded sha256, every photo the loop reported as saved is there, and the
//! next start leaves no temporary file behind.
//!
//! `cargo test` runs 12 kills; `CRASH_KILLS=200 cargo test --release --test integration crash`
//! runs the full 200 and prints the tally.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use capture_station::store::captures::sha256_hex;
use capture_station::store::photo_files::{TEMP_MARKER, files_below};
use capture_station::store::{Role, Store};

use crate::util::{self, BOSS, BOSS_PIN};

const OPERATOR: &str = "压测员";
const OPERATOR_PIN: &str = "135790";

fn kills() -> usize {
    std::env::var("CRASH_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12)
}

/// One run of the loop (as a staff account: it books a walk-in before each shot), killed after `saves_first` reported saves plus `extra_ms`. Returns the
/// (capture id → sha256) pairs it reported as saved before it died.
fn run_and_kill(
    data: &Path,
    shot_once: bool,
    saves_first: usize,
    extra_ms: u64,
) -> HashMap<String, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_capture-station"));
    child
        .arg("--data-dir")
        .arg(data)
        .args(["--user", OPERATOR, "soak-capture"]);
    if shot_once {
        // Every iteration after the first is booking + save: most kills land in a save.
        child.arg("--shot-once");
    }
    let mut child = child
        .env("CAPTURE_STATION_PIN", OPERATOR_PIN)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let (lines, received) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut saved = HashMap::new();
    let mut record = |line: String| {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if let ["saved", _booking, capture, sha] = parts[..] {
            saved.insert(capture.to_string(), sha.to_string());
        }
    };
    for _ in 0..saves_first {
        match received.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => record(line),
            Err(_) => panic!("the capture loop stopped reporting saves"),
        }
    }
    // The kill moment, not a synchronisation: anywhere inside the next save is fair game.
    std::thread::sleep(Duration::from_millis(extra_ms));
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    reader.join().expect("reader");
    for line in received.try_iter() {
        record(line);
    }
    saved
}

fn check_after_kill(data: &Path, accepted: &HashMap<String, String>) {
    let database = data.join("station.sqlite3");
    let conn = rusqlite::Connection::open(&database).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let photos = data.join("photos");
    let mut stmt = conn
        .prepare("SELECT id, photo_path, sha256 FROM captures")
        .unwrap();
    let rows: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut stored = HashMap::new();
    for (id, path, sha) in rows {
        let bytes = std::fs::read(photos.join(&path))
            .unwrap_or_else(|e| panic!("capture {id}: {path} is missing ({e})"));
        assert_eq!(sha256_hex(&bytes), sha, "capture {id}: {path} changed");
        stored.insert(id, sha);
    }
    for (id, sha) in accepted {
        assert_eq!(
            stored.get(id),
            Some(sha),
            "accepted capture {id} is not in the store"
        );
    }
    // Campus mode's promise: every capture and walk-in has its outbox entry, committed with it,
    // with contiguous sequence numbers, whatever moment the kill hit.
    let outboxed: Vec<(i64, String, String)> = conn
        .prepare("SELECT station_seq, kind, payload FROM outbox ORDER BY station_seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (index, (seq, _, _)) in outboxed.iter().enumerate() {
        assert_eq!(*seq, index as i64 + 1, "the outbox sequence has a hole");
    }
    let mut outboxed_captures = std::collections::HashSet::new();
    for (_, kind, payload) in &outboxed {
        if kind == "capture" {
            let payload: serde_json::Value = serde_json::from_str(payload).unwrap();
            outboxed_captures.insert(payload["capture_id"].as_str().unwrap().to_string());
        }
    }
    for id in stored.keys() {
        assert!(
            outboxed_captures.contains(id),
            "capture {id} has no outbox entry"
        );
    }
    assert_eq!(
        outboxed_captures.len(),
        stored.len(),
        "an outbox capture has no row"
    );
    let bookings: i64 = conn
        .query_row("SELECT count(*) FROM bookings", [], |r| r.get(0))
        .unwrap();
    let outboxed_bookings = outboxed.iter().filter(|(_, k, _)| k == "booking").count();
    assert_eq!(
        bookings as usize, outboxed_bookings,
        "a walk-in has no outbox entry"
    );
}

fn temporaries(photos: &Path) -> usize {
    files_below(photos)
        .iter()
        .filter(|p| p.to_string_lossy().contains(TEMP_MARKER))
        .count()
}

/// "The next start": any command that may change the station tidies the photo folder first
/// (one that only reads, such as `lookup`, leaves it: the window may be saving beside it).
fn restart_leaves_no_temporaries(data: &Path) {
    let output = util::run_as(data, None, &["school", "list"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let photos = data.join("photos");
    let left: Vec<_> = files_below(&photos)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(TEMP_MARKER))
        .collect();
    assert!(left.is_empty(), "temporaries survived a start: {left:?}");
}

#[test]
fn sigkill_during_capture_loses_nothing() {
    let data = tempfile::tempdir().unwrap();
    util::ensure_boss(data.path());
    {
        let mut store = Store::open(&data.path().join("station.sqlite3")).unwrap();
        let boss = store.login(BOSS, BOSS_PIN).unwrap();
        store
            .add_user(&boss, OPERATOR, Role::Staff, OPERATOR_PIN)
            .unwrap();
    }
    let mut random = fastrand::Rng::with_seed(20261129);
    let mut accepted = HashMap::new();
    let total = kills();
    // How many kills landed inside a save (a temporary or an unreferenced photo was left).
    let mut mid_save = 0;
    for kill in 0..total {
        let shot_once = kill % 2 == 1;
        let saves_first = random.usize(0..=2);
        let extra_ms = random.u64(0..=if shot_once { 60 } else { 250 });
        let saved = run_and_kill(data.path(), shot_once, saves_first, extra_ms);
        accepted.extend(saved);
        check_after_kill(data.path(), &accepted);
        let photos = data.path().join("photos");
        let orphans_before = files_below(&photos.join("orphans")).len();
        let temporaries_left = temporaries(&photos);
        restart_leaves_no_temporaries(data.path());
        if temporaries_left > 0 || files_below(&photos.join("orphans")).len() > orphans_before {
            mid_save += 1;
        }
        check_after_kill(data.path(), &accepted);
        if (kill + 1) % 25 == 0 {
            eprintln!("crash harness: {}/{total} kills survived", kill + 1);
        }
    }
    eprintln!(
        "crash harness: {total}/{total} kills survived; {} accepted photos all present; \
         {mid_save} kills interrupted a save between file and commit",
        accepted.len()
    );
    assert!(
        !accepted.is_empty(),
        "the loop never saved anything: the harness tested nothing"
    );
}
