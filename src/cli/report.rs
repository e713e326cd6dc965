//! `retain report churn|revenue|cohorts|recovery`: the metrics a lead watches.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use serde::Serialize;

use super::Ctx;
use crate::domain::metrics::{self, AccountFacts, Period};
use crate::domain::money;
use crate::services::payments::recovery_between;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[arg(value_enum)]
    pub what: What,
    /// First day [default: the first of the month eleven months before --to's: twelve calendar months, as the metrics pane shows]
    #[arg(long, value_parser = super::parse_day, value_name = "YYYY-MM-DD")]
    pub from: Option<NaiveDate>,
    /// Last day [default: today]
    #[arg(long, value_parser = super::parse_day, value_name = "YYYY-MM-DD")]
    pub to: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = PeriodArg::Month)]
    pub period: PeriodArg,
    /// Gross margin for CLV (revenue report)
    #[arg(long, default_value_t = 0.8)]
    pub margin: f64,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    Churn,
    Revenue,
    Cohorts,
    Recovery,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PeriodArg {
    Month,
    Quarter,
    Year,
}

impl From<PeriodArg> for Period {
    fn from(p: PeriodArg) -> Period {
        match p {
            PeriodArg::Month => Period::Month,
            PeriodArg::Quarter => Period::Quarter,
            PeriodArg::Year => Period::Year,
        }
    }
}

/// CLV of one currency: today's average MRR of active accounts, the margin, and the average
/// monthly logo churn of the report's months.
#[derive(Debug, Serialize)]
struct Lifetime {
    currency: String,
    arpa_cents: f64,
    gross_margin: f64,
    monthly_churn: Option<f64>,
    clv_cents: Option<f64>,
}

pub fn run(ctx: &Ctx, args: &ReportArgs) -> Result<()> {
    let to = args.to.unwrap_or(ctx.today);
    let from = match args.from {
        Some(d) => d,
        None => crate::domain::dates::twelve_months_to(to),
    };
    if from > to {
        bail!("--from {from} is after --to {to}");
    }
    if !(0.0..=1.0).contains(&args.margin) {
        bail!("--margin {} is not a share between 0 and 1", args.margin);
    }
    let store = ctx.read()?;
    let period = Period::from(args.period);
    match args.what {
        What::Churn => {
            let rows = metrics::logo_churn(&store.metrics_facts()?, from, to, period);
            if args.json {
                return print_json(&rows);
            }
            crate::say!(
                "{:<10} {:>9} {:>8} {:>6} {:>6} {:>7} {:>11}",
                "period",
                "customers",
                "churned",
                "vol",
                "invol",
                "rate",
                "annualised"
            );
            for p in &rows {
                crate::say!(
                    "{:<10} {:>9} {:>8} {:>6} {:>6} {:>7} {:>11}",
                    p.start.to_string(),
                    p.customers_at_start,
                    p.churned,
                    p.voluntary,
                    p.involuntary,
                    pct(p.churn_rate),
                    pct(p.annualised)
                );
            }
        }
        What::Revenue => {
            let facts = store.metrics_facts()?;
            let rows = metrics::revenue(&facts, from, to, period);
            let lifetimes = lifetimes(&facts, from, to, args.margin);
            if args.json {
                return print_json(&serde_json::json!({ "periods": rows, "clv": lifetimes }));
            }
            crate::say!(
                "{:<10} {:<4} {:>16} {:>14} {:>14} {:>14} {:>7} {:>7} {:>6} {:>6}",
                "period",
                "cur",
                "start MRR",
                "expansion",
                "contraction",
                "churned",
                "gross",
                "net",
                "NRR",
                "GRR"
            );
            for r in &rows {
                let m = |c: i64| money::format(c, &r.currency);
                crate::say!(
                    "{:<10} {:<4} {:>16} {:>14} {:>14} {:>14} {:>7} {:>7} {:>6} {:>6}",
                    r.start.to_string(),
                    r.currency,
                    m(r.start_mrr_cents),
                    m(r.expansion_cents),
                    m(r.contraction_cents),
                    m(r.churned_mrr_cents),
                    pct(r.gross_mrr_churn),
                    pct(r.net_mrr_churn),
                    pct(r.nrr),
                    pct(r.grr)
                );
            }
            for l in &lifetimes {
                crate::say!(
                    "CLV {}: {} (ARPA {} × margin {:.0} % ÷ monthly churn {})",
                    l.currency,
                    l.clv_cents
                        .map_or("unbounded: nothing churned".into(), |c| money::format(
                            c.round() as i64,
                            &l.currency
                        )),
                    money::format(l.arpa_cents.round() as i64, &l.currency),
                    l.gross_margin * 100.0,
                    pct(l.monthly_churn)
                );
            }
        }
        What::Cohorts => {
            let rows = metrics::cohorts(&store.metrics_facts()?, from, to);
            if args.json {
                return print_json(&rows);
            }
            crate::say!("cohort   customers  share still active after month 1, 2, 3 ...");
            for c in &rows {
                let cells: Vec<String> = c
                    .retained
                    .iter()
                    .map(|r| format!("{:>4.0}", r * 100.0))
                    .collect();
                crate::say!("{}  {:>9}  {}", c.month, c.customers, cells.join(" "));
            }
        }
        What::Recovery => {
            let report = recovery_between(&store, from, to, &crate::config::retry_policy()?)?;
            if args.json {
                return print_json(&report);
            }
            for c in &report.currencies {
                crate::say!(
                    "{}: recovered {} of {} failed ({})",
                    c.currency,
                    money::format(c.total.recovered_cents, &c.currency),
                    money::format(c.total.failed_cents, &c.currency),
                    pct(c.total.recovery_rate)
                );
                for (month, t) in &c.by_month {
                    crate::say!("  {month}  {}", pct(t.recovery_rate));
                }
            }
            crate::say!(
                "involuntary churn: {} accounts · voluntary: {}",
                report.involuntary_churn.accounts,
                report.voluntary_churn.accounts
            );
        }
    }
    Ok(())
}

fn lifetimes(facts: &[AccountFacts], from: NaiveDate, to: NaiveDate, margin: f64) -> Vec<Lifetime> {
    let mut currencies: Vec<&str> = facts.iter().map(|a| a.currency.as_str()).collect();
    currencies.sort_unstable();
    currencies.dedup();
    currencies
        .into_iter()
        .map(|currency| {
            let mine: Vec<AccountFacts> = facts
                .iter()
                .filter(|a| a.currency == currency)
                .cloned()
                .collect();
            let active: Vec<i64> = mine
                .iter()
                .filter(|a| a.active_on(to))
                .map(|a| a.mrr_on(to))
                .collect();
            let arpa = active.iter().sum::<i64>() as f64 / active.len().max(1) as f64;
            let months = metrics::logo_churn(&mine, from, to, Period::Month);
            let rates: Vec<f64> = months.iter().filter_map(|m| m.churn_rate).collect();
            let monthly =
                (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64);
            Lifetime {
                currency: currency.to_string(),
                arpa_cents: arpa,
                gross_margin: margin,
                monthly_churn: monthly,
                clv_cents: monthly.and_then(|m| metrics::clv(arpa, margin, m)),
            }
        })
        .collect()
}

fn pct(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("{:.1} %", x * 100.0))
}

fn print_json(value: &impl Serialize) -> Result<()> {
    crate::say!("{}", crate::display::to_json(value)?);
    Ok(())
}
