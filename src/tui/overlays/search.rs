//! The lookup over the panes (`/`): what the rep typed, what it found, and opening one. A rep on
//! a call types and presses Enter without waiting: keys that come before the answer count.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::display::{fit, truncate, width};
use crate::domain::search::Field;
use crate::services::lookup::Found;
use crate::tui::app::App;
use crate::tui::editor::Editor;
use crate::tui::keymap::Command;
use crate::tui::then::Then;
use crate::tui::views::{centered, clear_for_overlay, mrr_short, safe};
use crate::tui::worker::{AccountRequest, Request};

/// The lookup: the query, its answer, and where the rep is in it.
#[derive(Debug, Clone)]
pub struct SearchState {
    pub input: Editor,
    pub hits: Vec<Found>,
    /// The query `hits` answer; while it differs from the input, an answer is on its way.
    pub answered: String,
    pub cursor: usize,
    /// The account the rep moved the cursor onto: it keeps the cursor when a later answer
    /// lists it elsewhere.
    pub chosen: Option<i64>,
    pub indexing: bool,
    /// Enter came before the answer: open the best match when it arrives.
    pub open_on_answer: bool,
}

impl SearchState {
    /// A lookup begun with `query`; `indexing` while the index is still being built.
    pub fn new(query: &str, indexing: bool) -> SearchState {
        SearchState {
            input: Editor::single_line(query),
            hits: Vec::new(),
            answered: String::new(),
            cursor: 0,
            chosen: None,
            indexing,
            open_on_answer: false,
        }
    }

    /// What the query asks of the database.
    pub fn ask(&self) -> Then {
        Then::Ask(Request::Account(AccountRequest::Search {
            query: self.input.text(),
        }))
    }

    pub fn command(&mut self, command: Command) -> Then {
        match command {
            Command::Back => Then::Close,
            Command::Down | Command::Up => {
                let step = |c: usize| {
                    if command == Command::Down {
                        c + 1
                    } else {
                        c.saturating_sub(1)
                    }
                };
                if self.answered != self.input.text() {
                    // Keys that come before the answer count against it: `↓ Enter` typed in
                    // one burst opens the second match, not the first.
                    self.cursor = step(self.cursor);
                } else if !self.hits.is_empty() {
                    self.cursor = step(self.cursor).min(self.hits.len() - 1);
                    self.chosen = self.hits.get(self.cursor).map(|f| f.hit.account_id);
                }
                Then::Nothing
            }
            Command::Open => self.open(),
            _ => Then::Pass,
        }
    }

    /// Enter: the match under the cursor, or the best one once the answer comes.
    fn open(&mut self) -> Then {
        if self.answered != self.input.text() || self.indexing {
            // A rep on a call types and presses Enter without waiting.
            self.open_on_answer = !self.input.text().trim().is_empty();
            return Then::Nothing;
        }
        let Some(found) = self.hits.get(self.cursor) else {
            return Then::Nothing;
        };
        let others = self.hits.len() - 1;
        let open = Then::OpenCard {
            account_id: found.hit.account_id,
            contact: found.hit.contact_id,
            matched: self.hits.iter().map(|f| f.hit.account_id).collect(),
            at: self.cursor,
        };
        if others == 0 {
            return Then::All(vec![Then::Close, open]);
        }
        let what = if others == 1 { "account" } else { "accounts" };
        Then::All(vec![
            Then::Close,
            open,
            Then::info(format!(
                "{others} other {what} matched: n for the next, / to choose"
            )),
        ])
    }

    /// A key typed into the query: asked again at once.
    pub fn typed(&mut self, key: &KeyEvent) -> Then {
        if !self.input.apply_key(key) {
            return Then::Nothing;
        }
        self.cursor = 0;
        self.chosen = None;
        self.open_on_answer = false;
        self.ask()
    }

    pub fn paste(&mut self, text: &str) -> Then {
        self.input.insert_str(text);
        self.ask()
    }

    /// The database's answer to `query`; only the one to what is typed now is taken.
    pub fn answer(&mut self, query: String, hits: Vec<Found>, indexing: bool) -> Then {
        if self.input.text() != query {
            return Then::Nothing;
        }
        self.hits = hits;
        self.answered = query;
        self.indexing = indexing;
        // The rep's choice stays chosen wherever a later answer lists it.
        let chosen = self
            .chosen
            .and_then(|id| self.hits.iter().position(|f| f.hit.account_id == id));
        self.cursor = chosen.unwrap_or(self.cursor.min(self.hits.len().saturating_sub(1)));
        if !self.open_on_answer || indexing {
            return Then::Nothing;
        }
        self.open_on_answer = false;
        if self.hits.is_empty() {
            Then::info("no account matches")
        } else {
            self.open()
        }
    }

    pub fn render(&self, frame: &mut Frame<'_>, app: &App, body: Rect) {
        let s = self;
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
        } else if s.answered != query && app.reconnecting {
            // Not "no account matches": a rep on a call would take it for a caller we lack.
            "the server is not answering: looked up as soon as it is back".to_string()
        } else if s.answered != query && s.hits.is_empty() {
            "looking…".to_string()
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
