//! The log form: an interaction being typed, field by field, kept as a draft while it is, and
//! logged on Ctrl-s. It takes the pane's place while the rep types.

use crate::domain::dates;
use crate::domain::dates::FORMS;
use crate::domain::model::{Interaction, InteractionKind, Outcome, note_summary};
use crate::store::Draft;
use crate::tui::app::{App, Overlay};
use crate::tui::editor::Editor;
use crate::tui::keymap::Command;
use crate::tui::overlays::confirm::Confirm;
use crate::tui::then::Then;
use crate::tui::views::safe;
use crate::tui::worker::{NoteRequest, Request};
use chrono::{DateTime, NaiveDate, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use std::time::Instant;

/// Where the form's cursor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    Kind,
    Outcome,
    Note,
    Tags,
    FollowUp,
}

impl FormField {
    pub(crate) const ORDER: [FormField; 5] = [
        FormField::Kind,
        FormField::Outcome,
        FormField::Note,
        FormField::Tags,
        FormField::FollowUp,
    ];
}

/// The kinds a rep logs, in the order ←/→ offer them.
pub const FORM_KINDS: [InteractionKind; 5] = [
    InteractionKind::Call,
    InteractionKind::Email,
    InteractionKind::Meeting,
    InteractionKind::Note,
    InteractionKind::CheckIn,
];

/// The form being typed.
#[derive(Debug, Clone)]
pub struct FormState {
    pub account_id: i64,
    pub account_name: String,
    pub field: FormField,
    pub kind: usize,
    /// The outcome chosen, by position in `Outcome::ALL`; `None` for none.
    pub outcome: Option<usize>,
    pub note: Editor,
    pub tags: Editor,
    pub follow_up: Editor,
    /// Edited since the draft was last saved, and when.
    pub unsaved_since: Option<Instant>,
    pub saving: bool,
    pub error: Option<String>,
}

impl FormState {
    pub(crate) fn new(account_id: i64, account_name: String) -> FormState {
        FormState {
            account_id,
            account_name,
            field: FormField::Note,
            kind: 0,
            outcome: None,
            note: Editor::multi_line(""),
            tags: Editor::single_line(""),
            follow_up: Editor::single_line(""),
            unsaved_since: None,
            saving: false,
            error: None,
        }
    }

    pub fn has_text(&self) -> bool {
        !(self.outcome.is_none()
            && self.note.is_empty()
            && self.tags.is_empty()
            && self.follow_up.is_empty())
    }

    pub(crate) fn draft(&self) -> Draft {
        Draft {
            kind: FORM_KINDS[self.kind].as_str().to_string(),
            outcome: self.outcome_word().unwrap_or_default().to_string(),
            body: self.note.text(),
            tags: self.tags.text(),
            follow_up: self.follow_up.text(),
        }
    }

    pub(crate) fn restore(&mut self, draft: &Draft) {
        self.kind = FORM_KINDS
            .iter()
            .position(|k| k.as_str() == draft.kind)
            .unwrap_or(0);
        // A draft saved before outcomes were words keeps its text only if it is one.
        self.outcome = Outcome::ALL
            .iter()
            .position(|o| o.as_str() == draft.outcome.trim());
        self.note = Editor::multi_line(&draft.body);
        self.tags = Editor::single_line(&draft.tags);
        self.follow_up = Editor::single_line(&draft.follow_up);
    }

    pub fn outcome_word(&self) -> Option<&'static str> {
        self.outcome.map(|i| Outcome::ALL[i].as_str())
    }

    /// The follow-up day as typed, read: `None` when empty.
    pub fn follow_up_day(&self, today: NaiveDate) -> Option<Result<NaiveDate, String>> {
        let text = self.follow_up.text();
        (!text.trim().is_empty()).then(|| dates::follow_up_day(&text, today))
    }

    pub(crate) fn focused(&mut self) -> Option<&mut Editor> {
        match self.field {
            FormField::Kind | FormField::Outcome => None,
            FormField::Note => Some(&mut self.note),
            FormField::Tags => Some(&mut self.tags),
            FormField::FollowUp => Some(&mut self.follow_up),
        }
    }
}

