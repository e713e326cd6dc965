//! Keys: one table per context, the single source for dispatch, the footer, the `?` help and
//! the user's overrides in `~/.config/retain/keys.toml`.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where the rep is; each context has its own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Keys that work wherever text is not being typed.
    Global,
    List,
    /// The at-risk pane's list: the list's keys and its own.
    Risk,
    /// The check-ins pane's list: the list's keys and its own.
    Checkins,
    /// The payments pane's list: the list's keys and its own.
    Payments,
    /// A rep's queue: the list's keys and its own.
    Queue,
    /// The metrics pane: a page to read, no list.
    Metrics,
    Card,
    Search,
    Form,
    Help,
    Prompt,
    Confirm,
    /// Editing an account's notes.
    Notes,
    /// Someone saved the notes first: keep mine, take theirs, or merge.
    Conflict,
    /// A timeline entry read in full.
    Entry,
    /// An outreach letter, to send, edit, copy or log.
    Letter,
}

impl Context {
    /// A pane's list, where the cursor moves and Enter opens the account under it.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Context::List | Context::Risk | Context::Checkins | Context::Payments | Context::Queue
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Risk => "risk",
            Context::Checkins => "checkins",
            Context::Payments => "payments",
            Context::Queue => "queue",
            Context::Metrics => "metrics",
            Context::Card => "card",
            Context::Search => "search",
            Context::Form => "form",
            Context::Help => "help",
            Context::Prompt => "prompt",
            Context::Confirm => "confirm",
            Context::Notes => "notes",
            Context::Conflict => "conflict",
            Context::Entry => "entry",
            Context::Letter => "letter",
        }
    }

    const ALL: [Context; 17] = [
        Context::Letter,
        Context::Entry,
        Context::Metrics,
        Context::Notes,
        Context::Conflict,
        Context::Queue,
        Context::Global,
        Context::List,
        Context::Risk,
        Context::Checkins,
        Context::Payments,
        Context::Card,
        Context::Search,
        Context::Form,
        Context::Help,
        Context::Prompt,
        Context::Confirm,
    ];

    /// Contexts where printable keys are text, so global one-letter keys must not fire.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::Search | Context::Form | Context::Prompt | Context::Notes
        )
    }

    /// Contexts where only global chords (Ctrl-C) apply: text entry, and a question awaiting
    /// its answer.
    fn only_global_chords(self) -> bool {
        self.takes_text() || matches!(self, Context::Confirm | Context::Conflict)
    }
}

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Command {
    Quit,
    Help,
    Search,
    CommandLine,
    NextPane,
    PrevPane,
    Pane(u8),
    Down,
    Up,
    Top,
    Bottom,
    HalfDown,
    HalfUp,
    PageDown,
    PageUp,
    Open,
    Back,
    LogCall,
    NextMatch,
    PrevMatch,
    Save,
    NextField,
    PrevField,
    Yes,
    No,
    Sort,
    Mine,
    BandFilter,
    StageFilter,
    Rescore,
    Changes,
    Assign,
    Snooze,
    Complete,
    CompleteWord,
    SendLetter,
    EditOutside,
    Copy,
    /// Resume dunning paused with `:pause` (the command line's `:resume`; no key by default).
    Resume,
    DueFilter,
    NextQueue,
    PrevQueue,
    CardUpdated,
    RecordResult,
    Outreach,
    Pause,
    WriteOff,
    EditNotes,
    Discard,
    KeepMine,
    TakeTheirs,
    Merge,
    FactsDown,
    FactsUp,
}

impl Command {
    /// Commands that change the database: refused in a read-only console.
    pub fn writes(self) -> bool {
        matches!(
            self,
            Command::LogCall
                | Command::Resume
                | Command::SendLetter
                | Command::Complete
                | Command::Assign
                | Command::Snooze
                | Command::CardUpdated
                | Command::RecordResult
                | Command::Outreach
                | Command::Pause
                | Command::WriteOff
                | Command::EditNotes
        )
    }

