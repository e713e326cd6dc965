//! The console's state and the only way it changes: `update(action)`, which returns the
//! database work to run. Views read this state and change nothing.
//!
//! The panes, the overlays and the card own their state and their commands; what they ask of
//! the console beyond that comes back as `Then`, done in `app/then.rs`. Here are the chrome
//! around them: which pane and overlay are up, the toasts, and the dispatch of keys to them.

mod answers;
mod line;
mod lists;
mod then;

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use crossterm::event::KeyEvent;

use super::card::CardState;
pub use super::identity::Identity;
use super::keymap::{Command, Context, Key, Keymap, Lookup};
use super::overlays::confirm::Confirm;
use super::overlays::entry::EntryState;
pub use super::overlays::form::{FORM_KINDS, FormField, FormState};
use super::overlays::help::HelpState;
use super::overlays::letter::LetterState;
use super::overlays::notes::NotesState;
use super::overlays::prompt::PromptState;
pub use super::overlays::search::SearchState;
use super::panes::checkins::CheckinState;
pub use super::panes::{ListState, Pane, Panes, Seen};
use super::theme::Theme;
use super::then::Then;
use super::worker::Request;
use crate::domain::retry::RetryPolicy;
use crate::services::payments::QueueItem;
use crate::store::CheckinRow;

/// Everything that can happen to the console.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// Scroll wheel, with --mouse: positive is down.
    Scroll(i16),
    Tick,
    Db(super::worker::Response),
    /// SIGTERM, SIGHUP: save what is typed and leave.
    Shutdown,
    /// The text back from the rep's editor, or why there is none.
    Edited(Result<String, String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    List,
    Card,
}

/// What floats over the panes; each is in `overlays/`.
#[derive(Debug, Clone)]
pub enum Overlay {
    None,
    Search(SearchState),
    Help(HelpState),
    /// The `:` command line, drawn in the footer.
    Prompt(PromptState),
    Confirm(Confirm),
    /// The account notes being edited.
    Notes(Box<NotesState>),
    /// A timeline entry of the card, in full.
    Entry(EntryState),
    /// An outreach letter about a payment.
    Letter(Box<LetterState>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Debug, Clone)]
pub struct Toast {
    pub text: String,
    pub level: Level,
    pub until: Instant,
}

/// The smallest terminal the console draws in.
pub const MIN_SIZE: (u16, u16) = (60, 16);
/// How long a draft waits after the last key before it is saved.
const DRAFT_DELAY: Duration = Duration::from_millis(400);
const TOAST_TIME: Duration = Duration::from_secs(4);

/// What the panes see of the console: built from its fields, so that a pane can be borrowed
/// mutably beside it.
macro_rules! seen {
    ($app:expr) => {
        $crate::tui::panes::Seen {
            me: $app.identity.me(),
            today: $app.today,
            height: $app.list_height(),
        }
    };
}
use seen;

pub struct App {
    pub identity: Identity,
    pub today: NaiveDate,
    pub panes: Panes,
    /// The pane on screen.
    pub pane: Pane,
    pub view: View,
    /// The account card, and the account whose detail shows beside a list.
    pub card: CardState,
    /// The team account this console holds a claim on.
    pub claimed: Option<i64>,
    /// The team account on the card whose claim another rep holds (as the rep was told): asked
    /// again as the database changes, so that it passes to this rep once the other lets go.
    pub held_elsewhere: Option<i64>,
    /// Counts the changes to the database: a pane's load carries the count it was asked at,
    /// and an answer read before a later change is shown but left stale.
    generation: u64,
    /// How decline codes are classed, for the card's payment line in words.
    pub policy: RetryPolicy,
    /// The active reps' logins, for Tab on the command line.
    pub logins: Vec<String>,
    /// The command line just run, offered again if the store refuses it (a mistyped login).
    retry_line: Option<String>,
    pub form: Option<FormState>,
    pub overlay: Overlay,
    /// The last lookup's accounts, for n and N.
    pub results: Vec<i64>,
    pub result_pos: usize,
    pub toasts: Vec<Toast>,
    pending_key: Option<Key>,
    pub keymap: Keymap,
    /// Where the rep's keys.toml is read from, as the help names it.
    pub keys_file: String,
    pub theme: Theme,
    pub size: (u16, u16),
    pub now: Instant,
    /// The wall clock (or --today's day) at `now`, for what is logged.
    pub wall_now: DateTime<Utc>,
    pub index_ready: bool,
    /// Another process holds the database's write lock and a write of ours waits for it.
    pub waiting: bool,
    /// The other process's long write (an import) a write of ours waits for, in words.
    pub waiting_for: Option<String>,
    /// The server is lost and being reconnected to (a database on a server only).
    pub reconnecting: bool,
    /// Why the database file is exposed to every user of the machine, while it is.
    pub exposed: Option<String>,
    /// The database file was deleted or replaced at its path: nothing more is saved.
    pub gone: bool,
    pub quit: bool,
}

