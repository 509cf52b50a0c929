//! Finding capture-code QR codes in one frame. First the code-like patches (`locate`) are cut
//! out, scaled up to 6–8 px a module and read by rxing (a ZXing port, hybrid binariser,
//! dark-mode screens included): that reads small, far codes that a whole-frame pass at 1–2 px a
//! module misses, and costs less than one, since a patch is a few hundred pixels across. Only
//! when no patch reads does the whole frame go through the older cascade: rxing on a 960 px
//! area-downscaled copy, and, only when the locator found no patch at all (or the image is a
//! small still), rqrr on a 640 px copy (for what it alone reads there: mirrored codes) and both
//! at higher resolution. Every decoder call is isolated: a panic costs one attempt, never the
//! scanner.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};

use super::locate::{Patch, Region};
use super::resample::downscale_long_side;
use image::GrayImage;

/// What one frame gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameCodes {
    /// Decoded payloads, in the order found, without repeats.
    pub codes: Vec<String>,
    /// Decoder panics caught while reading this frame.
    pub panics: usize,
    /// Decoder calls made: what the look cost, besides finding the patches.
    pub attempts: usize,
    /// Nothing read, but a patch holds a QR code's three finder patterns: where, and what is
    /// wrong with it.
    pub unread_code: Option<UnreadCode>,
    /// The patch whose crop read the code: where the next frame's look starts.
    pub read_in: Option<Patch>,
}

/// A code seen but not read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnreadCode {
    pub trouble: UnreadTrouble,
    /// The finder patterns' centre in frame pixels: a phone in a hand moves from frame to
    /// frame, a pattern on the wall does not.
    pub centre: (f32, f32),
}

/// Why a code in view does not read, as far as the pixels tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnreadTrouble {
    /// Modules too small or too blurred: the phone should come closer.
    TooSmall,
    /// The screen is clipped white: its brightness should come down.
    Overexposed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoder {
    Rxing,
    Rqrr,
}

/// The attempts, cheapest and most likely first: (decoder, long side of the view; 0 = full).
const CASCADE: [(Decoder, u32); 4] = [
    (Decoder::Rxing, 960),
    (Decoder::Rqrr, 640),
    (Decoder::Rxing, 0),
    (Decoder::Rqrr, 1280),
];

/// How hard to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// The plain crops of the two likeliest code-like patches, then the whole frame once at
    /// 960 px. The live worker uses it on most frames while nothing is read, so an idle booth
    /// does not keep a core busy.
    Quick,
    /// The patches, then the whole-frame cascade: stills, and every few frames live.
    Thorough,
}

/// Decodes the QR codes in `gray`, stopping at the first attempt that reads one.
pub fn decode_frame(gray: &GrayImage) -> FrameCodes {
    decode_frame_with(gray, Effort::Thorough)
}

/// [`decode_frame`] with a chosen effort.
pub fn decode_frame_with(gray: &GrayImage, effort: Effort) -> FrameCodes {
    decode_frame_near(gray, effort, None)
}

/// [`decode_frame_with`], starting where the last frame's code was read: a phone held up moves a
/// few pixels a frame, so the code is read again from the same patch, grown by a block, without
/// searching the frame. Codes seen but not read are not carried over: their patches are found
/// again anyway, and carrying them cost one far student in the replayed clips the "hold the
/// phone closer" hint in 2 runs of 3.
pub fn decode_frame_near(gray: &GrayImage, effort: Effort, near: Option<Patch>) -> FrameCodes {
    let mut result = look(gray, effort, near);
    if !result.codes.is_empty() {
        result.unread_code = None;
    }
    result
}

