//! `retain payments`: the failed-payment retry queues.

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::Ctx;
use crate::display::{fit, terminal_safe};
use crate::domain::money;
use crate::domain::retry::{Next, Queue, RetryPolicy, meaning, next};
use crate::store::{Actor, AttemptResult, Create, NewAttempt, PaymentRow, PaymentState, Store};

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
    /// Hand each due retry to CMD (the payment as JSON on its standard input; it prints
    /// {"outcome":"succeeded"} or {"outcome":"failed","decline_code":"..."}) and record the results
    Run(super::payments_run::RunArgs),
    /// Recovery metrics: rate by month of first failure, by class and by how it was won
    Report(super::payments_report::ReportArgs),
    /// The customer gave a new or corrected card: retry the payment now
    CardUpdated { payment_id: i64 },
    /// Record the result of a retry made outside retain
    Record {
        payment_id: i64,
        /// It went through
        #[arg(long, conflicts_with = "failed")]
        succeeded: bool,
        /// It was declined with this code
        #[arg(
            long,
            value_name = "DECLINE_CODE",
            required_unless_present = "succeeded"
        )]
        failed: Option<String>,
    },
    /// Hold dunning until a day (a promise to pay, a dispute)
    Pause {
        payment_id: i64,
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_day)]
        until: NaiveDate,
        #[arg(long)]
        reason: String,
    },
    /// Resume dunning paused with `pause`
    Resume { payment_id: i64 },
    /// Give up on the payment: it is lost, and if the account cancels its churn is involuntary
    WriteOff {
        payment_id: i64,
        #[arg(long)]
        reason: String,
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
pub(super) struct Item {
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

pub(super) fn item(p: &PaymentRow, policy: &RetryPolicy, now: DateTime<Utc>) -> Item {
    let next = next(&p.history, policy, now);
    let queue = Queue::of(&next, now);
    let c = policy.class_of(&p.history.decline_code, p.history.advice_code.as_deref());
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
    let policy = crate::config::retry_policy()?;
    let (queue, json) = match &args.action {
        None => (args.queue, args.json),
        Some(PaymentsAction::Due { json }) => (Some(QueueArg::Due), *json),
        Some(PaymentsAction::Run(run)) => return super::payments_run::run(ctx, run, &policy),
        Some(PaymentsAction::Report(report)) => {
            return super::payments_report::run(ctx, report, &policy);
        }
        Some(action) => return act(ctx, action, &policy),
    };
    let store = Store::open(&ctx.db, Create::Never)?;
    let now = ctx.now();
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

/// One rep's action on one payment, from the shell.
fn act(ctx: &Ctx, action: &PaymentsAction, policy: &RetryPolicy) -> Result<()> {
    let mut store = Store::open(&ctx.db, Create::Never)?;
    let by = Actor {
        os_user: &ctx.os_user,
        now: ctx.now(),
    };
    let state = match action {
        PaymentsAction::CardUpdated { payment_id } => {
            store.card_updated(*payment_id, policy, by)?
        }
        PaymentsAction::Record {
            payment_id, failed, ..
        } => {
            let result = match failed {
                Some(code) => AttemptResult::Failed {
                    decline_code: code.trim().to_string(),
                    advice_code: None,
                },
                None => AttemptResult::Succeeded,
            };
            store
                .record_attempt(
                    *payment_id,
                    &NewAttempt {
                        at: by.now,
                        result,
                        automatic: false,
                        external_ref: None,
                    },
                    policy,
                    by,
                )?
                .ok_or_else(|| {
                    anyhow::anyhow!("payment {payment_id}: the attempt was not recorded")
                })?
        }
        PaymentsAction::Pause {
            payment_id,
            until,
            reason,
        } => store.pause_dunning(*payment_id, Some((*until, reason.trim())), policy, by)?,
        PaymentsAction::Resume { payment_id } => {
            store.pause_dunning(*payment_id, None, policy, by)?
        }
        PaymentsAction::WriteOff { payment_id, reason } => {
            store.write_off(*payment_id, reason.trim(), policy, by)?
        }
        PaymentsAction::Due { .. } | PaymentsAction::Run(_) | PaymentsAction::Report(_) => {
            unreachable!("listed and run above")
        }
    };
    println!("{}", describe(&state));
    Ok(())
}

/// A payment's state in a line: "failing, 3 attempts, next retry 2026-11-24 14:00".
pub(super) fn describe(state: &PaymentState) -> String {
    let next = match &state.next {
        _ if state.status != "failing" => String::new(),
        Next::RetryAt { at } => format!(", next retry {}", at.format("%Y-%m-%d %H:%M")),
        Next::Paused { until } => format!(", paused until {until}"),
        Next::WaitForCard => ", waiting for a new card".into(),
        Next::CustomerMustAct => ", waiting for the customer to complete it".into(),
        Next::NeverRetry => ", never to be retried".into(),
        Next::Exhausted { why } => format!(", exhausted ({why})"),
        Next::Recovered => String::new(),
    };
    format!("{}, {} attempts{next}", state.status, state.attempts)
}
