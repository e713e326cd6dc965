//! Churn and revenue metrics, each by the formula of the churn playbook: logo churn per period
//! and its annual equivalent, gross and net MRR churn, NRR and GRR, the cohort retention matrix,
//! CLV, voluntary against involuntary churn.
//!
//! An account is active on a day when it started on or before it and had not churned by it.
//! Money is never added across currencies: revenue metrics are computed per currency.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

/// What the metrics need of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFacts {
    pub since: NaiveDate,
    pub churned_on: Option<NaiveDate>,
    pub involuntary: bool,
    pub currency: String,
    /// MRR from the start, before any change.
    pub first_mrr_cents: i64,
    /// Changes of MRR, oldest first: (day, new MRR).
    pub changes: Vec<(NaiveDate, i64)>,
}

impl AccountFacts {
    /// Active at the start of `day`: started before it, not churned by it.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.since < day && self.churned_on.is_none_or(|c| c >= day)
    }

    /// MRR at the start of `day` (changes on the day itself not yet applied).
    pub fn mrr_on(&self, day: NaiveDate) -> i64 {
        self.changes
            .iter()
            .take_while(|(on, _)| *on < day)
            .last()
            .map_or(self.first_mrr_cents, |(_, mrr)| *mrr)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Month,
    Quarter,
    Year,
}

impl Period {
    fn months(self) -> u32 {
        match self {
            Period::Month => 1,
            Period::Quarter => 3,
            Period::Year => 12,
        }
    }
}

/// The periods covering `from` to `to`, each [start, end), starting on the first of the month
/// of `from`.
pub fn periods(from: NaiveDate, to: NaiveDate, period: Period) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let Some(mut start) = from.with_day(1) else {
        return out;
    };
    while start <= to {
        let Some(end) = start.checked_add_months(Months::new(period.months())) else {
            break;
        };
        out.push((start, end));
        start = end;
    }
    out
}

