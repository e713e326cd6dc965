//! Lifecycle stages: where an account is in its life with us, from its age in days.

use crate::domain::text_enum::text_enum;
use chrono::{Days, NaiveDate};

text_enum! {
    pub enum Stage as "lifecycle stage" {
        /// Adoption: the first months, when customers leave because they never got going.
        Early => "early",
        /// Business value: customers leave when the product shows no impact.
        Mid => "mid",
        /// Expansion and renewal: customers leave for alternatives, fatigue or no growth.
        Late => "late",
    }
}

/// Where the stages end, in days since the customer started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageBounds {
    /// Ages below this many days are early.
    pub mid_from_day: u32,
    /// Ages up to and including this many days (and not early) are mid; older is late.
    pub mid_until_day: u32,
}

impl Default for StageBounds {
    fn default() -> Self {
        StageBounds {
            mid_from_day: 90,
            mid_until_day: 365,
        }
    }
}

impl StageBounds {
    pub fn stage(&self, customer_since: NaiveDate, today: NaiveDate) -> Stage {
        // An account dated in the future (a signed deal not yet live) is treated as brand new.
        let age = (today - customer_since).num_days().max(0);
        if age < i64::from(self.mid_from_day) {
            Stage::Early
        } else if age <= i64::from(self.mid_until_day) {
            Stage::Mid
        } else {
            Stage::Late
        }
    }

    /// The same rule as [`StageBounds::stage`], expressed as two dates so that a query can count
    /// stages without computing ages: early is `since > early_after`, late is
    /// `since < late_before`, mid is everything between.
    pub fn cutoffs(&self, today: NaiveDate) -> StageCutoffs {
        StageCutoffs {
            early_after: today - Days::new(u64::from(self.mid_from_day)),
            late_before: today - Days::new(u64::from(self.mid_until_day)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageCutoffs {
    pub early_after: NaiveDate,
    pub late_before: NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn stage_at_age(days: u64) -> Stage {
        let today = day("2026-11-22");
        StageBounds::default().stage(today - Days::new(days), today)
    }

    #[test]
    fn boundaries_fall_on_days_90_and_366() {
        assert_eq!(stage_at_age(0), Stage::Early);
        assert_eq!(stage_at_age(89), Stage::Early);
        assert_eq!(stage_at_age(90), Stage::Mid);
        assert_eq!(stage_at_age(365), Stage::Mid);
        assert_eq!(stage_at_age(366), Stage::Late);
        assert_eq!(stage_at_age(4000), Stage::Late);
    }

    #[test]
    fn a_start_date_in_the_future_is_early() {
        let today = day("2026-11-22");
        assert_eq!(
            StageBounds::default().stage(day("2027-01-01"), today),
            Stage::Early
        );
    }

    #[test]
    fn custom_bounds_move_the_boundaries() {
        let bounds = StageBounds {
            mid_from_day: 30,
            mid_until_day: 180,
        };
        let today = day("2026-11-22");
        assert_eq!(bounds.stage(today - Days::new(29), today), Stage::Early);
        assert_eq!(bounds.stage(today - Days::new(30), today), Stage::Mid);
        assert_eq!(bounds.stage(today - Days::new(181), today), Stage::Late);
    }

    #[test]
    fn cutoffs_agree_with_stage_on_every_age_around_the_bounds() {
        let bounds = StageBounds::default();
        let today = day("2026-11-22");
        let cut = bounds.cutoffs(today);
        for age in 0..400 {
            let since = today - Days::new(age);
            let by_cutoff = if since > cut.early_after {
                Stage::Early
            } else if since < cut.late_before {
                Stage::Late
            } else {
                Stage::Mid
            };
            assert_eq!(by_cutoff, bounds.stage(since, today), "age {age}");
        }
    }
}
