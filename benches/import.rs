//! Import speed: a generated 50,000-row XLSX order export, parsed, validated and inserted into a
//! fresh on-disk store (WAL, synchronous=FULL). Target: ≤ 1.5 s.
// Tests and benchmarks unwrap: a failure there is the test failing, which is its job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use capture_station::domain::CaptureCodeRules;
use capture_station::store::Store;
use capture_station::transfer::{ImportOptions, import_file, sample};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

fn import_50k(c: &mut Criterion) {
    let orders = sample::sample_orders(50_000, 11, "示例大学");
    let bytes = sample::write_xlsx(&orders).expect("xlsx");
    let options = ImportOptions {
        school: None,
        capture_code_rules: CaptureCodeRules::default(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
    };
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.bench_function("xlsx_50k_rows_into_fresh_store", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tempdir");
                let mut store = Store::open(&dir.path().join("bench.sqlite3")).expect("store");
                let boss = store
                    .create_first_supervisor("bench", "123456")
                    .expect("account");
                (dir, store, boss)
            },
            |(dir, mut store, boss)| {
                let report =
                    import_file(&mut store, &bytes, "bench.xlsx", &options, &boss).expect("import");
                assert_eq!(report.inserted, 50_000);
                (dir, store)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, import_50k);
criterion_main!(benches);
