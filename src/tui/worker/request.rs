//! What the console asks of the database, grouped by subject: each group is answered by the
//! handler file of the same name, and says for itself which thread it goes to.

use chrono::NaiveDate;

use crate::domain::access::Write;
use crate::domain::model::Interaction;
use crate::services::outreach::Letter;
use crate::services::payments::QueueItem;
use crate::store::{AttemptResult, CheckinFilter, Draft};

/// `strum` names each variant for the log (`Request::kind`), without formatting what it carries.
#[derive(Debug, Clone, PartialEq, strum::IntoStaticStr)]
pub enum Request {
    /// A pane's data, asked while the console's view of the database was at `generation`:
    /// answered as `Response::Loaded`, on the loading thread, so that a lookup never waits
    /// behind it.
    Load {
        generation: u64,
        load: Load,
    },
    Account(AccountRequest),
    /// What a rep types: drafts, logged interactions, the account notes.
    Note(NoteRequest),
    Risk(RiskRequest),
    Checkin(CheckinRequest),
    Queue(QueueRequest),
    Payment(PaymentRequest),
    /// Work for the terminal rather than the database, done by the event loop and never by
    /// the worker.
    Terminal(TerminalWork),
}

/// A whole pane's data.
#[derive(Debug, Clone, PartialEq, strum::IntoStaticStr)]
pub enum Load {
    /// Every active account, for the first pane of someone who is not a rep.
    Accounts,
    /// The rep's queue for today.
    Queue,
    /// Every active account's score.
    Risk,
    /// Open check-ins.
    Checkins(CheckinFilter),
    /// Every payment queue and the recovery figures.
    Payments,
    /// Churn, revenue, cohorts and recovery over the last twelve months.
    Metrics,
}

#[derive(Debug, Clone, PartialEq, strum::IntoStaticStr)]
pub enum AccountRequest {
    Rows {
        ids: Vec<i64>,
    },
    Card {
        account_id: i64,
    },
    Search {
        query: String,
    },
    /// Work an account without an owner: claim it for this console.
    Claim {
        account_id: i64,
    },
    /// Done with an account claimed before.
    Release {
        account_id: i64,
    },
    Assign {
        account_id: i64,
        owner: Option<String>,
    },
    /// The active reps' logins, for Tab on the command line.
    Logins,
}

#[derive(Debug, Clone, PartialEq, strum::IntoStaticStr)]
pub enum NoteRequest {
    LoadDraft {
        account_id: i64,
    },
    SaveDraft {
        account_id: i64,
        draft: Draft,
    },
    DiscardDraft {
        account_id: i64,
    },
    /// Text typed elsewhere (account notes left unsaved) kept in the rep's draft on the account,
    /// under whatever draft is there.
    KeepInDraft {
        account_id: i64,
        text: String,
    },
    Log {
        account_id: i64,
        interaction: Interaction,
    },
    /// The account notes, saved only over `base_version`.
    SaveNotes {
        account_id: i64,
        base_version: i64,
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, strum::IntoStaticStr)]
pub enum RiskRequest {
    /// One account's score, in full: the detail, and its row refreshed after a change.
    One { account_id: i64 },
    /// Out of the at-risk view until the day, unless the score rises from `score`.
    Snooze {
        account_id: i64,
        until: NaiveDate,
        reason: String,
        score: f64,
    },
}

#[derive(Debug, Clone, PartialEq, strum::IntoStaticStr)]
pub enum CheckinRequest {
    /// Bring every account's check-ins in line with its stage: on start.
    Schedule,
    Snooze {
        checkin_id: i64,
        until: NaiveDate,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, strum::IntoStaticStr)]
pub enum QueueRequest {
    /// Take an account out of the rep's queue until a day.
    Snooze {
        account_id: i64,
        until: NaiveDate,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, strum::IntoStaticStr)]
