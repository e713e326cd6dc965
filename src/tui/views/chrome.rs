//! Header, tabs and footer: where the rep is and what the keys do.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::safe;
use crate::display::{truncate, width};
use crate::tui::app::{App, Level, Overlay, Pane};

pub fn header(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let t = &app.theme;
    let who = match &app.identity.rep {
        Some((name, role)) if app.identity.login != app.identity.os_user => format!(
            "{} ({role}) · {} acting as them",
            safe(name),
            safe(&app.identity.os_user)
        ),
        Some((name, role)) => format!("{} ({role})", safe(name)),
        None => format!("{} is not a rep: read-only", safe(&app.identity.login)),
    };
    let date = app.today.format("%a %Y-%m-%d").to_string();
    // The warning goes before the date and wins the room over the name.
    let exposed = if app.gone {
        " the database file was deleted or replaced: nothing is saved "
    } else if app.exposed.is_some() {
        " readable by every user: chmod o-rwx "
    } else {
        ""
    };
    let left = format!(" retain · {who}");
    let room = usize::from(area.width).saturating_sub(width(&date) + 1 + width(exposed));
    let left = truncate(&left, room).into_owned();
    let gap =
        usize::from(area.width).saturating_sub(width(&left) + width(exposed) + width(&date) + 1);
    let style = if app.identity.rep.is_some() {
        t.title()
    } else {
        t.warn()
    };
    let line = Line::from(vec![
        Span::styled(left, style),
        Span::raw(" ".repeat(gap)),
        Span::styled(exposed, t.danger()),
        Span::styled(date, t.muted()),
        Span::raw(" "),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

pub fn tabs(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let t = &app.theme;
    let short = area.width < 100;
    let mut spans = vec![Span::raw(" ")];
    for pane in Pane::ALL {
        let name = if short {
            pane.short_title()
        } else {
            pane.title()
        };
        let count = app
            .panes
            .count(pane)
            .map(|c| format!(" {c}"))
            .unwrap_or_default();
        let label = format!(" {} {name}{count} ", pane.index() + 1);
        let style = if pane == app.pane {
            t.tab_active()
        } else {
            t.muted()
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn footer(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let t = &app.theme;
    if let Overlay::Prompt(prompt) = &app.overlay {
        let editor = &prompt.editor;
        let text = safe(&format!(":{}", editor.text()));
        // What the line still lacks, said at its right end.
        let mut spans = vec![Span::raw(text.clone())];
        if let Some(toast) = app.toasts.last() {
            let room = usize::from(area.width).saturating_sub(width(&text) + 2);
            // Cut to the room rather than left out: its start says the most.
            let said = format!(" {} ", truncate(&safe(&toast.text), room.saturating_sub(2)));
            if room >= 12 {
                spans.push(Span::raw(" ".repeat(room - width(&said) + 2)));
                let style = match toast.level {
                    Level::Error => t.danger(),
                    Level::Info => t.toast(),
                };
                spans.push(Span::styled(said, style));
            }
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        let (_, x) = editor.cursor_cells();
        frame.set_cursor_position((area.x + 1 + x as u16, area.y));
        return;
    }
    // A toast takes the footer's right end while it lasts; waiting for the database comes first.
    let toast = app.toasts.last();
    let toast_text = if let Some(what) = &app.waiting_for {
        Some(format!(" waiting for {}: saved when it ends ", safe(what)))
    } else if app.waiting {
        Some(" waiting for the database… ".to_string())
    } else {
        toast.map(|t| format!(" {} ", safe(&t.text)))
    };
    let toast_width = toast_text
        .as_deref()
        .map_or(0, width)
        .min(usize::from(area.width));
    let room = usize::from(area.width).saturating_sub(toast_width);
    let mut spans = Vec::new();
    let mut used = 0;
    let (actions, help) = app.keymap.footer(app.context(), app.identity.rep.is_some());
    // Help is always offered, so its room is kept first.
    let piece = |keys: &str, what: &str| width(keys) + 1 + width(what) + 2;
    let help_room = help.as_ref().map_or(0, |(k, _)| piece(k, "help"));
    for (keys, what) in actions {
        if used + piece(&keys, what) + help_room > room {
            break;
        }
        used += piece(&keys, what);
        spans.push(Span::styled(keys, t.key()));
        spans.push(Span::styled(format!(" {what}  "), t.muted()));
    }
    if let Some((keys, _)) = help.filter(|_| used + help_room <= room) {
        used += help_room;
        spans.push(Span::styled(keys, t.key()));
        spans.push(Span::styled(" help  ", t.muted()));
    }
    if let Some(text) = toast_text {
        spans.push(Span::raw(" ".repeat(room.saturating_sub(used))));
        let style = match toast.map(|t| t.level) {
            _ if app.waiting || app.waiting_for.is_some() => t.warn(),
            Some(Level::Error) => t.danger(),
            _ => t.toast(),
        };
        spans.push(Span::styled(
            truncate(&text, toast_width).into_owned(),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
