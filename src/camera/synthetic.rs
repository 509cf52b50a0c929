//! Synthetic camera frames: a phone showing a capture-code QR over a desk, with the troubles of a
//! real booth (tilt, perspective, blur, glare, screen moiré, dark mode, JPEG artefacts), or a
//! frame with no code. Used by the demo camera, the tests and the scanner benchmarks; each scene
//! is fully determined by its parameters and seed.

use image::{Rgb, RgbImage, Rgba, RgbaImage};
use imageproc::geometric_transformations::{Border, Interpolation, Projection, warp_into};

use crate::domain::capture_code::DEMO_PREFIX;

/// Everything that decides how one frame looks.
#[derive(Debug, Clone, PartialEq)]
pub struct PhoneScene {
    /// The QR payload; `None` shows the phone with a blank screen.
    pub payload: Option<String>,
    /// Side of the code (with its quiet zone) in frame pixels.
    pub code_side_px: f32,
    /// In-plane rotation of the phone.
    pub tilt_degrees: f32,
    /// Keystone from holding the phone at an angle, 0 (none) to about 0.3.
    pub perspective: f32,
    /// The phone leaned back or forward out of the frame's plane, in degrees (0 to 40), seen
    /// through a 1080p webcam's lens: foreshortened and narrowing at the far end.
    pub lean_degrees: f32,
    /// Gaussian blur sigma in frame pixels (defocus).
    pub blur_sigma: f32,
    /// Length in frame pixels of a straight motion streak (a hand moving), at a seeded angle.
    pub motion_blur_px: f32,
    /// A cluttered, colourful scene behind the phone (shelves, posters, people's clothes) instead
    /// of a plain desk.
    pub busy_background: bool,
    /// Light modules on a dark screen.
    pub dark_mode: bool,
    /// A dark-mode page (black screen) showing the code as printed, dark on light, in a light
    /// box as wide as its quiet zone: how the capture-code page looks on a phone in dark mode.
    pub code_box_on_dark_page: bool,
    /// Strength of a specular highlight on the screen, 0 to 1.
    pub glare: f32,
    /// Amplitude of the screen-pixel interference pattern, 0 to 1.
    pub moire: f32,
    /// A fine diagonal stripe over the whole screen: the camera's pixel grid beating against
    /// the screen's.
    pub screen_moire: Option<ScreenMoire>,
    /// Re-encode the frame as JPEG at this quality, as webcams do.
    pub jpeg_quality: Option<u8>,
    /// Where the phone's centre sits, as fractions of the frame.
    pub center: (f32, f32),
    pub seed: u64,
}

impl PhoneScene {
    /// A plain, centred, sharp scene with `payload`.
    pub fn plain(payload: &str) -> Self {
        Self {
            payload: Some(payload.to_string()),
            code_side_px: 360.0,
            tilt_degrees: 0.0,
            perspective: 0.0,
            lean_degrees: 0.0,
            blur_sigma: 0.0,
            motion_blur_px: 0.0,
            busy_background: false,
            dark_mode: false,
            code_box_on_dark_page: false,
            glare: 0.0,
            moire: 0.0,
            screen_moire: None,
            jpeg_quality: None,
            center: (0.5, 0.5),
            seed: 1,
        }
    }
}

/// The beat between a webcam's pixel grid and a phone screen's: a fine periodic stripe at an
/// angle, over the screen only, in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScreenMoire {
    /// How far the stripe darkens and lightens the screen, 0 to 1.
    pub strength: f32,
    /// The stripe's period, in frame pixels (2–6 on a 1080p webcam).
    pub period_px: f32,
    /// The stripe's direction, in degrees.
    pub angle_degrees: f32,
}

/// A demo payload: clearly labelled, and as long and random-looking as an encrypted code.
pub fn demo_payload(rng: &mut fastrand::Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let len = rng.usize(24..96);
    let body: String = (0..len)
        .map(|_| ALPHABET[rng.usize(..ALPHABET.len())] as char)
        .collect();
    format!("{DEMO_PREFIX}{body}")
}

