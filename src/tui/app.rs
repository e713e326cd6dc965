//! The console's state and the only way it changes: `update(action)`, which returns the
//! database work to run. Views read this state and change nothing.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::complete;
use super::editor::Editor;
use super::keymap::{Command, Context, Key, Keymap, Lookup};
use super::metrics::MetricsData;
pub use super::overlays::form::{FORM_KINDS, FormField, FormState};
use super::overlays::notes::{Conflict, NotesState};
pub use super::overlays::search::SearchState;
use super::panes::checkins::{CheckinState, DueWindow};
use super::panes::payments::PaymentsState;
use super::panes::queue::MyQueueState;
use super::panes::risk::{RiskSort, RiskState};
use super::theme::Theme;
use super::worker::{PaymentAction, Request, Response};
use crate::domain::dates;
use crate::domain::lifecycle::Stage;
use crate::domain::model::{Interaction, InteractionKind, Outcome, note_summary};
use crate::domain::retry::RetryPolicy;
use crate::domain::risk::{Band, RiskScore};
use crate::services::payments::QueueItem;
use crate::store::{
    AccountCard, AccountRow, AttemptResult, CheckinRow, Claim, Draft, NotesSave, Store, StoreError,
};
use letter::LetterState;

pub mod letter;

/// Everything that can happen to the console.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// Scroll wheel, with --mouse: positive is down.
    Scroll(i16),
    Tick,
    Db(Response),
    /// SIGTERM, SIGHUP: save what is typed and leave.
    Shutdown,
    /// The text back from the rep's editor, or why there is none.
    Edited(Result<String, String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    MyQueue,
    AtRisk,
    CheckIns,
    Payments,
    Metrics,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
        Pane::MyQueue,
        Pane::AtRisk,
        Pane::CheckIns,
        Pane::Payments,
        Pane::Metrics,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::MyQueue => "My queue",
            Pane::AtRisk => "At risk",
            Pane::CheckIns => "Check-ins",
            Pane::Payments => "Payments",
            Pane::Metrics => "Metrics",
        }
    }

    /// What the pane lists until its own logic arrives, said plainly in its caption.
    pub fn caption(self, rep: bool) -> &'static str {
        match self {
            Pane::MyQueue if rep => "your accounts by MRR",
            Pane::MyQueue => "all active by MRR",
            Pane::AtRisk => "active by MRR, unscored",
            Pane::CheckIns => "newest customers first",
            Pane::Payments => "the retry queues",
            Pane::Metrics => "churn, revenue, cohorts",
        }
    }
}

/// The account notes a rep was editing, kept as a draft note on the account (the next `l`
/// offers them back).
fn draft_note(n: &NotesState) -> Request {
    Request::SaveDraft {
        account_id: n.account_id,
        draft: Draft {
            kind: InteractionKind::Note.as_str().to_string(),
            body: n.editor.text(),
            ..Draft::default()
        },
    }
}

/// Who is at the keyboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The rep login the console acts as: the OS user, or an admin's `--as LOGIN`.
    pub login: String,
    /// The operating system's user, as the audit log records it.
    pub os_user: String,
    /// (display name, role) when `login` is an active rep. Without it the console is read-only.
    pub rep: Option<(String, String)>,
    /// The rep owns an active account.
    pub has_book: bool,
}

impl Identity {
    /// Who `login` is in the database, at the keyboard of OS user `os_user`.
    pub fn read(store: &Store, login: &str, os_user: &str) -> Result<Identity, StoreError> {
        Ok(Identity {
            login: login.to_string(),
            os_user: os_user.to_string(),
            rep: store.rep(login)?,
            has_book: store.has_book(login)?,
        })
    }

    /// A rep (not a lead or admin) with a book of their own: the team's panes start on it.
    pub fn opens_on_mine(&self) -> bool {
        self.has_book && self.rep.as_ref().is_some_and(|(_, role)| role == "rep")
    }

    /// The login whose accounts are "mine": none for someone who is not a rep.
    pub fn me(&self) -> Option<&str> {
        self.rep.as_ref().map(|_| self.login.as_str())
    }
}

#[derive(Debug, Clone, Default)]
pub struct PaneState {
    pub ids: Vec<i64>,
    pub loaded: bool,
    pub cursor: usize,
    pub offset: usize,
    /// The rep changed the order or the filter: the next contents start at the top.
    to_top: bool,
}

impl PaneState {
    /// New contents; the cursor stays on the same item when it is still there (another rep's
    /// change must not move it), else at the same place; at the top after the rep re-sorted.
    fn replace(&mut self, ids: Vec<i64>) {
        let selected = self.ids.get(self.cursor).copied();
        self.ids = ids;
        self.loaded = true;
        if std::mem::take(&mut self.to_top) {
            (self.cursor, self.offset) = (0, 0);
            return;
        }
        self.cursor = selected
            .and_then(|id| self.ids.iter().position(|x| *x == id))
            .unwrap_or(self.cursor)
            .min(self.ids.len().saturating_sub(1));
    }
}

/// Lines of the card's facts that `J` and `K` scroll.
const FACTS_STEP: usize = 5;

/// At most how many screen rows `lines` wrap into: no column the card draws them in is
/// narrower than `NARROWEST` cells (the console needs 60).
fn rows_at_most<'a>(lines: impl IntoIterator<Item = &'a str>) -> usize {
    const NARROWEST: usize = 40;
    lines
        .into_iter()
        .map(|l| crate::display::width(l) / NARROWEST + 1)
        .sum()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    List,
    Card,
}

