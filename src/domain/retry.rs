//! When to try a failed payment again: a pure function of the payment's history, its decline
//! class and the policy.
//!
//! The defaults follow what billing systems recommend: up to 8 attempts within 14 days, soft
//! declines retried soon and spaced out, insufficient funds toward paydays, ambiguous declines
//! a few times only, and nothing at all for a card that must change, a customer who must act,
//! a revoked mandate or fraud.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::decline::{Classification, DeclineClass, classify};
use crate::domain::text_enum::text_enum;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Attempts (the first failure included) before the payment is exhausted.
    pub max_attempts: u32,
    /// Days after the first failure within which the attempts are spread.
    pub within_days: u32,
    /// Attempts the card networks allow on one payment in 30 days.
    pub network_cap_30d: u32,
    /// Days after the first failure after which the payment is exhausted, whatever else.
    pub exhausted_after_days: u32,
    /// Soft declines: days after the first failure of the 2nd, 3rd ... attempt.
    pub soft_days: Vec<u32>,
    /// Days of the month when money tends to arrive.
    pub paydays: Vec<u32>,
    /// Ambiguous declines: days after the first failure of the few retries allowed.
    pub ambiguous_days: Vec<u32>,
    /// The hour (UTC) retries are placed at.
    pub hour: u32,
    /// A team's own class for a decline code (lower case), over the built-in one.
    #[serde(rename = "classes")]
    pub overrides: BTreeMap<String, DeclineClass>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            within_days: 14,
            network_cap_30d: 15,
            exhausted_after_days: 30,
            soft_days: vec![1, 3, 5, 7, 9, 11, 13],
            paydays: vec![1, 15],
            ambiguous_days: vec![3, 7],
            hour: 14,
            overrides: BTreeMap::new(),
        }
    }
}

impl RetryPolicy {
    /// The defaults with the settings of a `payments.toml` over them.
    pub fn from_toml(text: &str) -> Result<RetryPolicy, String> {
        let mut policy: RetryPolicy = toml::from_str(text).map_err(|e| e.to_string())?;
        policy.overrides = std::mem::take(&mut policy.overrides)
            .into_iter()
            .map(|(code, class)| (code.trim().to_ascii_lowercase(), class))
            .collect();
        policy.check()?;
        Ok(policy)
    }

    fn check(&self) -> Result<(), String> {
        if self.max_attempts == 0 {
            return Err("max_attempts: at least 1 (the first failure counts)".into());
        }
        // Dunning lasts weeks; a day count beyond ten years is a slip, and would carry dates
        // past any a calendar holds.
        const MOST_DAYS: u32 = 3650;
        for (name, n) in [
            ("max_attempts", self.max_attempts),
            ("within_days", self.within_days),
            ("network_cap_30d", self.network_cap_30d),
            ("exhausted_after_days", self.exhausted_after_days),
        ] {
            if n > MOST_DAYS {
                return Err(format!("{name}: {n} is more than {MOST_DAYS}"));
            }
        }
        for (name, days) in [
            ("soft_days", &self.soft_days),
            ("ambiguous_days", &self.ambiguous_days),
        ] {
            if days.is_empty() {
                return Err(format!("{name}: name at least one day (like [3, 7])"));
            }
            if let Some(d) = days.iter().find(|d| **d > MOST_DAYS) {
                return Err(format!("{name}: {d} is more than {MOST_DAYS} days"));
            }
        }
        if self.hour > 23 {
            return Err(format!(
                "hour: {} is not an hour of the day (0-23)",
                self.hour
            ));
        }
        if self.paydays.is_empty() {
            return Err("paydays: name at least one day of the month (like [1, 15])".into());
        }
        if let Some(d) = self.paydays.iter().find(|d| !(1..=31).contains(*d)) {
            return Err(format!("paydays: {d} is not a day of the month (1-31)"));
        }
        for (name, days) in [
            ("soft_days", &self.soft_days),
            ("ambiguous_days", &self.ambiguous_days),
        ] {
            if days.windows(2).any(|w| w[0] >= w[1]) {
                return Err(format!("{name}: days after the first failure must go up"));
            }
        }
        Ok(())
    }

    /// The class of a decline: the team's override, else the built-in class; an advice code
    /// from the processor wins over both: `try_again_later` means retry (soft),
    /// `do_not_try_again` means no retry, `confirm_card_data` means a corrected card.
    /// The code this policy knows that `code` was most likely meant to be (one or two typos
    /// away), for a rep who typed a code it does not know.
    pub fn nearest_code(&self, code: &str) -> Option<String> {
        super::text::nearest(code, self.codes()).map(str::to_string)
    }

