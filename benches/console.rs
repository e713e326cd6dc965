//! How fast the console answers, on a generated database of 100,000 accounts (or
//! `RETAIN_BENCH_ACCOUNTS`), cached outside the repository.
//!
//!     cargo bench --bench console                 # 100,000 accounts
//!     RETAIN_BENCH_ACCOUNTS=1000 cargo bench --bench console   # a quick smoke run
//!
//! Prints medians and 99th percentiles: the first frame (open the file, load the first pane,
//! draw), a lookup keystroke, a pane switch, the bytes written to the terminal for a cursor move
//! and a pane switch, and the peak memory of the real console in tmux.

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
use retain::store::{Create, Store};
use retain::tui::app::{Action, App, Identity};
use retain::tui::keymap::Keymap;
use retain::tui::theme::{Palette, Theme};
use retain::tui::views;
use retain::tui::worker::{Request, Responder, Session};

const SIZE: (u16, u16) = (120, 35);

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
}

impl Bench {
    fn open(db: &Path, login: &str) -> Bench {
        let store = Store::open(db, Create::Never).expect("the bench database opens");
        let rep = store.rep(login).expect("reps read");
        let identity = Identity {
            login: login.to_string(),
            os_user: login.to_string(),
            rep: rep.clone(),
        };
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
        let mut bench = Bench {
            app,
            responder,
            terminal,
            written,
        };
        let start = bench.app.start();
        bench.serve(start);
        bench
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
        let requests = self.app.update(Action::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
        self.serve(requests);
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

struct Stats {
    name: String,
    samples: Vec<f64>,
    unit: &'static str,
}

impl Stats {
    fn new(name: &str, unit: &'static str) -> Stats {
        Stats {
            name: name.to_string(),
            samples: Vec::new(),
            unit,
        }
    }

    fn time<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let value = f();
        self.samples.push(start.elapsed().as_secs_f64() * 1000.0);
        value
    }

    fn row(&self) -> String {
        let mut s = self.samples.clone();
        s.sort_by(f64::total_cmp);
        let pick = |q: f64| s[((s.len() - 1) as f64 * q).round() as usize];
        format!(
            "{:<34} {:>10.2} {:>10.2} {:>10.2}  {:<3} {:>6}",
            self.name,
            pick(0.5),
            pick(0.99),
            s[s.len() - 1],
            self.unit,
            s.len()
        )
    }
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
        return db;
    }
    eprintln!(
        "generating {accounts} accounts into {} (once)...",
        db.display()
    );
    let partial = dir.join(format!("partial-{}.db", std::process::id()));
    let mut store = Store::open(&partial, Create::IfMissing).expect("the bench database");
    let reps = demo::reps(1);
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
    db
}

/// Peak resident memory of the real console on `db`, run in tmux: opened, one lookup typed,
/// its answer shown, a few moves and pane switches.
fn console_peak_memory(db: &Path) -> Option<(u64, String)> {
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
        if !wait("j/↓ down") {
            return None;
        }
        tmux(&["send-keys", "-t", "b", "/", "m", "u", "l", "l", "e", "r"])?;
        if !wait(" found ·") {
            return None;
        }
        tmux(&[
            "send-keys",
            "-t",
            "b",
            "Escape",
            "j",
            "j",
            "2",
            "3",
            "4",
            "5",
            "1",
        ])?;
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
        Some((kb, pid))
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
    let login = "carmen";

    let mut first_frame = Stats::new("open + first frame", "ms");
    let mut first_bytes = Stats::new("bytes: first frame", "B");
    for _ in 0..rounds {
        let mut bench = first_frame.time(|| {
            let mut b = Bench::open(&db, login);
            b.draw();
            b
        });
        first_bytes
            .samples
            .push(bench.written.0.load(Ordering::Relaxed) as f64);
        bench.draw();
    }

    let mut bench = Bench::open(&db, login);
    bench.draw();
    let mut index = Stats::new("search index build (background)", "ms");
    for _ in 0..rounds.min(3) {
        index.time(|| bench.responder.build_index().expect("the index builds"));
    }

    let mut keystroke = Stats::new("lookup keystroke", "ms");
    let mut slowest: Vec<(f64, String)> = Vec::new();
    let typed = [
        "muller",
        "nortwind",
        "5550142",
        "明德",
        "grace rob",
        "cus_",
        "juniper media",
        "bluepaek",
        "+44 20 7946",
        "carmen",
    ];
    for _ in 0..rounds {
        for word in typed {
            let mut query = String::new();
            for c in word.chars() {
                query.push(c);
                keystroke.time(|| {
                    bench.responder.respond(
                        Request::Search {
                            query: query.clone(),
                        },
                        Utc::now(),
                    )
                });
                let ms = keystroke.samples[keystroke.samples.len() - 1];
                slowest.push((ms, query.clone()));
            }
        }
    }

    let mut scoring = Stats::new("score every account (+ history)", "ms");
    for _ in 0..rounds.min(5) {
        scoring.time(|| bench.responder.respond(Request::Risk, Utc::now()));
    }
    let mut risk_pane = Stats::new("open the at-risk pane (score + draw)", "ms");
    for _ in 0..rounds.min(5) {
        risk_pane.time(|| {
            bench.app.risk.loaded = false;
            bench.key('2');
            bench.draw()
        });
        bench.key('1');
    }

    let mut cursor = Stats::new("cursor move (update + draw)", "ms");
    let mut cursor_bytes = Stats::new("bytes: cursor move", "B");
    for i in 0..rounds * 10 {
        let key = if i % 20 < 10 { 'j' } else { 'k' };
        let bytes = cursor.time(|| {
            bench.key(key);
            bench.draw()
        });
        cursor_bytes.samples.push(bytes as f64);
    }

    let mut switch = Stats::new("pane switch (load + draw)", "ms");
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
    for stats in [
        &first_frame,
        &index,
        &keystroke,
        &scoring,
        &risk_pane,
        &cursor,
        &switch,
        &first_bytes,
        &cursor_bytes,
        &switch_bytes,
    ] {
        println!("{}", stats.row());
    }
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
    match console_peak_memory(&db) {
        Some((kb, pid)) => println!(
            "peak memory of the console (VmHWM, pid {pid}, after a lookup and pane switches): {:.1} MB",
            kb as f64 / 1024.0
        ),
        None => println!("peak memory: not measured (tmux missing or the console did not start)"),
    }
}
