//! The database worker: the only part of the console that touches the database. The event loop
//! sends it requests and gets answers back through a channel, so the screen never waits on
//! SQLite. It has three threads, each with its own connection: one for what a rep on a call
//! waits for (lookups, cards, logging), one for loading whole panes and the day's schedule, which
//! can take a second on a large file, and one that builds the search index at start.

mod accounts;
mod batch;
mod checkins;
mod metrics;
mod notes;
mod payments;
mod queue;
mod request;
mod responder;
mod response;
mod risk;

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::UnboundedSender;

use crate::domain::search::SearchIndex;
use crate::store::Store;
use batch::{coalesce, latest_loads};
pub use request::{
    AccountRequest, CheckinRequest, Load, NoteRequest, PaymentAction, PaymentRequest, QueueRequest,
    Request, RiskRequest, TerminalWork,
};
pub use responder::{Responder, Session};
pub use response::{PaneData, Response};
pub use risk::RiskRow;

/// How often the database thread looks for other processes' commits.
const CHANGE_POLL: Duration = Duration::from_millis(300);

/// How many results a lookup shows.
pub const SEARCH_LIMIT: usize = 50;

pub struct Worker {
    requests: Option<Sender<Request>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    pub fn spawn(
        store: Store,
        session: Session,
        clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static,
        answers: UnboundedSender<Response>,
    ) -> Worker {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("retain-db".into())
            .spawn(move || {
                let mut state = State {
                    responder: Responder::new(store, session),
                    clock: Arc::new(clock),
                    answers,
                    index_rx: None,
                    index_started: Instant::now(),
                    pending_search: None,
                };
                state.run(rx);
            })
            .expect("the database thread starts");
        Worker {
            requests: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn send(&self, request: Request) {
        if let Some(tx) = &self.requests {
            // A send fails only when the worker has stopped; the loop learns it from the
            // closed answer channel.
            let _ = tx.send(request);
        }
    }

    /// Lets the worker finish what it was asked (a draft to save, a call to log), then waits.
    pub fn finish(mut self) {
        self.requests.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Answers one request on a side thread, sending the answer to the console.
type Answer = Box<dyn Fn(&mut Responder, Request) + Send>;

/// A thread of the worker's with a connection of its own.
struct SideThread {
    requests: Sender<Request>,
    thread: JoinHandle<()>,
    interrupt: crate::store::sql::Interrupt,
}

struct State {
    responder: Responder,
    clock: Clock,
    answers: UnboundedSender<Response>,
    index_rx: Option<Receiver<Result<SearchIndex, String>>>,
    index_started: Instant,
    /// A lookup that came before the index was ready.
    pending_search: Option<String>,
}

impl State {
    fn run(&mut self, rx: Receiver<Request>) {
        self.start_index();
        let loader = self.start_loader();
        let scheduler = self.start_scheduler();
        let mut writer = self.start_writer();
        // The mark is set before the first screen is read, so no commit after it goes unseen;
        // here only when this thread is the one that looks (a server's connection that listens
        // must be read, or the announcements pile up and hold the server).
        if writer.is_none() {
            self.responder.changed_elsewhere();
        }
        let mut looked = Instant::now();
        loop {
            self.poll_index();
            // Other reps' commits show within a second: a cheap pragma, a few times a second,
            // looked at here only when there is no writing thread to do it.
            if writer.is_none() && looked.elapsed() >= CHANGE_POLL {
                looked = Instant::now();
                if self.responder.changed_elsewhere() {
                    let _ = self.answers.send(Response::Changed);
                }
            }
            let first = match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(r) => r,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => {
                    // The console is closing: what it asked to write is written, then its
                    // claims go with it.
                    if let Some(scheduler) = &scheduler {
                        scheduler.interrupt.interrupt();
                    }
                    if let Some(writer) = writer.take() {
                        drop(writer.requests);
                        let _ = writer.thread.join();
                    }
                    self.responder.release_session();
                    return;
                }
            };
            let mut batch = vec![first];
            batch.extend(rx.try_iter());
            for request in coalesce(batch) {
                // Pane loads go to the loading thread, the day's schedule to a thread of its own,
                // other writes to the writing thread, unless they could not open the file: then
                // they are answered here.
                let request = match (&loader, &scheduler, request) {
                    (Some(to), _, r @ Request::Load { .. })
                    | (_, Some(to), r @ Request::Checkin(CheckinRequest::Schedule)) => {
                        match to.requests.send(r) {
                            Ok(()) => continue,
                            Err(mpsc::SendError(r)) => r,
                        }
                    }
                    (_, _, r) => r,
                };
                let request = match (&writer, request) {
                    (Some(to), r) if r.goes_to_writer() => match to.requests.send(r) {
                        Ok(()) => continue,
                        Err(mpsc::SendError(r)) => r,
                    },
                    (_, r) => r,
                };
                if let Request::Account(AccountRequest::Search { query }) = &request
                    && !self.responder.has_index()
                {
                    self.pending_search = Some(query.clone());
                }
                if let Some(answer) = self.responder.respond(request, (self.clock)()) {
                    let _ = self.answers.send(answer);
                }
            }
        }
    }

    /// A thread that answers requests on a connection of its own, running `serve` with its
    /// responder, its requests and a way to answer; `None` if the file would not open a second
    /// time. It stops when its sender is dropped.
    fn side_thread(
        &self,
        name: &str,
        serve: impl FnOnce(Responder, Receiver<Request>, Answer) + Send + 'static,
    ) -> Option<SideThread> {
        let store = self.responder.store.reopen().ok()?;
        let interrupt = store.interrupt_handle();
        let responder = Responder::new(store, self.responder.session.clone());
        let clock = Arc::clone(&self.clock);
        let answers = self.answers.clone();
        let answer: Answer = Box::new(move |responder: &mut Responder, request: Request| {
            if let Some(answer) = responder.respond(request, clock()) {
                let _ = answers.send(answer);
            }
        });
        let (tx, rx) = mpsc::channel::<Request>();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || serve(responder, rx, answer))
            .ok()?;
        Some(SideThread {
            requests: tx,
            thread,
            interrupt,
        })
    }

    /// The loading thread. It is not waited for at exit: all it writes is the day's kept
    /// scores, in transactions that a next start redoes.
    fn start_loader(&self) -> Option<SideThread> {
        self.side_thread("retain-loads", |mut responder, rx, answer| {
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                batch.extend(rx.try_iter());
                for request in latest_loads(batch) {
                    answer(&mut responder, request);
                }
            }
        })
    }

    /// The day's schedule: behind an import it waits without holding up the writes a rep asks
    /// for, and at exit it is interrupted rather than waited for (a schedule cut short is
    /// rolled back whole, and the next start redoes it), so that the rep's draft is saved at
    /// once.
    fn start_scheduler(&self) -> Option<SideThread> {
        self.side_thread("retain-schedule", |mut responder, rx, answer| {
            while let Ok(request) = rx.recv() {
                answer(&mut responder, request);
            }
        })
    }

    /// The writing thread, answering writes in the order asked. It is waited for at exit: a
    /// draft or a call asked to be saved is saved. It also looks for other processes' commits:
    /// on its own connection this console's drafts, saved as the rep types, are no news.
    fn start_writer(&self) -> Option<SideThread> {
        let answers = self.answers.clone();
        self.side_thread("retain-writes", move |mut responder, rx, answer| {
            // The mark is set before the first screen is read, so no commit after it goes
            // unseen.
            responder.changed_elsewhere();
            let mut looked = Instant::now();
            loop {
                match rx.recv_timeout(Duration::from_millis(50)) {
                    Ok(request) => answer(&mut responder, request),
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                if looked.elapsed() >= CHANGE_POLL {
                    looked = Instant::now();
                    if responder.changed_elsewhere() {
                        let _ = answers.send(Response::Changed);
                    }
                }
            }
        })
    }

    fn start_index(&mut self) {
        // A connection of its own, opened here (a file or a server alike) and read there.
        let store = self.responder.store.reopen();
        let country = self.responder.session.country;
        let (tx, rx) = mpsc::channel();
        self.index_rx = Some(rx);
        self.index_started = Instant::now();
        std::thread::Builder::new()
            .name("retain-index".into())
            .spawn(move || {
                let built = store
                    .and_then(|s| s.search_index(country))
                    .map_err(|e| e.to_string());
                let _ = tx.send(built);
            })
            .expect("the index thread starts");
    }

    fn poll_index(&mut self) {
        let Some(rx) = &self.index_rx else { return };
        let answer = match rx.try_recv() {
            Ok(Ok(index)) => {
                tracing::info!(
                    accounts = index.len(),
                    ms = self.index_started.elapsed().as_millis() as u64,
                    "search index built"
                );
                self.responder.index = Some(index);
                Response::IndexReady
            }
            Ok(Err(e)) => {
                tracing::warn!("search index: {e}");
                Response::Failed(format!("search index: {e}"))
            }
            Err(_) => return,
        };
        self.index_rx = None;
        let _ = self.answers.send(answer);
        if let Some(query) = self.pending_search.take()
            && let Some(answer) = self.responder.respond(
                Request::Account(AccountRequest::Search { query }),
                (self.clock)(),
            )
        {
            let _ = self.answers.send(answer);
        }
    }
}
