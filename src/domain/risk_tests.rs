use chrono::{NaiveTime, TimeZone};

use super::*;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    day(s)
        .and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap())
        .and_utc()
}

const TODAY: &str = "2026-11-22";

/// A healthy mid-stage account with no data at all beyond its start.
fn input() -> RiskInput {
    RiskInput {
        as_of: day(TODAY),
        customer_since: day("2026-03-01"),
        stage: Stage::Mid,
        renewal_date: None,
        usage: vec![],
        tickets: vec![],
        nps: vec![],
        payments: vec![],
        mrr_changes: vec![],
        touches: vec![touch("2026-11-20", &[])],
    }
}

fn usage(points: &[(u32, u32, u32)]) -> Vec<UsagePoint> {
    points
        .iter()
        .enumerate()
        .map(|(i, &(active_users, seats, key_feature_uses))| UsagePoint {
            period: NaiveDate::from_ymd_opt(2026, 8 + i as u32, 1).unwrap(),
            active_users,
            seats,
            key_feature_uses,
        })
        .collect()
}

fn touch(on: &str, tags: &[&str]) -> TouchFact {
    TouchFact {
        at: at(on),
        kind: "call".into(),
        by_rep: true,
        tags: tags.iter().map(|t| t.to_string()).collect(),
    }
}

fn ticket(opened: &str, resolved: Option<&str>, csat: Option<u8>) -> TicketFact {
    TicketFact {
        opened_at: at(opened),
        resolved_at: resolved.map(at),
        urgent: false,
        satisfaction: csat,
    }
}

fn severity(factor: Factor, input: &RiskInput) -> Option<f64> {
    evaluate(factor, input, &RiskModel::default()).map(|f| f.severity)
}

fn detail(factor: Factor, input: &RiskInput) -> String {
    evaluate(factor, input, &RiskModel::default())
        .unwrap()
        .detail
}

#[test]
fn usage_drop_is_graded_from_10_to_50_percent() {
    let mut i = input();
    i.usage = usage(&[(100, 120, 300), (100, 120, 300), (90, 120, 300)]);
    assert_eq!(severity(Factor::Usage, &i), Some(0.0), "−10 % is noise");
    i.usage = usage(&[(100, 120, 300), (100, 120, 300), (70, 120, 300)]);
    assert!(
        (severity(Factor::Usage, &i).unwrap() - 0.5).abs() < 1e-9,
        "−30 % is halfway"
    );
    i.usage = usage(&[(100, 120, 300), (100, 120, 300), (50, 120, 300)]);
    assert_eq!(severity(Factor::Usage, &i), Some(1.0));
    assert_eq!(
        detail(Factor::Usage, &i),
        "usage −50 % (last 30 d vs the 60 d before)"
    );
    i.usage = usage(&[(100, 120, 300), (100, 120, 300), (130, 120, 300)]);
    assert_eq!(severity(Factor::Usage, &i), Some(0.0), "growth is fine");
    assert_eq!(
        detail(Factor::Usage, &i),
        "usage +30 % (last 30 d vs the 60 d before)"
    );
}

#[test]
fn usage_needs_three_months() {
    let mut i = input();
    i.usage = usage(&[(10, 20, 30), (10, 20, 30)]);
    assert_eq!(severity(Factor::Usage, &i), None);
    let s = score(&i, &RiskModel::default());
    // What is missing is the history, not the data: the seat share has it.
    assert!(
        s.missing
            .contains(&(Factor::Usage, "under 3 months of usage"))
    );
    assert!(
        s.missing.iter().all(|(f, _)| *f != Factor::SeatShare),
        "{s:?}"
    );
    i.usage.clear();
    let s = score(&i, &RiskModel::default());
    assert!(s.missing.contains(&(Factor::Usage, "no usage data")));
}

