//! A rep's day: every reason to act on an account today, gathered into one row per account and
//! ranked by how urgent its most urgent reason is, then by the MRR at stake.
//!
//! Urgency, most first: money being lost now (a payment only a person can save), a promise made
//! to the customer (a follow-up), a check-in already late, a high-risk account nobody has
//! touched for longer than its stage's cadence, a check-in due today.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// A failed payment in a queue that needs a person: new card, customer action, exhausted,
    /// do not retry.
    Payment {
        payment_id: i64,
        queue: String,
        amount_cents: i64,
        currency: String,
        decline_code: String,
    },
    /// The rep promised to come back to the customer by this day.
    FollowUp { due: NaiveDate, summary: String },
    /// A lifecycle check-in due on or before today.
    Checkin { kind: String, due: NaiveDate },
    /// High risk, and no touch for longer than the stage's cadence.
    Untouched { score: f64, detail: String },
}

impl Reason {
    /// 0 is the most urgent.
    pub fn tier(&self, today: NaiveDate) -> u8 {
        match self {
            Reason::Payment { .. } => 0,
            Reason::FollowUp { .. } => 1,
            Reason::Checkin { due, .. } if *due < today => 2,
            Reason::Untouched { .. } => 3,
            Reason::Checkin { .. } => 4,
        }
    }

    /// The reason in a few words, for a list.
    pub fn label(&self, today: NaiveDate, money: impl Fn(i64, &str) -> String) -> String {
        let late = |due: NaiveDate| match (today - due).num_days() {
            0 => "today".to_string(),
            d if d > 0 => format!("{d} d late"),
            d => format!("in {} d", -d),
        };
        match self {
            Reason::Payment {
                queue,
                amount_cents,
                currency,
                decline_code,
                ..
            } => format!(
                "payment {} {} ({decline_code})",
                money(*amount_cents, currency),
                queue.replace('-', " ")
            ),
            Reason::FollowUp { due, .. } => format!("follow-up {}", late(*due)),
            Reason::Checkin { kind, due } if kind == "check-in" => {
                format!("check-in {}", late(*due))
            }
            Reason::Checkin { kind, due } => format!("{kind} check-in {}", late(*due)),
            Reason::Untouched { score, .. } => format!("high risk {score:.0}, untouched"),
        }
    }
}

/// One reason about one account, as the sources give them.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub account_id: i64,
    pub name: String,
    pub mrr_cents: i64,
    pub currency: String,
    pub reason: Reason,
}

/// An account of the rep's that they logged something on today.
#[derive(Debug, Clone, PartialEq)]
pub struct Touched {
    pub account_id: i64,
    pub name: String,
    pub mrr_cents: i64,
    pub currency: String,
}

/// An account with all its reasons, the most urgent first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub account_id: i64,
    pub name: String,
    pub mrr_cents: i64,
    pub currency: String,
    /// The tier of the most urgent reason (`u8::MAX` when none is left).
    pub urgency: u8,
    pub reasons: Vec<Reason>,
    /// The rep logged something on the account today. With no reason left, the row is the
    /// day's work done: listed after the work still to do.
    pub touched_today: bool,
}

impl Row {
    /// Touched today, and nothing left to do on it.
    pub fn settled(&self) -> bool {
        self.touched_today && self.reasons.is_empty()
    }

    /// The reasons in words, the most urgent first; a settled row says it was touched today.
    pub fn labels(&self, today: NaiveDate, money: impl Fn(i64, &str) -> String) -> Vec<String> {
        if self.settled() {
            return vec!["touched today".into()];
        }
        self.reasons
            .iter()
            .map(|r| r.label(today, &money))
            .collect()
    }
}