#[derive(Debug, Clone)]
pub enum Overlay {
    None,
    Search(SearchState),
    Help {
        scroll: usize,
        context: Context,
    },
    Prompt(Editor),
    /// Discard the form's text?
    ConfirmDiscard,
    /// Quit with a note half typed? (It stays as a draft either way.)
    ConfirmQuit,
    /// The account notes being edited.
    Notes(Box<NotesState>),
    /// A timeline entry of the card, in full: `index` into its timeline, `scroll` lines down.
    Entry {
        index: usize,
        scroll: usize,
    },
    /// An outreach letter about a payment.
    Letter(Box<LetterState>),
    /// Do this to the payment? (Writing it off, or charging the card again.)
    ConfirmPayment {
        payment_id: i64,
        account_id: i64,
        action: PaymentAction,
        /// "$1,200.00 from Acme Ltd"
        what: String,
    },
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

/// Lines under the payments list for the selected payment.
pub const PAYMENT_DETAIL_HEIGHT: u16 = 6;

/// The smallest terminal the console draws in.
pub const MIN_SIZE: (u16, u16) = (60, 16);
/// How long a draft waits after the last key before it is saved.
const DRAFT_DELAY: Duration = Duration::from_millis(400);
const TOAST_TIME: Duration = Duration::from_secs(4);
/// Rows read ahead of and behind the visible window.
const ROW_MARGIN: usize = 100;
/// Beyond this many cached rows, the cache keeps only the visible window.
const ROW_CACHE: usize = 20_000;

pub struct App {
    pub identity: Identity,
    pub today: NaiveDate,
    pub panes: Vec<PaneState>,
    pub pane: usize,
    pub counts: Vec<Option<i64>>,
    pub rows: HashMap<i64, AccountRow>,
    requested_rows: HashSet<i64>,
    pub view: View,
    pub risk: RiskState,
    pub checkins: CheckinState,
    pub payments: PaymentsState,
    pub my_queue: MyQueueState,
    /// The team account this console holds a claim on.
    pub claimed: Option<i64>,
    pub metrics: Option<Box<MetricsData>>,
    /// Each pane's data is as the database has it: switching to it needs no reload. Any change,
    /// ours or another rep's, makes every pane stale.
    fresh: Vec<bool>,
    /// Counts those changes: a pane's load carries the count it was asked at, and an answer
    /// read before a later change is shown but left stale.
    generation: u64,
    /// The score of the account on the card.
    pub card_risk: Option<Box<RiskScore>>,
    pub card: Option<Box<AccountCard>>,
    /// The account whose card is wanted (shown, or on its way).
    pub card_for: Option<i64>,
    /// The timeline entry at the top of the card's timeline: Enter opens it.
    pub card_scroll: usize,
    /// Lines of the account's facts scrolled past, where the card is too short for them all.
    pub facts_scroll: usize,
    /// The contact the lookup found the account by: marked on the card.
    pub card_contact: Option<i64>,
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
            panes: vec![PaneState::default(); Pane::ALL.len()],
            counts: vec![None; Pane::ALL.len()],
            pane: 0,
            rows: HashMap::new(),
            requested_rows: HashSet::new(),
            view: View::List,
            risk: RiskState {
                mine,
                ..RiskState::default()
            },
            checkins: CheckinState {
                mine,
                ..CheckinState::default()
            },
            payments: PaymentsState::starting_on(mine),
            my_queue: MyQueueState::default(),
            claimed: None,
            metrics: None,
            fresh: vec![false; Pane::ALL.len()],
            generation: 0,
            card_risk: None,
            card: None,
            card_for: None,
            card_scroll: 0,
            facts_scroll: 0,
            card_contact: None,
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
            theme,
            size,
            now: Instant::now(),
            wall_now: today.and_time(chrono::NaiveTime::MIN).and_utc(),
            index_ready: false,
            waiting: false,
            waiting_for: None,
            exposed: None,
            gone: false,
            quit: false,
        }
    }

    /// The first requests: the first pane's data, then the day's schedule, which can take a
    /// moment on a large file; the other panes load once it is done. (A tab shows its count
    /// once its pane has loaded: the count is its list's length, never a guess beside it.)
    pub fn start(&mut self) -> Vec<Request> {
        let first = self.pane_request(self.pane);
        self.as_loads(vec![first, Request::Schedule, Request::Logins])
    }

    /// `retain --open QUERY`: the console starts on the top match's card, found as a rep's `/`
    /// and Enter would find it (the lookup stays open, saying so, when nothing matches).
    pub fn open_at_start(&mut self, query: &str) -> Vec<Request> {
        self.open_search(query);
        if let Overlay::Search(s) = &mut self.overlay {
            s.open_on_answer = true;
        }
        vec![Request::Search {
            query: query.to_string(),
        }]
    }

    /// Marks pane loads with the generation they are asked at.
    fn as_loads(&self, requests: Vec<Request>) -> Vec<Request> {
        requests
            .into_iter()
            .map(|request| {
                if request.loads_a_pane() {
                    Request::Load {
                        generation: self.generation,
                        request: Box::new(request),
                    }
                } else {
                    request
                }
            })
            .collect()
    }

    /// Something changed in the database: no pane's data can be trusted to be current.
    fn invalidate(&mut self) {
        self.fresh.fill(false);
        self.generation += 1;
    }

    /// True on a rep's first pane: their queue for today. (Someone who is not a rep has no
    /// queue: the pane lists every active account.)
    pub fn is_queue(&self) -> bool {
        Pane::ALL[self.pane] == Pane::MyQueue && self.identity.rep.is_some()
    }

    pub fn context(&self) -> Context {
        match &self.overlay {
            Overlay::ConfirmDiscard | Overlay::ConfirmQuit | Overlay::ConfirmPayment { .. } => {
                Context::Confirm
            }
            Overlay::Notes(n) if n.conflict.is_some() => Context::Conflict,
            Overlay::Notes(_) => Context::Notes,
            Overlay::Help { .. } => Context::Help,
            Overlay::Entry { .. } => Context::Entry,
            Overlay::Letter(l) if l.confirm_send => Context::Confirm,
            Overlay::Letter(_) => Context::Letter,
            Overlay::Prompt(_) => Context::Prompt,
            Overlay::Search(_) => Context::Search,
            Overlay::None if self.form.is_some() => Context::Form,
            Overlay::None if self.view == View::Card => Context::Card,
            Overlay::None if Pane::ALL[self.pane] == Pane::AtRisk => Context::Risk,
            Overlay::None if Pane::ALL[self.pane] == Pane::CheckIns => Context::Checkins,
            Overlay::None if Pane::ALL[self.pane] == Pane::Payments => Context::Payments,
            Overlay::None if self.is_queue() => Context::Queue,
            Overlay::None if Pane::ALL[self.pane] == Pane::Metrics => Context::Metrics,
            Overlay::None => Context::List,
        }
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_SIZE.0 || self.size.1 < MIN_SIZE.1
    }

    /// Rows of the list that fit on screen: everything but header, tabs, caption, column
    /// titles and footer.
    pub fn list_height(&self) -> usize {
        let reserved = if Pane::ALL[self.pane] == Pane::Payments {
            5 + PAYMENT_DETAIL_HEIGHT + 1
        } else {
            5
        };
        usize::from(self.size.1.saturating_sub(reserved)).max(1)
    }

    /// The account under the cursor (the check-ins pane lists check-ins: their account).
    pub fn selected_id(&self) -> Option<i64> {
        let p = &self.panes[self.pane];
        let id = p.ids.get(p.cursor).copied()?;
        match Pane::ALL[self.pane] {
            Pane::CheckIns => self.checkins.row(id).map(|r| r.account_id),
            Pane::Payments => self.payments.item(id).map(|i| i.account_id),
            _ => Some(id),
        }
    }

    /// The line under the cursor, in the payments pane.
    pub fn selected_payment(&self) -> Option<&QueueItem> {
        if Pane::ALL[self.pane] != Pane::Payments {
            return None;
        }
        let p = &self.panes[self.pane];
        p.ids.get(p.cursor).and_then(|id| self.payments.item(*id))
    }

    /// The check-in under the cursor, in the check-ins pane.
    pub fn selected_checkin(&self) -> Option<&CheckinRow> {
        if Pane::ALL[self.pane] != Pane::CheckIns {
            return None;
        }
        let p = &self.panes[self.pane];
        p.ids.get(p.cursor).and_then(|id| self.checkins.row(*id))
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
                self.scroll_into_view();
                self.want_rows(&mut effects);
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
            Action::Edited(result) => self.edited(result, &mut effects),
            Action::Db(response) => self.on_response(response, &mut effects),
            Action::Shutdown => {
                self.save_draft_now(&mut effects);
                // Account notes being edited are kept as a draft note, as a conflict keeps
                // them: the next `l` on the account offers them back.
                if let Overlay::Notes(n) = &self.overlay
                    && n.editor.text() != n.original
                    && !n.editor.text().trim().is_empty()
                {
                    effects.push(draft_note(n));
                }
                self.quit = true;
            }
        }
        self.as_loads(effects)
    }

    fn on_tick(&mut self, effects: &mut Vec<Request>) {
        let now = self.now;
        self.waiting = crate::store::waiting_for_lock();
        self.waiting_for = crate::store::long_wait();
        self.toasts.retain(|t| t.until > now);
        if let Some(form) = &self.form
            && form
                .unsaved_since
                .is_some_and(|t| now.duration_since(t) >= DRAFT_DELAY)
        {
            self.save_draft_now(effects);
        }
    }

    fn save_draft_now(&mut self, effects: &mut Vec<Request>) {
        // While the note itself is being saved, a draft saved after it would outlive it (the
        // save deletes the draft in its own transaction): it waits for the outcome.
        if let Some(form) = &mut self.form
            && !form.saving
            && form.unsaved_since.take().is_some()
        {
            effects.push(Request::SaveDraft {
                account_id: form.account_id,
                draft: form.draft(),
            });
        }
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
        match &mut self.overlay {
            Overlay::Search(s) => {
                s.input.insert_str(text);
                let query = s.input.text();
                effects.push(Request::Search { query });
            }
            Overlay::Prompt(e) => e.insert_str(text),
            Overlay::Notes(n) if n.conflict.is_none() => n.editor.insert_str(text),
            Overlay::None => {
                if let Some(form) = self.form.as_mut().filter(|f| !f.saving)
                    && let Some(editor) = form.focused()
                {
                    editor.insert_str(text);
                    form.unsaved_since = Some(self.now);
                }
            }
            _ => {}
        }
    }

    /// A key that is no command: text for the field being typed in.
    fn type_key(&mut self, key: KeyEvent, effects: &mut Vec<Request>) {
        let now = self.now;
        match &mut self.overlay {
            Overlay::Search(s) => {
                if !edit(&mut s.input, &key) {
                    return;
                }
                s.cursor = 0;
                s.chosen = None;
                s.open_on_answer = false;
                effects.push(Request::Search {
                    query: s.input.text(),
                });
            }
            Overlay::Prompt(e) => {
                // What was said about the line before is about another line now.
                let changed = edit(e, &key);
                if changed {
                    self.toasts.clear();
                }
            }
            Overlay::Notes(n) if n.conflict.is_none() && !n.saving => {
                edit(&mut n.editor, &key);
            }
            Overlay::None => {
                // While the note is being saved the form holds what is being saved: a key
                // typed now would be silently left out of it.
                let Some(form) = self.form.as_mut().filter(|f| !f.saving) else {
                    return;
                };
                if form.field == FormField::Kind {
                    let n = FORM_KINDS.len();
                    match key.code {
                        KeyCode::Left | KeyCode::Char('h') => form.kind = (form.kind + n - 1) % n,
                        KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(' ') => {
                            form.kind = (form.kind + 1) % n
                        }
                        _ => return,
                    }
                    form.unsaved_since = Some(now);
                } else if form.field == FormField::Outcome {
                    // None, then each outcome, round again.
                    let n = Outcome::ALL.len() + 1;
                    let at = form.outcome.map_or(0, |i| i + 1);
                    let at = match key.code {
                        KeyCode::Left | KeyCode::Char('h') => (at + n - 1) % n,
                        KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(' ') => (at + 1) % n,
                        KeyCode::Backspace | KeyCode::Delete => 0,
                        _ => return,
                    };
                    form.outcome = at.checked_sub(1);
                    form.unsaved_since = Some(now);
                } else if let Some(editor) = form.focused()
                    && edit(editor, &key)
                {
                    form.error = None;
                    form.unsaved_since = Some(now);
                }
            }
            _ => {}
        }
    }

    fn run_command(&mut self, command: Command, effects: &mut Vec<Request>) {
        let context = self.context();
        if command.writes() && !self.may_write() {
            return;
        }
        if command.reorders()
            && matches!(
                context,
                Context::Risk | Context::Checkins | Context::Payments
            )
        {
            self.panes[self.pane].to_top = true;
        }
        match (context, command) {
            // Ctrl-c with a note half typed asks first, as Esc does (a second Ctrl-c quits).
            (Context::Form, Command::Quit)
                if self
                    .form
                    .as_ref()
                    .is_some_and(|f| f.has_text() && !f.saving) =>
            {
                self.save_draft_now(effects);
                self.overlay = Overlay::ConfirmQuit;
            }
            (_, Command::Quit) => {
                if context == Context::Form || self.form.is_some() {
                    self.save_draft_now(effects);
                }
                self.quit = true;
            }
            (_, Command::Help) => {
                self.overlay = Overlay::Help { scroll: 0, context };
            }
            (_, Command::Search) => self.open_search(""),
            (_, Command::CommandLine) => self.overlay = Overlay::Prompt(Editor::single_line("")),
            (_, Command::NextPane) => self.switch_pane((self.pane + 1) % self.panes.len(), effects),
            (_, Command::PrevPane) => {
                let n = self.panes.len();
                self.switch_pane((self.pane + n - 1) % n, effects)
            }
            (_, Command::Pane(n)) => self.switch_pane(usize::from(n).saturating_sub(1), effects),

            (Context::Help, Command::Back) => self.overlay = Overlay::None,
            (Context::Help, Command::Down) => {
                if let Overlay::Help { scroll, .. } = &mut self.overlay {
                    *scroll += 1;
                }
            }
            (Context::Help, Command::Up) => {
                if let Overlay::Help { scroll, .. } = &mut self.overlay {
                    *scroll = scroll.saturating_sub(1);
                }
            }

            (Context::Search, Command::Back) => self.overlay = Overlay::None,
            (Context::Search, Command::Down | Command::Up) => {
                if let Overlay::Search(s) = &mut self.overlay {
                    let step = |c: usize| {
                        if command == Command::Down {
                            c + 1
                        } else {
                            c.saturating_sub(1)
                        }
                    };
                    if s.answered != s.input.text() {
                        // Keys that come before the answer count against it: `↓ Enter` typed in
                        // one burst opens the second match, not the first.
                        s.cursor = step(s.cursor);
                    } else if !s.hits.is_empty() {
                        s.cursor = step(s.cursor).min(s.hits.len() - 1);
                        s.chosen = s.hits.get(s.cursor).map(|f| f.hit.account_id);
                    }
                }
            }
            (Context::Search, Command::Open) => {
                let Overlay::Search(s) = &mut self.overlay else {
                    return;
                };
                if s.answered != s.input.text() || s.indexing {
                    // A rep on a call types and presses Enter without waiting.
                    s.open_on_answer = !s.input.text().trim().is_empty();
                } else if let Some(found) = s.hits.get(s.cursor) {
                    self.results = s.hits.iter().map(|f| f.hit.account_id).collect();
                    self.result_pos = s.cursor;
                    let (id, contact) = (found.hit.account_id, found.hit.contact_id);
                    let others = s.hits.len() - 1;
                    self.overlay = Overlay::None;
                    self.open_card(id, effects);
                    self.card_contact = contact;
                    if others > 0 {
                        let what = if others == 1 { "account" } else { "accounts" };
                        self.toast(
                            format!("{others} other {what} matched: n for the next, / to choose"),
                            Level::Info,
                        );
                    }
                }
            }

            (Context::Prompt, Command::Back) => self.overlay = Overlay::None,
            (Context::Prompt, Command::CompleteWord) => {
                let Overlay::Prompt(e) = &self.overlay else {
                    return;
                };
                let known = complete::Known {
                    logins: &self.logins,
                    codes: self.policy.codes().collect(),
                };
                let done = complete::complete(&e.text(), &known);
                self.overlay = Overlay::Prompt(Editor::single_line(&done.line));
                self.toasts.clear();
                if let Some(note) = done.note {
                    self.toast(note, Level::Info);
                }
            }
            (Context::Prompt, Command::Open) => {
                if let Overlay::Prompt(e) = &self.overlay {
                    let line = e.text();
                    self.overlay = Overlay::None;
                    self.run_line(&line, effects);
                }
            }

            (Context::Confirm, Command::Yes) if matches!(self.overlay, Overlay::ConfirmQuit) => {
                self.quit = true;
            }
            (Context::Confirm, Command::Yes | Command::No)
                if matches!(self.overlay, Overlay::Letter(_)) =>
            {
                self.answer_send(command == Command::Yes, effects);
            }
            (Context::Letter, _) => self.letter_command(command, effects),
            (Context::Confirm, Command::Yes) => {
                if let Overlay::ConfirmPayment {
                    payment_id,
                    account_id,
                    action,
                    ..
                } = std::mem::replace(&mut self.overlay, Overlay::None)
                {
                    effects.push(Request::Payment {
                        payment_id,
                        account_id,
                        action,
                    });
                } else if let Some(form) = self.form.take() {
                    effects.push(Request::DiscardDraft {
                        account_id: form.account_id,
                    });
                    self.toast("note discarded", Level::Info);
                }
                self.overlay = Overlay::None;
            }
            (Context::Confirm, Command::No) => self.overlay = Overlay::None,

            (Context::Form, Command::Back) => {
                if self.form.as_ref().is_some_and(|f| f.saving) {
                    // Discarding what is already on its way to the database would be a lie.
                    self.toast(
                        "saving… it is saved once the database lets it (see the footer)",
                        Level::Info,
                    );
                } else if self.form.as_ref().is_some_and(FormState::has_text) {
                    self.overlay = Overlay::ConfirmDiscard;
                } else {
                    self.form = None;
                }
            }
            (Context::Form, Command::NextField | Command::PrevField) => {
                if let Some(form) = &mut self.form {
                    let at = FormField::ORDER
                        .iter()
                        .position(|f| *f == form.field)
                        .unwrap_or(0);
                    let n = FormField::ORDER.len();
                    let next = if command == Command::NextField {
                        at + 1
                    } else {
                        at + n - 1
                    };
                    form.field = FormField::ORDER[next % n];
                }
            }
            (Context::Form, Command::Save) => self.save_form(effects),

            (Context::Card, Command::EditNotes) => {
                if let Some(card) = self
                    .card
                    .as_ref()
                    .filter(|c| Some(c.row.account_id) == self.card_for)
                {
                    self.overlay = Overlay::Notes(Box::new(NotesState::new(
                        card.row.account_id,
                        card.row.name.clone(),
                        &card.notes,
                        card.version,
                    )));
                }
            }
            (Context::Notes, Command::Save) => {
                if let Overlay::Notes(n) = &self.overlay
                    && n.unmerged()
                {
                    self.toast(
                        format!(
                            "make the two texts one first: delete the line \"{}\" and what you do not keep",
                            crate::tui::overlays::notes::MERGE_MARK
                        ),
                        Level::Error,
                    );
                } else if let Overlay::Notes(n) = &mut self.overlay {
                    n.saving = true;
                    effects.push(Request::SaveNotes {
                        account_id: n.account_id,
                        base_version: n.base_version,
                        text: n.editor.text(),
                    });
                }
            }
            (Context::Notes, Command::Back) => {
                if let Overlay::Notes(n) = &self.overlay {
                    if n.changed() {
                        self.toast(
                            "unsaved notes: Ctrl-s saves them, Ctrl-x throws them away",
                            Level::Info,
                        );
                    } else {
                        self.overlay = Overlay::None;
                    }
                }
            }
            (Context::Notes, Command::Discard) => self.overlay = Overlay::None,
            (Context::Conflict, Command::Back) => {
                if let Overlay::Notes(n) = &mut self.overlay {
                    n.conflict = None;
                }
            }
            (Context::Conflict, Command::Merge) => {
                if let Overlay::Notes(n) = &mut self.overlay {
                    n.merge();
                }
            }
            (Context::Conflict, Command::KeepMine) => {
                if let Overlay::Notes(n) = &mut self.overlay
                    && let Some(c) = n.conflict.take()
                {
                    n.saving = true;
                    n.base_version = c.version;
                    effects.push(Request::SaveNotes {
                        account_id: n.account_id,
                        base_version: c.version,
                        text: n.editor.text(),
                    });
                }
            }
            (Context::Conflict, Command::TakeTheirs) => {
                if let Overlay::Notes(n) = std::mem::replace(&mut self.overlay, Overlay::None) {
                    // What the rep typed is never thrown away: it waits as a draft note.
                    effects.push(draft_note(&n));
                    effects.push(Request::Card {
                        account_id: n.account_id,
                    });
                    self.toast(
                        "theirs kept; your text waits as a draft note on this account (l)",
                        Level::Info,
                    );
                }
            }
            (Context::Card, Command::Open) => {
                let index = self.card_scroll;
                if self.card.as_ref().is_some_and(|c| index < c.timeline.len()) {
                    self.overlay = Overlay::Entry { index, scroll: 0 };
                }
            }
            (Context::Card, Command::FactsDown) => {
                // The view stops at the last line; this keeps K from having to climb back
                // from far past it.
                let most = self.card.as_ref().map_or(0, |card| {
                    let lines =
                        crate::account_card::lines(card, None, self.today, &self.policy, None);
                    rows_at_most(lines.iter().map(|l| l.text.as_str()))
                });
                self.facts_scroll = (self.facts_scroll + FACTS_STEP).min(most);
            }
            (Context::Card, Command::FactsUp) => {
                self.facts_scroll = self.facts_scroll.saturating_sub(FACTS_STEP)
            }
            (Context::Entry, Command::Back | Command::Open) => self.overlay = Overlay::None,
            (Context::Entry, Command::Down | Command::Up) => {
                if let Overlay::Entry { index, scroll } = &mut self.overlay {
                    let most = self
                        .card
                        .as_ref()
                        .and_then(|c| c.timeline.get(*index))
                        .map_or(0, |e| {
                            rows_at_most(
                                [e.title.as_str(), e.detail.as_str()]
                                    .into_iter()
                                    .chain(e.body.lines()),
                            )
                        });
                    *scroll = if command == Command::Down {
                        (*scroll + 1).min(most)
                    } else {
                        scroll.saturating_sub(1)
                    };
                }
            }
            (Context::Card, Command::Back) => {
                self.view = View::List;
                self.card_scroll = 0;
                self.facts_scroll = 0;
                self.release_claim(effects);
                self.follow_selection(effects);
            }
            (Context::Card, Command::Down) => self.scroll_card(1),
            (Context::Card, Command::Up) => self.scroll_card(-1),
            (Context::Card, Command::HalfDown) => self.scroll_card(self.half_page()),
            (Context::Card, Command::HalfUp) => self.scroll_card(-self.half_page()),
            (Context::Card, Command::PageDown) => self.scroll_card(2 * self.half_page()),
            (Context::Card, Command::PageUp) => self.scroll_card(-2 * self.half_page()),
            (Context::Card, Command::Top) => self.card_scroll = 0,
            (Context::Card, Command::Bottom) => self.scroll_card(isize::MAX / 2),

            (
                Context::List
                | Context::Risk
                | Context::Checkins
                | Context::Payments
                | Context::Queue,
                Command::Down,
            ) => self.move_cursor(1, effects),
            (
                Context::List
                | Context::Risk
                | Context::Checkins
                | Context::Payments
                | Context::Queue,
                Command::Up,
            ) => self.move_cursor(-1, effects),
            (
                Context::List
                | Context::Risk
                | Context::Checkins
                | Context::Payments
                | Context::Queue,
                Command::HalfDown,
            ) => self.move_cursor(self.half_page(), effects),
            (
                Context::List
                | Context::Risk
                | Context::Checkins
                | Context::Payments
                | Context::Queue,
                Command::HalfUp,
            ) => self.move_cursor(-self.half_page(), effects),
            (
                Context::List
                | Context::Risk
                | Context::Checkins
                | Context::Payments
                | Context::Queue,
                Command::PageDown,
            ) => self.move_cursor(2 * self.half_page(), effects),
            (
                Context::List
                | Context::Risk
                | Context::Checkins
                | Context::Payments
                | Context::Queue,
                Command::PageUp,
            ) => self.move_cursor(-2 * self.half_page(), effects),
            (
                Context::List
                | Context::Risk
                | Context::Checkins
                | Context::Payments
                | Context::Queue,
                Command::Top,
            ) => self.move_cursor(isize::MIN / 2, effects),
            (
                Context::List
                | Context::Risk
                | Context::Checkins
                | Context::Payments
                | Context::Queue,
                Command::Bottom,
            ) => self.move_cursor(isize::MAX / 2, effects),
            (
                Context::List
                | Context::Risk
                | Context::Checkins
                | Context::Payments
                | Context::Queue,
                Command::Open,
            ) => {
                if let Some(id) = self.selected_id() {
                    self.open_card(id, effects);
                }
            }
            (Context::Risk, Command::Sort) => {
                self.risk.sort = match self.risk.sort {
                    RiskSort::Score => RiskSort::AtStake,
                    RiskSort::AtStake => RiskSort::Trend,
                    RiskSort::Trend => RiskSort::Score,
                };
                self.refilter(effects);
            }
            (Context::Risk, Command::Mine) => {
                self.risk.mine = !self.risk.mine;
                self.refilter(effects);
            }
            (Context::Risk, Command::BandFilter) => {
                self.risk.band = match self.risk.band {
                    None => Some(Band::High),
                    Some(Band::High) => Some(Band::Medium),
                    Some(Band::Medium) => Some(Band::Low),
                    Some(Band::Low) => None,
                };
                self.refilter(effects);
            }
            (Context::Risk, Command::StageFilter) => {
                self.risk.stage = match self.risk.stage {
                    None => Some(Stage::Early),
                    Some(Stage::Early) => Some(Stage::Mid),
                    Some(Stage::Mid) => Some(Stage::Late),
                    Some(Stage::Late) => None,
                };
                self.refilter(effects);
            }
            (Context::Risk, Command::Changes) => {
                self.risk.changes = !self.risk.changes;
                self.refilter(effects);
            }
            (Context::Risk, Command::Rescore) => {
                self.toast("scoring every account…", Level::Info);
                effects.push(Request::Risk);
            }
            (Context::Risk | Context::Card, Command::Assign) => {
                self.overlay = Overlay::Prompt(Editor::single_line("assign "));
            }
            (Context::Risk | Context::Card, Command::Snooze) => {
                self.overlay = Overlay::Prompt(Editor::single_line("snooze +7d "));
            }

            (Context::Checkins, Command::Complete) => {
                let Some(row) = self.selected_checkin() else {
                    return;
                };
                let agenda = crate::domain::checkins::agenda(row.stage);
                let note = format!("{} check-in ({}): \n{agenda}\n", row.kind, row.stage);
                self.open_form_as(InteractionKind::CheckIn, &note, effects);
            }
            (Context::Checkins, Command::Mine) => {
                self.checkins.mine = !self.checkins.mine;
                effects.push(self.checkins_request());
            }
            (Context::Checkins, Command::StageFilter) => {
                self.checkins.stage = match self.checkins.stage {
                    None => Some(Stage::Early),
                    Some(Stage::Early) => Some(Stage::Mid),
                    Some(Stage::Mid) => Some(Stage::Late),
                    Some(Stage::Late) => None,
                };
                effects.push(self.checkins_request());
            }
            (Context::Checkins, Command::DueFilter) => {
                self.checkins.window = match self.checkins.window {
                    DueWindow::Week => DueWindow::Overdue,
                    DueWindow::Overdue => DueWindow::Today,
                    DueWindow::Today => DueWindow::Week,
                };
                effects.push(self.checkins_request());
            }
            (Context::Checkins | Context::Queue, Command::Assign) => {
                self.overlay = Overlay::Prompt(Editor::single_line("assign "));
            }
            (Context::Checkins, Command::Snooze) => {
                self.overlay = Overlay::Prompt(Editor::single_line("snooze +7d "));
            }
            (Context::Queue, Command::Snooze) => {
                self.overlay = Overlay::Prompt(Editor::single_line("snooze +1d "));
            }
            (Context::Payments, Command::NextQueue | Command::PrevQueue) => {
                self.payments.cycle_queue(command == Command::NextQueue);
                self.refill_payments(effects);
            }
            (Context::Payments, Command::Mine) => {
                self.payments.mine = !self.payments.mine;
                self.refill_payments(effects);
            }
            // It charges the customer at once: asked first.
            (Context::Payments, Command::CardUpdated) => self.confirm_payment(
                PaymentAction::CardUpdated,
                "an expiring card has no payment to retry: o sends a reminder",
            ),
            (Context::Payments, Command::RecordResult) => {
                self.overlay = Overlay::Prompt(Editor::single_line("result "));
            }
            (_, Command::Resume) => self.payment_action(PaymentAction::Resume, effects),
            (Context::Payments, Command::Pause) => {
                self.overlay = Overlay::Prompt(Editor::single_line("pause +7d "));
            }
            (Context::Payments, Command::WriteOff) => {
                self.overlay = Overlay::Prompt(Editor::single_line("writeoff "));
            }
            (Context::Payments, Command::Outreach) => {
                if let Some(item) = self.selected_payment().cloned() {
                    effects.push(Request::Letter {
                        item: Box::new(item),
                    });
                }
            }
            (
                Context::List
                | Context::Risk
                | Context::Checkins
                | Context::Payments
                | Context::Queue
                | Context::Card,
                Command::LogCall,
            ) => self.open_form(effects),
            (
                Context::List
                | Context::Risk
                | Context::Checkins
                | Context::Payments
                | Context::Queue
                | Context::Card,
                Command::NextMatch | Command::PrevMatch,
            ) => {
                if self.results.is_empty() {
                    self.toast("no lookup yet: press / to find an account", Level::Info);
                } else {
                    let n = self.results.len();
                    self.result_pos = if command == Command::NextMatch {
                        (self.result_pos + 1) % n
                    } else {
                        (self.result_pos + n - 1) % n
                    };
                    let id = self.results[self.result_pos];
                    self.open_card(id, effects);
                }
            }
            _ => {}
        }
    }

    /// True for a rep; for anyone else, says why the console is read-only.
    fn may_write(&mut self) -> bool {
        if self.identity.rep.is_some() {
            return true;
        }
        self.toast(
            format!(
                "read-only: {} is not a rep of this database (an admin adds reps with `retain reps add`)",
                self.identity.login
            ),
            Level::Error,
        );
        false
    }

    /// A `:` command line.
    fn run_line(&mut self, line: &str, effects: &mut Vec<Request>) {
        let line = line.trim();
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        if Command::of_word(word).is_some_and(Command::writes) && !self.may_write() {
            return;
        }
        match word {
            "" => {}
            "q" | "quit" | "q!" => self.run_command(Command::Quit, effects),
            "acct" | "account" | "a" => {
                self.open_search(rest.trim());
                effects.push(Request::Search {
                    query: rest.trim().to_string(),
                });
            }
            "log" => self.open_form(effects),
            "help" => self.run_command(Command::Help, effects),
            "assign" => self.assign(rest.trim(), effects),
            "snooze" => self.snooze(rest.trim(), effects),
            "result" => self.record_result(rest.trim(), effects),
            "pause" => self.pause_dunning(rest.trim(), effects),
            "resume" => self.run_command(Command::Resume, effects),
            "writeoff" | "write-off" => self.confirm_write_off(rest.trim()),
            "owner" => {
                // The check-ins pane's owner, or the at-risk pane's (where it goes otherwise).
                let owner = Some(rest.trim().to_string()).filter(|l| !l.is_empty());
                if Pane::ALL[self.pane] == Pane::CheckIns {
                    self.checkins.owner = owner;
                    self.checkins.mine = false;
                    self.panes[self.pane].to_top = true;
                    effects.push(self.checkins_request());
                } else {
                    self.risk.owner = owner;
                    self.risk.mine = false;
                    if Pane::ALL[self.pane] != Pane::AtRisk {
                        self.switch_pane(1, effects);
                    }
                    self.panes[self.pane].to_top = true;
                    self.refilter(effects);
                }
            }
            _ => self.toast(
                format!(
                    "unknown command :{word} (try :acct NAME, :log, :assign LOGIN, :snooze DAY REASON, :owner LOGIN, :result ok|CODE, :pause DAY REASON, :writeoff REASON, :help, :q)"
                ),
                Level::Error,
            ),
        }
    }

    /// The account an action is about: the card's, or the selected one.
    fn target(&self) -> Option<i64> {
        match self.view {
            View::Card => self.card_for,
            View::List => self.selected_id(),
        }
    }

    /// `:assign LOGIN` (or `team`): gives the account to a rep.
    fn assign(&mut self, login: &str, effects: &mut Vec<Request>) {
        let Some(account_id) = self.target() else {
            self.toast("no account selected", Level::Error);
            return;
        };
        if login.is_empty() {
            return self.ask_again(
                "assign ".to_string(),
                "say to whom: a login (Tab completes) or team",
            );
        }
        let owner = (login != "team").then(|| login.to_string());
        self.retry_line = Some(format!("assign {login}"));
        effects.push(Request::Assign { account_id, owner });
    }

    /// `:snooze DAY REASON`: out of the at-risk view until the day, unless the score jumps.
    fn snooze(&mut self, args: &str, effects: &mut Vec<Request>) {
        let Some(account_id) = self.target() else {
            self.toast("no account selected", Level::Error);
            return;
        };
        let (day, reason) = args.split_once(' ').unwrap_or((args, ""));
        let until = match dates::parse_day(day, self.today) {
            Ok(until) if until > self.today => until,
            Ok(_) => {
                self.toast("snooze to a day after today", Level::Error);
                return;
            }
            Err(e) => {
                self.toast(e, Level::Error);
                return;
            }
        };
        if reason.trim().is_empty() {
            return self.ask_again(format!("snooze {} ", day.trim()), "say why, after the day");
        }
        if self.is_queue() && self.view == View::List {
            effects.push(Request::SnoozeQueueRow {
                account_id,
                until,
                reason: reason.trim().to_string(),
            });
            return;
        }
        if let Some(row) = self.selected_checkin().filter(|_| self.view == View::List) {
            effects.push(Request::SnoozeCheckin {
                checkin_id: row.checkin_id,
                until,
                reason: reason.trim().to_string(),
            });
            return;
        }
        let score = self.risk.row(account_id).map_or(0.0, |r| r.score);
        effects.push(Request::Snooze {
            account_id,
            until,
            reason: reason.trim().to_string(),
            score,
        });
    }

    /// An action on the payment under the cursor (an expiring card has no payment to act on).
    fn payment_action(&mut self, action: PaymentAction, effects: &mut Vec<Request>) {
        match self
            .selected_payment()
            .map(|i| (i.payment_id, i.account_id))
        {
            Some((Some(payment_id), account_id)) => effects.push(Request::Payment {
                payment_id,
                account_id,
                action,
            }),
            Some((None, _)) => self.toast(
                "no payment has failed here yet: o sends a card-update reminder",
                Level::Info,
            ),
            None => self.toast("select a payment in the payments pane (4)", Level::Error),
        }
    }

    /// `:result ok` or `:result DECLINE_CODE`: the outcome of a retry made by hand.
    fn record_result(&mut self, args: &str, effects: &mut Vec<Request>) {
        let result = match args.to_ascii_lowercase().as_str() {
            "" => {
                return self.ask_again(
                    "result ".to_string(),
                    "say how it went: ok, or the decline code (Tab completes)",
                );
            }
            "ok" | "succeeded" | "success" | "paid" => AttemptResult::Succeeded,
            code => AttemptResult::Failed {
                decline_code: code.to_string(),
                advice_code: None,
            },
        };
        self.payment_action(PaymentAction::Result(result), effects);
    }

    /// `:pause DAY REASON`: no retry and no reminder until the day.
    fn pause_dunning(&mut self, args: &str, effects: &mut Vec<Request>) {
        let (day, reason) = args.split_once(' ').unwrap_or((args, ""));
        let until = match dates::parse_day(day, self.today) {
            Ok(until) if until > self.today => until,
            Ok(_) => return self.toast("pause until a day after today", Level::Error),
            Err(e) => return self.toast(e, Level::Error),
        };
        if reason.trim().is_empty() {
            return self.ask_again(format!("pause {} ", day.trim()), "say why, after the day");
        }
        let reason = reason.trim().to_string();
        self.payment_action(PaymentAction::Pause { until, reason }, effects);
    }

    /// A command that needs more than was typed: the line is offered again as it was, with
    /// what is missing said beside it, so that the rep types only that.
    fn ask_again(&mut self, line: String, missing: &str) {
        self.overlay = Overlay::Prompt(Editor::single_line(&line));
        self.toast(missing, Level::Error);
    }

    /// `:writeoff REASON` asks before giving the payment up.
    fn confirm_write_off(&mut self, reason: &str) {
        if reason.is_empty() && self.selected_payment().is_some() {
            return self.ask_again("writeoff ".to_string(), "say why it is given up");
        }
        self.confirm_payment(
            PaymentAction::WriteOff {
                reason: reason.to_string(),
            },
            "an expiring card has no payment to write off",
        );
    }

    /// Asks before an action on the selected payment that cannot be taken back.
    fn confirm_payment(&mut self, action: PaymentAction, no_payment: &str) {
        let Some(item) = self.selected_payment() else {
            return self.toast("select a payment in the payments pane (4)", Level::Error);
        };
        let (Some(payment_id), Some(amount)) = (item.payment_id, item.amount_cents) else {
            return self.toast(no_payment, Level::Error);
        };
        self.overlay = Overlay::ConfirmPayment {
            payment_id,
            account_id: item.account_id,
            action,
            what: format!(
                "{} from {}",
                crate::domain::money::format(amount, &item.currency),
                item.name
            ),
        };
    }

    /// Another rep changed the database: what is on screen is asked for again, and the answers
    /// keep the cursor on its item. The form being typed is left alone.
    fn reload_shown(&mut self, effects: &mut Vec<Request>) {
        match Pane::ALL[self.pane] {
            Pane::CheckIns => effects.push(self.checkins_request()),
            Pane::Payments => effects.push(Request::Payments),
            Pane::AtRisk => {
                if let Some(account_id) = self.selected_id() {
                    effects.push(Request::RiskOne { account_id });
                }
            }
            Pane::MyQueue if self.is_queue() => effects.push(Request::MyQueue),
            Pane::Metrics => effects.push(Request::Metrics),
            Pane::MyQueue => {
                effects.push(Request::List { pane: self.pane });
                let p = &self.panes[self.pane];
                let to = (p.offset + self.list_height()).min(p.ids.len());
                let ids = p.ids[p.offset.min(to)..to].to_vec();
                if !ids.is_empty() {
                    effects.push(Request::Rows { ids });
                }
            }
        }
        if let Some(account_id) = self.card_for {
            effects.push(Request::Card { account_id });
        }
    }

    /// The payments pane's list again, after a filter changed or new items came.
    fn refill_payments(&mut self, effects: &mut Vec<Request>) {
        let Some(at) = Pane::ALL.iter().position(|p| *p == Pane::Payments) else {
            return;
        };
        let me = self.identity.me();
        let ids = self.payments.visible(me);
        let loaded = self.payments.loaded;
        self.refill(at, ids, loaded, effects);
    }

    /// A pane's list anew, and its tab's count; the cursor stays on its item, and the view
    /// follows when the pane is on screen.
    fn refill(&mut self, at: usize, ids: Vec<i64>, loaded: bool, effects: &mut Vec<Request>) {
        self.counts[at] = Some(ids.len() as i64);
        self.panes[at].replace(ids);
        self.panes[at].loaded = loaded;
        if self.pane == at {
            self.scroll_into_view();
            self.follow_selection(effects);
        }
    }

    fn checkins_request(&self) -> Request {
        let me = self.identity.me();
        Request::Checkins {
            filter: self.checkins.filter(self.today, me),
        }
    }

    /// Rebuilds the at-risk pane's list after its rows, filters or order changed, keeping the
    /// cursor on the same account when it is still there.
    fn refilter(&mut self, effects: &mut Vec<Request>) {
        let at = Pane::ALL
            .iter()
            .position(|p| *p == Pane::AtRisk)
            .unwrap_or(1);
        let me = self.identity.me();
        let ids = self.risk.visible(me);
        let loaded = self.risk.loaded;
        self.refill(at, ids, loaded, effects);
    }

    fn open_search(&mut self, query: &str) {
        self.overlay = Overlay::Search(SearchState {
            input: Editor::single_line(query),
            hits: Vec::new(),
            answered: String::new(),
            cursor: 0,
            chosen: None,
            indexing: !self.index_ready,
            open_on_answer: false,
        });
    }

    fn half_page(&self) -> isize {
        (self.list_height() / 2).max(1) as isize
    }

    fn scroll_card(&mut self, by: isize) {
        let max = self
            .card
            .as_ref()
            .map_or(0, |c| c.timeline.len().saturating_sub(1));
        self.card_scroll = (self.card_scroll as isize + by).clamp(0, max as isize) as usize;
    }

    fn move_cursor(&mut self, by: isize, effects: &mut Vec<Request>) {
        let p = &mut self.panes[self.pane];
        if p.ids.is_empty() {
            return;
        }
        let last = p.ids.len() as isize - 1;
        p.cursor = (p.cursor as isize).saturating_add(by).clamp(0, last) as usize;
        self.scroll_into_view();
        self.want_rows(effects);
        self.follow_selection(effects);
    }

    fn scroll_into_view(&mut self) {
        let height = self.list_height();
        let p = &mut self.panes[self.pane];
        if p.cursor < p.offset {
            p.offset = p.cursor;
        } else if p.cursor >= p.offset + height {
            p.offset = p.cursor + 1 - height;
        }
        let max_offset = p.ids.len().saturating_sub(height);
        p.offset = p.offset.min(max_offset);
    }

    /// In the list, the detail beside it follows the cursor.
    fn follow_selection(&mut self, effects: &mut Vec<Request>) {
        if self.view != View::List {
            return;
        }
        if let Some(id) = self.selected_id()
            && self.card_for != Some(id)
        {
            self.card_for = Some(id);
            if Pane::ALL[self.pane] == Pane::AtRisk {
                effects.push(Request::RiskOne { account_id: id });
            } else {
                effects.push(Request::Card { account_id: id });
            }
        }
    }

    /// Asks for the rows around the visible window that are not cached or on their way.
    fn want_rows(&mut self, effects: &mut Vec<Request>) {
        let p = &self.panes[self.pane];
        let from = p.offset.saturating_sub(ROW_MARGIN);
        let to = (p.offset + self.list_height() + ROW_MARGIN).min(p.ids.len());
        let window = &p.ids[from.min(to)..to];
        if self.rows.len() > ROW_CACHE {
            let keep: HashSet<i64> = window.iter().copied().collect();
            self.rows.retain(|id, _| keep.contains(id));
            self.requested_rows.clear();
        }
        let missing: Vec<i64> = window
            .iter()
            .copied()
            .filter(|id| !self.rows.contains_key(id) && !self.requested_rows.contains(id))
            .collect();
        if !missing.is_empty() {
            self.requested_rows.extend(&missing);
            effects.push(Request::Rows { ids: missing });
        }
    }

    fn switch_pane(&mut self, pane: usize, effects: &mut Vec<Request>) {
        if pane >= self.panes.len() {
            return;
        }
        self.forget_infos();
        self.pane = pane;
        self.view = View::List;
        self.overlay = Overlay::None;
        // Shown at once from what was loaded before, unless something changed since.
        let stale = !self.fresh[pane];
        if Pane::ALL[pane] == Pane::AtRisk {
            // Scoring every account takes a moment: once, then one account at a time as it
            // changes (`r` scores them all again).
            if !self.risk.loaded {
                effects.push(Request::Risk);
            }
            self.card_for = None;
        } else if stale {
            effects.push(self.pane_request(pane));
        }
        if !self.is_queue() && matches!(Pane::ALL[pane], Pane::MyQueue) {
            self.want_rows(effects);
        }
        self.follow_selection(effects);
    }

    /// The pane whose data an answer is.
    fn pane_of(&self, answer: &Response) -> Option<usize> {
        let pane = match answer {
            Response::List { pane, .. } => return Some(*pane),
            Response::Checkins { .. } => Pane::CheckIns,
            Response::Payments { .. } => Pane::Payments,
            Response::Metrics(_) => Pane::Metrics,
            Response::MyQueue { .. } => Pane::MyQueue,
            Response::Risk { .. } => Pane::AtRisk,
            _ => return None,
        };
        Pane::ALL.iter().position(|p| *p == pane)
    }

    fn mark_fresh(&mut self, pane: Pane) {
        if let Some(at) = Pane::ALL.iter().position(|p| *p == pane) {
            self.fresh[at] = true;
        }
    }

    /// What loads a pane's data.
    fn pane_request(&self, pane: usize) -> Request {
        match Pane::ALL[pane] {
            Pane::CheckIns => self.checkins_request(),
            Pane::Payments => Request::Payments,
            Pane::Metrics => Request::Metrics,
            Pane::AtRisk => Request::Risk,
            Pane::MyQueue if self.identity.rep.is_some() => Request::MyQueue,
            Pane::MyQueue => Request::List { pane },
        }
    }

    /// A rep who opens an account takes it: when it has no owner, a claim tells other reps
    /// someone is on it. The claim on the account before is let go.
    fn claim(&mut self, id: i64, effects: &mut Vec<Request>) {
        if self.identity.rep.is_none() || self.claimed == Some(id) {
            return;
        }
        self.release_claim(effects);
        effects.push(Request::Claim { account_id: id });
    }

    fn release_claim(&mut self, effects: &mut Vec<Request>) {
        if let Some(account_id) = self.claimed.take() {
            effects.push(Request::Release { account_id });
        }
    }

    fn open_card(&mut self, id: i64, effects: &mut Vec<Request>) {
        self.forget_infos();
        self.claim(id, effects);
        self.view = View::Card;
        self.card_scroll = 0;
        self.facts_scroll = 0;
        self.card_contact = None;
        if self.card_for != Some(id) || self.card.is_none() {
            self.card = None;
        }
        self.card_for = Some(id);
        effects.push(Request::Card { account_id: id });
    }

    fn open_form(&mut self, effects: &mut Vec<Request>) {
        let id = match self.view {
            View::Card => self.card_for,
            View::List => self.selected_id(),
        };
        let Some(id) = id else {
            self.toast("no account selected", Level::Error);
            return;
        };
        let name = self
            .card
            .as_ref()
            .filter(|c| c.row.account_id == id)
            .map(|c| c.row.name.clone())
            .or_else(|| self.rows.get(&id).map(|r| r.name.clone()))
            .or_else(|| {
                self.selected_payment()
                    .filter(|i| i.account_id == id)
                    .map(|i| i.name.clone())
            })
            .unwrap_or_else(|| format!("account {id}"));
        self.form = Some(FormState::new(id, name));
        self.claim(id, effects);
        effects.push(Request::LoadDraft { account_id: id });
    }

    /// The form on the selected account, of `kind`, its note begun with `note` (the draft,
    /// if the rep left one, comes back over it).
    fn open_form_as(&mut self, kind: InteractionKind, note: &str, effects: &mut Vec<Request>) {
        self.open_form(effects);
        if let Some(form) = &mut self.form {
            form.kind = FORM_KINDS.iter().position(|k| *k == kind).unwrap_or(0);
            form.note = Editor::multi_line(note);
            form.unsaved_since = Some(self.now);
        }
    }

    fn save_form(&mut self, effects: &mut Vec<Request>) {
        let today = self.today;
        let wall_now = self.wall_now;
        let rep = self.identity.me().map(str::to_string);
        let Some(form) = &mut self.form else { return };
        if form.saving {
            return;
        }
        let note = form.note.text();
        if note.trim().is_empty() {
            form.error = Some("the note is empty: say what happened".into());
            form.field = FormField::Note;
            return;
        }
        let follow_up_on = match form.follow_up_day(today) {
            None => None,
            Some(Ok(day)) => Some(day),
            Some(Err(e)) => {
                form.error = Some(e);
                form.field = FormField::FollowUp;
                return;
            }
        };
        let outcome = form.outcome_word();
        form.saving = true;
        form.error = None;
        effects.push(Request::Log {
            account_id: form.account_id,
            interaction: Interaction {
                rep,
                kind: FORM_KINDS[form.kind],
                occurred_at: wall_now,
                summary: note_summary(&note),
                body: note.trim_end().to_string(),
                outcome: outcome.map(str::to_string),
                tags: form
                    .tags
                    .text()
                    .split([' ', ','])
                    .map(|t| t.trim().to_lowercase())
                    .filter(|t| !t.is_empty())
                    .collect(),
                follow_up_on,
            },
        });
    }

    fn on_response(&mut self, response: Response, effects: &mut Vec<Request>) {
        match response {
            Response::Loaded { generation, answer } => {
                let pane = self.pane_of(&answer);
                self.on_response(*answer, effects);
                // Newer than what was shown, so shown; but read before the last change.
                if generation != self.generation
                    && let Some(pane) = pane
                {
                    self.fresh[pane] = false;
                }
            }
            Response::List { pane, ids } => {
                self.counts[pane] = Some(ids.len() as i64);
                self.fresh[pane] = true;
                self.panes[pane].replace(ids);
                if pane == self.pane {
                    self.scroll_into_view();
                    self.want_rows(effects);
                    self.follow_selection(effects);
                }
            }
            Response::Changed => {
                self.invalidate();
                self.reload_shown(effects);
            }
            Response::Rows { rows } => {
                for row in rows {
                    self.requested_rows.remove(&row.account_id);
                    self.rows.insert(row.account_id, row);
                }
            }
            Response::Card {
                account_id,
                card,
                risk,
            } => {
                if self.card_for == Some(account_id) {
                    self.card_risk = risk;
                    if card.is_none() {
                        self.toast(
                            format!("account {account_id} no longer exists"),
                            Level::Error,
                        );
                    }
                    self.card = card;
                    let max = self
                        .card
                        .as_ref()
                        .map_or(0, |c| c.timeline.len().saturating_sub(1));
                    self.card_scroll = self.card_scroll.min(max);
                }
            }
            Response::Search {
                query,
                hits,
                indexing,
            } => {
                if let Overlay::Search(s) = &mut self.overlay
                    && s.input.text() == query
                {
                    s.hits = hits;
                    s.answered = query;
                    s.indexing = indexing;
                    // The rep's choice stays chosen wherever a later answer lists it.
                    let chosen = s
                        .chosen
                        .and_then(|id| s.hits.iter().position(|f| f.hit.account_id == id));
                    s.cursor = chosen.unwrap_or(s.cursor.min(s.hits.len().saturating_sub(1)));
                    if s.open_on_answer && !indexing {
                        s.open_on_answer = false;
                        if s.hits.is_empty() {
                            self.toast("no account matches", Level::Info);
                        } else {
                            self.run_command(Command::Open, effects);
                        }
                    }
                }
            }
            Response::Draft { account_id, draft } => {
                if let (Some(form), Some((draft, at))) = (&mut self.form, draft)
                    && form.account_id == account_id
                    && !form.has_text()
                {
                    form.restore(&draft);
                    let when = at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M");
                    self.toast(format!("draft from {when} restored"), Level::Info);
                }
            }
            Response::Logged {
                account_id,
                interaction_id,
            } => {
                self.invalidate();
                if self
                    .form
                    .as_ref()
                    .is_some_and(|f| f.account_id == account_id)
                {
                    let kind = self
                        .form
                        .as_ref()
                        .map_or("call", |f| FORM_KINDS[f.kind].as_str());
                    self.toast(format!("{kind} logged (#{interaction_id})"), Level::Info);
                    self.form = None;
                }
                if self.card_for == Some(account_id) {
                    effects.push(Request::Card { account_id });
                }
                // Only the account that changed is scored again.
                if self.risk.loaded {
                    effects.push(Request::RiskOne { account_id });
                }
                if Pane::ALL[self.pane] == Pane::CheckIns {
                    effects.push(self.checkins_request());
                }
                if Pane::ALL[self.pane] == Pane::Payments {
                    effects.push(Request::Payments);
                }
                if self.is_queue() {
                    effects.push(Request::MyQueue);
                }
            }
            Response::IndexReady => {
                self.index_ready = true;
                if let Overlay::Search(s) = &mut self.overlay {
                    s.indexing = false;
                }
            }
            Response::Risk { rows, index } => {
                drop_aside(std::mem::replace(&mut self.risk.index, index));
                drop_aside(std::mem::replace(&mut self.risk.rows, rows));
                self.risk.loaded = true;
                self.refilter(effects);
            }
            Response::Checkins { rows } => {
                self.mark_fresh(Pane::CheckIns);
                let at = Pane::ALL
                    .iter()
                    .position(|p| *p == Pane::CheckIns)
                    .unwrap_or(2);
                let index = rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.checkin_id, i))
                    .collect();
                drop_aside(std::mem::replace(&mut self.checkins.index, index));
                drop_aside(std::mem::replace(&mut self.checkins.rows, rows));
                self.checkins.loaded = true;
                let ids = self.checkins.ordered();
                if self.pane == at {
                    // Check-ins, not accounts, are listed: the account beside is asked for again.
                    self.card_for = None;
                }
                self.refill(at, ids, true, effects);
            }
            Response::RiskOne {
                account_id,
                row,
                risk,
            } => {
                if let Some(row) = row
                    && self.risk.loaded
                    && self.risk.put(*row)
                {
                    self.refilter(effects);
                }
                if let Some(risk) = risk {
                    self.risk.detail = Some((account_id, risk));
                }
            }
            Response::Logins(logins) => self.logins = logins,
            Response::Letter(letter) => self.show_letter(*letter),
            Response::Scheduled { changed } => {
                // Check-ins moved, so what is shown is asked for again. Housekeeping, not news
                // for a rep: nothing is said (`retain schedule` gives the counts).
                if changed {
                    self.invalidate();
                    self.reload_shown(effects);
                }
                // Then every other pane (but scoring, which waits for the at-risk pane), so
                // that switching to one is a redraw.
                for pane in 0..Pane::ALL.len() {
                    if pane != self.pane && !self.fresh[pane] && Pane::ALL[pane] != Pane::AtRisk {
                        effects.push(self.pane_request(pane));
                    }
                }
            }
            Response::NotesSaved { account_id, saved } => {
                let Overlay::Notes(n) = &mut self.overlay else {
                    return;
                };
                if n.account_id != account_id {
                    return;
                }
                n.saving = false;
                match saved {
                    NotesSave::Saved { .. } => {
                        self.overlay = Overlay::None;
                        self.toast("notes saved", Level::Info);
                        effects.push(Request::Card { account_id });
                    }
                    NotesSave::Conflict { theirs, version, by } => {
                        n.conflict = Some(Conflict { theirs, version, by });
                    }
                }
            }
            Response::Claimed { account_id, claim } => match claim {
                Claim::Mine { .. } => self.claimed = Some(account_id),
                Claim::Held { by, until } => self.toast(
                    format!(
                        "{by} is working on this team account (until {}): check with them before calling",
                        until.format("%H:%M")
                    ),
                    Level::Error,
                ),
                Claim::Owned => {}
            },
            Response::Metrics(data) => {
                self.metrics = Some(data);
                self.mark_fresh(Pane::Metrics);
            }
            Response::MyQueue { rows } => {
                self.my_queue.set(rows);
                self.mark_fresh(Pane::MyQueue);
                let ids = self.my_queue.ids();
                self.refill(0, ids, true, effects);
            }
            Response::Payments { items, report } => {
                self.payments.set(items, report);
                self.mark_fresh(Pane::Payments);
                self.refill_payments(effects);
            }
            Response::Done { account_id, what } => {
                self.retry_line = None;
                self.letter_done();
                self.invalidate();
                self.toast(what, Level::Info);
                if Pane::ALL[self.pane] == Pane::Payments {
                    effects.push(Request::Payments);
                }
                if self.is_queue() {
                    effects.push(Request::MyQueue);
                }
                effects.push(Request::RiskOne { account_id });
                if Pane::ALL[self.pane] == Pane::CheckIns {
                    effects.push(self.checkins_request());
                }
                if self.card_for == Some(account_id) && self.view == View::Card {
                    effects.push(Request::Card { account_id });
                }
            }
            Response::Failed(message) => {
                self.letter_failed();
                if let Some(line) = self.retry_line.take()
                    && matches!(self.overlay, Overlay::None)
                {
                    self.overlay = Overlay::Prompt(Editor::single_line(&line));
                }
                if let Some(form) = &mut self.form
                    && form.saving
                {
                    form.saving = false;
                    form.error = Some(format!("not saved: {message}"));
                    // What was typed is kept as a draft after all.
                    form.unsaved_since = Some(self.now);
                }
                self.toast(message, Level::Error);
            }
        }
    }
}

