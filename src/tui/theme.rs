//! Colours by role, never scattered through the views. Over SSH `COLORTERM` is rarely forwarded,
//! so the 256-colour palette is the default; `NO_COLOR` drops colour but keeps bold and reverse,
//! so the selection stays visible.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    None,
    Indexed,
    TrueColor,
}

impl Palette {
    /// From the environment: `NO_COLOR` (any value) wins, then `COLORTERM`.
    pub fn detect(no_color: Option<&str>, colorterm: Option<&str>) -> Palette {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return Palette::None;
        }
        match colorterm.map(str::to_ascii_lowercase).as_deref() {
            Some("truecolor" | "24bit") => Palette::TrueColor,
            _ => Palette::Indexed,
        }
    }

    pub fn from_env() -> Palette {
        Palette::detect(
            std::env::var("NO_COLOR").ok().as_deref(),
            std::env::var("COLORTERM").ok().as_deref(),
        )
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub palette: Palette,
}

impl Theme {
    fn color(&self, indexed: u8, rgb: (u8, u8, u8)) -> Option<Color> {
        match self.palette {
            Palette::None => None,
            Palette::Indexed => Some(Color::Indexed(indexed)),
            Palette::TrueColor => Some(Color::Rgb(rgb.0, rgb.1, rgb.2)),
        }
    }

    fn fg(&self, indexed: u8, rgb: (u8, u8, u8)) -> Style {
        match self.color(indexed, rgb) {
            Some(c) => Style::new().fg(c),
            None => Style::new(),
        }
    }

    pub fn base(&self) -> Style {
        Style::new()
    }

    pub fn title(&self) -> Style {
        self.fg(75, (95, 175, 255)).add_modifier(Modifier::BOLD)
    }

    pub fn muted(&self) -> Style {
        match self.palette {
            Palette::None => Style::new().add_modifier(Modifier::DIM),
            _ => self.fg(245, (138, 138, 138)),
        }
    }

    pub fn selected(&self) -> Style {
        match self.color(24, (0, 95, 135)) {
            Some(bg) => Style::new()
                .bg(bg)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            None => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        }
    }

    pub fn tab_active(&self) -> Style {
        self.selected()
    }

    pub fn key(&self) -> Style {
        self.fg(214, (255, 175, 0)).add_modifier(Modifier::BOLD)
    }

    pub fn danger(&self) -> Style {
        self.fg(203, (255, 95, 95)).add_modifier(Modifier::BOLD)
    }

    pub fn warn(&self) -> Style {
        self.fg(214, (255, 175, 0))
    }

    pub fn ok(&self) -> Style {
        self.fg(114, (135, 215, 135))
    }

    /// A risk band's colour: red, amber, green.
    pub fn band(&self, band: crate::domain::risk::Band) -> Style {
        use crate::domain::risk::Band;
        match band {
            Band::High => self.danger(),
            Band::Medium => self.warn(),
            Band::Low => self.ok(),
        }
    }

    pub fn border(&self) -> Style {
        self.fg(240, (88, 88, 88))
    }

    pub fn focus_border(&self) -> Style {
        self.fg(75, (95, 175, 255))
    }

    /// A cell shaded by a share from 0 to 1, for tables read at a glance: darker is lower.
    /// Without colour the number alone speaks.
    pub fn shade(&self, share: f64) -> Style {
        let share = share.clamp(0.0, 1.0);
        let grey = (share * 255.0) as u8 / 2 + 40;
        match self.color(232 + (share * 18.0) as u8, (grey / 2, grey, grey / 2)) {
            Some(bg) => Style::new().bg(bg).fg(Color::White),
            None => Style::new(),
        }
    }

    pub fn toast(&self) -> Style {
        match self.color(236, (48, 48, 48)) {
            Some(bg) => Style::new()
                .bg(bg)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            None => Style::new().add_modifier(Modifier::REVERSED),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_wins_and_truecolor_only_when_said() {
        assert_eq!(Palette::detect(Some("1"), Some("truecolor")), Palette::None);
        assert_eq!(Palette::detect(Some(""), None), Palette::Indexed);
        assert_eq!(Palette::detect(None, Some("24bit")), Palette::TrueColor);
        assert_eq!(Palette::detect(None, None), Palette::Indexed);
    }

    #[test]
    fn without_colour_the_selection_is_still_visible() {
        let t = Theme {
            palette: Palette::None,
        };
        assert!(t.selected().add_modifier.contains(Modifier::REVERSED));
        assert_eq!(t.selected().fg, None);
        assert_eq!(t.danger().fg, None);
        assert!(t.danger().add_modifier.contains(Modifier::BOLD));
    }
}
