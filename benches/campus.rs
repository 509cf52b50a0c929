//! Campus mode's numbers against a real PostgreSQL cluster on this machine (loopback), made with
//! `campus server init`'s own code in a temporary folder:
//!
//! - claim round trip (p50/p99; target p99 ≤ 20 ms);
//! - a capture at station A visible at station B through the two sync workers (p95 ≤ 1 s);
//! - a fresh station pulling 50,000 bookings (≤ 10 s);
//! - 1,000 captures queued offline uploading with their JPEGs (≤ 30 s), and their originals;
//! - the idle sync worker's CPU (≤ 1 % of a core), station process and its server backend.
//!
//! `cargo bench --bench campus` (add `-- --quick` for a smaller run). Prints one JSON object.
// Tests and benchmarks unwrap: a failure there is the test failing, which is its job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use capture_station::campus::cluster::{self, InitOutcome};
use capture_station::campus::server::{CampusClient, ClaimAnswer, issue_join_code_on};
use capture_station::campus::settings::CampusSettings;
use capture_station::campus::sync;
use capture_station::campus::token::JoinToken;
use capture_station::domain::{BookingSource, PaymentMethod};
use capture_station::store::captures::NewCapture;
use capture_station::store::{NewBooking, Session, Store};
use serde_json::json;

struct Station {
    data: tempfile::TempDir,
    store: Store,
    session: Session,
    settings: CampusSettings,
}

impl Station {
    fn join(campus: &InitOutcome, name: &str) -> Self {
        let data = tempfile::tempdir().expect("tempdir");
        let mut owner =
            capture_station::campus::tls::connect(&campus.admin, Duration::from_secs(10))
                .expect("the owner's connection");
        let token = JoinToken {
            server: campus.enrol.clone(),
            code: issue_join_code_on(&mut owner, 15)
                .expect("a join code")
                .code,
        };
        let login = CampusClient::enrol(&token, name, Duration::from_secs(10)).expect("enrol");
        let settings = CampusSettings {
            station: name.to_string(),
            login,
            enrolment: None,
        };
        settings.save(data.path()).expect("settings");
        let mut store = Store::open(&data.path().join("station.sqlite3")).expect("store");
        let session = store
            .create_first_supervisor("bench", "123456")
            .expect("account");
        Self {
            data,
            store,
            session,
            settings,
        }
    }

    fn photos(&self) -> std::path::PathBuf {
        self.data.path().join("photos")
    }

    fn client(&self) -> CampusClient {
        CampusClient::connect(&self.settings.login, Duration::from_secs(10)).expect("connect")
    }

    fn shoot(&mut self, n: usize, jpeg_size: usize, original_size: usize) -> String {
        let booking = self
            .store
            .create_booking(&walk_in(n, &self.settings.station), &self.session)
            .expect("walk-in");
        let mut random = fastrand::Rng::with_seed(n as u64);
        let jpeg: Vec<u8> = (0..jpeg_size).map(|_| random.u8(..)).collect();
        let original: Vec<u8> = (0..original_size).map(|_| random.u8(..)).collect();
        self.store
            .save_capture(
                &self.photos(),
                NewCapture {
                    booking_id: &booking,
                    jpeg: &jpeg,
                    original_jpeg: Some(&original),
                    spec_report: json!({ "ok": true }),
                    spec_ok: true,
                    overridden: false,
                    session: &self.session,
                },
            )
            .expect("capture");
        booking
    }
}

fn walk_in(n: usize, station: &str) -> NewBooking {
    NewBooking {
        student_no: Some(format!("{station}-{n}")),
        ..NewBooking::walk_in(format!("学生{n}"), "基准大学")
    }
}

