#![allow(clippy::disallowed_macros)] // the bench reports figures, not stored text
//! How fast the console answers, on a generated database of 100,000 accounts (or
//! `RETAIN_BENCH_ACCOUNTS`), cached outside the repository.
//!
//!     cargo bench --bench console                 # 100,000 accounts
//!     RETAIN_BENCH_ACCOUNTS=1000 cargo bench --bench console   # a quick smoke run
//!     RETAIN_BENCH_DB=postgresql://ROLE@HOST/DB cargo bench --bench console   # and a server
//!     RETAIN_BENCH_DB=… RETAIN_BENCH_ONLY=engines cargo bench --bench console  # only the two
//!
//! Prints medians and 99th percentiles: the first frame, the first screen (open the file, load
//! the first pane, draw) for a demo rep and for a rep with a book of 5,000, lookup keystrokes by kind (and the same lookups with LIKE and FTS5), scoring, the
//! schedule, the payment queues, a rep's queue, the cohort report, cursor moves and pane
//! switches with the bytes they write to the terminal; then a CSV import of up to a million
//! rows and the peak memory of the real console in tmux.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use retain::demo::{self, DemoSpec};
use retain::store::{Create, Store, Target};
use retain::tui::app::{Action, App, Identity};
use retain::tui::keymap::Keymap;
use retain::tui::theme::{Palette, Theme};
use retain::tui::views;
use retain::tui::worker::{AccountRequest, CheckinRequest, Load, Request, Responder, Session};

#[path = "console/engines.rs"]
mod engines;

const SIZE: (u16, u16) = (120, 35);

/// A pane's load, as the console asks for it.
fn load(load: Load) -> Request {
    Request::Load {
        generation: 0,
        load,
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date")
}

/// A writer that only counts: what the console would send over SSH.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicUsize>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Bench {
    app: App,
    responder: Responder,
    terminal: Terminal<CrosstermBackend<Counter>>,
    written: Counter,
    /// What the console asks at start after its first pane: the tabs' counts and the schedule.
    later: Vec<Request>,
}

impl Bench {
    /// The console opened on `db` as `login`, with the first pane's answer drawn as it arrives.
    fn open(db: &Target, login: &str) -> Bench {
        let mut bench = Bench::new(db, login);
        // The first screen is the first pane's answer, drawn as it arrives: the tabs' counts,
        // the schedule and the other panes' loads it brings come after it on the loading
        // thread (`warm`).
        let mut start = bench.app.start();
        bench.later = start.split_off(1);
        bench.serve(start);
        bench
    }

    /// The console opened on `db` as `login`, nothing asked of the file yet: what its first
    /// frame shows.
    fn new(db: &Target, login: &str) -> Bench {
        let store = Store::open_target(db, Create::Never).expect("the bench database opens");
        let identity = Identity::read(&store, login, login).expect("reps read");
        let rep = identity.rep.clone();
        let theme = Theme {
            palette: Palette::Indexed,
        };
        let app = App::new(identity, today(), Keymap::default(), theme, SIZE);
        let session = Session {
            rep: rep.map(|_| login.to_string()),
            os_user: login.to_string(),
            today: today(),
            model: retain::domain::risk::RiskModel::default(),
            policy: retain::domain::retry::RetryPolicy::default(),
            country: retain::domain::phone::Country::US,
            id: format!("test:{}", login),
        };
        let responder = Responder::new(store, session);
        let written = Counter::default();
        let terminal = Terminal::with_options(
            CrosstermBackend::new(written.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, SIZE.0, SIZE.1)),
            },
        )
        .expect("a terminal on the counter");
        Bench {
            app,
            responder,
            terminal,
            written,
            later: Vec::new(),
        }
    }

    /// What the loading thread does after the first screen: the tabs' counts, the day's
    /// schedule, then every other pane but the at-risk one.
    fn warm(&mut self) {
        let later = std::mem::take(&mut self.later);
        self.serve(later);
    }

    fn serve(&mut self, mut requests: Vec<Request>) {
        while !requests.is_empty() {
            let mut next = Vec::new();
            for r in requests {
                if let Some(answer) = self.responder.respond(r, Utc::now()) {
                    next.extend(self.app.update(Action::Db(answer)));
                }
            }
            requests = next;
        }
    }

    fn key(&mut self, c: char) {
        let requests = self.press(c);
        self.serve(requests);
    }

    /// A key's update, without its database work: what the key asks of the loading thread.
    fn press(&mut self, c: char) -> Vec<Request> {
        self.app.update(Action::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )))
    }

    /// Draws and returns the bytes written for this frame.
    fn draw(&mut self) -> usize {
        let before = self.written.0.load(Ordering::Relaxed);
        let app = &self.app;
        self.terminal
            .draw(|f| views::render(f, app))
            .expect("the frame draws");
        self.written.0.load(Ordering::Relaxed) - before
    }
}

