//! The outreach letter over the payments pane: its headers and text as they will go out, which
//! template wrote it, and what the rep can do with it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use crate::account_card::{CardLine, Tone};
use crate::tui::app::App;
use crate::tui::app::letter::LetterState;

pub fn render(frame: &mut Frame<'_>, app: &App, state: &LetterState, body: Rect) {
    let t = &app.theme;
    let letter = &state.letter;
    let line = |tone, text: String| CardLine {
        tone,
        text,
        hang: 0,
    };
    let to = match &letter.to {
        Some(r) => format!("To: {} <{}>", r.name, r.email),
        None => "To: (no contact with an email: e adds one)".to_string(),
    };
    let mut lines = vec![
        line(
            if letter.to.is_some() {
                Tone::Plain
            } else {
                Tone::Warn
            },
            to,
        ),
        line(Tone::Title, format!("Subject: {}", letter.subject)),
        line(Tone::Plain, String::new()),
    ];
    lines.extend(
        letter
            .body
            .lines()
            .map(|l| line(Tone::Plain, l.to_string())),
    );
    lines.push(line(Tone::Plain, String::new()));
    lines.push(line(Tone::Muted, format!("from {}", letter.template)));
    let width = body.width.saturating_sub(4).min(84);
    let wrapped = super::card::wrap(t, &lines, usize::from(width.saturating_sub(2)));
    let height = (wrapped.len() as u16 + 2).min(body.height);
    let area = super::centered(body, width, height);
    super::clear_for_overlay(frame, area);
    let hint = if state.sending {
        " sending… "
    } else {
        " s send · e edit · y copy · l log as sent · Esc "
    };
    let block = Block::bordered()
        .border_style(t.focus_border())
        .title(format!(
            " Letter · {} ",
            letter.situation.stem().replace('-', " ")
        ))
        .title_bottom(Line::styled(hint, t.key()).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(wrapped), inner);
}