fn ordered(n: usize) -> NewBooking {
    NewBooking {
        order_no: Some(format!("BENCH{n:06}")),
        source: BookingSource::MiniProgram,
        amount_fen: 3000,
        payment_method: PaymentMethod::Wechat,
        capture_code: Some(format!("CODE{n:08}")),
        id_number: Some(format!("11010519900101{:04}", n % 10_000)),
        phone: Some(format!("138{n:08}")),
        department: Some("计算机学院".to_string()),
        major: Some("软件工程".to_string()),
        level: Some("本科".to_string()),
        ..walk_in(n, "order")
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn sorted_ms(times: &[Duration]) -> Vec<f64> {
    let mut ms: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    ms
}

/// User + system CPU seconds of a process (or thread) from /proc.
fn cpu_seconds(stat_path: &str) -> f64 {
    let text = std::fs::read_to_string(stat_path).expect("proc stat");
    let after = &text[text.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 =
        fields[11].parse::<f64>().expect("utime") + fields[12].parse::<f64>().expect("stime");
    ticks / capture_station::platform::clock_ticks_per_second()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        println!("campus: benchmark");
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let (pull_bookings, queued, claims, visibility_runs, idle_secs) = if quick {
        (5_000, 100, 300, 20, 5)
    } else {
        (50_000, 1_000, 2_000, 60, 30)
    };
    let folder = tempfile::tempdir().expect("tempdir");
    capture_station::platform::others_may_enter(folder.path()).expect("chmod");
    let server_dir = folder.path().join("server");
    let outcome = cluster::init(&server_dir, None, Some("127.0.0.1".to_string())).expect("server");
    struct Stop(std::path::PathBuf);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = cluster::stop(&self.0);
        }
    }
    let _stop = Stop(server_dir.clone());
    let mut admin = CampusClient::connect(&outcome.admin, Duration::from_secs(10)).expect("admin");
    let mut report = serde_json::Map::new();

    // A fresh station pulls the campus's bookings.
    let bookings: Vec<NewBooking> = (0..pull_bookings).map(ordered).collect();
    let started = Instant::now();
    admin.import_bookings(&bookings).expect("import");
    report.insert(
        "server_import_ms".into(),
        json!(started.elapsed().as_secs_f64() * 1e3),
    );
    let mut fresh = Station::join(&outcome, "fresh");
    let mut client = fresh.client();
    let started = Instant::now();
    let mut pulled = sync::SyncReport::default();
    let photos = fresh.photos();
    sync::pull_changes(&mut fresh.store, &mut client, &photos, &mut pulled).expect("pull");
    let pull = started.elapsed();
    assert_eq!(pulled.pulled.applied, pull_bookings);
    report.insert(
        "fresh_pull".into(),
        json!({ "bookings": pull_bookings, "ms": pull.as_secs_f64() * 1e3, "target_ms": 10_000 }),
    );

    // Claim round trips, one booking after another (as a booth does).
    let ids: Vec<String> = admin
        .client()
        .query(
            "SELECT id::text FROM bookings ORDER BY order_no LIMIT $1",
            &[&(claims as i64)],
        )
        .expect("ids")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let claimant = Station::join(&outcome, "claimant");
    let mut claim_client = claimant.client();
    let mut times = Vec::with_capacity(ids.len());
    for id in &ids {
        let started = Instant::now();
        let answer = claim_client.claim(id).expect("claim");
        times.push(started.elapsed());
        assert_eq!(answer, ClaimAnswer::Won);
    }
    let ms = sorted_ms(&times);
    report.insert(
        "claim_round_trip".into(),
        json!({ "claims": ms.len(), "p50_ms": percentile(&ms, 0.5), "p99_ms": percentile(&ms, 0.99), "max_ms": ms[ms.len() - 1], "target_p99_ms": 20 }),
    );

    // 1,000 captures queued offline upload with their accepted JPEGs (~50 kB), then the
    // originals (~300 kB) follow.
    let mut offline = Station::join(&outcome, "offline");
    for n in 0..queued {
        offline.shoot(n, 50_000, 300_000);
    }
    let mut client = offline.client();
    let photos = offline.photos();
    let mut uploaded = sync::SyncReport::default();
    let started = Instant::now();
    sync::upload_outbox(&mut offline.store, &mut client, &photos, &mut uploaded).expect("upload");
    let upload = started.elapsed();
    let started = Instant::now();
    sync::upload_originals(&mut offline.store, &mut client, &photos, &mut uploaded)
        .expect("originals");
    let originals = started.elapsed();
    assert_eq!(uploaded.applied, queued * 2);
    report.insert(
        "offline_queue_upload".into(),
        json!({ "captures": queued, "events": uploaded.applied, "jpeg_bytes": 50_000, "ms": upload.as_secs_f64() * 1e3, "target_ms": 30_000, "originals": uploaded.originals_uploaded, "original_bytes": 300_000, "originals_ms": originals.as_secs_f64() * 1e3 }),
    );

    // A capture at A visible at B, both running their sync workers.
    drop(claim_client);
    let mut a = claimant;
    let b = Station::join(&outcome, "watcher");
    let a_worker = sync::spawn(
        a.settings.clone(),
        capture_station::campus::settings::SharedLogin::new(a.settings.login.clone()),
        a.data.path().join("station.sqlite3"),
        a.photos(),
    );
    let b_worker = sync::spawn(
        b.settings.clone(),
        capture_station::campus::settings::SharedLogin::new(b.settings.login.clone()),
        b.data.path().join("station.sqlite3"),
        b.photos(),
    );
    let watch = Store::open(&b.data.path().join("station.sqlite3")).expect("watch");
    let settle = Instant::now();
    while !(a_worker.status().connected
        && b_worker.status().connected
        && b_worker.status().outbox_depth == 0)
    {
        assert!(
            settle.elapsed() < Duration::from_secs(120),
            "workers never connected"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut times = Vec::new();
    for n in 0..visibility_runs {
        let booking = a.shoot(1_000_000 + n, 50_000, 10);
        let started = Instant::now();
        a_worker.nudge();
        loop {
            if watch
                .captures_for(&booking)
                .map(|c| !c.is_empty())
                .unwrap_or(false)
            {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "never arrived");
            std::thread::sleep(Duration::from_millis(2));
        }
        times.push(started.elapsed());
    }
    let ms = sorted_ms(&times);
    report.insert(
        "capture_visible_elsewhere".into(),
        json!({ "captures": ms.len(), "p50_ms": percentile(&ms, 0.5), "p95_ms": percentile(&ms, 0.95), "max_ms": ms[ms.len() - 1], "target_p95_ms": 1000 }),
    );

    // Idle: the two workers with nothing to do. Station side: this process's CPU (the
    // watcher's polling is done by now); server side: the backends of the two workers.
    let backends: Vec<i32> = admin
        .client()
        .query(
            "SELECT pid FROM pg_stat_activity WHERE usename LIKE 'station_%' AND application_name = 'capture-station'",
            &[],
        )
        .expect("backends")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let backend_cpu = |pids: &[i32]| -> f64 {
        pids.iter()
            .map(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .map(|_| cpu_seconds(&format!("/proc/{pid}/stat")))
                    .unwrap_or(0.0)
            })
            .sum()
    };
    let process_before = cpu_seconds("/proc/self/stat");
    let server_before = backend_cpu(&backends);
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(idle_secs));
    let wall = started.elapsed().as_secs_f64();
    let process = (cpu_seconds("/proc/self/stat") - process_before) / wall / 2.0;
    let server = (backend_cpu(&backends) - server_before) / wall / 2.0;
    report.insert(
        "idle_sync_cpu".into(),
        json!({ "seconds": wall, "station_percent_of_a_core": process * 100.0, "server_backend_percent_of_a_core": server * 100.0, "target_percent": 1.0, "backends_measured": backends.len() }),
    );
    drop(a_worker);
    drop(b_worker);
    println!("{}", serde_json::Value::Object(report));
}
