//! `retain payments`: the failed-payment retry queues.

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Ctx;
use crate::display::{fit, terminal_safe};
use crate::domain::money;
use crate::domain::retry::{Next, Queue, RetryPolicy, class_of, meaning, next};
use crate::store::{Create, PaymentRow, Store};

#[derive(Debug, clap::Args)]
pub struct PaymentsArgs {
    #[command(subcommand)]
    pub action: Option<PaymentsAction>,
    /// Only this queue
    #[arg(long, value_enum)]
    pub queue: Option<QueueArg>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum PaymentsAction {
    /// The retries that are due now
    Due {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QueueArg {
    Due,
    NewCard,
    CustomerAction,
    DoNotRetry,
    Expiring,
    Exhausted,
    Recovered,
    Scheduled,
    Paused,
}

/// One line of a queue, as scripts read it.
#[derive(Debug, Serialize)]
struct Item {
    payment_id: Option<i64>,
    account_id: i64,
    name: String,
    owner: Option<String>,
    amount_cents: Option<i64>,
    currency: String,
    decline_code: Option<String>,
    class: Option<&'static str>,
    /// The code is not one we know: someone should classify it.
    unknown_code: bool,
    meaning: Option<&'static str>,
    attempts: u32,
    attempts_cap: u32,
    next_retry_at: Option<DateTime<Utc>>,
    days_in_dunning: Option<i64>,
    mrr_cents: i64,
    last_outreach_at: Option<DateTime<Utc>>,
    card_expires: Option<String>,
    why: Option<String>,
    queue: &'static str,
}

fn item(p: &PaymentRow, policy: &RetryPolicy, now: DateTime<Utc>) -> Item {
    let next = next(&p.history, policy, now);
    let queue = Queue::of(&next, now);
    let c = class_of(&p.history.decline_code, p.history.advice_code.as_deref());
    Item {
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
        days_in_dunning: (p.status == "failing")
            .then(|| (now - p.history.first_failed_at).num_days()),
        mrr_cents: p.mrr_cents,
        last_outreach_at: p.last_outreach_at,
        card_expires: p.card_expiry.map(|(m, y)| format!("{y}-{m:02}")),
        why: match next {
            Next::Exhausted { why } => Some(why),
            Next::Paused { until } => Some(format!("paused until {until}")),
            _ => None,
        },
        queue: queue.as_str(),
    }
}

pub fn run(ctx: &Ctx, args: &PaymentsArgs) -> Result<()> {
    let store = Store::open(&ctx.db, Create::Never)?;
    let now = ctx.now();
    let policy = RetryPolicy::default();
    let (queue, json) = match &args.action {
        Some(PaymentsAction::Due { json }) => (Some(QueueArg::Due), *json),
        None => (args.queue, args.json),
    };
    let mut items: Vec<Item> = store
        .payments_in_dunning(ctx.today)?
        .iter()
        .map(|p| item(p, &policy, now))
        .collect();
    if queue.is_none() || queue == Some(QueueArg::Expiring) {
        for c in store.expiring_cards(ctx.today, 30)? {
            items.push(Item {
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
                days_in_dunning: None,
                mrr_cents: c.mrr_cents,
                last_outreach_at: None,
                card_expires: Some(format!("{}-{:02}", c.exp_year, c.exp_month)),
                why: None,
                queue: "expiring",
            });
        }
    }
    if let Some(q) = queue {
        let wanted = format!("{q:?}");
        items.retain(|i| i.queue.replace('-', "").eq_ignore_ascii_case(&wanted));
    }
    // Queue order, then the money at stake.
    let rank = |q: &str| {
        Queue::ALL
            .iter()
            .position(|x| x.as_str() == q)
            .unwrap_or(Queue::ALL.len())
    };
    items.sort_by(|a, b| {
        rank(a.queue)
            .cmp(&rank(b.queue))
            .then(b.amount_cents.cmp(&a.amount_cents))
            .then(b.mrr_cents.cmp(&a.mrr_cents))
    });
    if json {
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(());
    }
    if items.is_empty() {
        println!("nothing in this queue");
    }
    for i in &items {
        let amount = i
            .amount_cents
            .map_or(String::new(), |a| money::format(a, &i.currency));
        let detail = match (&i.decline_code, &i.card_expires) {
            (Some(code), _) => format!(
                "{code}{} · {}/{} attempts{}",
                if i.unknown_code {
                    " (unknown code)"
                } else {
                    ""
                },
                i.attempts,
                i.attempts_cap,
                i.next_retry_at.map_or(String::new(), |t| format!(
                    " · next {}",
                    t.format("%Y-%m-%d %H:%M")
                ))
            ),
            (None, Some(exp)) => format!("card expires {exp}"),
            _ => String::new(),
        };
        println!(
            "{:<15} {:>16}  {}  {}",
            i.queue,
            amount,
            fit(&terminal_safe(&i.name), 30),
            detail
        );
    }
    Ok(())
}
