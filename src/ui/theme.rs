//! Fonts and look: the bundled Chinese font (so text renders on a machine with no CJK font),
//! large type for operators standing a metre away, and high-contrast status colours.

use egui::{Color32, FontData, FontFamily, FontId, TextStyle};

/// Noto Sans CJK SC, subset to 通用规范汉字表 and GB 2312 (see assets/fonts/README.md).
pub const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular-subset.otf");
const CJK_FONT_NAME: &str = "noto-sans-sc";

pub const OK: Color32 = Color32::from_rgb(0x1b, 0x7f, 0x3a);
pub const BAD: Color32 = Color32::from_rgb(0xc6, 0x28, 0x28);
pub const WARN: Color32 = Color32::from_rgb(0xb2, 0x6a, 0x00);
pub const INFO: Color32 = Color32::from_rgb(0x1f, 0x5f, 0xa8);
pub const DEMO: Color32 = Color32::from_rgb(0x8e, 0x24, 0xaa);
pub const GUIDE: Color32 = Color32::from_rgb(0xff, 0xd5, 0x4f);

/// Installs the fonts (ours first, egui's and the system's after for rarer characters) and the
/// large text styles.
pub fn install(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        CJK_FONT_NAME.to_string(),
        FontData::from_static(CJK_FONT).into(),
    );
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .insert(0, CJK_FONT_NAME.to_string());
    }
    ctx.set_fonts(fonts);
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (TextStyle::Heading, FontId::proportional(30.0)),
            (TextStyle::Body, FontId::proportional(20.0)),
            (TextStyle::Button, FontId::proportional(20.0)),
            (TextStyle::Monospace, FontId::monospace(18.0)),
            (TextStyle::Small, FontId::proportional(15.0)),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(10.0, 8.0);
        style.spacing.button_padding = egui::vec2(14.0, 8.0);
        style.spacing.interact_size.y = 36.0;
    });
    ctx.set_visuals(egui::Visuals::light());
}
