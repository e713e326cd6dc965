//! One account's life, simulated month by month.
//!
//! Each account gets hidden traits (how engaged its users are, whether its usage will decline,
//! how much support pain it has, whether its payments are fragile, whether onboarding goes
//! badly). Every month those traits produce what the database records: usage, tickets, NPS
//! answers, calls, failed payments. The chance of churning that month is computed from the same
//! behaviour, with noise. So churn follows from what the data shows, never from a label, and
//! risk scoring can be judged honestly against it.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::names::{self, Region};
use super::phrases;
use crate::domain::checkins::{self, Cadences, Done, Subject};
use crate::domain::decline::{DeclineClass, classify};
use crate::domain::lifecycle::StageBounds;
use crate::domain::model::{
    Account, AccountHistory, AttemptOutcome, BillingInterval, CheckinDone, Churn, ChurnKind,
    Contact, FailedPayment, Interaction, InteractionKind, MrrChange, NpsResponse, PaymentAttempt,
    PaymentStatus, Severity, Ticket, UsageSnapshot,
};

/// Events older than this many days before today are simulated but not stored: a real system
/// keeps history too, but this keeps a million-account demo to a sensible size.
const HISTORY_DAYS: u64 = 540;
/// Months of usage snapshots stored before the account's last day.
const USAGE_MONTHS: u32 = 12;
/// Days a failed payment stays in dunning before it is lost.
const DUNNING_DAYS: i64 = 45;

/// Decline codes as they occur, weighted by how often billing systems see them. The last one is
/// not a code we know: real exports carry such codes, and the console must flag them.
const DECLINES: &[(&str, u32)] = &[
    ("insufficient_funds", 240),
    ("expired_card", 190),
    ("generic_decline", 110),
    ("do_not_honor", 80),
    ("processing_error", 60),
    ("authentication_required", 50),
    ("card_velocity_exceeded", 40),
    ("incorrect_cvc", 30),
    ("try_again_later", 30),
    ("issuer_not_available", 20),
    ("lost_card", 20),
    ("withdrawal_count_limit_exceeded", 12),
    ("call_issuer", 12),
    ("stolen_card", 10),
    ("fraudulent", 10),
    ("invalid_number", 10),
    ("card_not_supported", 8),
    ("do_not_try_again", 8),
    ("stop_payment_order", 8),
    ("revocation_of_authorization", 6),
    ("duplicate_transaction", 6),
    ("card_declined", 5),
];

struct Plan {
    name: &'static str,
    /// Share of accounts on this plan, in percent.
    share: u32,
    seats: (u32, u32),
    /// Price per seat per month, in major units.
    seat_price: i64,
    /// Share of accounts on this plan that pay annually, in percent.
    annual_share: u32,
}

const PLANS: &[Plan] = &[
    Plan {
        name: "Starter",
        share: 40,
        seats: (2, 10),
        seat_price: 29,
        annual_share: 20,
    },
    Plan {
        name: "Growth",
        share: 30,
        seats: (10, 50),
        seat_price: 25,
        annual_share: 40,
    },
    Plan {
        name: "Business",
        share: 20,
        seats: (40, 200),
        seat_price: 22,
        annual_share: 60,
    },
    Plan {
        name: "Enterprise",
        share: 10,
        seats: (150, 1200),
        seat_price: 18,
        annual_share: 85,
    },
];

pub struct Simulator<'a> {
    pub seed: u64,
    pub today: NaiveDate,
    /// Logins of the reps who own accounts.
    pub owners: &'a [&'a str],
}

/// The hidden behaviour of one account.
struct Traits {
    /// Share of seats in use when all is well.
    engagement: f64,
    /// The month (counted from the start) usage starts to fall, and by how much a month.
    decline: Option<(u32, f64)>,
    /// 0 (no trouble) to 1 (constant trouble): tickets, slow resolutions, poor satisfaction.
    pain: f64,
    /// Cards that fail often: insufficient funds, expiring cards nobody updates.
    fragile_payments: bool,
    /// Onboarding goes badly: usage ramps slowly in the first months.
    weak_onboarding: bool,
}

/// What drove a voluntary churn, to give it a reason.
#[derive(Clone, Copy, PartialEq)]
enum Driver {
    Onboarding,
    Usage,
    Support,
    Price,
    Other,
}

