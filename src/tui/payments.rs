//! The payments pane's state: every queue's items, the queue shown, and the recovery figures of
//! its header.

use std::collections::HashMap;

use crate::domain::recovery::RecoveryReport;
use crate::payments::{QUEUE_ORDER, QueueItem};

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

/// Whom an outreach email goes to: the account's primary contact with an address, else any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipient<'a> {
    pub name: &'a str,
    pub email: &'a str,
}

/// The email a rep sends about a failed payment, headers first (To, Subject), greeting the
/// contact by name, and true to the payment's state: a new card asked for when the card must
/// change, a confirmation when the bank wants one, a final notice when the retries are spent.
/// Fraud and stopped payments read as a plain decline, and never as "retry".
pub fn outreach_message(item: &QueueItem, amount: &str, to: Option<Recipient<'_>>) -> String {
    let name = &item.name;
    let (subject, body) = match (item.payment_id, item.class, item.queue) {
        (None, _, _) => (
            format!("The card on file for {name} expires soon"),
            format!(
                "The card we have on file for {name} expires at the end of {}.\n\
                 To keep your subscription running without a hitch, please update it here:\n\
                 [card update link]",
                item.card_expires.as_deref().unwrap_or("this month")
            ),
        ),
        (_, _, "exhausted") => (
            format!("Final notice: your payment of {amount} for {name}"),
            format!(
                "We have tried several times and could not collect {amount} for {name}.\n\
                 To keep your subscription, please update your card in the next few days:\n\
                 [card update link]"
            ),
        ),
        (_, Some("fraud") | Some("revoked"), _) => (
            format!("Your payment of {amount} for {name} was declined"),
            format!(
                "Your bank declined the payment of {amount} for {name}.\n\
                 Please add a different card here:\n\
                 [card update link]"
            ),
        ),
        (_, Some("authenticate"), _) => (
            format!("Please confirm your payment of {amount}"),
            format!(
                "Your bank asks you to confirm the payment of {amount} for {name}.\n\
                 It takes a minute, here:\n\
                 [payment confirmation link]"
            ),
        ),
        (_, Some("new-card"), _) => (
            format!("Please update your card for {name}"),
            format!(
                "We could not collect your payment of {amount} for {name}:\n\
                 {}.\n\
                 Please update your card here:\n\
                 [card update link]",
                item.meaning.unwrap_or("your bank declined it")
            ),
        ),
        _ => (
            format!("Your payment of {amount} for {name} did not go through"),
            format!(
                "We could not collect your payment of {amount} for {name}:\n\
                 {}.\n\
                 We will try again{}; to settle it sooner, you can update your card here:\n\
                 [card update link]",
                item.meaning.unwrap_or("your bank declined it"),
                item.next_retry_at
                    .map(|at| format!(" on {}", at.format("%Y-%m-%d")))
                    .unwrap_or_default()
            ),
        ),
    };
    let (to_line, greeting) = match to {
        Some(r) => (format!("To: {} <{}>", r.name, r.email), first_name(r.name)),
        None => ("To: (no contact with an email on file)".to_string(), None),
    };
    // Short lines: the note field does not wrap, and the rep may paste it into any mail tool.
    format!(
        "{to_line}\nSubject: {subject}\n\nHello{},\n\n{body}\n\n\
         If anything is unclear, just reply to this message.\n\nThank you!\n",
        greeting.map(|g| format!(" {g}")).unwrap_or_default()
    )
}

/// What to call a contact in a greeting: the first word of a Western name, the whole of a
/// name written without spaces (Chinese, Japanese).
fn first_name(name: &str) -> Option<&str> {
    let name = name.trim();
    (!name.is_empty()).then(|| name.split(' ').next().unwrap_or(name))
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

    #[test]
    fn the_message_names_the_amount_and_the_reason_but_never_fraud() {
        let grace = Recipient {
            name: "Grace Smith",
            email: "grace@acme.test",
        };
        let mut it = item(Some(1), 1, "new-card", "ana");
        let text = outreach_message(&it, "$99.00", Some(grace));
        assert!(
            text.starts_with("To: Grace Smith <grace@acme.test>\nSubject: "),
            "{text}"
        );
        assert!(text.contains("Hello Grace,"), "{text}");
        assert!(text.contains("$99.00") && text.contains("card details need updating"));
        assert!(text.contains("[card update link]"));
        it.class = Some("fraud");
        it.meaning = Some("the bank flagged the card (lost, stolen or fraud)");
        let fraud = outreach_message(&it, "$99.00", Some(grace));
        assert!(
            !fraud.contains("fraud") && !fraud.contains("retry") && !fraud.contains("try again")
        );
        it.class = Some("soft");
        it.queue = "exhausted";
        let last = outreach_message(&it, "$99.00", None);
        assert!(last.contains("Subject: Final notice") && !last.contains("Nothing is lost"));
        assert!(last.contains("Hello,") && last.contains("no contact with an email"));
        let card = item(None, 1, "expiring", "ana");
        assert!(outreach_message(&card, "", None).contains("expires at the end of 2026-11"));
    }

    #[test]
    fn an_emails_summary_is_its_subject() {
        let it = item(Some(1), 1, "new-card", "ana");
        let text = outreach_message(&it, "$99.00", None);
        assert_eq!(
            crate::domain::model::note_summary(&text),
            "Please update your card for Account 1"
        );
    }
}
