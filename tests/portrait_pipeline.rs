//! The portrait pipeline on composed booth frames and on the shared test portraits. Outputs the
//! pipeline calls ok are checked with the test's own means, not the report: dimensions by
//! decoding, JPEG quality from the quantisation table, size by length, head top by a backdrop
//! scan of the output.

use capture_station::config::Language;
use capture_station::i18n::checks::hint_text;
use std::path::Path;

use crate::util::booth_frame::{compose_booth_frame, roll_portrait};
use capture_station::domain::photo_spec::{Backdrop, SizeRange};
use capture_station::portrait::checks::Check;
use capture_station::portrait::geometry::Framing;
use capture_station::portrait::pipeline::{
    PortraitError, PortraitPipeline, PortraitReport, PortraitSettings,
};
use capture_station::scan::image_input::decode_rgb;
use image::RgbImage;

fn portrait(name: &str) -> RgbImage {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata/portraits")
        .join(name);
    decode_rgb(&std::fs::read(path).unwrap()).unwrap()
}

/// test3 (the shared portrait with a plain backdrop), levelled by its hand-marked pupils (they
/// tilt 3.0°, at the very edge of the 3° allowed), on light blue at 1080p.
fn booth_frame(height: u32, center: (i64, i64)) -> RgbImage {
    compose_booth_frame(
        &roll_portrait(
            &portrait("generated/test3.jpg"),
            -marked_roll("generated/test3.jpg"),
        ),
        Backdrop::Blue,
        height,
        center,
        (1920, 1080),
    )
}

fn pipeline() -> PortraitPipeline {
    PortraitPipeline::new(PortraitSettings::default()).unwrap()
}

/// The IJG luminance table (ITU-T T.81 Annex K) in zig-zag order, as JPEG stores it.
const STANDARD_LUMA_ZIGZAG: [u16; 64] = [
    16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40, 26, 24, 22, 22, 24, 49, 35, 37,
    29, 40, 58, 51, 61, 60, 57, 51, 56, 55, 64, 72, 92, 78, 64, 68, 87, 69, 55, 56, 80, 109, 81,
    87, 95, 98, 103, 104, 103, 62, 77, 113, 121, 112, 100, 120, 92, 101, 103, 99,
];

/// The quality whose IJG-scaled table best matches the file's first quantisation table.
fn estimate_quality(jpeg: &[u8]) -> u8 {
    let dqt = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xDB])
        .expect("a DQT marker");
    let precision = jpeg[dqt + 4] >> 4;
    assert_eq!(precision, 0, "8-bit table");
    let table: Vec<u16> = jpeg[dqt + 5..dqt + 69].iter().map(|v| *v as u16).collect();
    (1..=100u8)
        .min_by_key(|quality| {
            let q = *quality as u32;
            let scale = if q < 50 { 5000 / q } else { 200 - 2 * q };
            STANDARD_LUMA_ZIGZAG
                .iter()
                .zip(&table)
                .map(|(base, actual)| {
                    let scaled = ((*base as u32 * scale + 50) / 100).clamp(1, 255);
                    (scaled as i32 - *actual as i32).unsigned_abs()
                })
                .sum::<u32>()
        })
        .unwrap()
}

/// First row from the top where the middle third differs from the backdrop.
fn head_top_row(image: &RgbImage, backdrop: [u8; 3]) -> u32 {
    (0..image.height())
        .find(|&y| {
            let differing = (160..320)
                .filter(|&x| {
                    let p = image.get_pixel(x, y).0;
                    (0..3)
                        .map(|c| (p[c] as i32 - backdrop[c] as i32).abs())
                        .sum::<i32>()
                        > 60
                })
                .count();
            differing > 8
        })
        .unwrap_or(image.height())
}

