//! The campus fault harness: three stations run the real binary's headless capture loop over an
//! imported roster of 600 students against one real PostgreSQL server, while the harness kills
//! stations (SIGKILL), stops the server, cuts a station's connection (`pg_terminate_backend`),
//! leaves a station's connection silent inside an upload transaction that holds the events lock
//! (a booth whose Wi-Fi dropped mid-upload: the server must cut it off and the others sync on),
//! and makes two booths photograph one student while one of them is offline. Faults are triggered by
//! progress (after the n-th reported save), so the plan is the same on a fast or a slow machine.
//!
//! Afterwards everything is drained, the school is closed for the campus, and the harness checks
//! that nothing was lost: every accepted photo is on the server with its hash, no booking has
//! two active captures, every double capture is a conflict, the refunds are exactly the
//! students nobody photographed, the event chains verify, and every SQLite file is sound.
//!
//! `cargo test` runs a short version (8 faults); `CAMPUS_FAULTS=200 cargo test --release --test
//! integration campus_faults -- --nocapture` runs the long one and prints the tally.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use capture_station::campus::cluster;
use capture_station::store::captures::sha256_hex;

use crate::util::campus_server::{TestCampus, ordered};
use crate::util::{self, BOSS, BOSS_PIN};

const SCHOOL: &str = "校区大学";
const STUDENTS: usize = 600;
const BOOTHS: [&str; 3] = ["一号机", "二号机", "三号机"];
/// How many saves the booths must make while the server is down before it comes back: proof
/// that shooting goes on offline.
const SAVES_DURING_OUTAGE: usize = 3;
/// Each booth's pace, so that a run is a queue being served and not three booths racing
/// through the roster (which would turn every server outage into dozens of double captures).
/// A long run paces slower: its faults take real time (a restart, a server coming back), and
/// the booths shoot on meanwhile, so a fast pace would empty the roster before the plan ends.
fn pace_ms(faults: usize) -> u64 {
    (faults as u64 * 10).clamp(120, 2000)
}
/// A station that reports nothing for this long is stuck, not slow.
const STUCK: Duration = Duration::from_secs(120);

fn planned_faults() -> usize {
    std::env::var("CAMPUS_FAULTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(8)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Fault {
    Kill(usize),
    ServerOutage,
    CutConnection(usize),
    OfflineDoubleCapture(usize),
    SilentInsideUpload(usize),
}

/// The idle-in-transaction limit during the harness (shipped: 30 s), so that a silent upload
/// is cut off within the run's pace rather than half a minute.
const HARNESS_IDLE_LIMIT: &str = "3s";

/// What a booth's loop printed, tagged with the booth and the run (a restarted booth is a new
/// run; the old one's end of output must not be taken for the new one's).
enum Report {
    Saved {
        booth: usize,
        booking: String,
        capture: String,
        sha256: String,
    },
    Ended {
        booth: usize,
        run: u64,
    },
    Other,
}

struct Booth {
    name: &'static str,
    data: PathBuf,
    child: Option<Child>,
    run: u64,
    pace_ms: u64,
}

impl Booth {
    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_capture-station"));
        command
            .arg("--data-dir")
            .arg(&self.data)
            .args(["--user", BOSS])
            .env("CAPTURE_STATION_PIN", BOSS_PIN)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stderr(self.stderr_file());
        command
    }

    /// Where the booth's error output goes (appended across its runs), so that a failure can
    /// say why a booth stopped.
    fn stderr_file(&self) -> Stdio {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.data.join("stderr.txt"))
            .map(Stdio::from)
            .unwrap_or_else(|_| Stdio::null())
    }

    fn start(&mut self, index: usize, reports: &Sender<Report>) {
        self.run += 1;
        let mut child = self
            .command()
            .args(["soak-capture", "--roster", "--school", SCHOOL, "--seed"])
            .arg((index as u64 * 7919).to_string())
            .args(["--pace-ms", &self.pace_ms.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the station starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let reports = reports.clone();
        let run = self.run;
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = reports.send(parse(index, &line));
            }
            let _ = reports.send(Report::Ended { booth: index, run });
        });
        self.child = Some(child);
    }

    /// Freezes (SIGSTOP) or thaws (SIGCONT) the booth, as a laptop that hangs for a moment:
    /// the harness freezes the booths while the server goes down and comes up, so that those
    /// seconds do not count as shooting time.
    fn freeze(&self, frozen: bool) {
        if let Some(child) = &self.child {
            let signal = if frozen { "-STOP" } else { "-CONT" };
            let _ = Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status();
        }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn run_ok(&self, args: &[&str]) -> String {
        let output = self.command().args(args).output().expect("the binary runs");
        assert!(
            output.status.success(),
            "{} {args:?}: {}",
            self.name,
            String::from_utf8_lossy(&output.stderr)
        );
        util::stdout(&output)
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(self.run_ok(args).trim()).expect("one JSON object")
    }

    fn database(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.data.join("station.sqlite3")).unwrap()
    }
}