/// `count` varied scenes like the ones a booth webcam sees, the same for the same seed.
pub fn phone_screen_set(count: usize, seed: u64) -> Vec<PhoneScene> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..count)
        .map(|index| PhoneScene {
            payload: Some(demo_payload(&mut rng)),
            code_side_px: 200.0 + rng.f32() * 360.0,
            tilt_degrees: (rng.f32() - 0.5) * 50.0,
            perspective: rng.f32() * 0.25,
            lean_degrees: 0.0,
            motion_blur_px: 0.0,
            busy_background: false,
            blur_sigma: if rng.f32() < 0.5 {
                rng.f32() * 1.6
            } else {
                0.0
            },
            dark_mode: rng.f32() < 0.25,
            code_box_on_dark_page: false,
            glare: if rng.f32() < 0.3 {
                0.3 + rng.f32() * 0.5
            } else {
                0.0
            },
            moire: if rng.f32() < 0.3 {
                0.05 + rng.f32() * 0.15
            } else {
                0.0
            },
            screen_moire: None,
            jpeg_quality: (rng.f32() < 0.6).then(|| rng.u8(60..95)),
            center: (0.3 + rng.f32() * 0.4, 0.35 + rng.f32() * 0.3),
            seed: seed.wrapping_mul(1000).wrapping_add(index as u64),
        })
        .collect()
}

/// How hard a phone frame is to read, by what the hidden webcam set holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Difficulty {
    /// A phone held close: modules of 3–6 px, a mild lean, light blur.
    Near,
    /// An arm's length: modules of 2–3 px, leans to 30°, defocus or motion, busy scenes.
    Middle,
    /// Held far back: modules of 1.5–2 px, a phone down to 8% of the frame's width, leans to
    /// 40°, defocus and motion blur, glare, moiré, JPEG down to quality 50.
    Far,
    /// Dense codes (150 characters and more, modules of 1.8–2.6 px) on a small upright phone
    /// against a coloured background, with a fine diagonal moiré (period 1.8–4 px) over the
    /// whole screen at one of three strengths.
    Moire,
    /// A dark-mode page (black bezel and page, the code in its light quiet zone) leaning
    /// strongly, 45–65°, in a busy scene, modules of 2.2–3.5 px.
    DarkLean,
}

impl Difficulty {
    pub const ALL: [Difficulty; 5] = [
        Difficulty::Near,
        Difficulty::Middle,
        Difficulty::Far,
        Difficulty::Moire,
        Difficulty::DarkLean,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Difficulty::Near => "near",
            Difficulty::Middle => "middle",
            Difficulty::Far => "far",
            Difficulty::Moire => "moire",
            Difficulty::DarkLean => "dark-lean",
        }
    }
}

