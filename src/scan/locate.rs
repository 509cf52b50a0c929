//! Where a QR code may be in a frame, before any decoder looks: a code is a compact patch where
//! the brightness flips often both across and down, which a desk, a face, a poster's flat
//! colours or a screen's faint moiré are not. Small, far codes are then decoded from an
//! upscaled crop of each patch instead of from a whole frame in which they are a few dozen
//! pixels wide.

use image::GrayImage;

use super::resample::downscale_long_side;

/// A rectangle in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Region {
    /// The region grown by `pixels` on every side, within a `width`×`height` frame.
    pub fn grown_by(self, pixels: u32, width: u32, height: u32) -> Region {
        let (x, y) = (self.x.saturating_sub(pixels), self.y.saturating_sub(pixels));
        Region {
            x,
            y,
            width: (self.x + self.width + pixels).min(width).saturating_sub(x),
            height: (self.y + self.height + pixels)
                .min(height)
                .saturating_sub(y),
        }
    }

    pub fn centre(self) -> (u32, u32) {
        (self.x + self.width / 2, self.y + self.height / 2)
    }

    pub fn holds(self, x: u32, y: u32) -> bool {
        (self.x..self.x + self.width).contains(&x) && (self.y..self.y + self.height).contains(&y)
    }
}

/// A code-like patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patch {
    /// Where a decoder looks: padded so that the quiet zone and finder patterns are inside.
    pub region: Region,
    /// The active blocks' bounding box: the code's modules, without its quiet zone.
    pub core: Region,
    /// Side of the blocks it was found in, in frame pixels.
    pub block: u32,
}

impl Patch {
    /// Whether it was found on the frame itself rather than on the quarter-size copy.
    pub fn found_at_full_size(self) -> bool {
        self.block == BLOCK
    }

    /// The patch grown by a fine block on every side, within a `width`×`height` frame: where
    /// the same code is in the next frame, a phone in a hand having moved a few pixels.
    pub fn followed(self, width: u32, height: u32) -> Patch {
        Patch {
            region: self.region.grown_by(BLOCK, width, height),
            ..self
        }
    }

    /// Where the screen around a code shows, if this is one: the ring between the two regions
    /// returned, one fine block wide, just outside the core. A coarse patch's blocks can end a
    /// little inside the code, so its ring begins half a coarse block further out.
    pub fn screen_ring(self, width: u32, height: u32) -> (Region, Region) {
        let inner = self
            .core
            .grown_by(self.block.saturating_sub(BLOCK) / 2, width, height);
        (inner, inner.grown_by(BLOCK, width, height))
    }
}

/// Side of the square blocks the frame is measured in. A 1.5 px module gives about ten
/// light–dark flips a row inside one block; a 6 px module still gives two or three.
const BLOCK: u32 = 12;

/// The mean absolute step between neighbouring pixels, across and down, that a block needs in
/// both directions to count as code-like. A sharp code reads 60–120; a small code blurred and
/// recompressed as JPEG still 18 or more, while sensor noise and moiré stay under 8.
const MIN_BLOCK_ACTIVITY: u32 = 14;

