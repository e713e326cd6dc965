//! What the database worker answers.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::risk::RiskRow;
use crate::domain::my_queue::Row;
use crate::domain::recovery::RecoveryReport;
use crate::domain::risk::RiskScore;
use crate::services::lookup::Found;
use crate::services::outreach::Letter;
use crate::services::payments::QueueItem;
use crate::store::{AccountCard, AccountRow, CheckinRow, Claim, Draft, NotesSave};
use crate::tui::panes::Pane;
use crate::tui::panes::metrics::MetricsData;

#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// The answer to a `Request::Load` of that generation.
    Loaded {
        generation: u64,
        data: PaneData,
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
    Claimed {
        account_id: i64,
        claim: Claim,
    },
    NotesSaved {
        account_id: i64,
        saved: NotesSave,
    },
    RiskOne {
        account_id: i64,
        row: Option<Box<RiskRow>>,
        risk: Option<Box<RiskScore>>,
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

/// A pane's data, as `Load` asked for it.
#[derive(Debug, Clone, PartialEq)]
pub enum PaneData {
    /// Every active account's id, by MRR.
    Accounts(Vec<i64>),
    Queue(Vec<Row>),
    /// Every active account's row, most at risk first, with each account's position: sorted
    /// and indexed here, off the console's thread (a million rows took it 0.2 to 0.5 s).
    Risk {
        rows: Vec<RiskRow>,
        index: HashMap<i64, usize>,
    },
    Checkins(Vec<CheckinRow>),
    Payments {
        items: Vec<QueueItem>,
        report: Option<Box<RecoveryReport>>,
    },
    Metrics(Box<MetricsData>),
}

impl PaneData {
    pub fn pane(&self) -> Pane {
        match self {
            PaneData::Accounts(_) | PaneData::Queue(_) => Pane::MyQueue,
            PaneData::Risk { .. } => Pane::AtRisk,
            PaneData::Checkins(_) => Pane::CheckIns,
            PaneData::Payments { .. } => Pane::Payments,
            PaneData::Metrics(_) => Pane::Metrics,
        }
    }
}
