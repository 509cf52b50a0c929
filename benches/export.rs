//! Export of 10,000 photos (about 30 KB each, like the accepted JPEGs) against a plain `cp -r` of
//! the same photos folder on the same disk: both in MB/s. Run with `cargo bench --bench export`.
// Tests and benchmarks unwrap: a failure there is the test failing, which is its job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use capture_station::store::Store;
use capture_station::store::captures::NewCapture;
use capture_station::transfer::export::{DEFAULT_NAMING, Naming, export_photos};
use capture_station::transfer::sample;

const PHOTOS: usize = 10_000;
const PHOTO_BYTES: usize = 30 * 1024;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("export_10k: benchmark");
        return;
    }
    let dir = tempfile::tempdir_in(std::env::current_dir().expect("cwd")).expect("tempdir");
    let photos = dir.path().join("photos");
    let mut store = Store::open(&dir.path().join("bench.sqlite3")).expect("store");
    let boss = store
        .create_first_supervisor("bench", "123456")
        .expect("account");
    let orders = sample::sample_orders(PHOTOS, 44, "示例大学");
    let options = capture_station::transfer::ImportOptions {
        school: None,
        capture_code_rules: Default::default(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
    };
    let bytes = sample::write_xlsx(&orders).expect("xlsx");
    capture_station::transfer::import_file(&mut store, &bytes, "b", &options, &boss)
        .expect("import");
    let mut rng = fastrand::Rng::with_seed(1);
    let started = Instant::now();
    for order in &orders {
        let booking = store
            .booking_by_order_no(order.order_no())
            .expect("booking");
        let jpeg: Vec<u8> = (0..PHOTO_BYTES).map(|_| rng.u8(..)).collect();
        store
            .save_capture(
                &photos,
                NewCapture {
                    booking_id: &booking.booking_id,
                    jpeg: &jpeg,
                    original_jpeg: None,
                    spec_report: serde_json::json!({}),
                    spec_ok: true,
                    overridden: false,
                    session: &boss,
                },
            )
            .expect("save");
    }
    eprintln!("seeded {PHOTOS} photos in {:.1?}", started.elapsed());

    let rows = store.export_rows("示例大学").expect("rows");
    let naming = Naming::parse(DEFAULT_NAMING).expect("naming");
    let out = dir.path().join("out");
    let report = export_photos(&rows, &photos, &out, &naming, false, |_, _| {}).expect("export");
    let megabytes = report.bytes as f64 / 1e6;

    let copy_to = dir.path().join("copy");
    let started = Instant::now();
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(&photos)
        .arg(&copy_to)
        .status()
        .expect("cp");
    let cp_seconds = started.elapsed().as_secs_f64();
    assert!(status.success());
    println!(
        "export_10k: {} photos, {megabytes:.0} MB in {:.2} s = {:.0} MB/s; cp -r of the same photos: {cp_seconds:.2} s = {:.0} MB/s",
        report.photos,
        report.seconds,
        report.mb_per_s,
        megabytes / cp_seconds
    );
}