fn parse(booth: usize, line: &str) -> Report {
    match line.split_whitespace().collect::<Vec<_>>()[..] {
        ["saved", booking, capture, sha256] => Report::Saved {
            booth,
            booking: booking.to_string(),
            capture: capture.to_string(),
            sha256: sha256.to_string(),
        },
        _ => Report::Other,
    }
}

#[derive(Default)]
struct Tally {
    /// capture id → (booth, booking, sha256), as each loop reported it.
    saved: HashMap<String, (usize, String, String)>,
    kills: usize,
    outages: usize,
    cuts: usize,
    backends_terminated: i64,
    /// Connections left silent inside an upload, each holding the events lock.
    silent: Vec<postgres::Client>,
    /// Bookings two booths photographed on purpose (one of them offline).
    doubles: BTreeSet<String>,
}

impl Tally {
    fn record(&mut self, report: &Report) {
        if let Report::Saved {
            booth,
            booking,
            capture,
            sha256,
        } = report
        {
            self.saved
                .insert(capture.clone(), (*booth, booking.clone(), sha256.clone()));
        }
    }
}

struct Harness {
    campus: TestCampus,
    booths: Vec<Booth>,
    reports: Sender<Report>,
    received: Receiver<Report>,
    tally: Tally,
}

impl Harness {
    /// The next report from any booth; a report from a loop that ended unasked is a failure.
    fn next_report(&mut self) -> Report {
        let report = self
            .received
            .recv_timeout(STUCK)
            .expect("a station stopped reporting: stuck");
        if let Report::Ended { booth, run } = &report {
            let current = &mut self.booths[*booth];
            if *run == current.run && current.child.is_some() {
                let status = current.child.take().map(|mut child| child.wait());
                let statuses: Vec<(String, i64)> = current
                    .database()
                    .prepare("SELECT status, count(*) FROM bookings GROUP BY status")
                    .unwrap()
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                let said =
                    std::fs::read_to_string(current.data.join("stderr.txt")).unwrap_or_default();
                panic!(
                    "{} ended on its own ({status:?}) after {} saves in all; its bookings: {statuses:?}; it said: {said}",
                    current.name,
                    self.tally.saved.len()
                );
            }
        }
        self.tally.record(&report);
        report
    }

    fn freeze_booths(&self, frozen: bool) {
        for booth in &self.booths {
            booth.freeze(frozen);
        }
    }

