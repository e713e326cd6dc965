//! The console. Events become actions, actions update the state (`app`), views draw the state,
//! and the database work runs on its own thread (`worker`), answering through a channel.

pub mod app;
pub mod card;
mod complete;
pub mod editor;
pub mod identity;
pub mod keymap;
mod log;
pub mod overlays;
pub mod panes;
mod terminal;
pub mod theme;
pub mod then;
pub mod views;
pub mod worker;

use std::path::Path;
use std::task::Poll;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use chrono::{DateTime, NaiveDate, Utc};
use crossterm::event::{Event, EventStream, KeyEventKind, MouseEventKind};
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use app::{Action, App, Identity, Level};
use keymap::Keymap;
use theme::{Palette, Theme};
use worker::{Request, TerminalWork, Worker};

use crate::store::{Store, world_readable};

pub struct Options {
    pub model: crate::domain::risk::RiskModel,
    pub policy: crate::domain::retry::RetryPolicy,
    /// The team's country, for phone numbers written without a country code.
    pub country: crate::domain::phone::Country,
    pub today: NaiveDate,
    pub fixed_today: bool,
    pub os_user: String,
    /// The rep to act as: the OS user, or an admin's `--as LOGIN` (checked by the caller).
    pub login: String,
    pub mouse: bool,
    /// `--open QUERY`: start on the card of the account it finds first.
    pub open: Option<String>,
}

/// The keymap with the rep's overrides from `keys.toml`, and what was wrong with them if
/// anything (the console then starts with the default keys and says so).
pub fn load_keymap() -> (Keymap, Option<String>) {
    match crate::config::read("keys.toml") {
        Ok(None) => (Keymap::default(), None),
        Err(e) => (Keymap::default(), Some(format!("{e:#}"))),
        Ok(Some((path, text))) => match Keymap::with_overrides(&text) {
            Ok(map) => (map, None),
            Err(e) => (
                Keymap::default(),
                Some(format!("{}: {e}; default keys in use", path.display())),
            ),
        },
    }
}

pub fn run(store: Store, options: Options) -> Result<()> {
    // A rep's save waits out a server restart rather than fail: the console keeps it meanwhile.
    crate::store::wait_for_server_forever();
    let identity = Identity::read(&store, &options.login, &options.os_user)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the event loop")?;
    let done = runtime.block_on(event_loop(store, identity, options));
    // Said on the restored terminal, where the rep reads it after the console.
    for path in crate::files::kept_unsaved() {
        crate::tell!(
            "retain: what you typed could not be saved; it is kept in {}",
            path.display()
        );
    }
    done
}

async fn event_loop(store: Store, identity: Identity, options: Options) -> Result<()> {
    let (today, fixed) = (options.today, options.fixed_today);
    let clock = move || -> DateTime<Utc> {
        let now = Utc::now();
        if fixed {
            today.and_time(now.time()).and_utc()
        } else {
            now
        }
    };
    let (answers_tx, mut answers) = mpsc::unbounded_channel();
    let session = session_of(&identity, &options);
    let db_path = store.path().to_path_buf();
    let opened_id = crate::store::file_id(&db_path);
    let worker = Worker::spawn(store, session, clock, answers_tx);

    let (guard, mut terminal) = terminal::Guard::enter(options.mouse)?;
    let size = terminal.size()?;
    let mut app = open_app(identity, &options, (size.width, size.height), &db_path);
    app.wall_now = clock();
    let mut first = app.start();
    if let Some(query) = &options.open {
        first.extend(app.open_at_start(query));
    }
    for request in first {
        worker.send(request);
    }
    let mut for_terminal: Vec<Request> = Vec::new();

    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    draw(&mut terminal, &app)?;

    loop {
        let first = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => to_action(event),
                // The terminal is gone (a dropped SSH connection closes it).
                Some(Err(_)) | None => Some(Action::Shutdown),
            },
            Some(answer) = answers.recv() => Some(Action::Db(answer)),
            _ = tick.tick() => {
                // The header's warnings last exactly as long as the file calls for them.
                app.exposed = world_readable(&db_path);
                app.gone = crate::store::file_id(&db_path) != opened_id;
                Some(Action::Tick)
            }
            _ = terminate.recv() => Some(Action::Shutdown),
            _ = hangup.recv() => Some(Action::Shutdown),
        };
        let mut actions: Vec<Action> = first.into_iter().collect();
        // Take everything already waiting, then draw once.
        while let Some(event) = waiting(&mut events).await {
            actions.extend(to_action(event));
        }
        while let Ok(answer) = answers.try_recv() {
            actions.push(Action::Db(answer));
        }
        for action in actions {
            app.now = Instant::now();
            app.wall_now = clock();
            for request in app.update(action) {
                if request.for_terminal() {
                    for_terminal.push(request);
                } else {
                    worker.send(request);
                }
            }
        }
        let work = std::mem::take(&mut for_terminal);
        terminal_work(work, &mut events, &guard, &mut terminal, &mut app, &worker)?;
        if app.quit {
            break;
        }
        if draw(&mut terminal, &app).is_err() {
            // The terminal went away (a dropped connection) before its hang-up was read: leave
            // as the hang-up would, keeping what the rep was typing.
            for request in app.update(Action::Shutdown) {
                worker.send(request);
            }
            break;
        }
    }
    // The worker finishes what it was given (a draft, a call being logged) before we leave,
    // waiting for no other process: what cannot be saved now is kept beside the file.
    crate::store::closing();
    worker.finish();
    drop(guard);
    Ok(())
}

