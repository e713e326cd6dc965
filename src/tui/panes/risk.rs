//! The at-risk pane's state: every active account's score, and how the rep filters and sorts
//! them.

use std::collections::HashMap;

use crate::domain::lifecycle::Stage;
use crate::domain::risk::{Band, RiskScore};
use crate::tui::worker::RiskRow;

/// How the at-risk pane is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskSort {
    Score,
    AtStake,
    Trend,
}

impl RiskSort {
    pub fn label(self) -> &'static str {
        match self {
            RiskSort::Score => "by score",
            RiskSort::AtStake => "by MRR at stake",
            RiskSort::Trend => "by rise over 7 d",
        }
    }
}

/// The at-risk pane: every active account's score, and how the rep filters and sorts them.
#[derive(Debug, Clone)]
pub struct RiskState {
    pub rows: Vec<RiskRow>,
    /// Position of each account in `rows`.
    pub index: HashMap<i64, usize>,
    pub loaded: bool,
    pub sort: RiskSort,
    pub mine: bool,
    pub band: Option<Band>,
    pub stage: Option<Stage>,
    pub owner: Option<String>,
    /// Only what changed since yesterday, largest rise first.
    pub changes: bool,
    /// The selected account's full score.
    pub detail: Option<(i64, Box<RiskScore>)>,
}

impl Default for RiskState {
    fn default() -> Self {
        RiskState {
            rows: Vec::new(),
            index: HashMap::new(),
            loaded: false,
            sort: RiskSort::Score,
            mine: false,
            band: None,
            stage: None,
            owner: None,
            changes: false,
            detail: None,
        }
    }
}

impl RiskState {
    pub fn row(&self, id: i64) -> Option<&RiskRow> {
        self.index.get(&id).map(|&i| &self.rows[i])
    }

    /// The ids the pane shows: filtered, sorted, snoozed accounts left out.
    pub(crate) fn visible(&self, me: Option<&str>) -> Vec<i64> {
        let mut rows: Vec<&RiskRow> = self
            .rows
            .iter()
            .filter(|r| !r.snoozed())
            .filter(|r| !self.mine || r.owner.as_deref() == me)
            .filter(|r| self.band.is_none_or(|b| r.band == b))
            .filter(|r| self.stage.is_none_or(|s| r.stage == s))
            .filter(|r| self.owner.is_none() || r.owner == self.owner)
            .filter(|r| !self.changes || r.change.is_some())
            .collect();
        let trend = |r: &RiskRow| r.trend_7d.unwrap_or(0.0);
        let rise = |r: &RiskRow| {
            r.change.as_ref().map_or(0.0, |(c, _)| {
                // New high risk first, then the largest rise.
                c.to - c.from.unwrap_or(0.0) + if c.new_high { 1000.0 } else { 0.0 }
            })
        };
        rows.sort_by(|a, b| {
            if self.changes {
                return rise(b)
                    .total_cmp(&rise(a))
                    .then(a.account_id.cmp(&b.account_id));
            }
            match self.sort {
                RiskSort::Score => b.score.total_cmp(&a.score),
                RiskSort::AtStake => b.at_stake_cents().cmp(&a.at_stake_cents()),
                RiskSort::Trend => trend(b).total_cmp(&trend(a)),
            }
            .then(b.score.total_cmp(&a.score))
            .then(a.account_id.cmp(&b.account_id))
        });
        rows.into_iter().map(|r| r.account_id).collect()
    }

    /// Puts an account's row in; false when it was there already as it is, so that the list
    /// (a sort of every account) need not be built again.
    pub(crate) fn put(&mut self, row: RiskRow) -> bool {
        match self.index.get(&row.account_id) {
            Some(&i) if self.rows[i] == row => false,
            Some(&i) => {
                self.rows[i] = row;
                true
            }
            None => {
                self.index.insert(row.account_id, self.rows.len());
                self.rows.push(row);
                true
            }
        }
    }

    /// The filters in force, for the caption.
    pub fn describe(&self) -> String {
        let mut parts = vec![if self.changes {
            "changes since yesterday".to_string()
        } else {
            self.sort.label().to_string()
        }];
        parts.push(if self.mine {
            "mine".into()
        } else {
            "all".into()
        });
        if let Some(b) = self.band {
            parts.push(format!("{} band", b.as_str()));
        }
        if let Some(s) = self.stage {
            parts.push(s.as_str().to_string());
        }
        if let Some(o) = &self.owner {
            parts.push(format!("owner {o}"));
        }
        parts.join(" · ")
    }
}