#[test]
fn a_drop_on_a_small_base_counts_in_part() {
    let mut i = input();
    // 2 seats, 2 users, then none: −100 %, but two people.
    i.usage = usage(&[(2, 2, 5), (2, 2, 5), (1, 2, 2)]);
    let small = severity(Factor::Usage, &i).unwrap();
    assert!((small - 0.2 * 1.0).abs() < 1e-9, "{small}");
    assert!(detail(Factor::Usage, &i).contains("a small base of 2"));
    i.usage = usage(&[(20, 25, 50), (20, 25, 50), (10, 25, 20)]);
    assert_eq!(
        severity(Factor::Usage, &i),
        Some(1.0),
        "the same drop, ten times the people"
    );
    // From nobody to someone is a start, not missing data.
    i.usage = usage(&[(0, 5, 0), (0, 5, 0), (3, 5, 4)]);
    assert_eq!(severity(Factor::Usage, &i), Some(0.0));
    assert!(detail(Factor::Usage, &i).contains("usage started"));
}

#[test]
fn seat_share_is_bad_below_70_percent_and_worst_at_30() {
    let mut i = input();
    i.usage = usage(&[(70, 100, 200)]);
    assert_eq!(severity(Factor::SeatShare, &i), Some(0.0));
    i.usage = usage(&[(50, 100, 200)]);
    assert!((severity(Factor::SeatShare, &i).unwrap() - 0.5).abs() < 1e-9);
    i.usage = usage(&[(30, 100, 200)]);
    assert_eq!(severity(Factor::SeatShare, &i), Some(1.0));
    assert_eq!(detail(Factor::SeatShare, &i), "30 % of 100 seats active");
    i.usage = usage(&[(0, 0, 0)]);
    assert_eq!(severity(Factor::SeatShare, &i), None, "no seats, no share");
}

#[test]
fn key_features_per_user() {
    let mut i = input();
    i.usage = usage(&[(10, 20, 20)]);
    assert_eq!(
        severity(Factor::Features, &i),
        Some(0.0),
        "2 uses per user is healthy"
    );
    i.usage = usage(&[(10, 20, 10)]);
    assert_eq!(severity(Factor::Features, &i), Some(0.5));
    i.usage = usage(&[(10, 20, 0)]);
    assert_eq!(severity(Factor::Features, &i), Some(1.0));
    i.usage = usage(&[(0, 20, 0)]);
    assert_eq!(severity(Factor::Features, &i), Some(1.0));
    assert_eq!(severity(Factor::Features, &input()), None);
}

#[test]
fn support_counts_old_open_tickets_poor_satisfaction_and_silence() {
    let mut i = input();
    assert_eq!(severity(Factor::Support, &i), Some(0.0));
    assert_eq!(detail(Factor::Support, &i), "no tickets");
    // Open for 7 days is not yet old; 8 is.
    i.tickets = vec![ticket("2026-11-15", None, None)];
    assert_eq!(severity(Factor::Support, &i), Some(0.0));
    i.tickets = vec![
        ticket("2026-11-14", None, None),
        ticket("2026-11-01", None, None),
    ];
    assert!((severity(Factor::Support, &i).unwrap() - 0.7).abs() < 1e-9);
    assert_eq!(detail(Factor::Support, &i), "2 tickets open > 7 d");
    // Poor satisfaction in the last 90 days.
    i.tickets = vec![
        ticket("2026-10-01", Some("2026-10-02"), Some(1)),
        ticket("2026-10-05", Some("2026-10-06"), Some(2)),
    ];
    assert!(severity(Factor::Support, &i).unwrap() > 0.4);
    assert!(detail(Factor::Support, &i).contains("satisfaction 1.5/5"));
    // A ticket resolved after as_of was still open then.
    i.tickets = vec![ticket("2026-11-01", Some("2026-12-01"), None)];
    assert!(severity(Factor::Support, &i).unwrap() > 0.3);
}

#[test]
fn support_notices_an_engaged_account_gone_quiet() {
    let mut i = input();
    i.tickets = ["2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01"]
        .iter()
        .map(|d| ticket(d, Some(d), Some(4)))
        .collect();
    assert_eq!(severity(Factor::Support, &i), Some(0.5));
    assert!(detail(Factor::Support, &i).contains("no ticket in 90 d after 4"));
    i.tickets
        .push(ticket("2026-11-01", Some("2026-11-01"), Some(5)));
    assert_eq!(severity(Factor::Support, &i), Some(0.0));
}

