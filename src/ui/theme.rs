//! Fonts and look: the bundled Chinese fonts (so every name renders on a machine with no CJK
//! font: traditional and rare characters included), large type for operators standing a metre
//! away, and high-contrast status colours.

use egui::{Color32, FontData, FontFamily, FontId, TextStyle};

/// Noto Sans CJK SC without its Hangul: every CJK Unified Ideograph but 16, Extension A,
/// traditional forms and 2,108 Extension B characters (see assets/README.md).
pub const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansCJKsc-Regular-names.otf");
const CJK_FONT_NAME: &str = "noto-sans-cjk-sc";
/// HanaMinB: the rest of Extension B (42,711 of 42,720) and Extensions C to F, behind Noto for
/// the rare characters (生僻字) of names.
pub const EXT_B_FONT: &[u8] = include_bytes!("../../assets/fonts/HanaMinB.ttf");
const EXT_B_FONT_NAME: &str = "hanamin-b";

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
    fonts.font_data.insert(
        EXT_B_FONT_NAME.to_string(),
        FontData::from_static(EXT_B_FONT).into(),
    );
    // Noto first (its .notdef box is what a character no font has is drawn as), HanaMinB for
    // what it lacks, then egui's own fonts; the system's fonts (Microsoft YaHei and SimSun-ExtB on
    // Windows, Noto CJK on Linux) are asked for anything still missing.
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        let list = fonts.families.entry(family).or_default();
        list.insert(0, EXT_B_FONT_NAME.to_string());
        list.insert(0, CJK_FONT_NAME.to_string());
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
        // Check boxes and radio buttons as large as the 20 px text beside them, not 14 px.
        style.spacing.icon_width = 22.0;
        style.spacing.icon_width_inner = 14.0;
        style.spacing.icon_spacing = 8.0;
    });
    let mut visuals = egui::Visuals::light();
    // An outline on every control at rest: a pale box on a pale panel was hard to see.
    visuals.widgets.inactive.bg_stroke = egui::Stroke::new(1.5, Color32::from_gray(130));
    visuals.widgets.inactive.fg_stroke = egui::Stroke::new(2.0, Color32::from_gray(30));
    ctx.set_visuals(visuals);
}

/// Whether every character of `text` can be drawn by some font (the bundled ones, or one the
/// system offers); a name with a character none has is drawn with a box, and the operator is
/// told to check it against the ID card.
pub fn can_draw(ctx: &egui::Context, text: &str) -> bool {
    let font = FontId::proportional(20.0);
    ctx.fonts_mut(|fonts| {
        text.chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .all(|c| fonts.has_glyph(&font, c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Unicode blocks names are written in, with how many of their characters the bundled
    /// fonts draw (printed as a table, so the coverage is reported on every run).
    #[test]
    fn the_bundled_fonts_cover_the_blocks_names_use() {
        let ctx = egui::Context::default();
        install(&ctx);
        ctx.run_ui(Default::default(), |_| {})
            .textures_delta
            .clear();
        let font = FontId::proportional(20.0);
        let blocks: [(&str, u32, u32, usize); 6] = [
            ("CJK Unified Ideographs", 0x4E00, 0x9FFF, 20_976),
            ("Extension A", 0x3400, 0x4DBF, 6_582),
            ("Extension B", 0x2_0000, 0x2_A6DF, 42_711),
            ("Compatibility Ideographs", 0xF900, 0xFAFF, 366),
            ("Extension C", 0x2_A700, 0x2_B73F, 4_149),
            ("Extension E", 0x2_B820, 0x2_CEAF, 5_762),
        ];
        println!("| block | range | drawn | of |");
        for (name, first, last, floor) in blocks {
            let all = last - first + 1;
            let drawn = ctx.fonts_mut(|fonts| {
                (first..=last)
                    .filter_map(char::from_u32)
                    .filter(|c| fonts.has_glyph(&font, *c))
                    .count()
            });
            println!("| {name} | U+{first:04X}–U+{last:04X} | {drawn} | {all} |");
            assert!(drawn >= floor, "{name}: {drawn} of {all}, below {floor}");
        }
        // Traditional forms and the rare characters of real names.
        for name in [
            "張曉明",
            "陳大文",
            "𠮷田花子",
            "䶮",
            "龘",
            "靑",
            "演示大學",
            "鄧麗君",
            "𡈽",
        ] {
            assert!(can_draw(&ctx, name), "{name}");
        }
        // And the check can fail: U+30000, the first of Extension G, is in no bundled font.
        assert!(!can_draw(&ctx, "\u{30000}"));
        ctx.run_ui(Default::default(), |_| {})
            .textures_delta
            .clear();
    }
}
