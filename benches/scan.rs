//! Scanner speed: one synthetic 1080p phone frame, the whole 120-frame phone set, and the ZXing
//! blackbox images from ../shared/testdata (target: mean ≤ 8 ms per 1080p frame). Before the
//! timings it reads the three difficulty bands (near, middle, far; 60 frames each, seed 42) and
//! prints each band's read rate and mean time a frame; it writes those frames as PNG with their
//! payloads into target/phone-bands, so that `tools/compare_zxing.py` can time zxing-cpp on
//! the same frames.

use std::time::Instant;

use capture_station::camera::synthetic::{
    Difficulty, phone_band_set, phone_screen_set, render_phone_frame,
};
use capture_station::scan::{decode_frame, decode_gray};
use criterion::{Criterion, criterion_group, criterion_main};
use image::{DynamicImage, GrayImage};

fn phone_frames() -> Vec<(String, GrayImage)> {
    phone_screen_set(120, 42)
        .into_iter()
        .map(|scene| {
            let frame = render_phone_frame(&scene, 1920, 1080);
            let payload = scene.payload.unwrap_or_default();
            (payload, DynamicImage::ImageRgb8(frame).into_luma8())
        })
        .collect()
}

fn zxing_images() -> Vec<GrayImage> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/qr/zxing");
    let mut images = Vec::new();
    for folder in ["qrcode-1", "qrcode-2", "qrcode-3"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "png")
                && let Ok(bytes) = std::fs::read(&path)
                && let Ok(gray) = decode_gray(&bytes)
            {
                images.push(gray);
            }
        }
    }
    images
}

const BAND_FRAMES: usize = 60;

/// Reads every band, prints `band read/total mean_ms`, and leaves the frames on disk.
fn report_bands() {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/phone-bands");
    for band in Difficulty::ALL {
        let folder = out.join(band.name());
        if let Err(error) = std::fs::create_dir_all(&folder) {
            eprintln!("{}: {error}", folder.display());
        }
        let (mut read, mut elapsed) = (0, 0.0);
        for (index, scene) in phone_band_set(band, BAND_FRAMES, 42)
            .into_iter()
            .enumerate()
        {
            let frame = render_phone_frame(&scene, 1920, 1080);
            let payload = scene.payload.unwrap_or_default();
            let name = folder.join(format!("{index:03}"));
            let _ = frame.save(name.with_extension("png"));
            let _ = std::fs::write(name.with_extension("txt"), &payload);
            let gray = DynamicImage::ImageRgb8(frame).into_luma8();
            let started = Instant::now();
            let codes = decode_frame(&gray).codes;
            elapsed += started.elapsed().as_secs_f64() * 1000.0;
            read += usize::from(codes.contains(&payload));
        }
        eprintln!(
            "band {}: {read}/{BAND_FRAMES} read, mean {:.1} ms a frame",
            band.name(),
            elapsed / BAND_FRAMES as f64
        );
    }
}

fn scan_benches(c: &mut Criterion) {
    report_bands();
    let frames = phone_frames();
    let decoded = frames
        .iter()
        .filter(|(payload, gray)| decode_frame(gray).codes.contains(payload))
        .count();
    eprintln!("phone set: {decoded}/{} decoded", frames.len());
    let mut group = c.benchmark_group("scan");
    group.bench_function("one_1080p_phone_frame", |b| {
        b.iter(|| decode_frame(&frames[0].1))
    });
    group.sample_size(10);
    group.bench_function("phone_set_120_frames_1080p", |b| {
        b.iter(|| {
            frames
                .iter()
                .map(|(_, g)| decode_frame(g).codes.len())
                .sum::<usize>()
        })
    });
    let zxing = zxing_images();
    if !zxing.is_empty() {
        group.bench_function("zxing_blackbox_1_to_3", |b| {
            b.iter(|| {
                zxing
                    .iter()
                    .map(|g| decode_frame(g).codes.len())
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, scan_benches);
criterion_main!(benches);
