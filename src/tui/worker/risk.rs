//! Scores: every account's for the at-risk pane, one account's in full, and snoozes.

use std::collections::HashMap;

use chrono::{DateTime, Days, Utc};

use super::request::RiskRequest;
use super::responder::{Answer, Responder};
use super::response::{PaneData, Response};
use crate::domain::lifecycle::Stage;
use crate::domain::risk::{Band, Change, RiskScore, changes_since};
use crate::services::scoring::{Scored, earlier, score_one, score_slices};
use crate::store::{Snooze, StoreError};

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

impl Responder {
    pub(super) fn risk(&mut self, request: RiskRequest, now: DateTime<Utc>) -> Answer {
        Ok(match request {
            RiskRequest::One { account_id } => {
                let found = self.risk_one(account_id)?;
                Some(Response::RiskOne {
                    account_id,
                    risk: found.as_ref().map(|(_, r)| Box::new(r.clone())),
                    row: found.map(|(row, _)| Box::new(row)),
                })
            }
            RiskRequest::Snooze {
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
        })
    }

    /// One account's score today, in full, and its row.
    pub(super) fn risk_one(
        &self,
        account_id: i64,
    ) -> Result<Option<(RiskRow, RiskScore)>, StoreError> {
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

    /// Every active account's row, scored a slice at a time: only the list's rows outlive
    /// their slice.
    pub(super) fn load_risk(&mut self) -> Result<PaneData, StoreError> {
        let (today, model) = (self.session.today, self.session.model.clone());
        let snoozes = self.store.snoozes(today)?;
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
        Ok(PaneData::Risk { rows, index })
    }
}
