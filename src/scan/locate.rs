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
    /// The region grown by `share` of its size on every side, within a `width`×`height` frame.
    pub fn grown_by(self, share: f32, width: u32, height: u32) -> Region {
        let (dx, dy) = (
            (self.width as f32 * share) as u32,
            (self.height as f32 * share) as u32,
        );
        let (x, y) = (self.x.saturating_sub(dx), self.y.saturating_sub(dy));
        Region {
            x,
            y,
            width: (self.x + self.width + dx).min(width) - x,
            height: (self.y + self.height + dy).min(height) - y,
        }
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
pub fn code_regions(gray: &GrayImage, limit: usize) -> Vec<Region> {
    let mut regions = patches_at_scale(gray, limit);
    let long_side = gray.width().max(gray.height());
    if long_side >= 4 * 240
        && let Some(quarter) = downscale_long_side(gray, long_side / 4)
    {
        let scale_x = gray.width() as f32 / quarter.width() as f32;
        let scale_y = gray.height() as f32 / quarter.height() as f32;
        for coarse in patches_at_scale(&quarter, COARSE_LIMIT) {
            let region = Region {
                x: (coarse.x as f32 * scale_x) as u32,
                y: (coarse.y as f32 * scale_y) as u32,
                width: ((coarse.width as f32 * scale_x) as u32).min(gray.width()),
                height: ((coarse.height as f32 * scale_y) as u32).min(gray.height()),
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
            let fragments = regions
                .iter()
                .filter(|r| contains_centre(&region, r))
                .count();
            if fragments >= 2 {
                // A large code seen at full size as several pieces: the whole goes first.
                regions.insert(0, region);
            } else if fragments == 0 {
                regions.push(region);
            }
            // One fine patch inside: the same code, already there at a better resolution.
        }
    }
    regions
}

/// How many patches the quarter-size copy adds at most.
const COARSE_LIMIT: usize = 2;

fn contains_centre(outer: &Region, inner: &Region) -> bool {
    let (cx, cy) = (inner.x + inner.width / 2, inner.y + inner.height / 2);
    outer.x <= cx && cx < outer.x + outer.width && outer.y <= cy && cy < outer.y + outer.height
}

fn patches_at_scale(gray: &GrayImage, limit: usize) -> Vec<Region> {
    let (width, height) = gray.dimensions();
    let (columns, rows) = (width / BLOCK, height / BLOCK);
    if columns < 2 || rows < 2 || limit == 0 {
        return Vec::new();
    }
    let active = active_blocks(gray, columns, rows);
    let mut seen = vec![false; active.len()];
    let mut patches: Vec<(u32, Region)> = Vec::new();
    for start in 0..active.len() {
        if active[start] == 0 || seen[start] {
            continue;
        }
        // Flood fill over neighbouring blocks, diagonals included: a tilted code's blocks
        // meet at corners, and a large code's flat modules or a glare spot leave gaps.
        let (mut left, mut top, mut right, mut bottom) = (u32::MAX, u32::MAX, 0, 0);
        let (mut score, mut count) = (0u32, 0u32);
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(index) = stack.pop() {
            let (column, row) = (index as u32 % columns, index as u32 / columns);
            left = left.min(column);
            right = right.max(column);
            top = top.min(row);
            bottom = bottom.max(row);
            score += active[index];
            count += 1;
            for dy in -1i32..=1 {
                for dx in -1i32..=1 {
                    let (nx, ny) = (column as i32 + dx, row as i32 + dy);
                    if nx < 0 || ny < 0 || nx >= columns as i32 || ny >= rows as i32 {
                        continue;
                    }
                    let next = (ny as u32 * columns + nx as u32) as usize;
                    if active[next] > 0 && !seen[next] {
                        seen[next] = true;
                        stack.push(next);
                    }
                }
            }
        }
        let (span_x, span_y) = (right - left + 1, bottom - top + 1);
        // A code is at least 21 modules of 1.5 px (about 3 blocks) and roughly square; a single
        // active block is an edge or a letter, a long thin run is a shelf or a stripe.
        let fill = count as f32 / (span_x * span_y) as f32;
        if count < 4 || span_x.max(span_y) > 3 * span_x.min(span_y) || fill < 0.35 {
            continue;
        }
        // The quiet zone and a finder's outer ring are flat and so often inactive: pad by a
        // fifth of the patch, at least a block.
        let pad = 1 + span_x.max(span_y) / 5;
        let (x0, y0) = (left.saturating_sub(pad), top.saturating_sub(pad));
        let (x1, y1) = ((right + 1 + pad).min(columns), (bottom + 1 + pad).min(rows));
        let region = Region {
            x: x0 * BLOCK,
            y: y0 * BLOCK,
            width: (x1 - x0) * BLOCK,
            height: (y1 - y0) * BLOCK,
        };
        patches.push((score / count, region));
    }
    patches.sort_by_key(|patch| std::cmp::Reverse(patch.0));
    patches.into_iter().take(limit).map(|(_, r)| r).collect()
}

/// Per block: the smaller of its across and down activity when both pass the limit, else 0.
fn active_blocks(gray: &GrayImage, columns: u32, rows: u32) -> Vec<u32> {
    let width = gray.width() as usize;
    let pixels = gray.as_raw();
    let mut across = vec![0u32; (columns * rows) as usize];
    let mut down = vec![0u32; (columns * rows) as usize];
    // Every second row is enough to see a pattern of 1.5 px modules and halves the cost.
    let block = BLOCK as usize;
    for y in (0..rows * BLOCK).step_by(2) {
        let row_start = y as usize * width;
        let block_row = (y / BLOCK * columns) as usize;
        let line = &pixels[row_start..row_start + width];
        let below =
            (y + 1 < gray.height()).then(|| &pixels[row_start + width..row_start + 2 * width]);
        for column in 0..columns as usize {
            let (from, to) = (column * block, (column + 1) * block);
            // Block sums of absolute steps; written as plain zips so that they vectorise.
            let step_end = to.min(width - 1);
            across[block_row + column] += line[from..step_end]
                .iter()
                .zip(&line[from + 1..step_end + 1])
                .map(|(a, b)| u32::from(a.abs_diff(*b)))
                .sum::<u32>();
            if let Some(below) = below {
                down[block_row + column] += line[from..to]
                    .iter()
                    .zip(&below[from..to])
                    .map(|(a, b)| u32::from(a.abs_diff(*b)))
                    .sum::<u32>();
            }
        }
    }
    // Samples a block: BLOCK/2 rows of BLOCK steps, across and down alike.
    let across_samples = BLOCK * BLOCK / 2;
    let down_samples = BLOCK * BLOCK / 2;
    across
        .iter()
        .zip(&down)
        .map(|(a, d)| {
            let activity = (a / across_samples).min(d / down_samples);
            if activity >= MIN_BLOCK_ACTIVITY {
                activity
            } else {
                0
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::synthetic::{PhoneScene, render_phone_frame};

    #[test]
    fn a_small_code_is_found_where_it_is_and_a_blank_frame_gives_nothing() {
        let mut scene = PhoneScene::plain("CSDEMO-locate");
        scene.code_side_px = 70.0;
        scene.center = (0.8, 0.3);
        let gray =
            image::DynamicImage::ImageRgb8(render_phone_frame(&scene, 1920, 1080)).into_luma8();
        let regions = code_regions(&gray, 4);
        let (cx, cy) = (0.8 * 1920.0, 0.3 * 1080.0);
        assert!(
            regions.iter().any(|r| {
                (r.x as f32) < cx
                    && cx < (r.x + r.width) as f32
                    && (r.y as f32) < cy
                    && cy < (r.y + r.height) as f32
            }),
            "{regions:?}"
        );
        assert!(code_regions(&GrayImage::new(1920, 1080), 4).is_empty());
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
            region.grown_by(0.25, 240, 1000),
            Region {
                x: 0,
                y: 75,
                width: 240,
                height: 150
            }
        );
    }
}