/// Code-like patches, most promising first, at most `limit` of them, padded so that the quiet
/// zone and finder patterns are inside. Small codes are looked for at full resolution; a code
/// held close, whose modules are wider than a block and so flat inside, on a copy a quarter the
/// size, where its modules are 2–4 px again.
pub fn code_patches(gray: &GrayImage, limit: usize) -> Vec<Patch> {
    let mut patches = patches_at_scale(gray, limit);
    let long_side = gray.width().max(gray.height());
    if long_side >= 4 * 240
        && let Some(quarter) = downscale_long_side(gray, long_side / 4)
    {
        let scale_x = gray.width() as f32 / quarter.width() as f32;
        let scale_y = gray.height() as f32 / quarter.height() as f32;
        let to_frame = |coarse: Region| Region {
            x: (coarse.x as f32 * scale_x) as u32,
            y: (coarse.y as f32 * scale_y) as u32,
            width: ((coarse.width as f32 * scale_x) as u32).min(gray.width()),
            height: ((coarse.height as f32 * scale_y) as u32).min(gray.height()),
        };
        for coarse in patches_at_scale(&quarter, COARSE_LIMIT) {
            let region = to_frame(coarse.region);
            let patch = Patch {
                region,
                core: to_frame(coarse.core),
                block: (BLOCK as f32 * scale_x) as u32,
            };
            // A code is squarish and fits in the frame with room to spare; a larger coarse patch
            // is a busy scene (shelves, posters, hatching), where a quarter-size copy is all
            // edges.
            let (long, short) = (
                region.width.max(region.height),
                region.width.min(region.height),
            );
            if long * 10 > gray.width().min(gray.height()) * 8 || long * 5 > short * 8 {
                continue;
            }
            let fragments = patches
                .iter()
                .filter(|fine| contains_centre(&region, &fine.region))
                .count();
            if fragments >= 2 {
                // A large code seen at full size as several pieces: the whole goes first.
                patches.insert(0, patch);
            } else if fragments == 0 {
                patches.push(patch);
            }
            // One fine patch inside: the same code, already there at a better resolution.
        }
    }
    patches
}

/// How many patches the quarter-size copy adds at most.
const COARSE_LIMIT: usize = 2;

fn contains_centre(outer: &Region, inner: &Region) -> bool {
    outer.holds(inner.x + inner.width / 2, inner.y + inner.height / 2)
}

fn patches_at_scale(gray: &GrayImage, limit: usize) -> Vec<Patch> {
    let (width, height) = gray.dimensions();
    let grid = Grid {
        columns: width / BLOCK,
        rows: height / BLOCK,
    };
    if grid.columns < 2 || grid.rows < 2 || limit == 0 {
        return Vec::new();
    }
    let active = active_blocks(gray, grid.columns, grid.rows);
    let mut patches: Vec<Component> = Vec::new();
    let mut merged = false;
    for component in grid.components(&active, MIN_BLOCK_ACTIVITY) {
        let (long, _) = component.spans();
        if !component.is_code_shaped() || long > MAX_PLAIN_SPAN_BLOCKS {
            merged = true;
        }
        if component.is_code_shaped() {
            patches.push(component);
        }
    }
    // A small code on a busy background or a phone's bright bezel joins their weaker activity
    // through diagonal neighbours, and the whole is too ragged or too large to be a code. A
    // small dense code on a screen whose moiré is active too shows as a code-shaped patch the
    // size of the screen, whose crop scales the code down instead of up. In both, the strong
    // core, a code's modules at full contrast, is looked for apart.
    let accepted = patches.clone();
    for core in grid.components(&active, STRONG_BLOCK_ACTIVITY) {
        let around = accepted.iter().find(|patch| {
            patch.spans().0 <= MAX_PLAIN_SPAN_BLOCKS && patch.contains_centre_of(&core)
        });
        let wanted = match around {
            None => merged && (core.is_code_shaped() || core.is_strong_core_shaped()),
            Some(patch) => {
                core.is_strong_core_shaped() && patch.area() >= CORE_WITHIN_PATCH_AREA * core.area()
            }
        };
        if wanted {
            patches.push(core);
        }
    }
    patches.sort_by_key(|patch| std::cmp::Reverse(patch.score / patch.count));
    patches
        .into_iter()
        .take(limit)
        .map(|patch| Patch {
            region: patch.padded_region(grid),
            core: patch.bounds(),
            block: BLOCK,
        })
        .collect()
}

/// A code-like component wider or taller than this many blocks (a far code is 6–8) is also
/// searched for a stronger core: it may be a small code merged with its surroundings.
const MAX_PLAIN_SPAN_BLOCKS: u32 = 20;

/// How many times larger than its strong core a code-shaped patch must be for the core to be
/// tried apart: a code's own patch is its strong core and a ring of softer blocks at its edge,
/// while a screen made active by moiré is several times the code's (3 times in frame 49 of the
/// moiré band).
const CORE_WITHIN_PATCH_AREA: u32 = 2;

