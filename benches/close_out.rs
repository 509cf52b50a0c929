//! Close-out of 50,000 uncaptured orders in an on-disk store: the time of `close_session` alone,
//! over five fresh stores (import time excluded). Target ≤ 2 s. Run with
//! `cargo bench --bench close_out`.
// Tests and benchmarks unwrap: a failure there is the test failing, which is its job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use capture_station::domain::{CollectionWindow, HolidayCalendar};
use capture_station::store::Store;
use capture_station::transfer::sample;
use chrono::{NaiveDate, NaiveDateTime};

const ORDERS: usize = 50_000;
const RUNS: usize = 5;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("close_out_50k: benchmark");
        return;
    }
    let orders = sample::sample_orders(ORDERS, 33, "示例大学");
    let bytes = sample::write_xlsx(&orders).expect("xlsx");
    let options = capture_station::transfer::ImportOptions {
        school: None,
        capture_code_rules: Default::default(),
        today: NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
    };
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("date");
    let close_at = NaiveDateTime::new(
        day(20),
        chrono::NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
    );
    let calendar = HolidayCalendar::built_in();
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..RUNS {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(&dir.path().join("bench.sqlite3")).expect("store");
        let boss = store
            .create_first_supervisor("bench", "123456")
            .expect("account");
        capture_station::transfer::import_file(&mut store, &bytes, "b", &options, &boss)
            .expect("import");
        let window = CollectionWindow::new(day(2), day(4)).expect("window");
        store
            .add_collection_window("示例大学", window, &boss)
            .expect("window");
        let started = Instant::now();
        let outcome = store
            .close_session("示例大学", close_at, false, &calendar, &boss)
            .expect("close");
        times.push(started.elapsed());
        assert_eq!(outcome.cancelled, ORDERS);
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / RUNS as u32;
    println!(
        "close_out_50k: mean {:.0} ms, min {:.0} ms, max {:.0} ms over {RUNS} runs (target ≤ 2000 ms)",
        mean.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3
    );
}