    /// Every decline code this policy knows: the built-in ones and the team's own.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        super::decline::KNOWN_CODES
            .iter()
            .map(|&(known, _)| known)
            .chain(self.overrides.keys().map(String::as_str))
    }

    pub fn class_of(&self, code: &str, advice: Option<&str>) -> Classification {
        let base = match self.overrides.get(&code.trim().to_ascii_lowercase()) {
            Some(&class) => Classification { class, known: true },
            None => classify(code),
        };
        let class = match advice.map(|a| a.trim().to_ascii_lowercase()).as_deref() {
            Some("try_again_later") => DeclineClass::Soft,
            Some("do_not_try_again") => match base.class {
                DeclineClass::Fraud | DeclineClass::Revoked => base.class,
                _ => DeclineClass::Revoked,
            },
            Some("confirm_card_data") => DeclineClass::NewCard,
            _ => return base,
        };
        Classification { class, ..base }
    }
}

/// An attempt on a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub succeeded: bool,
}

/// What is known of a failed payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub first_failed_at: DateTime<Utc>,
    /// Every attempt, the first failure included, oldest first.
    pub attempts: Vec<Attempt>,
    /// The last decline code and, when the processor gave one, its advice code.
    pub decline_code: String,
    pub advice_code: Option<String>,
    /// When the customer last updated the card.
    pub card_updated_at: Option<DateTime<Utc>>,
    /// Dunning paused until this day.
    pub paused_until: Option<NaiveDate>,
    /// A billing hook was handed the payment then and never answered: it may have charged.
    pub hook_unsettled_at: Option<DateTime<Utc>>,
    /// The billing system says it was recovered (an imported file), whether or not an attempt
    /// here shows the success.
    pub recovered: bool,
}

/// What to do next with a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "next", rename_all = "snake_case")]
pub enum Next {
    Recovered,
    /// Try again at this moment (a moment in the past means now).
    RetryAt {
        at: DateTime<Utc>,
    },
    /// Nothing will work until the customer gives a new or corrected card.
    WaitForCard,
    /// The customer must complete the payment themselves.
    CustomerMustAct,
    /// Never retry: escalate to the owner.
    NeverRetry,
    /// No retry left: final notice, then lost.
    Exhausted {
        why: String,
    },
    Paused {
        until: NaiveDate,
    },
    /// A hook may have charged without saying so: a person checks the billing system and
    /// records what happened before anything is retried.
    Unsettled {
        since: DateTime<Utc>,
    },
}