fn look(gray: &GrayImage, effort: Effort, near: Option<Patch>) -> FrameCodes {
    let mut result = FrameCodes::default();
    if gray.width() < 21 || gray.height() < 21 {
        return result;
    }
    // A still no larger than the first whole-frame view is read whole first: such images are
    // mostly one code filling the picture, which rxing reads in one pass (ZXing's blackbox
    // sets: 0.3–1.2 ms), while their patches are pieces of it.
    let small_still = effort == Effort::Thorough && gray.width().max(gray.height()) <= CASCADE[0].1;
    if small_still {
        attempt(gray, "Rxing", &mut result, decode_with_rxing);
        if !result.codes.is_empty() {
            return result;
        }
    }
    let patches = decode_regions(gray, effort, near, &mut result);
    if !result.codes.is_empty() {
        return result;
    }
    // A far code seen but not read is what most misses are, and the whole-frame view that
    // follows cost them 2–4 ms for nothing: leaving it out there lost none of 260 far band
    // frames (seeds 42, 7 and 11) nor of 200 codes held close.
    if patches.small_code_unread && !small_still {
        return result;
    }
    // A quick look still reads the whole frame once, at 960 px: a code held close has modules
    // wider than a patch block, so it shows as flat pieces, and can fill too much of the frame
    // for the coarse patch search.
    let steps = match effort {
        Effort::Quick => 1,
        // Patches that did not read hold no code a full-resolution pass reads: it sees the same
        // pixels with less room than their upscaled crops had. On the 180 band frames (seed
        // 42) it read 1 after the patches failed, at 17 ms a miss, 1.5–4× all the rest of the
        // look. The 960 px view stays, for a code held so close that it is no patch.
        Effort::Thorough if patches.count > 0 && !small_still => WHOLE_FRAME_VIEWS_AFTER_PATCHES,
        Effort::Thorough => CASCADE.len(),
    };
    let mut views: Vec<(u32, GrayImage)> = Vec::new();
    for (decoder, long_side) in CASCADE.into_iter().take(steps) {
        let full_side = gray.width().max(gray.height());
        let side = if long_side == 0 {
            full_side
        } else {
            long_side.min(full_side)
        };
        if small_still && decoder == Decoder::Rxing && side == full_side {
            continue;
        }
        if side < full_side && !views.iter().any(|(s, _)| *s == side) {
            // Each smaller view is made from the smallest larger one already made.
            let source = views
                .iter()
                .filter(|(s, _)| *s > side)
                .min_by_key(|(s, _)| *s)
                .map(|(_, image)| image)
                .unwrap_or(gray);
            if let Some(view) = downscale_long_side(source, side) {
                views.push((side, view));
            }
        }
        let view = views
            .iter()
            .find(|(s, _)| *s == side)
            .map(|(_, image)| image)
            .unwrap_or(gray);
        let label = format!("{decoder:?}");
        attempt(view, &label, &mut result, |image| match decoder {
            Decoder::Rxing => decode_with_rxing(image),
            Decoder::Rqrr => decode_with_rqrr(image),
        });
        if !result.codes.is_empty() {
            break;
        }
    }
    result
}

/// The cascade's first steps that still run after patches were tried: rxing at 960 px. rqrr at
/// 640 px, kept for mirrored codes, is left out there: rxing reads a mirrored code in a patch's
/// crop, and after the patches the 640 px view read none of 480 band frames (seeds 7 and 42)
/// at 2.2 ms a miss. Small stills, which are no patches' business, keep the whole cascade.
const WHOLE_FRAME_VIEWS_AFTER_PATCHES: usize = 1;

/// How many code-like patches a frame's crops are tried on.
const MAX_REGIONS: usize = 4;
const QUICK_REGIONS: usize = 2;

/// The crops tried on each patch, in order: (long side the patch is scaled towards, how hard it
/// is sharpened first; 0: not at all). A capture code has 33–41 modules, so 300 px gives 6–8 px
/// a module. The plain 300 px crop reads most codes the patches give; the sharpened one reads
/// defocused and motion-blurred ones; the 450 px one a few far codes more. rqrr and a
/// global-histogram binariser on the same crops added none.
const REGION_CROPS: [(f32, i16); 3] = [(300.0, 0), (300.0, SHARPEN_AMOUNT), (450.0, 0)];

/// How many of the likeliest patches get the crops after the plain one (sharpened, larger,
/// squared). Over the five bands (300 frames), every code read by those crops was in one of
/// the first three patches; a busy scene's fourth to sixth are posters and shelves, whose crops
/// cost a code that does not read 1.5–2 ms each.
const PATCHES_WORTH_MORE_CROPS: usize = 3;

/// What the patches gave, when none read.
struct PatchesTried {
    count: usize,
    /// The code seen but not read is a whole small code, found at full size: the whole-frame
    /// views after the patches cannot read it, as they see its pixels with less room than its
    /// upscaled crops had.
    small_code_unread: bool,
}

/// The core sizes, in frame pixels, of a whole code in a patch of its own that the 960 px view
/// cannot read when its crops did not: 5–12 blocks, a code of 1.5–4 px modules. A smaller core
/// can be a piece of a code held close, whose modules are wider than a block (the 960 px view
/// reads those: skipping it from 48 px cores lost 1 of 200 such frames, from 60 px none).
const SMALL_CODE_CORE_PX: std::ops::RangeInclusive<u32> = 60..=144;

