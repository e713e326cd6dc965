//! Views: functions from the state to the screen. They read `App` and change nothing. Each pane
//! and overlay draws itself (`panes/`, `overlays/`); here are the chrome around them, the
//! account beside a list, and the helpers they all draw with.

mod chrome;
pub mod detail;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::app::{App, MIN_SIZE, Overlay, View};
use crate::display::terminal_safe;

pub fn render(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    if app.too_small() {
        let text = vec![
            Line::from("terminal too small"),
            Line::from(format!(
                "need {}×{}, have {}×{}",
                MIN_SIZE.0, MIN_SIZE.1, area.width, area.height
            )),
        ];
        frame.render_widget(Paragraph::new(text).style(app.theme.warn()), area);
        return;
    }
    let [header, tabs, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    chrome::header(frame, app, header);
    chrome::tabs(frame, app, tabs);
    if let Some(form) = &app.form {
        crate::tui::overlays::form::render(frame, app, form, body);
    } else {
        match app.view {
            View::List => app.panes.get(app.pane).render(frame, app, body),
            View::Card => crate::tui::card::render(frame, app, body),
        }
    }
    chrome::footer(frame, app, footer);
    overlay(frame, app, body);
}

/// What floats over the panes, over them.
fn overlay(frame: &mut Frame<'_>, app: &App, body: Rect) {
    match &app.overlay {
        Overlay::Search(s) => s.render(frame, app, body),
        Overlay::Help(h) => h.render(frame, app, body),
        Overlay::Confirm(c) => c.render(frame, app, body),
        Overlay::Notes(n) => crate::tui::overlays::notes::render(frame, app, n, body),
        Overlay::Entry(e) => e.render(frame, app, body),
        Overlay::Letter(l) => l.render(frame, app, body),
        // The command line is the footer's.
        Overlay::Prompt(_) | Overlay::None => {}
    }
}

/// A pane's first line: what it lists, and where the cursor is ("12 of 340").
pub(crate) fn caption_line(app: &App, caption: &str, width: usize) -> Line<'static> {
    let state = app.list();
    let position = if state.ids.is_empty() {
        "0".to_string()
    } else {
        format!("{} of {}", state.cursor + 1, state.ids.len())
    };
    Line::from(vec![
        ratatui::text::Span::styled(
            crate::display::fit(caption, width.saturating_sub(position.len() + 2)),
            app.theme.title(),
        ),
        ratatui::text::Span::styled(format!(" {position} "), app.theme.muted()),
    ])
}

/// The bordered box beside a list; returns the room inside it.
pub(crate) fn detail_box(frame: &mut Frame<'_>, app: &App, area: Rect) -> Rect {
    let block = ratatui::widgets::Block::bordered().border_style(app.theme.border());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// Stored text made safe for the terminal, owned, for a span.
pub(crate) fn safe(text: &str) -> String {
    terminal_safe(text).into_owned()
}

/// Empties `area` for something drawn over the panes. A two-cell character cut by the area's
/// edge would leave half of itself showing, so such characters beside the edges become blanks.
pub(crate) fn clear_for_overlay(frame: &mut Frame<'_>, area: Rect) {
    use ratatui::widgets::Clear;
    use unicode_width::UnicodeWidthStr;
    frame.render_widget(Clear, area);
    let bounds = frame.area();
    let buf = frame.buffer_mut();
    for y in area.top()..area.bottom() {
        if area.left() > bounds.left() {
            let cell = &mut buf[(area.left() - 1, y)];
            if cell.symbol().width() > 1 {
                cell.set_symbol(" ");
            }
        }
        if area.right() < bounds.right() {
            // The second half of a character whose first half was cleared.
            let cell = &mut buf[(area.right(), y)];
            if cell.symbol().is_empty() {
                cell.set_symbol(" ");
            }
        }
    }
}

/// A rectangle of at most `width`×`height` in the middle of `area`.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// MRR in whole units for lists: `14,202 EUR`.
pub(crate) fn mrr_short(cents: i64, currency: &str) -> String {
    let full = crate::domain::money::format(cents, currency);
    match full.split_once('.') {
        Some((whole, rest)) => format!("{whole}{}", &rest[rest.find(' ').unwrap_or(rest.len())..]),
        None => full,
    }
}

/// An editor's text in `area`, scrolled so that its cursor shows, with the terminal cursor on
/// it when `focused`.
pub(crate) fn text_area(
    frame: &mut Frame<'_>,
    editor: &super::editor::Editor,
    area: Rect,
    focused: bool,
) {
    let (row, col) = editor.cursor_cells();
    let height = usize::from(area.height.max(1));
    // Keep the cursor's line in view in a tall text.
    let first = (row + 1).saturating_sub(height);
    let lines: Vec<Line<'_>> = editor
        .lines()
        .iter()
        .skip(first)
        .take(height)
        .map(|l| Line::raw(safe(l)))
        .collect();
    let width = usize::from(area.width.max(1));
    let shift = (col + 1).saturating_sub(width) as u16;
    frame.render_widget(Paragraph::new(lines).scroll((0, shift)), area);
    if focused {
        frame.set_cursor_position((area.x + col as u16 - shift, area.y + (row - first) as u16));
    }
}

/// The line under a list's titles when it shows no rows: still loading, or empty.
pub(crate) fn list_status(app: &App, loaded: bool, empty: &str) -> Option<Line<'static>> {
    let state = app.list();
    if !loaded {
        Some(Line::styled(" loading…", app.theme.muted()))
    } else if state.ids.is_empty() {
        Some(Line::styled(format!(" {empty}"), app.theme.ok()))
    } else {
        None
    }
}

/// The rows of the pane's list on screen: (whether under the cursor, id).
pub(crate) fn visible_rows(app: &App) -> impl Iterator<Item = (bool, i64)> + '_ {
    let state = app.list();
    state
        .ids
        .iter()
        .enumerate()
        .skip(state.offset)
        .take(app.list_height())
        .map(move |(i, id)| (i == state.cursor, *id))
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_mrr_drops_the_cents() {
        assert_eq!(super::mrr_short(1_420_250, "EUR"), "14,202 EUR");
        assert_eq!(super::mrr_short(5000, "JPY"), "5,000 JPY");
    }
}