/// The lookups of `kinds` answered the obvious ways on the same file: a `LIKE '%q%'` over names,
/// emails and phones (in process, and whole queries in the sqlite3 shell), and an FTS5 prefix
/// query over the same text (built once, in memory).
fn alternatives(db: &Path, kinds: &[(&str, Vec<String>)], rounds: usize) -> (Stats, Stats, Stats) {
    let conn = rusqlite::Connection::open(db).expect("the bench database");
    conn.execute_batch(
        "ATTACH ':memory:' AS mem;
         CREATE VIRTUAL TABLE mem.find USING fts5(account_id UNINDEXED, text, prefix='2 3');
         INSERT INTO mem.find SELECT a.id, a.name || ' ' || coalesce(a.domain, '') || ' ' ||
             coalesce((SELECT group_concat(c.name || ' ' || coalesce(c.email, '') || ' ' ||
                       coalesce(c.phone, ''), ' ') FROM contacts c WHERE c.account_id = a.id), '')
             FROM accounts a;",
    )
    .expect("the FTS5 table builds");
    let mut like = Stats::new("  the same with LIKE '%q%'", "ms");
    let mut fts = Stats::new("  the same with FTS5 prefix", "ms");
    let mut like_stmt = conn
        .prepare(
            "SELECT a.id FROM accounts a WHERE a.name LIKE ?1 OR a.domain LIKE ?1
               OR EXISTS (SELECT 1 FROM contacts c WHERE c.account_id = a.id
                          AND (c.name LIKE ?1 OR c.email LIKE ?1 OR c.phone LIKE ?1))
             LIMIT 50",
        )
        .expect("the LIKE query");
    let mut fts_stmt = conn
        .prepare("SELECT account_id FROM mem.find WHERE find MATCH ?1 LIMIT 50")
        .expect("the FTS5 query");
    for _ in 0..rounds {
        for (_, words) in kinds {
            for word in words {
                let mut query = String::new();
                for c in word.chars() {
                    query.push(c);
                    let pattern = format!("%{query}%");
                    let _ = like.time(|| {
                        like_stmt
                            .query_map([&pattern], |r| r.get::<_, i64>(0))
                            .map(|rows| rows.count())
                    });
                    let terms: Vec<String> = query
                        .split_whitespace()
                        .map(|t| format!("\"{}\"*", t.replace('"', "")))
                        .collect();
                    let matching = terms.join(" ");
                    if !matching.is_empty() {
                        let _ = fts.time(|| {
                            fts_stmt
                                .query_map([&matching], |r| r.get::<_, i64>(0))
                                .map(|rows| rows.count())
                        });
                    }
                }
            }
        }
    }
    (like, fts, shell_like(db, kinds))
}