fn assert_independently_compliant(jpeg: &[u8], size: SizeRange) {
    let decoded = image::load_from_memory(jpeg).unwrap().into_rgb8();
    assert_eq!(decoded.dimensions(), (480, 640));
    assert!(size.contains(jpeg.len()), "{} bytes", jpeg.len());
    assert!(
        estimate_quality(jpeg) >= 60,
        "quality {}",
        estimate_quality(jpeg)
    );
    let top = head_top_row(&decoded, Backdrop::Blue.rgb());
    assert!((50..=110).contains(&top), "head top at {top}");
}

#[test]
fn a_centred_booth_frame_makes_a_compliant_portrait() {
    let frame = booth_frame(900, (960, 620));
    let result = pipeline()
        .process(&frame)
        .unwrap_or_else(|r| panic!("{r:?}"));
    let failed: Vec<_> = result.report.checks.iter().filter(|c| !c.ok).collect();
    assert!(result.report.ok, "failed checks: {failed:?}");
    assert_eq!(result.report.bytes, result.jpeg.len());
    assert_eq!(estimate_quality(&result.jpeg), result.report.quality);
    assert_independently_compliant(&result.jpeg, SizeRange::default());
}

#[test]
fn an_off_centre_subject_is_still_cropped_when_the_frame_allows() {
    let frame = booth_frame(900, (600, 620));
    let result = pipeline()
        .process(&frame)
        .unwrap_or_else(|r| panic!("{r:?}"));
    assert!(result.report.ok);
    assert_independently_compliant(&result.jpeg, SizeRange::default());
}

#[test]
fn framing_failures_say_which_way_to_move() {
    let cases = [
        ((300, (960, 620)), Framing::MoveCloser),
        ((2400, (960, 900)), Framing::TooClose),
        ((900, (140, 620)), Framing::MoveRight),
        ((900, (1780, 620)), Framing::MoveLeft),
    ];
    for ((height, center), expected) in cases {
        let frame = booth_frame(height, center);
        let report = pipeline().process(&frame).expect_err("no compliant crop");
        assert_eq!(
            report.error,
            Some(PortraitError::Framing(expected)),
            "{height} at {center:?}"
        );
        assert!(!report.ok);
    }
}

#[test]
fn no_face_and_two_faces_are_named_failures() {
    let empty = RgbImage::from_pixel(1920, 1080, image::Rgb(Backdrop::Blue.rgb()));
    let report = pipeline().process(&empty).err().unwrap();
    assert_eq!(report.error, Some(PortraitError::NoFace));
    let subject = booth_frame(700, (480, 560));
    let mut two = subject.clone();
    image::imageops::overlay(
        &mut two,
        &image::imageops::crop_imm(&subject, 200, 0, 560, 1080).to_image(),
        1200,
        0,
    );
    let report = pipeline().process(&two).err().unwrap();
    assert!(
        matches!(report.error, Some(PortraitError::SeveralFaces { count }) if count >= 2),
        "{:?}",
        report.error
    );
}

#[test]
fn shared_portraits_never_pass_a_non_compliant_crop() {
    // These are not booth photos (street and studio backdrops, hair touching the top edge), so
    // most are refused; whatever the pipeline does call ok must really be compliant.
    let mut pipeline = pipeline();
    for name in [
        "generated/test1.jpg",
        "generated/test2.jpg",
        "generated/test3.jpg",
        "generated/test4.jpg",
        "public-domain/astronaut.png",
    ] {
        match pipeline.process(&portrait(name)) {
            Ok(result) if result.report.ok => {
                assert_independently_compliant(&result.jpeg, SizeRange::default())
            }
            Ok(result) => assert!(result.report.checks.iter().any(|c| !c.ok), "{name}"),
            Err(report) => assert!(report.error.is_some(), "{name}"),
        }
    }
}