    /// The command a word of the `:` line stands for, where it is one (`:owner` only filters);
    /// the line's words and what they may do are read from here, as the keys' are from the
    /// tables below.
    pub fn of_word(word: &str) -> Option<Command> {
        LINE_WORDS
            .iter()
            .find(|(w, _)| *w == word)
            .and_then(|(_, c)| *c)
    }

    /// Commands that change a list's order or filter: the list starts again at its top.
    pub fn reorders(self) -> bool {
        matches!(
            self,
            Command::Sort
                | Command::Mine
                | Command::BandFilter
                | Command::StageFilter
                | Command::Changes
                | Command::DueFilter
                | Command::NextQueue
                | Command::PrevQueue
        )
    }

    /// The name used in keys.toml.
    pub fn name(self) -> String {
        match self {
            Command::Quit => "quit".into(),
            Command::Help => "help".into(),
            Command::Search => "search".into(),
            Command::CommandLine => "command-line".into(),
            Command::NextPane => "next-pane".into(),
            Command::PrevPane => "prev-pane".into(),
            Command::Pane(n) => format!("pane-{n}"),
            Command::Down => "down".into(),
            Command::Up => "up".into(),
            Command::Top => "top".into(),
            Command::Bottom => "bottom".into(),
            Command::HalfDown => "half-page-down".into(),
            Command::HalfUp => "half-page-up".into(),
            Command::PageDown => "page-down".into(),
            Command::PageUp => "page-up".into(),
            Command::Open => "open".into(),
            Command::Back => "back".into(),
            Command::LogCall => "log".into(),
            Command::NextMatch => "next-match".into(),
            Command::PrevMatch => "prev-match".into(),
            Command::Save => "save".into(),
            Command::NextField => "next-field".into(),
            Command::PrevField => "prev-field".into(),
            Command::Yes => "yes".into(),
            Command::No => "no".into(),
            Command::Sort => "sort".into(),
            Command::Mine => "mine".into(),
            Command::BandFilter => "band".into(),
            Command::StageFilter => "stage".into(),
            Command::Rescore => "rescore".into(),
            Command::Changes => "changes".into(),
            Command::Complete => "complete".into(),
            Command::CompleteWord => "complete-word".into(),
            Command::SendLetter => "send".into(),
            Command::EditOutside => "edit-outside".into(),
            Command::Copy => "copy".into(),
            Command::Resume => "resume".into(),
            Command::DueFilter => "due".into(),
            Command::Assign => "assign".into(),
            Command::Snooze => "snooze".into(),
            Command::NextQueue => "next-queue".into(),
            Command::PrevQueue => "previous-queue".into(),
            Command::CardUpdated => "card-updated".into(),
            Command::RecordResult => "record-result".into(),
            Command::Outreach => "outreach".into(),
            Command::Pause => "pause".into(),
            Command::WriteOff => "write-off".into(),
            Command::EditNotes => "edit-notes".into(),
            Command::Discard => "discard".into(),
            Command::KeepMine => "keep-mine".into(),
            Command::TakeTheirs => "take-theirs".into(),
            Command::Merge => "merge".into(),
            Command::FactsDown => "facts-down".into(),
            Command::FactsUp => "facts-up".into(),
        }
    }
}

/// The words of the `:` line, first the one Tab completes to, and the command each stands for.
pub const LINE_WORDS: [(&str, Option<Command>); 14] = [
    ("acct", Some(Command::Search)),
    ("account", Some(Command::Search)),
    ("assign", Some(Command::Assign)),
    ("help", Some(Command::Help)),
    ("log", Some(Command::LogCall)),
    ("owner", None),
    ("pause", Some(Command::Pause)),
    ("q", Some(Command::Quit)),
    ("quit", Some(Command::Quit)),
    ("result", Some(Command::RecordResult)),
    ("resume", Some(Command::Resume)),
    ("snooze", Some(Command::Snooze)),
    ("writeoff", Some(Command::WriteOff)),
    ("write-off", Some(Command::WriteOff)),
];