/// The LIKE lookup as someone would type it into the sqlite3 shell: one process per whole query
/// (its start included), where the shell is installed.
fn shell_like(db: &Path, kinds: &[(&str, Vec<String>)]) -> Stats {
    let mut shell = Stats::new("  LIKE in the sqlite3 shell (word)", "ms");
    for word in kinds.iter().flat_map(|(_, words)| words) {
        let pattern = format!("%{}%", word.replace('\'', "''"));
        let sql = format!(
            "SELECT a.id FROM accounts a WHERE a.name LIKE '{pattern}' OR a.domain LIKE '{pattern}'
               OR EXISTS (SELECT 1 FROM contacts c WHERE c.account_id = a.id
                          AND (c.name LIKE '{pattern}' OR c.email LIKE '{pattern}'
                               OR c.phone LIKE '{pattern}'))
             LIMIT 50;"
        );
        let start = Instant::now();
        let ran = Command::new("sqlite3")
            .arg("-readonly")
            .arg(db)
            .arg(&sql)
            .output();
        if ran.is_ok_and(|o| o.status.success()) {
            shell.samples.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    shell
}

/// `retain import interactions` of a generated CSV of a million rows (ten per account, at most a
/// million) on a copy of the file: rows, seconds, peak memory in KB.
/// A million interactions imported into a copy of `db`: (rows, seconds, peak KB, the sqlite3
/// shell's seconds for the same file, where it ran).
fn import_million(db: &Path) -> Option<(u64, f64, u64, Option<f64>)> {
    let dir = db.parent()?;
    let copy = dir.join(format!("import-{}.db", std::process::id()));
    std::fs::copy(db, &copy).ok()?;
    let conn = rusqlite::Connection::open(&copy).ok()?;
    let ids: Vec<String> = conn
        .prepare("SELECT external_id FROM accounts")
        .ok()?
        .query_map([], |r| r.get(0))
        .ok()?
        .collect::<Result<_, _>>()
        .ok()?;
    // The import writes as the user running the bench, who is none of the demo team's reps:
    // made an admin of the copy.
    conn.execute(
        "INSERT INTO reps (login, display_name, role) VALUES (?1, 'Bench', 'admin')
         ON CONFLICT (login) DO UPDATE SET role = 'admin', active = 1",
        [retain::cli::os_user()],
    )
    .ok()?;
    drop(conn);
    let (rows, csv) = interactions_csv(dir, &ids)?;
    let start = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_retain"))
        .arg("--db")
        .arg(&copy)
        .args(["import", "interactions"])
        .arg(&csv)
        .output()
        .ok()?;
    let secs = start.elapsed().as_secs_f64();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
    }
    if !out.status.success() {
        return None;
    }
    // The floor: the sqlite3 shell reading the same file into a bare table, nothing checked,
    // no index, no trigger.
    let bare = dir.join(format!("floor-{}.db", std::process::id()));
    let start = Instant::now();
    let floor = Command::new("sqlite3")
        .arg(&bare)
        .args([
            ".mode csv".to_string(),
            format!(".import {} t", csv.display()),
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| start.elapsed().as_secs_f64());
    let _ = std::fs::remove_file(&bare);
    let kb = String::from_utf8_lossy(&out.stderr)
        .trim()
        .lines()
        .last()?
        .parse()
        .ok()?;
    Some((rows, secs, kb, floor))
}

/// The CSV of interactions the import is timed with, in `dir` (made once): ten per account of
/// `ids`, at most a million rows. Its rows and path.
fn interactions_csv(dir: &Path, ids: &[String]) -> Option<(u64, PathBuf)> {
    let rows = (ids.len() as u64 * 10).min(1_000_000);
    let csv = dir.join(format!("interactions-{rows}.csv"));
    if !csv.exists() {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&csv).ok()?);
        writeln!(out, "account,occurred_at,kind,summary,body,outcome,tags").ok()?;
        let kinds = ["call", "email", "meeting", "note", "check-in"];
        for i in 0..rows {
            let account = &ids[(i as usize * 7919) % ids.len()];
            writeln!(
                out,
                "{account},2026-{:02}-{:02}T{:02}:{:02}:{:02}Z,{},Imported {i},\"Renewal, pricing and \"\"next steps\"\"\",positive,renewal",
                1 + i % 10,
                1 + i % 28,
                8 + i % 10,
                i % 60,
                (i / 60) % 60,
                kinds[i as usize % 5]
            )
            .ok()?;
        }
    }
    Some((rows, csv))
}

