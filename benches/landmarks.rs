//! Face-mesh speed: the 468-point mesh on each shared portrait's face (crop, resample to
//! 192×192, tract), 30 runs each after a warm-up. Prints the median and 90th percentile and
//! one JSON line. Target (issue: landmarks): ≤ 15 ms per face.
//!
//! `cargo bench --bench landmarks`

use std::path::Path;
use std::time::Instant;

use capture_station::portrait::booth_frame::load_portraits;
use capture_station::portrait::detect::FaceDetector;
use capture_station::portrait::landmarks::FaceMesh;

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
    times.sort_by(f64::total_cmp);
    let at = |f: f64| times[((times.len() - 1) as f64 * f).round() as usize];
    println!(
        "face mesh: {} runs on {} faces; median {:.1} ms, p90 {:.1} ms",
        times.len(),
        portraits.len(),
        at(0.5),
        at(0.9)
    );
    println!(
        "{}",
        serde_json::json!({ "runs": times.len(), "median_ms": at(0.5), "p90_ms": at(0.9) })
    );
}
