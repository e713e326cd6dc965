//! How much of what failed was won back: recovery rate by month of first failure, by decline
//! class and by how it was won, days to recover, and the churn that payments caused.
//!
//! Rates are amounts, not counts (a recovered $5,000 invoice matters more than a $9 one), and
//! they are computed within one currency: amounts in different currencies are never added.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::decline::DeclineClass;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Failing,
    Recovered,
    Lost,
    WrittenOff,
}

/// A failed payment, as the metrics read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedPayment {
    pub first_failed: NaiveDate,
    pub amount_cents: i64,
    pub currency: String,
    pub class: DeclineClass,
    pub outcome: Outcome,
    pub resolved_on: Option<NaiveDate>,
    /// The customer gave a new card before it was recovered.
    pub card_updated: bool,
}

/// An account that churned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Churned {
    pub on: NaiveDate,
    pub mrr_cents: i64,
    pub currency: String,
    pub involuntary: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WonBy {
    /// An automatic or manual retry of the same card.
    Retry,
    /// The customer acted: a new card, or a payment they completed themselves.
    CardUpdate,
}

impl FailedPayment {
    /// How a recovered payment was won: declines that nothing but the customer can fix count
    /// as the customer's doing even when the export did not record the card change.
    pub fn won_by(&self) -> Option<WonBy> {
        let customer = self.card_updated
            || matches!(
                self.class,
                DeclineClass::NewCard | DeclineClass::Authenticate
            );
        (self.outcome == Outcome::Recovered).then_some(if customer {
            WonBy::CardUpdate
        } else {
            WonBy::Retry
        })
    }
}

/// Failed and recovered amounts of a group of payments.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tally {
    pub payments: usize,
    pub failed_cents: i64,
    pub recovered_cents: i64,
    pub still_failing_cents: i64,
    /// Recovered ÷ failed; `None` when nothing failed.
    pub recovery_rate: Option<f64>,
}

impl Tally {
    fn add(&mut self, p: &FailedPayment) {
        self.payments += 1;
        // Saturating: no total can wrap negative, whatever a file once let in.
        self.failed_cents = self.failed_cents.saturating_add(p.amount_cents);
        match p.outcome {
            Outcome::Recovered => {
                self.recovered_cents = self.recovered_cents.saturating_add(p.amount_cents)
            }
            Outcome::Failing => {
                self.still_failing_cents = self.still_failing_cents.saturating_add(p.amount_cents)
            }
            Outcome::Lost | Outcome::WrittenOff => {}
        }
        self.recovery_rate =
            (self.failed_cents > 0).then(|| self.recovered_cents as f64 / self.failed_cents as f64);
    }
}

