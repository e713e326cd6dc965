//! The account notes editor, and the conflict when another rep saved first: theirs beside
//! yours, and the three ways out.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{centered, clear_for_overlay, safe, text_area};
use crate::tui::app::App;
use crate::tui::overlays::notes::NotesState;

pub fn render(frame: &mut Frame<'_>, app: &App, n: &NotesState, body: Rect) {
    let t = &app.theme;
    let area = centered(
        body,
        body.width.saturating_sub(4).min(110),
        body.height.saturating_sub(2),
    );
    clear_for_overlay(frame, area);
    let title = format!(" Notes · {} ", safe(&n.account_name));
    let Some(c) = &n.conflict else {
        let block = Block::bordered()
            .border_style(t.focus_border())
            .title(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [text, status] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
        text_area(frame, &n.editor, text, !n.saving);
        let line = if n.saving {
            Line::styled("saving…", t.muted())
        } else {
            keys(
                app,
                &[
                    ("C-s", "save"),
                    ("Esc", "close"),
                    ("C-x", "throw changes away"),
                ],
            )
        };
        frame.render_widget(Paragraph::new(line), status);
        return;
    };
    let block = Block::bordered()
        .border_style(t.danger())
        .title(format!("{title}· changed while you typed "));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [head, panes, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let who = c.by.as_ref().map_or(String::new(), |(by, at)| {
        // The instant as the rep's clock reads it.
        let when = crate::store::parse_instant(at)
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_else(|| at.clone());
        format!(" by {} at {when}", safe(by))
    });
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(
                "Saved{who} (version {}). Nothing of yours is lost:",
                c.version
            ),
            t.warn(),
        )),
        head,
    );
    let [theirs, mine] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)]).areas(panes);
    for (area, title, text) in [
        (theirs, " Theirs ", c.theirs.clone()),
        (mine, " Yours ", n.editor.text()),
    ] {
        let block = Block::bordered().border_style(t.border()).title(title);
        let inside = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(
            Paragraph::new(safe(&text)).wrap(Wrap { trim: false }),
            inside,
        );
    }
    let line = keys(
        app,
        &[
            ("k", "keep yours"),
            ("t", "take theirs (yours kept as a draft note)"),
            ("m", "merge both"),
            ("Esc", "back"),
        ],
    );
    frame.render_widget(Paragraph::new(line), status);
}

fn keys(app: &App, keys: &[(&str, &str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (key, what) in keys {
        spans.push(Span::styled(key.to_string(), app.theme.key()));
        spans.push(Span::styled(format!(" {what}   "), app.theme.muted()));
    }
    Line::from(spans)
}