#[test]
fn hostile_files_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(portrait("generated/test3.jpg"))
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    let truncated = crate::util::write(dir.path(), "truncated.jpg", &jpeg[..jpeg.len() / 3]);
    let text = crate::util::write(dir.path(), "notes.jpg", b"not an image at all");
    let mut one_pixel = Vec::new();
    RgbImage::new(1, 1)
        .write_to(
            &mut std::io::Cursor::new(&mut one_pixel),
            image::ImageFormat::Png,
        )
        .unwrap();
    let tiny = crate::util::write(dir.path(), "tiny.png", &one_pixel);
    let mut bomb = one_pixel.clone();
    bomb[16..20].copy_from_slice(&20_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&20_000u32.to_be_bytes());
    let crc = crc32fast::hash(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    let bomb = crate::util::write(dir.path(), "bomb.png", &bomb);
    for (file, expected) in [
        (&truncated, "damaged"),
        (&text, "not an image"),
        (&bomb, "larger than"),
    ] {
        let output = crate::util::run(dir.path(), &["portrait", file.to_str().unwrap()]);
        assert!(!output.status.success(), "{file:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{file:?}: {stderr}");
    }
    let output = crate::util::run(dir.path(), &["portrait", tiny.to_str().unwrap(), "--json"]);
    assert!(output.status.success());
    let report: serde_json::Value =
        serde_json::from_str(crate::util::stdout(&output).trim()).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["error"]["kind"], "no_face");
}

