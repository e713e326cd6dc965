//! The payment queues and their recovery figures: the store's failed payments through the
//! retry policy. Shared by `retain payments` and the console's payments pane.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::Serialize;

use crate::domain::recovery::RecoveryReport;
use crate::domain::retry::{Next, Queue, RetryPolicy, meaning, next};
use crate::store::{PaymentRow, PaymentState, Scope, Store, StoreError};

/// The queues in the order reps work them: money that can be won now first, then what needs
/// the customer, then prevention, then what is done.
pub const QUEUE_ORDER: [&str; 9] = [
    "due",
    "new-card",
    "customer-action",
    "do-not-retry",
    "expiring",
    "exhausted",
    "scheduled",
    "paused",
    "recovered",
];

/// Where a queue comes in [`QUEUE_ORDER`].
pub fn queue_rank(queue: &str) -> usize {
    QUEUE_ORDER
        .iter()
        .position(|q| *q == queue)
        .unwrap_or(QUEUE_ORDER.len())
}

/// One line of a queue: a failed payment, or a card about to expire (no payment yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueItem {
    pub payment_id: Option<i64>,
    pub account_id: i64,
    pub name: String,
    pub owner: Option<String>,
    pub amount_cents: Option<i64>,
    pub currency: String,
    pub decline_code: Option<String>,
    pub class: Option<&'static str>,
    /// The code is not one we know: someone should classify it.
    pub unknown_code: bool,
    pub meaning: Option<&'static str>,
    pub attempts: u32,
    pub attempts_cap: u32,
    pub next_retry_at: Option<DateTime<Utc>>,
    pub first_failed_at: Option<DateTime<Utc>>,
    pub days_in_dunning: Option<i64>,
    pub mrr_cents: i64,
    pub last_outreach_at: Option<DateTime<Utc>>,
    pub card_expires: Option<String>,
    /// Why it is exhausted, until when it is paused, or how a hook left it held.
    pub why: Option<String>,
    /// Since when a billing hook that never answered holds it: it may have been charged, and
    /// nothing retries it until someone records what happened.
    pub held_since: Option<DateTime<Utc>>,
    pub queue: &'static str,
}

/// What a rep does about a held payment.
pub const HELD_ADVICE: &str = "it may have been charged: check the billing system, then record what happened (retain payments record ID --succeeded or --failed CODE; r in the console)";

fn item(p: &PaymentRow, policy: &RetryPolicy, now: DateTime<Utc>) -> QueueItem {
    let next = next(&p.history, policy, now);
    let queue = Queue::of(&next, now);
    let held_since = match next {
        Next::Unsettled { since } => Some(since),
        _ => None,
    };
    let c = policy.class_of(&p.history.decline_code, p.history.advice_code.as_deref());
    QueueItem {
        payment_id: Some(p.payment_id),
        account_id: p.account_id,
        name: p.name.clone(),
        owner: p.owner.clone(),
        amount_cents: Some(p.amount_cents),
        currency: p.currency.clone(),
        decline_code: Some(p.history.decline_code.clone()),
        class: Some(c.class.as_str()),
        unknown_code: !c.known,
        meaning: Some(meaning(c.class)),
        attempts: p.history.attempts.len().max(1) as u32,
        attempts_cap: policy.max_attempts,
        next_retry_at: match &next {
            Next::RetryAt { at } => Some(*at),
            _ => None,
        },
        first_failed_at: Some(p.history.first_failed_at),
        // Calendar days, as a rep counts them: failed on the 12th, ten days by the 22nd
        // whatever the hour (whole days of 24 hours said nine until the hour it failed).
        days_in_dunning: (p.status == "failing")
            .then(|| (now.date_naive() - p.history.first_failed_at.date_naive()).num_days()),
        mrr_cents: p.mrr_cents,
        last_outreach_at: p.last_outreach_at,
        card_expires: p.card_expiry.map(|(m, y)| format!("{y}-{m:02}")),
        why: match next {
            Next::Exhausted { why } => Some(why),
            Next::Paused { until } => Some(format!("paused until {until}")),
            Next::Unsettled { .. } => p.hook_unsettled_why.clone(),
            _ => None,
        },
        held_since,
        queue: queue.as_str(),
    }
}

