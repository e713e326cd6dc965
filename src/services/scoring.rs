//! Scoring every account of a day: the store's facts through the domain's model, the day's
//! scores kept for the trend, and the trend read back. Shared by `retain at-risk` and the
//! console's at-risk pane.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use crate::domain::lifecycle::{Stage, StageBounds};
use crate::domain::risk::{Band, Change, Earlier, RiskModel, RiskScore, changes_since, score};
use crate::store::{Current, RiskSubject, Scope, Store, StoreError, StoredScore};

/// An account with its score of the day.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub account_id: i64,
    pub external_id: String,
    pub name: String,
    pub owner: Option<String>,
    pub mrr_cents: i64,
    pub currency: String,
    pub stage: Stage,
    pub risk: RiskScore,
    /// Change of the score over 7 and 30 days, where a score was kept then.
    pub trend_7d: Option<f64>,
    pub trend_30d: Option<f64>,
}

impl Scored {
    /// The account's score, with no trend read yet.
    fn new(subject: RiskSubject, risk: RiskScore) -> Scored {
        Scored {
            stage: subject.input.stage,
            risk,
            account_id: subject.account_id,
            external_id: subject.external_id,
            name: subject.name,
            owner: subject.owner,
            mrr_cents: subject.mrr_cents,
            currency: subject.currency,
            trend_7d: None,
            trend_30d: None,
        }
    }

    /// MRR at stake: what the account pays, weighed by how likely it is to go.
    pub fn at_stake_cents(&self) -> i64 {
        (self.mrr_cents as f64 * self.risk.score / 100.0).round() as i64
    }
}

/// How many account ids are scored at once. A slice's facts are read, scored and let go
/// together, so memory stays flat however large the file; and each slice's scores are kept in a
/// transaction of their own, short enough that no rep's write waits on it.
const SLICE: i64 = 10_000;

/// Scores every active account as of `today` (facts up to the end of today), a slice of
/// accounts at a time; keeps the scores as today's (`score_and_keep`), reads
/// the trends, and hands each slice to `each` with the store and the slice's scope.
pub fn score_slices(
    store: &mut Store,
    model: &RiskModel,
    today: NaiveDate,
    mut each: impl FnMut(&Store, Vec<Scored>, Scope<'_>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let Some((first, last)) = store.account_id_span()? else {
        return Ok(());
    };
    let mut from = first;
    while from <= last {
        let ids = Scope::Ids(from, from.saturating_add(SLICE));
        let mut scored: Vec<Scored> = score_and_keep(store, model, today, ids)?
            .into_iter()
            .map(|(s, risk)| Scored::new(s, risk))
            .collect();
        let week = store.scores_on(today - Days::new(7), ids)?;
        let month = store.scores_on(today - Days::new(30), ids)?;
        for s in &mut scored {
            s.trend_7d = week.get(&s.account_id).map(|b| s.risk.score - b.score);
            s.trend_30d = month.get(&s.account_id).map(|b| s.risk.score - b.score);
        }
        each(store, scored, ids)?;
        let Some(next) = from.checked_add(SLICE) else {
            break;
        };
        from = next;
    }
    Ok(())
}

/// The active accounts of `scope` scored as of `today` (facts up to the end of today); kept as
/// the day's current scores (and history) when the file may be written and no other writer
/// holds it, so that a rep's queue can read them back rather than score them again while no
/// fact of theirs changes.
pub fn score_and_keep(
    store: &mut Store,
    model: &RiskModel,
    today: NaiveDate,
    scope: Scope<'_>,
) -> Result<Vec<(RiskSubject, RiskScore)>, StoreError> {
    // Counted before the facts are read: a change made while they are read leaves the kept
    // score behind, never taken for current.
    let seen = store.fact_changes(scope)?;
    let scored: Vec<(RiskSubject, RiskScore)> = store
        .risk_subjects(today, today + Days::new(1), &StageBounds::default(), scope)?
        .into_iter()
        .map(|s| {
            let risk = score(&s.input, model);
            (s, risk)
        })
        .collect();
    let rows: Vec<(i64, &RiskScore)> = scored.iter().map(|(s, r)| (s.account_id, r)).collect();
    let current = Current {
        model: model.fingerprint(),
        seen: &seen,
    };
    // Not kept when another writer holds the file (an import, say): the next look scores
    // them again.
    store.keep_scores(today, &rows, current)?;
    Ok(scored)
}

/// Every active account scored, as `score_slices` scores them, in one list.
pub fn score_all(
    store: &mut Store,
    model: &RiskModel,
    today: NaiveDate,
) -> Result<Vec<Scored>, StoreError> {
    let mut all = Vec::new();
    score_slices(store, model, today, |_, scored, _| {
        all.extend(scored);
        Ok(())
    })?;
    Ok(all)
}

/// Keeps the scores the history would hold had retain been scoring every day: each of
/// `days_ago` scored from the data dated before that day. The demo uses it so that trends show
/// from the first start.
pub fn backfill(
    store: &mut Store,
    model: &RiskModel,
    today: NaiveDate,
    days_ago: &[u64],
) -> Result<(), StoreError> {
    for &ago in days_ago {
        let day = today - Days::new(ago);
        let scores: Vec<(i64, RiskScore)> = store
            .risk_subjects(day, day, &StageBounds::default(), Scope::All)?
            .into_iter()
            .map(|s| (s.account_id, score(&s.input, model)))
            .collect();
        let rows: Vec<(i64, &RiskScore)> = scores.iter().map(|(id, s)| (*id, s)).collect();
        store.save_scores(day, &rows)?;
    }
    Ok(())
}

/// The scores kept for a day, of the accounts in `scope`, as the domain compares them.
pub fn earlier(
    store: &Store,
    day: NaiveDate,
    scope: Scope<'_>,
) -> Result<HashMap<i64, Earlier>, StoreError> {
    Ok(store
        .scores_on(day, scope)?
        .into_iter()
        .filter_map(|(id, s)| as_earlier(s).map(|e| (id, e)))
        .collect())
}

fn as_earlier(s: StoredScore) -> Option<Earlier> {
    s.band.parse::<Band>().ok().map(|band| Earlier {
        score: s.score,
        band,
        points: s.points,
    })
}

/// One account scored again after a change: its score, its trends and its change since
/// yesterday, from the same history as `score_all`. The history itself is left as it is.
pub fn score_one(
    store: &Store,
    model: &RiskModel,
    today: NaiveDate,
    account_id: i64,
) -> Result<Option<(Scored, Option<Change>)>, StoreError> {
    let Some(subject) = store
        .risk_subjects(
            today,
            today + Days::new(1),
            &StageBounds::default(),
            Scope::Account(account_id),
        )?
        .pop()
    else {
        return Ok(None);
    };
    let risk = score(&subject.input, model);
    let trend = |days: u64| -> Result<Option<f64>, StoreError> {
        Ok(store
            .score_of(account_id, today - Days::new(days))?
            .map(|b| risk.score - b.score))
    };
    let yesterday: HashMap<i64, Earlier> = store
        .score_of(account_id, today - Days::new(1))?
        .and_then(as_earlier)
        .map(|e| (account_id, e))
        .into_iter()
        .collect();
    let change = changes_since(&[(account_id, &risk)], &yesterday, 10.0).pop();
    let (trend_7d, trend_30d) = (trend(7)?, trend(30)?);
    let scored = Scored {
        trend_7d,
        trend_30d,
        ..Scored::new(subject, risk)
    };
    Ok(Some((scored, change)))
}