#[test]
fn the_cli_writes_only_successful_crops() {
    let dir = tempfile::tempdir().unwrap();
    let frame = booth_frame(900, (960, 620));
    let input = dir.path().join("booth.png");
    frame.save(&input).unwrap();
    let out = dir.path().join("out.jpg");
    let output = crate::util::run(
        dir.path(),
        &[
            "portrait",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let report: serde_json::Value =
        serde_json::from_str(crate::util::stdout(&output).trim()).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    assert_independently_compliant(&std::fs::read(&out).unwrap(), SizeRange::default());
    let far = booth_frame(250, (960, 620));
    far.save(&input).unwrap();
    let refused = dir.path().join("refused.jpg");
    crate::util::run(
        dir.path(),
        &[
            "portrait",
            input.to_str().unwrap(),
            "-o",
            refused.to_str().unwrap(),
        ],
    );
    assert!(!refused.exists());
}

#[test]
fn the_cli_processes_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    booth_frame(900, (960, 620))
        .save(input.join("a.png"))
        .unwrap();
    booth_frame(300, (960, 620))
        .save(input.join("b.png"))
        .unwrap();
    std::fs::write(input.join("readme.txt"), "not a photo").unwrap();
    let out = dir.path().join("out");
    let output = crate::util::run(
        dir.path(),
        &[
            "portrait",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let reports: Vec<serde_json::Value> = crate::util::stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        reports.len(),
        2,
        "two images, the text file reported on stderr"
    );
    assert_eq!(reports[0]["ok"], true);
    assert_eq!(reports[1]["error"]["kind"], "framing");
    assert_eq!(reports[1]["error"]["detail"], "move_closer");
    assert!(out.join("a.jpg").exists());
    assert!(!out.join("b.jpg").exists());
    assert!(String::from_utf8_lossy(&output.stderr).contains("readme.txt"));
}

/// Pupils marked by hand on the shared portraits (source pixels, image-left pupil first, each
/// checked on a 6× enlargement of the eye): an independent measure of where the eyes really
/// are, to hold the pipeline's own to.
type Point = (f32, f32);
const MARKED_PUPILS: &[(&str, Point, Point)] = &[
    ("public-domain/obama.jpg", (446.0, 214.0), (549.0, 211.0)),
    ("generated/test1.jpg", (341.0, 515.0), (468.0, 512.0)),
    ("generated/test2.jpg", (284.0, 244.0), (371.0, 245.0)),
    ("generated/test3.jpg", (214.0, 209.5), (301.0, 214.0)),
    ("generated/test4.jpg", (452.0, 272.0), (531.0, 268.0)),
];

/// The tilt of a marked portrait's pupils, in degrees (positive: the image-right pupil lower).
fn marked_roll(name: &str) -> f32 {
    let (_, (lx, ly), (rx, ry)) = MARKED_PUPILS
        .iter()
        .find(|(marked, _, _)| *marked == name)
        .expect("a marked portrait");
    (ry - ly).atan2(rx - lx).to_degrees()
}

/// Where a source point of `portrait` lands in the composed frame after
/// `roll_portrait(…, degrees)` and `compose_booth_frame(…, height, centre, 1920×1080)`.
fn composed_point(
    portrait: &RgbImage,
    (x, y): (f32, f32),
    degrees: f32,
    height: u32,
    (cx, cy): (i64, i64),
) -> (f32, f32) {
    let (w, h) = (portrait.width() as f32, portrait.height() as f32);
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (dx, dy) = (x - w / 2.0, y - h / 2.0);
    let (rx, ry) = (w / 2.0 + cos * dx - sin * dy, h / 2.0 + sin * dx + cos * dy);
    let scaled_width = (w as f64 * height as f64 / h as f64) as u32;
    let (sx, sy) = (scaled_width as f32 / w, height as f32 / h);
    let left = cx - scaled_width as i64 / 2;
    let top = cy - height as i64 / 2;
    (left as f32 + rx * sx, top as f32 + ry * sy)
}

/// The defect: a face tilted about 15° (measured from the pupils) and faces whose eyes sat
/// 28–34 px off the centre line were called `ok`. Now, on faces tilted from −15° to 15° and
/// placed off centre, the tilt check passes only when the hand-marked pupils really are level
/// in the photo within the 3° allowed (1° for the marking), and the centring check only when
/// their midpoint is within the 20 px allowed (4 px for the marking) of the photo's centre line.
/// A tilt the crop can level (up to 10°) is levelled by the pupils' own tilt; one past it is
/// refused as tilted.
#[test]
fn tilted_and_off_centre_faces_are_never_passed() {
    use capture_station::portrait::checks::MAX_ROLL_DEGREES;
    use capture_station::portrait::geometry::CENTRE_TOLERANCE;
    use capture_station::portrait::level::MAX_LEVEL_DEGREES;
    let mut pipeline = pipeline();
    let mut judged = 0;
    let mut tilted_rejected = 0;
    let mut levelled = 0;
    for (name, left_pupil, right_pupil) in MARKED_PUPILS
        .iter()
        .filter(|(name, _, _)| ["public-domain/obama.jpg", "generated/test3.jpg"].contains(name))
    {
        let source = portrait(name);
        for degrees in [-15.0f32, -10.0, -6.0, -3.0, 0.0, 3.0, 6.0, 10.0, 15.0] {
            let rolled = roll_portrait(&source, degrees);
            for (height, centre) in [(900, (960, 620)), (820, (760, 640)), (980, (1180, 600))] {
                let frame =
                    compose_booth_frame(&rolled, Backdrop::Blue, height, centre, (1920, 1080));
                let report = match pipeline.process(&frame) {
                    Ok(portrait) => portrait.report,
                    Err(report) => report,
                };
                let Some(crop) = report.crop else { continue };
                judged += 1;
                let in_frame = |p| composed_point(&source, p, degrees, height, centre);
                let ((flx, fly), (frx, fry)) = (in_frame(*left_pupil), in_frame(*right_pupil));
                let frame_tilt = (fry - fly).atan2(frx - flx).to_degrees() as f64;
                let (left, right) = (crop.out_point(flx, fly), crop.out_point(frx, fry));
                let true_tilt = (right.1 - left.1).atan2(right.0 - left.0).to_degrees();
                let true_offset = (left.0 + right.0) / 2.0 - 240.0;
                let check = |rule: &str| report.checks.iter().find(|c| c.rule == rule).unwrap();
                let case = format!(
                    "{name} at {degrees}° (pupils {frame_tilt:.1}°), height {height}, centre {centre:?}"
                );
                if check("head_tilted").ok {
                    assert!(
                        true_tilt.abs() as f64 <= MAX_ROLL_DEGREES + 1.0,
                        "{case}: roll passed but the pupils tilt {true_tilt:.1}° ({:?})",
                        check("head_tilted")
                    );
                } else if true_tilt.abs() as f64 > MAX_ROLL_DEGREES + 1.0 {
                    tilted_rejected += 1;
                }
                if check("centred").ok {
                    assert!(
                        true_offset.abs() as f64 <= CENTRE_TOLERANCE + 4.0,
                        "{case}: centring passed but the pupils' midpoint is {true_offset:.1} px off"
                    );
                }
                if frame_tilt.abs() > MAX_LEVEL_DEGREES + 1.0 {
                    assert!(!check("head_tilted").ok, "{case}: passed as level");
                    assert!(!report.ok, "{case}: a tilted face was called ok");
                }
                if crop.level.is_turned() {
                    levelled += 1;
                    assert!(
                        (crop.level.degrees - frame_tilt).abs() <= 1.5,
                        "{case}: levelled by {:.1}°",
                        crop.level.degrees
                    );
                }
            }
        }
    }
    assert!(judged >= 40, "only {judged} frames were cropped");
    assert!(levelled >= 20, "only {levelled} tilted faces were levelled");
    assert!(
        tilted_rejected >= 8,
        "only {tilted_rejected} tilted faces were rejected"
    );
}

/// The report of `frame`, whether or not a portrait was made.
fn report_of(pipeline: &mut PortraitPipeline, frame: &RgbImage) -> PortraitReport {
    match pipeline.process(frame) {
        Ok(portrait) => portrait.report,
        Err(report) => report,
    }
}

fn check<'a>(report: &'a PortraitReport, rule: &str) -> &'a Check {
    report
        .checks
        .iter()
        .find(|c| c.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} check in {:?}", report.checks))
}