pub enum PaymentRequest {
    /// A rep's action on a failed payment.
    Act {
        payment_id: i64,
        account_id: i64,
        action: PaymentAction,
    },
    /// The letter a payment calls for, from the team's templates (read afresh: a team may edit
    /// them while consoles run).
    Letter { item: Box<QueueItem> },
    /// Hands the letter to the team's mail command, then logs it as an email.
    SendLetter { letter: Box<Letter> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentAction {
    CardUpdated,
    Result(AttemptResult),
    Pause { until: NaiveDate, reason: String },
    Resume,
    WriteOff { reason: String },
}

#[derive(Debug, Clone, PartialEq, strum::IntoStaticStr)]
pub enum TerminalWork {
    /// The text edited in the rep's `$EDITOR`.
    Edit { text: String },
    /// Copied to the terminal's clipboard (OSC 52).
    Copy { text: String },
}

impl Request {
    /// What the request writes, in `domain::access`'s words (the store checks the same).
    pub fn write(&self) -> Option<Write> {
        match self {
            Request::Load { .. } | Request::Terminal(_) => None,
            Request::Account(AccountRequest::Assign { .. }) => Some(Write::Assign),
            Request::Account(AccountRequest::Claim { .. } | AccountRequest::Release { .. }) => {
                Some(Write::Own)
            }
            Request::Account(_) => None,
            Request::Note(NoteRequest::LoadDraft { .. }) => None,
            Request::Note(
                NoteRequest::SaveDraft { .. }
                | NoteRequest::DiscardDraft { .. }
                | NoteRequest::KeepInDraft { .. },
            ) => Some(Write::Own),
            Request::Note(NoteRequest::Log { .. }) => Some(Write::Log),
            Request::Note(NoteRequest::SaveNotes { .. }) => Some(Write::Notes),
            Request::Risk(RiskRequest::One { .. }) => None,
            Request::Risk(RiskRequest::Snooze { .. })
            | Request::Checkin(CheckinRequest::Snooze { .. })
            | Request::Queue(QueueRequest::Snooze { .. }) => Some(Write::Snooze),
            Request::Checkin(CheckinRequest::Schedule) => Some(Write::Schedule),
            Request::Payment(PaymentRequest::Act { .. }) => Some(Write::Payment),
            Request::Payment(PaymentRequest::Letter { .. }) => None,
            Request::Payment(PaymentRequest::SendLetter { .. }) => Some(Write::Log),
        }
    }

    /// Writes, and a draft's read that must come after its writes: they go to the writing
    /// thread, so that a lookup never waits behind a write that waits for an import. (The
    /// day's schedule has a thread of its own.)
    pub(super) fn goes_to_writer(&self) -> bool {
        match self.write() {
            Some(write) => write != Write::Schedule,
            None => matches!(self, Request::Note(NoteRequest::LoadDraft { .. })),
        }
    }

    /// Requests that change what reps share: refused at once on the console of someone who
    /// is not a rep.
    pub(super) fn writes(&self) -> bool {
        self.write().is_some_and(Write::shared)
    }

    /// The request's name for the log: its variant within its group, none of what it carries
    /// (a note's text stays out of the log).
    pub fn kind(&self) -> &'static str {
        match self {
            Request::Load { load, .. } => load.into(),
            Request::Account(r) => r.into(),
            Request::Note(r) => r.into(),
            Request::Risk(r) => r.into(),
            Request::Checkin(r) => r.into(),
            Request::Queue(r) => r.into(),
            Request::Payment(r) => r.into(),
            Request::Terminal(r) => r.into(),
        }
    }

    /// What a rep typed that the request saves: (account, what it is, the text), kept in a
    /// file beside the database when the database cannot take it.
    pub(super) fn typed_text(&self) -> Option<(i64, &'static str, String)> {
        match self {
            Request::Note(NoteRequest::Log {
                account_id,
                interaction,
            }) => Some((
                *account_id,
                interaction.kind.as_str(),
                interaction.body.clone(),
            )),
            Request::Note(NoteRequest::SaveDraft { account_id, draft }) => {
                Some((*account_id, "draft", draft.body.clone()))
            }
            Request::Note(NoteRequest::SaveNotes {
                account_id, text, ..
            }) => Some((*account_id, "account notes", text.clone())),
            Request::Note(NoteRequest::KeepInDraft { account_id, text }) => {
                Some((*account_id, "account notes", text.clone()))
            }
            _ => None,
        }
    }

    /// Work for the terminal rather than the database (see `TerminalWork`).
    pub fn for_terminal(&self) -> bool {
        matches!(self, Request::Terminal(_))
    }
}
