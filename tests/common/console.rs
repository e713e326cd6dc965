//! A console driven as keys would drive it, its requests answered from a real demo database
//! the way the worker thread answers them, its screens rendered into ratatui's TestBackend.

use std::rc::Rc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use retain::domain::risk::RiskModel;
use retain::store::{Create, Store, Target};
use retain::tui::app::{Action, App, Identity};
use retain::tui::keymap::Keymap;
use retain::tui::theme::{Palette, Theme};
use retain::tui::views;
use retain::tui::worker::{Request, Responder, Response, Session};

use super::TODAY;
use super::engine::{Engine, TestDb};

pub struct Console {
    pub app: App,
    /// Answers requests as the worker thread does, from the real database.
    pub responder: Responder,
    /// A second connection, for looking at what the console wrote.
    pub store: Store,
    /// The database: a demo in a temp dir or on the test server. A second console on it is
    /// another rep on the same team.
    pub db: Rc<TestDb>,
}

pub fn today() -> chrono::NaiveDate {
    TODAY.parse().unwrap()
}

/// A console on a 300-account demo file, as rep `login` (or a non-rep), at `size`.
pub fn console(login: &str, size: (u16, u16), palette: Palette) -> Console {
    console_on(300, login, size, palette)
}

pub fn console_on(accounts: u32, login: &str, size: (u16, u16), palette: Palette) -> Console {
    demo_console(Engine::File, accounts, login, size, palette)
}

/// A console on a demo of `accounts` accounts on either engine.
pub fn demo_console(
    engine: Engine,
    accounts: u32,
    login: &str,
    size: (u16, u16),
    palette: Palette,
) -> Console {
    console_of(
        &Rc::new(TestDb::demo(engine, accounts)),
        login,
        size,
        palette,
    )
}

/// A console on a file made elsewhere.
pub fn console_on_file(db: &std::path::Path, login: &str, size: (u16, u16)) -> Console {
    console_of(&Rc::new(TestDb::of_file(db)), login, size, Palette::Indexed)
}

/// A console of `login` on `db`: on the server connected as `login`'s own role, as a rep on
/// another machine would be.
pub fn console_of(db: &Rc<TestDb>, login: &str, size: (u16, u16), palette: Palette) -> Console {
    let target = Target::parse(&db.as_login(login), login).unwrap();
    let open = || Store::open_target(&target, Create::Never).unwrap();
    let store = open();
    let identity = Identity::read(&store, login, login).unwrap();
    let rep = identity.rep.as_ref().map(|_| login.to_string());
    let app = App::new(
        identity,
        today(),
        Keymap::default(),
        Theme { palette },
        size,
    );
    let session = Session {
        rep,
        os_user: login.into(),
        today: today(),
        model: RiskModel::default(),
        policy: retain::domain::retry::RetryPolicy::default(),
        country: retain::domain::phone::Country::US,
        id: format!("test:{}", login),
    };
    let mut responder = Responder::new(open(), session);
    responder.build_index().unwrap();
    // As the worker does: the mark is set before the first screen is read.
    responder.changed_elsewhere();
    let mut c = Console {
        app,
        responder,
        store,
        db: Rc::clone(db),
    };
    let start = c.app.start();
    c.serve(start);
    c
}

impl Console {
    /// The console's file, for a test that looks into it as SQLite.
    pub fn file(&self) -> &std::path::Path {
        assert_eq!(self.db.engine(), Engine::File, "a test on a file only");
        std::path::Path::new(self.db.arg())
    }

    /// Answers requests the way the worker does, from the real store, until none are left.
    pub fn serve(&mut self, mut requests: Vec<Request>) {
        let mut rounds = 0;
        while !requests.is_empty() {
            rounds += 1;
            assert!(rounds < 20, "requests keep coming: {requests:?}");
            let mut next = Vec::new();
            for request in requests {
                let Some(response) = self.responder.respond(request, now()) else {
                    continue;
                };
                next.extend(self.app.update(Action::Db(response)));
            }
            requests = next;
        }
    }

    pub fn act(&mut self, action: Action) -> Vec<Request> {
        self.app.update(action)
    }

    /// What the worker does a few times a second: when another connection (a test writing to
    /// the file, another console) committed, the console hears `Changed`.
    pub fn poll(&mut self) {
        if self.responder.changed_elsewhere() {
            let requests = self.act(Action::Db(Response::Changed));
            self.serve(requests);
        }
    }

    /// For a test that wrote through another connection: waits until the worker's look for
    /// others' commits sees it (a server's notice comes over the network a moment after the
    /// commit), then reloads as the console does.
    pub fn hear_change(&mut self) {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !self.responder.changed_elsewhere() {
            assert!(std::time::Instant::now() < until, "no change was heard");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let requests = self.act(Action::Db(Response::Changed));
        self.serve(requests);
    }

    /// Presses keys and serves what they ask for, after the worker's look for others' commits.
    pub fn keys(&mut self, keys: &[KeyEvent]) {
        for key in keys {
            self.poll();
            let requests = self.act(Action::Key(*key));
            self.serve(requests);
        }
    }

    pub fn text(&mut self, text: &str) {
        let keys: Vec<KeyEvent> = text.chars().map(|c| press(KeyCode::Char(c))).collect();
        self.keys(&keys);
    }

    pub fn screen(&self) -> String {
        let (w, h) = self.app.size;
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| views::render(f, &self.app)).unwrap();
        buffer_text(terminal.backend().buffer())
    }

    pub fn buffer(&self) -> ratatui::buffer::Buffer {
        let (w, h) = self.app.size;
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| views::render(f, &self.app)).unwrap();
        terminal.backend().buffer().clone()
    }
}

/// The payments pane with the cursor on `payment`. (The cursor stays on its item when the
/// list changes, so it is taken to the top first.)
pub fn select_payment(c: &mut Console, payment: i64) {
    c.text("4");
    c.keys(&[press(KeyCode::Home)]);
    c.poll();
    let at = c
        .app
        .list()
        .ids
        .iter()
        .position(|id| *id == payment)
        .expect("the payment is listed");
    for _ in 0..at {
        c.text("j");
    }
    assert_eq!(
        c.app.selected_payment().and_then(|i| i.payment_id),
        Some(payment)
    );
}

pub fn buffer_text(buffer: &ratatui::buffer::Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut x = 0;
        while x < area.width {
            let symbol = buffer[(x, y)].symbol();
            out.push_str(symbol);
            // A two-cell character is followed by a cell that only continues it.
            x += unicode_width::UnicodeWidthStr::width(symbol).max(1) as u16;
        }
        out.push('\n');
    }
    out
}

pub fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// The test's day at the current time of day, as the worker's clock gives it under --today.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    today().and_time(chrono::Utc::now().time()).and_utc()
}
