//! Portrait speed: a composed 1920×1080 booth frame to the finished JPEG bytes (detection, crop,
//! checks, size search). Target: ≤ 60 ms.

use capture_station::domain::photo_spec::Backdrop;
use capture_station::portrait::booth_frame::compose_booth_frame;
use capture_station::portrait::pipeline::{PortraitPipeline, PortraitSettings};
use criterion::{Criterion, criterion_group, criterion_main};

fn portrait_bench(c: &mut Criterion) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata/portraits/generated/test3.jpg");
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("no test portrait; skipping");
        return;
    };
    let subject = capture_station::scan::image_input::decode_rgb(&bytes).expect("portrait");
    let frame = compose_booth_frame(&subject, Backdrop::Blue, 900, (960, 620), (1920, 1080));
    let mut pipeline = PortraitPipeline::new(PortraitSettings::default()).expect("model");
    c.bench_function("portrait_1080p_booth_frame_to_jpeg", |b| {
        b.iter(|| pipeline.process(&frame).map(|p| p.jpeg.len()).unwrap_or(0))
    });
}

criterion_group!(benches, portrait_bench);
criterion_main!(benches);