/// `retain demo --accounts N` into a new file: generating and loading the demo, timed.
fn time_demo(dir: &Path, accounts: u32) -> Option<f64> {
    let db = dir.join(format!("demo-timed-{}.db", std::process::id()));
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_retain"))
        .arg("--db")
        .arg(&db)
        .args(["--today", &today().to_string(), "demo", "--accounts"])
        .arg(accounts.to_string())
        .output()
        .ok()?;
    let secs = start.elapsed().as_secs_f64();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    out.status.success().then_some(secs)
}

/// What the bench types into the lookup, by kind: names (whole, prefixes, misspelt), and a
/// contact's email and phone from the file, as a rep would type them.
fn lookup_words(db: &Path) -> Vec<(&'static str, Vec<String>)> {
    let (email, phone) = {
        let conn = rusqlite::Connection::open(db).expect("the bench database");
        conn.query_row(
            "SELECT email, phone FROM contacts WHERE email IS NOT NULL AND phone IS NOT NULL
             ORDER BY id LIMIT 1 OFFSET 777",
            [],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )
        .unwrap_or_else(|_| ("grace@example.com".into(), "555 0142".into()))
    };
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    vec![
        (
            "lookup keystroke: name prefix",
            vec![
                "muller".into(),
                "明德".into(),
                "juniper media".into(),
                "carmen".into(),
                "cus_".into(),
            ],
        ),
        (
            "lookup keystroke: fuzzy name",
            vec!["nortwind".into(), "bluepaek".into(), "juniper meida".into()],
        ),
        ("lookup keystroke: email", vec![email.clone()]),
        (
            "lookup keystroke: phone digits",
            vec![
                digits
                    .chars()
                    .rev()
                    .take(7)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect(),
                phone.clone(),
            ],
        ),
    ]
}

/// Every prefix of every word of `kinds` typed into the lookup, `rounds` times: all keystrokes,
/// the keystrokes of each kind, and each keystroke's time with its query.
fn lookups(
    bench: &mut Bench,
    kinds: &[(&str, Vec<String>)],
    rounds: usize,
) -> (Stats, Vec<Stats>, Vec<(f64, String)>) {
    let mut keystroke = Stats::new("lookup keystroke (all)", "ms");
    let mut by_kind: Vec<Stats> = kinds
        .iter()
        .map(|(name, _)| Stats::new(name, "ms"))
        .collect();
    let mut slowest: Vec<(f64, String)> = Vec::new();
    for _ in 0..rounds {
        for (k, (_, words)) in kinds.iter().enumerate() {
            for word in words {
                let mut query = String::new();
                for c in word.chars() {
                    query.push(c);
                    let ms = by_kind[k].time_ms(|| {
                        bench.responder.respond(
                            Request::Account(AccountRequest::Search {
                                query: query.clone(),
                            }),
                            Utc::now(),
                        )
                    });
                    keystroke.samples.push(ms);
                    slowest.push((ms, query.clone()));
                }
            }
        }
    }
    (keystroke, by_kind, slowest)
}

/// `n` cursor moves down and back up the first pane: each move's time, and the bytes it wrote.
fn cursor_moves(bench: &mut Bench, n: usize) -> (Stats, Stats) {
    let mut cursor = Stats::new("cursor move (update + draw)", "ms");
    let mut cursor_bytes = Stats::new("bytes: cursor move", "B");
    for i in 0..n {
        let key = if i % 20 < 10 { 'j' } else { 'k' };
        let bytes = cursor.time(|| {
            bench.key(key);
            bench.draw()
        });
        cursor_bytes.samples.push(bytes as f64);
    }
    (cursor, cursor_bytes)
}

struct Stats {
    name: String,
    samples: Vec<f64>,
    unit: &'static str,
}

impl Stats {
    fn median(&self) -> f64 {
        let mut s = self.samples.clone();
        s.sort_by(f64::total_cmp);
        s.get(s.len() / 2).copied().unwrap_or(0.0)
    }