/// Decodes upscaled, contrast-stretched crops of the frame's code-like patches. A far code
/// whose modules are 1.5–2 px is read at 4–6 px a module, where the decoders' finder search and
/// sampling have room.
fn decode_regions(
    gray: &GrayImage,
    effort: Effort,
    near: Option<Patch>,
    result: &mut FrameCodes,
) -> PatchesTried {
    // A quick look, made while nothing is read, tries the plain crop of the two likeliest
    // patches: a busy scene behind an idle booth can show several patches on every frame.
    let (limit, crops) = match effort {
        Effort::Quick => (QUICK_REGIONS, 1),
        Effort::Thorough => (MAX_REGIONS, REGION_CROPS.len()),
    };
    // The plain crop of the patch the code was read in last time, grown by a block: it nearly
    // always reads again, and the frame need not be searched.
    if let Some(last) = near {
        let followed = last.followed(gray.width(), gray.height()).region;
        let factor = crop_factor(followed, REGION_CROPS[0].0);
        if let Some(crop) = upscaled_crop(gray, followed, factor, 0) {
            attempt(&crop, "rxing-region", result, decode_with_rxing);
        }
        if !result.codes.is_empty() {
            // The patch as found, not as grown, so that it does not grow from frame to frame.
            result.read_in = Some(last);
            return PatchesTried {
                count: 1,
                small_code_unread: false,
            };
        }
    }
    let mut patches = super::locate::code_patches(gray, limit);
    if let Some(last) = near {
        // The patch found where the code was goes first.
        let (x, y) = last.region.centre();
        if let Some(index) = patches.iter().position(|patch| patch.region.holds(x, y)) {
            let patch = patches.remove(index);
            patches.insert(0, patch);
        }
    }
    // Each kind of crop goes over every patch before the next kind: the plain crop reads most
    // codes, so a code in the second patch is read before the first patch's sharpened and
    // larger crops are tried in vain.
    let mut tried: Vec<(usize, f32, i16)> = Vec::new();
    let mut diagnoses: Option<Vec<Option<UnreadCode>>> = None;
    for (kind, (side, sharpen)) in REGION_CROPS.into_iter().take(crops).enumerate() {
        // What the plain crops left unread is looked at before the other crops are tried.
        if kind == 1 {
            diagnoses = Some(diagnose_all(gray, &patches));
        }
        let worth_trying = diagnoses
            .as_deref()
            .and_then(|diagnoses| patches_worth_more_crops(&patches, diagnoses));
        for (index, patch) in patches.iter().enumerate() {
            if worth_trying.as_ref().is_some_and(|worth| !worth[index])
                || (kind > 0 && index >= PATCHES_WORTH_MORE_CROPS)
            {
                continue;
            }
            let region = patch.region;
            let factor = crop_factor(region, side);
            if tried.contains(&(index, factor, sharpen)) {
                continue;
            }
            tried.push((index, factor, sharpen));
            let Some(crop) = upscaled_crop(gray, region, factor, sharpen) else {
                continue;
            };
            attempt(&crop, "rxing-region", result, decode_with_rxing);
            if !result.codes.is_empty() {
                result.read_in = Some(*patch);
                return PatchesTried {
                    count: patches.len(),
                    small_code_unread: false,
                };
            }
        }
    }
    // A code leaning away shows modules narrower one way than the other, which the finder
    // search does not take at the plain crops' sizes: its crop is stretched to square them.
    if effort == Effort::Thorough {
        let worth_trying = diagnoses
            .as_deref()
            .and_then(|diagnoses| patches_worth_more_crops(&patches, diagnoses));
        for (index, patch) in patches.iter().enumerate().take(PATCHES_WORTH_MORE_CROPS) {
            if worth_trying.as_ref().is_some_and(|worth| !worth[index]) {
                continue;
            }
            let Some(crop) = squared_crop(gray, patch) else {
                continue;
            };
            attempt(&crop, "rxing-region", result, decode_with_rxing);
            if !result.codes.is_empty() {
                result.read_in = Some(*patch);
                return PatchesTried {
                    count: patches.len(),
                    small_code_unread: false,
                };
            }
        }
    }
    let unread = match diagnoses {
        Some(diagnoses) => patches
            .iter()
            .zip(diagnoses)
            .find_map(|(patch, diagnosis)| Some((diagnosis?, patch))),
        // A quick look, which tried the plain crops only, diagnoses no more than it reports.
        None => patches
            .iter()
            .find_map(|patch| Some((diagnose_unread(gray, *patch)?, patch))),
    };
    result.unread_code = unread.map(|(code, _)| code);
    PatchesTried {
        count: patches.len(),
        // A quick look tried the plain crop of two patches only.
        small_code_unread: effort == Effort::Thorough
            && unread.is_some_and(|(_, patch)| is_small_code(patch)),
    }
}

/// How far a patch's modules must be from square (steps down over steps across, or across over
/// down) for its stretched crop to be tried. On the dark-lean band (60 frames), 1.3 read 3 codes
/// more than the other crops, 1.5 read 2.
const LEANING_MODULES: f32 = 1.3;

/// The plain crop of `patch`, stretched across or down so that its modules come out about
/// square; `None` when they already are.
fn squared_crop(gray: &GrayImage, patch: &Patch) -> Option<GrayImage> {
    let stretch = module_aspect(gray, patch.core)?;
    if (1.0 / LEANING_MODULES..=LEANING_MODULES).contains(&stretch) {
        return None;
    }
    let stretch = stretch.clamp(1.0 / 3.0, 3.0);
    let region = patch.region;
    let factor = crop_factor(region, REGION_CROPS[0].0);
    let (across, down) = if stretch > 1.0 {
        (factor, factor * stretch)
    } else {
        (factor / stretch, factor)
    };
    let mut crop = catmull_rom(
        gray,
        Some(region),
        (region.width as f32 * across).round() as u32,
        (region.height as f32 * down).round() as u32,
    )?;
    stretch_contrast(&mut crop);
    Some(crop)
}