struct Life {
    rng: ChaCha8Rng,
    today: NaiveDate,
    history_from: NaiveDate,
    region: Region,
    owner: Option<String>,
    currency: &'static str,
    annual: bool,
    seats: u32,
    /// The plan's fewest and most seats: an account that grew or shrank past them would be on
    /// another plan, so its MRR stays within its plan's range.
    seat_range: (u32, u32),
    mrr_cents: i64,
    out: Parts,
    /// The last NPS score given, and whether the account mentioned a competitor or pricing.
    last_nps: Option<u8>,
    churn: Option<Churn>,
    /// A payment still in dunning today.
    failing_now: bool,
    /// Months in a row without a touch from the team.
    months_untouched: u32,
    /// The lifecycle check-ins done so far.
    checkins_done: Vec<Done>,
}

#[derive(Default)]
struct Parts {
    interactions: Vec<Interaction>,
    tickets: Vec<Ticket>,
    nps: Vec<NpsResponse>,
    usage: Vec<UsageSnapshot>,
    mrr_changes: Vec<MrrChange>,
    payments: Vec<FailedPayment>,
    checkins: Vec<CheckinDone>,
}

impl Simulator<'_> {
    /// The account at `index`: the same for the same seed, index and today, whatever else is
    /// generated around it.
    pub fn account(&self, index: u32) -> AccountHistory {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        // Stream 0 is the team's; account i draws from its own stream.
        rng.set_stream(u64::from(index) + 1);

        let region = weighted(&mut rng, &Region::WEIGHTED, |r| r.1).0;
        let age_days = match rng.random_range(0..100) {
            0..22 => rng.random_range(0..90),
            22..52 => rng.random_range(90..366),
            _ => rng.random_range(366..365 * 5),
        };
        let since = self.today - Days::new(age_days);
        let (name, slug) = company_name(&mut rng, region);
        let tld = *pick(&mut rng, region.tlds());
        let domain = format!("{slug}.{tld}");
        let industry = pick(&mut rng, names::INDUSTRIES).to_string();
        let plan = weighted(&mut rng, PLANS, |p| p.share);
        let seats = rng.random_range(plan.seats.0..=plan.seats.1);
        let annual = rng.random_range(0..100) < plan.annual_share;
        let owner = if rng.random_bool(0.92) && !self.owners.is_empty() {
            Some(pick(&mut rng, self.owners).to_string())
        } else {
            None
        };
        let traits = Traits {
            engagement: rng.random_range(0.45..0.95),
            decline: rng.random_bool(0.28).then(|| {
                let months_alive = (age_days / 30) as u32;
                (
                    rng.random_range(0..=months_alive),
                    rng.random_range(0.04..0.18),
                )
            }),
            pain: rng.random::<f64>().powi(2),
            fragile_payments: rng.random_bool(0.15),
            weak_onboarding: rng.random_bool(0.25),
        };
        let contacts = contacts(&mut rng, index, region, &domain);
        let external_id = format!("cus_{}", token(&mut rng, 14));

        let mut life = Life {
            rng,
            today: self.today,
            history_from: self.today - Days::new(HISTORY_DAYS),
            region,
            owner: owner.clone(),
            currency: region.currency(),
            annual,
            seats,
            seat_range: plan.seats,
            mrr_cents: i64::from(seats) * plan.seat_price * 100,
            out: Parts::default(),
            last_nps: None,
            churn: None,
            failing_now: false,
            months_untouched: 0,
            checkins_done: Vec::new(),
        };
        life.live(since, &traits, self.owners);

        let last_day = life.churn.as_ref().map_or(self.today, |c| c.on);
        let renewal_date =
            (annual && life.churn.is_none()).then(|| next_anniversary(since, self.today));
        let updated_at = noon(last_day.min(self.today).max(since));
        // Drawn last, so that the rest of the account's story is what it would be without.
        let notes = account_notes(&mut life.rng, region, &contacts);
        AccountHistory {
            account: Account {
                external_id,
                name,
                domain: Some(domain),
                country: Some(region.country().to_string()),
                industry: Some(industry),
                plan: Some(plan.name.to_string()),
                billing_interval: if annual {
                    BillingInterval::Annual
                } else {
                    BillingInterval::Monthly
                },
                mrr_cents: life.mrr_cents,
                currency: life.currency.to_string(),
                customer_since: since,
                renewal_date,
                owner,
                churn: life.churn,
                notes,
                updated_at,
            },
            contacts,
            interactions: life.out.interactions,
            tickets: life.out.tickets,
            nps: life.out.nps,
            usage: life.out.usage,
            mrr_changes: life.out.mrr_changes,
            payments: life.out.payments,
            checkins: life.out.checkins,
        }
    }
}