/// `count` scenes of one difficulty band, the same for the same seed. The code's size is set by
/// its module pitch, since that and not the code's side decides whether a decoder can read it.
pub fn phone_band_set(band: Difficulty, count: usize, seed: u64) -> Vec<PhoneScene> {
    let mut rng = fastrand::Rng::with_seed(seed ^ (band as u64 + 1).wrapping_mul(0x9E37_79B9));
    let range = |rng: &mut fastrand::Rng, low: f32, high: f32| low + rng.f32() * (high - low);
    (0..count)
        .map(|index| {
            let payload = match band {
                // A dense code (version 8 and up): 150 characters or more, as a longer
                // encrypted code makes.
                Difficulty::Moire => {
                    let mut payload = demo_payload(&mut rng);
                    while payload.len() < 150 {
                        payload.push_str(&demo_payload(&mut rng)[DEMO_PREFIX.len()..]);
                    }
                    payload
                }
                _ => demo_payload(&mut rng),
            };
            let modules = qrcode::QrCode::new(payload.as_bytes())
                .map(|code| code.width() as f32)
                .unwrap_or(41.0);
            let (module_px, lean_max, blur_max, motion_max, busy, quality) = match band {
                Difficulty::Near => (range(&mut rng, 3.0, 6.0), 20.0, 1.0, 0.0, 0.2, (70, 95)),
                Difficulty::Middle => (range(&mut rng, 2.0, 3.0), 30.0, 1.2, 4.0, 0.5, (60, 90)),
                Difficulty::Far => (range(&mut rng, 1.5, 2.0), 40.0, 1.0, 3.0, 0.5, (50, 80)),
                Difficulty::Moire => (range(&mut rng, 1.8, 2.6), 12.0, 0.8, 0.0, 0.0, (60, 90)),
                Difficulty::DarkLean => (range(&mut rng, 2.2, 3.5), 65.0, 1.0, 3.0, 1.0, (55, 85)),
            };
            let (tilt_max, lean_min) = match band {
                Difficulty::Moire => (16.0, 0.0),
                Difficulty::DarkLean => (60.0, 45.0),
                _ => (60.0, 0.0),
            };
            let screen_moire = (band == Difficulty::Moire).then(|| ScreenMoire {
                strength: [0.12, 0.24, 0.36][index % 3],
                period_px: range(&mut rng, 1.8, 4.0),
                angle_degrees: range(&mut rng, 20.0, 70.0) * if rng.bool() { 1.0 } else { -1.0 },
            });
            let blur_kind = rng.u8(0..3);
            PhoneScene {
                code_side_px: module_px * (modules + 8.0),
                tilt_degrees: (rng.f32() - 0.5) * tilt_max,
                perspective: 0.0,
                lean_degrees: lean_min + rng.f32() * (lean_max - lean_min),
                blur_sigma: if blur_kind == 1 {
                    range(&mut rng, 0.4, blur_max)
                } else {
                    0.0
                },
                motion_blur_px: if blur_kind == 2 && motion_max > 0.0 {
                    range(&mut rng, 1.5, motion_max)
                } else {
                    0.0
                },
                busy_background: rng.f32() < busy,
                dark_mode: band != Difficulty::DarkLean && rng.f32() < 0.25,
                code_box_on_dark_page: band == Difficulty::DarkLean,
                glare: if rng.f32() < 0.25 {
                    range(&mut rng, 0.2, 0.6)
                } else {
                    0.0
                },
                moire: if screen_moire.is_none() && rng.f32() < 0.25 {
                    range(&mut rng, 0.05, 0.15)
                } else {
                    0.0
                },
                screen_moire,
                jpeg_quality: Some(rng.u8(quality.0..=quality.1)),
                center: (range(&mut rng, 0.15, 0.85), range(&mut rng, 0.25, 0.75)),
                seed: seed
                    .wrapping_mul(7919)
                    .wrapping_add(index as u64)
                    .wrapping_add((band as u64) << 32),
                payload: Some(payload),
            }
        })
        .collect()
}

/// A student holding the phone up to the camera, one scene a frame at 30 fps: the phone comes in
/// over the first fifth of a second, fast and so smeared, then wobbles in the hand (a drift of a
/// few pixels, ±3° of roll and lean, a little nearer and farther), with a motion streak as long
/// as the hand's last step plus a tremor that peaks at the scene's own streak. The scene `held`
/// is where the phone settles.
pub fn phone_clip(held: &PhoneScene, frames: usize, seed: u64) -> Vec<PhoneScene> {
    const ARRIVAL_FRAMES: usize = 6;
    let mut rng = fastrand::Rng::with_seed(seed);
    // Each wobble is a slow sine with its own period and phase, as a hand's sway is.
    let mut wave = |amplitude: f32| {
        let (period, phase) = (18.0 + rng.f32() * 30.0, rng.f32() * std::f32::consts::TAU);
        move |frame: usize| {
            amplitude * (frame as f32 / period * std::f32::consts::TAU + phase).sin()
        }
    };
    let (sway_x, sway_y, roll, lean, reach) =
        (wave(12.0), wave(8.0), wave(3.0), wave(3.0), wave(0.05));
    // A hand's tremor is faster than its sway: the band scene's motion streak is its peak, and
    // between peaks a frame is sharper.
    let tremor = {
        let (period, phase) = (5.0 + rng.f32() * 4.0, rng.f32() * std::f32::consts::TAU);
        move |frame: usize| {
            (frame as f32 / period * std::f32::consts::TAU + phase)
                .sin()
                .abs()
        }
    };
    let arrival_from = (held.center.0 + 0.25, held.center.1 + 0.2);
    // Frame -1 is a step farther back still, so that the first frame is smeared too.
    let position = |frame: i32| -> (f32, f32) {
        let arriving = (ARRIVAL_FRAMES as i32 - frame).max(0) as f32 / ARRIVAL_FRAMES as f32;
        let arriving = arriving * arriving;
        let sway = frame.max(0) as usize;
        (
            held.center.0 + (arrival_from.0 - held.center.0) * arriving + sway_x(sway) / 1920.0,
            held.center.1 + (arrival_from.1 - held.center.1) * arriving + sway_y(sway) / 1080.0,
        )
    };
    (0..frames)
        .map(|frame| {
            let (x, y) = position(frame as i32);
            let (px, py) = position(frame as i32 - 1);
            let step_px = ((x - px) * 1920.0).hypot((y - py) * 1080.0);
            let mut scene = held.clone();
            scene.center = (x, y);
            scene.tilt_degrees = held.tilt_degrees + roll(frame);
            scene.lean_degrees = (held.lean_degrees + lean(frame)).clamp(0.0, 45.0);
            scene.code_side_px = held.code_side_px * (1.0 + reach(frame));
            // A frame exposes for about a third of the frame period.
            scene.motion_blur_px = step_px / 3.0 + held.motion_blur_px * tremor(frame);
            scene
        })
        .collect()
}