/// The steps between neighbours down over those across, inside `core`: a code whose modules are
/// half as tall as wide flips twice as often down. `None` for a flat region.
fn module_aspect(gray: &GrayImage, core: Region) -> Option<f32> {
    let width = gray.width() as usize;
    let right = (core.x + core.width).min(gray.width().saturating_sub(1)) as usize;
    let bottom = (core.y + core.height).min(gray.height().saturating_sub(1)) as usize;
    let left = (core.x as usize).min(right);
    let (mut across, mut down) = (0u64, 0u64);
    for y in core.y as usize..bottom {
        let row = &gray.as_raw()[y * width..][..width + 1];
        let next_row = &gray.as_raw()[(y + 1) * width..][..width];
        for x in left..right {
            across += u64::from(row[x].abs_diff(row[x + 1]));
            down += u64::from(row[x].abs_diff(next_row[x]));
        }
    }
    (across > 0 && down > 0).then(|| down as f32 / across as f32)
}

fn diagnose_all(gray: &GrayImage, patches: &[Patch]) -> Vec<Option<UnreadCode>> {
    patches
        .iter()
        .map(|patch| diagnose_unread(gray, *patch))
        .collect()
}

/// The scale that brings `region`'s long side towards `side`. A patch already near it is not
/// scaled, so two sides can give one crop.
fn crop_factor(region: Region, side: f32) -> f32 {
    (side / region.width.max(region.height) as f32).clamp(0.4, 3.0)
}

/// Whether `patch` is a whole small code: see [`SMALL_CODE_CORE_PX`].
fn is_small_code(patch: &Patch) -> bool {
    patch.found_at_full_size()
        && SMALL_CODE_CORE_PX.contains(&patch.core.width.max(patch.core.height))
}

/// Which patches the sharpened and larger crops are tried on, once the plain crops read none;
/// `None`: all of them. When one patch is a small code on a screen, only such patches are: in a
/// busy scene the other patches are shelves and posters, and their crops cost a far code that
/// does not read 10–15 ms where it cost 4 ms alone. It lost no read of 260 far band frames
/// (seeds 42, 7 and 11), 200 middle ones or 200 codes held close, and took the far bands' mean
/// from 2.94–3.63 ms to 2.63–3.11 ms.
fn patches_worth_more_crops(
    patches: &[Patch],
    diagnoses: &[Option<UnreadCode>],
) -> Option<Vec<bool>> {
    let small_codes: Vec<bool> = patches
        .iter()
        .zip(diagnoses)
        .map(|(patch, diagnosis)| diagnosis.is_some() && is_small_code(patch))
        .collect();
    small_codes.contains(&true).then_some(small_codes)
}

/// A patch's share of clipped-white pixels above which the screen counts as overexposed: a
/// screen at a sane brightness reads 200–245 on a webcam, and even its quiet zone stays under
/// the clip.
const OVEREXPOSED_SHARE: f32 = 0.3;

/// The share of the ring within `SCREEN_TOLERANCE` of its median for it to be one screen: a
/// screen is one colour, glare and the bezel at a tilted phone's corners aside; a busy scene
/// around a patch of texture is not.
const MIN_SCREEN_SHARE: f32 = 0.7;
const SCREEN_TOLERANCE: u8 = 20;
/// How far the patch's pixels must lie from the screen's colour on average: a code is about half
/// dark modules, a patch of glare or moiré on a blank screen is not.
const MIN_CODE_CONTRAST: u64 = 40;

/// Whether `patch`, which did not read, looks like a code on a phone's screen, and if so why it
/// may not read. A far code blurred past reading has lost its finder patterns' rings, so they
/// cannot tell it (rxing's finder search found them in 2 of 50 such frames, and in 10 of 100
/// busy scenes without a code); what is left is a patch of fine texture framed by one flat
/// colour. Texture on a wall can pass for that too, but it stays put, and the watch only
/// speaks for a code that moves as a hand does.
fn diagnose_unread(gray: &GrayImage, patch: Patch) -> Option<UnreadCode> {
    let core = patch.core.grown_by(0, gray.width(), gray.height());
    let (inside, ring) = patch.screen_ring(gray.width(), gray.height());
    let mut ring_histogram = [0u32; 256];
    let mut core_histogram = [0u32; 256];
    for y in ring.y..ring.y + ring.height {
        let row = &gray.as_raw()[(y * gray.width()) as usize..][..gray.width() as usize];
        for x in ring.x..ring.x + ring.width {
            let value = usize::from(row[x as usize]);
            if core.holds(x, y) {
                core_histogram[value] += 1;
            } else if !inside.holds(x, y) {
                ring_histogram[value] += 1;
            }
        }
    }
    let screen = percentile(&ring_histogram, 50)?;
    let core_total: u64 = core_histogram.iter().map(|count| u64::from(*count)).sum();
    let ink: u64 = core_histogram
        .iter()
        .enumerate()
        .map(|(value, count)| u64::from(*count) * u64::from((value as u8).abs_diff(screen)))
        .sum();
    let mean_ink = ink.checked_div(core_total)?;
    let near_screen: u32 = ring_histogram[usize::from(screen.saturating_sub(SCREEN_TOLERANCE))
        ..=usize::from(screen.saturating_add(SCREEN_TOLERANCE))]
        .iter()
        .sum();
    let ring_total: u32 = ring_histogram.iter().sum();
    let share = near_screen as f32 / ring_total as f32;
    if share < MIN_SCREEN_SHARE || mean_ink < MIN_CODE_CONTRAST {
        return None;
    }
    // The centre is weighted by how far each pixel is from the screen's colour: the code's
    // modules, to a fraction of a pixel, so that a still pattern stays still.
    let (mut sum_x, mut sum_y, mut weight) = (0f64, 0f64, 0f64);
    for y in core.y..core.y + core.height {
        let row = &gray.as_raw()[(y * gray.width()) as usize..][..gray.width() as usize];
        for x in core.x..core.x + core.width {
            let ink = f64::from(row[x as usize].abs_diff(screen));
            sum_x += ink * f64::from(x);
            sum_y += ink * f64::from(y);
            weight += ink;
        }
    }
    if weight <= 0.0 {
        return None;
    }
    // The screen's exposure is judged on the patch itself, not on the desk around it.
    let (mut pixels, mut clipped) = (0usize, 0usize);
    for row in rows_of(gray, patch.region) {
        pixels += row.len();
        clipped += row.iter().filter(|value| **value >= 250).count();
    }
    if pixels == 0 {
        return None;
    }
    let trouble = if clipped as f32 >= OVEREXPOSED_SHARE * pixels as f32 {
        UnreadTrouble::Overexposed
    } else {
        UnreadTrouble::TooSmall
    };
    Some(UnreadCode {
        trouble,
        centre: ((sum_x / weight) as f32, (sum_y / weight) as f32),
    })
}

