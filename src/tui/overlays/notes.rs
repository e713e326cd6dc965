//! The account notes being edited, and the conflict when another rep saved first: theirs
//! beside yours, and the three ways out. What the rep typed is never thrown away.

use crate::store::NotesSave;
use crate::tui::app::App;
use crate::tui::editor::Editor;
use crate::tui::keymap::Command;
use crate::tui::then::Then;
use crate::tui::views::{centered, clear_for_overlay, safe, text_area};
use crate::tui::worker::{AccountRequest, NoteRequest, Request};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

#[derive(Debug, Clone)]
pub struct NotesState {
    pub account_id: i64,
    pub account_name: String,
    /// The version the edit started from: saving over any other is a conflict.
    pub base_version: i64,
    pub original: String,
    pub editor: Editor,
    pub saving: bool,
    pub conflict: Option<Conflict>,
}

/// What another rep saved meanwhile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub theirs: String,
    pub version: i64,
    /// Who saved it, and when.
    pub by: Option<(String, String)>,
}

impl NotesState {
    pub fn new(account_id: i64, account_name: String, notes: &str, version: i64) -> NotesState {
        NotesState {
            account_id,
            account_name,
            base_version: version,
            original: notes.to_string(),
            editor: Editor::multi_line(notes),
            saving: false,
            conflict: None,
        }
    }

    /// Whether the text still holds the line a merge put between the two texts: they are
    /// still two, and are not saved so.
    pub fn unmerged(&self) -> bool {
        self.editor.text().lines().any(|l| l.trim() == MERGE_MARK)
    }

    pub fn changed(&self) -> bool {
        self.editor.text() != self.original
    }

    /// Both texts in one, theirs first, to be edited into one before saving over their version.
    pub fn merge(&mut self) {
        let Some(c) = self.conflict.take() else {
            return;
        };
        let mine = self.editor.text();
        let merged = format!(
            "{}\n\n{MERGE_MARK}\n{}",
            c.theirs.trim_end(),
            mine.trim_end()
        );
        self.editor = Editor::multi_line(&merged);
        self.original = c.theirs;
        self.base_version = c.version;
    }
}

impl NotesState {
    /// The notes as typed, kept in the rep's draft on the account (under a draft already
    /// there): the next `l` offers them back.
    pub fn as_draft(&self) -> Request {
        Request::Note(NoteRequest::KeepInDraft {
            account_id: self.account_id,
            text: self.editor.text(),
        })
    }

    /// Typed but not saved: kept as a draft when the console closes.
    pub fn unsaved(&self) -> bool {
        self.changed() && !self.editor.text().trim().is_empty()
    }

    fn save(&mut self, base_version: i64) -> Then {
        self.saving = true;
        self.base_version = base_version;
        Then::Ask(Request::Note(NoteRequest::SaveNotes {
            account_id: self.account_id,
            base_version,
            text: self.editor.text(),
        }))
    }

    pub fn command(&mut self, command: Command) -> Then {
        if self.conflict.is_some() {
            return self.conflict_command(command);
        }
        match command {
            Command::Save if self.unmerged() => Then::error(format!(
                "make the two texts one first: delete the line \"{MERGE_MARK}\" and what you do not keep"
            )),
            Command::Save => self.save(self.base_version),
            Command::Back if self.changed() => {
                Then::info("unsaved notes: Ctrl-s saves them, Ctrl-x throws them away")
            }
            Command::Back | Command::Discard => Then::Close,
            _ => Then::Pass,
        }
    }

    /// Someone saved first: keep mine over theirs, take theirs, or merge the two.
    fn conflict_command(&mut self, command: Command) -> Then {
        match command {
            Command::Back => self.conflict = None,
            Command::Merge => self.merge(),
            Command::KeepMine => {
                if let Some(c) = self.conflict.take() {
                    return self.save(c.version);
                }
            }
            // What the rep typed is never thrown away: it waits as a draft note.
            Command::TakeTheirs => {
                return Then::All(vec![
                    Then::Close,
                    Then::Ask(self.as_draft()),
                    Then::Ask(Request::Account(AccountRequest::Card {
                        account_id: self.account_id,
                    })),
                    Then::info("theirs kept; your text waits as a draft note on this account (l)"),
                ]);
            }
            _ => return Then::Pass,
        }
        Then::Nothing
    }

    /// A key typed into the text (none while it is being saved or in a conflict).
    pub fn typed(&mut self, key: &KeyEvent) {
        if self.conflict.is_none() && !self.saving {
            self.editor.apply_key(key);
        }
    }

    pub fn paste(&mut self, text: &str) {
        if self.conflict.is_none() {
            self.editor.insert_str(text);
        }
    }

    /// The save's outcome.
    pub fn answer(&mut self, saved: NotesSave) -> Then {
        self.saving = false;
        match saved {
            NotesSave::Saved { .. } => Then::All(vec![
                Then::Close,
                Then::info("notes saved"),
                Then::Ask(Request::Account(AccountRequest::Card {
                    account_id: self.account_id,
                })),
            ]),
            NotesSave::Conflict {
                theirs,
                version,
                by,
            } => {
                self.conflict = Some(Conflict {
                    theirs,
                    version,
                    by,
                });
                Then::Nothing
            }
        }
    }
}

/// Between their text and yours after a merge, until the rep makes them one.
pub const MERGE_MARK: &str = "--- yours, not saved yet ---";

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
        // Line by line: the notes' own lines are what the two texts are compared by.
        let lines: Vec<Line<'_>> = text.lines().map(|l| Line::raw(safe(l))).collect();
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inside);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_keeps_both_texts_and_moves_to_their_version() {
        let mut n = NotesState::new(1, "Acme".into(), "plan: call in May", 3);
        n.editor = Editor::multi_line("plan: call in June");
        assert!(n.changed());
        n.conflict = Some(Conflict {
            theirs: "plan: call in April".into(),
            version: 4,
            by: None,
        });
        n.merge();
        let text = n.editor.text();
        assert!(text.starts_with("plan: call in April"), "{text}");
        assert!(text.ends_with("plan: call in June"), "{text}");
        assert_eq!(n.base_version, 4);
        assert!(n.conflict.is_none());
    }
}