impl Life {
    fn live(&mut self, since: NaiveDate, t: &Traits, owners: &[&str]) {
        let mut month = 0u32;
        while let Some(start) = since.checked_add_months(Months::new(month)) {
            if start > self.today {
                break;
            }
            let end = (start + Days::new(30)).min(self.today);
            self.month(month, start, end, t, owners);
            if self.churn.is_some() {
                break;
            }
            month += 1;
        }
        let last = self.churn.as_ref().map_or(self.today, |c| c.on);
        let first_kept = last
            .with_day(1)
            .and_then(|d| d.checked_sub_months(Months::new(USAGE_MONTHS - 1)))
            .unwrap_or(last)
            .max(self.history_from.with_day(1).unwrap_or(self.history_from));
        self.out.usage.retain(|u| u.period >= first_kept);
    }

    fn month(&mut self, m: u32, start: NaiveDate, end: NaiveDate, t: &Traits, owners: &[&str]) {
        let keep = end >= self.history_from;
        let early = m < 3;

        // Usage: ramps up, then holds or falls.
        let ramp = if t.weak_onboarding {
            (0.25 + 0.1 * f64::from(m)).min(1.0)
        } else {
            (0.6 + 0.2 * f64::from(m)).min(1.0)
        };
        let decay = match t.decline {
            Some((from, rate)) if m >= from => (1.0 - rate).powi((m - from + 1) as i32),
            _ => 1.0,
        };
        let usage_share =
            (t.engagement * ramp * decay * self.rng.random_range(0.9..1.1)).clamp(0.0, 1.0);
        self.record_usage(start, usage_share, t);

        // Support: tickets from pain; a declining account in pain stops filing them.
        let gave_up = matches!(t.decline, Some((from, _)) if m > from + 2) && t.pain > 0.3;
        let mut bad_ticket = false;
        if !gave_up {
            for _ in 0..3 {
                if self.rng.random_bool(0.06 + 0.3 * t.pain) {
                    bad_ticket |= self.ticket(start, t, keep);
                }
            }
        }

        // NPS survey every six months.
        if m % 6 == 5 && self.rng.random_bool(0.55) {
            let health = 0.4 * (usage_share / t.engagement).min(1.0)
                + 0.4 * (1.0 - t.pain)
                + 0.2 * if t.fragile_payments { 0.5 } else { 1.0 };
            let score = (10.0 * health + self.rng.random_range(-2.5..2.0))
                .round()
                .clamp(0.0, 10.0) as u8;
            self.last_nps = Some(score);
            if keep {
                let list = match score {
                    0..=6 => phrases::NPS_DETRACTOR,
                    7..=8 => phrases::NPS_PASSIVE,
                    _ => phrases::NPS_PROMOTER,
                };
                let comment = pick(&mut self.rng, list).to_string();
                let at = self.time_in(start, end);
                self.out.nps.push(NpsResponse {
                    responded_at: at,
                    score,
                    comment,
                });
            }
        }

        // Billing: a failed payment may end in involuntary churn.
        let billing_month = !self.annual || m % 12 == 0;
        let p_fail = if t.fragile_payments { 0.25 } else { 0.03 };
        let mut payment_trouble = false;
        if billing_month && m > 0 && self.rng.random_bool(p_fail) {
            payment_trouble = true;
            let at = self.time_in(start, start + Days::new(2));
            self.failed_payment(at, keep);
            if self.churn.is_some() {
                return;
            }
        }

        // Money moves: healthy accounts grow, declining ones downgrade.
        let declining = decay < 0.8;
        let mut pricing_talk = false;
        if m >= 6 && !declining && t.pain < 0.4 && self.rng.random_bool(0.03) {
            let factor = self.rng.random_range(1.1..1.4);
            self.change_mrr(start, factor, "added seats", keep);
        } else if declining && self.rng.random_bool(0.06) {
            let factor = self.rng.random_range(0.6..0.9);
            self.change_mrr(start, factor, "downgrade: fewer seats", keep);
            pricing_talk = true;
        }

        // Touches from the owner, more when something is wrong.
        let troubled = declining || bad_ticket || self.last_nps.is_some_and(|s| s <= 6);
        let renewal_month = self.annual && m % 12 == 11;
        let p_touch: f64 = if early {
            0.7
        } else if m < 12 {
            0.35
        } else {
            0.25
        } + if troubled || payment_trouble {
            0.25
        } else {
            0.0
        };
        let mut competitor = false;
        if self.rng.random_bool(p_touch.min(0.95)) {
            self.months_untouched = 0;
            if keep {
                let (c, p) = self.touch(
                    start,
                    end,
                    early,
                    troubled,
                    payment_trouble,
                    renewal_month,
                    owners,
                );
                competitor = c;
                pricing_talk |= p;
            }
        } else {
            self.months_untouched += 1;
        }

        self.keep_checkins(m, start, end, keep);

        // Voluntary churn: the hazard follows the behaviour above.
        if self.failing_now {
            return; // the payment decides first
        }
        let usage_risk = 0.12 * (1.0 - decay);
        let onboarding_risk = if early && t.weak_onboarding {
            0.05
        } else {
            0.0
        };
        let support_risk = 0.025 * t.pain + if bad_ticket { 0.02 } else { 0.0 };
        let nps_risk = match self.last_nps {
            Some(0..=6) => 0.03,
            Some(7..=8) => 0.008,
            _ => 0.0,
        };
        let price_risk =
            if pricing_talk { 0.02 } else { 0.0 } + if competitor { 0.03 } else { 0.0 };
        let other_risk = 0.003;
        // Left alone for a quarter, a customer drifts: nobody shows them what they miss.
        let neglect_risk = if self.months_untouched >= 3 {
            0.012
        } else {
            0.0
        };
        let monthly = usage_risk
            + onboarding_risk
            + support_risk
            + nps_risk
            + price_risk
            + other_risk
            + neglect_risk;
        // Annual contracts can only leave at renewal, carrying a year of dissatisfaction; the
        // renewal is at the end of the contract's last month, so not before that month is over.
        // A month still under way has had only its days so far to churn in: without this, the
        // last weeks before today would carry a whole month's churn each.
        let days = (end - start).num_days() as f64;
        let hazard = if self.annual {
            if m % 12 == 11 && days >= 30.0 {
                1.0 - (1.0 - monthly).powi(12)
            } else {
                0.0
            }
        } else {
            monthly * (days / 30.0).min(1.0)
        } * self.rng.random_range(0.5..1.5);
        if self.rng.random_bool(hazard.clamp(0.0, 1.0)) {
            let drivers = [
                (Driver::Usage, usage_risk),
                (Driver::Onboarding, onboarding_risk),
                (Driver::Support, support_risk + nps_risk),
                (Driver::Price, price_risk),
                (Driver::Other, other_risk * 4.0),
            ];
            let driver = drivers
                .iter()
                .fold(
                    (Driver::Other, 0.0),
                    |best, &(d, w)| if w > best.1 { (d, w) } else { best },
                )
                .0;
            let reason = match driver {
                Driver::Onboarding => phrases::REASON_ONBOARDING.to_string(),
                Driver::Usage => phrases::REASON_USAGE.to_string(),
                Driver::Support => phrases::REASON_SUPPORT.to_string(),
                Driver::Price if competitor => {
                    format!("switched to {}", pick(&mut self.rng, names::COMPETITORS))
                }
                Driver::Price => phrases::REASON_PRICE.to_string(),
                Driver::Other => pick(&mut self.rng, phrases::REASONS_OTHER).to_string(),
            };
            let on = self.day_in(start, end);
            self.churn = Some(Churn {
                on,
                reason,
                kind: ChurnKind::Voluntary,
            });
        }
    }

