//! The 学历照片 specification (教毕指〔2017〕99号 as schools quote it): size, JPEG rules and the
//! geometry that 学信网's automatic check measures, plus the backdrops it allows.

use serde::{Deserialize, Serialize};

pub const WIDTH: u32 = 480;
pub const HEIGHT: u32 = 640;
pub const DPI: u16 = 300;
pub const MIN_JPEG_QUALITY: u8 = 60;

/// An inclusive range of output pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PixelRange {
    pub min: f32,
    pub max: f32,
}

impl PixelRange {
    pub const fn new(min: f32, max: f32) -> Self {
        Self { min, max }
    }

    pub fn contains(&self, value: f32) -> bool {
        (self.min..=self.max).contains(&value)
    }

    pub fn middle(&self) -> f32 {
        (self.min + self.max) / 2.0
    }
}

/// Top of the hair to the top edge.
pub const HEAD_TOP: PixelRange = PixelRange::new(50.0, 110.0);
/// Eye line to the top edge.
pub const EYE_LINE: PixelRange = PixelRange::new(200.0, 300.0);
/// Face width, cheek to cheek.
pub const FACE_WIDTH: PixelRange = PixelRange::new(180.0, 300.0);

/// The allowed backdrops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Backdrop {
    #[default]
    Blue,
    White,
    Grey,
}

impl Backdrop {
    pub fn rgb(self) -> [u8; 3] {
        match self {
            Self::Blue => [100, 197, 255],
            Self::White => [255, 255, 255],
            Self::Grey => [240, 240, 240],
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "blue" | "蓝" | "蓝色" => Some(Self::Blue),
            "white" | "白" | "白色" => Some(Self::White),
            "grey" | "gray" | "灰" | "浅灰" => Some(Self::Grey),
            _ => None,
        }
    }
}

/// The accepted JPEG file size, in bytes. Collectors differ, so it is a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SizeRange {
    pub min_bytes: usize,
    pub max_bytes: usize,
}

impl Default for SizeRange {
    fn default() -> Self {
        Self {
            min_bytes: 20 * 1024,
            max_bytes: 40 * 1024,
        }
    }
}

impl SizeRange {
    /// Parses `20-40` (KB).
    pub fn parse_kb(text: &str) -> Option<Self> {
        let (min, max) = text.split_once('-')?;
        let (min, max): (usize, usize) = (min.trim().parse().ok()?, max.trim().parse().ok()?);
        (min <= max && max > 0).then_some(Self {
            min_bytes: min * 1024,
            max_bytes: max * 1024,
        })
    }

    pub fn contains(&self, bytes: usize) -> bool {
        (self.min_bytes..=self.max_bytes).contains(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_settings() {
        assert!(EYE_LINE.contains(200.0) && EYE_LINE.contains(300.0) && !EYE_LINE.contains(301.0));
        assert_eq!(HEAD_TOP.middle(), 80.0);
        assert_eq!(SizeRange::parse_kb("30-60").unwrap().max_bytes, 60 * 1024);
        assert!(SizeRange::parse_kb("60-30").is_none());
        assert!(SizeRange::parse_kb("x").is_none());
        assert_eq!(Backdrop::parse("grey").unwrap().rgb(), [240, 240, 240]);
        assert_eq!(Backdrop::default().rgb(), [100, 197, 255]);
    }
}
