//! `retain report`: churn, revenue, cohorts and recovery from a real demo of either engine.

mod common;

on_both_engines!(
    churn_by_month_and_quarter_agrees_with_the_accounts_table,
    revenue_cohorts_and_recovery_have_their_figures,
);

use common::engine::{Engine, TestDb};
use common::*;

fn json(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.push("--json");
    serde_json::from_str(&ok(run(db, &all))).unwrap()
}

fn churn_by_month_and_quarter_agrees_with_the_accounts_table(engine: Engine) {
    let db = TestDb::demo(engine, 400);
    let months = json(
        &db,
        &["churn", "--from", "2026-01-01", "--to", "2026-06-30"],
    );
    let months = months.as_array().unwrap();
    assert_eq!(months.len(), 6);
    for key in [
        "start",
        "end",
        "customers_at_start",
        "churned",
        "churn_rate",
    ] {
        assert!(months[0].get(key).is_some(), "{key} missing");
    }
    assert_eq!(months[0]["start"], "2026-01-01");
    assert_eq!(months[0]["end"], "2026-02-01");
    // January's churn is January's cancellations among those who were customers on its first.
    let january = query_i64(
        &db,
        "SELECT count(*) FROM accounts WHERE churned_at >= '2026-01-01' AND churned_at < '2026-02-01'
           AND customer_since < '2026-01-01'",
    );
    assert_eq!(months[0]["churned"], january);
    let base = query_i64(
        &db,
        "SELECT count(*) FROM accounts WHERE customer_since < '2026-01-01'
           AND (churned_at IS NULL OR churned_at >= '2026-01-01')",
    );
    assert_eq!(months[0]["customers_at_start"], base);
    let rate = months[0]["churn_rate"].as_f64().unwrap();
    let expected =
        months[0]["churned"].as_f64().unwrap() / months[0]["customers_at_start"].as_f64().unwrap();
    assert!((rate - expected).abs() < 1e-9);
    let quarters = json(
        &db,
        &[
            "churn",
            "--from",
            "2026-01-01",
            "--to",
            "2026-06-30",
            "--period",
            "quarter",
        ],
    );
    assert_eq!(quarters.as_array().unwrap().len(), 2);
    assert_eq!(quarters[1]["start"], "2026-04-01");
}

fn revenue_cohorts_and_recovery_have_their_figures(engine: Engine) {
    let db = TestDb::demo(engine, 400);
    let revenue = json(
        &db,
        &["revenue", "--from", "2026-09-01", "--to", "2026-10-31"],
    );
    let first = &revenue["periods"][0];
    for key in [
        "nrr",
        "grr",
        "gross_mrr_churn",
        "net_mrr_churn",
        "start_mrr_cents",
    ] {
        assert!(first.get(key).is_some(), "{key}");
    }
    assert!(first["grr"].as_f64().unwrap() <= 1.0);
    assert!(revenue["clv"][0]["clv_cents"].as_f64().unwrap() > 0.0);
    let cohorts = json(&db, &["cohorts", "--from", "2026-01-01"]);
    let jan = &cohorts[0];
    assert_eq!(jan["month"], "2026-01");
    let shares: Vec<f64> = jan["retained"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(
        shares.windows(2).all(|w| w[0] >= w[1]),
        "retention only falls: {shares:?}"
    );
    let recovery = json(&db, &["recovery"]);
    assert!(recovery["currencies"].as_array().is_some());
    let text = ok(run(&db, &["report", "churn"]));
    assert!(text.contains("annualised"), "{text}");
    let err = fails(run(
        &db,
        &[
            "report",
            "churn",
            "--from",
            "2026-05-01",
            "--to",
            "2026-04-01",
        ],
    ));
    assert!(err.contains("after --to"), "{err}");
}
