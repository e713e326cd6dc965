//! Keys: one table per context, the single source for dispatch, the footer, the `?` help and
//! the user's overrides in `~/.config/retain/keys.toml`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::access::Write;

/// Where the rep is; each context has its own keys.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[strum(serialize_all = "lowercase")]
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

    /// Its name in keys.toml and the help's title.
    pub fn name(self) -> &'static str {
        self.into()
    }

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
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "kebab-case")]
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
    #[strum(serialize = "half-page-down")]
    HalfDown,
    #[strum(serialize = "half-page-up")]
    HalfUp,
    PageDown,
    PageUp,
    Open,
    Back,
    #[strum(serialize = "log")]
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
    #[strum(serialize = "band")]
    BandFilter,
    #[strum(serialize = "stage")]
    StageFilter,
    Rescore,
    Changes,
    Assign,
    Snooze,
    Complete,
    CompleteWord,
    #[strum(serialize = "send")]
    SendLetter,
    EditOutside,
    Copy,
    /// Resume dunning paused with `:pause` (the command line's `:resume`; no key by default).
    Resume,
    #[strum(serialize = "due")]
    DueFilter,
    NextQueue,
    #[strum(serialize = "previous-queue")]
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
    /// What the command writes (`domain::access`'s list, the store's too): a read-only console
    /// refuses it at once, and leaves it out of the footer.
    pub fn write(self) -> Option<Write> {
        Some(match self {
            Command::LogCall | Command::Complete | Command::SendLetter => Write::Log,
            // The letter it opens is sent and logged.
            Command::Outreach => Write::Log,
            Command::Resume
            | Command::CardUpdated
            | Command::RecordResult
            | Command::Pause
            | Command::WriteOff => Write::Payment,
            Command::Assign => Write::Assign,
            Command::Snooze => Write::Snooze,
            Command::EditNotes => Write::Notes,
            _ => return None,
        })
    }

    pub fn writes(self) -> bool {
        self.write().is_some()
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

    /// The name used in keys.toml: `down`, `half-page-down`, `pane-3`.
    pub fn name(self) -> String {
        match self {
            Command::Pane(n) => format!("pane-{n}"),
            other => <&str>::from(other).to_string(),
        }
    }

    /// The command of a name in keys.toml.
    pub fn named(name: &str) -> Option<Command> {
        match name.strip_prefix("pane-") {
            Some(n) => n.parse().ok().map(Command::Pane),
            None => name.parse().ok().filter(|c| !matches!(c, Command::Pane(_))),
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
                match f[1..].parse() {
                    Ok(n @ 1..=24) => KeyCode::F(n),
                    _ => {
                        return Err(format!(
                            "{text:?} is not a key (function keys are f1 to f24)"
                        ));
                    }
                }
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if c.is_control() => {
                        return Err(format!(
                            "{text:?} is not a key: name it (esc, enter, tab …)"
                        ));
                    }
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

    /// How keys.toml writes the key, as `parse` reads it: `ctrl-d`, `G`, `shift-tab`, `pgdn`.
    pub fn spec(&self) -> String {
        self.written(|(spec, _)| spec, "ctrl-", "alt-", |n| format!("f{n}"))
    }

    /// How the key is written in the footer and the help.
    pub fn label(&self) -> String {
        self.written(|(_, label)| label, "C-", "M-", |n| format!("F{n}"))
    }

    /// The key in words: a named key's spec or label (`pick`), a function key by `function`,
    /// a character as itself, after the modifiers' prefixes.
    fn written(
        &self,
        pick: impl Fn((&'static str, &'static str)) -> &'static str,
        ctrl: &str,
        alt: &str,
        function: impl Fn(u8) -> String,
    ) -> String {
        let base = match self.code {
            KeyCode::F(n) => function(n),
            KeyCode::Char(' ') => pick(("space", "Space")).to_string(),
            KeyCode::Char(c) => c.to_string(),
            code => KEY_NAMES
                .iter()
                .find(|(c, _)| *c == code)
                .map_or("?", |(_, names)| pick(*names))
                .to_string(),
        };
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str(ctrl);
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str(alt);
        }
        out + &base
    }
}

/// The named keys, as keys.toml writes them and as the screen shows them.
const KEY_NAMES: [(KeyCode, (&str, &str)); 14] = [
    (KeyCode::Enter, ("enter", "Enter")),
    (KeyCode::Esc, ("esc", "Esc")),
    (KeyCode::Tab, ("tab", "Tab")),
    (KeyCode::BackTab, ("shift-tab", "S-Tab")),
    (KeyCode::Up, ("up", "↑")),
    (KeyCode::Down, ("down", "↓")),
    (KeyCode::Left, ("left", "←")),
    (KeyCode::Right, ("right", "→")),
    (KeyCode::Home, ("home", "Home")),
    (KeyCode::End, ("end", "End")),
    (KeyCode::PageUp, ("pgup", "PgUp")),
    (KeyCode::PageDown, ("pgdn", "PgDn")),
    (KeyCode::Backspace, ("backspace", "Bksp")),
    (KeyCode::Delete, ("delete", "Del")),
];

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

/// A binding's keys as keys.toml writes them: `ctrl-d`, `g g`.
fn spec(keys: &Keys) -> String {
    keys.iter().map(Key::spec).collect::<Vec<_>>().join(" ")
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A command's keys in keys.toml, and its help when given: `"j"`, `["j", "down"]` or
/// `{ keys = [...], help = "..." }`; at least one key.
fn keys_and_help(value: &toml::Value) -> Result<(Vec<&str>, Option<&str>), String> {
    const GIVE: &str = "give a key or a list of keys";
    fn list(v: &toml::Value) -> Result<Vec<&str>, String> {
        let keys: Vec<&str> = match v {
            toml::Value::String(s) => vec![s.as_str()],
            toml::Value::Array(a) => a
                .iter()
                .map(|k| k.as_str().ok_or(GIVE))
                .collect::<Result<_, _>>()?,
            _ => return Err(GIVE.into()),
        };
        if keys.is_empty() {
            return Err("give it at least one key (a command cannot be left without one)".into());
        }
        Ok(keys)
    }
    let toml::Value::Table(t) = value else {
        return Ok((list(value)?, None));
    };
    if let Some(other) = t.keys().find(|k| !["keys", "help"].contains(&k.as_str())) {
        return Err(format!(
            "{other:?} is not a field (a command has keys and help)"
        ));
    }
    let help = match t.get("help") {
        None => None,
        Some(toml::Value::String(h)) => Some(h.as_str()),
        Some(_) => return Err("help is words, in quotes".into()),
    };
    Ok((list(t.get("keys").ok_or(GIVE)?)?, help))
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

/// The default keys, read once from `keys.toml` beside this file.
static DEFAULT: LazyLock<Keymap> = LazyLock::new(|| {
    let mut map = Keymap {
        tables: BTreeMap::new(),
    };
    map.apply(include_str!("keys.toml"), true)
        .expect("the default keys.toml reads");
    map
});

impl Default for Keymap {
    fn default() -> Self {
        DEFAULT.clone()
    }
}

impl Keymap {
    /// The defaults with a rep's overrides: `[context] command = "key"`, `= ["key", "g g"]` or
    /// `= { keys = [...], help = "..." }`. Each command named replaces that command's keys in
    /// that context.
    pub fn with_overrides(toml_text: &str) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        map.apply(toml_text, false)?;
        Ok(map)
    }

    /// Reads `toml_text` into the tables: the defaults when `defaults` (each command new, with
    /// its help), else a rep's overrides of commands the context has. A command keeps its place
    /// in the help and takes exactly the keys given; a key given to it is taken from any other
    /// command of the context. Refused: no key at all, a key given to two commands, and a way
    /// out (quit, back, no) left without a key: a rep could shut themselves in.
    fn apply(&mut self, toml_text: &str, defaults: bool) -> Result<(), String> {
        let doc: toml::Table = toml_text.parse().map_err(|e| format!("{e}"))?;
        for (context_name, commands) in doc {
            let context: Context = context_name
                .parse()
                .map_err(|_| format!("[{context_name}] is not a context"))?;
            let commands = commands
                .as_table()
                .ok_or_else(|| format!("[{context_name}] must be a table of command = keys"))?;
            let table = self.tables.entry(context).or_default();
            let had: Vec<Command> = table.iter().map(|b| b.command).collect();
            let mut given: Vec<(Command, Keys)> = Vec::new();
            for (command_name, value) in commands {
                let at = format!("{context_name}.{command_name}");
                let (texts, help) = keys_and_help(value).map_err(|e| format!("{at}: {e}"))?;
                let (command, old_help) =
                    match table.iter().find(|b| b.command.name() == *command_name) {
                        Some(b) if !defaults => (b.command, b.help),
                        None if defaults => match Command::named(command_name) {
                            Some(c) => (c, ""),
                            None => return Err(format!("{command_name} is not a command")),
                        },
                        _ => return Err(format!("{at} is not a command of that context")),
                    };
                // Read once a run: the help lives as long as the keymap does.
                let help: &'static str = match help {
                    Some(h) => Box::leak(h.to_string().into_boxed_str()),
                    None if defaults => return Err(format!("{at} has no help")),
                    None => old_help,
                };
                let keys: Vec<Keys> = texts
                    .iter()
                    .map(|t| parse_keys(t).map_err(|e| format!("{at}: {e}")))
                    .collect::<Result<_, _>>()?;
                for k in &keys {
                    if let Some((other, _)) = given.iter().find(|(_, g)| g == k) {
                        return Err(format!(
                            "[{context_name}] {} is given to both {} and {command_name}",
                            spec(k),
                            other.name()
                        ));
                    }
                    given.push((command, k.clone()));
                }
                // The command keeps its place; the keys are the ones given.
                let place = table
                    .iter()
                    .position(|b| b.command == command)
                    .unwrap_or(table.len());
                table.retain(|b| b.command != command);
                let place = place.min(table.len());
                for (i, keys) in keys.into_iter().enumerate() {
                    table.insert(
                        place + i,
                        Binding {
                            keys,
                            command,
                            help,
                        },
                    );
                }
            }
            // A key given here is taken from the commands it was not given to.
            table.retain(|b| {
                given
                    .iter()
                    .all(|(command, keys)| *command == b.command || *keys != b.keys)
            });
            // The ways out (quit, back, no) keep a key: without one a rep is shut in.
            let way_out = |c: &&Command| matches!(c, Command::Quit | Command::Back | Command::No);
            if let Some(left) = had
                .iter()
                .filter(way_out)
                .find(|c| !table.iter().any(|b| b.command == **c))
            {
                return Err(format!(
                    "[{context_name}] {} would be left without a key: give it one",
                    left.name()
                ));
            }
        }
        Ok(())
    }

    /// The keymap in force as keys.toml writes it, every command with its keys and its help.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        for (context, bindings) in &self.tables {
            out.push_str(&format!("[{}]\n", context.name()));
            let mut seen: Vec<Command> = Vec::new();
            for b in bindings {
                if seen.contains(&b.command) {
                    continue;
                }
                seen.push(b.command);
                let keys: Vec<String> = bindings
                    .iter()
                    .filter(|x| x.command == b.command)
                    .map(|x| toml_string(&spec(&x.keys)))
                    .collect();
                out.push_str(&format!(
                    "{} = {{ keys = [{}], help = {} }}\n",
                    b.command.name(),
                    keys.join(", "),
                    toml_string(b.help)
                ));
            }
            out.push('\n');
        }
        out
    }

    /// Every binding: (context, command, keys as keys.toml writes them, help).
    pub fn bindings(&self) -> impl Iterator<Item = (Context, Command, String, &'static str)> + '_ {
        self.tables.iter().flat_map(|(context, bindings)| {
            bindings
                .iter()
                .map(|b| (*context, b.command, spec(&b.keys), b.help))
        })
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
    fn the_keymap_written_out_reads_back_as_it_was() {
        let map = Keymap::default();
        let again = Keymap::with_overrides(&map.to_toml()).unwrap();
        assert_eq!(again.to_toml(), map.to_toml());
        let twice = Keymap::with_overrides(&again.to_toml()).unwrap();
        assert_eq!(twice.to_toml(), map.to_toml());
    }

    #[test]
    fn a_key_given_to_a_command_is_taken_from_the_others_and_never_given_twice() {
        let map = Keymap::with_overrides("[risk]\nsort = \"x\"\n").unwrap();
        assert_eq!(
            map.lookup(Context::Risk, None, key("x")),
            Lookup::Command(Command::Sort)
        );
        let map = Keymap::with_overrides("[risk]\nsort = \"m\"\n").unwrap();
        assert_eq!(
            map.lookup(Context::Risk, None, key("m")),
            Lookup::Command(Command::Sort)
        );
        let err = Keymap::with_overrides("[risk]\nsort = \"x\"\nmine = \"x\"\n").unwrap_err();
        assert!(err.contains("x is given to both sort and mine"), "{err}");
    }

    #[test]
    fn no_keys_file_shuts_a_rep_in() {
        for (text, said) in [
            ("[global]\nquit = []\n", "at least one key"),
            ("[form]\nback = { keys = [] }\n", "at least one key"),
            (
                "[confirm]\nyes = [\"n\", \"esc\"]\n",
                "no would be left without a key",
            ),
            (
                "[card]\nopen = \"q\"\nlog = \"esc\"\n",
                "back would be left without a key",
            ),
            (
                "[list]\ndown = { keys = [\"j\"], extra = 1 }\n",
                "\"extra\" is not a field",
            ),
            (
                "[list]\ndown = { keys = [\"j\"], help = 5 }\n",
                "help is words",
            ),
            ("[list]\ndown = \"\\u001b\"\n", "is not a key"),
            ("[list]\ndown = \"f99\"\n", "f1 to f24"),
        ] {
            let err = Keymap::with_overrides(text).unwrap_err();
            assert!(err.contains(said), "{text}: {err}");
        }
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
