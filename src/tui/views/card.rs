//! The account card: the facts, contacts and notes a rep needs on a call, wrapped to their
//! column, and the timeline, newest first, beside them (below them on a narrow terminal).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::safe;
use crate::account_card::{self, CardLine, Tone};
use crate::display::{fit, truncate, width};
use crate::store::TimelineEntry;
use crate::tui::app::App;
use crate::tui::theme::Theme;

/// From this width the facts and the timeline stand side by side.
const SIDE_BY_SIDE: u16 = 110;
/// Rows the timeline keeps below the facts on a narrow terminal, borders included.
const TIMELINE_ROWS: u16 = 4;

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
    let risk = app.card_risk.as_deref();
    let facts = account_card::lines(card, risk, app.today, &app.policy, app.card_contact);
    let (facts_area, timeline_area, lines) = if area.width >= SIDE_BY_SIDE {
        // The facts take what they need to wrap into few lines; the timeline the rest.
        let column = (area.width * 55 / 100).clamp(60, 88);
        let [left, right] =
            Layout::horizontal([Constraint::Length(column), Constraint::Fill(1)]).areas(area);
        let lines = wrap(t, &facts, usize::from(column.saturating_sub(2)));
        (left, right, lines)
    } else {
        let lines = wrap(t, &facts, usize::from(area.width.saturating_sub(2)));
        let room = area.height.saturating_sub(TIMELINE_ROWS).max(3);
        let height = (lines.len() as u16 + 2).min(room);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(area);
        (top, bottom, lines)
    };
    render_facts(frame, app, &card.row.name, facts_area, lines);
    render_timeline(frame, app, &card.timeline, timeline_area);
}

/// The card's lines, made safe and wrapped at `cells`: nothing is cut.
pub(super) fn wrap(t: &Theme, lines: &[CardLine], cells: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for line in lines {
        let style = tone_style(t, line.tone);
        let hang = " ".repeat(line.hang);
        // Break only at spaces: an address or a name is never split at its hyphen.
        let options = textwrap::Options::new(cells.max(8))
            .subsequent_indent(&hang)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        for piece in textwrap::wrap(&safe(&line.text), options) {
            out.push(Line::styled(piece.into_owned(), style));
        }
    }
    out
}

fn tone_style(t: &Theme, tone: Tone) -> Style {
    match tone {
        Tone::Title | Tone::Heading => t.title(),
        Tone::Plain => t.base(),
        Tone::Muted => t.muted(),
        Tone::Warn => t.warn(),
        Tone::Danger => t.danger(),
        Tone::Risk(band) => super::risk::band_style(t, band),
    }
}

fn render_facts(
    frame: &mut Frame<'_>,
    app: &App,
    name: &str,
    area: Rect,
    lines: Vec<Line<'static>>,
) {
    let t = &app.theme;
    let rows = usize::from(area.height.saturating_sub(2));
    let first = app.facts_scroll.min(lines.len().saturating_sub(rows));
    let below = lines.len().saturating_sub(first + rows);
    // Scrolled past its first line, the account is named in the border.
    let title = if first > 0 {
        let room = usize::from(area.width.saturating_sub(14));
        format!(" Account · {} ", truncate(&safe(name), room))
    } else {
        " Account ".to_string()
    };
    let mut block = Block::bordered().border_style(t.border()).title(title);
    if below > 0 || first > 0 {
        let hint = match (first > 0, below > 0) {
            (_, true) if below == 1 => " 1 more line: J ".to_string(),
            (_, true) => format!(" {below} more lines: J "),
            (true, false) => " K: back up ".to_string(),
            (false, false) => String::new(),
        };
        block = block.title_bottom(Line::styled(hint, t.key()).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let shown: Vec<Line<'static>> = lines.into_iter().skip(first).take(rows).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

fn render_timeline(frame: &mut Frame<'_>, app: &App, timeline: &[TimelineEntry], area: Rect) {
    let t = &app.theme;
    let title = format!(
        " Timeline · {} of {} · Enter reads it ",
        (app.card_scroll + 1).min(timeline.len()),
        timeline.len()
    );
    let block = Block::bordered()
        .border_style(t.focus_border())
        .title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let mut lines = Vec::new();
    for (i, e) in timeline.iter().enumerate().skip(app.card_scroll) {
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
        let title = truncate(&safe(&e.title), title_room).into_owned();
        let mut spans = vec![
            Span::styled(format!("{when} "), t.muted()),
            Span::styled(format!("{label} "), t.key()),
            Span::raw(title),
            Span::styled(who, t.muted()),
        ];
        if i == app.card_scroll {
            spans = spans.into_iter().map(|s| s.style(t.selected())).collect();
        }
        lines.push(Line::from(spans));
        let more = summary(e);
        if !more.is_empty() && lines.len() < usize::from(inner.height) {
            let detail = format!("{}{more}", " ".repeat(17));
            lines.push(Line::styled(truncate(&detail, w).into_owned(), t.muted()));
        }
    }
    if timeline.is_empty() {
        lines.push(Line::styled("nothing recorded yet", t.muted()));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// An entry's facts and the start of its note, in one line.
fn summary(e: &TimelineEntry) -> String {
    let body = e.body.lines().next().unwrap_or("");
    let parts: Vec<String> = [e.detail.as_str(), body]
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .map(safe)
        .collect();
    parts.join(" · ")
}

/// A timeline entry in full: when, what, who, its facts one a line, and the whole note.
pub fn render_entry(frame: &mut Frame<'_>, app: &App, index: usize, scroll: usize, body: Rect) {
    let t = &app.theme;
    let Some(e) = app.card.as_ref().and_then(|c| c.timeline.get(index)) else {
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
    let area = super::centered(body, width, height);
    super::clear_for_overlay(frame, area);
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
