//! A timeline entry of the card, in full, over it: when, what, who, its facts one a line, and
//! the whole note.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use crate::account_card::{CardLine, Tone};
use crate::store::AccountCard;
use crate::tui::app::App;
use crate::tui::card::{rows_at_most, wrap};
use crate::tui::keymap::Command;
use crate::tui::then::Then;
use crate::tui::views::{centered, clear_for_overlay, safe};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryState {
    /// Which entry, by its place in the card's timeline.
    pub index: usize,
    /// Lines scrolled past.
    pub scroll: usize,
}

impl EntryState {
    pub fn command(&mut self, command: Command, card: Option<&AccountCard>) -> Then {
        match command {
            Command::Back | Command::Open => Then::Close,
            Command::Down | Command::Up => {
                let most = card
                    .and_then(|c| c.timeline.get(self.index))
                    .map_or(0, |e| {
                        rows_at_most(
                            [e.title.as_str(), e.detail.as_str()]
                                .into_iter()
                                .chain(e.body.lines()),
                        )
                    });
                self.scroll = if command == Command::Down {
                    (self.scroll + 1).min(most)
                } else {
                    self.scroll.saturating_sub(1)
                };
                Then::Nothing
            }
            _ => Then::Pass,
        }
    }

    /// A timeline entry in full: when, what, who, its facts one a line, and the whole note.
    pub fn render(&self, frame: &mut Frame<'_>, app: &App, body: Rect) {
        let (index, scroll) = (self.index, self.scroll);
        let t = &app.theme;
        let Some(e) = app.card.shown.as_ref().and_then(|c| c.timeline.get(index)) else {
            return;
        };
        let mut card_lines = vec![CardLine {
            tone: Tone::Title,
            text: e.title.clone(),
            hang: 0,
        }];
        let plain = |tone, text: &str| CardLine {
            tone,
            text: text.to_string(),
            hang: 2,
        };
        if let Some(who) = &e.who {
            card_lines.push(plain(Tone::Muted, &format!("by {who}")));
        }
        for fact in e.detail.split(" · ").filter(|f| !f.is_empty()) {
            card_lines.push(plain(Tone::Plain, fact));
        }
        if !e.body.is_empty() {
            card_lines.push(plain(Tone::Plain, ""));
            card_lines.extend(e.body.lines().map(|l| plain(Tone::Plain, l)));
        }
        let width = body.width.saturating_sub(4).min(90);
        let lines = wrap(t, &card_lines, usize::from(width.saturating_sub(2)));
        let height = (lines.len() as u16 + 2).min(body.height);
        let area = centered(body, width, height);
        clear_for_overlay(frame, area);
        let mut block = Block::bordered()
            .border_style(t.focus_border())
            .title(format!(
                " {} · {} ",
                safe(&e.label),
                e.at.format("%Y-%m-%d %H:%M")
            ));
        let rows = usize::from(height.saturating_sub(2));
        let hint = if lines.len() > rows {
            " Esc closes · j/k scroll "
        } else {
            " Esc closes "
        };
        block = block.title_bottom(Line::styled(hint, t.key()).right_aligned());
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let first = scroll.min(lines.len().saturating_sub(rows));
        let shown: Vec<Line<'static>> = lines.into_iter().skip(first).take(rows).collect();
        frame.render_widget(Paragraph::new(shown), inner);
    }
}