/// A key's label and what it does, as the footer and the help show them.
pub type Hint = (String, &'static str);

/// One key press: a code and its modifiers (Shift is part of the character for letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        if !matches!(ev.code, KeyCode::Char(_)) {
            mods |= ev.modifiers & KeyModifiers::SHIFT;
        }
        let code = match ev.code {
            // Terminals send Shift-Tab as BackTab, sometimes with Shift set.
            KeyCode::BackTab => {
                return Key {
                    code: KeyCode::BackTab,
                    mods: KeyModifiers::NONE,
                };
            }
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            code => code,
        };
        Key { code, mods }
    }

    /// `j`, `G`, `ctrl-d`, `enter`, `shift-tab`, `pgdn`, `f1` ...
    pub fn parse(text: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt-") {
                mods |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "shift-tab" | "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if mods.contains(KeyModifiers::CONTROL) => {
                        KeyCode::Char(c.to_ascii_lowercase())
                    }
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return Err(format!("{text:?} is not a key")),
                }
            }
        };
        Ok(Key { code, mods })
    }

    /// How the key is written in the footer and the help.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(' ') => "Space".into(),
            KeyCode::Char(c) => c.to_string(),
            _ => "?".into(),
        };
        let mut label = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            label.push_str("C-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            label.push_str("M-");
        }
        label + &base
    }
}

/// A key or a two-key sequence such as `g g`.
pub type Keys = Vec<Key>;

fn parse_keys(text: &str) -> Result<Keys, String> {
    let keys: Vec<Key> = text
        .split_whitespace()
        .map(Key::parse)
        .collect::<Result<_, _>>()?;
    match keys.len() {
        1 | 2 => Ok(keys),
        _ => Err(format!("{text:?}: a binding is one key or two")),
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub keys: Keys,
    pub command: Command,
    pub help: &'static str,
}

/// What a key press did, given what was pressed before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Command(Command),
    /// The first key of a sequence: wait for the next.
    Pending,
    None,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    tables: BTreeMap<Context, Vec<Binding>>,
}

