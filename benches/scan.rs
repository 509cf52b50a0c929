//! Scanner speed: one synthetic 1080p phone frame, the whole 120-frame phone set, and the ZXing
//! blackbox images from ../shared/testdata (target: mean ≤ 8 ms per 1080p frame). Before the
//! timings it reads the three difficulty bands (near, middle, far; 60 frames each, seed 42) and
//! prints each band's read rate and mean time a frame, for the live path (code-like patches
//! only) and for stills (then the whole frame); it writes those frames as PNG with their
//! payloads into target/phone-bands, so that `tools/compare_zxing.py` can time zxing-cpp on
//! the same frames.
// Tests and benchmarks unwrap: a failure there is the test failing, which is its job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use capture_station::camera::synthetic::{
    Difficulty, PhoneScene, phone_band_set, phone_clip, phone_screen_set, render_phone_frame,
};
use capture_station::scan::decode::{Effort, decode_frame_near, decode_frame_with};
use capture_station::scan::locate::Patch;
use capture_station::scan::pacing::LiveLooks;
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

/// Reads every band with both efforts, prints `band read/total mean_ms` for each, and leaves the
/// frames on disk.
fn report_bands() {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/phone-bands");
    for band in Difficulty::ALL {
        let folder = out.join(band.name());
        if let Err(error) = std::fs::create_dir_all(&folder) {
            eprintln!("{}: {error}", folder.display());
        }
        // (read, milliseconds) for the live path (patches only) and for stills (then the
        // whole-frame cascade).
        let mut tally = [(0usize, 0.0f64); 2];
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
            for (slot, effort) in [Effort::Quick, Effort::Thorough].into_iter().enumerate() {
                let started = Instant::now();
                let codes = decode_frame_with(&gray, effort).codes;
                tally[slot].1 += started.elapsed().as_secs_f64() * 1000.0;
                tally[slot].0 += usize::from(codes.contains(&payload));
            }
        }
        for (label, (read, ms)) in ["patches", "thorough"].iter().zip(tally) {
            eprintln!(
                "band {} ({label}): {read}/{BAND_FRAMES} read, mean {:.1} ms a frame",
                band.name(),
                ms / BAND_FRAMES as f64
            );
        }
    }
}

/// What a look costs while nothing is in view, the idle booth's load: a plain desk and a busy
/// scene, 1080p, without a code; prints the mean milliseconds for each effort.
fn report_empty_frames() {
    for busy in [false, true] {
        let mut scene = PhoneScene::plain("unused");
        scene.payload = None;
        scene.busy_background = busy;
        let gray = DynamicImage::ImageRgb8(render_phone_frame(&scene, 1920, 1080)).into_luma8();
        for effort in [Effort::Quick, Effort::Thorough] {
            const ROUNDS: u32 = 20;
            let started = Instant::now();
            for _ in 0..ROUNDS {
                assert!(decode_frame_with(&gray, effort).codes.is_empty());
            }
            eprintln!(
                "empty frame ({}, {effort:?}): {:.1} ms a look",
                if busy { "busy scene" } else { "plain desk" },
                started.elapsed().as_secs_f64() * 1000.0 / f64::from(ROUNDS)
            );
        }
    }
}

/// Students a band in the replayed clips (`SCAN_CLIP_STUDENTS` sets another count: 60 gives a
/// figure worth a percent), and the clip's length at 30 fps (2 s: the first second counts for
/// the read, the second shows whether an unread code got its hint).
fn clip_students() -> usize {
    std::env::var("SCAN_CLIP_STUDENTS")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(20)
}
const CLIP_FRAMES: usize = 60;
const FRAME_PERIOD: Duration = Duration::from_nanos(1_000_000_000 / 30);

