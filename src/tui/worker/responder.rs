//! Answers the console's requests from the store: what the worker's threads run, and what
//! tests and benchmarks call directly. The answers themselves are in the handler files, one a
//! subject.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};

use super::request::{CheckinRequest, Load, Request};
use super::response::{PaneData, Response};
use crate::domain::phone::Country;
use crate::domain::retry::RetryPolicy;
use crate::domain::risk::RiskModel;
use crate::domain::search::SearchIndex;
use crate::store::{Store, StoreError};

/// A request that takes longer is logged.
const SLOW: Duration = Duration::from_millis(100);

/// What a handler gives back: an answer for the console, if the request has one.
pub(super) type Answer = Result<Option<Response>, StoreError>;

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

pub struct Responder {
    pub(super) store: Store,
    pub(super) session: Session,
    pub(super) index: Option<SearchIndex>,
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
    pub(super) fn refused(&self, e: anyhow::Error) -> StoreError {
        StoreError::Refused {
            path: self.store.path().to_path_buf(),
            why: format!("{e:#}"),
        }
    }

    /// The login this console signs with: the rep's, else the OS user's.
    pub(super) fn login(&self) -> &str {
        self.session.rep.as_deref().unwrap_or(&self.session.os_user)
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
        let typed = request.typed_text();
        let kind = request.kind();
        let started = Instant::now();
        let answer = self.try_respond(request, now).unwrap_or_else(|e| {
            tracing::warn!(request = %kind, "{e}");
            // The file is gone: what the rep typed is kept beside it rather than lost.
            let kept = match (&e, typed) {
                (
                    StoreError::Gone { .. }
                    | StoreError::Locked { .. }
                    | StoreError::ServerLost { .. },
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
    /// be saved (a draft and its call alike): the same text is kept once, and a text that
    /// goes on from the one kept last (typed since) takes its file's place.
    fn keep_unsaved(
        &mut self,
        account_id: i64,
        kind: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<std::path::PathBuf> {
        let mut replaced = None;
        if let Some((id, kept_text, path)) = &self.kept
            && *id == account_id
        {
            if kept_text == text {
                return Ok(path.clone());
            }
            if text.starts_with(kept_text.as_str()) {
                replaced = Some(path.clone());
            }
        }
        let header = format!(
            "{kind} on account {account_id}, by {}, at {}, not saved in {} (the file was gone or busy, or the server out of reach, as the console closed)\n\n",
            self.login(),
            now.format("%Y-%m-%d %H:%M UTC"),
            self.store.path().display()
        );
        let path =
            crate::files::keep_unsaved(self.store.path(), account_id, &format!("{header}{text}"))?;
        if let Some(old) = replaced {
            crate::files::forget_unsaved(&old);
        }
        self.kept = Some((account_id, text.to_string(), path.clone()));
        Ok(path)
    }

    fn try_respond(&mut self, request: Request, now: DateTime<Utc>) -> Answer {
        // The console of someone who is not a rep reads only; this holds whatever the screen
        // let through.
        if self.session.rep.is_none() && request.writes() {
            return Ok(Some(match request {
                Request::Checkin(CheckinRequest::Schedule) => {
                    Response::Scheduled { changed: false }
                }
                _ => Response::Failed(format!(
                    "read-only: {} is not a rep of this database",
                    self.session.os_user
                )),
            }));
        }
        match request {
            Request::Load { generation, load } => Ok(self
                .load(load, now)?
                .map(|data| Response::Loaded { generation, data })),
            Request::Account(r) => self.account(r, now),
            Request::Note(r) => self.note(r, now),
            Request::Risk(r) => self.risk(r, now),
            Request::Checkin(r) => self.checkin(r, now),
            Request::Queue(r) => self.queue(r, now),
            Request::Payment(r) => self.payment(r, now),
            // The event loop's, not ours: never sent here.
            Request::Terminal(_) => Ok(None),
        }
    }

    /// A pane's data; none where the pane has nothing to show this console.
    fn load(&mut self, load: Load, now: DateTime<Utc>) -> Result<Option<PaneData>, StoreError> {
        Ok(Some(match load {
            Load::Accounts => PaneData::Accounts(self.store.active_account_ids()?),
            Load::Queue => return self.load_queue(now),
            Load::Risk => self.load_risk()?,
            Load::Checkins(filter) => self.load_checkins(&filter)?,
            Load::Payments => self.load_payments(now)?,
            Load::Metrics => self.load_metrics()?,
        }))
    }
}
