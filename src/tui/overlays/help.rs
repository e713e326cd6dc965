//! The keys of where the rep is, over the panes (`?`), read from the keymap in force.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::tui::app::App;
use crate::tui::keymap::{Command, Context, Keymap};
use crate::tui::then::Then;
use crate::tui::views::{centered, clear_for_overlay, safe};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpState {
    /// Lines scrolled past.
    pub scroll: usize,
    /// Where the rep pressed `?`: whose keys are listed.
    pub context: Context,
}

impl HelpState {
    /// Lines that can be scrolled past: the keys and the line about keys.toml, less the rows
    /// a screen `height` tall shows of them (the box is drawn in the body, under the header
    /// and the tabs and over the footer).
    pub fn most(&self, keymap: &Keymap, height: u16) -> usize {
        let lines = keymap.describe(self.context).len() + 1;
        let body = usize::from(height.saturating_sub(3));
        let rows = (lines + 3).min(body).saturating_sub(2);
        lines.saturating_sub(rows)
    }

    /// `most`: how far it scrolls (see `most`), so that `k` comes back at once.
    pub fn command(&mut self, command: Command, most: usize) -> Then {
        match command {
            Command::Back => Then::Close,
            Command::Down => {
                self.scroll = (self.scroll + 1).min(most);
                Then::Nothing
            }
            Command::Up => {
                self.scroll = self.scroll.saturating_sub(1);
                Then::Nothing
            }
            _ => Then::Pass,
        }
    }

    pub fn render(&self, frame: &mut Frame<'_>, app: &App, body: Rect) {
        let (scroll, context) = (self.scroll, self.context);
        let t = &app.theme;
        let entries = app.keymap.describe(context);
        let area = centered(body, 64, (entries.len() as u16 + 4).min(body.height));
        clear_for_overlay(frame, area);
        let mut block = Block::bordered()
            .border_style(t.focus_border())
            .title(format!(" Keys · {} ", context.name()));
        // The keys and the line about keys.toml, against the rows there are: say what is left.
        let rows = usize::from(area.height.saturating_sub(2));
        let below = (entries.len() + 1).saturating_sub(scroll + rows);
        if below > 0 {
            block = block.title_bottom(
                Line::styled(format!(" {below} more below · j/k scroll "), t.key()).right_aligned(),
            );
        }
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let mut lines: Vec<Line<'_>> = entries
            .iter()
            .skip(scroll)
            .map(|(keys, what)| {
                Line::from(vec![
                    Span::styled(format!(" {:<16}", keys), t.key()),
                    Span::raw(what.to_string()),
                ])
            })
            .collect();
        lines.push(Line::styled(
            format!(" keys can be changed in {}", safe(&app.keys_file)),
            t.muted(),
        ));
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