    fn inject(&mut self, fault: Fault) {
        match fault {
            Fault::Kill(booth) => {
                self.booths[booth].kill();
                self.tally.kills += 1;
                let reports = self.reports.clone();
                self.booths[booth].start(booth, &reports);
            }
            Fault::ServerOutage => {
                self.freeze_booths(true);
                cluster::stop(&self.campus.server_dir).expect("the server stops");
                self.freeze_booths(false);
                self.tally.outages += 1;
                let mut saves = 0;
                while saves < SAVES_DURING_OUTAGE {
                    if let Report::Saved { .. } = self.next_report() {
                        saves += 1;
                    }
                }
                self.freeze_booths(true);
                cluster::start(&self.campus.server_dir).expect("the server starts again");
                self.freeze_booths(false);
            }
            Fault::CutConnection(booth) => {
                let terminated: i64 = self
                    .campus
                    .superuser()
                    .query_one(
                        "SELECT count(pg_terminate_backend(a.pid))
                         FROM pg_stat_activity a JOIN stations s ON s.role_name = a.usename
                         WHERE s.name = $1",
                        &[&self.booths[booth].name],
                    )
                    .expect("the superuser ends a station's connections")
                    .get(0);
                self.tally.cuts += 1;
                self.tally.backends_terminated += terminated;
            }
            Fault::SilentInsideUpload(booth) => {
                // The booth's own login, as its data folder holds it, opens an upload's
                // transaction, takes the lock every writer needs, and then says nothing more.
                let login = capture_station::campus::settings::CampusSettings::load(
                    &self.booths[booth].data,
                )
                .unwrap()
                .unwrap()
                .login;
                let mut silent =
                    capture_station::campus::tls::connect(&login, Duration::from_secs(10))
                        .expect("the booth's login connects");
                silent
                    .batch_execute(&format!(
                        "BEGIN; SELECT pg_advisory_xact_lock({})",
                        capture_station::campus::schema::EVENTS_LOCK
                    ))
                    .expect("the silent upload takes the lock");
                self.tally.silent.push(silent);
            }
            Fault::OfflineDoubleCapture(booth) => {
                // The booth's Wi-Fi is down (its loop is stopped and a one-shot runs without
                // claim or sync) while another booth photographs a student online; the offline
                // booth, not knowing, photographs the same student.
                self.booths[booth].kill();
                for _ in 0..50 {
                    let Report::Saved {
                        booth: other,
                        booking,
                        ..
                    } = self.next_report()
                    else {
                        continue;
                    };
                    if other == booth {
                        continue;
                    }
                    let output = self.booths[booth]
                        .command()
                        .args(["soak-capture", "--offline", "--school", SCHOOL])
                        .args(["--booking", &booking, "--count", "1"])
                        .stdout(Stdio::piped())
                        .output()
                        .expect("the one-shot runs");
                    let said = String::from_utf8_lossy(&output.stderr);
                    if !output.status.success() && said.contains("not waiting for a photo") {
                        // The booth had already pulled that photo before it went offline.
                        continue;
                    }
                    assert!(output.status.success(), "{said}");
                    let line = util::stdout(&output);
                    let report = parse(booth, line.trim());
                    if let Report::Saved { .. } = report {
                        self.tally.record(&report);
                        self.tally.doubles.insert(booking);
                        break;
                    }
                    // The booth had already pulled that photo before it went offline: the
                    // student shows as photographed there, so try the next one.
                }
                let reports = self.reports.clone();
                self.booths[booth].start(booth, &reports);
            }
        }
    }
}

/// Where in the run each fault lands (at the first report after which save), and which one it
/// is: a fixed plan from a fixed seed, the five kinds in turn. The faults are spread
/// over the first half of the run: the booths shoot on while a fault plays out, so the later
/// faults land later than planned, and the second half leaves room for that.
fn plan(faults: usize, captures: usize) -> Vec<(usize, Fault)> {
    let mut rng = fastrand::Rng::with_seed(20261203);
    let mut at: Vec<usize> = (0..faults)
        .map(|_| rng.usize(5..(captures / 2).max(6)))
        .collect();
    at.sort_unstable();
    at.into_iter()
        .enumerate()
        .map(|(n, at)| {
            let booth = rng.usize(0..BOOTHS.len());
            let fault = match n % 5 {
                0 => Fault::Kill(booth),
                1 => Fault::CutConnection(booth),
                2 => Fault::OfflineDoubleCapture(booth),
                3 => Fault::SilentInsideUpload(booth),
                _ => Fault::ServerOutage,
            };
            (at, fault)
        })
        .collect()
}