/// An upright, light-mode code whose rows between the finder patterns are scrambled, as by a
/// cracked or smeared screen: it still looks like a code to any locator and the finder patterns
/// are intact, but from version 3 (29 modules) up more is wrong than any error correction
/// restores, so nothing reads.
pub fn scramble_code_middle(frame: &mut RgbImage, scene: &PhoneScene) {
    let Some(modules) = scene
        .payload
        .as_ref()
        .and_then(|payload| qrcode::QrCode::new(payload.as_bytes()).ok())
        .map(|code| code.width() as f32)
    else {
        return;
    };
    let mut rng = fastrand::Rng::with_seed(scene.seed);
    let (width, height) = frame.dimensions();
    let module = scene.code_side_px / (modules + 8.0);
    let (centre_x, centre_y) = (
        scene.center.0 * width as f32,
        scene.center.1 * height as f32,
    );
    // A finder pattern and its separator take 8 modules from each edge of the code.
    let (left, top) = (
        centre_x - modules / 2.0 * module,
        centre_y - (modules / 2.0 - 8.0) * module,
    );
    let band_rows = (modules - 16.0) as u32;
    for row in 0..band_rows {
        for column in 0..modules as u32 {
            let colour = if rng.bool() {
                Rgb([24, 24, 28])
            } else {
                Rgb([236, 236, 232])
            };
            let (x0, y0) = (left + column as f32 * module, top + row as f32 * module);
            for y in y0.max(0.0) as u32..((y0 + module) as u32).min(height) {
                for x in x0.max(0.0) as u32..((x0 + module) as u32).min(width) {
                    frame.put_pixel(x, y, colour);
                }
            }
        }
    }
}

/// Renders `scene` as a `width`×`height` RGB frame.
pub fn render_phone_frame(scene: &PhoneScene, width: u32, height: u32) -> RgbImage {
    let mut rng = fastrand::Rng::with_seed(scene.seed);
    let mut frame = if scene.busy_background {
        busy_background(width, height, &mut rng)
    } else {
        desk_background(width, height, &mut rng)
    };
    let phone = phone_image(scene);
    let module_scale = scene.code_side_px / phone.code_side as f32;
    let (cx, cy) = (
        scene.center.0 * width as f32,
        scene.center.1 * height as f32,
    );
    let (pw, ph) = (phone.image.width() as f32, phone.image.height() as f32);
    let keystone = scene.perspective * if rng.bool() { 1.0 } else { -1.0 };
    // Phone corners in the frame: scaled, rotated, and narrowed at one end for perspective.
    let angle = scene.tilt_degrees.to_radians();
    let (sin, cos) = angle.sin_cos();
    // The lean turns the phone about its horizontal axis; a pinhole with a 1080p webcam's focal
    // length (about 70° across) then projects it, so the far end shrinks as a real one does.
    let focal = 0.95 * width as f32;
    let (lean_sin, lean_cos) = (scene.lean_degrees.to_radians()).sin_cos();
    let lean_sign = if rng.bool() { 1.0 } else { -1.0 };
    let corner = |x: f32, y: f32| {
        let squeeze = 1.0 - keystone * (y / ph - 0.5);
        let (lx, ly) = (
            (x - pw / 2.0) * module_scale * squeeze,
            (y - ph / 2.0) * module_scale,
        );
        let depth = lean_sign * ly * lean_sin;
        let projection = focal / (focal + depth);
        let (dx, dy) = (lx * projection, ly * lean_cos * projection);
        (cx + dx * cos - dy * sin, cy + dx * sin + dy * cos)
    };
    let from = [(0.0, 0.0), (pw, 0.0), (pw, ph), (0.0, ph)];
    let to = from.map(|(x, y)| corner(x, y));
    let mut layer = RgbaImage::new(width, height);
    if let Some(projection) = Projection::from_control_points(from, to) {
        warp_into(
            &phone.image,
            projection,
            Interpolation::Bilinear,
            Border::Constant(Rgba([0, 0, 0, 0])),
            &mut layer,
        );
    }
    blend(&mut frame, &layer);
    if let Some(stripe) = scene.screen_moire {
        add_screen_moire(&mut frame, &layer, stripe);
    }
    if scene.moire > 0.0 {
        add_moire(&mut frame, scene.moire, &mut rng);
    }
    if scene.glare > 0.0 {
        let spot = (
            cx + (rng.f32() - 0.5) * scene.code_side_px * 0.6,
            cy + (rng.f32() - 0.5) * scene.code_side_px * 0.6,
        );
        add_glare(&mut frame, spot, scene.code_side_px * 0.35, scene.glare);
    }
    add_sensor_noise(&mut frame, &mut rng);
    if scene.blur_sigma > 0.05 {
        frame = imageproc::filter::gaussian_blur_f32(&frame, scene.blur_sigma);
    }
    if scene.motion_blur_px >= 1.0 {
        frame = motion_blur(
            &frame,
            scene.motion_blur_px,
            rng.f32() * std::f32::consts::PI,
        );
    }
    if let Some(quality) = scene.jpeg_quality {
        frame = jpeg_round_trip(&frame, quality).unwrap_or(frame);
    }
    frame
}