impl App {
    pub fn new(
        identity: Identity,
        today: NaiveDate,
        keymap: Keymap,
        theme: Theme,
        size: (u16, u16),
    ) -> App {
        // A rep starts on their own book; a lead or admin, or a rep who owns nothing yet, on
        // the team's.
        let mine = identity.opens_on_mine();
        App {
            identity,
            today,
            panes: Panes::new(mine),
            pane: Pane::MyQueue,
            view: View::List,
            card: CardState::default(),
            claimed: None,
            held_elsewhere: None,
            generation: 0,
            policy: RetryPolicy::default(),
            logins: Vec::new(),
            retry_line: None,
            form: None,
            overlay: Overlay::None,
            results: Vec::new(),
            result_pos: 0,
            toasts: Vec::new(),
            pending_key: None,
            keymap,
            keys_file: "~/.config/retain/keys.toml".into(),
            theme,
            size,
            now: Instant::now(),
            wall_now: today.and_time(chrono::NaiveTime::MIN).and_utc(),
            index_ready: false,
            waiting: false,
            waiting_for: None,
            reconnecting: false,
            exposed: None,
            gone: false,
            quit: false,
        }
    }

    /// The first requests: the first pane's data, then the day's schedule, which can take a
    /// moment on a large file; the other panes load once it is done. (A tab shows its count
    /// once its pane has loaded: the count is its list's length, never a guess beside it.)
    pub fn start(&mut self) -> Vec<Request> {
        vec![
            self.load_request(self.pane),
            Request::Checkin(super::worker::CheckinRequest::Schedule),
            Request::Account(super::worker::AccountRequest::Logins),
        ]
    }

    /// `retain --open QUERY`: the console starts on the top match's card, found as a rep's `/`
    /// and Enter would find it (the lookup stays open, saying so, when nothing matches).
    pub fn open_at_start(&mut self, query: &str) -> Vec<Request> {
        let mut search = SearchState::new(query, !self.index_ready);
        search.open_on_answer = true;
        let mut effects = Vec::new();
        self.then(self.pane, search.ask(), &mut effects);
        self.overlay = Overlay::Search(search);
        effects
    }

    /// True on a rep's first pane: their queue for today. (Someone who is not a rep has no
    /// queue: the pane lists every active account.)
    pub fn is_queue(&self) -> bool {
        self.pane == Pane::MyQueue && self.identity.rep.is_some()
    }