    fn record_usage(&mut self, start: NaiveDate, share: f64, t: &Traits) {
        let Some(period) = start.with_day(1) else {
            return;
        };
        let active = (f64::from(self.seats) * share).round() as u32;
        let logins = active * self.rng.random_range(8..22);
        let feature_share = share * if t.weak_onboarding { 0.4 } else { 1.0 };
        let key_feature_uses =
            (f64::from(active) * feature_share * self.rng.random_range(2.0..10.0)) as u32;
        let snapshot = UsageSnapshot {
            period,
            active_users: active,
            seats: self.seats,
            logins,
            key_feature_uses,
        };
        // Two simulated months can start in one calendar month; the later one stands.
        match self.out.usage.last_mut() {
            Some(last) if last.period == period => *last = snapshot,
            _ => self.out.usage.push(snapshot),
        }
    }

    /// Files a ticket; returns whether it was a bad experience (urgent, slow or poorly rated).
    fn ticket(&mut self, start: NaiveDate, t: &Traits, keep: bool) -> bool {
        let opened = self.time_in(start, start + Days::new(29));
        if opened.date_naive() > self.today {
            return false;
        }
        let severity = match self.rng.random::<f64>() + t.pain * 0.5 {
            x if x > 1.3 => Severity::Urgent,
            x if x > 0.95 => Severity::High,
            x if x > 0.3 => Severity::Normal,
            _ => Severity::Low,
        };
        let hours = self.rng.random_range(1.0..(24.0 + 500.0 * t.pain));
        let resolved = opened + chrono::Duration::minutes((hours * 60.0) as i64);
        let resolved_at = (resolved.date_naive() < self.today).then_some(resolved);
        let satisfaction = (resolved_at.is_some() && self.rng.random_bool(0.65)).then(|| {
            (5.0 - t.pain * 3.5 + self.rng.random_range(-1.0..1.0))
                .round()
                .clamp(1.0, 5.0) as u8
        });
        let bad = severity == Severity::Urgent
            || hours > 24.0 * 7.0
            || satisfaction.is_some_and(|s| s <= 2);
        if keep {
            let subject = pick(&mut self.rng, phrases::TICKET_SUBJECTS).to_string();
            self.out.tickets.push(Ticket {
                external_id: Some(format!("T-{}", token(&mut self.rng, 10))),
                subject,
                severity,
                opened_at: opened,
                resolved_at,
                satisfaction,
            });
        }
        bad
    }