struct PhoneImage {
    image: RgbaImage,
    /// Side of the code with its quiet zone, in phone-image pixels.
    code_side: u32,
}

/// The phone, unrotated, drawn at 4 px per QR module.
fn phone_image(scene: &PhoneScene) -> PhoneImage {
    const PX: u32 = 4;
    let modules = scene
        .payload
        .as_deref()
        .and_then(|payload| qrcode::QrCode::new(payload.as_bytes()).ok());
    let module_count = modules
        .as_ref()
        .map(|code| code.width() as u32)
        .unwrap_or(29);
    let code_side = (module_count + 8) * PX;
    let (screen_w, screen_h) = (code_side + 12 * PX, code_side * 2);
    let bezel = 6 * PX;
    let (width, height) = (screen_w + 2 * bezel, screen_h + 2 * bezel);
    let body = Rgba([28, 28, 32, 255]);
    let (screen, dark, light) = if scene.code_box_on_dark_page {
        (
            Rgba([12, 12, 14, 255]),
            Rgba([20, 20, 20, 255]),
            Rgba([250, 250, 250, 255]),
        )
    } else if scene.dark_mode {
        (
            Rgba([18, 18, 20, 255]),
            Rgba([225, 225, 225, 255]),
            Rgba([18, 18, 20, 255]),
        )
    } else {
        (
            Rgba([246, 246, 246, 255]),
            Rgba([20, 20, 20, 255]),
            Rgba([255, 255, 255, 255]),
        )
    };
    let mut image = RgbaImage::from_pixel(width, height, body);
    let code_x = bezel + (screen_w - code_side) / 2;
    let code_y = bezel + (screen_h - code_side) / 2;
    for (x, y, pixel) in image.enumerate_pixels_mut() {
        let inside_screen =
            (bezel..bezel + screen_w).contains(&x) && (bezel..bezel + screen_h).contains(&y);
        if !inside_screen {
            // Rounded phone corners stay transparent so the desk shows through.
            let r = (3 * bezel) as i64;
            let (dx, dy) = (
                (x as i64).min(width as i64 - 1 - x as i64),
                (y as i64).min(height as i64 - 1 - y as i64),
            );
            if dx < r && dy < r && (r - dx).pow(2) + (r - dy).pow(2) > r * r {
                *pixel = Rgba([0, 0, 0, 0]);
            }
            continue;
        }
        *pixel = screen;
        let in_code =
            (code_x..code_x + code_side).contains(&x) && (code_y..code_y + code_side).contains(&y);
        if !in_code {
            continue;
        }
        *pixel = light;
        if let Some(code) = &modules {
            let mx = ((x - code_x) / PX) as i64 - 4;
            let my = ((y - code_y) / PX) as i64 - 4;
            if (0..module_count as i64).contains(&mx) && (0..module_count as i64).contains(&my) {
                let color = code[(mx as usize, my as usize)];
                if color == qrcode::Color::Dark {
                    *pixel = dark;
                }
            }
        }
    }
    PhoneImage { image, code_side }
}

