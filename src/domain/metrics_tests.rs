use super::*;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn account(since: &str, churned: Option<&str>, mrr: i64) -> AccountFacts {
    AccountFacts {
        since: day(since),
        churned_on: churned.map(day),
        involuntary: false,
        currency: "USD".into(),
        first_mrr_cents: mrr,
        changes: Vec::new(),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.0005
}

#[test]
fn a_monthly_rate_compounds_into_a_yearly_one() {
    assert!(close(annualise(0.05, Period::Month), 0.4596));
    assert!(close(annualise(0.02, Period::Month), 0.2153));
    assert!(close(
        annualise(0.10, Period::Quarter),
        1.0 - 0.9f64.powi(4)
    ));
    assert!(close(annualise(0.3, Period::Year), 0.3));
}

#[test]
fn the_two_companies_of_the_playbook() {
    // 100 customers, 100 more a month; 5 % against 10 % lost a month.
    let five = project_customers(100.0, 100.0, 0.05, 12);
    let ten = project_customers(100.0, 100.0, 0.10, 12);
    assert_eq!(five.round(), 973.0);
    assert_eq!(ten.round(), 746.0);
    assert!(five / ten > 1.29 && five / ten < 1.31, "about 30 % more");
}

#[test]
fn logo_churn_counts_those_at_the_start_who_left_in_the_period() {
    let mut late = account("2026-01-15", Some("2026-03-10"), 100);
    late.involuntary = true;
    let accounts = [
        account("2026-01-01", None, 100),
        account("2026-01-10", Some("2026-02-20"), 100),
        late,
        account("2026-02-05", Some("2026-02-25"), 100), // new in February: not in its base
        account("2025-12-01", None, 100),
    ];
    let p = logo_churn(
        &accounts,
        day("2026-02-01"),
        day("2026-03-31"),
        Period::Month,
    );
    assert_eq!(p.len(), 2);
    assert_eq!(
        (p[0].start, p[0].end),
        (day("2026-02-01"), day("2026-03-01"))
    );
    assert_eq!(p[0].customers_at_start, 4);
    assert_eq!(p[0].churned, 1);
    assert_eq!(p[0].new, 1);
    assert_eq!(p[0].churn_rate, Some(0.25));
    assert_eq!(p[1].customers_at_start, 3);
    assert_eq!((p[1].churned, p[1].involuntary, p[1].voluntary), (1, 1, 0));
    assert!(close(p[0].annualised.unwrap(), 1.0 - 0.75f64.powi(12)));
}

#[test]
fn revenue_splits_expansion_contraction_and_churn_of_the_starting_cohort() {
    let mut grows = account("2025-06-01", None, 10_000);
    grows.changes = vec![(day("2026-02-10"), 15_000)];
    let mut shrinks = account("2025-06-01", None, 5_000);
    shrinks.changes = vec![(day("2026-02-12"), 4_000)];
    let leaves = account("2025-06-01", Some("2026-02-20"), 20_000);
    let newcomer = account("2026-02-03", None, 90_000);
    let r = revenue(
        &[grows, shrinks, leaves, newcomer],
        day("2026-02-01"),
        day("2026-02-28"),
        Period::Month,
    );
    assert_eq!(r.len(), 1);
    let m = &r[0];
    assert_eq!(m.start_mrr_cents, 35_000);
    assert_eq!(
        (m.expansion_cents, m.contraction_cents, m.churned_mrr_cents),
        (5_000, 1_000, 20_000)
    );
    assert!(close(m.gross_mrr_churn.unwrap(), 21_000.0 / 35_000.0));
    assert!(close(m.net_mrr_churn.unwrap(), 16_000.0 / 35_000.0));
    assert!(close(m.nrr.unwrap(), 19_000.0 / 35_000.0));
    assert!(close(m.grr.unwrap(), 14_000.0 / 35_000.0));
}

#[test]
fn expansion_beyond_losses_is_negative_churn_and_nrr_above_one() {
    let mut grows = account("2025-06-01", None, 10_000);
    grows.changes = vec![(day("2026-02-10"), 30_000)];
    let leaves = account("2025-06-01", Some("2026-02-20"), 5_000);
    let r = revenue(
        &[grows, leaves],
        day("2026-02-01"),
        day("2026-02-28"),
        Period::Month,
    );
    assert!(r[0].net_mrr_churn.unwrap() < 0.0);
    assert!(r[0].nrr.unwrap() > 1.0);
    assert!(r[0].grr.unwrap() <= 1.0);
}

#[test]
fn the_cohort_matrix_follows_each_month_of_first_purchase() {
    let accounts = [
        account("2026-01-05", None, 100),
        account("2026-01-20", Some("2026-02-10"), 100),
        account("2026-01-25", Some("2026-03-15"), 100),
        account("2026-01-30", None, 100),
        account("2026-02-02", Some("2026-02-03"), 100),
    ];
    let c = cohorts(&accounts, day("2026-01-01"), day("2026-03-31"));
    assert_eq!(c.len(), 2);
    assert_eq!((c[0].month.as_str(), c[0].customers), ("2026-01", 4));
    // End of January: all 4; end of February: 3; end of March: 2.
    assert_eq!(c[0].retained, [1.0, 0.75, 0.5]);
    assert_eq!(c[1].retained, [0.0, 0.0]);
}

#[test]
fn clv_is_margin_over_churn() {
    assert_eq!(clv(10_000.0, 0.8, 0.02), Some(400_000.0));
    assert_eq!(clv(10_000.0, 0.8, 0.0), None);
}

#[test]
fn an_account_is_counted_from_the_day_after_it_starts_until_it_churns() {
    let a = account("2026-02-01", Some("2026-03-01"), 100);
    assert!(!a.active_on(day("2026-02-01")));
    assert!(a.active_on(day("2026-02-02")));
    assert!(
        a.active_on(day("2026-03-01")),
        "churning that day: still in the day's base"
    );
    assert!(!a.active_on(day("2026-03-02")));
}