    fn change_mrr(&mut self, on: NaiveDate, factor: f64, reason: &str, keep: bool) {
        let from = self.mrr_cents;
        let (fewest, most) = self.seat_range;
        let seats = ((f64::from(self.seats) * factor).round() as u32).clamp(fewest, most);
        let to = from * i64::from(seats) / i64::from(self.seats.max(1));
        if to == from {
            return;
        }
        self.seats = seats;
        self.mrr_cents = to;
        if keep {
            self.out.mrr_changes.push(MrrChange {
                on,
                from_cents: from,
                to_cents: to,
                reason: reason.to_string(),
            });
        }
    }

    /// The lifecycle check-ins the owner keeps this month: most of those due, on their day or
    /// a few days after; far fewer on an account nobody owns or nobody has spoken to for months.
    /// A check-in kept is a touch.
    fn keep_checkins(&mut self, m: u32, start: NaiveDate, end: NaiveDate, keep: bool) {
        let Some(since) = start.checked_sub_months(Months::new(m)) else {
            return;
        };
        let subject = Subject {
            customer_since: since,
            churned: false,
            annual_renewal: None,
        };
        let p_kept = match (&self.owner, self.months_untouched) {
            (None, _) => 0.35,
            (Some(_), 0..3) => 0.85,
            (Some(_), _) => 0.3,
        };
        // Early milestones come one after another: the next is known once one is done, so
        // the month is walked until nothing more falls due in it.
        let mut passed: Vec<String> = Vec::new();
        for _ in 0..8 {
            let Some(due) = checkins::due(
                &subject,
                &self.checkins_done,
                end,
                &StageBounds::default(),
                &Cadences::default(),
            )
            .into_iter()
            .find(|d| d.due < end && !passed.contains(&d.kind)) else {
                break;
            };
            passed.push(due.kind.clone());
            if !self.rng.random_bool(p_kept) {
                continue;
            }
            let after_last = self
                .checkins_done
                .last()
                .map_or(start, |d| d.on + Days::new(1));
            let on = (due.due.max(start).max(after_last) + Days::new(self.rng.random_range(0..4)))
                .min(end);
            if on > self.today || on < after_last {
                break;
            }
            self.checkins_done.push(Done {
                kind: due.kind.clone(),
                on,
            });
            self.months_untouched = 0;
            if keep {
                let &(summary, outcome) = pick(&mut self.rng, phrases::HEALTHY);
                let occurred_at = self.time_in(on, on);
                self.out.checkins.push(CheckinDone {
                    kind: due.kind.clone(),
                    stage: due.stage,
                    due_date: due.due,
                    done_at: occurred_at,
                    rep: self.owner.clone(),
                });
                self.out.interactions.push(Interaction {
                    rep: self.owner.clone(),
                    kind: InteractionKind::CheckIn,
                    occurred_at,
                    summary: if due.kind == "check-in" {
                        summary.to_string()
                    } else {
                        format!("{} check-in: {summary}", due.kind)
                    },
                    body: String::new(),
                    outcome: Some(outcome.to_string()),
                    tags: Vec::new(),
                    follow_up_on: None,
                });
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn touch(
        &mut self,
        start: NaiveDate,
        end: NaiveDate,
        early: bool,
        troubled: bool,
        payment: bool,
        renewal: bool,
        owners: &[&str],
    ) -> (bool, bool) {
        let (list, kind) = if payment {
            (phrases::PAYMENT, InteractionKind::Email)
        } else if renewal {
            (phrases::RENEWAL, InteractionKind::Meeting)
        } else if early {
            (phrases::WELCOME, InteractionKind::CheckIn)
        } else if troubled {
            (phrases::TROUBLED, InteractionKind::Call)
        } else {
            (phrases::HEALTHY, InteractionKind::CheckIn)
        };
        let &(summary, outcome) = pick(&mut self.rng, list);
        let kind = match self.rng.random_range(0..10) {
            0..4 => kind,
            4..7 => InteractionKind::Call,
            7..9 => InteractionKind::Email,
            _ => InteractionKind::Note,
        };
        let mut tags = Vec::new();
        let mut body = String::new();
        let competitor = troubled && self.rng.random_bool(0.3);
        let pricing = (troubled || renewal) && self.rng.random_bool(0.25);
        if competitor {
            let name = pick(&mut self.rng, names::COMPETITORS);
            tags.push("competitor".to_string());
            body.push_str(&format!("They mentioned evaluating {name}. "));
        }
        if pricing {
            tags.push("pricing".to_string());
            body.push_str("Price came up: they feel it is high for their usage. ");
        }
        if early {
            tags.push("onboarding".to_string());
        }
        if renewal {
            tags.push("renewal".to_string());
        }
        if summary.contains("bug") {
            tags.push("bug".to_string());
        }
        if self.region != Region::Us && self.region != Region::Uk && self.rng.random_bool(0.3) {
            let note = *pick(&mut self.rng, phrases::LOCAL_NOTES);
            body.push_str(note);
        }
        let rep = self
            .owner
            .clone()
            .or_else(|| (!owners.is_empty()).then(|| pick(&mut self.rng, owners).to_string()));
        let occurred_at = self.time_in(start, end);
        // A troubled call often ends with a promise to come back.
        let follow_up_on = (troubled && kind == InteractionKind::Call && self.rng.random_bool(0.4))
            .then(|| occurred_at.date_naive() + Days::new(self.rng.random_range(2..10)));
        self.out.interactions.push(Interaction {
            rep,
            kind,
            occurred_at,
            summary: summary.to_string(),
            body: body.trim_end().to_string(),
            outcome: Some(outcome.to_string()),
            tags,
            follow_up_on,
        });
        (competitor, pricing)
    }

    /// A payment fails at `at`; dunning runs its course (retries, card updates, the customer
    /// authenticating) up to today. A payment lost for good churns the account involuntarily.
    fn failed_payment(&mut self, at: DateTime<Utc>, keep: bool) {
        let code = weighted(&mut self.rng, DECLINES, |d| d.1).0;
        let class = classify(code).class;
        let amount_cents = if self.annual {
            self.mrr_cents * 12
        } else {
            self.mrr_cents
        }
        .max(100);
        let mut attempts = vec![failed_attempt(at, code, true)];
        // (days after the first failure, automatic, chance it succeeds)
        let plan: Vec<(i64, bool, f64)> = match class {
            DeclineClass::Soft => vec![
                (1, true, 0.55),
                (3, true, 0.5),
                (5, true, 0.4),
                (8, true, 0.3),
            ],
            DeclineClass::InsufficientFunds => {
                let d = at.date_naive();
                let to_payday = |target: u32| {
                    let mut day = d + Days::new(1);
                    while day.day() != target {
                        day = day + Days::new(1);
                    }
                    (day - d).num_days()
                };
                let a = to_payday(1).min(to_payday(15));
                vec![(a, true, 0.45), (a + 15, true, 0.35), (a + 30, true, 0.2)]
            }
            DeclineClass::Ambiguous => vec![(3, true, 0.25), (7, true, 0.2), (10, true, 0.15)],
            // Nothing works until the customer acts: a new card, or completing the payment.
            DeclineClass::NewCard => vec![(self.rng.random_range(2..14), true, 0.6)],
            DeclineClass::Authenticate => vec![(self.rng.random_range(1..7), false, 0.55)],
            DeclineClass::Operational => vec![(1, false, 0.95)],
            DeclineClass::Revoked | DeclineClass::Fraud => vec![],
        };
        let mut status = PaymentStatus::Failing;
        let mut resolved_at = None;
        let mut next_retry_at = None;
        for (days, automatic, p) in plan {
            let when = at
                + chrono::Duration::days(days)
                + chrono::Duration::minutes(self.rng.random_range(0..600));
            // A retry due later today has not happened yet either.
            if when.date_naive() >= self.today {
                next_retry_at = Some(when);
                break;
            }
            if self.rng.random_bool(p) {
                attempts.push(PaymentAttempt {
                    attempted_at: when,
                    outcome: AttemptOutcome::Succeeded,
                    decline_code: None,
                    automatic,
                });
                status = PaymentStatus::Recovered;
                resolved_at = Some(when);
                break;
            }
            attempts.push(failed_attempt(when, code, automatic));
        }
        let dunning_end = at + chrono::Duration::days(DUNNING_DAYS);
        // Given up (a week later when someone writes it off): only a payment given up before
        // today churns its account, so that no day of the demo, today neither, collects the
        // churn of payments still being chased.
        let written_off = self.rng.random_bool(0.15);
        let closed = dunning_end + chrono::Duration::days(if written_off { 7 } else { 0 });
        if status == PaymentStatus::Failing && closed.date_naive() < self.today {
            next_retry_at = None;
            status = if written_off {
                PaymentStatus::WrittenOff
            } else {
                PaymentStatus::Lost
            };
            resolved_at = Some(closed);
            let on = closed.date_naive();
            self.churn = Some(if class == DeclineClass::Revoked {
                Churn {
                    on,
                    reason: phrases::REASON_DUNNING.to_string(),
                    kind: ChurnKind::Voluntary,
                }
            } else {
                Churn {
                    on,
                    reason: format!("payment failed and was never recovered ({code})"),
                    kind: ChurnKind::Involuntary,
                }
            });
        }
        self.failing_now = status == PaymentStatus::Failing;
        if !keep && !self.failing_now {
            return;
        }
        let d = at.date_naive();
        let card_expiry = if code == "expired_card" {
            let last = d.checked_sub_months(Months::new(1)).unwrap_or(d);
            Some((last.month() as u8, last.year()))
        } else {
            Some((
                self.rng.random_range(1..=12),
                d.year() + self.rng.random_range(0..4),
            ))
        };
        self.out.payments.push(FailedPayment {
            external_ref: format!("in_{}", token(&mut self.rng, 16)),
            amount_cents,
            currency: self.currency.to_string(),
            first_failed_at: at,
            last_decline_code: code.to_string(),
            next_retry_at,
            status,
            resolved_at,
            card_expiry,
            attempts,
        });
    }

    /// A moment during working hours between two days, never after today.
    /// An instant in working hours on a day from `from` to `to`, never later than the start
    /// of today: the demo may be opened at any hour, and nothing in it is stamped later than
    /// it was made.
    fn time_in(&mut self, from: NaiveDate, to: NaiveDate) -> DateTime<Utc> {
        let day = self.day_in(from, to);
        let secs = self.rng.random_range(7 * 3600..19 * 3600);
        if day >= self.today {
            return self.today.and_time(NaiveTime::MIN).and_utc();
        }
        day.and_time(NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap_or_default())
            .and_utc()
    }

    /// A day from `from` to `to`, before today (or today, for an account that starts today).
    fn day_in(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let yesterday = self.today - Days::new(1);
        let to = to.min(yesterday).max(from);
        let span = (to - from).num_days().max(0) as u64;
        from + Days::new(self.rng.random_range(0..=span))
    }
}

fn failed_attempt(at: DateTime<Utc>, code: &str, automatic: bool) -> PaymentAttempt {
    PaymentAttempt {
        attempted_at: at,
        outcome: AttemptOutcome::Failed,
        decline_code: Some(code.to_string()),
        automatic,
    }
}

fn company_name(rng: &mut ChaCha8Rng, region: Region) -> (String, String) {
    let (brands, suffixes) = region.company_parts();
    let (brand, brand_ascii) = *pick(rng, brands);
    let (core, core_ascii) = *pick(rng, region.company_cores());
    let suffix = *pick(rng, suffixes);
    let name = if region.family_name_first() {
        format!("{brand}{core}{suffix}")
    } else {
        format!("{brand} {core} {suffix}")
    };
    (name, format!("{brand_ascii}-{core_ascii}"))
}

/// An account's one to four contacts; `index` is the account's, and makes each phone number
/// the demo's only one.
fn contacts(rng: &mut ChaCha8Rng, index: u32, region: Region, domain: &str) -> Vec<Contact> {
    let n = rng.random_range(1..=4);
    (0..n)
        .map(|i| {
            let (first, first_ascii) = *pick(rng, region.first_names());
            let (last, last_ascii) = *pick(rng, region.last_names());
            let name = if region.family_name_first() {
                format!("{last}{first}")
            } else {
                format!("{first} {last}")
            };
            let email = match rng.random_range(0..3) {
                0 => format!("{first_ascii}.{last_ascii}@{domain}"),
                1 => format!("{}{last_ascii}@{domain}", &first_ascii[..1]),
                _ => format!("{first_ascii}@{domain}"),
            };
            let phone = rng
                .random_bool(0.85)
                .then(|| region.phone(index * 4 + i, rng.random()));
            Contact {
                name,
                email: Some(email),
                phone,
                role: Some(pick(rng, names::CONTACT_ROLES).to_string()),
                is_primary: i == 0,
            }
        })
        .collect()
}

/// What a team writes down about one account in five: who champions it, how to reach whom,
/// what not to do.
fn account_notes(rng: &mut ChaCha8Rng, region: Region, contacts: &[Contact]) -> String {
    if !rng.random_bool(0.2) {
        return String::new();
    }
    let champion = &pick(rng, contacts).name;
    let wants = *pick(
        rng,
        &[
            "Wants SSO before the renewal.",
            "Asked twice for a Salesforce sync; promised a date by end of quarter.",
            "Evaluating a competitor on price: lead with the annual discount.",
            "Happy with reporting, frustrated by permissions.",
        ],
    );
    let mut lines = vec![format!("Champion: {champion}. {wants}")];
    let hours = match region {
        Region::Us => "Do NOT call before 10am PT.",
        Region::Uk => "Prefers calls after 2pm UK time; email first.",
        Region::De | Region::Fr | Region::Es => {
            "No calls on Fridays; invoices in the local language."
        }
        Region::Cn | Region::Jp => "Call before 9am UK time (their late afternoon).",
    };
    lines.push(hours.to_string());
    if contacts.len() > 1 && rng.random_bool(0.5) {
        let finance = &contacts[contacts.len() - 1].name;
        lines.push(format!(
            "Billing questions go to {finance}, not the champion."
        ));
    }
    lines.join("\n")
}

fn next_anniversary(since: NaiveDate, today: NaiveDate) -> NaiveDate {
    let mut years = 1;
    loop {
        match since.checked_add_months(Months::new(12 * years)) {
            Some(d) if d > today => return d,
            Some(_) => years += 1,
            None => return today,
        }
    }
}

fn noon(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default())
        .and_utc()
}

fn token(rng: &mut ChaCha8Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
    let total: u32 = items.iter().map(&weight).sum();
    let mut roll = rng.random_range(0..total);
    for item in items {
        let w = weight(item);
        if roll < w {
            return item;
        }
        roll -= w;
    }
    &items[items.len() - 1]
}