#[test]
fn nps_levels_and_drops() {
    let mut i = input();
    assert_eq!(severity(Factor::Nps, &i), None);
    i.nps = vec![(at("2026-11-10"), 9)];
    assert_eq!(severity(Factor::Nps, &i), Some(0.0));
    i.nps = vec![(at("2026-11-10"), 8)];
    assert_eq!(severity(Factor::Nps, &i), Some(0.25));
    i.nps = vec![(at("2026-11-10"), 6)];
    assert_eq!(severity(Factor::Nps, &i), Some(0.6));
    i.nps = vec![(at("2026-11-10"), 3)];
    assert_eq!(detail(Factor::Nps, &i), "NPS 3 (detractor), 12 d ago");
    assert!((severity(Factor::Nps, &i).unwrap() - 0.8).abs() < 1e-9);
    i.nps = vec![(at("2026-05-10"), 9), (at("2026-11-10"), 6)];
    assert!(
        (severity(Factor::Nps, &i).unwrap() - 0.9).abs() < 1e-9,
        "a drop of 3 adds"
    );
    assert!(detail(Factor::Nps, &i).contains("down 3 from 9"));
    // More than a year old is no data.
    i.nps = vec![(at("2025-11-01"), 2)];
    assert_eq!(severity(Factor::Nps, &i), None);
}

#[test]
fn billing_trouble_of_every_kind() {
    let mut i = input();
    assert_eq!(detail(Factor::Billing, &i), "billing in order");
    assert_eq!(severity(Factor::Billing, &i), Some(0.0));
    i.payments = vec![PaymentFact {
        first_failed_at: at("2026-11-15"),
        failing: true,
        lost: false,
        decline_code: "insufficient_funds".into(),
        attempts: 3,
    }];
    assert_eq!(severity(Factor::Billing, &i), Some(0.9));
    assert_eq!(
        detail(Factor::Billing, &i),
        "payment failing: insufficient_funds, 3 attempts"
    );
    i.payments[0].decline_code = "processing_error".into();
    assert_eq!(
        severity(Factor::Billing, &i),
        Some(0.5),
        "a soft decline usually clears"
    );
    i.payments = vec![];
    i.mrr_changes = vec![(day("2026-10-01"), 10_000, 6_000)];
    assert_eq!(severity(Factor::Billing, &i), Some(0.4));
    assert_eq!(detail(Factor::Billing, &i), "downgrade −40 % on 2026-10-01");
    i.mrr_changes = vec![(day("2026-10-01"), 6_000, 10_000)];
    assert_eq!(
        severity(Factor::Billing, &i),
        Some(0.0),
        "expansion is not trouble"
    );
    i.touches.push(touch("2026-11-02", &["pricing"]));
    assert_eq!(severity(Factor::Billing, &i), Some(0.3));
    assert!(detail(Factor::Billing, &i).contains("pricing complaint in call on 2026-11-02"));
}