pub fn next(history: &History, policy: &RetryPolicy, now: DateTime<Utc>) -> Next {
    if history.recovered || history.attempts.iter().any(|a| a.succeeded) {
        return Next::Recovered;
    }
    if let Some(since) = history.hook_unsettled_at {
        return Next::Unsettled { since };
    }
    let first = history.first_failed_at;
    let last = history.attempts.last().map_or(first, |a| a.at);
    // A rep's pause holds everything, a new card included.
    if let Some(until) = history.paused_until.filter(|u| *u > now.date_naive()) {
        return Next::Paused { until };
    }
    // A card the customer gave after the last attempt is tried at once, whatever the decline
    // was: it is a new start with the issuer.
    if let Some(updated) = history.card_updated_at.filter(|u| *u > last) {
        return Next::RetryAt { at: updated };
    }
    let class = policy
        .class_of(&history.decline_code, history.advice_code.as_deref())
        .class;
    match class {
        DeclineClass::Revoked | DeclineClass::Fraud => return Next::NeverRetry,
        DeclineClass::Authenticate => return Next::CustomerMustAct,
        _ => {}
    }
    let failed = history.attempts.len().max(1) as u32;
    if (now - first).num_days() >= i64::from(policy.exhausted_after_days) {
        return Next::Exhausted {
            why: format!("{} days in dunning", policy.exhausted_after_days),
        };
    }
    if failed >= policy.max_attempts {
        return Next::Exhausted {
            why: format!("{failed} of {} attempts made", policy.max_attempts),
        };
    }
    let last_30 = history
        .attempts
        .iter()
        .filter(|a| (now - a.at).num_days() < 30)
        .count() as u32;
    if last_30 >= policy.network_cap_30d {
        return Next::Exhausted {
            why: format!(
                "the card networks allow {} attempts in 30 days",
                policy.network_cap_30d
            ),
        };
    }
    let at_hour = |day: NaiveDate| {
        day.and_time(NaiveTime::from_hms_opt(policy.hour, 0, 0).unwrap_or_default())
            .and_utc()
    };
    let window_end = first.date_naive() + Days::new(u64::from(policy.exhausted_after_days));
    let planned = |days: &[u32]| -> Next {
        match days.get(failed as usize - 1) {
            Some(&d) if d > policy.within_days => Next::Exhausted {
                why: format!("past the {}-day retry window", policy.within_days),
            },
            Some(&d) => Next::RetryAt {
                at: at_hour(first.date_naive() + Days::new(u64::from(d)))
                    .max(last + Duration::hours(1)),
            },
            None => Next::Exhausted {
                why: format!("no retry left for this decline after {failed} attempts"),
            },
        }
    };
    match class {
        DeclineClass::Soft => planned(&policy.soft_days),
        DeclineClass::Ambiguous => planned(&policy.ambiguous_days),
        DeclineClass::Operational if failed < 2 => Next::RetryAt {
            at: last + Duration::days(1),
        },
        DeclineClass::Operational => Next::NeverRetry,
        DeclineClass::NewCard => Next::WaitForCard,
        DeclineClass::InsufficientFunds => {
            let payday = next_payday(last.date_naive(), &policy.paydays);
            if payday >= window_end {
                Next::Exhausted {
                    why: "no payday left before the end of dunning".into(),
                }
            } else {
                Next::RetryAt {
                    at: at_hour(payday),
                }
            }
        }
        // Answered before the caps.
        DeclineClass::Revoked | DeclineClass::Fraud => Next::NeverRetry,
        DeclineClass::Authenticate => Next::CustomerMustAct,
    }
}

text_enum! {
    /// The queue of the payments pane a payment belongs in.
    pub enum Queue as "payment queue" {
        /// A retry is due now.
        Due => "due",
        /// Contact the customer for a new or corrected card.
        NewCard => "new-card",
        /// The customer must complete the payment.
        CustomerAction => "customer-action",
        /// Fraud, a revoked mandate, or a hook that may have charged: a person decides, nothing
        /// retries.
        DoNotRetry => "do-not-retry",
        /// No retry left: final notice, then lost.
        Exhausted => "exhausted",
        /// A retry is planned for later.
        Scheduled => "scheduled",
        Paused => "paused",
        /// Recovered in the last 30 days.
        Recovered => "recovered",
    }
}

impl Queue {
    /// Where a payment goes, from what to do next with it.
    pub fn of(next: &Next, now: DateTime<Utc>) -> Queue {
        match next {
            Next::Recovered => Queue::Recovered,
            Next::RetryAt { at } if *at <= now => Queue::Due,
            Next::RetryAt { .. } => Queue::Scheduled,
            Next::WaitForCard => Queue::NewCard,
            Next::CustomerMustAct => Queue::CustomerAction,
            Next::NeverRetry | Next::Unsettled { .. } => Queue::DoNotRetry,
            Next::Exhausted { .. } => Queue::Exhausted,
            Next::Paused { .. } => Queue::Paused,
        }
    }
}

/// What a decline class means, in words a rep can say to a customer.
pub fn meaning(class: DeclineClass) -> &'static str {
    match class {
        DeclineClass::Soft => "a temporary problem at the bank or processor",
        DeclineClass::InsufficientFunds => "not enough money on the card right now",
        DeclineClass::Ambiguous => "the bank declined without saying why",
        DeclineClass::NewCard => "the card details need updating",
        DeclineClass::Authenticate => "the bank wants the cardholder to confirm the payment",
        DeclineClass::Revoked => "the customer stopped the payment",
        DeclineClass::Fraud => "the bank flagged the card (lost, stolen or fraud)",
        DeclineClass::Operational => "a duplicate or test payment",
    }
}

/// The first payday strictly after `day`.
fn next_payday(day: NaiveDate, paydays: &[u32]) -> NaiveDate {
    let mut d = day + Days::new(1);
    for _ in 0..62 {
        if paydays.contains(&d.day()) {
            return d;
        }
        d = d + Days::new(1);
    }
    day + Days::new(7) // no valid payday configured: a week later
}

#[cfg(test)]
#[path = "retry_tests.rs"]
mod tests;
