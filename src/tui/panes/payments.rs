//! The payments pane's state: every queue's items, the queue shown, and the recovery figures of
//! its header.

use std::collections::HashMap;

use crate::domain::recovery::RecoveryReport;
use crate::services::payments::{QUEUE_ORDER, QueueItem};

#[derive(Debug, Clone, Default)]
pub struct PaymentsState {
    pub items: Vec<QueueItem>,
    /// Position of each item in `items`, by its key.
    index: HashMap<i64, usize>,
    pub loaded: bool,
    /// The one queue shown, `None` for all of them in order.
    pub queue: Option<&'static str>,
    pub mine: bool,
    pub report: Option<Box<RecoveryReport>>,
}

/// A list key for an item: its payment, or for an expiring card (no payment) its account,
/// negated so that the two never meet.
pub fn key(item: &QueueItem) -> i64 {
    item.payment_id.unwrap_or(-item.account_id)
}

impl PaymentsState {
    /// An empty pane, on the rep's own accounts or the team's.
    pub fn starting_on(mine: bool) -> PaymentsState {
        PaymentsState {
            mine,
            ..PaymentsState::default()
        }
    }

    pub fn set(&mut self, items: Vec<QueueItem>, report: Option<Box<RecoveryReport>>) {
        self.index = items
            .iter()
            .enumerate()
            .map(|(i, it)| (key(it), i))
            .collect();
        self.items = items;
        self.report = report;
        self.loaded = true;
    }

    pub fn item(&self, key: i64) -> Option<&QueueItem> {
        self.index.get(&key).map(|&i| &self.items[i])
    }

    fn shown(&self, item: &QueueItem, me: Option<&str>) -> bool {
        self.queue.is_none_or(|q| item.queue == q) && self.owner_shown(item, me)
    }

    /// With "mine" on, only the rep's own accounts.
    fn owner_shown(&self, item: &QueueItem, me: Option<&str>) -> bool {
        !self.mine || me.is_some_and(|me| item.owner.as_deref() == Some(me))
    }

    /// The keys of the items shown, in queue order.
    pub fn visible(&self, me: Option<&str>) -> Vec<i64> {
        self.items
            .iter()
            .filter(|i| self.shown(i, me))
            .map(key)
            .collect()
    }

    /// How many items each queue holds (with the owner filter), in queue order.
    pub fn counts(&self, me: Option<&str>) -> Vec<(&'static str, usize)> {
        QUEUE_ORDER
            .iter()
            .map(|q| {
                let n = self
                    .items
                    .iter()
                    .filter(|i| i.queue == *q && self.owner_shown(i, me))
                    .count();
                (*q, n)
            })
            .collect()
    }

    /// All queues, then each in order, then all again.
    pub fn cycle_queue(&mut self, forward: bool) {
        let at = self
            .queue
            .and_then(|q| QUEUE_ORDER.iter().position(|x| *x == q));
        let n = QUEUE_ORDER.len();
        self.queue = match (at, forward) {
            (None, true) => Some(QUEUE_ORDER[0]),
            (None, false) => Some(QUEUE_ORDER[n - 1]),
            (Some(i), true) if i + 1 < n => Some(QUEUE_ORDER[i + 1]),
            (Some(i), false) if i > 0 => Some(QUEUE_ORDER[i - 1]),
            _ => None,
        };
    }
}

/// What a queue is called on screen.
pub fn queue_label(queue: &str) -> &'static str {
    match queue {
        "due" => "retry now",
        "new-card" => "new card",
        "customer-action" => "customer acts",
        "do-not-retry" => "no retry",
        "expiring" => "expiring",
        "exhausted" => "exhausted",
        "scheduled" => "later",
        "paused" => "paused",
        "recovered" => "recovered",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(payment: Option<i64>, account: i64, queue: &'static str, owner: &str) -> QueueItem {
        QueueItem {
            payment_id: payment,
            account_id: account,
            name: format!("Account {account}"),
            owner: Some(owner.into()),
            amount_cents: payment.map(|_| 9900),
            currency: "USD".into(),
            decline_code: payment.map(|_| "expired_card".into()),
            class: payment.map(|_| "new-card"),
            unknown_code: false,
            meaning: payment.map(|_| "the card details need updating"),
            attempts: 1,
            attempts_cap: 8,
            next_retry_at: None,
            first_failed_at: None,
            days_in_dunning: Some(3),
            mrr_cents: 9900,
            last_outreach_at: None,
            card_expires: Some("2026-11".into()),
            why: None,
            held_since: None,
            queue,
        }
    }

    #[test]
    fn a_payment_and_an_expiring_card_of_one_account_are_two_lines() {
        let mut s = PaymentsState::default();
        s.set(
            vec![
                item(Some(7), 7, "new-card", "ana"),
                item(None, 7, "expiring", "ana"),
            ],
            None,
        );
        assert_eq!(s.visible(None), [7, -7]);
        assert_eq!(s.item(-7).unwrap().queue, "expiring");
    }

    #[test]
    fn queues_cycle_through_all_and_filter_with_the_owner() {
        let mut s = PaymentsState::default();
        s.set(
            vec![
                item(Some(1), 1, "due", "ana"),
                item(Some(2), 2, "new-card", "bo"),
            ],
            None,
        );
        s.cycle_queue(true);
        assert_eq!(s.queue, Some("due"));
        assert_eq!(s.visible(None), [1]);
        s.cycle_queue(false);
        assert_eq!(s.queue, None);
        s.cycle_queue(false);
        assert_eq!(s.queue, Some("recovered"));
        s.queue = None;
        s.mine = true;
        assert_eq!(s.visible(Some("bo")), [2]);
        assert_eq!(s.counts(Some("bo"))[1], ("new-card", 1));
    }
}