/// The value below which `share` percent of a histogram's pixels lie; `None` when it is empty.
fn percentile(histogram: &[u32; 256], share: u64) -> Option<u8> {
    let total: u64 = histogram.iter().map(|count| u64::from(*count)).sum();
    if total == 0 {
        return None;
    }
    let mut seen = 0u64;
    for (value, count) in histogram.iter().enumerate() {
        seen += u64::from(*count);
        if seen * 100 >= total * share {
            return u8::try_from(value).ok();
        }
    }
    Some(255)
}

/// Defocus and motion blur in frame pixels run to about 1 px; an unsharp mask of that radius
/// (a 3×3 box blur taken away twice), applied before upscaling where it costs a ninth, restores
/// the module edges. It replaced a Gaussian unsharp mask (σ 1, amount 1), which cost 1.5 ms a
/// crop in float arithmetic; on 300 band frames (seed 7) the box mask reads 82 far codes where
/// the Gaussian read 79, at 0.6 ms a crop with its upscale. Amount 3 reads more than 2 since
/// the locator's strong cores: 218 far codes of 260 (seeds 42, 7 and 11) where 2 read 210, and
/// 4 read 217.
const SHARPEN_AMOUNT: i16 = 3;

/// The region cut out, optionally sharpened, scaled up by `factor` with a Catmull-Rom filter,
/// and stretched so that its 1st and 99th percentiles span 0–255.
fn upscaled_crop(gray: &GrayImage, region: Region, factor: f32, sharpen: i16) -> Option<GrayImage> {
    let (width, height) = (
        (region.width as f32 * factor).round() as u32,
        (region.height as f32 * factor).round() as u32,
    );
    let mut scaled = if sharpen > 0 {
        let crop = unsharp_mask(copy_region(gray, region)?, sharpen);
        catmull_rom(&crop, None, width, height)?
    } else if factor == 1.0 {
        copy_region(gray, region)?
    } else {
        // The resizer reads the region straight from the frame: no copy of it first.
        catmull_rom(gray, Some(region), width, height)?
    };
    stretch_contrast(&mut scaled);
    Some(scaled)
}

/// `image + amount × (image − its 3×3 box blur)`, clamped.
fn unsharp_mask(mut image: GrayImage, amount: i16) -> GrayImage {
    let blurred = imageproc::filter::box_filter(&image, 1, 1);
    for (pixel, blur) in image.iter_mut().zip(blurred.as_raw()) {
        let value = i16::from(*pixel);
        *pixel = (value + amount * (value - i16::from(*blur))).clamp(0, 255) as u8;
    }
    image
}

/// `source` (or its `region`) scaled to `width`×`height` with a Catmull-Rom filter.
fn catmull_rom(
    source: &GrayImage,
    region: Option<Region>,
    width: u32,
    height: u32,
) -> Option<GrayImage> {
    if width == 0 || height == 0 {
        return None;
    }
    let mut target = GrayImage::new(width, height);
    let mut options =
        ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
    if let Some(region) = region {
        options = options.crop(
            f64::from(region.x),
            f64::from(region.y),
            f64::from(region.width),
            f64::from(region.height),
        );
    }
    Resizer::new().resize(source, &mut target, &options).ok()?;
    Some(target)
}