#[test]
fn onboarding_counts_only_in_the_early_stage_and_grows_with_the_accounts_age() {
    let model = RiskModel::default();
    let mut i = input();
    i.usage = usage(&[(2, 20, 0)]);
    assert_eq!(severity(Factor::Onboarding, &i), None, "mid stage");
    assert!(
        score(&i, &model)
            .missing
            .iter()
            .all(|(f, _)| *f != Factor::Onboarding)
    );
    i.stage = Stage::Early;
    let onboarding_points = |i: &RiskInput| {
        score(i, &model)
            .reasons
            .iter()
            .find(|r| r.factor == Factor::Onboarding)
            .map_or(0.0, |r| r.points)
    };
    // Day by day from the first week to the seventh, the score moves a little at a time.
    let mut before: Option<f64> = None;
    let mut points = Vec::new();
    for age in 7..50 {
        i.customer_since = i.as_of - chrono::Days::new(age);
        let now = score(&i, &model).score;
        if let Some(before) = before {
            assert!(
                (now - before).abs() < 4.0,
                "day {age}: {before:.1} to {now:.1}"
            );
        }
        before = Some(now);
        points.push(onboarding_points(&i));
    }
    assert_eq!(points[0], 0.0, "a week in, too soon to judge");
    assert!(points.windows(2).all(|w| w[1] >= w[0]), "{points:?}");
    assert!(*points.last().unwrap() > 10.0, "{points:?}");
    i.customer_since = day("2026-10-20");
    assert_eq!(severity(Factor::Onboarding, &i), Some(1.0));
    i.usage = usage(&[(15, 20, 40)]);
    assert_eq!(severity(Factor::Onboarding, &i), Some(0.0));
    i.usage = vec![];
    assert_eq!(severity(Factor::Onboarding, &i), None, "no usage data");
}

#[test]
fn no_touch_against_the_stage_cadence() {
    let mut i = input();
    i.touches = vec![touch("2026-10-23", &[])]; // 30 days: on cadence
    assert_eq!(severity(Factor::NoTouch, &i), Some(0.0));
    i.touches = vec![touch("2026-10-12", &[])]; // 41 days
    assert!(severity(Factor::NoTouch, &i).unwrap() > 0.0);
    assert_eq!(
        detail(Factor::NoTouch, &i),
        "no touch in 41 d (stage cadence 30 d)"
    );
    i.touches = vec![touch("2026-09-08", &[])]; // 75 days = 2.5 cadences
    assert_eq!(severity(Factor::NoTouch, &i), Some(1.0));
    // Automatic emails do not count; never touched counts from the start.
    i.touches = vec![TouchFact {
        by_rep: false,
        ..touch("2026-11-21", &[])
    }];
    assert_eq!(severity(Factor::NoTouch, &i), Some(1.0));
    assert!(detail(Factor::NoTouch, &i).starts_with("no touch in 266 d"));
}

#[test]
fn competitor_mentions_fade_after_90_days_and_vanish_after_180() {
    let mut i = input();
    assert_eq!(severity(Factor::Competitor, &i), Some(0.0));
    i.touches.push(touch("2026-11-02", &["competitor"]));
    assert_eq!(severity(Factor::Competitor, &i), Some(1.0));
    assert_eq!(
        detail(Factor::Competitor, &i),
        "competitor mentioned in call on 2026-11-02"
    );
    i.touches = vec![
        touch("2026-07-01", &["competitor"]),
        touch("2026-11-20", &[]),
    ];
    assert_eq!(severity(Factor::Competitor, &i), Some(0.6));
    i.touches = vec![
        touch("2026-05-01", &["competitor"]),
        touch("2026-11-20", &[]),
    ];
    assert_eq!(severity(Factor::Competitor, &i), Some(0.0));
}

#[test]
fn renewal_matters_only_when_near_and_the_account_is_weak() {
    let model = RiskModel::default();
    let mut i = input();
    i.stage = Stage::Late;
    i.renewal_date = Some(day("2026-12-16")); // 24 days
    let healthy = score(&i, &model);
    let renewal = healthy
        .reasons
        .iter()
        .find(|r| r.factor == Factor::Renewal)
        .unwrap();
    assert_eq!(renewal.detail, "renewal in 24 d");
    assert_eq!(renewal.points, 0.0, "a healthy account renews");
    i.nps = vec![(at("2026-11-10"), 2)];
    i.touches = vec![touch("2026-11-02", &["competitor", "pricing"])];
    let weak = score(&i, &model);
    let renewal = weak
        .reasons
        .iter()
        .find(|r| r.factor == Factor::Renewal)
        .unwrap();
    assert!(renewal.points > 5.0, "{weak:?}");
    // A monthly plan has no renewal date, and no renewal to miss.
    i.renewal_date = None;
    let monthly = score(&i, &model);
    assert!(
        monthly.missing.iter().all(|(f, _)| *f != Factor::Renewal),
        "{monthly:?}"
    );
}