#[test]
fn campus_faults_lose_no_photo_and_refund_exactly_the_students_nobody_photographed() {
    let faults = planned_faults();
    // Enough captures that every fault lands inside the run, and well short of the roster (the
    // outages add double captures), so that the close-out has students to refund.
    let captures = (faults * 5 / 2).clamp(90, STUDENTS * 4 / 5);
    let campus = TestCampus::start();
    campus
        .admin()
        .batch_execute(&format!(
            "ALTER DATABASE {} SET idle_in_transaction_session_timeout = '{HARNESS_IDLE_LIMIT}'",
            cluster::CAMPUS_DATABASE
        ))
        .unwrap();
    let rows: Vec<_> = (1..=STUDENTS)
        .map(|n| (n + 1, ordered(&format!("F{n:04}"), &format!("2026{n:05}"))))
        .collect();
    let imported = campus.admin_client().import_rows(&rows).unwrap();
    assert_eq!(imported.inserted, STUDENTS);
    let booths: Vec<Booth> = BOOTHS
        .iter()
        .map(|name| {
            let mut station = campus.station(name);
            station.sync();
            Booth {
                name,
                data: station.photos.parent().unwrap().to_path_buf(),
                child: None,
                run: 0,
                pace_ms: pace_ms(faults),
            }
        })
        .collect();
    let (reports, received) = mpsc::channel();
    let mut harness = Harness {
        campus,
        booths,
        reports,
        received,
        tally: Tally::default(),
    };
    for index in 0..BOOTHS.len() {
        let reports = harness.reports.clone();
        harness.booths[index].start(index, &reports);
    }

    let plan = plan(faults, captures);
    let planned = |kind: fn(&Fault) -> bool| plan.iter().filter(|(_, f)| kind(f)).count();
    let planned_doubles = planned(|f| matches!(f, Fault::OfflineDoubleCapture(_)));
    let planned_kills = planned(|f| matches!(f, Fault::Kill(_)));
    let planned_outages = planned(|f| matches!(f, Fault::ServerOutage));
    let planned_silent = planned(|f| matches!(f, Fault::SilentInsideUpload(_)));
    let mut plan = plan.into_iter().peekable();
    while harness.tally.saved.len() < captures || plan.peek().is_some() {
        harness.next_report();
        while let Some((_, fault)) = plan.next_if(|(at, _)| *at <= harness.tally.saved.len()) {
            harness.inject(fault);
        }
    }
    for booth in &mut harness.booths {
        booth.kill();
    }
    // Whatever the loops printed before they were stopped still counts.
    while let Ok(report) = harness.received.try_recv() {
        harness.tally.record(&report);
    }
    assert_eq!(harness.tally.kills, planned_kills);
    assert_eq!(harness.tally.outages, planned_outages);
    assert_eq!(harness.tally.silent.len(), planned_silent);
    assert_eq!(harness.tally.doubles.len(), planned_doubles);
    drain_and_close(&harness);
    // The booths saved on past each silent upload (the run went on to its end), their syncs
    // waited for its lock, and the server cut every silent one off, which freed the lock.
    for silent in &mut harness.tally.silent {
        assert!(
            silent.query_one("SELECT 1", &[]).is_err(),
            "a connection silent inside an upload was never cut off"
        );
    }
    check(&harness, captures);
}

fn drain_and_close(harness: &Harness) {
    for round in 0..2 {
        for booth in &harness.booths {
            let mut tries = 0;
            loop {
                let report = booth.json(&["campus", "sync", "--once", "--json"]);
                if report["outbox_depth"] == 0 && report["photos_waiting"] == 0 {
                    break;
                }
                tries += 1;
                assert!(
                    tries < 5,
                    "{} does not drain (round {round}): {report}",
                    booth.name
                );
            }
        }
    }
    for booth in &harness.booths {
        booth.json(&["campus", "seal", "--school", SCHOOL, "--json"]);
    }
    let closed = harness.booths[0].json(&["campus", "close-out", "--school", SCHOOL, "--json"]);
    assert_eq!(closed["closed"], true, "{closed}");
    for booth in &harness.booths {
        booth.json(&["campus", "sync", "--once", "--json"]);
    }
}

