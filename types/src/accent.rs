//! The colours a portal derives from a vendor's one brand colour, so that any colour a vendor
//! picks stays readable: text on the colour and the colour as text on white both meet WCAG 2.1
//! AA (4.5:1).

use palette::color_difference::Wcag21RelativeContrast;
use palette::{Darken, IntoColor, Okhsl, Srgb};

/// WCAG 2.1 AA for normal text.
const AA_TEXT: f32 = 4.5;

/// The accent colours of a portal, each `#rrggbb`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accent {
    /// The brand colour as chosen: headers, button backgrounds.
    pub background: String,
    /// The same colour darkened for hover states.
    pub background_strong: String,
    /// Text on `background`: white or near-black, whichever contrasts more.
    pub on_background: String,
    /// The brand colour as text on white and on `soft` (links, the active navigation item):
    /// the chosen colour darkened just enough to reach 4.5:1.
    pub text: String,
    /// A pale tint of the colour, for the active navigation item's background.
    pub soft: String,
}

impl Accent {
    /// The accent of `color` (`#rrggbb`); anything unreadable falls back to `fallback`. The
    /// hub renders pages and mails with it, and the branding page's live preview runs it in the
    /// browser as the vendor picks a colour.
    pub fn of(color: &str, fallback: &str) -> Self {
        let base = parse(color)
            .or_else(|| parse(fallback))
            .unwrap_or(Srgb::new(0.0, 0.0, 0.0));
        let white = Srgb::new(1.0, 1.0, 1.0);
        // Black, not a softer ink: with black one of the two always reaches 4.5:1.
        let ink = Srgb::new(0.0, 0.0, 0.0);
        let on_background = if base.relative_contrast(white) >= base.relative_contrast(ink) {
            white
        } else {
            ink
        };
        let soft = tint(base);
        Self {
            background: hex(base),
            background_strong: hex(darken(base, 0.12)),
            on_background: hex(on_background),
            // Readable on the tint is readable on white too, which is lighter.
            text: hex(readable_on(base, soft)),
            soft: hex(soft),
        }
    }

    /// The CSS custom properties the stylesheet reads (`--accent`, …), for a `style` attribute.
    pub fn css_variables(&self) -> String {
        format!(
            "--accent:{};--accent-strong:{};--on-accent:{};--accent-text:{};--accent-soft:{}",
            self.background, self.background_strong, self.on_background, self.text, self.soft
        )
    }
}

/// `#rrggbb` (or `#rgb`) to a colour.
fn parse(color: &str) -> Option<Srgb<f32>> {
    color.trim().parse::<Srgb<u8>>().ok().map(Srgb::into_format)
}

fn hex(color: Srgb<f32>) -> String {
    let c: Srgb<u8> = color.into_format();
    format!("#{:02x}{:02x}{:02x}", c.red, c.green, c.blue)
}

/// Darkens in Okhsl, which keeps the hue as people see it.
fn darken(color: Srgb<f32>, amount: f32) -> Srgb<f32> {
    let hsl: Okhsl = color.into_linear::<f32>().into_color();
    let darker: palette::LinSrgb = hsl.darken_fixed(amount).into_color();
    Srgb::from_linear(darker)
}

/// `color`, darkened in small steps until it reaches AA against `background`.
fn readable_on(color: Srgb<f32>, background: Srgb<f32>) -> Srgb<f32> {
    let mut c = color;
    for _ in 0..50 {
        // Compare the colour as it will be written (8 bits per channel), not the float.
        let written: Srgb<f32> = c.into_format::<u8>().into_format();
        if written.relative_contrast(background) >= AA_TEXT {
            return written;
        }
        c = darken(c, 0.02);
    }
    Srgb::new(0.0, 0.0, 0.0)
}

/// Mixes 12 % of the colour into white.
fn tint(color: Srgb<f32>) -> Srgb<f32> {
    let mix = |c: f32| 1.0 - 0.12 * (1.0 - c);
    Srgb::new(mix(color.red), mix(color.green), mix(color.blue))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contrast(a: &str, b: &str) -> f32 {
        parse(a).unwrap().relative_contrast(parse(b).unwrap())
    }

    #[test]
    fn every_colour_gives_readable_text_both_ways() {
        // Pale, saturated, mid-grey and dark picks, and the default.
        for color in [
            "#ffff00", "#ffffff", "#00ff00", "#777777", "#0d9488", "#ff0000", "#000000", "#4f46e5",
            "#f0abfc", "#123456",
        ] {
            let a = Accent::of(color, "#0d9488");
            assert!(
                contrast(&a.on_background, &a.background) >= AA_TEXT,
                "{color}: text on the colour is {}",
                contrast(&a.on_background, &a.background)
            );
            assert!(
                contrast(&a.text, "#ffffff") >= AA_TEXT,
                "{color}: the colour as text is {} on white",
                contrast(&a.text, "#ffffff")
            );
            assert!(
                contrast(&a.text, &a.soft) >= AA_TEXT,
                "{color}: active item"
            );
        }
    }

    #[test]
    fn a_dark_colour_is_kept_and_gets_white_text() {
        let a = Accent::of("#123456", "#0d9488");
        assert_eq!(a.background, "#123456");
        assert_eq!(a.text, "#123456", "already readable, so unchanged");
        assert_eq!(a.on_background, "#ffffff");
    }

    #[test]
    fn a_pale_colour_gets_dark_text_and_a_darker_link_colour() {
        let a = Accent::of("#ffff00", "#0d9488");
        assert_eq!(a.on_background, "#000000");
        assert_ne!(a.text, "#ffff00");
    }

    #[test]
    fn garbage_falls_back() {
        assert_eq!(Accent::of("red; }", "#0d9488").background, "#0d9488");
    }
}
