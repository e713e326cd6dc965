//! The database worker: the only part of the console that touches the database. The event loop
//! sends it requests and gets answers back through a channel, so the screen never waits on
//! SQLite. It has three threads, each with its own connection: one for what a rep on a call
//! waits for (lookups, cards, logging), one for loading whole panes and the day's schedule, which
//! can take a second on a large file, and one that builds the search index at start.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, Days, NaiveDate, Utc};
use tokio::sync::mpsc::UnboundedSender;

use super::metrics::MetricsData;
use crate::domain::checkins::Cadences;
use crate::domain::lifecycle::{Stage, StageBounds};
use crate::domain::metrics::{self, Period};
use crate::domain::model::Interaction;
use crate::domain::my_queue::Row;
use crate::domain::phone::Country;
use crate::domain::recovery::RecoveryReport;
use crate::domain::retry::RetryPolicy;
use crate::domain::risk::{Band, Change, RiskModel, RiskScore, changes_since};
use crate::domain::search::SearchIndex;
use crate::services::lookup::Found;
use crate::services::my_queue::my_queue;
use crate::services::outreach::Letter;
use crate::services::payments::{QueueItem, describe, queue_items, recovery_report};
use crate::services::scoring::{Scored, earlier, score_one, score_slices};
use crate::store::{
    AccountCard, AccountRow, Actor, AttemptResult, CheckinFilter, CheckinRow, Claim, Create, Draft,
    NewAttempt, NotesSave, Snooze, Store, StoreError,
};

/// How often the database thread looks for other processes' commits.
const CHANGE_POLL: Duration = Duration::from_millis(300);
/// A request that takes longer is logged.
const SLOW: Duration = Duration::from_millis(100);

/// How many results a lookup shows.
pub const SEARCH_LIMIT: usize = 50;

/// `strum` names each variant for the log (`Request::kind`), without formatting what it carries.
#[derive(Debug, Clone, PartialEq, strum::IntoStaticStr)]
pub enum Request {
    /// Every active account, for the first pane of someone who is not a rep.
    List {
        pane: usize,
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
        account_id: i64,
        interaction: Interaction,
    },
    /// Bring every account's check-ins in line with its stage: on start.
    Schedule,
    /// The active reps' logins, for Tab on the command line.
    Logins,
    /// Open check-ins for the check-ins pane.
    Checkins {
        filter: CheckinFilter,
    },
    SnoozeCheckin {
        checkin_id: i64,
        until: NaiveDate,
        reason: String,
    },
    /// Every active account's score, for the at-risk pane.
    Risk,
    /// One account's score, in full: the detail, and its row refreshed after a change.
    RiskOne {
        account_id: i64,
    },
    Assign {
        account_id: i64,
        owner: Option<String>,
    },
    Snooze {
        account_id: i64,
        until: NaiveDate,
        reason: String,
        score: f64,
    },
    /// The rep's queue for today, for the first pane.
    MyQueue,
    /// Work an account without an owner: claim it for this console.
    Claim {
        account_id: i64,
    },
    /// Done with an account claimed before.
    Release {
        account_id: i64,
    },
    /// Take an account out of the rep's queue until a day.
    SnoozeQueueRow {
        account_id: i64,
        until: NaiveDate,
        reason: String,
    },
    /// The letter a payment calls for, from the team's templates (read afresh: a team may edit
    /// them while consoles run).
    Letter {
        item: Box<QueueItem>,
    },
    /// Hands the letter to the team's mail command, then logs it as an email.
    SendLetter {
        letter: Box<Letter>,
    },
    /// Terminal work, done by the event loop and never by the worker: the text edited in the
    /// rep's `$EDITOR`, or copied to the terminal's clipboard (OSC 52).
    Edit {
        text: String,
    },
    Copy {
        text: String,
    },
    /// The account notes, saved only over `base_version`.
    SaveNotes {
        account_id: i64,
        base_version: i64,
        text: String,
    },
    /// Churn, revenue, cohorts and recovery over the last twelve months, for the metrics pane.
    Metrics,
    /// Every payment queue and the recovery figures, for the payments pane.
    Payments,
    /// A rep's action on a failed payment.
    Payment {
        payment_id: i64,
        account_id: i64,
        action: PaymentAction,
    },
    /// A pane's load, made while the console's view of the data was at `generation`: answered
    /// as `Response::Loaded`, on the loading thread.
    Load {
        generation: u64,
        request: Box<Request>,
    },
}