impl Default for Keymap {
    fn default() -> Self {
        use Command::*;
        use Context as C;
        let table: &[(C, &str, Command, &'static str)] = &[
            (C::Global, "ctrl-c", Quit, "quit"),
            (C::Global, "q", Quit, "quit (close a view)"),
            (C::Global, "?", Help, "help: every key here"),
            (C::Global, "/", Search, "find an account"),
            (C::Global, ":", CommandLine, "command line (:acct NAME, :q)"),
            (C::Global, "tab", NextPane, "next pane"),
            (C::Global, "shift-tab", PrevPane, "previous pane"),
            (C::Global, "1", Pane(1), "my queue"),
            (C::Global, "2", Pane(2), "at risk"),
            (C::Global, "3", Pane(3), "check-ins"),
            (C::Global, "4", Pane(4), "payments"),
            (C::Global, "5", Pane(5), "metrics"),
            (C::List, "j", Down, "down"),
            (C::List, "down", Down, "down"),
            (C::List, "k", Up, "up"),
            (C::List, "up", Up, "up"),
            (C::List, "enter", Open, "open the card"),
            (C::List, "l", LogCall, "log a call"),
            (C::List, "g g", Top, "top"),
            (C::List, "home", Top, "top"),
            (C::List, "G", Bottom, "bottom"),
            (C::List, "end", Bottom, "bottom"),
            (C::List, "ctrl-d", HalfDown, "half a page down"),
            (C::List, "ctrl-u", HalfUp, "half a page up"),
            (C::List, "pgdn", PageDown, "page down"),
            (C::List, "pgup", PageUp, "page up"),
            (C::List, "n", NextMatch, "next search result"),
            (C::List, "N", PrevMatch, "previous search result"),
            (C::Risk, "s", Sort, "sort: score, MRR at stake, rise"),
            (C::Risk, "m", Mine, "mine / all"),
            (C::Risk, "b", BandFilter, "band: all, high, medium, low"),
            (C::Risk, "t", StageFilter, "stage: all, early, mid, late"),
            (C::Risk, "c", Changes, "only what changed since yesterday"),
            (C::Risk, "a", Assign, "assign an owner (:assign LOGIN)"),
            (C::Risk, "z", Snooze, "snooze (:snooze DAY REASON)"),
            (C::Risk, "r", Rescore, "score every account again"),
            (C::Checkins, "d", Complete, "complete it: log the check-in"),
            (
                C::Checkins,
                "w",
                DueFilter,
                "due: this week, overdue, today",
            ),
            (C::Checkins, "m", Mine, "mine / all"),
            (
                C::Checkins,
                "t",
                StageFilter,
                "stage: all, early, mid, late",
            ),
            (C::Checkins, "z", Snooze, "put it off (:snooze DAY REASON)"),
            (
                C::Checkins,
                "a",
                Assign,
                "reassign the account (:assign LOGIN)",
            ),
            (
                C::Payments,
                "f",
                NextQueue,
                "next queue (all, due, new card ...)",
            ),
            (C::Payments, "F", PrevQueue, "previous queue"),
            (C::Payments, "m", Mine, "mine / all"),
            (C::Payments, "u", CardUpdated, "card updated: retry now"),
            (
                C::Payments,
                "r",
                RecordResult,
                "record a retry (:result ok, :result CODE)",
            ),
            (C::Payments, "o", Outreach, "outreach: message prefilled"),
            (C::Payments, "p", Pause, "pause dunning (:pause DAY REASON)"),
            (C::Payments, "W", WriteOff, "write off (:writeoff REASON)"),
            (C::Queue, "z", Snooze, "put it off"),
            (
                C::Queue,
                "a",
                Assign,
                "reassign the account (:assign LOGIN)",
            ),
            (C::Card, "e", EditNotes, "edit the account notes"),
            (C::Notes, "ctrl-s", Save, "save"),
            (
                C::Notes,
                "esc",
                Back,
                "close (unsaved text stays until Ctrl-x)",
            ),
            (C::Notes, "ctrl-x", Discard, "throw your changes away"),
            (C::Conflict, "k", KeepMine, "keep mine: save over theirs"),
            (
                C::Conflict,
                "t",
                TakeTheirs,
                "take theirs (yours kept as a draft note)",
            ),
            (
                C::Conflict,
                "m",
                Merge,
                "merge: both texts to edit into one",
            ),
            (C::Conflict, "esc", Back, "back to editing"),
            (C::Card, "l", LogCall, "log a call"),
            (C::Card, "a", Assign, "assign an owner"),
            (C::Card, "z", Snooze, "snooze its risk"),
            (C::Card, "esc", Back, "back to the list"),
            (C::Card, "q", Back, "back to the list"),
            (
                C::Card,
                "enter",
                Open,
                "read the top timeline entry in full",
            ),
            (
                C::Card,
                "J",
                FactsDown,
                "more of the account (contacts, notes)",
            ),
            (C::Card, "K", FactsUp, "back up the account"),
            (C::Card, "j", Down, "scroll the timeline"),
            (C::Card, "down", Down, "scroll the timeline"),
            (C::Card, "k", Up, "scroll back"),
            (C::Card, "up", Up, "scroll back"),
            (C::Card, "g g", Top, "newest"),
            (C::Card, "G", Bottom, "oldest"),
            (C::Card, "ctrl-d", HalfDown, "half a page down"),
            (C::Card, "ctrl-u", HalfUp, "half a page up"),
            (C::Card, "pgdn", PageDown, "page down"),
            (C::Card, "pgup", PageUp, "page up"),
            (C::Card, "n", NextMatch, "next search result"),
            (C::Card, "N", PrevMatch, "previous search result"),
            (C::Search, "enter", Open, "open the account"),
            (C::Search, "esc", Back, "close"),
            (C::Search, "down", Down, "next result"),
            (C::Search, "ctrl-n", Down, "next result"),
            (C::Search, "up", Up, "previous result"),
            (C::Search, "ctrl-p", Up, "previous result"),
            (C::Form, "ctrl-s", Save, "save"),
            (C::Form, "esc", Back, "cancel (asks before discarding)"),
            (C::Form, "tab", NextField, "next field"),
            (C::Form, "shift-tab", PrevField, "previous field"),
            (
                C::Letter,
                "s",
                SendLetter,
                "send it (mail_command in payments.toml)",
            ),
            (C::Letter, "e", EditOutside, "edit it in $EDITOR"),
            (C::Letter, "y", Copy, "copy it (to paste in a mail program)"),
            (C::Letter, "l", LogCall, "log it as sent by hand"),
            (C::Letter, "esc", Back, "close"),
            (C::Letter, "q", Back, "close"),
            (C::Entry, "esc", Back, "close"),
            (C::Entry, "q", Back, "close"),
            (C::Entry, "enter", Back, "close"),
            (C::Entry, "j", Down, "scroll"),
            (C::Entry, "down", Down, "scroll"),
            (C::Entry, "k", Up, "scroll back"),
            (C::Entry, "up", Up, "scroll back"),
            (C::Help, "esc", Back, "close"),
            (C::Help, "q", Back, "close"),
            (C::Help, "?", Back, "close"),
            (C::Help, "j", Down, "scroll"),
            (C::Help, "down", Down, "scroll"),
            (C::Help, "k", Up, "scroll back"),
            (C::Help, "up", Up, "scroll back"),
            (C::Prompt, "enter", Open, "run the command"),
            (
                C::Prompt,
                "tab",
                CompleteWord,
                "complete the command, login or code",
            ),
            (C::Prompt, "esc", Back, "cancel"),
            (C::Confirm, "y", Yes, "yes"),
            (C::Confirm, "n", No, "no"),
            (C::Confirm, "esc", No, "no"),
        ];
        let mut tables: BTreeMap<Context, Vec<Binding>> = BTreeMap::new();
        for &(context, keys, command, help) in table {
            tables.entry(context).or_default().push(Binding {
                keys: parse_keys(keys).expect("default keys parse"),
                command,
                help,
            });
        }
        Keymap { tables }
    }
}

impl Keymap {
    /// The defaults with a user's overrides: `[context] command = "key"` or `= ["key", "g g"]`.
    /// Each command named replaces that command's keys in that context.
    pub fn with_overrides(toml_text: &str) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        let doc: toml::Table = toml_text.parse().map_err(|e| format!("{e}"))?;
        for (context_name, commands) in doc {
            let context = Context::ALL
                .into_iter()
                .find(|c| c.name() == context_name)
                .ok_or_else(|| format!("[{context_name}] is not a context"))?;
            let commands = commands
                .as_table()
                .ok_or_else(|| format!("[{context_name}] must be a table of command = keys"))?;
            for (command_name, keys) in commands {
                let texts: Vec<&str> = match keys {
                    toml::Value::String(s) => vec![s.as_str()],
                    toml::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
                    _ => {
                        return Err(format!(
                            "{context_name}.{command_name}: give a key or a list of keys"
                        ));
                    }
                };
                let table = map.tables.entry(context).or_default();
                let template = table
                    .iter()
                    .find(|b| b.command.name() == *command_name)
                    .cloned()
                    .ok_or_else(|| {
                        format!("{context_name}.{command_name} is not a command of that context")
                    })?;
                table.retain(|b| b.command != template.command);
                // The user's keys come first, so they win over a default on the same key.
                for text in texts.into_iter().rev() {
                    table.insert(
                        0,
                        Binding {
                            keys: parse_keys(text)
                                .map_err(|e| format!("{context_name}.{command_name}: {e}"))?,
                            command: template.command,
                            help: template.help,
                        },
                    );
                }
            }
        }
        Ok(map)
    }

