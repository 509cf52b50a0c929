//! Lookup latency at 100,000 bookings, per query kind: p50, p99 and max over 2,000 queries each,
//! measured one by one (criterion reports means; the target is a p99). Target: p99 ≤ 2 ms.
//! Run with `cargo bench --bench lookup`.
// Tests and benchmarks unwrap: a failure there is the test failing, which is its job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use capture_station::store::Store;
use capture_station::transfer::sample;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("lookup_p99: benchmark");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("bench.sqlite3")).expect("store");
    let boss = store
        .create_first_supervisor("bench", "123456")
        .expect("account");
    let orders = sample::sample_orders(100_000, 21, "示例大学");
    let bytes = sample::write_xlsx(&orders).expect("xlsx");
    let options = capture_station::transfer::ImportOptions {
        school: None,
        capture_code_rules: Default::default(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
    };
    let started = Instant::now();
    let report = capture_station::transfer::import_file(&mut store, &bytes, "b", &options, &boss)
        .expect("import");
    eprintln!(
        "seeded {} bookings in {:.2?}",
        report.inserted,
        started.elapsed()
    );

    type Pick = fn(&sample::SampleOrder) -> String;
    let kinds: [(&str, Pick); 7] = [
        ("capture_code", |o| o.capture_code().to_string()),
        ("order_no", |o| o.order_no().to_string()),
        ("id_number", |o| o.id_number().to_lowercase()),
        ("student_no", |o| o.student_no().to_string()),
        ("phone_tail", |o| {
            o.phone()[o.phone().len() - 4..].to_string()
        }),
        ("name_exact", |o| o.name().to_string()),
        ("name_substring", |o| o.name().chars().skip(1).collect()),
    ];
    let mut rng = fastrand::Rng::with_seed(5);
    println!("kind            p50_ms   p99_ms   max_ms   mean_hits");
    for (kind, pick) in kinds {
        let mut times = Vec::with_capacity(2000);
        let mut hits = 0usize;
        for _ in 0..2000 {
            let query = pick(&orders[rng.usize(..orders.len())]);
            let started = Instant::now();
            let found = store.lookup(&query, 20).expect("lookup");
            times.push(started.elapsed());
            assert!(!found.is_empty(), "{kind} {query} found nothing");
            hits += found.len();
        }
        times.sort();
        println!(
            "{kind:<15} {:>7.3}  {:>7.3}  {:>7.3}   {:>6.1}",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            hits as f64 / 2000.0
        );
    }
}
