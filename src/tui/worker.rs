//! The database worker: the only thread of the console that touches the database. The event
//! loop sends it requests and gets answers back through a channel, so the screen never waits on
//! SQLite. The search index is built on a thread of its own, with its own connection, so the
//! first screen does not wait for it either.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::UnboundedSender;

use crate::domain::search::{Hit, SearchIndex};
use crate::store::{AccountCard, AccountList, AccountRow, Create, Draft, NewInteraction, Store};

/// How many results a lookup shows.
pub const SEARCH_LIMIT: usize = 50;

#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// The ids of a pane's list, and the counts of every pane for the header.
    List {
        pane: usize,
        lists: Vec<AccountList>,
    },
    Rows {
        ids: Vec<i64>,
    },
    Card {
        account_id: i64,
    },
    Search {
        query: String,
    },
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
    Log {
        new: NewInteraction,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    List {
        pane: usize,
        ids: Vec<i64>,
        counts: Vec<i64>,
    },
    Rows {
        rows: Vec<AccountRow>,
    },
    Card {
        account_id: i64,
        card: Option<Box<AccountCard>>,
    },
    Search {
        query: String,
        hits: Vec<(Hit, AccountRow)>,
        indexing: bool,
    },
    Draft {
        account_id: i64,
        draft: Option<(Draft, DateTime<Utc>)>,
    },
    Logged {
        account_id: i64,
        interaction_id: i64,
    },
    IndexReady {
        accounts: usize,
        millis: u128,
    },
    Failed(String),
}