/// A copy of `region`, row by row (clipped to the frame); `None` if nothing of it is inside.
fn copy_region(gray: &GrayImage, region: Region) -> Option<GrayImage> {
    let width = region
        .x
        .saturating_add(region.width)
        .min(gray.width())
        .checked_sub(region.x)?;
    let pixels: Vec<u8> = rows_of(gray, region).flatten().copied().collect();
    if width == 0 || pixels.is_empty() {
        return None;
    }
    GrayImage::from_raw(width, pixels.len() as u32 / width, pixels)
}

/// The rows of `region` that lie inside the frame, clipped to it, as slices of its pixels.
fn rows_of(gray: &GrayImage, region: Region) -> impl Iterator<Item = &[u8]> {
    let (frame_width, frame_height) = gray.dimensions();
    let left = region.x.min(frame_width) as usize;
    let right = region.x.saturating_add(region.width).min(frame_width) as usize;
    let bottom = region.y.saturating_add(region.height).min(frame_height);
    (region.y.min(bottom)..bottom).map(move |y| {
        let start = y as usize * frame_width as usize;
        &gray.as_raw()[start + left..start + right]
    })
}

/// Maps the 1st..99th percentile of `gray` linearly onto 0..255.
fn stretch_contrast(gray: &mut GrayImage) {
    let mut histogram = [0u32; 256];
    for pixel in gray.as_raw() {
        histogram[usize::from(*pixel)] += 1;
    }
    let (Some(low), Some(high)) = (percentile(&histogram, 1), percentile(&histogram, 99)) else {
        return;
    };
    let (low, high) = (i32::from(low), i32::from(high));
    if high - low < 16 {
        return;
    }
    // A table instead of a division per pixel.
    let table: [u8; 256] = std::array::from_fn(|value| {
        ((value as i32 - low) * 255 / (high - low)).clamp(0, 255) as u8
    });
    for pixel in gray.iter_mut() {
        *pixel = table[usize::from(*pixel)];
    }
}

/// One decoder pass over `image`; a panic inside the decoder is caught and counted.
fn attempt(
    image: &GrayImage,
    label: &str,
    result: &mut FrameCodes,
    decode: impl FnOnce(&GrayImage) -> Vec<String>,
) {
    result.attempts += 1;
    let outcome = catch_unwind(AssertUnwindSafe(|| decode(image)));
    match outcome {
        Ok(codes) => {
            for code in codes {
                if !result.codes.contains(&code) {
                    result.codes.push(code);
                }
            }
        }
        Err(_) => {
            result.panics += 1;
            tracing::warn!(decoder = label, "a QR decoder panicked on a frame; skipped");
        }
    }
}

/// rxing's passes over one binarised image, in order: its port of zxing-cpp's reader, then
/// its port of ZXing's Java reader, then the port of zxing-cpp again on the inverted image, for
/// light modules on a dark screen. rxing's own `MultiFormatReader` also ran the Java port on
/// the inverted image: over the five phone bands (300 frames) that fourth pass read nothing
/// the others had not, and it cost every code not read a quarter of its decoding time (the
/// dark-lean band's mean 4.9 → 4.3 ms without it).
fn decode_with_rxing(image: &GrayImage) -> Vec<String> {
    use rxing::Reader;
    let hints = rxing::DecodeHints {
        TryHarder: Some(true),
        PossibleFormats: Some(HashSet::from([rxing::BarcodeFormat::QR_CODE])),
        ..Default::default()
    };
    let Ok(source) =
        rxing::Luma8Source::new_with_slice(image.as_raw(), image.width(), image.height())
    else {
        return Vec::new();
    };
    let mut bitmap = rxing::BinaryBitmap::new(rxing::common::HybridBinarizer::new(source));
    let found = rxing::qrcode::cpp_port::QrReader
        .decode_with_hints(&mut bitmap, &hints)
        .or_else(|_| rxing::qrcode::QRCodeReader.decode_with_hints(&mut bitmap, &hints))
        .or_else(|_| {
            // The binarised image is inverted in place: its threshold is computed once.
            bitmap.invert();
            rxing::qrcode::cpp_port::QrReader.decode_with_hints(&mut bitmap, &hints)
        });
    found
        .map(|found| vec![found.getText().to_string()])
        .unwrap_or_default()
}