/// The activity a block of a code's modules at full contrast reaches (60–120 sharp) and a busy
/// background, a bezel's edge or moiré rarely does (12–32).
const STRONG_BLOCK_ACTIVITY: u32 = 40;

#[derive(Debug, Clone, Copy)]
struct Grid {
    columns: u32,
    rows: u32,
}

/// Blocks joined by a flood fill, in block units.
#[derive(Debug, Clone, Copy)]
struct Component {
    left: u32,
    top: u32,
    right: u32,
    bottom: u32,
    score: u32,
    count: u32,
}

impl Grid {
    /// The groups of neighbouring blocks (diagonals included) whose activity is at least
    /// `threshold`: a tilted code's blocks meet at corners, and a large code's flat modules or a
    /// glare spot leave gaps.
    fn components(self, active: &[u32], threshold: u32) -> Vec<Component> {
        let columns = self.columns;
        let is_active = |index: usize| active[index] >= threshold && active[index] > 0;
        let mut seen = vec![false; active.len()];
        let mut found = Vec::new();
        let mut stack = Vec::new();
        for start in 0..active.len() {
            if !is_active(start) || seen[start] {
                continue;
            }
            let mut component = Component {
                left: u32::MAX,
                top: u32::MAX,
                right: 0,
                bottom: 0,
                score: 0,
                count: 0,
            };
            stack.push(start);
            seen[start] = true;
            while let Some(index) = stack.pop() {
                let (column, row) = (index as u32 % columns, index as u32 / columns);
                component.left = component.left.min(column);
                component.right = component.right.max(column);
                component.top = component.top.min(row);
                component.bottom = component.bottom.max(row);
                component.score += active[index];
                component.count += 1;
                for dy in -1i32..=1 {
                    for dx in -1i32..=1 {
                        let (nx, ny) = (column as i32 + dx, row as i32 + dy);
                        if nx < 0 || ny < 0 || nx >= columns as i32 || ny >= self.rows as i32 {
                            continue;
                        }
                        let next = (ny as u32 * columns + nx as u32) as usize;
                        if is_active(next) && !seen[next] {
                            seen[next] = true;
                            stack.push(next);
                        }
                    }
                }
            }
            found.push(component);
        }
        found
    }
}

impl Component {
    /// (long, short) side in blocks.
    fn spans(&self) -> (u32, u32) {
        let (x, y) = (self.right - self.left + 1, self.bottom - self.top + 1);
        (x.max(y), x.min(y))
    }

    /// A code is at least 21 modules of 1.5 px (about 3 blocks) and roughly square; a single
    /// active block is an edge or a letter, a long thin run is a shelf or a stripe.
    fn is_code_shaped(&self) -> bool {
        let (long, short) = self.spans();
        let fill = self.count as f32 / (long * short) as f32;
        self.count >= 4 && long <= 3 * short && fill >= 0.35
    }

    /// A code's strong blocks inside a larger code-like patch: squarish, and of a code's size,
    /// but sparser than a whole code's blocks where a glare spot or a moiré's dark fringes
    /// weaken its middle.
    fn is_strong_core_shaped(&self) -> bool {
        let (long, short) = self.spans();
        let fill = self.count as f32 / (long * short) as f32;
        short >= 3 && long * 2 <= short * 3 && fill >= 0.2
    }

    /// Its bounding box's area, in blocks.
    fn area(&self) -> u32 {
        let (long, short) = self.spans();
        long * short
    }

    fn contains_centre_of(&self, inner: &Component) -> bool {
        let (cx, cy) = (
            (inner.left + inner.right) / 2,
            (inner.top + inner.bottom) / 2,
        );
        self.left <= cx && cx <= self.right && self.top <= cy && cy <= self.bottom
    }

    /// In frame pixels, as found.
    fn bounds(&self) -> Region {
        Region {
            x: self.left * BLOCK,
            y: self.top * BLOCK,
            width: (self.right - self.left + 1) * BLOCK,
            height: (self.bottom - self.top + 1) * BLOCK,
        }
    }