fn desk_background(width: u32, height: u32, rng: &mut fastrand::Rng) -> RgbImage {
    let base = [
        rng.u8(90..170) as f32,
        rng.u8(80..160) as f32,
        rng.u8(70..150) as f32,
    ];
    RgbImage::from_fn(width, height, |x, y| {
        let shade = 0.75 + 0.35 * (x as f32 / width as f32) - 0.15 * (y as f32 / height as f32);
        Rgb(base.map(|c| (c * shade).clamp(0.0, 255.0) as u8))
    })
}

/// Blocks and stripes of saturated colour at several scales, with hard edges: the kind of
/// clutter that gives a finder-pattern search false candidates.
fn busy_background(width: u32, height: u32, rng: &mut fastrand::Rng) -> RgbImage {
    let mut frame = desk_background(width, height, rng);
    for _ in 0..60 {
        let (w, h) = (rng.u32(20..width / 3), rng.u32(20..height / 3));
        let (x0, y0) = (rng.u32(0..width - w), rng.u32(0..height - h));
        let colour = Rgb([rng.u8(..), rng.u8(..), rng.u8(..)]);
        let stripes = rng.u32(0..4) == 0;
        let period = rng.u32(4..24);
        for y in y0..y0 + h {
            for x in x0..x0 + w {
                if !stripes || ((x + y) / period).is_multiple_of(2) {
                    frame.put_pixel(x, y, colour);
                }
            }
        }
    }
    frame
}

/// Averages each pixel along a straight streak of `length` pixels at `angle` radians.
fn motion_blur(frame: &RgbImage, length: f32, angle: f32) -> RgbImage {
    let taps = length.round().max(1.0) as i32;
    let (dx, dy) = (angle.cos(), angle.sin());
    let offsets: Vec<(i64, i64)> = (0..taps)
        .map(|i| {
            let t = i as f32 - (taps - 1) as f32 / 2.0;
            ((t * dx).round() as i64, (t * dy).round() as i64)
        })
        .collect();
    let (width, height) = (frame.width() as i64, frame.height() as i64);
    RgbImage::from_fn(frame.width(), frame.height(), |x, y| {
        let mut sum = [0u32; 3];
        for &(ox, oy) in &offsets {
            let sx = (x as i64 + ox).clamp(0, width - 1) as u32;
            let sy = (y as i64 + oy).clamp(0, height - 1) as u32;
            for (total, value) in sum.iter_mut().zip(frame.get_pixel(sx, sy).0) {
                *total += u32::from(value);
            }
        }
        Rgb(sum.map(|total| (total / offsets.len() as u32) as u8))
    })
}

fn blend(frame: &mut RgbImage, layer: &RgbaImage) {
    for (dst, src) in frame.pixels_mut().zip(layer.pixels()) {
        let alpha = src.0[3] as u16;
        if alpha == 0 {
            continue;
        }
        for c in 0..3 {
            dst.0[c] = ((src.0[c] as u16 * alpha + dst.0[c] as u16 * (255 - alpha)) / 255) as u8;
        }
    }
}

fn add_moire(frame: &mut RgbImage, amplitude: f32, rng: &mut fastrand::Rng) {
    let (fx, fy) = (0.35 + rng.f32() * 0.4, 0.3 + rng.f32() * 0.4);
    for (x, y, pixel) in frame.enumerate_pixels_mut() {
        let wave =
            1.0 + amplitude * (x as f32 * fx).sin() * (y as f32 * fy + x as f32 * 0.07).sin();
        for c in pixel.0.iter_mut() {
            *c = (*c as f32 * wave).clamp(0.0, 255.0) as u8;
        }
    }
}