/// The failed payments still in dunning of the accounts in `scope`, each in its queue; unsorted.
pub fn dunning_items(
    store: &Store,
    today: NaiveDate,
    now: DateTime<Utc>,
    policy: &RetryPolicy,
    scope: Scope<'_>,
) -> Result<Vec<QueueItem>, StoreError> {
    Ok(store
        .payments_in_dunning(today, scope)?
        .iter()
        .map(|p| item(p, policy, now))
        .collect())
}

/// Every queue's items, expiring cards too, in queue order, then the largest amount, then the
/// largest MRR.
pub fn queue_items(
    store: &Store,
    today: NaiveDate,
    now: DateTime<Utc>,
    policy: &RetryPolicy,
) -> Result<Vec<QueueItem>, StoreError> {
    let mut items = dunning_items(store, today, now, policy, Scope::All)?;
    for c in store.expiring_cards(today, 30)? {
        items.push(QueueItem {
            payment_id: None,
            account_id: c.account_id,
            name: c.name,
            owner: c.owner,
            amount_cents: None,
            currency: c.currency,
            decline_code: None,
            class: None,
            unknown_code: false,
            meaning: None,
            attempts: 0,
            attempts_cap: policy.max_attempts,
            next_retry_at: None,
            first_failed_at: None,
            days_in_dunning: None,
            mrr_cents: c.mrr_cents,
            last_outreach_at: None,
            card_expires: Some(format!("{}-{:02}", c.exp_year, c.exp_month)),
            why: None,
            held_since: None,
            queue: "expiring",
        });
    }
    items.sort_by(|a, b| {
        queue_rank(a.queue)
            .cmp(&queue_rank(b.queue))
            .then(b.amount_cents.cmp(&a.amount_cents))
            .then(b.mrr_cents.cmp(&a.mrr_cents))
    });
    Ok(items)
}

/// Recovery over first failures and churn in the `months` up to `today`.
pub fn recovery_report(
    store: &Store,
    today: NaiveDate,
    months: u32,
    policy: &RetryPolicy,
) -> Result<RecoveryReport, StoreError> {
    let since = today
        .checked_sub_months(Months::new(months))
        .unwrap_or(today);
    recovery_between(store, since, today, policy)
}

/// A payment's state in a line: "failing, 3 attempts, next retry 2026-11-24 14:00".
pub fn describe(state: &PaymentState) -> String {
    let next = match &state.next {
        _ if state.status != "failing" => String::new(),
        Next::RetryAt { at } => format!(", next retry {}", at.format("%Y-%m-%d %H:%M")),
        Next::Paused { until } => format!(", paused until {until}"),
        Next::WaitForCard => ", waiting for a new card".into(),
        Next::CustomerMustAct => ", waiting for the customer to complete it".into(),
        Next::NeverRetry => ", never to be retried".into(),
        Next::Exhausted { why } => format!(", exhausted ({why})"),
        Next::Unsettled { since } => format!(
            ", held since {}: a hook may have charged it",
            since.format("%Y-%m-%d %H:%M")
        ),
        Next::Recovered => String::new(),
    };
    format!(
        "{}, {}{next}",
        state.status.replace('_', " "),
        crate::domain::text::count(i64::from(state.attempts), "attempt")
    )
}

/// Recovery over first failures and churn from `since` to `until`.
pub fn recovery_between(
    store: &Store,
    since: NaiveDate,
    until: NaiveDate,
    policy: &RetryPolicy,
) -> Result<RecoveryReport, StoreError> {
    let (payments, churned) = store.recovery_inputs(since, policy)?;
    Ok(crate::domain::recovery::report(
        &payments, &churned, since, until,
    ))
}