/// A rate over one period as the rate over a year: 1 − (1 − r)^(periods a year), never r × n.
pub fn annualise(rate: f64, period: Period) -> f64 {
    let n = 12 / period.months();
    1.0 - (1.0 - rate).powi(n as i32)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodChurn {
    pub start: NaiveDate,
    /// The first day after the period.
    pub end: NaiveDate,
    pub customers_at_start: usize,
    /// Customers active at the start who churned during the period.
    pub churned: usize,
    pub voluntary: usize,
    pub involuntary: usize,
    /// Customers who started during the period.
    pub new: usize,
    pub churn_rate: Option<f64>,
    pub annualised: Option<f64>,
}

/// Logo churn: customers lost in the period ÷ customers at its start.
pub fn logo_churn(
    accounts: &[AccountFacts],
    from: NaiveDate,
    to: NaiveDate,
    period: Period,
) -> Vec<PeriodChurn> {
    periods(from, to, period)
        .into_iter()
        .map(|(start, end)| {
            let at_start: Vec<&AccountFacts> =
                accounts.iter().filter(|a| a.active_on(start)).collect();
            let lost: Vec<&&AccountFacts> = at_start
                .iter()
                .filter(|a| a.churned_on.is_some_and(|c| c >= start && c < end))
                .collect();
            let involuntary = lost.iter().filter(|a| a.involuntary).count();
            let rate = (!at_start.is_empty()).then(|| lost.len() as f64 / at_start.len() as f64);
            PeriodChurn {
                start,
                end,
                customers_at_start: at_start.len(),
                churned: lost.len(),
                voluntary: lost.len() - involuntary,
                involuntary,
                new: accounts
                    .iter()
                    .filter(|a| a.since >= start && a.since < end)
                    .count(),
                churn_rate: rate,
                annualised: rate.map(|r| annualise(r, period)),
            }
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodRevenue {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub currency: String,
    /// MRR of the accounts active at the start.
    pub start_mrr_cents: i64,
    pub expansion_cents: i64,
    pub contraction_cents: i64,
    pub churned_mrr_cents: i64,
    pub gross_mrr_churn: Option<f64>,
    /// Below zero is negative churn: expansion outgrew what was lost.
    pub net_mrr_churn: Option<f64>,
    pub nrr: Option<f64>,
    pub grr: Option<f64>,
}

/// MRR churn, NRR and GRR of the accounts active at each period's start (the starting cohort
/// only: new accounts of the period count for nothing), per currency.
pub fn revenue(
    accounts: &[AccountFacts],
    from: NaiveDate,
    to: NaiveDate,
    period: Period,
) -> Vec<PeriodRevenue> {
    let mut out = Vec::new();
    for (start, end) in periods(from, to, period) {
        let mut by_currency: BTreeMap<&str, [i64; 4]> = BTreeMap::new();
        for a in accounts.iter().filter(|a| a.active_on(start)) {
            let [start_mrr, expansion, contraction, churned] =
                by_currency.entry(&a.currency).or_default();
            let before = a.mrr_on(start);
            *start_mrr += before;
            if a.churned_on.is_some_and(|c| c < end) {
                *churned += before;
                continue;
            }
            let after = a.mrr_on(end);
            if after > before {
                *expansion += after - before;
            } else {
                *contraction += before - after;
            }
        }
        for (currency, [start_mrr, expansion, contraction, churned]) in by_currency {
            let ratio = |x: i64| (start_mrr > 0).then(|| x as f64 / start_mrr as f64);
            out.push(PeriodRevenue {
                start,
                end,
                currency: currency.to_string(),
                start_mrr_cents: start_mrr,
                expansion_cents: expansion,
                contraction_cents: contraction,
                churned_mrr_cents: churned,
                gross_mrr_churn: ratio(churned + contraction),
                net_mrr_churn: ratio(churned + contraction - expansion),
                nrr: ratio(start_mrr - churned - contraction + expansion),
                grr: ratio(start_mrr - churned - contraction),
            });
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cohort {
    /// The month of first purchase ("2026-03").
    pub month: String,
    pub customers: usize,
    /// Share of the cohort still active after 0, 1, 2 ... months, up to `until`.
    pub retained: Vec<f64>,
}

/// The cohort retention matrix: accounts by month of first purchase from `from`, and the share
/// of each still active at the end of each of its months up to `until`.
pub fn cohorts(accounts: &[AccountFacts], from: NaiveDate, until: NaiveDate) -> Vec<Cohort> {
    let first = from.with_day(1).unwrap_or(from);
    let mut groups: BTreeMap<NaiveDate, Vec<&AccountFacts>> = BTreeMap::new();
    for a in accounts {
        if let Some(month) = a.since.with_day(1).filter(|m| *m >= first && *m <= until) {
            groups.entry(month).or_default().push(a);
        }
    }
    groups
        .into_iter()
        .map(|(month, members)| {
            let retained = (1..)
                .map_while(|t| month.checked_add_months(Months::new(t)))
                .take_while(|end| *end <= until + chrono::Days::new(1))
                .map(|end| {
                    let alive = members
                        .iter()
                        .filter(|a| a.churned_on.is_none_or(|c| c >= end))
                        .count();
                    alive as f64 / members.len() as f64
                })
                .collect();
            Cohort {
                month: format!("{:04}-{:02}", month.year(), month.month()),
                customers: members.len(),
                retained,
            }
        })
        .collect()
}

/// Customer lifetime value: average revenue per account × gross margin ÷ monthly churn rate.
/// `None` when nothing churns (the lifetime is unbounded).
pub fn clv(arpa_cents: f64, gross_margin: f64, monthly_churn: f64) -> Option<f64> {
    (monthly_churn > 0.0).then(|| arpa_cents * gross_margin / monthly_churn)
}

/// Customers after `months` of starting with `start`, adding `added` each month and losing
/// `churn` of those at the start of each month: the playbook's two-companies example.
pub fn project_customers(start: f64, added: f64, churn: f64, months: u32) -> f64 {
    (0..months).fold(start, |n, _| n * (1.0 - churn) + added)
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
