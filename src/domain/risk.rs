//! The risk that an account leaves, 0 to 100, explained factor by factor.
//!
//! Each factor looks at one leading indicator of churn and returns how bad it is (a severity
//! from 0 to 1) with a sentence that gives the numbers behind it, or nothing when its input is
//! missing. The score is the weighted mean of the severities of the factors that have data: a
//! missing input is not counted as bad, its weight is spread over the others. A factor's points
//! are its share of the score, so the reasons add up to the score. Weights depend on the
//! lifecycle stage: early accounts are judged on adoption, late ones on renewal.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::decline::{DeclineClass, classify};
use super::lifecycle::Stage;
use crate::domain::text_enum::text_enum;

text_enum! {
    pub enum Factor as "risk factor" {
        Usage => "usage",
        SeatShare => "seat_share",
        Features => "features",
        Support => "support",
        Nps => "nps",
        Billing => "billing",
        Onboarding => "onboarding",
        NoTouch => "no_touch",
        Renewal => "renewal",
        Competitor => "competitor",
    }
}

impl Factor {
    /// What the card says the factor lacks when it found nothing to score, or `None` when
    /// there is nothing to lack: onboarding after the early stage, a renewal on a monthly plan.
    /// A factor with data is never "missing".
    fn absent(self, input: &RiskInput) -> Option<&'static str> {
        let usage = &input.usage;
        let no_seats = usage.last().is_some_and(|u| u.seats == 0);
        match self {
            _ if usage.is_empty() && self.reads_usage() => Some("no usage data"),
            Factor::Usage => Some("under 3 months of usage"),
            Factor::SeatShare if no_seats => Some("no seat count"),
            Factor::Onboarding if input.stage != Stage::Early => None,
            Factor::Onboarding if no_seats => Some("no seat count"),
            Factor::Onboarding => None, // too soon to judge
            Factor::Nps => Some("no NPS answer in a year"),
            Factor::Renewal => None,
            _ => Some("no data"),
        }
    }

    fn reads_usage(self) -> bool {
        matches!(
            self,
            Factor::Usage | Factor::SeatShare | Factor::Features | Factor::Onboarding
        )
    }
}

text_enum! {
    pub enum Band as "risk band" {
        Low => "low",
        Medium => "medium",
        High => "high",
    }
}