/// A marked portrait turned so that its pupils tilt `target` degrees, on `backdrop` at 1080p,
/// with where its marked pupils land in the frame.
fn labelled_frame(
    name: &str,
    target: f32,
    backdrop: Backdrop,
    height: u32,
    centre: (i64, i64),
) -> (RgbImage, [(f32, f32); 2]) {
    let (_, left, right) = MARKED_PUPILS.iter().find(|(n, _, _)| *n == name).unwrap();
    let source = portrait(name);
    let degrees = target - marked_roll(name);
    let frame = compose_booth_frame(
        &roll_portrait(&source, degrees),
        backdrop,
        height,
        centre,
        (1920, 1080),
    );
    let pupils = [*left, *right].map(|p| composed_point(&source, p, degrees, height, centre));
    (frame, pupils)
}

/// The checks of the face itself, as against the backdrop, clothing and the crop's margin.
const FACE_RULES: [&str; 10] = [
    "eye_line",
    "face_width",
    "centred",
    "head_tilted",
    "head_turned",
    "pitch",
    "eyes_open",
    "mouth_closed",
    "glasses_glare",
    "eyebrows_visible",
];

/// The labelled set: the five hand-marked portraits composed onto the blue, white and grey
/// backdrops at two sizes and positions, turned so that their pupils tilt 0°, ±2°, ±6° and
/// ±12°. Tilts up to 6° are levelled: the crop turns by the label within 1.5°, the marked
/// pupils are level in the photo within 1.5°, and `head_tilted` passes. 12° is past what the
/// crop levels: it fails `head_tilted`, measured within 1.5° of the label, and is never `ok`.
/// Every `ok` photo is held to the marked pupils: eye line 200–300, level within 3° (plus 1°
/// for the marking), centred within 20 px (plus 4), and a backdrop scan of the output finds
/// the head top at 50–110.
#[test]
fn the_labelled_set_levels_natural_tilts_and_refuses_past_the_limit() {
    let mut pipeline = pipeline();
    let backdrops = [Backdrop::Blue, Backdrop::White, Backdrop::Grey];
    let placements = [(900, (960, 600)), (820, (820, 640))];
    let (mut judged, mut level, mut level_ok) = (0, 0, 0);
    let (mut six, mut six_ok) = (0, 0);
    let mut case_index = 0;
    for (name, _, _) in MARKED_PUPILS {
        for target in [0.0f32, -2.0, 2.0, -6.0, 6.0, -12.0, 12.0] {
            for (height, centre) in placements {
                let backdrop = backdrops[case_index % backdrops.len()];
                case_index += 1;
                let (frame, pupils) = labelled_frame(name, target, backdrop, height, centre);
                let report = report_of(&mut pipeline, &frame);
                let case = format!("{name} tilted {target}° on {backdrop:?}, {height} px");
                let Some(crop) = report.crop else { continue };
                judged += 1;
                let tilt = check(&report, "head_tilted");
                let [(lx, ly), (rx, ry)] = pupils.map(|(x, y)| crop.out_point(x, y));
                let true_tilt = (ry - ly).atan2(rx - lx).to_degrees();
                if target.abs() > 10.0 {
                    assert!(!tilt.ok, "{case}: passed as level ({tilt:?})");
                    assert!(
                        (tilt.value as f32 - target).abs() <= 1.5,
                        "{case}: measured {}",
                        tilt.value
                    );
                    assert!(!report.ok, "{case}: called ok");
                } else {
                    assert!(tilt.ok, "{case}: failed as tilted ({tilt:?})");
                    assert!(
                        true_tilt.abs() <= 1.5,
                        "{case}: pupils tilt {true_tilt:.1}°"
                    );
                    if target != 0.0 {
                        assert!(
                            (crop.level.degrees as f32 - target).abs() <= 1.5,
                            "{case}: levelled by {}",
                            crop.level.degrees
                        );
                    }
                }
                if target.abs() == 6.0 {
                    six += 1;
                    six_ok += usize::from(report.ok);
                }
                if target == 0.0 && name.starts_with("generated/") {
                    // Level students with open eyes and closed lips: every check of the face
                    // passes (the backdrop checks may not: some keyed backgrounds stay busy).
                    level += 1;
                    let face_failures: Vec<_> = report
                        .checks
                        .iter()
                        .filter(|c| !c.ok && FACE_RULES.contains(&c.rule))
                        .collect();
                    assert!(face_failures.is_empty(), "{case}: {face_failures:?}");
                    level_ok += usize::from(report.ok);
                }
                if report.ok {
                    let eye_line = (ly + ry) / 2.0;
                    let offset = (lx + rx) / 2.0 - 240.0;
                    assert!(
                        (200.0..=300.0).contains(&eye_line),
                        "{case}: eyes at {eye_line}"
                    );
                    assert!(true_tilt.abs() <= 4.0, "{case}: pupils tilt {true_tilt}");
                    assert!(
                        offset.abs() <= 24.0,
                        "{case}: pupils {offset} px off centre"
                    );
                    let output = pipeline.process(&frame).unwrap().image;
                    let top = head_top_row(&output, backdrop.rgb());
                    assert!((50..=110).contains(&top), "{case}: head top at {top}");
                }
            }
        }
    }
    assert!(judged >= 50, "only {judged} of 70 frames were cropped");
    println!(
        "{judged} frames judged; {level_ok} of {level} level students ok; {six_ok} of {six} at 6° ok"
    );
    assert!(
        level >= 6 && level_ok >= 1,
        "{level_ok} of {level} level frames ok"
    );
}