    /// In frame pixels, padded: the quiet zone and a finder's outer ring are flat and so often
    /// inactive, so a fifth of the patch is added on every side, at least a block.
    fn padded_region(&self, grid: Grid) -> Region {
        let pad = 1 + self.spans().0 / 5;
        let (x0, y0) = (self.left.saturating_sub(pad), self.top.saturating_sub(pad));
        let (x1, y1) = (
            (self.right + 1 + pad).min(grid.columns),
            (self.bottom + 1 + pad).min(grid.rows),
        );
        Region {
            x: x0 * BLOCK,
            y: y0 * BLOCK,
            width: (x1 - x0) * BLOCK,
            height: (y1 - y0) * BLOCK,
        }
    }
}

/// Per block: the smaller of its across and down activity when both pass the limit, else 0.
fn active_blocks(gray: &GrayImage, columns: u32, rows: u32) -> Vec<u32> {
    let width = gray.width() as usize;
    let pixels = gray.as_raw();
    let block = BLOCK as usize;
    let span = columns as usize * block;
    let mut activity = Vec::with_capacity((columns * rows) as usize);
    // Per pixel column, the steps summed over a block row's sampled rows: whole-row passes over
    // bytes vectorise, where per-block sums of 12 did not. Six rows of steps of at most 255
    // fit in a u16.
    let mut across = vec![0u16; span];
    let mut down = vec![0u16; span];
    for block_row in 0..rows as usize {
        across.fill(0);
        down.fill(0);
        // Every second row is enough to see a pattern of 1.5 px modules and halves the cost.
        for y in (block_row * block..(block_row + 1) * block).step_by(2) {
            let line = &pixels[y * width..(y + 1) * width];
            // The last column's step across reaches past the blocks when the frame allows.
            let next = &pixels[y * width + 1..(y + 1) * width];
            for ((sum, a), b) in across.iter_mut().zip(line).zip(next) {
                *sum += u16::from(a.abs_diff(*b));
            }
            if y + 1 < gray.height() as usize {
                let below = &pixels[(y + 1) * width..(y + 2) * width];
                for ((sum, a), b) in down.iter_mut().zip(line).zip(below) {
                    *sum += u16::from(a.abs_diff(*b));
                }
            }
        }
        for column in 0..columns as usize {
            let cells = column * block..(column + 1) * block;
            let a: u32 = across[cells.clone()].iter().map(|v| u32::from(*v)).sum();
            let d: u32 = down[cells].iter().map(|v| u32::from(*v)).sum();
            activity.push(block_activity(a, d));
        }
    }
    activity
}

