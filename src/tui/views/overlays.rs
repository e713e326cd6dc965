//! What floats over the panes: the lookup, the help, the discard question.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{centered, clear_for_overlay, mrr_short, safe};
use crate::display::{fit, truncate, width};
use crate::domain::search::Field;
use crate::services::lookup::Found;
use crate::tui::app::{App, Overlay, SearchState};
use crate::tui::worker::PaymentAction;

pub fn render(frame: &mut Frame<'_>, app: &App, body: Rect, _footer: Rect) {
    match &app.overlay {
        Overlay::Search(s) => search(frame, app, s, body),
        Overlay::Help { scroll, context } => help(frame, app, *scroll, *context, body),
        Overlay::ConfirmQuit => confirm(
            frame,
            app,
            body,
            " Quit? ",
            "Quit retain? The note you typed stays as a draft on this account, there again when you next log on it.".into(),
            ("quit", "keep writing"),
        ),
        Overlay::ConfirmDiscard => confirm(
            frame,
            app,
            body,
            " Discard? ",
            "Throw away the note you typed?".into(),
            ("discard", "keep editing"),
        ),
        Overlay::ConfirmPayment { action, what, .. } => match action {
            PaymentAction::CardUpdated => confirm(
                frame,
                app,
                body,
                " Retry now? ",
                format!(
                    "The customer gave a new card: charge {} on it now?",
                    safe(what)
                ),
                ("charge it now", "not yet"),
            ),
            _ => confirm(
                frame,
                app,
                body,
                " Write off? ",
                format!(
                    "Write off {}? The payment is lost; if the account then cancels, its churn counts as involuntary.",
                    safe(what)
                ),
                ("write it off", "keep dunning"),
            ),
        },
        Overlay::Notes(n) => super::notes::render(frame, app, n, body),
        Overlay::Entry { index, scroll } => {
            super::card::render_entry(frame, app, *index, *scroll, body)
        }
        Overlay::Letter(state) => {
            super::letter::render(frame, app, state, body);
            if state.confirm_send {
                let to = state.letter.to.as_ref().map_or(String::new(), |r| {
                    format!("{} <{}>", r.name, r.email)
                });
                confirm(
                    frame,
                    app,
                    body,
                    " Send? ",
                    format!(
                        "Send it to {} through the mail command? It is logged as an email on the account once sent.",
                        safe(&to)
                    ),
                    ("send it", "not yet"),
                );
            }
        }
        Overlay::Prompt(_) | Overlay::None => {}
    }
}

fn search(frame: &mut Frame<'_>, app: &App, s: &SearchState, body: Rect) {
    let t = &app.theme;
    let area = centered(body, body.width.saturating_sub(4).min(100), body.height);
    clear_for_overlay(frame, area);
    let block = Block::bordered()
        .border_style(t.focus_border())
        .title(" Find an account: name, domain, contact, email, phone, id ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let query = s.input.text();
    let mut lines = vec![Line::from(vec![
        Span::styled("/ ", t.key()),
        Span::raw(safe(&query)),
    ])];
    let status = if s.indexing {
        "building the index…".to_string()
    } else if query.trim().is_empty() {
        "type to search".to_string()
    } else if s.hits.is_empty() {
        "no account matches".to_string()
    } else {
        format!("{} found · Enter opens · ↑/↓ choose", s.hits.len())
    };
    lines.push(Line::styled(status, t.muted()));
    let rows = usize::from(inner.height).saturating_sub(2);
    let first = (s.cursor + 1).saturating_sub(rows);
    for (i, found) in s.hits.iter().enumerate().skip(first).take(rows) {
        lines.push(search_row(app, found, i == s.cursor, w));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    let (_, x) = s.input.cursor_cells();
    frame.set_cursor_position((inner.x + 2 + x as u16, inner.y));
}

/// One account found: its name (churned marked), what matched unless it was the name, its
/// owner and MRR, in one line of `w` cells.
fn search_row<'a>(app: &App, found: &Found, selected: bool, w: usize) -> Line<'a> {
    let t = &app.theme;
    let row = &found.row;
    let owner = row.owner.as_deref().map_or("team".to_string(), safe);
    // Churned in a column of its own, never cut and readable without colour.
    let right = format!(
        "  {:<7} {} {:>9}",
        if row.active { "" } else { "churned" },
        fit(&owner, 10),
        mrr_short(row.mrr_cents, &row.currency)
    );
    let room = w.saturating_sub(width(&right) + 1);
    let name = safe(&row.name);
    let matched = match found.hit.field {
        Field::Name | Field::NameFuzzy => String::new(),
        _ => safe(&found.matched_value),
    };
    // The name keeps at least half the line; what matched has the rest.
    let name_room = if matched.is_empty() {
        room
    } else {
        room.saturating_sub(width(&matched) + 3).max(room / 2)
    };
    let name = truncate(&name, name_room).into_owned();
    let matched = truncate(&matched, room.saturating_sub(width(&name) + 3)).into_owned();
    let used = width(&name)
        + if matched.is_empty() {
            0
        } else {
            width(&matched) + 3
        };
    let pad = room.saturating_sub(used);
    let (base, dim) = match (selected, row.active) {
        (true, _) => (t.selected(), t.selected()),
        (false, true) => (t.base(), t.muted()),
        (false, false) => (t.muted(), t.muted()),
    };
    let mut spans = vec![Span::styled(format!(" {name}"), base)];
    if !matched.is_empty() {
        spans.push(Span::styled(format!(" · {matched}"), dim));
    }
    spans.push(Span::styled(" ".repeat(pad), base));
    spans.push(Span::styled(right, dim));
    Line::from(spans)
}

fn help(
    frame: &mut Frame<'_>,
    app: &App,
    scroll: usize,
    context: crate::tui::keymap::Context,
    body: Rect,
) {
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
        " keys can be changed in ~/.config/retain/keys.toml",
        t.muted(),
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// A yes/no question; `answers` name what y and n do.
pub(super) fn confirm(
    frame: &mut Frame<'_>,
    app: &App,
    body: Rect,
    title: &str,
    question: String,
    answers: (&str, &str),
) {
    let t = &app.theme;
    let w = body.width.saturating_sub(4).min(60);
    // Words wrap short of the edge: a line of slack.
    let lines = width(&question).div_ceil(usize::from(w.saturating_sub(2)).max(1)) + 1;
    let question = Paragraph::new(question).wrap(ratatui::widgets::Wrap { trim: true });
    let height = lines as u16 + 3;
    let area = centered(body, w, height.min(body.height));
    clear_for_overlay(frame, area);
    let block = Block::bordered()
        .border_style(t.danger())
        .title(title.to_string());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [text, keys] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Fill(1),
        ratatui::layout::Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(question, text);
    let line = Line::from(vec![
        Span::styled("y", t.key()),
        Span::raw(format!(" {}   ", answers.0)),
        Span::styled("n", t.key()),
        Span::raw("/"),
        Span::styled("Esc", t.key()),
        Span::raw(format!(" {}", answers.1)),
    ]);
    frame.render_widget(Paragraph::new(line), keys);
}