/// obama3.jpg is a speech: the mouth is open and the head turned and raised. Its checks say
/// so, and it is not `ok`.
#[test]
fn a_speaking_turned_face_fails_mouth_closed_and_head_turned() {
    let report = report_of(&mut pipeline(), &portrait("public-domain/obama3.jpg"));
    assert!(!report.ok);
    for rule in ["mouth_closed", "head_turned", "pitch"] {
        let failed = check(&report, rule);
        assert!(!failed.ok, "{rule}: {failed:?}");
        assert!(failed.value.is_finite(), "{rule} was measured");
    }
    assert!(zh(check(&report, "mouth_closed")).starts_with("请闭上嘴"));
    assert!(zh(check(&report, "head_turned")).starts_with("请正对镜头"));
}

/// Paints the eye at `(px, py)` (a pupil in the frame) shut: each row across the eye filled by
/// blending the skin at its two ends, then a dark lash line along the lower lid.
fn paint_eye_shut(frame: &mut RgbImage, (px, py): (f32, f32), pupil_distance: f32) {
    let (half_w, half_h) = (0.34 * pupil_distance, 0.16 * pupil_distance);
    for y in (py - half_h) as u32..=(py + half_h) as u32 {
        let dy = (y as f32 - py) / half_h;
        let reach = half_w * (1.0 - dy * dy).max(0.0).sqrt();
        let (x0, x1) = ((px - reach) as u32, (px + reach) as u32 + 1);
        let (a, b) = (frame.get_pixel(x0, y).0, frame.get_pixel(x1, y).0);
        for x in x0..x1 {
            let t = (x - x0) as f32 / (x1 - x0) as f32;
            let blend = |c: usize| (a[c] as f32 * (1.0 - t) + b[c] as f32 * t) as u8;
            frame.put_pixel(x, y, image::Rgb([blend(0), blend(1), blend(2)]));
        }
    }
    let lash_half = 0.28 * pupil_distance;
    for x in (px - lash_half) as u32..=(px + lash_half) as u32 {
        let dx = (x as f32 - px) / lash_half;
        let y = py + 0.03 * pupil_distance + 0.04 * pupil_distance * (1.0 - dx * dx);
        for thickness in 0..3 {
            frame.put_pixel(x, y as u32 + thickness, image::Rgb([45, 35, 35]));
        }
    }
}