pub struct Worker {
    requests: Option<Sender<Request>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    pub fn spawn(
        store: Store,
        rep: Option<String>,
        os_user: String,
        clock: impl Fn() -> DateTime<Utc> + Send + 'static,
        answers: UnboundedSender<Response>,
    ) -> Worker {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("retain-db".into())
            .spawn(move || {
                let mut state = State {
                    store,
                    rep,
                    os_user,
                    clock: Box::new(clock),
                    answers,
                    index: None,
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

struct State {
    store: Store,
    rep: Option<String>,
    os_user: String,
    clock: Box<dyn Fn() -> DateTime<Utc> + Send>,
    answers: UnboundedSender<Response>,
    index: Option<SearchIndex>,
    index_rx: Option<Receiver<Result<SearchIndex, String>>>,
    index_started: Instant,
    /// A lookup that came before the index was ready.
    pending_search: Option<String>,
}

impl State {
    fn run(&mut self, rx: Receiver<Request>) {
        self.start_index();
        loop {
            self.poll_index();
            let first = match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(r) => r,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            let mut batch = vec![first];
            batch.extend(rx.try_iter());
            for request in coalesce(batch) {
                self.handle(request);
            }
        }
    }

    fn start_index(&mut self) {
        let path = self.store.path().to_path_buf();
        let (tx, rx) = mpsc::channel();
        self.index_rx = Some(rx);
        self.index_started = Instant::now();
        std::thread::Builder::new()
            .name("retain-index".into())
            .spawn(move || {
                let built = Store::open(&path, Create::Never)
                    .and_then(|s| s.search_docs())
                    .map(SearchIndex::build)
                    .map_err(|e| e.to_string());
                let _ = tx.send(built);
            })
            .expect("the index thread starts");
    }

    fn poll_index(&mut self) {
        let Some(rx) = &self.index_rx else { return };
        match rx.try_recv() {
            Ok(Ok(index)) => {
                let accounts = index.len();
                self.index = Some(index);
                self.index_rx = None;
                self.answer(Response::IndexReady {
                    accounts,
                    millis: self.index_started.elapsed().as_millis(),
                });
                if let Some(query) = self.pending_search.take() {
                    self.search(query);
                }
            }
            Ok(Err(e)) => {
                self.index_rx = None;
                self.answer(Response::Failed(format!("search index: {e}")));
            }
            Err(_) => {}
        }
    }

    fn answer(&self, response: Response) {
        let _ = self.answers.send(response);
    }

    fn handle(&mut self, request: Request) {
        let result = match request {
            Request::List { pane, lists } => self.list(pane, &lists),
            Request::Rows { ids } => self
                .store
                .account_rows(&ids)
                .map(|rows| self.answer(Response::Rows { rows })),
            Request::Card { account_id } => self.store.account_card(account_id).map(|card| {
                self.answer(Response::Card {
                    account_id,
                    card: card.map(Box::new),
                })
            }),
            Request::Search { query } => {
                self.search(query);
                Ok(())
            }
            Request::LoadDraft { account_id } => match &self.rep {
                Some(rep) => self.store.draft(rep, account_id).map(|draft| {
                    self.answer(Response::Draft { account_id, draft });
                }),
                None => {
                    self.answer(Response::Draft {
                        account_id,
                        draft: None,
                    });
                    Ok(())
                }
            },
            Request::SaveDraft { account_id, draft } => match self.rep.clone() {
                Some(rep) => {
                    let now = (self.clock)();
                    self.store.save_draft(&rep, account_id, &draft, now)
                }
                None => Ok(()),
            },
            Request::DiscardDraft { account_id } => match self.rep.clone() {
                Some(rep) => self.store.discard_draft(&rep, account_id),
                None => Ok(()),
            },
            Request::Log { new } => {
                let now = (self.clock)();
                let os_user = self.os_user.clone();
                self.store.log_interaction(&new, &os_user, now).map(|id| {
                    self.answer(Response::Logged {
                        account_id: new.account_id,
                        interaction_id: id,
                    })
                })
            }
        };
        if let Err(e) = result {
            self.answer(Response::Failed(e.to_string()));
        }
    }

    fn list(&mut self, pane: usize, lists: &[AccountList]) -> Result<(), crate::store::StoreError> {
        let ids = self.store.account_ids(&lists[pane])?;
        let counts = lists
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if i == pane {
                    Ok(ids.len() as i64)
                } else {
                    self.store.account_count_in(l)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.answer(Response::List { pane, ids, counts });
        Ok(())
    }

    fn search(&mut self, query: String) {
        let Some(index) = &self.index else {
            self.pending_search = Some(query.clone());
            self.answer(Response::Search {
                query,
                hits: Vec::new(),
                indexing: true,
            });
            return;
        };
        let hits = index.search(&query, SEARCH_LIMIT);
        let ids: Vec<i64> = hits.iter().map(|h| h.account_id).collect();
        match self.store.account_rows(&ids) {
            Ok(rows) => {
                let hits = hits
                    .into_iter()
                    .filter_map(|h| {
                        rows.iter()
                            .find(|r| r.account_id == h.account_id)
                            .map(|r| (h, r.clone()))
                    })
                    .collect();
                self.answer(Response::Search {
                    query,
                    hits,
                    indexing: false,
                });
            }
            Err(e) => self.answer(Response::Failed(e.to_string())),
        }
    }
}

/// Drops requests that later ones make pointless: only the last lookup and the last card
/// matter when the rep types or scrolls faster than the answers come.
fn coalesce(batch: Vec<Request>) -> Vec<Request> {
    let last_search = batch
        .iter()
        .rposition(|r| matches!(r, Request::Search { .. }));
    let last_card = batch
        .iter()
        .rposition(|r| matches!(r, Request::Card { .. }));
    batch
        .into_iter()
        .enumerate()
        .filter(|(i, r)| match r {
            Request::Search { .. } => Some(*i) == last_search,
            Request::Card { .. } => Some(*i) == last_card,
            _ => true,
        })
        .map(|(_, r)| r)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_search_and_card_survive_a_burst() {
        let batch = vec![
            Request::Search { query: "m".into() },
            Request::Card { account_id: 1 },
            Request::Search { query: "mu".into() },
            Request::DiscardDraft { account_id: 3 },
            Request::Card { account_id: 2 },
            Request::Search {
                query: "mul".into(),
            },
        ];
        assert_eq!(
            coalesce(batch),
            vec![
                Request::DiscardDraft { account_id: 3 },
                Request::Card { account_id: 2 },
                Request::Search {
                    query: "mul".into()
                },
            ]
        );
    }
}
