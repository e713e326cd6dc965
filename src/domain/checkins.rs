//! Which check-ins an account should have open, from its stage, its history and its contract.
//!
//! The schedule is computed, never accumulated: `due` returns the check-ins that should be open
//! on a day, and the store brings the table in line with it. Running it twice changes nothing
//! the second time; an account that changes stage switches cadence; a churned account has none.

use chrono::{Days, Months, NaiveDate};
use serde::Serialize;

use super::lifecycle::{Stage, StageBounds};

/// The rhythm of each stage, in days; every number can be changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cadences {
    /// Early stage: (day after the start, kind), in order.
    pub early_milestones: Vec<(u32, String)>,
    pub mid_every: u32,
    pub mid_review_every: u32,
    pub late_every: u32,
    /// Days before an annual renewal to prepare it.
    pub renewal_prep: Vec<u32>,
}

impl Default for Cadences {
    fn default() -> Self {
        Cadences {
            early_milestones: vec![
                (3, "welcome".into()),
                (7, "kickoff".into()),
                (14, "adoption-14".into()),
                (30, "adoption-30".into()),
                (60, "adoption-60".into()),
                (85, "adoption-85".into()),
            ],
            mid_every: 30,
            mid_review_every: 90,
            late_every: 90,
            renewal_prep: vec![90, 60, 30],
        }
    }
}

/// What the schedule needs to know of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub customer_since: NaiveDate,
    pub churned: bool,
    /// The next renewal of an annual contract.
    pub annual_renewal: Option<NaiveDate>,
}

/// A check-in completed on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub kind: String,
    pub on: NaiveDate,
}

/// A check-in that should be open.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Due {
    pub due: NaiveDate,
    pub kind: String,
    pub stage: Stage,
}

/// What each stage's check-ins are for: the agenda the logging form starts from.
pub fn agenda(stage: Stage) -> &'static str {
    match stage {
        Stage::Early => "Adoption: who uses it, which features, what blocks them?",
        Stage::Mid => "Business outcomes: progress against the goals they bought it for?",
        Stage::Late => {
            "Expansion and renewal: what more could they do, anything to fix before renewal? Thank them."
        }
    }
}

/// The check-ins that should be open on `today`, given what was done.
pub fn due(
    subject: &Subject,
    done: &[Done],
    today: NaiveDate,
    bounds: &StageBounds,
    cadences: &Cadences,
) -> Vec<Due> {
    if subject.churned {
        return Vec::new();
    }
    let since = subject.customer_since;
    let stage = bounds.stage(since, today);
    let day = |n: u32| since + Days::new(u64::from(n));
    let last =
        |pred: &dyn Fn(&str) -> bool| done.iter().filter(|d| pred(&d.kind)).map(|d| d.on).max();
    let mut out = Vec::new();
    match stage {
        Stage::Early => {
            // Milestones come in order: each check-in done since the start (one a day at
            // most) passes one. The next is due on its own day counted from the start.
            let mut days: Vec<NaiveDate> = done
                .iter()
                .filter(|d| d.on >= since)
                .map(|d| d.on)
                .collect();
            days.sort_unstable();
            days.dedup();
            match cadences.early_milestones.get(days.len()) {
                Some((n, kind)) => out.push(Due {
                    due: day(*n),
                    kind: kind.clone(),
                    stage,
                }),
                // Every milestone done: the first check-in of the next stage is already known,
                // the same one the mid stage will ask for.
                None => out.push(Due {
                    due: day(bounds.mid_from_day) + Days::new(u64::from(cadences.mid_every)),
                    kind: "check-in".into(),
                    stage: Stage::Mid,
                }),
            }
        }
        Stage::Mid => {
            let stage_start = day(bounds.mid_from_day);
            let any = last(&|_| true)
                .filter(|d| *d >= stage_start)
                .unwrap_or(stage_start);
            out.push(Due {
                due: any + Days::new(u64::from(cadences.mid_every)),
                kind: "check-in".into(),
                stage,
            });
            let review = last(&|k| k == "business-review")
                .filter(|d| *d >= stage_start)
                .unwrap_or(stage_start);
            out.push(Due {
                due: review + Days::new(u64::from(cadences.mid_review_every)),
                kind: "business-review".into(),
                stage,
            });
        }
        Stage::Late => {
            let stage_start = day(bounds.mid_until_day + 1);
            let any = last(&|_| true)
                .filter(|d| *d >= stage_start)
                .unwrap_or(stage_start);
            out.push(Due {
                due: any + Days::new(u64::from(cadences.late_every)),
                kind: "check-in".into(),
                stage,
            });
            // The first anniversary not more than 30 days past; done within 60 days of it,
            // it is next year's that is due.
            let anniversary = |n: u32| since.checked_add_months(Months::new(12 * n));
            let mut n = 1;
            while anniversary(n).is_some_and(|a| a + Days::new(30) < today) {
                n += 1;
            }
            let celebrated = |a: NaiveDate| {
                done.iter()
                    .any(|d| d.kind == "anniversary" && (d.on - a).num_days().abs() <= 60)
            };
            if anniversary(n).is_some_and(celebrated) {
                n += 1;
            }
            if let Some(a) = anniversary(n) {
                out.push(Due {
                    due: a,
                    kind: "anniversary".into(),
                    stage,
                });
            }
            if let Some(renewal) = subject.annual_renewal {
                for &before in &cadences.renewal_prep {
                    let due = renewal - Days::new(u64::from(before));
                    let kind = format!("renewal-prep-{before}");
                    // Done for this renewal once completed within the year before it.
                    let done_it = done.iter().any(|d| {
                        d.kind == kind && d.on + Days::new(365) > renewal && d.on <= renewal
                    });
                    if !done_it && renewal > today {
                        out.push(Due { due, kind, stage });
                    }
                }
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
#[path = "checkins_tests.rs"]
mod tests;
