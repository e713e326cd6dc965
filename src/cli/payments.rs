//! `retain payments`: the failed-payment retry queues.

use anyhow::Result;
use chrono::NaiveDate;

use super::Ctx;
use crate::display::{fit, terminal_safe};
use crate::domain::money;
use crate::domain::retry::RetryPolicy;
use crate::services::payments::{describe, queue_items};
use crate::store::{Actor, AttemptResult, Create, NewAttempt};

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
    /// The letter the payment calls for (templates in ~/.config/retain/outreach/); --send mails
    /// it through mail_command in payments.toml and logs it
    Outreach(super::payments_outreach::OutreachArgs),
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

pub fn run(ctx: &Ctx, args: &PaymentsArgs) -> Result<()> {
    let policy = crate::config::retry_policy()?;
    let (queue, json) = match &args.action {
        None => (args.queue, args.json),
        Some(PaymentsAction::Due { json }) => (Some(QueueArg::Due), *json),
        Some(PaymentsAction::Run(run)) => return super::payments_run::run(ctx, run, &policy),
        Some(PaymentsAction::Report(report)) => {
            return super::payments_report::run(ctx, report, &policy);
        }
        Some(PaymentsAction::Outreach(outreach)) => {
            return super::payments_outreach::run(ctx, outreach);
        }
        Some(action) => return act(ctx, action, &policy),
    };
    let store = ctx.read()?;
    let now = ctx.now();
    let mut items = queue_items(&store, ctx.today, now, &policy)?;
    if let Some(q) = queue {
        let wanted = format!("{q:?}");
        items.retain(|i| i.queue.replace('-', "").eq_ignore_ascii_case(&wanted));
    }
    if json {
        crate::say!("{}", crate::display::to_json(&items)?);
        return Ok(());
    }
    if items.is_empty() {
        crate::say!("nothing in this queue");
    }
    for i in &items {
        let amount = i
            .amount_cents
            .map_or(String::new(), |a| money::format(a, &i.currency));
        let detail = match (&i.decline_code, &i.card_expires) {
            (Some(code), _) => format!(
                "#{} {code}{} · {}/{} attempts{}{}",
                i.payment_id.unwrap_or_default(),
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
                )),
                i.held_since.map_or(String::new(), |t| format!(
                    " · HELD since {}: {}; {}",
                    t.format("%Y-%m-%d %H:%M"),
                    i.why.as_deref().unwrap_or("a billing hook never answered"),
                    crate::services::payments::HELD_ADVICE
                ))
            ),
            (None, Some(exp)) => format!("card expires {exp}"),
            _ => String::new(),
        };
        crate::say!(
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
    let mut store = ctx.open(Create::Never)?;
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
                    decline_code: crate::ingest::code_word(code)
                        .map_err(|e| anyhow::anyhow!("--failed {code:?} is not {e}"))?,
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
        PaymentsAction::Due { .. }
        | PaymentsAction::Run(_)
        | PaymentsAction::Report(_)
        | PaymentsAction::Outreach(_) => {
            unreachable!("listed and run above")
        }
    };
    crate::say!("{}", describe(&state));
    Ok(())
}
