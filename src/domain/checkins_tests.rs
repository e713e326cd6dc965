use super::*;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const TODAY: &str = "2026-11-22";

fn subject(since: &str) -> Subject {
    Subject {
        customer_since: day(since),
        churned: false,
        annual_renewal: None,
    }
}

fn done(kind: &str, on: &str) -> Done {
    Done {
        kind: kind.into(),
        on: day(on),
    }
}

fn plan(s: &Subject, d: &[Done]) -> Vec<(String, String, Stage)> {
    due(
        s,
        d,
        day(TODAY),
        &StageBounds::default(),
        &Cadences::default(),
    )
    .into_iter()
    .map(|x| (x.kind, x.due.to_string(), x.stage))
    .collect()
}

fn kinds(s: &Subject, d: &[Done]) -> Vec<String> {
    plan(s, d).into_iter().map(|(k, _, _)| k).collect()
}

#[test]
fn early_accounts_walk_through_their_milestones_one_at_a_time() {
    let s = subject("2026-11-10"); // day 12
    assert_eq!(
        plan(&s, &[]),
        vec![("welcome".into(), "2026-11-13".into(), Stage::Early)]
    );
    let d = [done("welcome", "2026-11-13")];
    assert_eq!(
        plan(&s, &d),
        vec![("kickoff".into(), "2026-11-17".into(), Stage::Early)]
    );
    let d = [done("welcome", "2026-11-13"), done("kickoff", "2026-11-20")];
    assert_eq!(plan(&s, &d)[0].0, "adoption-14");
    assert_eq!(
        plan(&s, &d)[0].1,
        "2026-11-24",
        "milestones stay on their day from the start"
    );
    // Any check-in passes a milestone (a logged call counts), once a day.
    let d = [
        done("check-in", "2026-11-13"),
        done("welcome", "2026-11-13"),
    ];
    assert_eq!(plan(&s, &d)[0].0, "kickoff");
    let days = [
        "2026-11-11",
        "2026-11-12",
        "2026-11-13",
        "2026-11-14",
        "2026-11-15",
        "2026-11-16",
    ];
    let all: Vec<Done> = days.iter().map(|d| done("check-in", d)).collect();
    assert_eq!(
        plan(&s, &all)[0].0,
        "check-in",
        "every milestone done: the mid stage's first check-in"
    );
    // Check-ins before the start (a trial) do not count.
    assert_eq!(plan(&s, &[done("check-in", "2026-11-01")])[0].0, "welcome");
}

#[test]
fn stage_boundaries_switch_the_cadence_on_days_89_90_365_366() {
    let today = day(TODAY);
    let at = |age: u64| subject(&(today - Days::new(age)).to_string());
    assert_eq!(plan(&at(89), &[])[0].2, Stage::Early);
    assert_eq!(kinds(&at(90), &[]), vec!["check-in", "business-review"]);
    assert!(plan(&at(90), &[]).iter().all(|x| x.2 == Stage::Mid));
    assert!(plan(&at(365), &[]).iter().all(|x| x.2 == Stage::Mid));
    assert!(plan(&at(366), &[]).iter().all(|x| x.2 == Stage::Late));
    assert!(kinds(&at(366), &[]).contains(&"anniversary".to_string()));
}

#[test]
fn mid_stage_checks_in_monthly_from_the_last_and_reviews_quarterly() {
    let s = subject("2026-05-01"); // mid since 2026-07-30
    let p = plan(&s, &[]);
    assert_eq!(
        p[0],
        ("check-in".into(), "2026-08-29".into(), Stage::Mid),
        "from the stage start"
    );
    assert_eq!(
        p[1],
        ("business-review".into(), "2026-10-28".into(), Stage::Mid)
    );
    // The next check-in counts from the completion, whatever its kind.
    let p = plan(&s, &[done("check-in", "2026-11-05")]);
    assert_eq!(p[1], ("check-in".into(), "2026-12-05".into(), Stage::Mid));
    let p = plan(&s, &[done("business-review", "2026-11-01")]);
    assert!(p.contains(&("business-review".into(), "2027-01-30".into(), Stage::Mid)));
    assert!(p.contains(&("check-in".into(), "2026-12-01".into(), Stage::Mid)));
    // Completions from the early stage do not count for the mid cadence.
    let p = plan(&s, &[done("adoption-85", "2026-07-20")]);
    assert_eq!(p[0].1, "2026-08-29");
}

