//! The outreach letter over the payments pane (`o`): its headers and text as they will go out,
//! which template wrote it, and what the rep can do with it: send it through the team's mail
//! command, edit it in `$EDITOR`, copy it, or log it as sent by hand.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use super::confirm::ask;
use crate::account_card::{CardLine, Tone};
use crate::domain::model::InteractionKind;
use crate::services::outreach::Letter;
use crate::tui::app::App;
use crate::tui::card::wrap;
use crate::tui::keymap::Command;
use crate::tui::then::Then;
use crate::tui::views::{centered, clear_for_overlay, safe};
use crate::tui::worker::{PaymentRequest, Request, TerminalWork};

/// The letter on screen, and whether the rep is being asked to send it or it is on its way.
#[derive(Debug, Clone)]
pub struct LetterState {
    pub letter: Letter,
    pub confirm_send: bool,
    pub sending: bool,
}

impl LetterState {
    pub fn new(letter: Letter) -> LetterState {
        LetterState {
            letter,
            confirm_send: false,
            sending: false,
        }
    }

    /// The log form on the letter's account, an email with `text` as its note.
    fn log_email(text: String) -> Then {
        Then::Form {
            kind: InteractionKind::Email,
            note: text,
            tags: "outreach".into(),
        }
    }

    pub fn command(&mut self, command: Command) -> Then {
        if self.confirm_send {
            return self.answer_send(command);
        }
        if self.sending {
            return Then::info("sending…");
        }
        match command {
            Command::SendLetter if self.letter.to.is_none() => Then::error(
                "no address: e to add a To: line (the account has no contact with an email)",
            ),
            Command::SendLetter => {
                self.confirm_send = true;
                Then::Nothing
            }
            Command::EditOutside => Then::Ask(Request::Terminal(TerminalWork::Edit {
                text: self.letter.text(),
            })),
            Command::Copy => Then::All(vec![
                Then::Ask(Request::Terminal(TerminalWork::Copy {
                    text: self.letter.text(),
                })),
                Then::info("copied (where the terminal lets programs set its clipboard)"),
            ]),
            Command::LogCall => Then::All(vec![Then::Close, Self::log_email(self.letter.text())]),
            Command::Back => Then::Close,
            _ => Then::Pass,
        }
    }

    /// y or n to "send it?".
    fn answer_send(&mut self, command: Command) -> Then {
        match command {
            Command::Yes => {
                self.confirm_send = false;
                self.sending = true;
                Then::Ask(Request::Payment(PaymentRequest::SendLetter {
                    letter: Box::new(self.letter.clone()),
                }))
            }
            Command::No => {
                self.confirm_send = false;
                Then::Nothing
            }
            _ => Then::Pass,
        }
    }

    /// The letter came back from the rep's editor. Text that no longer reads as a letter is
    /// not lost: it goes into the log form as the email's note.
    pub fn edited(&mut self, result: Result<String, String>) -> Then {
        let text = match result {
            Ok(text) => text,
            Err(why) => return Then::error(why),
        };
        match self.letter.edited(&text) {
            Ok(letter) => {
                self.letter = letter;
                Then::Nothing
            }
            Err(why) => Then::All(vec![
                Then::Close,
                Self::log_email(text),
                Then::error(format!("not a letter any more ({why}): kept in the form")),
            ]),
        }
    }

    pub fn render(&self, frame: &mut Frame<'_>, app: &App, body: Rect) {
        let state = self;
        let t = &app.theme;
        let letter = &state.letter;
        let line = |tone, text: String| CardLine {
            tone,
            text,
            hang: 0,
        };
        let to = match &letter.to {
            Some(r) => format!("To: {} <{}>", r.name, r.email),
            None => "To: (no contact with an email: e adds one)".to_string(),
        };
        let mut lines = vec![
            line(
                if letter.to.is_some() {
                    Tone::Plain
                } else {
                    Tone::Warn
                },
                to,
            ),
            line(Tone::Title, format!("Subject: {}", letter.subject)),
            line(Tone::Plain, String::new()),
        ];
        lines.extend(
            letter
                .body
                .lines()
                .map(|l| line(Tone::Plain, l.to_string())),
        );
        lines.push(line(Tone::Plain, String::new()));
        lines.push(line(Tone::Muted, format!("from {}", letter.template)));
        let width = body.width.saturating_sub(4).min(84);
        let wrapped = wrap(t, &lines, usize::from(width.saturating_sub(2)));
        let height = (wrapped.len() as u16 + 2).min(body.height);
        let area = centered(body, width, height);
        clear_for_overlay(frame, area);
        let hint = if state.sending {
            " sending… "
        } else {
            " s send · e edit · y copy · l log as sent · Esc "
        };
        let block = Block::bordered()
            .border_style(t.focus_border())
            .title(format!(
                " Letter · {} ",
                letter.situation.stem().replace('-', " ")
            ))
            .title_bottom(Line::styled(hint, t.key()).right_aligned());
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(Paragraph::new(wrapped), inner);
        if self.confirm_send {
            let to = letter
                .to
                .as_ref()
                .map_or(String::new(), |r| format!("{} <{}>", r.name, r.email));
            ask(
                frame,
                app,
                body,
                " Send? ",
                format!(
                    "Send it to {} through the mail command? It is logged as an email on the account once sent.",
                    safe(&to)
                ),
                ("send it", "not yet"),
            );
        }
    }
}
