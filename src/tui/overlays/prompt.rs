//! The `:` command line, drawn in the footer: what the rep types, Tab to complete a word, Enter
//! to run it (the words are read in `app/line.rs`).

use crossterm::event::KeyEvent;

use crate::tui::complete::{Known, complete};
use crate::tui::editor::Editor;
use crate::tui::keymap::Command;
use crate::tui::then::Then;

#[derive(Debug, Clone)]
pub struct PromptState {
    pub editor: Editor,
}

impl PromptState {
    /// The line begun with `text`.
    pub fn new(text: &str) -> PromptState {
        PromptState {
            editor: Editor::single_line(text),
        }
    }

    /// Tab completes the word at the end (a command, a login, a decline code: `known`), Enter
    /// runs the line, Esc drops it.
    pub fn command(&mut self, command: Command, known: &Known<'_>) -> Then {
        match command {
            Command::Back => Then::Close,
            Command::CompleteWord => {
                let done = complete(&self.editor.text(), known);
                self.editor = Editor::single_line(&done.line);
                // What was said about the line before is about another line now.
                let said = done.note.map_or(Then::Nothing, Then::info);
                Then::All(vec![Then::Quiet, said])
            }
            Command::Open => Then::All(vec![Then::Close, Then::RunLine(self.editor.text())]),
            _ => Then::Nothing,
        }
    }

    /// A key typed into the line; true when it changed the text.
    pub fn typed(&mut self, key: &KeyEvent) -> bool {
        self.editor.apply_key(key)
    }
}