/// Closed eyes (painted shut on level frames that pass) fail `eyes_open`; a white glare patch
/// on a lens beside the pupil fails `glasses_glare`.
#[test]
fn closed_eyes_and_glare_on_glasses_fail_their_checks() {
    let mut pipeline = pipeline();
    for name in ["generated/test2.jpg", "generated/test3.jpg"] {
        let (frame, pupils) = labelled_frame(name, 0.0, Backdrop::Blue, 900, (960, 600));
        let report = report_of(&mut pipeline, &frame);
        assert!(check(&report, "eyes_open").ok, "{name}: {report:?}");
        assert!(check(&report, "glasses_glare").ok, "{name}");
        let distance = (pupils[1].0 - pupils[0].0).hypot(pupils[1].1 - pupils[0].1);

        let mut shut = frame.clone();
        for pupil in pupils {
            paint_eye_shut(&mut shut, pupil, distance);
        }
        let report = report_of(&mut pipeline, &shut);
        let eyes = check(&report, "eyes_open");
        assert!(!eyes.ok, "{name} with eyes painted shut: {eyes:?}");
        assert!(zh(eyes).starts_with("请睁开眼睛"));
        assert!(!report.ok);

        let mut glare = frame.clone();
        let (px, py) = pupils[0];
        let (cx, cy) = (px + 0.17 * distance, py - 0.06 * distance);
        let (rx, ry) = (0.12 * distance, 0.07 * distance);
        for y in (cy - ry) as u32..=(cy + ry) as u32 {
            for x in (cx - rx) as u32..=(cx + rx) as u32 {
                let (dx, dy) = ((x as f32 - cx) / rx, (y as f32 - cy) / ry);
                if dx * dx + dy * dy <= 1.0 {
                    glare.put_pixel(x, y, image::Rgb([255, 255, 255]));
                }
            }
        }
        let report = report_of(&mut pipeline, &glare);
        let glare = check(&report, "glasses_glare");
        assert!(!glare.ok, "{name} with a glare patch: {glare:?}");
        assert!(!report.ok);
    }
}