impl Request {
    /// The requests that read a whole pane: they go to the loading thread, so that a lookup
    /// never waits behind them.
    pub fn loads_a_pane(&self) -> bool {
        matches!(
            self,
            Request::List { .. }
                | Request::Checkins { .. }
                | Request::Payments
                | Request::Metrics
                | Request::MyQueue
                | Request::Risk
        )
    }

    /// What is asked, a load unwrapped.
    pub fn inner(&self) -> &Request {
        match self {
            Request::Load { request, .. } => request.inner(),
            other => other,
        }
    }

    /// Requests that write, and a draft's read that must come after its writes: they go to the
    /// writing thread, so that a lookup never waits behind a write that waits for an import.
    fn goes_to_writer(&self) -> bool {
        (self.writes() && !matches!(self, Request::Schedule))
            || matches!(
                self,
                Request::SaveDraft { .. }
                    | Request::DiscardDraft { .. }
                    | Request::LoadDraft { .. }
                    | Request::Claim { .. }
                    | Request::Release { .. }
            )
    }

    /// Requests that change what reps share (drafts are each rep's own, scores are derived).
    fn writes(&self) -> bool {
        matches!(
            self,
            Request::Log { .. }
                | Request::Schedule
                | Request::SnoozeCheckin { .. }
                | Request::Assign { .. }
                | Request::Snooze { .. }
                | Request::Payment { .. }
                | Request::SnoozeQueueRow { .. }
                | Request::SaveNotes { .. }
                | Request::SendLetter { .. }
        )
    }