/// Applies an editing key to a text field; false when the key does not edit.
fn edit(editor: &mut Editor, key: &KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match key.code {
        KeyCode::Char('w') if ctrl => editor.delete_word_before(),
        KeyCode::Backspace if ctrl || alt => editor.delete_word_before(),
        KeyCode::Char('u') if ctrl => editor.delete_to_line_start(),
        KeyCode::Char('k') if ctrl => editor.delete_to_line_end(),
        KeyCode::Char('a') if ctrl => editor.home(),
        KeyCode::Char('e') if ctrl => editor.end(),
        KeyCode::Char('b') if alt => editor.word_left(),
        KeyCode::Char('f') if alt => editor.word_right(),
        KeyCode::Left if ctrl || alt => editor.word_left(),
        KeyCode::Right if ctrl || alt => editor.word_right(),
        KeyCode::Char(_) if ctrl || alt => return false,
        KeyCode::Char(c) => editor.insert_char(c),
        KeyCode::Enter => editor.insert_char('\n'),
        KeyCode::Backspace => editor.backspace(),
        KeyCode::Delete => editor.delete(),
        KeyCode::Left => editor.left(),
        KeyCode::Right => editor.right(),
        KeyCode::Up => editor.up(),
        KeyCode::Down => editor.down(),
        KeyCode::Home => editor.home(),
        KeyCode::End => editor.end(),
        _ => return false,
    }
    true
}

/// Lets go of a pane's old rows on a thread of their own. Freed on the console's thread, a
/// million at-risk rows took it 0.2 s, and the allocator's tidying after them 0.4 s more on
/// the next large allocation: keys waited that long.
fn drop_aside<T: Send + 'static>(old: T) {
    // Should no thread start, the rows are dropped here, as before.
    let _ = std::thread::Builder::new()
        .name("retain-drop".into())
        .spawn(move || drop(old));
}