    /// The bindings that apply in `context`, its own first, then the global ones it does not
    /// shadow (only chords such as Ctrl-C where keys are text or answers).
    pub fn active(&self, context: Context) -> Vec<&Binding> {
        let own = self.tables.get(&context).into_iter().flatten();
        let mut active: Vec<&Binding> = own.collect();
        // The pane lists are lists: they have the list's keys under their own.
        if matches!(
            context,
            Context::Risk | Context::Checkins | Context::Payments | Context::Queue
        ) {
            for b in self.tables.get(&Context::List).into_iter().flatten() {
                if !active.iter().any(|a| a.keys == b.keys) {
                    active.push(b);
                }
            }
        }
        if context != Context::Global {
            for b in self.tables.get(&Context::Global).into_iter().flatten() {
                let shadowed = active.iter().any(|a| a.keys == b.keys);
                let plain = b.keys[0].mods.is_empty();
                if !(shadowed || plain && context.only_global_chords()) {
                    active.push(b);
                }
            }
        }
        active
    }

    pub fn lookup(&self, context: Context, pending: Option<Key>, key: Key) -> Lookup {
        let active = self.active(context);
        if let Some(first) = pending {
            return active
                .iter()
                .find(|b| b.keys == [first, key])
                .map_or(Lookup::None, |b| Lookup::Command(b.command));
        }
        if let Some(b) = active.iter().find(|b| b.keys == [key]) {
            return Lookup::Command(b.command);
        }
        if active.iter().any(|b| b.keys.len() == 2 && b.keys[0] == key) {
            return Lookup::Pending;
        }
        Lookup::None
    }