/// The metrics of one currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrencyRecovery {
    pub currency: String,
    pub total: Tally,
    /// By month of first failure ("2026-10"), oldest first.
    pub by_month: BTreeMap<String, Tally>,
    pub by_class: BTreeMap<DeclineClass, Tally>,
    /// Recovered amounts by how they were won.
    pub recovered_by: BTreeMap<WonBy, i64>,
    pub median_days_to_recover: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChurnSplit {
    pub accounts: usize,
    /// MRR lost, by currency.
    pub mrr_cents: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecoveryReport {
    pub since: NaiveDate,
    pub until: NaiveDate,
    /// Largest failed amount first.
    pub currencies: Vec<CurrencyRecovery>,
    pub involuntary_churn: ChurnSplit,
    pub voluntary_churn: ChurnSplit,
}

/// The metrics of payments that first failed, and accounts that churned, from `since` to
/// `until` (both included).
pub fn report(
    payments: &[FailedPayment],
    churned: &[Churned],
    since: NaiveDate,
    until: NaiveDate,
) -> RecoveryReport {
    let within = |d: NaiveDate| d >= since && d <= until;
    let mut by_currency: BTreeMap<&str, (CurrencyRecovery, Vec<i64>)> = BTreeMap::new();
    for p in payments.iter().filter(|p| within(p.first_failed)) {
        let (c, days) = by_currency.entry(&p.currency).or_insert_with(|| {
            let empty = CurrencyRecovery {
                currency: p.currency.clone(),
                total: Tally::default(),
                by_month: BTreeMap::new(),
                by_class: BTreeMap::new(),
                recovered_by: BTreeMap::new(),
                median_days_to_recover: None,
            };
            (empty, Vec::new())
        });
        c.total.add(p);
        let month = format!("{:04}-{:02}", p.first_failed.year(), p.first_failed.month());
        c.by_month.entry(month).or_default().add(p);
        c.by_class.entry(p.class).or_default().add(p);
        if let Some(how) = p.won_by() {
            let won = c.recovered_by.entry(how).or_default();
            *won = won.saturating_add(p.amount_cents);
            if let Some(on) = p.resolved_on {
                days.push((on - p.first_failed).num_days().max(0));
            }
        }
    }
    let mut currencies: Vec<CurrencyRecovery> = by_currency
        .into_values()
        .map(|(mut c, mut days)| {
            c.median_days_to_recover = median(&mut days);
            c
        })
        .collect();
    currencies.sort_by_key(|c| std::cmp::Reverse(c.total.failed_cents));
    let mut involuntary_churn = ChurnSplit::default();
    let mut voluntary_churn = ChurnSplit::default();
    for c in churned.iter().filter(|c| within(c.on)) {
        let split = if c.involuntary {
            &mut involuntary_churn
        } else {
            &mut voluntary_churn
        };
        split.accounts += 1;
        let mrr = split.mrr_cents.entry(c.currency.clone()).or_default();
        *mrr = mrr.saturating_add(c.mrr_cents);
    }
    RecoveryReport {
        since,
        until,
        currencies,
        involuntary_churn,
        voluntary_churn,
    }
}

fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid] as f64
    } else {
        (values[mid - 1] + values[mid]) as f64 / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn payment(first: &str, cents: i64, class: DeclineClass, outcome: Outcome) -> FailedPayment {
        FailedPayment {
            first_failed: day(first),
            amount_cents: cents,
            currency: "USD".into(),
            class,
            outcome,
            resolved_on: None,
            card_updated: false,
        }
    }

    fn recovered(first: &str, on: &str, cents: i64, class: DeclineClass) -> FailedPayment {
        FailedPayment {
            resolved_on: Some(day(on)),
            ..payment(first, cents, class, Outcome::Recovered)
        }
    }

    #[test]
    fn the_rate_is_of_amounts_by_month_of_first_failure() {
        let payments = [
            recovered("2026-09-03", "2026-09-05", 30_000, DeclineClass::Soft),
            payment("2026-09-20", 10_000, DeclineClass::Fraud, Outcome::Lost),
            recovered("2026-10-01", "2026-10-11", 5_000, DeclineClass::NewCard),
            payment("2026-10-02", 5_000, DeclineClass::Soft, Outcome::Failing),
        ];
        let r = report(&payments, &[], day("2026-09-01"), day("2026-10-31"));
        let usd = &r.currencies[0];
        assert_eq!(usd.by_month["2026-09"].recovery_rate, Some(0.75));
        assert_eq!(usd.by_month["2026-10"].recovery_rate, Some(0.5));
        assert_eq!(usd.by_month["2026-10"].still_failing_cents, 5_000);
        assert_eq!(usd.total.recovery_rate, Some(35_000.0 / 50_000.0));
        assert_eq!(usd.by_class[&DeclineClass::Fraud].recovery_rate, Some(0.0));
        assert_eq!(usd.recovered_by[&WonBy::Retry], 30_000);
        assert_eq!(
            usd.recovered_by[&WonBy::CardUpdate],
            5_000,
            "a new card was needed"
        );
        assert_eq!(usd.median_days_to_recover, Some(6.0), "2 and 10 days");
    }

    #[test]
    fn a_card_update_before_recovery_wins_it_whatever_the_class() {
        let mut p = recovered("2026-10-01", "2026-10-03", 900, DeclineClass::Soft);
        assert_eq!(p.won_by(), Some(WonBy::Retry));
        p.card_updated = true;
        assert_eq!(p.won_by(), Some(WonBy::CardUpdate));
        p.outcome = Outcome::Lost;
        assert_eq!(p.won_by(), None);
    }

    #[test]
    fn currencies_are_never_added_and_the_largest_comes_first() {
        let mut eur = recovered("2026-10-01", "2026-10-02", 90_000, DeclineClass::Soft);
        eur.currency = "EUR".into();
        let payments = [
            eur,
            payment("2026-10-01", 1_000, DeclineClass::Soft, Outcome::Lost),
        ];
        let r = report(&payments, &[], day("2026-10-01"), day("2026-10-31"));
        let names: Vec<&str> = r.currencies.iter().map(|c| c.currency.as_str()).collect();
        assert_eq!(names, ["EUR", "USD"]);
        assert_eq!(r.currencies[1].total.recovery_rate, Some(0.0));
    }

    #[test]
    fn only_the_window_counts_and_churn_is_split_by_kind() {
        let payments = [payment(
            "2026-08-31",
            1_000,
            DeclineClass::Soft,
            Outcome::Lost,
        )];
        let churned = [
            Churned {
                on: day("2026-10-05"),
                mrr_cents: 4_900,
                currency: "USD".into(),
                involuntary: true,
            },
            Churned {
                on: day("2026-10-06"),
                mrr_cents: 9_900,
                currency: "USD".into(),
                involuntary: false,
            },
            Churned {
                on: day("2026-07-01"),
                mrr_cents: 100,
                currency: "USD".into(),
                involuntary: true,
            },
        ];
        let r = report(&payments, &churned, day("2026-09-01"), day("2026-10-31"));
        assert!(r.currencies.is_empty());
        assert_eq!(r.involuntary_churn.accounts, 1);
        assert_eq!(r.involuntary_churn.mrr_cents["USD"], 4_900);
        assert_eq!(r.voluntary_churn.mrr_cents["USD"], 9_900);
    }

    #[test]
    fn median_of_even_and_odd_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3.0));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2.5));
    }
}