    fn new(name: &str, unit: &'static str) -> Stats {
        Stats {
            name: name.to_string(),
            samples: Vec::new(),
            unit,
        }
    }

    /// Times `f`, keeping the sample and returning it in milliseconds.
    fn time_ms<T>(&mut self, f: impl FnOnce() -> T) -> f64 {
        self.time(f);
        self.samples[self.samples.len() - 1]
    }

    fn time<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let value = f();
        self.samples.push(start.elapsed().as_secs_f64() * 1000.0);
        value
    }

    /// The sample below which a share `q` of them are; None without samples.
    fn quantile(&self, q: f64) -> Option<f64> {
        let mut s = self.samples.clone();
        s.sort_by(f64::total_cmp);
        s.get(((s.len().max(1) - 1) as f64 * q).round() as usize)
            .copied()
    }

    /// The quantile `q` as the tables show it.
    fn shown(&self, q: f64) -> String {
        self.quantile(q)
            .map_or_else(|| "—".to_string(), |v| format!("{v:.2}"))
    }

    fn row(&self) -> String {
        let (Some(p50), Some(p99), Some(max)) =
            (self.quantile(0.5), self.quantile(0.99), self.quantile(1.0))
        else {
            return format!("{:<34} not measured", self.name);
        };
        format!(
            "{:<34} {p50:>10.2} {p99:>10.2} {max:>10.2}  {:<3} {:>6}",
            self.name,
            self.unit,
            self.samples.len()
        )
    }
}

/// The rep the bench gives a book of `BOOK` accounts, taken from the team's unowned ones: the
/// demo's 17 reps share the whole file, some 57,000 active accounts each at a million, where a
/// rep's book is a few thousand at most.
const BOOK_REP: &str = "bench";
const BOOK: i64 = 5_000;

fn give_book_rep_a_book(db: &Path) {
    let conn = rusqlite::Connection::open(db).expect("the bench database");
    conn.execute(
        "INSERT OR IGNORE INTO reps (login, display_name, role) VALUES (?1, 'Bench Book', 'rep')",
        [BOOK_REP],
    )
    .expect("the book's rep");
    let owned: i64 = conn
        .query_row(
            "SELECT count(*) FROM accounts
             WHERE owner_rep_id = (SELECT id FROM reps WHERE login = ?1)",
            [BOOK_REP],
            |r| r.get(0),
        )
        .expect("the book counts");
    if owned > 0 {
        return;
    }
    // Spread over the unowned accounts, old and new alike.
    conn.execute(
        "UPDATE accounts SET owner_rep_id = (SELECT id FROM reps WHERE login = ?1)
         WHERE id IN (
             SELECT id FROM (
                 SELECT id, row_number() OVER (ORDER BY id) AS n,
                        count(*) OVER () / ?2 AS every
                 FROM accounts WHERE owner_rep_id IS NULL)
             WHERE n % max(every, 1) = 0 LIMIT ?2)",
        rusqlite::params![BOOK_REP, BOOK],
    )
    .expect("the book is given");
}