/// One row per account, ranked; the same reason given twice (two sources, or a payment listed
/// in two queues) is kept once. Accounts touched today are marked, and those with no reason
/// left come last.
pub fn build(entries: Vec<Entry>, touched: Vec<Touched>, today: NaiveDate) -> Vec<Row> {
    let touched_ids: HashSet<i64> = touched.iter().map(|t| t.account_id).collect();
    let mut rows: BTreeMap<i64, Row> = BTreeMap::new();
    let blank = |account_id, name, mrr_cents, currency| Row {
        account_id,
        name,
        mrr_cents,
        currency,
        urgency: u8::MAX,
        reasons: Vec::new(),
        touched_today: touched_ids.contains(&account_id),
    };
    for e in entries {
        let row = rows
            .entry(e.account_id)
            .or_insert_with(|| blank(e.account_id, e.name, e.mrr_cents, e.currency));
        if !row.reasons.contains(&e.reason) {
            row.reasons.push(e.reason);
        }
    }
    for t in touched {
        rows.entry(t.account_id)
            .or_insert_with(|| blank(t.account_id, t.name, t.mrr_cents, t.currency));
    }
    let mut rows: Vec<Row> = rows
        .into_values()
        .map(|mut r| {
            r.reasons.sort_by_key(|x| x.tier(today));
            r.urgency = r.reasons.first().map_or(u8::MAX, |x| x.tier(today));
            r
        })
        .collect();
    rows.sort_by(|a, b| {
        a.urgency
            .cmp(&b.urgency)
            .then(b.mrr_cents.cmp(&a.mrr_cents))
            .then(a.account_id.cmp(&b.account_id))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn entry(account: i64, mrr: i64, reason: Reason) -> Entry {
        Entry {
            account_id: account,
            name: format!("Account {account}"),
            mrr_cents: mrr,
            currency: "USD".into(),
            reason,
        }
    }

    fn checkin(due: &str) -> Reason {
        Reason::Checkin {
            kind: "adoption".into(),
            due: day(due),
        }
    }

    #[test]
    fn one_account_with_several_reasons_is_one_row_most_urgent_reason_first() {
        let today = day("2026-11-22");
        let rows = build(
            vec![
                entry(1, 500, checkin("2026-11-22")),
                entry(
                    1,
                    500,
                    Reason::FollowUp {
                        due: day("2026-11-20"),
                        summary: "send the quote".into(),
                    },
                ),
                entry(1, 500, checkin("2026-11-22")),
            ],
            Vec::new(),
            today,
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].reasons.len(),
            2,
            "the same check-in twice is one reason"
        );
        assert!(matches!(rows[0].reasons[0], Reason::FollowUp { .. }));
        assert_eq!(rows[0].urgency, 1);
    }

    #[test]
    fn urgency_first_then_the_money_at_stake() {
        let today = day("2026-11-22");
        let pay = Reason::Payment {
            payment_id: 9,
            queue: "new-card".into(),
            amount_cents: 100,
            currency: "USD".into(),
            decline_code: "expired_card".into(),
        };
        let rows = build(
            vec![
                entry(1, 90_000, checkin("2026-11-22")),
                entry(2, 10, pay),
                entry(3, 5_000, checkin("2026-11-01")),
                entry(4, 9_000, checkin("2026-11-10")),
                entry(
                    5,
                    1_000,
                    Reason::Untouched {
                        score: 71.0,
                        detail: "no call in 64 days".into(),
                    },
                ),
            ],
            Vec::new(),
            today,
        );
        let order: Vec<i64> = rows.iter().map(|r| r.account_id).collect();
        assert_eq!(order, [2, 4, 3, 5, 1]);
    }

    #[test]
    fn an_account_touched_today_is_marked_and_with_nothing_left_comes_last() {
        let today = day("2026-11-22");
        let touched = |account: i64, mrr: i64| Touched {
            account_id: account,
            name: format!("Account {account}"),
            mrr_cents: mrr,
            currency: "USD".into(),
        };
        let rows = build(
            vec![
                entry(1, 100, checkin("2026-11-22")),
                entry(2, 50, checkin("2026-11-20")),
            ],
            vec![touched(2, 50), touched(3, 90_000)],
            today,
        );
        let order: Vec<(i64, bool, bool)> = rows
            .iter()
            .map(|r| (r.account_id, r.touched_today, r.settled()))
            .collect();
        assert_eq!(
            order,
            [(2, true, false), (1, false, false), (3, true, true)],
            "a touched row with work left keeps its rank; a settled one, however large, is last"
        );
        assert_eq!(rows[2].urgency, u8::MAX);
    }

    #[test]
    fn labels_say_how_late() {
        let today = day("2026-11-22");
        let money = |c: i64, cur: &str| format!("{c} {cur}");
        assert_eq!(
            checkin("2026-11-19").label(today, money),
            "adoption check-in 3 d late"
        );
        assert_eq!(
            checkin("2026-11-22").label(today, money),
            "adoption check-in today"
        );
        let f = Reason::FollowUp {
            due: day("2026-11-22"),
            summary: String::new(),
        };
        assert_eq!(f.label(today, money), "follow-up today");
    }
}