// ---- Inputs: what the store knows about an account, as of a day. ----

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsagePoint {
    /// First day of the month.
    pub period: NaiveDate,
    pub active_users: u32,
    pub seats: u32,
    pub key_feature_uses: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFact {
    pub opened_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub urgent: bool,
    pub satisfaction: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFact {
    pub first_failed_at: DateTime<Utc>,
    pub failing: bool,
    /// Lost or written off: the money never came.
    pub lost: bool,
    pub decline_code: String,
    pub attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TouchFact {
    pub at: DateTime<Utc>,
    pub kind: String,
    /// Whether a rep had it (not an automatic email or an imported note).
    pub by_rep: bool,
    pub tags: Vec<String>,
}

/// Everything the factors read, for one account, dated before `as_of`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskInput {
    pub as_of: NaiveDate,
    pub customer_since: NaiveDate,
    pub stage: Stage,
    pub renewal_date: Option<NaiveDate>,
    /// Oldest first.
    pub usage: Vec<UsagePoint>,
    pub tickets: Vec<TicketFact>,
    /// (when, score), oldest first.
    pub nps: Vec<(DateTime<Utc>, u8)>,
    pub payments: Vec<PaymentFact>,
    /// (day, from, to) MRR changes.
    pub mrr_changes: Vec<(NaiveDate, i64, i64)>,
    /// Oldest first.
    pub touches: Vec<TouchFact>,
}

// ---- The model: weights, bands, cadences, all configurable. ----

/// Weight of each factor, for one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Weights {
    pub usage: f64,
    pub seat_share: f64,
    pub features: f64,
    pub support: f64,
    pub nps: f64,
    pub billing: f64,
    pub onboarding: f64,
    pub no_touch: f64,
    pub renewal: f64,
    pub competitor: f64,
}

impl Weights {
    /// The defaults: early weighs adoption, mid the value shown, late renewal.
    pub fn for_stage(stage: Stage) -> Weights {
        let w = |usage,
                 seat_share,
                 features,
                 support,
                 nps,
                 billing,
                 onboarding,
                 no_touch,
                 renewal,
                 competitor| Weights {
            usage,
            seat_share,
            features,
            support,
            nps,
            billing,
            onboarding,
            no_touch,
            renewal,
            competitor,
        };
        match stage {
            Stage::Early => w(10.0, 10.0, 10.0, 10.0, 5.0, 20.0, 25.0, 5.0, 0.0, 5.0),
            Stage::Mid => w(20.0, 5.0, 5.0, 15.0, 10.0, 20.0, 0.0, 5.0, 10.0, 10.0),
            Stage::Late => w(20.0, 5.0, 5.0, 10.0, 10.0, 20.0, 0.0, 5.0, 15.0, 10.0),
        }
    }

    fn slot(&mut self, factor: Factor) -> &mut f64 {
        match factor {
            Factor::Usage => &mut self.usage,
            Factor::SeatShare => &mut self.seat_share,
            Factor::Features => &mut self.features,
            Factor::Support => &mut self.support,
            Factor::Nps => &mut self.nps,
            Factor::Billing => &mut self.billing,
            Factor::Onboarding => &mut self.onboarding,
            Factor::NoTouch => &mut self.no_touch,
            Factor::Renewal => &mut self.renewal,
            Factor::Competitor => &mut self.competitor,
        }
    }

    pub fn of(&self, factor: Factor) -> f64 {
        match factor {
            Factor::Usage => self.usage,
            Factor::SeatShare => self.seat_share,
            Factor::Features => self.features,
            Factor::Support => self.support,
            Factor::Nps => self.nps,
            Factor::Billing => self.billing,
            Factor::Onboarding => self.onboarding,
            Factor::NoTouch => self.no_touch,
            Factor::Renewal => self.renewal,
            Factor::Competitor => self.competitor,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bands {
    /// Scores at or above this are high.
    pub high: f64,
    /// Scores at or above this (and below high) are medium.
    pub medium: f64,
}

impl Default for Bands {
    fn default() -> Self {
        Bands {
            high: 45.0,
            medium: 25.0,
        }
    }
}

/// Days without a rep's touch that each stage tolerates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cadence {
    pub early: u32,
    pub mid: u32,
    pub late: u32,
}

impl Default for Cadence {
    fn default() -> Self {
        Cadence {
            early: 14,
            mid: 30,
            late: 60,
        }
    }
}

impl Cadence {
    pub fn days(&self, stage: Stage) -> u32 {
        match stage {
            Stage::Early => self.early,
            Stage::Mid => self.mid,
            Stage::Late => self.late,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageWeights {
    pub early: Weights,
    pub mid: Weights,
    pub late: Weights,
}

impl Default for StageWeights {
    fn default() -> Self {
        StageWeights {
            early: Weights::for_stage(Stage::Early),
            mid: Weights::for_stage(Stage::Mid),
            late: Weights::for_stage(Stage::Late),
        }
    }
}

/// `risk.toml` as written: each part may be left out, and the weights name only the factors
/// they change.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ModelFile {
    weights: WeightsFile,
    bands: Bands,
    cadence: Cadence,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct WeightsFile {
    early: std::collections::BTreeMap<Factor, toml::Spanned<f64>>,
    mid: std::collections::BTreeMap<Factor, toml::Spanned<f64>>,
    late: std::collections::BTreeMap<Factor, toml::Spanned<f64>>,
}

/// The whole model; `risk.toml` overrides any part of it.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct RiskModel {
    pub weights: StageWeights,
    pub bands: Bands,
    pub cadence: Cadence,
}

impl RiskModel {
    /// Tells the scores of one model from another's in the kept history: a hash (FNV-1a, the
    /// same in every build) of the model's every setting and of this version of retain, whose
    /// scoring may differ from another version's.
    pub fn fingerprint(&self) -> i64 {
        let text = format!("{} {self:?}", env!("CARGO_PKG_VERSION"));
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        hash as i64
    }

    /// The defaults with what a `risk.toml` text says: `[bands]`, `[cadence]`, and
    /// `[weights.early|mid|late]` with any of the factors. What it does not mention keeps its
    /// default, stage by stage; a section, stage or factor it does not know is refused.
    pub fn from_toml(text: &str) -> Result<RiskModel, String> {
        let file: ModelFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut model = RiskModel {
            bands: file.bands,
            cadence: file.cadence,
            ..RiskModel::default()
        };
        for (stage, given, weights) in [
            (Stage::Early, file.weights.early, &mut model.weights.early),
            (Stage::Mid, file.weights.mid, &mut model.weights.mid),
            (Stage::Late, file.weights.late, &mut model.weights.late),
        ] {
            for (factor, spanned) in given {
                let weight = *spanned.get_ref();
                // Weights are shares of the score: past a thousand, only the ratio to the
                // others matters, and sums could overflow to infinity.
                if !weight.is_finite() || !(0.0..=1000.0).contains(&weight) {
                    let line = text[..spanned.span().start.min(text.len())]
                        .matches('\n')
                        .count()
                        + 1;
                    return Err(format!(
                        "line {line}: weights.{stage}.{factor}: a weight is a number from 0 to 1000, not {weight}"
                    ));
                }
                *weights.slot(factor) = weight;
            }
        }
        for (name, value) in [("high", model.bands.high), ("medium", model.bands.medium)] {
            if !(0.0..=100.0).contains(&value) {
                return Err(format!(
                    "bands.{name}: {value} is not a score from 0 to 100"
                ));
            }
        }
        if model.bands.medium > model.bands.high {
            return Err(format!(
                "bands: medium ({}) must not be above high ({})",
                model.bands.medium, model.bands.high
            ));
        }
        Ok(model)
    }

    fn weights(&self, stage: Stage) -> &Weights {
        match stage {
            Stage::Early => &self.weights.early,
            Stage::Mid => &self.weights.mid,
            Stage::Late => &self.weights.late,
        }
    }

    pub fn band(&self, score: f64) -> Band {
        if score >= self.bands.high {
            Band::High
        } else if score >= self.bands.medium {
            Band::Medium
        } else {
            Band::Low
        }
    }
}

// ---- The result. ----

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub factor: Factor,
    /// This factor's share of the score.
    pub points: f64,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskScore {
    /// 0 to 100, higher is more likely to churn.
    pub score: f64,
    pub band: Band,
    /// Every factor with data, largest first.
    pub reasons: Vec<Reason>,
    /// Factors without data, with what is missing.
    pub missing: Vec<(Factor, &'static str)>,
    /// How an annual contract far from its renewal damped the score, when it did.
    pub contract: Option<String>,
}

impl RiskScore {
    pub fn top(&self) -> Option<&Reason> {
        self.reasons.first()
    }
}

/// A factor's finding: how bad, and why.
#[derive(Debug, Clone, PartialEq)]
struct Finding {
    severity: f64,
    detail: String,
}

fn finding(severity: f64, detail: impl Into<String>) -> Option<Finding> {
    Some(Finding {
        severity: severity.clamp(0.0, 1.0),
        detail: detail.into(),
    })
}

/// A whole number with its sign, the minus as a minus sign: `+30`, `−42`.
fn signed(x: f64) -> String {
    let rounded = x.round();
    if rounded < 0.0 {
        format!("−{}", -rounded)
    } else {
        format!("+{rounded}")
    }
}

/// Where `x` falls between `from` (0) and `to` (1), clamped.
fn ramp(x: f64, from: f64, to: f64) -> f64 {
    ((x - from) / (to - from)).clamp(0.0, 1.0)
}

fn days_between(earlier: NaiveDate, later: NaiveDate) -> i64 {
    (later - earlier).num_days()
}

/// How much of its weight a factor has for this account: all of it, but onboarding, whose
/// expectations grow with the account's age (from nothing on day 14 to all of it on day 42)
/// so that the score moves smoothly instead of jumping on the day it starts to count.
fn presence(factor: Factor, input: &RiskInput) -> f64 {
    match factor {
        Factor::Onboarding => {
            let age = days_between(input.customer_since, input.as_of) as f64;
            ramp(age, ONBOARDING_FROM, ONBOARDING_FULL)
        }
        _ => 1.0,
    }
}

/// The age (days) onboarding starts to count, and the age it counts in full.
const ONBOARDING_FROM: f64 = 14.0;
const ONBOARDING_FULL: f64 = 42.0;

pub fn score(input: &RiskInput, model: &RiskModel) -> RiskScore {
    let stage_weights = model.weights(input.stage);
    let weight = |f: Factor| stage_weights.of(f) * presence(f, input);
    let mut findings: Vec<(Factor, Finding)> = Vec::new();
    let mut missing = Vec::new();
    for &factor in Factor::ALL {
        if weight(factor) <= 0.0 || factor == Factor::Renewal {
            continue;
        }
        match evaluate(factor, input, model) {
            Some(f) => findings.push((factor, f)),
            None => missing.extend(factor.absent(input).map(|why| (factor, why))),
        }
    }
    // Renewal weighs by how weak the account already looks.
    if weight(Factor::Renewal) > 0.0 {
        let (sum, total) = findings.iter().fold((0.0, 0.0), |(s, t), (f, x)| {
            (s + weight(*f) * x.severity, t + weight(*f))
        });
        let weakness = if total > 0.0 {
            (sum / total / 0.4).min(1.0)
        } else {
            0.0
        };
        match renewal(input, weakness) {
            Some(f) => findings.push((Factor::Renewal, f)),
            None => missing.extend(Factor::Renewal.absent(input).map(|w| (Factor::Renewal, w))),
        }
    }
    let total: f64 = findings.iter().map(|(f, _)| weight(*f)).sum();
    let hold = contract_hold(input);
    let mut reasons: Vec<Reason> = findings
        .into_iter()
        .map(|(factor, f)| {
            // A payment can fail on any day; everything else waits for the renewal.
            let held = match (factor, &hold) {
                (Factor::Billing, _) | (_, None) => 1.0,
                (_, Some((multiplier, _))) => *multiplier,
            };
            Reason {
                factor,
                points: if total > 0.0 {
                    100.0 * weight(factor) * f.severity * held / total
                } else {
                    0.0
                },
                detail: f.detail,
            }
        })
        .collect();
    reasons.sort_by(|a, b| b.points.total_cmp(&a.points).then(a.factor.cmp(&b.factor)));
    let score = reasons
        .iter()
        .map(|r| r.points)
        .sum::<f64>()
        .clamp(0.0, 100.0);
    RiskScore {
        score,
        band: model.band(score),
        reasons,
        missing,
        contract: hold.map(|(_, note)| note),
    }
}

/// An annual contract holds the customer until its renewal: far from it, an unhappy customer
/// cannot leave yet. Returns the multiplier for the factors other than billing (1 within 90
/// days of the renewal, down to 0.4 from 270 days) and the sentence that says so.
fn contract_hold(input: &RiskInput) -> Option<(f64, String)> {
    let renewal = input.renewal_date?;
    let days = days_between(input.as_of, renewal);
    if days <= 90 {
        return None;
    }
    let multiplier = 1.0 - 0.6 * ramp(days as f64, 90.0, 270.0);
    Some((
        multiplier,
        format!(
            "annual contract renews in {days} d: factors other than billing count ×{multiplier:.2}"
        ),
    ))
}

fn evaluate(factor: Factor, input: &RiskInput, model: &RiskModel) -> Option<Finding> {
    match factor {
        Factor::Usage => usage(input),
        Factor::SeatShare => seat_share(input),
        Factor::Features => features(input),
        Factor::Support => support(input),
        Factor::Nps => nps(input),
        Factor::Billing => billing(input),
        Factor::Onboarding => onboarding(input),
        Factor::NoTouch => no_touch(input, model.cadence.days(input.stage)),
        Factor::Competitor => competitor(input),
        Factor::Renewal => None, // scored with the others' weakness, in `score`
    }
}

/// Active users in the last month against the two months before (a sudden drop) and against
/// three months earlier (a slow slide); the worse of the two.
fn usage(input: &RiskInput) -> Option<Finding> {
    let u = &input.usage;
    let [.., a, b, last] = u.as_slice() else {
        return None;
    };
    let recent = f64::from(a.active_users + b.active_users) / 2.0;
    let earlier = (u.len() >= 4).then(|| f64::from(u[u.len() - 4].active_users));
    let mut worst: Option<(f64, &str)> = None;
    for (before, span) in [
        (Some(recent), "the 60 d before"),
        (earlier, "3 months earlier"),
    ] {
        if let Some(before) = before.filter(|b| *b > 0.0) {
            let change = (f64::from(last.active_users) - before) / before;
            if worst.is_none_or(|(w, _)| change < w) {
                worst = Some((change, span));
            }
        }
    }
    let Some((change, span)) = worst else {
        // Nobody used it before the last month: none since is a finding, some is a start.
        return Some(if last.active_users == 0 {
            Finding {
                severity: 0.8,
                detail: "no active users for three months".into(),
            }
        } else {
            Finding {
                severity: 0.0,
                detail: format!("usage started: {} active users", last.active_users),
            }
        });
    };
    // One user of two leaving is −50 %, and says little: a drop counts in full from a base of
    // `FULL_BASE` active users, in part below it.
    let base = if span == "3 months earlier" {
        earlier.unwrap_or(recent)
    } else {
        recent
    };
    let volume = (base / FULL_BASE).min(1.0);
    let small = if volume < 1.0 {
        format!("; a small base of {base:.0}")
    } else {
        String::new()
    };
    finding(
        ramp(-change, 0.10, 0.50) * volume,
        format!(
            "usage {} % (last 30 d vs {span}{small})",
            signed(change * 100.0)
        ),
    )
}

/// The active users a usage drop is measured against before it counts in full.
const FULL_BASE: f64 = 10.0;

fn seat_share(input: &RiskInput) -> Option<Finding> {
    let last = input.usage.last()?;
    if last.seats == 0 {
        return None;
    }
    // In whole percent, so that the thresholds are exact.
    let percent = 100.0 * f64::from(last.active_users) / f64::from(last.seats);
    finding(
        ramp(70.0 - percent, 0.0, 40.0),
        format!("{percent:.0} % of {} seats active", last.seats),
    )
}

fn features(input: &RiskInput) -> Option<Finding> {
    let last = input.usage.last()?;
    if last.active_users == 0 {
        return finding(1.0, "key features unused (no active users)");
    }
    let per_user = f64::from(last.key_feature_uses) / f64::from(last.active_users);
    finding(
        ramp(2.0 - per_user, 0.0, 2.0),
        format!("key features used {per_user:.1}× per active user last month"),
    )
}

fn support(input: &RiskInput) -> Option<Finding> {
    let now = end_of(input.as_of);
    let open_old = input
        .tickets
        .iter()
        .filter(|t| t.resolved_at.is_none_or(|r| r > now) && (now - t.opened_at).num_days() > 7)
        .count();
    let urgent_open = input
        .tickets
        .iter()
        .any(|t| t.urgent && t.resolved_at.is_none_or(|r| r > now));
    let recent_csat: Vec<u8> = input
        .tickets
        .iter()
        .filter(|t| (now - t.opened_at).num_days() <= 90)
        .filter_map(|t| t.satisfaction)
        .collect();
    let csat = (!recent_csat.is_empty())
        .then(|| recent_csat.iter().map(|&s| f64::from(s)).sum::<f64>() / recent_csat.len() as f64);
    // An engaged account that suddenly stops filing tickets has often stopped trying.
    let before = input
        .tickets
        .iter()
        .filter(|t| (91..=270).contains(&(now - t.opened_at).num_days()))
        .count();
    let lately = input
        .tickets
        .iter()
        .filter(|t| (now - t.opened_at).num_days() <= 90)
        .count();
    let silent = before >= 4 && lately == 0;

    let mut severity: f64 = 0.0;
    let mut parts = Vec::new();
    if open_old > 0 {
        severity += 0.35 * open_old.min(3) as f64;
        parts.push(format!(
            "{open_old} ticket{} open > 7 d",
            if open_old == 1 { "" } else { "s" }
        ));
    }
    if urgent_open {
        severity += 0.3;
        parts.push("an urgent ticket open".to_string());
    }
    if let Some(csat) = csat {
        if csat <= 3.0 {
            severity += ramp(3.5 - csat, 0.0, 2.0) * 0.6;
            parts.push(format!("satisfaction {csat:.1}/5 over 90 d"));
        }
    }
    if silent {
        severity += 0.5;
        parts.push(format!(
            "no ticket in 90 d after {before} in the 6 months before"
        ));
    }
    if parts.is_empty() {
        parts.push(if input.tickets.is_empty() {
            "no tickets".to_string()
        } else {
            "support going fine".to_string()
        });
    }
    finding(severity, parts.join("; "))
}

fn nps(input: &RiskInput) -> Option<Finding> {
    let now = end_of(input.as_of);
    let recent: Vec<&(DateTime<Utc>, u8)> = input
        .nps
        .iter()
        .filter(|(at, _)| (now - *at).num_days() <= 365)
        .collect();
    let &&(at, score) = recent.last()?;
    let days = (now - at).num_days();
    let (base, kind) = match score {
        0..=6 => (0.6 + 0.4 * f64::from(6 - score) / 6.0, "detractor"),
        7..=8 => (0.25, "passive"),
        _ => (0.0, "promoter"),
    };
    let previous = input.nps.iter().rev().nth(1).map(|(_, s)| *s);
    let drop = previous.map_or(0, |p| i32::from(p) - i32::from(score));
    let mut detail = format!("NPS {score} ({kind}), {days} d ago");
    let mut severity = base;
    if drop >= 3 {
        severity += 0.3;
        detail.push_str(&format!(", down {drop} from {}", previous.unwrap_or(score)));
    }
    finding(severity, detail)
}

fn billing(input: &RiskInput) -> Option<Finding> {
    let now = end_of(input.as_of);
    let mut severity: f64 = 0.0;
    let mut parts = Vec::new();
    if let Some(p) = input.payments.iter().rev().find(|p| p.failing) {
        let class = classify(&p.decline_code).class;
        severity += match class {
            DeclineClass::Soft | DeclineClass::Operational => 0.5,
            _ => 0.9,
        };
        parts.push(format!(
            "payment failing: {}, {} attempt{}",
            p.decline_code,
            p.attempts,
            if p.attempts == 1 { "" } else { "s" }
        ));
    }
    let lost = input
        .payments
        .iter()
        .filter(|p| p.lost && (now - p.first_failed_at).num_days() <= 180)
        .count();
    if lost > 0 {
        severity += 0.5;
        parts.push(format!(
            "{lost} payment{} lost in 180 d",
            if lost == 1 { "" } else { "s" }
        ));
    }
    let recent_failures = input
        .payments
        .iter()
        .filter(|p| !p.failing && !p.lost && (now - p.first_failed_at).num_days() <= 90)
        .count();
    if recent_failures > 0 {
        severity += 0.2 * recent_failures.min(2) as f64;
        parts.push(format!(
            "{recent_failures} late payment{} in 90 d",
            if recent_failures == 1 { "" } else { "s" }
        ));
    }
    if let Some(&(day, from, to)) = input
        .mrr_changes
        .iter()
        .rev()
        .find(|(day, from, to)| to < from && days_between(*day, input.as_of) <= 120)
    {
        severity += 0.4;
        parts.push(format!(
            "downgrade {} % on {day}",
            signed(100.0 * (to - from) as f64 / from.max(1) as f64)
        ));
    }
    if let Some(t) = input
        .touches
        .iter()
        .rev()
        .find(|t| t.tags.iter().any(|x| x == "pricing") && (now - t.at).num_days() <= 120)
    {
        severity += 0.3;
        parts.push(format!(
            "pricing complaint in {} on {}",
            t.kind,
            t.at.date_naive()
        ));
    }
    if parts.is_empty() {
        parts.push("billing in order".to_string());
    }
    finding(severity, parts.join("; "))
}

/// Early accounts only: did they get going?
fn onboarding(input: &RiskInput) -> Option<Finding> {
    if input.stage != Stage::Early {
        return None;
    }
    // Before day 14 its weight is nothing (see `presence`), and it is not asked.
    let age = days_between(input.customer_since, input.as_of);
    let last = input.usage.last()?;
    if last.seats == 0 {
        return None;
    }
    let share = f64::from(last.active_users) / f64::from(last.seats);
    let features = if last.active_users == 0 {
        0.0
    } else {
        f64::from(last.key_feature_uses) / f64::from(last.active_users)
    };
    let severity = 0.6 * ramp(0.5 - share, 0.0, 0.35) + 0.4 * ramp(1.5 - features, 0.0, 1.5);
    finding(
        severity,
        format!(
            "day {age}: {:.0} % of seats active, key features {features:.1}× per user",
            share * 100.0
        ),
    )
}

fn no_touch(input: &RiskInput, cadence: u32) -> Option<Finding> {
    let last = input
        .touches
        .iter()
        .filter(|t| t.by_rep)
        .map(|t| t.at.date_naive())
        .max()
        .unwrap_or(input.customer_since);
    let days = days_between(last, input.as_of).max(0);
    let overdue = days as f64 / f64::from(cadence.max(1));
    finding(
        ramp(overdue, 1.0, 2.5),
        format!("no touch in {days} d (stage cadence {cadence} d)"),
    )
}

fn competitor(input: &RiskInput) -> Option<Finding> {
    let now = end_of(input.as_of);
    let Some(t) = input
        .touches
        .iter()
        .rev()
        .find(|t| t.tags.iter().any(|x| x == "competitor") && (now - t.at).num_days() <= 180)
    else {
        return finding(0.0, "no competitor mentioned in 180 d");
    };
    let days = (now - t.at).num_days();
    finding(
        if days <= 90 { 1.0 } else { 0.6 },
        format!(
            "competitor mentioned in {} on {}",
            t.kind,
            t.at.date_naive()
        ),
    )
}

/// How near the renewal is, times how weak the account looks (0 to 1).
fn renewal(input: &RiskInput, weakness: f64) -> Option<Finding> {
    let renewal = input.renewal_date?;
    let days = days_between(input.as_of, renewal);
    if !(0..=365).contains(&days) {
        return None;
    }
    let nearness = match days {
        0..=30 => 1.0,
        31..=60 => 0.7,
        61..=90 => 0.4,
        _ => 0.0,
    };
    finding(nearness * weakness, format!("renewal in {days} d"))
}

/// The factor whose points rose most since an earlier score (given as points by factor
/// name), and by how much; `None` when nothing rose.
pub fn biggest_rise(
    before: &std::collections::HashMap<String, f64>,
    after: &RiskScore,
) -> Option<(Factor, f64)> {
    Factor::ALL
        .iter()
        .map(|&f| {
            let now = after
                .reasons
                .iter()
                .find(|r| r.factor == f)
                .map_or(0.0, |r| r.points);
            let then = before.get(f.as_str()).copied().unwrap_or(0.0);
            (f, now - then)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|(_, rise)| *rise > 0.0)
}

/// An account's score on an earlier day, as kept in the history.
#[derive(Debug, Clone, PartialEq)]
pub struct Earlier {
    pub score: f64,
    pub band: Band,
    /// Points by factor name.
    pub points: std::collections::HashMap<String, f64>,
}

/// What changed for one account since an earlier day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub account_id: i64,
    pub from: Option<f64>,
    pub to: f64,
    /// High now and not before (or not scored before).
    pub new_high: bool,
    /// The factor that rose most, and by how many points.
    pub factor: Option<Factor>,
    pub factor_rise: f64,
}

/// Accounts that became high risk, then those whose score rose by `min_rise` or more, largest
/// rise first.
pub fn changes_since(
    today: &[(i64, &RiskScore)],
    earlier: &std::collections::HashMap<i64, Earlier>,
    min_rise: f64,
) -> Vec<Change> {
    let mut changes: Vec<Change> = today
        .iter()
        .filter_map(|&(account_id, now)| {
            let before = earlier.get(&account_id);
            let new_high = now.band == Band::High && before.is_none_or(|b| b.band != Band::High);
            let rise = before.map(|b| now.score - b.score);
            if !new_high && rise.is_none_or(|r| r < min_rise) {
                return None;
            }
            let moved = before.and_then(|b| biggest_rise(&b.points, now));
            Some(Change {
                account_id,
                from: before.map(|b| b.score),
                to: now.score,
                new_high,
                factor: moved.map(|(f, _)| f).or(now.top().map(|r| r.factor)),
                factor_rise: moved.map_or(0.0, |(_, r)| r),
            })
        })
        .collect();
    changes.sort_by(|a, b| {
        b.new_high
            .cmp(&a.new_high)
            .then((b.to - b.from.unwrap_or(0.0)).total_cmp(&(a.to - a.from.unwrap_or(0.0))))
    });
    changes
}

/// The last instant of a day: "as of" a day includes that whole day.
fn end_of(day: NaiveDate) -> DateTime<Utc> {
    (day + Days::new(1))
        .and_hms_opt(0, 0, 0)
        .map_or_else(Utc::now, |t| t.and_utc())
        - chrono::Duration::seconds(1)
}

/// The next renewal of an annual contract after `as_of`: its next anniversary.
pub fn next_anniversary(since: NaiveDate, as_of: NaiveDate) -> NaiveDate {
    let mut years = (as_of.year() - since.year()).max(0) as u32;
    loop {
        if let Some(d) = since.checked_add_months(chrono::Months::new(12 * years))
            && d > as_of
        {
            return d;
        }
        years += 1;
        if years > 200 {
            return as_of;
        }
    }
}

#[cfg(test)]
#[path = "risk_tests.rs"]
mod tests;
