//! The check-ins pane's state: the open check-ins of the window, stage and owner the rep chose.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use crate::domain::lifecycle::Stage;
use crate::store::{CheckinFilter, CheckinRow};

/// Which check-ins the check-ins pane shows, by when they are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueWindow {
    Overdue,
    Today,
    Week,
}

impl DueWindow {
    pub fn label(self) -> &'static str {
        match self {
            DueWindow::Overdue => "overdue",
            DueWindow::Today => "due today",
            DueWindow::Week => "due this week",
        }
    }
}

/// The check-ins pane: open check-ins, most overdue first, whatever their stage.
#[derive(Debug, Clone)]
pub struct CheckinState {
    pub rows: Vec<CheckinRow>,
    /// Position of each check-in in `rows`.
    pub index: HashMap<i64, usize>,
    pub loaded: bool,
    pub window: DueWindow,
    pub mine: bool,
    pub stage: Option<Stage>,
    pub owner: Option<String>,
}

impl Default for CheckinState {
    fn default() -> Self {
        CheckinState {
            rows: Vec::new(),
            index: HashMap::new(),
            loaded: false,
            window: DueWindow::Week,
            mine: false,
            stage: None,
            owner: None,
        }
    }
}

impl CheckinState {
    pub fn row(&self, checkin_id: i64) -> Option<&CheckinRow> {
        self.index.get(&checkin_id).map(|&i| &self.rows[i])
    }

    pub(crate) fn filter(&self, today: NaiveDate, me: Option<&str>) -> CheckinFilter {
        CheckinFilter {
            due_by: Some(match self.window {
                DueWindow::Overdue => today - Days::new(1),
                DueWindow::Today => today,
                DueWindow::Week => today + Days::new(7),
            }),
            due_from: None,
            stage: self.stage,
            owner: if self.mine {
                me.map(str::to_string)
            } else {
                self.owner.clone()
            },
            include_snoozed: false,
        }
    }

    /// Check-in ids in the order shown: most overdue first (an 86-day-late one is never below
    /// one due next week), then by stage, then largest MRR. `t` narrows to one stage.
    pub(crate) fn ordered(&self) -> Vec<i64> {
        let mut rows: Vec<&CheckinRow> = self.rows.iter().collect();
        rows.sort_by(|a, b| {
            a.due_date
                .cmp(&b.due_date)
                .then(a.stage.cmp(&b.stage))
                .then(b.mrr_cents.cmp(&a.mrr_cents))
                .then(a.checkin_id.cmp(&b.checkin_id))
        });
        rows.into_iter().map(|r| r.checkin_id).collect()
    }

    /// Overdue check-ins per owner, most first: what a lead looks at.
    pub fn overdue_by_owner(&self, today: NaiveDate) -> Vec<(String, usize)> {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for r in self.rows.iter().filter(|r| r.due_date < today) {
            *counts
                .entry(r.owner.clone().unwrap_or_else(|| "team".into()))
                .or_default() += 1;
        }
        let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        counts
    }
}