fn bench_db(accounts: u32) -> PathBuf {
    let dir = std::env::var_os("RETAIN_BENCH_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::cache_dir().map(|d| d.join("retain-bench")))
        .expect("a cache directory ($RETAIN_BENCH_DIR or ~/.cache)");
    std::fs::create_dir_all(&dir).expect("the cache directory");
    let db = dir.join(format!(
        "demo-v{}-{accounts}-seed1-{}.db",
        demo::VERSION,
        today()
    ));
    if db.exists() {
        // Brought up to this schema here, so that no measured open pays for a migration.
        Store::open(&db, Create::Never).expect("the cached bench database opens");
        give_book_rep_a_book(&db);
        return db;
    }
    eprintln!(
        "generating {accounts} accounts into {} (once)...",
        db.display()
    );
    let partial = dir.join(format!("partial-{}.db", std::process::id()));
    let reps = demo::reps(1);
    // The demo team's first rep is its admin: the load writes as them.
    let mut store = Store::open(&partial, Create::IfMissing)
        .expect("the bench database")
        .acting_as(&reps[0].login, &reps[0].login);
    let spec = DemoSpec {
        accounts,
        seed: 1,
        today: today(),
    };
    store
        .load(&reps, demo::accounts(&spec, &reps), |_| {})
        .expect("the demo loads");
    drop(store);
    std::fs::rename(&partial, &db).expect("the cached database is put in place");
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    give_book_rep_a_book(&db);
    db
}

/// What the real console does in tmux on `db`: how long a cursor key takes from the keyboard
/// to the screen (through the event loop, as a rep's keys go), and its peak resident memory
/// after one lookup typed and answered, every account scored in the at-risk pane, and every
/// pane visited.
struct InTmux {
    key_to_screen: Stats,
    peak_kb: u64,
    pid: String,
}

fn console_in_tmux(db: &Path) -> Option<InTmux> {
    let socket = format!("retain-bench-{}", std::process::id());
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .args(["-L", &socket])
            .args(args)
            .output()
            .ok()
    };
    let command = format!(
        "{} --db {} --today {}",
        env!("CARGO_BIN_EXE_retain"),
        db.display(),
        today()
    );
    tmux(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "b",
        "-x",
        "120",
        "-y",
        "35",
        &command,
    ])?;
    let screen = || {
        tmux(&["capture-pane", "-p", "-t", "b"])
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    let wait = |text: &str| {
        let start = Instant::now();
        while !screen().contains(text) {
            if start.elapsed() > Duration::from_secs(60) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        true
    };
    let result = (|| {
        // The list loaded (its position shows), so that every key moves the cursor.
        if !wait("1 of ") {
            return None;
        }
        let mut key_to_screen = Stats::new("key to screen, in tmux (j/k)", "ms");
        for i in 0..40 {
            let before = screen();
            let key = if i % 20 < 10 { "j" } else { "k" };
            let start = Instant::now();
            tmux(&["send-keys", "-t", "b", key])?;
            while screen() == before && start.elapsed() < Duration::from_secs(2) {}
            key_to_screen
                .samples
                .push(start.elapsed().as_secs_f64() * 1e3);
            std::thread::sleep(Duration::from_millis(100));
        }
        tmux(&["send-keys", "-t", "b", "/", "m", "u", "l", "l", "e", "r"])?;
        if !wait(" found ·") {
            return None;
        }
        // Escape on its own: followed at once by a key, a terminal reads the two as Alt+key.
        tmux(&["send-keys", "-t", "b", "Escape"])?;
        std::thread::sleep(Duration::from_millis(300));
        tmux(&["send-keys", "-t", "b", "j", "j", "2"])?;
        if !wait("At risk · by score") || !wait("at stake") {
            return None;
        }
        tmux(&["send-keys", "-t", "b", "3", "4", "5", "1"])?;
        std::thread::sleep(Duration::from_millis(1500));
        let pid = tmux(&["display-message", "-p", "-t", "b", "#{pane_pid}"])?;
        let pid = String::from_utf8_lossy(&pid.stdout).trim().to_string();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let kb: u64 = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        Some(InTmux {
            key_to_screen,
            peak_kb: kb,
            pid,
        })
    })();
    let _ = tmux(&["kill-server"]);
    result
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs it as a smoke test.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let accounts: u32 = std::env::var("RETAIN_BENCH_ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 500 } else { 100_000 });
    let rounds = if smoke { 2 } else { 20 };
    let db = bench_db(accounts);
    let server = std::env::var("RETAIN_BENCH_DB").ok();
    if let Some(url) = &server
        && std::env::var("RETAIN_BENCH_ONLY").is_ok_and(|only| only == "engines")
    {
        engines::compare(&db, url, rounds);
        return;
    }
    let file = Target::File(db.clone());
    let login = "carmen";

    // The console draws its frame at once, then the first pane (the rep's queue) as its
    // answer arrives. The queue needs the risk of every account of the rep's book: the first
    // open of a day scores the book and keeps the scores; later opens that day (and every open
    // after a nightly `retain at-risk`) read the kept scores and score only what changed. Both
    // are measured, the first open of the day with today's scores taken away before each
    // round (the first round also pays for what the process and the file cache have not seen
    // yet), for a demo rep (a seventeenth of the file) and for a rep with a book of 5,000.
    let forget_today = || {
        rusqlite::Connection::open(&db)
            .and_then(|c| {
                c.execute(
                    "DELETE FROM risk_scores WHERE day = ?1",
                    [today().to_string()],
                )?;
                // Written back into the file now, not in the first measured commit.
                c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            })
            .expect("today's kept scores are taken away");
    };
    let mut frame = Stats::new("first frame, before any answer", "ms");
    for _ in 0..rounds {
        frame.time(|| Bench::new(&file, login).draw());
    }
    let mut first_screens = Vec::new();
    let mut first_bytes = Stats::new("bytes: first screen", "B");
    for (who, book) in [(login, "a demo rep's book"), (BOOK_REP, "a book of 5,000")] {
        let mut first_of_day = Stats::new(&format!("first screen, {book}, first of day"), "ms");
        let mut kept = Stats::new(&format!("first screen, {book}, scores kept"), "ms");
        for round in 0..rounds {
            let stats = if round < rounds.min(6) / 2 {
                forget_today();
                &mut first_of_day
            } else {
                &mut kept
            };
            let mut bench = stats.time(|| {
                let mut b = Bench::open(&file, who);
                b.draw();
                b
            });
            first_bytes
                .samples
                .push(bench.written.0.load(Ordering::Relaxed) as f64);
            bench.draw();
        }
        first_screens.extend([first_of_day, kept]);
    }

    let mut bench = Bench::open(&file, login);
    bench.draw();
    let mut warm = Stats::new("other panes loaded (background)", "ms");
    warm.time(|| bench.warm());
    let mut index = Stats::new("search index build (background)", "ms");
    for _ in 0..rounds.min(3) {
        index.time(|| bench.responder.build_index().expect("the index builds"));
    }

    let kinds = lookup_words(&db);
    let (keystroke, by_kind, mut slowest) = lookups(&mut bench, &kinds, rounds);
    // The same keystrokes with the other core kept busy (an import, another console scoring),
    // as a shared box often is.
    let mut busy = Stats::new("lookup keystroke, other core busy", "ms");
    {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let spin = {
            let stop = std::sync::Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                }
            })
        };
        for _ in 0..rounds / 2 {
            for (_, words) in &kinds {
                for word in words {
                    let mut query = String::new();
                    for c in word.chars() {
                        query.push(c);
                        busy.time_ms(|| {
                            bench.responder.respond(
                                Request::Account(AccountRequest::Search {
                                    query: query.clone(),
                                }),
                                Utc::now(),
                            )
                        });
                    }
                }
            }
        }
        stop.store(true, Ordering::Relaxed);
        let _ = spin.join();
    }
    // The same lookups the obvious ways: LIKE over names, emails and phones, and FTS5.
    let (like, fts, shell) = alternatives(&db, &kinds, rounds.min(5));

    let mut scoring = Stats::new("score every account (+ history)", "ms");
    for _ in 0..rounds.min(5) {
        scoring.time(|| bench.responder.respond(load(Load::Risk), Utc::now()));
    }
    let mut schedule = Stats::new("retain schedule (reconcile)", "ms");
    let mut queues = Stats::new("payment queues + recovery", "ms");
    let mut my_queue = Stats::new("my queue, scores kept", "ms");
    let mut cohorts = Stats::new("cohort report (12 months)", "ms");
    for _ in 0..rounds.min(5) {
        schedule.time(|| {
            bench
                .responder
                .respond(Request::Checkin(CheckinRequest::Schedule), Utc::now())
        });
        queues.time(|| bench.responder.respond(load(Load::Payments), Utc::now()));
        my_queue.time(|| bench.responder.respond(load(Load::Queue), Utc::now()));
        cohorts.time(|| bench.responder.respond(load(Load::Metrics), Utc::now()));
    }
    let mut risk_pane = Stats::new("open the at-risk pane (score + draw)", "ms");
    for _ in 0..rounds.min(5) {
        risk_pane.time(|| {
            bench.app.panes.risk.loaded = false;
            bench.key('2');
            bench.draw()
        });
        bench.key('1');
    }

    let (cursor, cursor_bytes) = cursor_moves(&mut bench, rounds * 10);

    let mut switch = Stats::new("pane switch (update + draw)", "ms");
    let mut switch_bytes = Stats::new("bytes: pane switch", "B");
    for i in 0..rounds * 5 {
        let pane = char::from(b'1' + (i % 5) as u8);
        let bytes = switch.time(|| {
            bench.key(pane);
            bench.draw()
        });
        switch_bytes.samples.push(bytes as f64);
    }

    println!();
    println!(
        "retain console · {accounts} accounts · {} · {} cores",
        db.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<34} {:>10} {:>10} {:>10}  {:<3} {:>6}",
        "measure", "median", "p99", "max", "", "n"
    );
    let mut all: Vec<&Stats> = vec![&frame];
    all.extend(first_screens.iter());
    all.extend([&warm, &index, &keystroke, &busy]);
    all.extend(by_kind.iter());
    all.extend([&like, &fts, &shell]);
    for stats in all.into_iter().chain([
        &scoring,
        &schedule,
        &queues,
        &my_queue,
        &cohorts,
        &risk_pane,
        &cursor,
        &switch,
        &first_bytes,
        &cursor_bytes,
        &switch_bytes,
    ]) {
        println!("{}", stats.row());
    }
    let ratio = |other: &Stats| other.median() / keystroke.median().max(1e-9);
    println!(
        "lookup against the obvious ways, median per keystroke: LIKE {:.0}× slower, FTS5 prefix {:.1}× slower, LIKE in the sqlite3 shell {:.0}× slower",
        ratio(&like),
        ratio(&fts),
        if shell.samples.is_empty() {
            f64::NAN
        } else {
            ratio(&shell)
        }
    );
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    slowest.dedup_by(|a, b| a.1 == b.1);
    let named: Vec<String> = slowest
        .iter()
        .take(6)
        .map(|(ms, q)| format!("{q:?} {ms:.1} ms"))
        .collect();
    println!("slowest lookup keystrokes: {}", named.join(", "));
    if smoke {
        return;
    }
    match import_million(&db) {
        Some((rows, secs, kb, floor)) => {
            println!(
                "retain import interactions: {rows} CSV rows in {secs:.1} s, peak memory {:.1} MB",
                kb as f64 / 1024.0
            );
            match floor {
                Some(f) => println!(
                    "  the sqlite3 shell's .import of the same file into a bare table: {f:.2} s (retain {:.1}x)",
                    secs / f
                ),
                None => println!("  the sqlite3 shell's .import: not measured (no sqlite3)"),
            }
        }
        None => println!("CSV import: not measured"),
    }
    // Generating and loading the demo takes minutes at a million: measured up to 100,000.
    if accounts <= 100_000 {
        match db.parent().and_then(|dir| time_demo(dir, accounts)) {
            Some(secs) => println!("retain demo --accounts {accounts}: {secs:.1} s"),
            None => println!("retain demo: not measured"),
        }
    }
    if let Some(url) = &server {
        engines::compare(&db, url, rounds);
    }
    match console_in_tmux(&db) {
        Some(run) => {
            println!("{}", run.key_to_screen.row());
            println!(
                "peak memory of the console (VmHWM, pid {}, after a lookup, scoring and every pane): {:.1} MB",
                run.pid,
                run.peak_kb as f64 / 1024.0
            );
        }
        None => println!(
            "key to screen and peak memory: not measured (tmux missing or the console did not start)"
        ),
    }
}