/// Paints a fringe of dark hair over the forehead and both brows, down to just above the eyes,
/// with a ragged lower edge and strands, as a real fringe falls.
fn paint_fringe(frame: &mut RgbImage, pupils: [(f32, f32); 2], pupil_distance: f32) {
    let centre_x = (pupils[0].0 + pupils[1].0) / 2.0;
    let eye_y = (pupils[0].1 + pupils[1].1) / 2.0;
    let half_width = 1.05 * pupil_distance;
    let top = eye_y - 1.1 * pupil_distance;
    for x in (centre_x - half_width) as u32..=(centre_x + half_width) as u32 {
        let phase = (x as f32 - centre_x) / pupil_distance;
        // The fringe ends 0.12–0.2 pupil distances above the eyes: below every brow.
        let bottom = eye_y - pupil_distance * (0.16 + 0.04 * (phase * 9.0).sin());
        for y in top as u32..=bottom as u32 {
            let strand = 8.0 * ((x as f32) * 0.7).sin() + 4.0 * ((y as f32) * 0.3).cos();
            let shade = (38.0 + strand) as u8;
            frame.put_pixel(
                x,
                y,
                image::Rgb([shade, shade.saturating_sub(8), shade.saturating_sub(12)]),
            );
        }
    }
}

/// A fringe painted over the brows (on level frames that pass) fails `eyebrows_visible`, and the
/// photo is not `ok`.
#[test]
fn a_fringe_over_the_eyebrows_fails_eyebrows_visible() {
    let mut pipeline = pipeline();
    for name in ["generated/test2.jpg", "generated/test3.jpg"] {
        let (frame, pupils) = labelled_frame(name, 0.0, Backdrop::Blue, 900, (960, 600));
        let report = report_of(&mut pipeline, &frame);
        let bare = check(&report, "eyebrows_visible");
        assert!(bare.ok, "{name}: {bare:?}");

        let distance = (pupils[1].0 - pupils[0].0).hypot(pupils[1].1 - pupils[0].1);
        let mut fringed = frame.clone();
        paint_fringe(&mut fringed, pupils, distance);
        let report = report_of(&mut pipeline, &fringed);
        let brows = check(&report, "eyebrows_visible");
        assert!(!brows.ok, "{name} under a fringe: {brows:?}");
        assert!(zh(brows).starts_with("请露出眉毛"), "{brows:?}");
        assert!(!report.ok);
    }
}

/// Live guidance says what to fix before the shot: nothing for a level, well-placed student;
/// nothing for a 6° tilt the crop levels; "straighten up" for a 12° tilt; "move closer" for a student far back; and no face in an
/// empty booth.
#[test]
fn live_guidance_names_the_fix_before_the_shot() {
    let mut pipeline = pipeline();
    let level = pipeline.guide(&booth_frame(900, (960, 620)));
    assert!(level.face_found && level.ready(), "{level:?}");

    let (natural, _) = labelled_frame("generated/test3.jpg", 6.0, Backdrop::Blue, 900, (960, 600));
    let natural = pipeline.guide(&natural);
    assert!(
        natural.face_found
            && !natural
                .hints
                .iter()
                .any(|h| hint_text(h, Language::Chinese) == "请摆正头部"),
        "a 6° tilt the crop levels asks for no correction: {natural:?}"
    );

    let (tilted, _) = labelled_frame("generated/test3.jpg", 12.0, Backdrop::Blue, 900, (960, 600));
    let tilted = pipeline.guide(&tilted);
    assert!(!tilted.ready());
    assert!(
        tilted
            .hints
            .iter()
            .any(|h| hint_text(h, Language::Chinese) == "请摆正头部"
                && hint_text(h, Language::English).contains("straighten")),
        "{tilted:?}"
    );

    let far = pipeline.guide(&booth_frame(300, (960, 620)));
    assert!(far.face_found && !far.ready());
    assert_eq!(
        hint_text(&far.hints[0], Language::Chinese),
        "请靠近一些",
        "{far:?}"
    );

    let empty = RgbImage::from_pixel(1920, 1080, image::Rgb(Backdrop::Blue.rgb()));
    let empty = pipeline.guide(&empty);
    assert!(!empty.face_found && !empty.ready());
}

/// A failed check as the booth words it in Chinese.
fn zh(check: &capture_station::portrait::checks::Check) -> String {
    capture_station::i18n::checks::check_failure(check, None, Language::Chinese)
}
