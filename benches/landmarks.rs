//! Landmark speed, two figures:
//! - the landmarks of one face (the 468-point mesh at 192×192, then the iris model on each
//!   eye at 64×64, the two eyes on two threads), 30 runs on each shared portrait's face after a
//!   warm-up. Target: ≤ 15 ms per face.
//! - live guidance on a 1080p frame (detection, landmarks, framing and pose checks), over the
//!   varied booth frames the portrait benchmark uses. Target: ≥ 10 frames a second.
//!
//! Prints medians and 90th percentiles, then one JSON line.
//!
//! `cargo bench --bench landmarks`
// Tests and benchmarks unwrap: a failure there is the test failing, which is its job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The test frames are a fixture, kept with the tests rather than in the library.
#[path = "../tests/util/booth_frame.rs"]
mod booth_frame;

use std::path::Path;
use std::time::Instant;

use booth_frame::{load_portraits, varied_booth_frames};
use capture_station::domain::photo_spec::Backdrop;
use capture_station::portrait::detect::FaceDetector;
use capture_station::portrait::landmarks::FaceMesh;
use capture_station::portrait::pipeline::{PortraitPipeline, PortraitSettings};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/portraits");
    let mut portraits = Vec::new();
    for folder in ["public-domain", "generated"] {
        if let Ok(found) = load_portraits(&root.join(folder)) {
            portraits.extend(found);
        }
    }
    let mesh = FaceMesh::new().expect("the embedded face mesh loads");
    let mut detector = FaceDetector::new().expect("the face detector loads");
    let mut times = Vec::new();
    for (_, portrait) in &portraits {
        let Some(face) = detector.detect(portrait).into_iter().next() else {
            continue;
        };
        let _ = mesh.landmarks(portrait, &face);
        for _ in 0..30 {
            let started = Instant::now();
            let marks = mesh.landmarks(portrait, &face).expect("the mesh runs");
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(marks);
        }
    }
    let (median, p90) = median_and_p90(&mut times);
    println!(
        "landmarks (mesh and irises): {} runs on {} faces; median {median:.1} ms, p90 {p90:.1} ms",
        times.len(),
        portraits.len(),
    );

    let mut pipeline =
        PortraitPipeline::new(PortraitSettings::default()).expect("the face models load");
    let frames = varied_booth_frames(&portraits, Backdrop::Blue);
    let mut guide_times = Vec::new();
    for frame in &frames {
        let guidance = pipeline.guide(&frame.frame);
        guide_times.push(guidance.ms);
    }
    let (guide_median, guide_p90) = median_and_p90(&mut guide_times);
    println!(
        "live guidance: {} frames at 1080p; median {guide_median:.1} ms ({:.0} frames a second), p90 {guide_p90:.1} ms",
        frames.len(),
        1000.0 / guide_median
    );
    println!(
        "{}",
        serde_json::json!({
            "runs": times.len(), "median_ms": median, "p90_ms": p90,
            "guide_frames": frames.len(), "guide_median_ms": guide_median,
            "guide_p90_ms": guide_p90, "guide_per_second": 1000.0 / guide_median,
        })
    );
}

fn median_and_p90(values: &mut [f64]) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    let at = |f: f64| values[((values.len() - 1) as f64 * f).round() as usize];
    (at(0.5), at(0.9))
}
