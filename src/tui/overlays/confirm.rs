//! A yes/no question over everything: discard the form, quit with a note half typed, or do
//! something to a payment that cannot be taken back.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::display::width;
use crate::tui::app::App;
use crate::tui::keymap::Command;
use crate::tui::then::Then;
use crate::tui::views::{centered, clear_for_overlay, safe};
use crate::tui::worker::{PaymentAction, PaymentRequest, Request};

#[derive(Debug, Clone, PartialEq)]
pub enum Confirm {
    /// Discard the form's text?
    Discard,
    /// Quit with a note half typed? (It stays as a draft either way.)
    Quit,
    /// Do this to the payment? (Writing it off, or charging the card again.)
    Payment {
        payment_id: i64,
        account_id: i64,
        action: PaymentAction,
        /// "$1,200.00 from Acme Ltd"
        what: String,
    },
}

impl Confirm {
    /// y or n. (Discarding the form is the console's: it holds the form.)
    pub fn command(&self, command: Command) -> Then {
        match (self, command) {
            (Confirm::Quit, Command::Yes) => Then::Quit,
            (
                Confirm::Payment {
                    payment_id,
                    account_id,
                    action,
                    ..
                },
                Command::Yes,
            ) => Then::All(vec![
                Then::Close,
                Then::Ask(Request::Payment(PaymentRequest::Act {
                    payment_id: *payment_id,
                    account_id: *account_id,
                    action: action.clone(),
                })),
            ]),
            (Confirm::Discard, Command::Yes) => Then::Pass,
            (_, Command::No) => Then::Close,
            _ => Then::Nothing,
        }
    }

    pub fn render(&self, frame: &mut Frame<'_>, app: &App, body: Rect) {
        match self {
            Confirm::Quit => ask(
                frame,
                app,
                body,
                " Quit? ",
                if app.reconnecting {
                    // No draft reaches an absent server: the file is what keeps it.
                    "Quit retain? The server is away: the note you typed is kept in a file of yours, named as the console closes.".into()
                } else {
                    "Quit retain? The note you typed stays as a draft on this account, there again when you next log on it.".into()
                },
                ("quit", "keep writing"),
            ),
            Confirm::Discard => ask(
                frame,
                app,
                body,
                " Discard? ",
                "Throw away the note you typed?".into(),
                ("discard", "keep editing"),
            ),
            Confirm::Payment {
                action: PaymentAction::CardUpdated,
                what,
                ..
            } => ask(
                frame,
                app,
                body,
                " Retry now? ",
                format!(
                    "The customer gave a new card: charge {} on it now?",
                    safe(what)
                ),
                ("charge it now", "not yet"),
            ),
            Confirm::Payment { what, .. } => ask(
                frame,
                app,
                body,
                " Write off? ",
                format!(
                    "Write off {}? The payment is lost; if the account then cancels, its churn counts as involuntary.",
                    safe(what)
                ),
                ("write it off", "keep dunning"),
            ),
        }
    }
}

/// A yes/no question; `answers` name what y and n do.
pub fn ask(
    frame: &mut Frame<'_>,
    app: &App,
    body: Rect,
    title: &str,
    question: String,
    answers: (&str, &str),
) {
    let t = &app.theme;
    let w = body.width.saturating_sub(4).min(60);
    // Words wrap short of the edge: a line of slack.
    let lines = width(&question).div_ceil(usize::from(w.saturating_sub(2)).max(1)) + 1;
    let question = Paragraph::new(question).wrap(ratatui::widgets::Wrap { trim: true });
    let height = lines as u16 + 3;
    let area = centered(body, w, height.min(body.height));
    clear_for_overlay(frame, area);
    let block = Block::bordered()
        .border_style(t.danger())
        .title(title.to_string());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [text, keys] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Fill(1),
        ratatui::layout::Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(question, text);
    let line = Line::from(vec![
        Span::styled("y", t.key()),
        Span::raw(format!(" {}   ", answers.0)),
        Span::styled("n", t.key()),
        Span::raw("/"),
        Span::styled("Esc", t.key()),
        Span::raw(format!(" {}", answers.1)),
    ]);
    frame.render_widget(Paragraph::new(line), keys);
}