/// A block's activity from its summed steps: BLOCK/2 rows of BLOCK steps, across and down alike.
fn block_activity(across: u32, down: u32) -> u32 {
    let samples = BLOCK * BLOCK / 2;
    let activity = (across / samples).min(down / samples);
    if activity >= MIN_BLOCK_ACTIVITY {
        activity
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::synthetic::{PhoneScene, render_phone_frame};

    fn holds(region: &Region, (x, y): (f32, f32)) -> bool {
        (region.x as f32) < x
            && x < (region.x + region.width) as f32
            && (region.y as f32) < y
            && y < (region.y + region.height) as f32
    }

    #[test]
    fn a_small_code_on_a_screen_full_of_moire_gets_a_patch_of_its_own() {
        use crate::camera::synthetic::{Difficulty, phone_band_set};
        // A dense code a tenth of the frame's height on a white page whose moiré is active
        // enough to make the whole screen one code-like patch.
        for index in [34, 49] {
            let scene = phone_band_set(Difficulty::Moire, 60, 42).remove(index);
            assert!(
                scene.screen_moire.is_some(),
                "the scene this test is about changed"
            );
            let frame = render_phone_frame(&scene, 1920, 1080);
            let gray = image::DynamicImage::ImageRgb8(frame).into_luma8();
            let centre = (scene.center.0 * 1920.0, scene.center.1 * 1080.0);
            let patches = code_patches(&gray, 4);
            let screen = patches
                .iter()
                .filter(|patch| holds(&patch.region, centre))
                .map(|patch| patch.region.width.max(patch.region.height))
                .max()
                .unwrap();
            let code = patches
                .iter()
                .find(|patch| holds(&patch.region, centre))
                .unwrap();
            let side = code.region.width.max(code.region.height) as f32;
            // The likeliest patch at the code is smaller than the screen, and no longer than the
            // 300 px its plain crop is scaled to: the code is scaled up, not down.
            assert!(
                side <= 300.0 && (side as u32) < screen,
                "frame {index}: patch {side} px, code {} px, screen {screen} px",
                scene.code_side_px
            );
        }
    }

    #[test]
    fn only_blocks_that_flip_both_across_and_down_are_active() {
        let (columns, rows) = (4u32, 3u32);
        let (width, height) = (columns * BLOCK + 5, rows * BLOCK);
        let gray = GrayImage::from_fn(width, height, |x, y| {
            let (column, row) = (x / BLOCK, y / BLOCK);
            let value = match column {
                // A one-pixel checkerboard: a full step between every pair of neighbours.
                0 => (x + y) % 2 == 1,
                // Stripes down: steps across only.
                1 => x % 2 == 1,
                // A faint checkerboard, below the limit.
                2 => row == 0 && (x + y) % 2 == 1,
                _ => false,
            };
            let value = match (column, value) {
                (2, true) => 10,
                (_, true) => 255,
                _ => 0,
            };
            image::Luma([value])
        });
        let active = active_blocks(&gray, columns, rows);
        assert_eq!(active.len(), (columns * rows) as usize);
        for row in 0..rows as usize {
            let at = |column: usize| active[row * columns as usize + column];
            // The checkerboard's last step across leads into the flat block beside it.
            assert!(at(0) >= 230, "row {row}: {active:?}");
            assert_eq!((at(1), at(2), at(3)), (0, 0, 0), "row {row}: {active:?}");
        }
    }

    #[test]
    fn a_small_code_is_found_where_it_is_and_a_blank_frame_gives_nothing() {
        let mut scene = PhoneScene::plain("CSDEMO-locate");
        scene.code_side_px = 70.0;
        scene.center = (0.8, 0.3);
        let gray =
            image::DynamicImage::ImageRgb8(render_phone_frame(&scene, 1920, 1080)).into_luma8();
        let patches = code_patches(&gray, 4);
        let (cx, cy) = (0.8 * 1920.0, 0.3 * 1080.0);
        assert!(
            patches
                .iter()
                .any(|p| holds(&p.region, (cx, cy)) && holds(&p.core, (cx, cy))),
            "{patches:?}"
        );
        assert!(code_patches(&GrayImage::new(1920, 1080), 4).is_empty());
    }

    /// The far band's frame 15 (seed 42): a 60 px code, tilted, on a busy background that its
    /// blocks join through the phone's bezel. Without the search for strong cores no patch held
    /// it, and zxing-cpp read it where this scanner did not.
    #[test]
    fn a_small_code_merged_with_a_busy_background_still_gets_its_own_patch() {
        use crate::camera::synthetic::{Difficulty, phone_band_set};
        let scene = phone_band_set(Difficulty::Far, 16, 42).remove(15);
        assert!(
            scene.busy_background,
            "the scene this test is about changed"
        );
        let gray =
            image::DynamicImage::ImageRgb8(render_phone_frame(&scene, 1920, 1080)).into_luma8();
        let (cx, cy) = (scene.center.0 * 1920.0, scene.center.1 * 1080.0);
        let patches = code_patches(&gray, 4);
        assert!(
            patches
                .iter()
                .map(|p| p.region)
                .any(|r| holds(&r, (cx, cy)) && r.width.max(r.height) <= 240),
            "no patch of at most 240 px around ({cx}, {cy}): {patches:?}"
        );
        assert_eq!(
            crate::scan::decode_frame(&gray).codes,
            vec![scene.payload.clone().unwrap()]
        );
    }

    #[test]
    fn a_grown_region_stays_inside_the_frame() {
        let region = Region {
            x: 10,
            y: 100,
            width: 200,
            height: 100,
        };
        assert_eq!(
            region.grown_by(25, 220, 1000),
            Region {
                x: 0,
                y: 75,
                width: 220,
                height: 150
            }
        );
    }
}
