//! The payments pane's letter: `o` asks the worker for it, and the rep sends it through the
//! team's mail command, edits it in `$EDITOR`, copies it, or logs it as sent by hand.

use super::{App, Level, Overlay};
use crate::domain::model::InteractionKind;
use crate::services::outreach::Letter;
use crate::tui::editor::Editor;
use crate::tui::keymap::Command;
use crate::tui::worker::Request;

/// The letter on screen, and whether the rep is being asked to send it or it is on its way.
#[derive(Debug, Clone)]
pub struct LetterState {
    pub letter: Letter,
    pub confirm_send: bool,
    pub sending: bool,
}

impl App {
    /// The worker's letter: shown over the pane.
    pub(super) fn show_letter(&mut self, letter: Letter) {
        self.overlay = Overlay::Letter(Box::new(LetterState {
            letter,
            confirm_send: false,
            sending: false,
        }));
    }

    pub(super) fn letter_command(&mut self, command: Command, effects: &mut Vec<Request>) {
        let Overlay::Letter(state) = &mut self.overlay else {
            return;
        };
        if state.sending {
            return self.toast("sending…", Level::Info);
        }
        match command {
            Command::SendLetter if state.letter.to.is_none() => self.toast(
                "no address: e to add a To: line (the account has no contact with an email)",
                Level::Error,
            ),
            Command::SendLetter => state.confirm_send = true,
            Command::EditOutside => effects.push(Request::Edit {
                text: state.letter.text(),
            }),
            Command::Copy => {
                effects.push(Request::Copy {
                    text: state.letter.text(),
                });
                self.toast(
                    "copied (where the terminal lets programs set its clipboard)",
                    Level::Info,
                );
            }
            Command::LogCall => {
                let text = state.letter.text();
                self.overlay = Overlay::None;
                self.log_email(&text, effects);
            }
            Command::Back => self.overlay = Overlay::None,
            _ => {}
        }
    }

    /// y or n to "send it?".
    pub(super) fn answer_send(&mut self, yes: bool, effects: &mut Vec<Request>) {
        let Overlay::Letter(state) = &mut self.overlay else {
            return;
        };
        state.confirm_send = false;
        if yes {
            state.sending = true;
            effects.push(Request::SendLetter {
                letter: Box::new(state.letter.clone()),
            });
        }
    }

    /// The letter came back from the rep's editor. Text that no longer reads as a letter is
    /// not lost: it goes into the log form as the email's note.
    pub(super) fn edited(&mut self, result: Result<String, String>, effects: &mut Vec<Request>) {
        let Overlay::Letter(state) = &mut self.overlay else {
            return;
        };
        let text = match result {
            Ok(text) => text,
            Err(why) => return self.toast(why, Level::Error),
        };
        match state.letter.edited(&text) {
            Ok(letter) => state.letter = letter,
            Err(why) => {
                self.overlay = Overlay::None;
                self.log_email(&text, effects);
                self.toast(
                    format!("not a letter any more ({why}): kept in the form"),
                    Level::Error,
                );
            }
        }
    }

    /// The log form on the letter's account, an email with `text` as its note.
    fn log_email(&mut self, text: &str, effects: &mut Vec<Request>) {
        self.open_form_as(InteractionKind::Email, text, effects);
        if let Some(form) = &mut self.form {
            form.tags = Editor::single_line("outreach");
        }
    }

    /// The letter went out (or failed): the overlay closes once it is sent.
    pub(super) fn letter_done(&mut self) {
        if matches!(&self.overlay, Overlay::Letter(s) if s.sending) {
            self.overlay = Overlay::None;
        }
    }

    pub(super) fn letter_failed(&mut self) {
        if let Overlay::Letter(state) = &mut self.overlay {
            state.sending = false;
        }
    }
}