fn decode_with_rqrr(image: &GrayImage) -> Vec<String> {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let pixels = image.as_raw();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| pixels[y * width + x]);
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::synthetic::{Difficulty, PhoneScene, phone_band_set, render_phone_frame};

    /// `scene` rendered on a 1920×1080 frame, in grey.
    fn grey_frame(scene: &PhoneScene) -> GrayImage {
        image::DynamicImage::ImageRgb8(render_phone_frame(scene, 1920, 1080)).into_luma8()
    }

    /// Frame `index` of a band's benchmark set (60 frames, seed 42): its scene and its pixels.
    fn band_frame(band: Difficulty, index: usize) -> (PhoneScene, GrayImage) {
        let scene = phone_band_set(band, 60, 42).remove(index);
        let gray = grey_frame(&scene);
        (scene, gray)
    }

    /// Fuzzing found a small image on which rqrr fails an assertion in its geometry code. The
    /// decoder's panic is caught: the frame simply yields no code.
    #[test]
    fn a_frame_that_panics_a_decoder_costs_only_that_attempt() {
        let input = include_bytes!("../../fuzz/regressions/scanner-rqrr-geometry-assert.bin");
        // The fuzz target's layout: width and height bytes, then the pixels.
        let (width, height) = (u32::from(input[0] % 160) + 1, u32::from(input[1] % 160) + 1);
        let mut pixels = vec![255u8; (width * height) as usize];
        for (pixel, byte) in pixels.iter_mut().zip(&input[2..]) {
            *pixel = *byte;
        }
        let gray = GrayImage::from_raw(width, height, pixels).unwrap();
        let found = decode_frame(&gray);
        assert!(
            found.panics >= 1,
            "the regression input no longer reaches the panic"
        );
        assert!(found.codes.is_empty());
    }

    fn covered_code_frame(overexposed: bool) -> GrayImage {
        use crate::camera::synthetic::scramble_code_middle;
        let mut scene = PhoneScene::plain("CSDEMO-covered-by-a-thumb-0123456789abcdefghij");
        scene.code_side_px = 300.0;
        scene.center = (0.4, 0.55);
        let mut frame = render_phone_frame(&scene, 1920, 1080);
        scramble_code_middle(&mut frame, &scene);
        let mut gray = image::DynamicImage::ImageRgb8(frame).into_luma8();
        if overexposed {
            // A webcam's gain turned up on a bright screen: its whites clip, its modules grey.
            for pixel in gray.iter_mut() {
                *pixel = (f32::from(*pixel) * 1.6).min(255.0) as u8;
            }
        }
        gray
    }

    /// Light modules on a dark screen read only once the binarised image is inverted: the
    /// pass kept after rxing's inverted Java-port pass was dropped.
    #[test]
    fn a_dark_mode_screen_reads_through_the_inverted_pass() {
        let payload = "CSDEMO-light-modules-on-a-dark-screen-0123456789";
        let mut scene = PhoneScene::plain(payload);
        scene.dark_mode = true;
        scene.code_side_px = 240.0;
        let gray = grey_frame(&scene);
        assert_eq!(decode_frame(&gray).codes, vec![payload.to_string()]);
        // The same pixels inverted are an ordinary code: the normal passes read them.
        let mut inverted = gray.clone();
        image::imageops::invert(&mut inverted);
        assert_eq!(decode_frame(&inverted).codes, vec![payload.to_string()]);
    }

    #[test]
    fn a_code_that_does_not_read_is_located_and_told_apart_from_a_clipped_screen() {
        for (overexposed, trouble) in [
            (false, UnreadTrouble::TooSmall),
            (true, UnreadTrouble::Overexposed),
        ] {
            for effort in [Effort::Quick, Effort::Thorough] {
                let found = decode_frame_with(&covered_code_frame(overexposed), effort);
                assert!(found.codes.is_empty(), "the thumb leaves too much readable");
                let Some(unread) = found.unread_code else {
                    panic!("the code is in view: {effort:?}, overexposed {overexposed}")
                };
                assert_eq!(unread.trouble, trouble, "{effort:?}");
                let (x, y) = unread.centre;
                assert!(
                    (x - 0.4 * 1920.0).abs() < 40.0 && (y - 0.55 * 1080.0).abs() < 40.0,
                    "{:?}",
                    unread.centre
                );
            }
        }
        // A plain desk has nothing to diagnose.
        let mut scene = crate::camera::synthetic::PhoneScene::plain("unused");
        scene.payload = None;
        let desk = grey_frame(&scene);
        assert_eq!(decode_frame_with(&desk, Effort::Thorough).unread_code, None);
    }

    /// The far band's frame 59 (seed 42): modules of 1.5 px, defocused (σ 0.9) and saved as JPEG
    /// at quality 53. Its finder patterns' rings are blurred away, so rxing's finder search does
    /// not see a code there; the screen around it still does.
    #[test]
    fn a_far_code_blurred_past_reading_is_still_seen_where_it_is() {
        let (scene, gray) = band_frame(Difficulty::Far, 59);
        assert!(
            scene.blur_sigma > 0.8,
            "the scene this test is about changed"
        );
        for effort in [Effort::Quick, Effort::Thorough] {
            let found = decode_frame_with(&gray, effort);
            assert!(
                found.codes.is_empty(),
                "it reads now: the test needs a harder frame"
            );
            let unread = found.unread_code.expect("the code is in view");
            assert_eq!(unread.trouble, UnreadTrouble::TooSmall);
            let (x, y) = unread.centre;
            let (cx, cy) = (scene.center.0 * 1920.0, scene.center.1 * 1080.0);
            assert!(
                (x - cx).hypot(y - cy) < 20.0,
                "{:?} vs ({cx}, {cy})",
                unread.centre
            );
        }
    }

    /// The far band's frame 50 (seed 42): a small code that does not read, in a busy scene that
    /// shows three more code-like patches. Their sharpened and larger crops are not tried.
    #[test]
    fn a_small_code_that_does_not_read_spares_the_busy_scene_its_other_crops() {
        let (scene, gray) = band_frame(Difficulty::Far, 50);
        let patches = super::super::locate::code_patches(&gray, MAX_REGIONS);
        assert!(
            scene.busy_background && patches.len() >= 3,
            "the scene this test is about changed"
        );
        let found = decode_frame(&gray);
        assert!(
            found.codes.is_empty(),
            "it reads now: the test needs a harder frame"
        );
        assert!(found.unread_code.is_some(), "the code is in view");
        // Every patch's plain crop, then the code's two others; no whole-frame view.
        assert_eq!(found.attempts, patches.len() + REGION_CROPS.len() - 1);
    }

    #[test]
    fn a_code_leaning_away_reads_from_a_crop_that_squares_its_modules() {
        // A dark-mode phone leaning back in a busy scene: its modules are about half as tall as
        // they are wide.
        let (scene, gray) = band_frame(Difficulty::DarkLean, 22);
        assert!(
            scene.lean_degrees > 20.0,
            "the scene this test is about changed"
        );
        let payload = scene.payload.clone().unwrap();
        let found = decode_frame(&gray);
        assert_eq!(found.codes, std::slice::from_ref(&payload));
        let patch = found.read_in.expect("read in a patch");
        let aspect = module_aspect(&gray, patch.core).unwrap();
        assert!(
            aspect > LEANING_MODULES,
            "modules {aspect} times taller than wide"
        );
        // None of the square crops of that patch reads it; the squared one does.
        for (side, sharpen) in REGION_CROPS {
            let factor = crop_factor(patch.region, side);
            let crop = upscaled_crop(&gray, patch.region, factor, sharpen).unwrap();
            assert!(decode_with_rxing(&crop).is_empty(), "{side} px reads it");
        }
        let squared = squared_crop(&gray, &patch).unwrap();
        assert_eq!(decode_with_rxing(&squared), [payload]);
    }

    #[test]
    fn square_modules_get_no_stretched_crop() {
        let scene = PhoneScene {
            code_side_px: 200.0,
            ..PhoneScene::plain("CSDEMO-square")
        };
        let gray = grey_frame(&scene);
        let patch = super::super::locate::code_patches(&gray, MAX_REGIONS)[0];
        let aspect = module_aspect(&gray, patch.core).unwrap();
        assert!((0.85..1.15).contains(&aspect), "{aspect}");
        assert!(squared_crop(&gray, &patch).is_none());
    }

    /// A phone held up moves a few pixels a frame: the next frame's code is read from the patch
    /// it was read in, in one attempt and without a search; a phone gone costs one attempt more.
    #[test]
    fn the_next_frame_reads_its_code_where_the_last_one_was() {
        let frame_at = |x: f32| {
            let mut scene = PhoneScene::plain("CSDEMO-follow");
            scene.code_side_px = 90.0;
            scene.center = (x / 1920.0, 0.4);
            grey_frame(&scene)
        };
        let first = decode_frame(&frame_at(600.0));
        assert_eq!(first.codes, ["CSDEMO-follow"]);
        let read_in = first.read_in.expect("read in a patch");

        let moved = decode_frame_near(&frame_at(608.0), Effort::Thorough, Some(read_in));
        assert_eq!(moved.codes, ["CSDEMO-follow"]);
        assert_eq!(moved.attempts, 1);
        assert_eq!(moved.read_in, Some(read_in));

        // The phone is elsewhere now: the last patch reads nothing, and the search finds it.
        let elsewhere = decode_frame_near(&frame_at(1300.0), Effort::Thorough, Some(read_in));
        let searched = decode_frame(&frame_at(1300.0));
        assert_eq!(elsewhere.codes, ["CSDEMO-follow"]);
        assert_eq!(elsewhere.attempts, searched.attempts + 1);
        assert_ne!(elsewhere.read_in, Some(read_in));
    }

    #[test]
    fn tiny_and_blank_frames_give_nothing() {
        assert_eq!(decode_frame(&GrayImage::new(1, 1)), FrameCodes::default());
        let blank = decode_frame(&GrayImage::new(640, 480));
        assert!(blank.codes.is_empty() && blank.unread_code.is_none());
        assert_eq!(blank.panics, 0);
    }

    #[test]
    fn a_decoder_panic_is_caught_counted_and_the_next_attempt_runs() {
        let image = GrayImage::new(64, 64);
        let mut result = FrameCodes::default();
        attempt(&image, "broken", &mut result, |_| {
            panic!("assertion failed: x <= i32::MAX as f64")
        });
        assert_eq!(result.panics, 1);
        attempt(&image, "working", &mut result, |_| {
            vec!["CSDEMO-after".to_string()]
        });
        assert_eq!(result.codes, vec!["CSDEMO-after".to_string()]);
    }

    #[test]
    fn quick_effort_reads_a_plain_phone_frame() {
        let gray = grey_frame(&PhoneScene::plain("CSDEMO-quick"));
        assert_eq!(
            decode_frame_with(&gray, Effort::Quick).codes,
            vec!["CSDEMO-quick"]
        );
    }
}
