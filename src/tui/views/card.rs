//! The account card: the essentials and contacts, and the timeline, newest first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::list::essentials;
use super::safe;
use crate::display::{fit, truncate, width};
use crate::tui::app::App;

pub fn render(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let t = &app.theme;
    let Some(card) = app
        .card
        .as_ref()
        .filter(|c| Some(c.row.account_id) == app.card_for)
    else {
        frame.render_widget(Paragraph::new(Line::styled(" loading…", t.muted())), area);
        return;
    };
    let wide = area.width >= 110;
    let facts_lines = 8 + card.contacts.len().min(4) as u16 + card.open_payments.len() as u16;
    // Below the essentials, the risk factors when the card is tall enough.
    let [facts, timeline] = if wide {
        Layout::horizontal([
            Constraint::Length((area.width / 3).clamp(46, 70)),
            Constraint::Fill(1),
        ])
        .areas(area)
    } else {
        Layout::vertical([
            Constraint::Length(facts_lines.min(area.height / 2)),
            Constraint::Fill(1),
        ])
        .areas(area)
    };

    let block = Block::bordered()
        .border_style(t.border())
        .title(" Account ");
    let inner = block.inner(facts);
    let mut lines = essentials(app, card, usize::from(inner.width));
    if wide && card.contacts.len() > 3 {
        for c in &card.contacts[3..] {
            lines.push(Line::raw(format!("  {}", safe(&c.name))));
        }
    }
    if let Some(risk) = app.card_risk.as_ref().filter(|_| card.row.active) {
        lines.push(Line::styled("Risk factors", t.title()));
        lines.extend(super::risk::factor_lines(
            app,
            risk,
            usize::from(inner.width),
        ));
    }
    frame.render_widget(block, facts);
    // Every line is already cut to fit; wrapping would only break the columns.
    frame.render_widget(Paragraph::new(lines), inner);

    let title = format!(
        " Timeline · {} of {} ",
        (app.card_scroll + 1).min(card.timeline.len()),
        card.timeline.len()
    );
    let block = Block::bordered()
        .border_style(t.focus_border())
        .title(title);
    let inner = block.inner(timeline);
    frame.render_widget(block, timeline);
    let w = usize::from(inner.width);
    let mut lines = Vec::new();
    for e in card.timeline.iter().skip(app.card_scroll) {
        if lines.len() >= usize::from(inner.height) {
            break;
        }
        let when = e.at.format("%Y-%m-%d %H:%M").to_string();
        let label = fit(&safe(&e.label), 9);
        let who = e
            .who
            .as_deref()
            .map(|w| format!(" · {}", safe(w)))
            .unwrap_or_default();
        let title_room = w.saturating_sub(width(&when) + 1 + 9 + 1 + width(&who));
        lines.push(Line::from(vec![
            Span::styled(format!("{when} "), t.muted()),
            Span::styled(format!("{label} "), t.key()),
            Span::raw(truncate(&safe(&e.title), title_room).into_owned()),
            Span::styled(who, t.muted()),
        ]));
        if !e.detail.is_empty() && lines.len() < usize::from(inner.height) {
            let detail = format!("{}{}", " ".repeat(17), safe(&e.detail));
            lines.push(Line::styled(truncate(&detail, w).into_owned(), t.muted()));
        }
    }
    if card.timeline.is_empty() {
        lines.push(Line::styled("nothing recorded yet", t.muted()));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
