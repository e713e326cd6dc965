//! The account notes being edited, and the conflict when someone saved first.

use crate::tui::editor::Editor;

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

/// Between their text and yours after a merge, until the rep makes them one.
pub const MERGE_MARK: &str = "--- yours, not saved yet ---";

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