impl FormState {
    /// The draft as typed, when something changed since it was last saved. While the note
    /// itself is being saved, a draft saved after it would outlive it (the save deletes the
    /// draft in its own transaction): it waits for the outcome.
    pub fn draft_due(&mut self) -> Option<Request> {
        if self.saving || self.unsaved_since.take().is_none() {
            return None;
        }
        Some(Request::Note(NoteRequest::SaveDraft {
            account_id: self.account_id,
            draft: self.draft(),
        }))
    }

    /// The form's commands; the interaction is logged at `now` by `rep`.
    pub fn command(
        &mut self,
        command: Command,
        today: NaiveDate,
        now: DateTime<Utc>,
        rep: Option<&str>,
    ) -> Then {
        match command {
            // Discarding what is already on its way to the database would be a lie.
            Command::Back if self.saving => {
                Then::info("saving… it is saved once the database lets it (see the footer)")
            }
            Command::Back if self.has_text() => Then::Show(Overlay::Confirm(Confirm::Discard)),
            Command::Back => Then::CloseForm,
            Command::NextField | Command::PrevField => {
                let at = FormField::ORDER
                    .iter()
                    .position(|f| *f == self.field)
                    .unwrap_or(0);
                let n = FormField::ORDER.len();
                let next = if command == Command::NextField {
                    at + 1
                } else {
                    at + n - 1
                };
                self.field = FormField::ORDER[next % n];
                Then::Nothing
            }
            Command::Save => self.save(today, now, rep),
            _ => Then::Pass,
        }
    }

    fn save(&mut self, today: NaiveDate, now: DateTime<Utc>, rep: Option<&str>) -> Then {
        if self.saving {
            return Then::Nothing;
        }
        let note = self.note.text();
        if note.trim().is_empty() {
            self.error = Some("the note is empty: say what happened".into());
            self.field = FormField::Note;
            return Then::Nothing;
        }
        let follow_up_on = match self.follow_up_day(today) {
            None => None,
            Some(Ok(day)) => Some(day),
            Some(Err(e)) => {
                self.error = Some(e);
                self.field = FormField::FollowUp;
                return Then::Nothing;
            }
        };
        self.saving = true;
        self.error = None;
        let tags = self
            .tags
            .text()
            .split([' ', ','])
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        Then::Ask(Request::Note(NoteRequest::Log {
            account_id: self.account_id,
            interaction: Interaction {
                rep: rep.map(str::to_string),
                kind: FORM_KINDS[self.kind],
                occurred_at: now,
                summary: note_summary(&note),
                body: note.trim_end().to_string(),
                outcome: self.outcome_word().map(str::to_string),
                tags,
                follow_up_on,
            },
        }))
    }

    /// A key that is no command: ←/→ choose the kind and the outcome, other fields take text.
    /// While the note is being saved the form holds what is being saved: a key typed now
    /// would be left out of it, so it is refused, and said so.
    pub fn typed(&mut self, key: &KeyEvent, now: Instant) -> Then {
        if self.saving {
            return Then::error("not typed: the note is being saved; type on once it is");
        }
        let choice = |at: usize, n: usize| match key.code {
            KeyCode::Left | KeyCode::Char('h') => Some((at + n - 1) % n),
            KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(' ') => Some((at + 1) % n),
            _ => None,
        };
        match self.field {
            FormField::Kind => {
                let Some(kind) = choice(self.kind, FORM_KINDS.len()) else {
                    return Then::Nothing;
                };
                self.kind = kind;
            }
            FormField::Outcome => {
                // None, then each outcome, round again.
                let at = self.outcome.map_or(0, |i| i + 1);
                let at = match key.code {
                    KeyCode::Backspace | KeyCode::Delete => 0,
                    _ => match choice(at, Outcome::ALL.len() + 1) {
                        Some(at) => at,
                        None => return Then::Nothing,
                    },
                };
                self.outcome = at.checked_sub(1);
            }
            _ => {
                let Some(editor) = self.focused() else {
                    return Then::Nothing;
                };
                if !editor.apply_key(key) {
                    return Then::Nothing;
                }
                self.error = None;
            }
        }
        self.unsaved_since = Some(now);
        Then::Nothing
    }

