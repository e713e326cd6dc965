//! The log form: an interaction being typed, field by field, kept as a draft while it is.

use std::time::Instant;

use chrono::NaiveDate;

use crate::domain::dates;
use crate::domain::model::{InteractionKind, Outcome};
use crate::store::Draft;
use crate::tui::editor::Editor;

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