fn check(harness: &Harness, captures: usize) {
    let tally = &harness.tally;
    let mut admin = harness.campus.admin();
    assert!(tally.saved.len() >= captures);

    // 1. Every accepted photo is on the server, byte for byte the station's file.
    let mut lost = 0;
    for (capture, (booth, booking, sha256)) in &tally.saved {
        let booth = &harness.booths[*booth];
        let path: String = booth
            .database()
            .query_row(
                "SELECT photo_path FROM captures WHERE id = ?1",
                [capture],
                |r| r.get(0),
            )
            .unwrap_or_else(|_| panic!("{} lost its capture {capture}", booth.name));
        let file = std::fs::read(booth.data.join("photos").join(path)).unwrap();
        assert_eq!(
            &sha256_hex(&file),
            sha256,
            "the station's file is the photo"
        );
        let on_server = admin
            .query_opt(
                "SELECT c.booking_id::text, p.bytes FROM captures c
                 JOIN photos p ON p.sha256 = c.sha256
                 WHERE c.id = $1::text::uuid AND c.sha256 = $2",
                &[capture, sha256],
            )
            .unwrap();
        match on_server {
            Some(row) => {
                assert_eq!(&row.get::<_, String>(0), booking);
                assert_eq!(row.get::<_, Vec<u8>>(1), file);
            }
            None => lost += 1,
        }
    }
    assert_eq!(lost, 0, "accepted photos missing on the server");

    // 2. No booking has two active captures, and every other capture of a booking is a conflict.
    let doubled: i64 = admin
        .query_one(
            "SELECT count(*) FROM (SELECT booking_id FROM captures WHERE active
                                   GROUP BY booking_id HAVING count(*) > 1) d",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(doubled, 0);
    let unrecorded: i64 = admin
        .query_one(
            "SELECT count(*) FROM captures c WHERE NOT c.active
               AND NOT EXISTS (SELECT 1 FROM conflicts k WHERE k.event_id = c.event_id)",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(unrecorded, 0, "an inactive capture without its conflict");

    // 3. Every double capture the faults made is a conflict on the server.
    let conflicted: HashSet<String> = admin
        .query(
            "SELECT booking_id::text FROM conflicts WHERE kind = 'double_capture'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let missing: Vec<_> = tally
        .doubles
        .iter()
        .filter(|b| !conflicted.contains(*b))
        .collect();
    assert!(
        missing.is_empty(),
        "double captures without a conflict: {missing:?}"
    );

    // 4. The refunds are exactly the students nobody photographed, on the server and at every
    //    station.
    let photographed: HashSet<String> = harness
        .booths
        .iter()
        .flat_map(|booth| {
            booth
                .database()
                .prepare("SELECT booking_id FROM captures")
                .unwrap()
                .query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
        })
        .collect();
    let school: Vec<(String, String)> = admin
        .query(
            "SELECT id::text, status FROM bookings WHERE school = $1",
            &[&SCHOOL],
        )
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert_eq!(school.len(), STUDENTS);
    let refunded: BTreeSet<&String> = school
        .iter()
        .filter(|(_, status)| status == "refund_pending")
        .map(|(id, _)| id)
        .collect();
    let never_photographed: BTreeSet<&String> = school
        .iter()
        .map(|(id, _)| id)
        .filter(|id| !photographed.contains(*id))
        .collect();
    assert_eq!(
        refunded, never_photographed,
        "refunds must be exactly the students nobody photographed"
    );
    assert!(!refunded.is_empty(), "the run leaves students to refund");
    for booth in &harness.booths {
        let local_refunds: i64 = booth
            .database()
            .query_row(
                "SELECT count(*) FROM bookings WHERE status = 'refund_pending'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(local_refunds as usize, refunded.len(), "{}", booth.name);
    }

    // 5. Each station's event chain verifies, and the server holds each station's events
    //    contiguously, the same events in the same order.
    for booth in &harness.booths {
        let verified = booth.json(&["audit", "verify", "--json"]);
        assert_eq!(verified["ok"], true, "{}: {verified}", booth.name);
        let outbox: Vec<(i64, String)> = booth
            .database()
            .prepare("SELECT station_seq, event_id FROM outbox ORDER BY station_seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let server: Vec<(i64, String)> = admin
            .query(
                "SELECT station_seq, event_id::text FROM events WHERE station = $1
                 ORDER BY station_seq",
                &[&booth.name],
            )
            .unwrap()
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect();
        assert_eq!(outbox, server, "{}'s chain on the server", booth.name);
        assert!(
            server
                .iter()
                .enumerate()
                .all(|(n, (seq, _))| *seq == n as i64 + 1),
            "{}'s events are contiguous from 1",
            booth.name
        );
    }

    // 6. Every station's SQLite is sound.
    for booth in &harness.booths {
        let integrity: String = booth
            .database()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "{}", booth.name);
    }

    let conflicts_found: i64 = admin
        .query_one("SELECT count(*) FROM conflicts", &[])
        .unwrap()
        .get(0);
    println!(
        "campus faults: {} captures by 3 stations over {STUDENTS} students; {} kills, {} server \
         outages, {} cut connections ({} backends ended), {} silent uploads cut off by the \
         server, {} offline double captures made, \
         {conflicts_found} conflicts found ({} double captures in all); {} refunds = the {} \
         students never photographed; 0 lost",
        tally.saved.len(),
        tally.kills,
        tally.outages,
        tally.cuts,
        tally.backends_terminated,
        tally.silent.len(),
        tally.doubles.len(),
        conflicted.len(),
        refunded.len(),
        never_photographed.len(),
    );
}