/// The stripe of `moire` over the phone (where `layer` is opaque), in frame pixels: the beat
/// comes from the camera's grid, so it does not turn or lean with the phone.
fn add_screen_moire(frame: &mut RgbImage, layer: &RgbaImage, moire: ScreenMoire) {
    let (sin, cos) = moire.angle_degrees.to_radians().sin_cos();
    let step = std::f32::consts::TAU / moire.period_px.max(1.0);
    for ((x, y, pixel), over) in frame.enumerate_pixels_mut().zip(layer.pixels()) {
        if over.0[3] == 0 {
            continue;
        }
        let wave = 1.0 + moire.strength * ((x as f32 * cos + y as f32 * sin) * step).sin();
        for c in pixel.0.iter_mut() {
            *c = (*c as f32 * wave).clamp(0.0, 255.0) as u8;
        }
    }
}

fn add_glare(frame: &mut RgbImage, spot: (f32, f32), radius: f32, strength: f32) {
    let (x0, y0) = (
        (spot.0 - radius).max(0.0) as u32,
        (spot.1 - radius).max(0.0) as u32,
    );
    let x1 = ((spot.0 + radius) as u32).min(frame.width());
    let y1 = ((spot.1 + radius) as u32).min(frame.height());
    for y in y0..y1 {
        for x in x0..x1 {
            let d = ((x as f32 - spot.0).powi(2) + (y as f32 - spot.1).powi(2)).sqrt() / radius;
            if d >= 1.0 {
                continue;
            }
            let lift = strength * (1.0 - d * d);
            let pixel = frame.get_pixel_mut(x, y);
            for c in pixel.0.iter_mut() {
                *c = (*c as f32 + (255.0 - *c as f32) * lift) as u8;
            }
        }
    }
}

fn add_sensor_noise(frame: &mut RgbImage, rng: &mut fastrand::Rng) {
    for value in frame.iter_mut() {
        let noise = rng.i16(-6..=6);
        *value = (*value as i16 + noise).clamp(0, 255) as u8;
    }
}