#[test]
fn points_add_up_to_the_score_and_missing_weight_is_spread() {
    let model = RiskModel::default();
    let mut i = input();
    i.nps = vec![(at("2026-11-10"), 0)];
    let s = score(&i, &model);
    let sum: f64 = s.reasons.iter().map(|r| r.points).sum();
    assert!((sum - s.score).abs() < 1e-9);
    // Mid stage, with usage, features, seat share and renewal missing: NPS 0 (severity 1)
    // weighs 10 of the 60 weights that have data.
    assert!((s.score - 100.0 * 10.0 / 60.0).abs() < 1e-9, "{}", s.score);
    assert_eq!(s.top().unwrap().factor, Factor::Nps);
    // Missing usage is listed, not counted as bad.
    assert!(s.missing.iter().any(|(f, _)| *f == Factor::Usage));
    assert!(s.reasons.iter().all(|r| r.factor != Factor::Usage));
}

#[test]
fn reasons_are_largest_first_and_the_score_is_banded() {
    let model = RiskModel::default();
    let mut i = input();
    i.usage = usage(&[(100, 120, 300), (100, 120, 300), (20, 120, 0)]);
    i.nps = vec![(at("2026-11-10"), 1)];
    i.touches = vec![touch("2026-08-01", &["competitor"])];
    i.payments = vec![PaymentFact {
        first_failed_at: at("2026-11-15"),
        failing: true,
        lost: false,
        decline_code: "expired_card".into(),
        attempts: 1,
    }];
    let s = score(&i, &model);
    assert!(s.reasons.windows(2).all(|w| w[0].points >= w[1].points));
    assert_eq!(s.band, Band::High, "{s:?}");
    assert_eq!(s.top().unwrap().factor, Factor::Usage);
    assert_eq!(score(&input(), &model).band, Band::Low);
    assert_eq!(model.band(45.0), Band::High);
    assert_eq!(model.band(44.9), Band::Medium);
    assert_eq!(model.band(25.0), Band::Medium);
    assert_eq!(model.band(24.9), Band::Low);
}

#[test]
fn stage_weights_change_what_counts() {
    let model = RiskModel::default();
    let mut i = input();
    i.usage = usage(&[(100, 120, 300), (100, 120, 300), (40, 120, 300)]);
    i.stage = Stage::Early;
    i.customer_since = day("2026-10-01");
    let early = score(&i, &model);
    assert!(early.reasons.iter().any(|r| r.factor == Factor::Onboarding));
    i.stage = Stage::Late;
    i.customer_since = day("2024-01-01");
    let late = score(&i, &model);
    assert!(late.reasons.iter().all(|r| r.factor != Factor::Onboarding));
}

#[test]
fn a_config_file_changes_weights_and_bands_and_keeps_the_rest() {
    let model =
        RiskModel::from_toml("[bands]\nhigh = 60.0\n\n[weights.late]\nrenewal = 40.0\n").unwrap();
    assert_eq!(model.bands.high, 60.0);
    assert_eq!(model.bands.medium, 25.0);
    assert_eq!(model.weights.late.renewal, 40.0);
    // The rest of the late weights stay the late defaults, not another stage's.
    let mut late = Weights::for_stage(Stage::Late);
    late.renewal = 40.0;
    assert_eq!(model.weights.late, late);
    assert_eq!(model.weights.early, Weights::for_stage(Stage::Early));
    assert_eq!(
        RiskModel::from_toml(
            "[weights.mid]
usage = 30"
        )
        .unwrap()
        .weights
        .mid
        .usage,
        30.0
    );
    assert!(
        RiskModel::from_toml(
            "[weights.old]
usage = 3.0"
        )
        .is_err()
    );
    assert!(
        RiskModel::from_toml(
            "[colours]
red = 1"
        )
        .is_err()
    );
    assert!(RiskModel::from_toml("[bands]\nhigh = 10.0\nmedium = 20.0").is_err());
    assert!(RiskModel::from_toml("[weights.mid]\nusage = -1.0").is_err());
    assert!(RiskModel::from_toml("[weights.mid]\nvibes = 3.0").is_err());
}