    pub fn paste(&mut self, text: &str, now: Instant) {
        if self.saving {
            return;
        }
        if let Some(editor) = self.focused() {
            editor.insert_str(text);
            self.unsaved_since = Some(now);
        }
    }

    /// Begun as `kind` with `note` (the draft, if the rep left one, comes back over it).
    pub fn begin(&mut self, kind: InteractionKind, note: &str, tags: &str, now: Instant) {
        self.kind = FORM_KINDS.iter().position(|k| *k == kind).unwrap_or(0);
        self.note = Editor::multi_line(note);
        if !tags.is_empty() {
            self.tags = Editor::single_line(tags);
        }
        self.unsaved_since = Some(now);
    }
}

const LABEL: u16 = 11;

pub fn render(frame: &mut Frame<'_>, app: &App, form: &FormState, area: Rect) {
    let t = &app.theme;
    let title = format!(" Log · {} ", safe(&form.account_name));
    let block = Block::bordered()
        .border_style(t.focus_border())
        .title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [kind, outcome, note, tags, follow_up, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);

    // Kind: the choices in a row, the chosen one marked.
    let mut spans = vec![label(app, form, FormField::Kind, "Kind")];
    for (i, k) in FORM_KINDS.iter().enumerate() {
        let style = if i == form.kind {
            t.selected()
        } else {
            t.muted()
        };
        spans.push(Span::styled(format!(" {k} "), style));
        spans.push(Span::raw(" "));
    }
    if form.field == FormField::Kind {
        spans.push(Span::styled("←/→", t.key()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), kind);

    // Outcome: the same, with none allowed.
    let mut spans = vec![label(app, form, FormField::Outcome, "Outcome")];
    let words = std::iter::once("—").chain(Outcome::ALL.iter().map(|o| o.as_str()));
    for (i, word) in words.enumerate() {
        let chosen = form.outcome.map_or(0, |o| o + 1) == i;
        spans.push(Span::styled(
            format!(" {word} "),
            if chosen { t.selected() } else { t.muted() },
        ));
    }
    if form.field == FormField::Outcome {
        spans.push(Span::styled(" ←/→", t.key()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), outcome);
    field(frame, app, form, FormField::Note, "Note", &form.note, note);
    field(frame, app, form, FormField::Tags, "Tags", &form.tags, tags);
    field(
        frame,
        app,
        form,
        FormField::FollowUp,
        "Follow up",
        &form.follow_up,
        follow_up,
    );

    // The follow-up day as understood, or why not; then errors and saving.
    let line = if let Some(error) = &form.error {
        Line::styled(safe(error), t.danger())
    } else if form.saving && app.reconnecting {
        Line::styled(
            "saving… when the server is back (kept meanwhile); type on once it is saved",
            t.warn(),
        )
    } else if form.saving {
        Line::styled("saving…", t.muted())
    } else {
        match form.follow_up_day(app.today) {
            Some(Ok(day)) => Line::styled(
                format!("follow up on {}", day.format("%a %Y-%m-%d")),
                t.ok(),
            ),
            Some(Err(_)) => Line::styled(format!("follow up: {FORMS}"), t.warn()),
            None => Line::styled(
                "tags: competitor pricing bug onboarding renewal …",
                t.muted(),
            ),
        }
    };
    frame.render_widget(Paragraph::new(line), status);
}

fn label(app: &App, form: &FormState, which: FormField, text: &str) -> Span<'static> {
    let style = if form.field == which {
        app.theme.key()
    } else {
        app.theme.muted()
    };
    Span::styled(format!("{text:<width$}", width = usize::from(LABEL)), style)
}

#[allow(clippy::too_many_arguments)]
fn field(
    frame: &mut Frame<'_>,
    app: &App,
    form: &FormState,
    which: FormField,
    name: &str,
    editor: &Editor,
    area: Rect,
) {
    let [label_area, text_area] =
        Layout::horizontal([Constraint::Length(LABEL), Constraint::Fill(1)]).areas(area);
    frame.render_widget(Paragraph::new(label(app, form, which, name)), label_area);
    let focused = form.field == which && matches!(app.overlay, crate::tui::app::Overlay::None);
    crate::tui::views::text_area(frame, editor, text_area, focused);
}
