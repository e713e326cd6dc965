//! `retain payments report`: how much of what failed was won back.

use anyhow::Result;

use super::Ctx;
use crate::domain::money;
use crate::domain::recovery::{ChurnSplit, Tally, WonBy};
use crate::domain::retry::RetryPolicy;
use crate::services::payments::recovery_report;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Months back from today that first failures and churn are counted over
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=120))]
    pub months: u32,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, args: &ReportArgs, policy: &RetryPolicy) -> Result<()> {
    let store = ctx.read()?;
    let r = recovery_report(&store, ctx.today, args.months, policy)?;
    if args.json {
        crate::say!("{}", crate::display::to_json(&r)?);
        return Ok(());
    }
    crate::say!(
        "Payment recovery, first failures {} to {}",
        r.since,
        r.until
    );
    if r.currencies.is_empty() {
        crate::say!("\n  no payment failed in this period");
    }
    for c in &r.currencies {
        let cur = c.currency.as_str();
        crate::say!("\n{cur}: {}", tally(&c.total, cur));
        if let Some(days) = c.median_days_to_recover {
            crate::say!("  median days to recover: {days:.1}");
        }
        let won = |how| money::format(c.recovered_by.get(&how).copied().unwrap_or(0), cur);
        crate::say!(
            "  won back by retries {}, by the customer updating the card {}",
            won(WonBy::Retry),
            won(WonBy::CardUpdate)
        );
        crate::say!("  by month of first failure:");
        for (month, t) in &c.by_month {
            crate::say!("    {month}  {}", tally(t, cur));
        }
        crate::say!("  by decline class:");
        for (class, t) in &c.by_class {
            crate::say!("    {:<19} {}", class.as_str(), tally(t, cur));
        }
    }
    crate::say!();
    crate::say!("involuntary churn: {}", churn(&r.involuntary_churn));
    crate::say!("voluntary churn:   {}", churn(&r.voluntary_churn));
    Ok(())
}

fn tally(t: &Tally, currency: &str) -> String {
    format!(
        "{:>5} recovered of {} failed in {} payment{} ({} still failing)",
        t.recovery_rate
            .map_or("-".to_string(), |r| format!("{:.0}%", r * 100.0)),
        money::format(t.failed_cents, currency),
        t.payments,
        if t.payments == 1 { "" } else { "s" },
        money::format(t.still_failing_cents, currency),
    )
}

fn churn(split: &ChurnSplit) -> String {
    let mrr: Vec<String> = split
        .mrr_cents
        .iter()
        .map(|(cur, cents)| money::format(*cents, cur))
        .collect();
    format!(
        "{} accounts, {} MRR",
        split.accounts,
        if mrr.is_empty() {
            "no".into()
        } else {
            mrr.join(" + ")
        }
    )
}