/// Who this console works as, on which day and with which rules: what the worker answers for.
fn session_of(identity: &Identity, options: &Options) -> worker::Session {
    worker::Session {
        rep: identity.me().map(str::to_string),
        os_user: identity.os_user.clone(),
        today: options.today,
        model: options.model.clone(),
        policy: options.policy.clone(),
        country: options.country,
        id: format!(
            "{}:{}:{}",
            identity.os_user,
            std::process::id(),
            Utc::now().timestamp_millis()
        ),
    }
}

/// The console's state at start, with what is wrong with its setting up said in the footer.
fn open_app(identity: Identity, options: &Options, size: (u16, u16), db: &Path) -> App {
    let (keymap, keymap_error) = load_keymap();
    let theme = Theme {
        palette: Palette::from_env(),
    };
    let mut app = App::new(identity, options.today, keymap, theme, size);
    if let Some(path) = crate::config::file("keys.toml") {
        app.keys_file = path.display().to_string();
    }
    app.policy = options.policy.clone();
    app.exposed = world_readable(db);
    let log_error = log::start();
    tracing::info!(db = %db.display(), login = %app.identity.login, "console opened");
    for warning in [keymap_error, app.exposed.clone(), log_error]
        .into_iter()
        .flatten()
    {
        app.toast(warning, Level::Error);
    }
    app
}

/// Work for the terminal the console asked for: a copy to its clipboard, or the rep's editor
/// on the letter, the console's screen lent to it meanwhile.
fn terminal_work(
    work: Vec<Request>,
    events: &mut EventStream,
    guard: &terminal::Guard,
    terminal: &mut terminal::Term,
    app: &mut App,
    worker: &Worker,
) -> Result<()> {
    for request in work {
        match request {
            Request::Terminal(TerminalWork::Copy { text }) => {
                let _ = terminal::copy(&text);
            }
            Request::Terminal(TerminalWork::Edit { text }) => {
                // The stream stops reading the terminal while the editor has it: a key the
                // stream read would be lost to the editor.
                *events = EventStream::new();
                // Its reading thread is woken to end; it must be gone before the editor reads
                // the keyboard.
                std::thread::sleep(Duration::from_millis(50));
                let edited = guard.lend(terminal, || terminal::edit_outside(&text))?;
                for request in app.update(Action::Edited(edited)) {
                    worker.send(request);
                }
            }
            other => worker.send(other),
        }
    }
    Ok(())
}

/// An event the terminal has already sent, without waiting for one. Polled with this task's
/// own waker: crossterm keeps the waker of the first poll that finds nothing, and a throwaway
/// one (`now_or_never`) left the next key unseen until the 200 ms tick woke the loop.
async fn waiting(events: &mut EventStream) -> Option<Event> {
    std::future::poll_fn(|cx| match events.poll_next_unpin(cx) {
        Poll::Ready(Some(Ok(event))) => Poll::Ready(Some(event)),
        _ => Poll::Ready(None),
    })
    .await
}

fn to_action(event: Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Action::Key(key)),
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollDown => Some(Action::Scroll(3)),
            MouseEventKind::ScrollUp => Some(Action::Scroll(-3)),
            _ => None,
        },
        _ => None,
    }
}

fn draw(terminal: &mut terminal::Term, app: &App) -> Result<()> {
    use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
    crossterm::execute!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    terminal.draw(|frame| views::render(frame, app))?;
    crossterm::execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    Ok(())
}