    /// The request's name for the log: its variant, none of what it carries (a note's text
    /// stays out of the log); a load is named by what it loads.
    pub fn kind(&self) -> &'static str {
        match self {
            Request::Load { request, .. } => request.kind(),
            other => other.into(),
        }
    }

    /// Work for the terminal rather than the database (see `Edit`).
    pub fn for_terminal(&self) -> bool {
        matches!(self, Request::Edit { .. } | Request::Copy { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentAction {
    CardUpdated,
    Result(AttemptResult),
    Pause { until: NaiveDate, reason: String },
    Resume,
    WriteOff { reason: String },
}

/// One line of the at-risk pane: what the list shows and sorts on, nothing more, so that a
/// hundred thousand of them stay small.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskRow {
    pub account_id: i64,
    pub name: String,
    pub owner: Option<String>,
    pub stage: Stage,
    pub mrr_cents: i64,
    pub currency: String,
    pub score: f64,
    pub band: Band,
    pub trend_7d: Option<f64>,
    pub trend_30d: Option<f64>,
    /// The most impactful reason's sentence.
    pub top: Option<String>,
    pub snooze: Option<Snooze>,
    /// Since yesterday: became high risk or rose by 10 or more, and the sentence of the
    /// factor that moved.
    pub change: Option<(Change, Option<String>)>,
}

impl RiskRow {
    fn new(s: Scored, snooze: Option<Snooze>) -> RiskRow {
        RiskRow {
            top: s.risk.top().map(|r| r.detail.clone()),
            score: s.risk.score,
            band: s.risk.band,
            account_id: s.account_id,
            name: s.name,
            owner: s.owner,
            stage: s.stage,
            mrr_cents: s.mrr_cents,
            currency: s.currency,
            trend_7d: s.trend_7d,
            trend_30d: s.trend_30d,
            snooze,
            change: None,
        }
    }

    pub fn at_stake_cents(&self) -> i64 {
        (self.mrr_cents as f64 * self.score / 100.0).round() as i64
    }

    /// Hidden by a snooze that still runs, unless the score rose by 10 or more since.
    pub fn snoozed(&self) -> bool {
        self.snooze
            .as_ref()
            .is_some_and(|z| self.score < z.score + 10.0)
    }
}

/// A change with the sentence of the factor that moved.
fn with_detail(change: Change, risk: &RiskScore) -> (Change, Option<String>) {
    let detail = change
        .factor
        .and_then(|f| risk.reasons.iter().find(|r| r.factor == f))
        .map(|r| r.detail.clone());
    (change, detail)
}

/// Who is working, on which day, with which risk model and retry policy.
#[derive(Debug, Clone)]
pub struct Session {
    pub rep: Option<String>,
    pub os_user: String,
    pub today: NaiveDate,
    pub model: RiskModel,
    pub policy: RetryPolicy,
    /// How numbers written without a country code are read, at accounts with no country.
    pub country: Country,
    /// This console, among all the consoles on the file: what its claims are held under.
    pub id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    List {
        pane: usize,
        ids: Vec<i64>,
    },
    Rows {
        rows: Vec<AccountRow>,
    },
    Card {
        account_id: i64,
        card: Option<Box<AccountCard>>,
        risk: Option<Box<RiskScore>>,
    },
    Search {
        query: String,
        hits: Vec<Found>,
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
    IndexReady,
    /// Every active account's row, most at risk first, with each account's position: sorted
    /// and indexed here, off the console's thread (a million rows took it 0.2 to 0.5 s).
    Risk {
        rows: Vec<RiskRow>,
        index: HashMap<i64, usize>,
    },
    Checkins {
        rows: Vec<CheckinRow>,
    },
    MyQueue {
        rows: Vec<Row>,
    },
    Metrics(Box<MetricsData>),
    Claimed {
        account_id: i64,
        claim: Claim,
    },
    NotesSaved {
        account_id: i64,
        saved: NotesSave,
    },
    Payments {
        items: Vec<QueueItem>,
        report: Option<Box<RecoveryReport>>,
    },
    RiskOne {
        account_id: i64,
        row: Option<Box<RiskRow>>,
        risk: Option<Box<RiskScore>>,
    },
    /// The answer to a `Request::Load` of that generation.
    Loaded {
        generation: u64,
        answer: Box<Response>,
    },
    /// Another process committed to the database: what is on screen may be stale.
    Changed,
    /// The day's check-ins reconciled; `changed` when any was added, moved or removed.
    Scheduled {
        changed: bool,
    },
    Logins(Vec<String>),
    Letter(Box<Letter>),
    /// A change went through.
    Done {
        account_id: i64,
        what: String,
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

/// Answers the console's requests from the store: what the worker thread runs, and what tests
/// and benchmarks call directly.
pub struct Responder {
    store: Store,
    session: Session,
    index: Option<SearchIndex>,
    /// The file's data version when last looked at.
    seen_version: Option<i64>,
    /// The last text kept outside a database file that was gone, and where.
    kept: Option<(i64, String, std::path::PathBuf)>,
}

impl Responder {
    pub fn new(store: Store, session: Session) -> Responder {
        // The store checks every write against this: the screen's own refusals are for saying
        // why at once, not what keeps a non-rep from writing.
        let login = session.rep.as_deref().unwrap_or(&session.os_user);
        Responder {
            store: store.acting_as(login, &session.os_user),
            session,
            index: None,
            seen_version: None,
            kept: None,
        }
    }

    /// A refusal that is not the database's (a template, the mail command), said as it is.
    fn refused(&self, e: anyhow::Error) -> StoreError {
        StoreError::Refused {
            path: self.store.path().to_path_buf(),
            why: format!("{e:#}"),
        }
    }

    /// Lets go of every claim this console holds.
    pub fn release_session(&mut self) {
        if !self.store.is_read_only() {
            let _ = self.store.release_session(&self.session.id);
        }
    }

    /// True when another process committed since the last look (never on the first).
    pub fn changed_elsewhere(&mut self) -> bool {
        let Ok(now) = self.store.data_version() else {
            return false;
        };
        let changed = self.seen_version.is_some_and(|seen| seen != now);
        self.seen_version = Some(now);
        changed
    }

    /// One account's score today, in full, and its row.
    fn risk_one(&self, account_id: i64) -> Result<Option<(RiskRow, RiskScore)>, StoreError> {
        let today = self.session.today;
        let Some((scored, change)) =
            score_one(&self.store, &self.session.model, today, account_id)?
        else {
            return Ok(None);
        };
        let risk = scored.risk.clone();
        let snooze = self.store.snoozes(today)?.remove(&account_id);
        let row = RiskRow {
            change: change.map(|c| with_detail(c, &risk)),
            ..RiskRow::new(scored, snooze)
        };
        Ok(Some((row, risk)))
    }

    /// Builds the search index here and now (the worker builds it on a thread of its own).
    pub fn build_index(&mut self) -> Result<(), StoreError> {
        self.index = Some(self.store.search_index(self.session.country)?);
        Ok(())
    }

    pub fn has_index(&self) -> bool {
        self.index.is_some()
    }

    /// The answer to one request, if it has one; a failure is answered as `Failed`.
    pub fn respond(&mut self, request: Request, now: DateTime<Utc>) -> Option<Response> {
        let typed = match &request {
            Request::Log {
                account_id,
                interaction,
            } => Some((
                *account_id,
                interaction.kind.as_str(),
                interaction.body.clone(),
            )),
            Request::SaveDraft { account_id, draft } => {
                Some((*account_id, "draft", draft.body.clone()))
            }
            Request::SaveNotes {
                account_id, text, ..
            } => Some((*account_id, "account notes", text.clone())),
            _ => None,
        };
        let kind = request.kind();
        let started = Instant::now();
        let answer = self.try_respond(request, now).unwrap_or_else(|e| {
            tracing::warn!(request = %kind, "{e}");
            // The file is gone: what the rep typed is kept beside it rather than lost.
            let kept = match (&e, typed) {
                (
                    StoreError::Gone { .. } | StoreError::Locked { .. },
                    Some((account_id, kind, text)),
                ) if !text.trim().is_empty() => {
                    match self.keep_unsaved(account_id, kind, &text, now) {
                        Ok(path) => format!("; your text is kept in {}", path.display()),
                        Err(why) => format!("; your text could not be kept: {why:#}"),
                    }
                }
                _ => String::new(),
            };
            Some(Response::Failed(format!("{}{kept}", e.brief())))
        });
        let took = started.elapsed();
        if took > SLOW {
            tracing::info!(request = %kind, ms = took.as_millis() as u64, "slow request");
        }
        answer
    }

    /// Keeps a rep's text the database could not take, once however often it is asked to
    /// be saved (a draft and its call alike).
    fn keep_unsaved(
        &mut self,
        account_id: i64,
        kind: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<std::path::PathBuf> {
        if let Some((id, kept_text, path)) = &self.kept
            && *id == account_id
            && kept_text == text
        {
            return Ok(path.clone());
        }
        let header = format!(
            "{kind} on account {account_id}, by {}, at {}, not saved in {} (the file was gone, or busy as the console closed)\n\n",
            self.session.rep.as_deref().unwrap_or(&self.session.os_user),
            now.format("%Y-%m-%d %H:%M UTC"),
            self.store.path().display()
        );
        let path =
            crate::files::keep_unsaved(self.store.path(), account_id, &format!("{header}{text}"))?;
        self.kept = Some((account_id, text.to_string(), path.clone()));
        Ok(path)
    }

    fn try_respond(
        &mut self,
        request: Request,
        now: DateTime<Utc>,
    ) -> Result<Option<Response>, StoreError> {
        // The console of someone who is not a rep reads only; this holds whatever the screen
        // let through.
        if self.session.rep.is_none() && request.writes() {
            return Ok(match request {
                Request::Schedule => Some(Response::Scheduled { changed: false }),
                _ => Some(Response::Failed(format!(
                    "read-only: {} is not a rep of this database",
                    self.session.os_user
                ))),
            });
        }
        Ok(match request {
            Request::Load {
                generation,
                request,
            } => self.respond(*request, now).map(|answer| Response::Loaded {
                generation,
                answer: Box::new(answer),
            }),
            Request::List { pane } => Some(Response::List {
                pane,
                ids: self.store.active_account_ids()?,
            }),
            Request::Rows { ids } => Some(Response::Rows {
                rows: self.store.account_rows(&ids)?,
            }),
            Request::Card { account_id } => {
                let mut card = self.store.account_card(account_id)?.map(Box::new);
                if let Some(card) = &mut card {
                    card.claim = self.store.claim_on(account_id, now)?;
                }
                Some(Response::Card {
                    account_id,
                    card,
                    risk: self.risk_one(account_id)?.map(|(_, r)| Box::new(r)),
                })
            }
            Request::Claim { account_id } => {
                let Some(login) = self.session.rep.clone() else {
                    return Ok(None);
                };
                if self.store.is_read_only() {
                    return Ok(None);
                }
                let id = self.session.id.clone();
                Some(Response::Claimed {
                    account_id,
                    claim: self.store.claim(account_id, &login, &id, now)?,
                })
            }
            Request::Letter { item } => {
                let (_, mail) = crate::config::payments().map_err(|e| self.refused(e))?;
                let Some(card) = self.store.account_card(item.account_id)? else {
                    return Ok(None);
                };
                let login = self.session.rep.as_deref().unwrap_or(&self.session.os_user);
                let signed = self.store.rep(login)?.map_or(login.to_string(), |(n, _)| n);
                let letter = crate::services::outreach::compose(&item, &card, &signed, &mail, now)
                    .map_err(|e| self.refused(e))?;
                Some(Response::Letter(Box::new(letter)))
            }
            Request::SendLetter { letter } => {
                let (_, mail) = crate::config::payments().map_err(|e| self.refused(e))?;
                crate::services::outreach::send(&letter, &mail).map_err(|e| self.refused(e))?;
                let login = self.session.rep.clone().unwrap_or_default();
                let to = letter.to.as_ref().map_or("", |r| r.email.as_str());
                let what = match self.store.log_interaction(
                    letter.account_id,
                    &letter.as_interaction(&login, now),
                    &self.session.os_user,
                    now,
                ) {
                    Ok(_) => format!("letter sent to {to} and logged"),
                    Err(e) => format!(
                        "letter sent to {to}, but not logged ({}): log it by hand",
                        e.brief()
                    ),
                };
                Some(Response::Done {
                    account_id: letter.account_id,
                    what,
                })
            }
            // The event loop's, not ours: never sent here.
            Request::Edit { .. } | Request::Copy { .. } => None,
            Request::SaveNotes {
                account_id,
                base_version,
                text,
            } => {
                let os_user = self.session.os_user.clone();
                Some(Response::NotesSaved {
                    account_id,
                    saved: self
                        .store
                        .save_notes(account_id, base_version, &text, &os_user, now)?,
                })
            }
            Request::Release { account_id } => {
                let id = self.session.id.clone();
                self.store.release_claim(account_id, &id)?;
                None
            }
            Request::Search { query } => Some(self.search(query)?),
            Request::LoadDraft { account_id } => Some(Response::Draft {
                account_id,
                draft: match &self.session.rep {
                    Some(rep) => self.store.draft(rep, account_id)?,
                    None => None,
                },
            }),
            Request::SaveDraft { account_id, draft } => {
                if let Some(rep) = self.session.rep.clone() {
                    self.store.save_draft(&rep, account_id, &draft, now)?;
                }
                None
            }
            Request::DiscardDraft { account_id } => {
                if let Some(rep) = self.session.rep.clone() {
                    self.store.discard_draft(&rep, account_id)?;
                }
                None
            }
            Request::Log {
                account_id,
                interaction,
            } => {
                let os_user = self.session.os_user.clone();
                let id = self
                    .store
                    .log_interaction(account_id, &interaction, &os_user, now)?;
                if interaction.kind == crate::domain::model::InteractionKind::CheckIn {
                    self.store.schedule_account(
                        account_id,
                        self.session.today,
                        &StageBounds::default(),
                        &Cadences::default(),
                    )?;
                }
                Some(Response::Logged {
                    account_id,
                    interaction_id: id,
                })
            }
            Request::Schedule => {
                if self.store.is_read_only() {
                    return Ok(Some(Response::Scheduled { changed: false }));
                }
                let counts = self.store.schedule(
                    self.session.today,
                    &StageBounds::default(),
                    &Cadences::default(),
                )?;
                Some(Response::Scheduled {
                    changed: counts.created + counts.moved + counts.removed > 0,
                })
            }
            Request::Logins => Some(Response::Logins(
                self.store
                    .reps()?
                    .into_iter()
                    .filter(|r| r.active)
                    .map(|r| r.login)
                    .collect(),
            )),
            Request::Checkins { filter } => Some(Response::Checkins {
                rows: self.store.checkins_open(self.session.today, &filter)?,
            }),
            Request::SnoozeCheckin {
                checkin_id,
                until,
                reason,
            } => {
                let os_user = self.session.os_user.clone();
                let account_id = self
                    .store
                    .snooze_checkin(checkin_id, until, &reason, &os_user, now)?;
                Some(Response::Done {
                    account_id,
                    what: format!("check-in put off until {until}"),
                })
            }
            Request::Risk => {
                let (today, model) = (self.session.today, self.session.model.clone());
                let snoozes = self.store.snoozes(today)?;
                // A slice at a time: only the list's rows outlive their slice.
                let mut rows = Vec::new();
                score_slices(&mut self.store, &model, today, |store, scored, ids| {
                    let yesterday = earlier(store, today - Days::new(1), ids)?;
                    let now: Vec<(i64, &RiskScore)> =
                        scored.iter().map(|s| (s.account_id, &s.risk)).collect();
                    let mut changes: HashMap<i64, Change> = changes_since(&now, &yesterday, 10.0)
                        .into_iter()
                        .map(|c| (c.account_id, c))
                        .collect();
                    rows.extend(scored.into_iter().map(|s| {
                        let snooze = snoozes.get(&s.account_id).cloned();
                        let change = changes
                            .remove(&s.account_id)
                            .map(|c| with_detail(c, &s.risk));
                        RiskRow {
                            change,
                            ..RiskRow::new(s, snooze)
                        }
                    }));
                    Ok(())
                })?;
                // The pane's first order, so that its sort finds the work done.
                rows.sort_by(|a, b| {
                    b.score
                        .total_cmp(&a.score)
                        .then(a.account_id.cmp(&b.account_id))
                });
                let index = rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.account_id, i))
                    .collect();
                Some(Response::Risk { rows, index })
            }
            Request::RiskOne { account_id } => {
                let found = self.risk_one(account_id)?;
                Some(Response::RiskOne {
                    account_id,
                    risk: found.as_ref().map(|(_, r)| Box::new(r.clone())),
                    row: found.map(|(row, _)| Box::new(row)),
                })
            }
            Request::Assign { account_id, owner } => {
                let os_user = self.session.os_user.clone();
                self.store
                    .assign_owner(account_id, owner.as_deref(), &os_user, now)?;
                Some(Response::Done {
                    account_id,
                    what: match owner {
                        Some(login) => format!("assigned to {login}"),
                        None => "moved to the team queue".to_string(),
                    },
                })
            }
            Request::Snooze {
                account_id,
                until,
                reason,
                score,
            } => {
                let os_user = self.session.os_user.clone();
                self.store
                    .snooze(account_id, until, &reason, score, &os_user, now)?;
                Some(Response::Done {
                    account_id,
                    what: format!("snoozed until {until}"),
                })
            }
            Request::MyQueue => {
                let Some(login) = self.session.rep.clone() else {
                    return Ok(None);
                };
                let s = &self.session;
                Some(Response::MyQueue {
                    rows: my_queue(&mut self.store, &login, s.today, now, &s.model, &s.policy)?,
                })
            }
            Request::SnoozeQueueRow {
                account_id,
                until,
                reason,
            } => {
                let login = self.session.rep.clone().unwrap_or_default();
                let os_user = self.session.os_user.clone();
                self.store
                    .snooze_queue_row(&login, account_id, until, &reason, &os_user, now)?;
                Some(Response::Done {
                    account_id,
                    what: format!("out of your queue until {until}"),
                })
            }
            Request::Metrics => {
                let today = self.session.today;
                let from = crate::domain::dates::twelve_months_to(today);
                let facts = self.store.metrics_facts()?;
                Some(Response::Metrics(Box::new(MetricsData {
                    churn: metrics::logo_churn(&facts, from, today, Period::Month),
                    revenue: metrics::revenue(&facts, from, today, Period::Month),
                    cohorts: metrics::cohorts(&facts, from, today),
                    // The same window as `retain report recovery`'s default.
                    recovery: crate::services::payments::recovery_between(
                        &self.store,
                        from,
                        today,
                        &self.session.policy,
                    )?,
                })))
            }
            Request::Payments => {
                let (today, policy) = (self.session.today, &self.session.policy);
                Some(Response::Payments {
                    items: queue_items(&self.store, today, now, policy)?,
                    report: Some(Box::new(recovery_report(&self.store, today, 6, policy)?)),
                })
            }
            Request::Payment {
                payment_id,
                account_id,
                action,
            } => {
                let policy = self.session.policy.clone();
                let os_user = self.session.os_user.clone();
                let by = Actor {
                    os_user: &os_user,
                    now,
                };
                let state = match &action {
                    PaymentAction::CardUpdated => {
                        Some(self.store.card_updated(payment_id, &policy, by)?)
                    }
                    PaymentAction::Result(result) => {
                        let attempt = NewAttempt {
                            at: now,
                            result: result.clone(),
                            automatic: false,
                            external_ref: None,
                        };
                        self.store
                            .record_attempt(payment_id, &attempt, &policy, by)?
                    }
                    PaymentAction::Pause { until, reason } => Some(self.store.pause_dunning(
                        payment_id,
                        Some((*until, reason)),
                        &policy,
                        by,
                    )?),
                    PaymentAction::Resume => {
                        Some(self.store.pause_dunning(payment_id, None, &policy, by)?)
                    }
                    PaymentAction::WriteOff { reason } => {
                        Some(self.store.write_off(payment_id, reason, &policy, by)?)
                    }
                };
                Some(Response::Done {
                    account_id,
                    what: match state {
                        Some(state) => format!("payment {payment_id}: {}", describe(&state)),
                        None => format!("payment {payment_id}: that attempt was recorded before"),
                    },
                })
            }
        })
    }

    fn search(&self, query: String) -> Result<Response, StoreError> {
        let Some(index) = &self.index else {
            return Ok(Response::Search {
                query,
                hits: Vec::new(),
                indexing: true,
            });
        };
        let me = self.session.rep.as_deref();
        let hits = crate::services::lookup::find(&self.store, index, &query, SEARCH_LIMIT, me)?;
        Ok(Response::Search {
            query,
            hits,
            indexing: false,
        })
    }
}

type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Answers one request on a side thread, sending the answer to the console.
type Answer = Box<dyn Fn(&mut Responder, Request) + Send>;

/// A thread of the worker's with a connection of its own.
struct SideThread {
    requests: Sender<Request>,
    thread: JoinHandle<()>,
    interrupt: rusqlite::InterruptHandle,
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
        // The mark is set before the first screen is read, so no commit after it goes unseen.
        self.responder.changed_elsewhere();
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
                    | (_, Some(to), r @ Request::Schedule) => match to.requests.send(r) {
                        Ok(()) => continue,
                        Err(mpsc::SendError(r)) => r,
                    },
                    (_, _, r) => r,
                };
                let request = match (&writer, request) {
                    (Some(to), r) if r.goes_to_writer() => match to.requests.send(r) {
                        Ok(()) => continue,
                        Err(mpsc::SendError(r)) => r,
                    },
                    (_, r) => r,
                };
                if let Request::Search { query } = &request
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
        let path = self.responder.store.path().to_path_buf();
        let country = self.responder.session.country;
        let (tx, rx) = mpsc::channel();
        self.index_rx = Some(rx);
        self.index_started = Instant::now();
        std::thread::Builder::new()
            .name("retain-index".into())
            .spawn(move || {
                let built = Store::open(&path, Create::Never)
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
            && let Some(answer) = self
                .responder
                .respond(Request::Search { query }, (self.clock)())
        {
            let _ = self.answers.send(answer);
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

/// Drops the loads that a later one in the batch asks again: the pane is loaded once, for the
/// newest generation.
fn latest_loads(batch: Vec<Request>) -> Vec<Request> {
    let asked_again: Vec<bool> = (0..batch.len())
        .map(|i| batch[i + 1..].iter().any(|r| r.inner() == batch[i].inner()))
        .collect();
    batch
        .into_iter()
        .zip(asked_again)
        .filter_map(|(r, again)| (!again).then_some(r))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pane_asked_twice_in_a_burst_loads_once_for_the_newest_generation() {
        let load = |generation, request| Request::Load {
            generation,
            request: Box::new(request),
        };
        let batch = vec![
            load(1, Request::Metrics),
            load(1, Request::Payments),
            Request::Schedule,
            load(2, Request::Metrics),
            load(2, Request::MyQueue),
        ];
        assert_eq!(
            latest_loads(batch),
            vec![
                load(1, Request::Payments),
                Request::Schedule,
                load(2, Request::Metrics),
                load(2, Request::MyQueue),
            ]
        );
    }

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