    /// Whose keys apply: the overlay's, the form's, the card's or the pane's.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Overlay::Confirm(_) => Context::Confirm,
            Overlay::Notes(n) if n.conflict.is_some() => Context::Conflict,
            Overlay::Notes(_) => Context::Notes,
            Overlay::Help(_) => Context::Help,
            Overlay::Entry(_) => Context::Entry,
            Overlay::Letter(l) if l.confirm_send => Context::Confirm,
            Overlay::Letter(_) => Context::Letter,
            Overlay::Prompt(_) => Context::Prompt,
            Overlay::Search(_) => Context::Search,
            Overlay::None if self.form.is_some() => Context::Form,
            Overlay::None if self.view == View::Card => Context::Card,
            Overlay::None => self.panes.get(self.pane).context(&seen!(self)),
        }
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_SIZE.0 || self.size.1 < MIN_SIZE.1
    }

    /// Rows of the pane's list that fit on screen.
    pub fn list_height(&self) -> usize {
        let reserved = self.panes.get(self.pane).reserved_rows();
        usize::from(self.size.1.saturating_sub(reserved)).max(1)
    }

    /// The list of the pane on screen.
    pub fn list(&self) -> &ListState {
        self.panes.get(self.pane).list()
    }

    /// The account under the cursor (the check-ins pane lists check-ins: their account).
    pub fn selected_id(&self) -> Option<i64> {
        let pane = self.panes.get(self.pane);
        pane.list().selected().and_then(|id| pane.account_of(id))
    }

    /// The line under the cursor, in the payments pane.
    pub fn selected_payment(&self) -> Option<&QueueItem> {
        (self.pane == Pane::Payments)
            .then(|| self.panes.payments.selected())
            .flatten()
    }

    /// The check-in under the cursor, in the check-ins pane.
    pub fn selected_checkin(&self) -> Option<&CheckinRow> {
        (self.pane == Pane::CheckIns)
            .then(|| CheckinState::selected(&self.panes.checkins))
            .flatten()
    }

    /// What was said about the last place (`call logged`) does not belong on the next one;
    /// errors stay their time.
    fn forget_infos(&mut self) {
        self.toasts.retain(|t| t.level == Level::Error);
    }

    pub fn toast(&mut self, text: impl Into<String>, level: Level) {
        self.toasts.push(Toast {
            text: text.into(),
            level,
            until: self.now + TOAST_TIME,
        });
    }

    pub fn update(&mut self, action: Action) -> Vec<Request> {
        let mut effects = Vec::new();
        match action {
            Action::Key(key) => self.on_key(key, &mut effects),
            Action::Paste(text) => self.on_paste(&text, &mut effects),
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.scroll_into_view(&mut effects);
            }
            Action::Scroll(lines) => {
                let command = if lines > 0 {
                    Command::Down
                } else {
                    Command::Up
                };
                for _ in 0..lines.unsigned_abs() {
                    self.run_command(command, &mut effects);
                }
            }
            Action::Tick => self.on_tick(&mut effects),
            Action::Edited(result) => {
                if let Overlay::Letter(letter) = &mut self.overlay {
                    let then = letter.edited(result);
                    self.then(self.pane, then, &mut effects);
                }
            }
            Action::Db(response) => self.on_response(response, &mut effects),
            Action::Shutdown => {
                self.save_draft_now(&mut effects);
                // Account notes being edited are kept as a draft note, as a conflict keeps
                // them: the next `l` on the account offers them back.
                if let Overlay::Notes(n) = &self.overlay
                    && n.unsaved()
                {
                    effects.push(n.as_draft());
                }
                self.quit = true;
            }
        }
        effects
    }

    fn on_tick(&mut self, effects: &mut Vec<Request>) {
        let now = self.now;
        self.waiting = crate::store::waiting_for_lock();
        self.waiting_for = crate::store::long_wait();
        let was_reconnecting = self.reconnecting;
        self.reconnecting = crate::store::sql::reconnecting();
        self.toasts.retain(|t| t.until > now);
        // What failed while the server was away is old news once it is back.
        if was_reconnecting && !self.reconnecting {
            self.toasts.retain(|t| t.level != Level::Error);
            self.toast("the server is back", Level::Info);
        }
        if let Some(form) = &self.form
            && form
                .unsaved_since
                .is_some_and(|t| now.duration_since(t) >= DRAFT_DELAY)
        {
            self.save_draft_now(effects);
        }
    }

    fn save_draft_now(&mut self, effects: &mut Vec<Request>) {
        effects.extend(self.form.as_mut().and_then(FormState::draft_due));
    }

    fn on_key(&mut self, key: KeyEvent, effects: &mut Vec<Request>) {
        let context = self.context();
        let pressed = Key::from_event(&key);
        match self
            .keymap
            .lookup(context, self.pending_key.take(), pressed)
        {
            Lookup::Command(command) => self.run_command(command, effects),
            Lookup::Pending => self.pending_key = Some(pressed),
            Lookup::None => self.type_key(key, effects),
        }
    }

    fn on_paste(&mut self, text: &str, effects: &mut Vec<Request>) {
        let then = match &mut self.overlay {
            Overlay::Search(s) => s.paste(text),
            Overlay::Prompt(p) => {
                p.editor.insert_str(text);
                Then::Nothing
            }
            Overlay::Notes(n) => {
                n.paste(text);
                Then::Nothing
            }
            Overlay::None => {
                if let Some(form) = &mut self.form {
                    form.paste(text, self.now);
                }
                Then::Nothing
            }
            _ => Then::Nothing,
        };
        self.then(self.pane, then, effects);
    }

    /// A key that is no command: text for the field being typed in.
    fn type_key(&mut self, key: KeyEvent, effects: &mut Vec<Request>) {
        let then = match &mut self.overlay {
            Overlay::Search(s) => s.typed(&key),
            // What was said about the line before is about another line now.
            Overlay::Prompt(p) => {
                if p.typed(&key) {
                    Then::Quiet
                } else {
                    Then::Nothing
                }
            }
            Overlay::Notes(n) => {
                n.typed(&key);
                Then::Nothing
            }
            Overlay::None => match &mut self.form {
                Some(form) => form.typed(&key, self.now),
                None => Then::Nothing,
            },
            _ => Then::Nothing,
        };
        self.then(self.pane, then, effects);
    }

    /// A command: first the ones that work everywhere, then whatever is in front of the rep
    /// (an overlay, the form, the card or the pane) takes it, and what it passes on is the
    /// console's own.
    fn run_command(&mut self, command: Command, effects: &mut Vec<Request>) {
        let context = self.context();
        if command.writes() && !self.may_write() {
            return;
        }
        if command.reorders() && context.is_list() {
            self.panes.get_mut(self.pane).list_mut().to_top = true;
        }
        match command {
            Command::Quit => return self.quit_asked(context, effects),
            Command::Help => {
                self.overlay = Overlay::Help(HelpState { scroll: 0, context });
                return;
            }
            Command::Search => return self.open_search(""),
            Command::CommandLine => {
                self.overlay = Overlay::Prompt(PromptState::new(""));
                return;
            }
            Command::NextPane => return self.switch_pane(self.pane.step(1), effects),
            Command::PrevPane => return self.switch_pane(self.pane.step(-1), effects),
            Command::Pane(n) => {
                if let Some(pane) = Pane::ALL.get(usize::from(n).wrapping_sub(1)) {
                    self.switch_pane(*pane, effects);
                }
                return;
            }
            Command::Resume => {
                let then = self.on_payment(|p| p.act(super::worker::PaymentAction::Resume));
                return self.then(self.pane, then, effects);
            }
            _ => {}
        }
        let then = self.taken_by_front(context, command);
        if matches!(then, Then::Pass) {
            self.console_command(context, command, effects);
        } else {
            self.then(self.pane, then, effects);
        }
    }

    /// Ctrl-c with a note half typed asks first, as Esc does (a second Ctrl-c quits).
    fn quit_asked(&mut self, context: Context, effects: &mut Vec<Request>) {
        if context == Context::Form || self.form.is_some() {
            self.save_draft_now(effects);
        }
        if context == Context::Form
            && self
                .form
                .as_ref()
                .is_some_and(|f| f.has_text() && !f.saving)
        {
            self.overlay = Overlay::Confirm(Confirm::Quit);
        } else {
            self.quit = true;
        }
    }

    /// The command given to whatever is in front of the rep.
    fn taken_by_front(&mut self, context: Context, command: Command) -> Then {
        let half = self.half_page();
        let seen = seen!(self);
        match (&mut self.overlay, context) {
            (Overlay::Help(h), _) => {
                let most = h.most(&self.keymap, self.size.1);
                h.command(command, most)
            }
            (Overlay::Search(s), _) => s.command(command),
            (Overlay::Confirm(c), _) => c.command(command),
            (Overlay::Letter(l), _) => l.command(command),
            (Overlay::Notes(n), _) => n.command(command),
            (Overlay::Entry(e), _) => e.command(command, self.card.shown.as_deref()),
            (Overlay::Prompt(p), _) => {
                let known = super::complete::Known {
                    logins: &self.logins,
                    codes: self.policy.codes().collect(),
                };
                p.command(command, &known)
            }
            (Overlay::None, Context::Form) => match &mut self.form {
                Some(form) => form.command(command, self.today, self.wall_now, seen.me),
                None => Then::Pass,
            },
            (Overlay::None, Context::Card) => {
                self.card.command(command, self.today, &self.policy, half)
            }
            (Overlay::None, _) => self.panes.get_mut(self.pane).command(command, &seen),
        }
    }

    /// True for a rep; for anyone else, says why the console is read-only.
    fn may_write(&mut self) -> bool {
        if self.identity.writes() {
            return true;
        }
        let why = if self.identity.rep.is_some() {
            format!(
                "read-only: {} may read this database but not write it (an admin adds the rep with `retain reps add`)",
                self.identity.login
            )
        } else {
            format!(
                "read-only: {} is not a rep of this database (an admin adds reps with `retain reps add`)",
                self.identity.login
            )
        };
        self.toast(why, Level::Error);
        false
    }
}