/// Replays each student's clip (`phone_clip`: the phone comes in, then wobbles) through the live
/// worker's pacing on a simulated clock that advances by the real time of each look and rest,
/// taking the newest frame each time as the worker does; prints the share read within 1 s, the
/// median time to the read, and how many of the rest the operator was told to fix.
fn report_live_clips() {
    let mut times = Vec::new();
    let (mut students, mut hinted, mut unread) = (0usize, 0usize, 0usize);
    let mut held = HeldLooks::default();
    let per_band = clip_students();
    for band in Difficulty::ALL {
        let mut band_read = 0;
        for (index, scene) in phone_band_set(band, per_band, 42).iter().enumerate() {
            students += 1;
            let payload = scene.payload.clone().unwrap_or_default();
            let clip = phone_clip(scene, CLIP_FRAMES, index as u64);
            let mut rendered: Vec<Option<image::RgbImage>> = vec![None; CLIP_FRAMES];
            let mut looks = LiveLooks::default();
            let origin = Instant::now();
            let mut clock = Duration::ZERO;
            let mut was_hinted = false;
            loop {
                let frame = (clock.as_secs_f64() * 30.0) as usize;
                if frame >= CLIP_FRAMES {
                    unread += 1;
                    hinted += usize::from(was_hinted);
                    break;
                }
                let rgb = rendered[frame]
                    .get_or_insert_with(|| render_phone_frame(&clip[frame], 1920, 1080))
                    .clone();
                let effort = looks.next_effort(origin + clock);
                let started = Instant::now();
                let gray = image::imageops::grayscale(&rgb);
                let found = decode_frame_near(&gray, effort, looks.read_in(origin + clock));
                let spent = started.elapsed();
                clock += spent;
                if found.codes.contains(&payload) {
                    if clock <= Duration::from_secs(1) {
                        times.push(clock);
                        band_read += 1;
                        let after = &clip[(frame + 1).min(CLIP_FRAMES)..];
                        held.add(look_while_held(after, &payload, found.read_in));
                    } else {
                        unread += 1;
                        hinted += usize::from(was_hinted);
                    }
                    break;
                }
                let now = origin + clock;
                was_hinted |= matches!(looks.record(&found, now).hint, Some(Some(_)));
                clock += looks.rest_after(spent, now - spent);
                // The next look waits for a frame newer than this one.
                clock = clock.max(FRAME_PERIOD * (frame as u32 + 1));
            }
        }
        eprintln!(
            "live clips {}: {band_read}/{per_band} read within 1 s",
            band.name()
        );
    }
    times.sort();
    eprintln!(
        "live clips: {}/{students} read within 1 s ({:.1}%), median {:.0} ms to the read; \
         of the {unread} others, {hinted} got a hint within 2 s",
        times.len(),
        times.len() as f64 * 100.0 / students as f64,
        times
            .get(times.len() / 2)
            .map_or(f64::NAN, |t| t.as_secs_f64() * 1000.0)
    );
    let [(read_near, ms_near), (read_anew, ms_anew)] = held.tally;
    eprintln!(
        "a code held in view, {} looks after its first read: from the last patch {read_near} \
         read, {:.2} ms a look; searched anew {read_anew} read, {:.2} ms a look",
        held.looks,
        ms_near / held.looks as f64,
        ms_anew / held.looks as f64
    );
}

/// Looks at a code that stays in view after it was read, as the debouncer needs it read.
#[derive(Default)]
struct HeldLooks {
    looks: usize,
    /// (read, milliseconds) starting from the last patch, and searching each frame anew.
    tally: [(usize, f64); 2],
}

impl HeldLooks {
    fn add(&mut self, other: HeldLooks) {
        self.looks += other.looks;
        for (total, part) in self.tally.iter_mut().zip(other.tally) {
            total.0 += part.0;
            total.1 += part.1;
        }
    }
}

/// The thorough look on each of the next `HELD_FRAMES` frames, once starting from the patch the
/// last frame's code was found in, once searching each frame anew.
fn look_while_held(frames: &[PhoneScene], payload: &str, read_in: Option<Patch>) -> HeldLooks {
    const HELD_FRAMES: usize = 8;
    let mut held = HeldLooks::default();
    let mut near = read_in;
    for scene in frames.iter().take(HELD_FRAMES) {
        let gray = DynamicImage::ImageRgb8(render_phone_frame(scene, 1920, 1080)).into_luma8();
        held.looks += 1;
        for (slot, start) in [near, None].into_iter().enumerate() {
            let started = Instant::now();
            let found = decode_frame_near(&gray, Effort::Thorough, start);
            held.tally[slot].1 += started.elapsed().as_secs_f64() * 1000.0;
            held.tally[slot].0 += usize::from(found.codes.iter().any(|code| code == payload));
            if slot == 0 {
                near = found.read_in.or(near);
            }
        }
    }
    held
}

fn scan_benches(c: &mut Criterion) {
    report_live_clips();
    report_empty_frames();
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
