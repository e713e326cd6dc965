//! What a pane, an overlay or the card asks of the console once it has taken a command or an
//! answer. Each owns its state and changes only that; what reaches further (the database, the
//! footer, another overlay, the card) it says here, and `App::then` does it. So no pane reaches
//! into another's state, and a newcomer reads what a key does in one place.

use crate::domain::model::InteractionKind;
use crate::tui::app::{Level, Overlay};
use crate::tui::worker::Request;

#[derive(Debug, Clone)]
pub enum Then {
    /// Nothing more: the state changed, and the next frame shows it.
    Nothing,
    /// Not this one's command: the console's own handling applies.
    Pass,
    /// Ask the database.
    Ask(Request),
    /// The pane's data again, as the database has it now (the database applies its filter).
    Reload,
    /// The pane's list changed: the cursor is kept in view and the detail beside follows it;
    /// `anew` when the detail must be asked again even for the same id (the check-ins pane
    /// lists check-ins, whose ids are no accounts').
    Relisted { anew: bool },
    /// Say this in the footer.
    Say(String, Level),
    /// Say nothing more of what was said: the toasts go.
    Quiet,
    /// The `:` line, begun with this text.
    Prompt(String),
    /// The `:` line, run as typed.
    RunLine(String),
    /// Put this over the panes.
    Show(Overlay),
    /// Close what floats over the panes.
    Close,
    /// The log form is done with.
    CloseForm,
    /// The log form on the selected account, of `kind`, its note begun with `note` and its tags
    /// with `tags`.
    Form {
        kind: InteractionKind,
        note: String,
        tags: String,
    },
    /// The account's card, `contact` marked on it (the one the lookup found it by); `matched`
    /// every account the lookup found and `at` this one's place among them, for `n` and `N`.
    OpenCard {
        account_id: i64,
        contact: Option<i64>,
        matched: Vec<i64>,
        at: usize,
    },
    /// Leave the console.
    Quit,
    /// Each of these, in order.
    All(Vec<Then>),
}

impl Then {
    /// Says `text` as news.
    pub fn info(text: impl Into<String>) -> Then {
        Then::Say(text.into(), Level::Info)
    }

    /// Says `text` as an error.
    pub fn error(text: impl Into<String>) -> Then {
        Then::Say(text.into(), Level::Error)
    }
}