#[test]
fn late_stage_every_90_days_and_an_anniversary_touch() {
    let s = subject("2023-12-10");
    let p = plan(&s, &[done("check-in", "2026-10-01")]);
    assert!(p.contains(&("check-in".into(), "2026-12-30".into(), Stage::Late)));
    assert!(p.contains(&("anniversary".into(), "2026-12-10".into(), Stage::Late)));
    // Done near the date: next year's.
    let p = plan(&s, &[done("anniversary", "2026-12-08")]);
    assert!(p.contains(&("anniversary".into(), "2027-12-10".into(), Stage::Late)));
    // An anniversary three weeks past and not yet celebrated is still due.
    let s = subject("2023-11-01");
    assert!(plan(&s, &[]).contains(&("anniversary".into(), "2026-11-01".into(), Stage::Late)));
    // Five weeks past, it has gone; next year's is due.
    let s = subject("2023-10-15");
    assert!(plan(&s, &[]).contains(&("anniversary".into(), "2027-10-15".into(), Stage::Late)));
}

#[test]
fn annual_plans_prepare_their_renewal_90_60_and_30_days_ahead() {
    let mut s = subject("2023-03-01");
    s.annual_renewal = Some(day("2027-03-01"));
    let p = plan(&s, &[]);
    for (kind, due) in [
        ("renewal-prep-90", "2026-12-01"),
        ("renewal-prep-60", "2026-12-31"),
        ("renewal-prep-30", "2027-01-30"),
    ] {
        assert!(
            p.contains(&(kind.into(), due.into(), Stage::Late)),
            "{kind}: {p:?}"
        );
    }
    let p = plan(&s, &[done("renewal-prep-90", "2026-12-02")]);
    assert!(!p.iter().any(|x| x.0 == "renewal-prep-90"));
    assert!(p.iter().any(|x| x.0 == "renewal-prep-60"));
    // A preparation done for last year's renewal does not count for this one.
    let p = plan(&s, &[done("renewal-prep-90", "2025-12-01")]);
    assert!(p.iter().any(|x| x.0 == "renewal-prep-90"));
    // Monthly plans have no renewal to prepare.
    assert!(
        !kinds(&subject("2023-03-01"), &[])
            .iter()
            .any(|k| k.starts_with("renewal"))
    );
}

#[test]
fn churned_accounts_leave_the_schedule() {
    let mut s = subject("2024-01-01");
    s.churned = true;
    assert!(plan(&s, &[]).is_empty());
}

#[test]
fn the_plan_is_the_same_every_time_it_is_asked() {
    let mut s = subject("2023-03-01");
    s.annual_renewal = Some(day("2027-03-01"));
    let d = [done("check-in", "2026-10-01")];
    assert_eq!(plan(&s, &d), plan(&s, &d));
}

#[test]
fn each_stage_has_an_agenda() {
    assert!(agenda(Stage::Early).contains("Adoption"));
    assert!(agenda(Stage::Mid).contains("Business outcomes"));
    assert!(agenda(Stage::Late).contains("renewal"));
}

#[test]
fn after_the_last_milestone_the_first_mid_check_in_is_due() {
    let cadences = Cadences::default();
    let bounds = StageBounds::default();
    let since: NaiveDate = "2026-08-26".parse().unwrap();
    let done: Vec<Done> = cadences
        .early_milestones
        .iter()
        .map(|(n, kind)| Done {
            kind: kind.clone(),
            on: since + Days::new(u64::from(*n)),
        })
        .collect();
    let subject = Subject {
        customer_since: since,
        churned: false,
        annual_renewal: None,
    };
    let today = since + Days::new(88);
    let early = due(&subject, &done, today, &bounds, &cadences);
    assert_eq!(early.len(), 1);
    assert_eq!(early[0].stage, Stage::Mid);
    // The mid stage asks for the same check-in once it starts.
    let mid = due(&subject, &done, since + Days::new(95), &bounds, &cadences);
    assert!(mid.contains(&early[0]), "{mid:?}");
}