#[test]
fn anniversaries() {
    assert_eq!(
        next_anniversary(day("2023-03-15"), day("2026-11-22")),
        day("2027-03-15")
    );
    assert_eq!(
        next_anniversary(day("2023-12-01"), day("2026-11-22")),
        day("2026-12-01")
    );
    assert_eq!(
        next_anniversary(day("2024-02-29"), day("2026-11-22")),
        day("2027-02-28")
    );
    let _ = Utc.timestamp_opt(0, 0);
}

#[test]
fn the_factor_that_moved_most_is_named() {
    let model = RiskModel::default();
    let mut i = input();
    i.nps = vec![(at("2026-11-10"), 1)];
    let after = score(&i, &model);
    let mut before = std::collections::HashMap::new();
    before.insert("nps".to_string(), 2.0);
    let (factor, rise) = biggest_rise(&before, &after).unwrap();
    assert_eq!(factor, Factor::Nps);
    assert!(rise > 10.0);
    let same: std::collections::HashMap<String, f64> = after
        .reasons
        .iter()
        .map(|r| (r.factor.as_str().to_string(), r.points))
        .collect();
    assert_eq!(biggest_rise(&same, &after), None);
}

#[test]
fn changes_since_yesterday_name_new_high_risk_and_big_rises() {
    let model = RiskModel::default();
    let mut i = input();
    i.usage = usage(&[(100, 120, 300), (100, 120, 300), (20, 120, 0)]);
    i.nps = vec![(at("2026-11-10"), 1)];
    i.payments = vec![PaymentFact {
        first_failed_at: at("2026-11-15"),
        failing: true,
        lost: false,
        decline_code: "expired_card".into(),
        attempts: 1,
    }];
    let high = score(&i, &model);
    assert_eq!(high.band, Band::High);
    let calm = score(&input(), &model);
    let earlier = |score: f64, band: Band, factor: &str, points: f64| Earlier {
        score,
        band,
        points: [(factor.to_string(), points)].into_iter().collect(),
    };
    let mut before = std::collections::HashMap::new();
    before.insert(1, earlier(20.0, Band::Low, "usage", 5.0)); // became high
    before.insert(2, earlier(high.score - 12.0, Band::High, "billing", 1.0)); // rose, was high
    before.insert(3, earlier(calm.score, Band::Low, "nps", 0.0)); // unchanged
    let today = [(1, &high), (2, &high), (3, &calm), (4, &high)];
    let changes = changes_since(&today, &before, 10.0);
    let ids: Vec<i64> = changes.iter().map(|c| c.account_id).collect();
    // New high risk first, largest rise first: one not scored yesterday rose from nothing.
    assert_eq!(&ids[..2], &[4, 1]);
    assert_eq!(ids[2], 2);
    assert!(!ids.contains(&3));
    assert!(changes[1].new_high && changes[1].factor.is_some());
    assert_eq!(changes[0].from, None, "not scored yesterday");
    let risen = &changes[2];
    assert!(!risen.new_high);
    assert!(risen.factor_rise > 0.0);
}

#[test]
fn a_model_fingerprint_changes_with_any_setting_and_only_then() {
    let default = RiskModel::default();
    assert_eq!(default.fingerprint(), RiskModel::default().fingerprint());
    let same = RiskModel::from_toml("[bands]\nhigh = 45.0\n").unwrap();
    assert_eq!(same.fingerprint(), default.fingerprint());
    let others = [
        "[bands]\nhigh = 45.5\n",
        "[cadence]\nmid = 31\n",
        "[weights.late]\nrenewal = 40.0\n",
        "[weights.early]\nrenewal = 40.0\n",
    ];
    let mut seen = vec![default.fingerprint()];
    for text in others {
        let print = RiskModel::from_toml(text).unwrap().fingerprint();
        assert!(!seen.contains(&print), "{text} shares a fingerprint");
        seen.push(print);
    }
}
