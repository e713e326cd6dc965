//! Scoring every account of a day: the store's facts through the domain's model, the day's
//! scores kept for the trend, and the trend read back. Shared by `retain at-risk` and the
//! console's at-risk pane.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use crate::domain::lifecycle::{Stage, StageBounds};
use crate::domain::risk::{RiskModel, RiskScore, score};
use crate::store::{Store, StoreError, StoredScore};

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
    /// MRR at stake: what the account pays, weighed by how likely it is to go.
    pub fn at_stake_cents(&self) -> i64 {
        (self.mrr_cents as f64 * self.risk.score / 100.0).round() as i64
    }
}

/// Scores every active account as of `today` (facts up to the end of today), keeps the scores
/// as today's history when the file may be written, and reads the trends.
pub fn score_all(
    store: &mut Store,
    model: &RiskModel,
    today: NaiveDate,
) -> Result<Vec<Scored>, StoreError> {
    let subjects =
        store.risk_subjects(today, today + Days::new(1), &StageBounds::default(), None)?;
    let mut scored: Vec<Scored> = subjects
        .into_iter()
        .map(|s| Scored {
            risk: score(&s.input, model),
            stage: s.input.stage,
            account_id: s.account_id,
            external_id: s.external_id,
            name: s.name,
            owner: s.owner,
            mrr_cents: s.mrr_cents,
            currency: s.currency,
            trend_7d: None,
            trend_30d: None,
        })
        .collect();
    if !store.is_read_only() {
        let rows: Vec<(i64, &RiskScore)> = scored.iter().map(|s| (s.account_id, &s.risk)).collect();
        store.save_scores(today, &rows)?;
    }
    let week = store.scores_on(today - Days::new(7))?;
    let month = store.scores_on(today - Days::new(30))?;
    for s in &mut scored {
        s.trend_7d = week.get(&s.account_id).map(|b| s.risk.score - b.score);
        s.trend_30d = month.get(&s.account_id).map(|b| s.risk.score - b.score);
    }
    Ok(scored)
}

/// Yesterday's scores, for "what changed since yesterday".
pub fn yesterday(store: &Store, today: NaiveDate) -> Result<HashMap<i64, StoredScore>, StoreError> {
    store.scores_on(today - Days::new(1))
}
