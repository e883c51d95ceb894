//! Text measured with the font the SVG names: DejaVu Sans (report/fonts, free under the
//! Bitstream Vera licence beside it), its advance widths read by ttf-parser. A box sized from
//! these widths fits its label as drawn; the SVG also gives each text its measured
//! `textLength`, so a viewer without DejaVu Sans draws it at the same width.

use std::sync::OnceLock;

/// The font the graph's texts are measured with and drawn in.
const FONT: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");

/// The SVG `font-family` of every text: the measured font first.
pub const FONT_FAMILY: &str = "'DejaVu Sans', Verdana, sans-serif";

/// The parsed font (it is part of the binary: it parses, or every width falls back to one
/// em a character).
fn face() -> Option<&'static ttf_parser::Face<'static>> {
    static FACE: OnceLock<Option<ttf_parser::Face<'static>>> = OnceLock::new();
    FACE.get_or_init(|| ttf_parser::Face::parse(FONT, 0).ok())
        .as_ref()
}

/// The width of `text` in pixels at `size` pixels, as DejaVu Sans draws it without
/// kerning (kerning only narrows it). A character the font lacks counts as an `M`.
pub fn text_width(text: &str, size: f64) -> f64 {
    let Some(face) = face() else {
        return text.chars().count() as f64 * size;
    };
    let advance = |c: char| face.glyph_index(c).and_then(|g| face.glyph_hor_advance(g));
    let fallback = advance('M').unwrap_or(face.units_per_em());
    let units: f64 = text
        .chars()
        .map(|c| f64::from(advance(c).unwrap_or(fallback)))
        .sum();
    units * size / f64::from(face.units_per_em())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_font_not_the_character_count() {
        // Same number of characters, very different widths in a proportional font.
        let narrow = text_width("iiiiiiiiii", 14.0);
        let wide = text_width("MMMMMMMMMM", 14.0);
        assert!(wide > 2.5 * narrow, "{narrow} {wide}");
        // DejaVu Sans: 'M' is 1767 of 2048 units wide.
        assert!((text_width("M", 2048.0) - 1767.0).abs() < 0.5);
        assert!((text_width("ab", 28.0) - 2.0 * text_width("ab", 14.0)).abs() < 1e-9);
        assert!(text_width("—→é", 14.0) > 0.0);
    }
}
