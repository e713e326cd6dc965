//! Header, tabs and footer: where the rep is and what the keys do.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
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
        Some((name, role)) if app.identity.read_only => {
            format!("{} ({role}) · read-only here", safe(name))
        }
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
    let style = if app.identity.writes() {
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
        let w = usize::from(area.width);
        // What the line still lacks is said at its right end; a line too long to leave it room
        // keeps a third of the footer, and scrolls to keep its cursor in view.
        let said = app.toasts.last();
        let line_w = match said {
            None => w,
            Some(_) if w.saturating_sub(width(&text) + 1) >= 12 => width(&text) + 1,
            Some(_) => w / 3,
        };
        let (_, x) = editor.cursor_cells();
        let shift = (x + 2).saturating_sub(line_w);
        let [line_area, said_area] =
            Layout::horizontal([Constraint::Length(line_w as u16), Constraint::Fill(1)])
                .areas(area);
        frame.render_widget(
            Paragraph::new(Line::raw(text)).scroll((0, shift as u16)),
            line_area,
        );
        if let Some(toast) = said {
            let room = usize::from(said_area.width).saturating_sub(1);
            let style = match toast.level {
                Level::Error => t.danger(),
                Level::Info => t.toast(),
            };
            // Cut to the room rather than left out: its start says the most.
            let line = format!(" {} ", truncate(&safe(&toast.text), room.saturating_sub(2)));
            frame.render_widget(
                Paragraph::new(Line::styled(line, style)).right_aligned(),
                said_area,
            );
        }
        frame.set_cursor_position((area.x + (1 + x - shift) as u16, area.y));
        return;
    }
    // A toast takes the footer's right end while it lasts; waiting for the database comes first.
    let toast = app.toasts.last();
    let toast_text = if app.reconnecting {
        Some(
            " reconnecting… (what you save is kept, and saved when the server is back) "
                .to_string(),
        )
    } else if let Some(what) = &app.waiting_for {
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
    let (actions, help) = app.keymap.footer(app.context(), app.identity.writes());
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
            _ if app.waiting || app.waiting_for.is_some() || app.reconnecting => t.warn(),
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