/// Encodes and decodes as JPEG, adding the block artefacts a webcam stream has.
pub fn jpeg_round_trip(frame: &RgbImage, quality: u8) -> Option<RgbImage> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(frame)
        .ok()?;
    image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
        .ok()
        .map(|image| image.into_rgb8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenes_are_repeatable_and_varied() {
        let a = phone_screen_set(20, 3);
        assert_eq!(a, phone_screen_set(20, 3));
        assert!(a.iter().any(|s| s.dark_mode));
        assert!(a.iter().any(|s| s.jpeg_quality.is_some()));
        assert!(a.iter().all(|s| {
            s.payload
                .as_deref()
                .is_some_and(|p| p.starts_with(DEMO_PREFIX))
        }));
    }

    /// Module pitch in frame pixels, and the phone's width as a share of a 1920 px frame.
    fn module_and_phone_share(scene: &PhoneScene) -> (f32, f32) {
        let payload = scene.payload.as_deref().unwrap();
        let modules = qrcode::QrCode::new(payload.as_bytes()).unwrap().width() as f32;
        let module = scene.code_side_px / (modules + 8.0);
        // phone_image: the screen is the code plus 12 modules, the bezel 6 modules a side.
        let phone = scene.code_side_px + 24.0 * module;
        (module, phone / 1920.0)
    }

    /// The moiré band: dense codes on a small, nearly upright phone, each with a screen stripe
    /// at one of three strengths; the dark-lean band: the code in its light box on a black page,
    /// leaning 45–65°, in a busy scene. The stripe shows on the phone and not beside it.
    #[test]
    fn the_moire_and_dark_lean_bands_hold_what_they_name() {
        let moire = phone_band_set(Difficulty::Moire, 30, 42);
        let mut strengths: Vec<u32> = Vec::new();
        for scene in &moire {
            let stripe = scene.screen_moire.expect("a screen stripe");
            strengths.push((stripe.strength * 100.0).round() as u32);
            assert!((1.8..=4.0).contains(&stripe.period_px) && scene.tilt_degrees.abs() <= 8.0);
            let modules = qrcode::QrCode::new(scene.payload.as_deref().unwrap().as_bytes())
                .unwrap()
                .width();
            assert!(modules >= 49, "a dense code: {modules} modules");
            let (_, share) = module_and_phone_share(scene);
            assert!(share < 0.2, "a small phone: {share}");
        }
        strengths.sort_unstable();
        strengths.dedup();
        assert_eq!(strengths, [12, 24, 36]);

        let dark = phone_band_set(Difficulty::DarkLean, 30, 42);
        assert!(dark.iter().all(|s| s.code_box_on_dark_page
            && !s.dark_mode
            && (45.0..=65.0).contains(&s.lean_degrees)
            && s.busy_background));

        // Rendered: the stripe changes the screen's pixels only.
        let mut scene = moire[2].clone();
        scene.jpeg_quality = None;
        let striped = render_phone_frame(&scene, 1920, 1080);
        scene.screen_moire = None;
        let plain = render_phone_frame(&scene, 1920, 1080);
        let (cx, cy) = (
            (scene.center.0 * 1920.0) as u32,
            (scene.center.1 * 1080.0) as u32,
        );
        let differs = |x0: u32, y0: u32| {
            (0..40).any(|d| striped.get_pixel(x0 + d, y0) != plain.get_pixel(x0 + d, y0))
        };
        assert!(differs(cx - 20, cy));
        assert!(!differs(10, 10), "the desk is left alone");
    }

    #[test]
    fn bands_are_repeatable_and_far_holds_every_trouble_the_issue_names() {
        for band in Difficulty::ALL {
            assert_eq!(phone_band_set(band, 30, 42), phone_band_set(band, 30, 42));
        }
        let far = phone_band_set(Difficulty::Far, 60, 42);
        let measures: Vec<(f32, f32)> = far.iter().map(module_and_phone_share).collect();
        assert!(measures.iter().all(|(m, _)| (1.5..=2.0).contains(m)));
        assert!(
            measures.iter().any(|(m, _)| *m < 1.6),
            "modules down to 1.5 px"
        );
        assert!(
            measures.iter().any(|(_, share)| *share <= 0.08),
            "a phone at 8% of the width"
        );
        assert!(
            far.iter().any(|s| s.lean_degrees >= 35.0),
            "a lean near 40°"
        );
        assert!(far.iter().any(|s| s.motion_blur_px >= 1.5));
        assert!(far.iter().any(|s| s.blur_sigma > 0.0));
        assert!(far.iter().any(|s| s.busy_background));
        assert!(far.iter().any(|s| s.dark_mode));
        assert!(far.iter().any(|s| s.glare > 0.0) && far.iter().any(|s| s.moire > 0.0));
        assert!(far.iter().any(|s| s.jpeg_quality.is_some_and(|q| q <= 55)));
        let near = phone_band_set(Difficulty::Near, 60, 42);
        assert!(
            near.iter()
                .map(module_and_phone_share)
                .all(|(m, _)| m >= 3.0)
        );
    }

    #[test]
    fn a_clip_arrives_smeared_then_wobbles_around_where_the_phone_is_held() {
        let held = phone_band_set(Difficulty::Middle, 1, 42).remove(0);
        let clip = phone_clip(&held, 60, 3);
        assert_eq!(clip, phone_clip(&held, 60, 3));
        assert_eq!(clip.len(), 60);
        assert!(clip[0].motion_blur_px > 10.0, "{}", clip[0].motion_blur_px);
        let settled = &clip[10..];
        assert!(settled.iter().all(|s| {
            (s.center.0 - held.center.0).abs() * 1920.0 <= 12.5
                && (s.center.1 - held.center.1).abs() * 1080.0 <= 8.5
                && (s.tilt_degrees - held.tilt_degrees).abs() <= 3.01
                && s.motion_blur_px < 6.0
        }));
        assert!(
            settled
                .windows(2)
                .any(|pair| pair[0].center != pair[1].center),
            "the hand moves"
        );
        assert!(clip.iter().all(|s| s.payload == held.payload));
    }

    #[test]
    fn a_plain_frame_decodes_to_its_payload() {
        let frame = render_phone_frame(&PhoneScene::plain("CSDEMO-plain"), 1280, 720);
        let gray = image::DynamicImage::ImageRgb8(frame).into_luma8();
        assert_eq!(
            crate::scan::decode_frame(&gray).codes,
            vec!["CSDEMO-plain".to_string()]
        );
    }

    #[test]
    fn a_blank_phone_has_no_code() {
        let mut scene = PhoneScene::plain("x");
        scene.payload = None;
        let gray =
            image::DynamicImage::ImageRgb8(render_phone_frame(&scene, 640, 480)).into_luma8();
        assert!(crate::scan::decode_frame(&gray).codes.is_empty());
    }
}