    /// `(keys, what they do)` for the footer or the help, keys of one command joined.
    pub fn describe(&self, context: Context) -> Vec<(String, &'static str)> {
        self.described(context)
            .into_iter()
            .map(|(k, h, _)| (k, h))
            .collect()
    }

    /// What the footer offers: opening, logging and the lookup first, then where you are's own
    /// actions (none that writes when `writes` is false: a read-only console), and help last,
    /// always; moving about (j, k, pages, panes) and quitting are left to `?`.
    pub fn footer(&self, context: Context, writes: bool) -> (Vec<Hint>, Option<Hint>) {
        use Command::*;
        let all = self.described(context);
        let moving = |c: Command| {
            matches!(
                c,
                Down | Up
                    | Top
                    | Bottom
                    | HalfDown
                    | HalfUp
                    | PageDown
                    | PageUp
                    | NextMatch
                    | PrevMatch
                    | NextPane
                    | PrevPane
                    | Pane(_)
                    | Help
                    | Search
                    | CommandLine
                    | Quit
            ) || (c.writes() && !writes)
        };
        // Opening, logging and the lookup lead wherever they are offered: what a rep on a call
        // needs. Then where you are's own actions, in the table's order.
        let rank = |c: Command| match c {
            Open => 0,
            LogCall => 1,
            Search => 2,
            _ => 3,
        };
        let mut offered: Vec<&(String, &'static str, Command)> = all
            .iter()
            .filter(|(_, _, c)| !moving(*c) || *c == Search)
            .collect();
        offered.sort_by_key(|(_, _, c)| rank(*c));
        let first: Vec<Hint> = offered
            .iter()
            .map(|(k, h, _)| (k.clone(), short(h)))
            .collect();

        let help = all
            .iter()
            .find(|(_, _, c)| *c == Help)
            .map(|(k, h, _)| (k.clone(), *h));
        (first, help)
    }

    fn described(&self, context: Context) -> Vec<(String, &'static str, Command)> {
        let mut out: Vec<(String, &'static str, Command)> = Vec::new();
        for b in self.active(context) {
            let label: String = b.keys.iter().map(Key::label).collect::<Vec<_>>().join("");
            match out.iter_mut().find(|(_, _, c)| *c == b.command) {
                Some(entry) => {
                    entry.0.push('/');
                    entry.0.push_str(&label);
                }
                None => out.push((label, b.help, b.command)),
            }
        }
        out
    }
}

/// A help line as the footer says it: up to its first `:` or `(`, where the details start
/// ("sort: score, MRR at stake, rise" is "sort"); the `?` help keeps the whole line.
fn short(help: &'static str) -> &'static str {
    help.split([':', '(']).next().unwrap_or(help).trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_lines_words_say_what_they_do_in_one_place() {
        assert_eq!(Command::of_word("resume"), Some(Command::Resume));
        assert!(Command::of_word("resume").is_some_and(Command::writes));
        assert!(Command::of_word("write-off").is_some_and(Command::writes));
        assert!(!Command::of_word("acct").is_some_and(Command::writes));
        assert_eq!(Command::of_word("owner"), None, "a filter, no command");
        assert_eq!(Command::of_word("nonsense"), None);
    }

    fn key(text: &str) -> Key {
        Key::parse(text).unwrap()
    }

    #[test]
    fn keys_parse_and_label() {
        assert_eq!(
            key("ctrl-d"),
            Key {
                code: KeyCode::Char('d'),
                mods: KeyModifiers::CONTROL
            }
        );
        assert_eq!(key("G").code, KeyCode::Char('G'));
        assert_eq!(key("pgdn").code, KeyCode::PageDown);
        assert_eq!(key("shift-tab").code, KeyCode::BackTab);
        assert_eq!(key("ctrl-d").label(), "C-d");
        assert!(Key::parse("nope").is_err());
    }

    #[test]
    fn context_keys_come_before_global_ones_and_g_g_is_a_sequence() {
        let map = Keymap::default();
        assert_eq!(
            map.lookup(Context::List, None, key("j")),
            Lookup::Command(Command::Down)
        );
        assert_eq!(
            map.lookup(Context::List, None, key("/")),
            Lookup::Command(Command::Search)
        );
        assert_eq!(
            map.lookup(Context::Card, None, key("q")),
            Lookup::Command(Command::Back)
        );
        assert_eq!(
            map.lookup(Context::List, None, key("q")),
            Lookup::Command(Command::Quit)
        );
        assert_eq!(map.lookup(Context::List, None, key("g")), Lookup::Pending);
        assert_eq!(
            map.lookup(Context::List, Some(key("g")), key("g")),
            Lookup::Command(Command::Top)
        );
        assert_eq!(
            map.lookup(Context::List, Some(key("g")), key("x")),
            Lookup::None
        );
    }

    #[test]
    fn typing_contexts_keep_letters_for_text_but_ctrl_c_quits() {
        let map = Keymap::default();
        assert_eq!(map.lookup(Context::Form, None, key("q")), Lookup::None);
        assert_eq!(map.lookup(Context::Search, None, key("1")), Lookup::None);
        assert_eq!(
            map.lookup(Context::Form, None, key("ctrl-c")),
            Lookup::Command(Command::Quit)
        );
        assert_eq!(
            map.lookup(Context::Form, None, key("ctrl-s")),
            Lookup::Command(Command::Save)
        );
    }

    #[test]
    fn overrides_replace_a_commands_keys() {
        let map =
            Keymap::with_overrides("[list]\ndown = [\"n\", \"down\"]\ntop = \"t\"\n").unwrap();
        assert_eq!(
            map.lookup(Context::List, None, key("n")),
            Lookup::Command(Command::Down)
        );
        assert_eq!(map.lookup(Context::List, None, key("j")), Lookup::None);
        assert_eq!(
            map.lookup(Context::List, None, key("t")),
            Lookup::Command(Command::Top)
        );
        assert_eq!(map.lookup(Context::List, None, key("g")), Lookup::None);
    }

    #[test]
    fn bad_overrides_say_what_is_wrong() {
        assert!(
            Keymap::with_overrides("[lst]\ndown = \"j\"")
                .unwrap_err()
                .contains("lst")
        );
        assert!(
            Keymap::with_overrides("[list]\nfly = \"j\"")
                .unwrap_err()
                .contains("fly")
        );
        assert!(Keymap::with_overrides("[list]\ndown = \"jj jj jj\"").is_err());
        assert!(Keymap::with_overrides("not toml [").is_err());
    }

    #[test]
    fn the_help_lists_every_key_of_a_context_once_per_command() {
        let map = Keymap::default();
        let help = map.describe(Context::List);
        let down = help.iter().find(|(_, h)| *h == "down").unwrap();
        assert_eq!(down.0, "j/↓");
        assert!(help.iter().any(|(k, _)| k == "gg/Home"));
        assert!(
            help.iter().any(|(_, h)| *h == "find an account"),
            "globals follow"
        );
    }
}
