//! Check-in schedules on real databases of either engine: idempotent runs, completion, churn,
//! stage changes, and the command that lists them.

mod common;

on_both_engines!(
    scheduling_twice_changes_nothing_the_second_time,
    logging_a_check_in_completes_the_due_one_and_schedules_the_next,
    one_check_in_logged_completes_every_one_due_that_day,
    a_churned_account_leaves_and_a_new_stage_switches_the_cadence,
    the_checkins_command_lists_and_filters,
    a_list_piped_into_head_stops_quietly,
);

use common::engine::{Db, Engine, TestDb};
use common::*;

fn demo(engine: Engine) -> TestDb {
    TestDb::demo(engine, 300)
}

fn run_on(db: &TestDb, today: &str, args: &[&str]) -> std::process::Output {
    retain()
        .arg("--db")
        .arg(db)
        .args(["--today", today])
        .args(args)
        .output()
        .unwrap()
}

fn checkins_table(db: &TestDb) -> String {
    let rows: Vec<String> = db
        .rows(
            "SELECT CAST(id AS TEXT), CAST(account_id AS TEXT), stage, kind, due_date, done_at
             FROM checkins c ORDER BY c.id",
            &[],
        )
        .iter()
        .map(|r| format!("{r:?}"))
        .collect();
    rows.join("\n")
}

fn scheduling_twice_changes_nothing_the_second_time(engine: Engine) {
    let db = demo(engine);
    let first: serde_json::Value =
        serde_json::from_str(&ok(run(&db, &["schedule", "--json"]))).unwrap();
    assert!(first["created"].as_u64().unwrap() > 200, "{first}");
    let table = checkins_table(&db);
    let second: serde_json::Value =
        serde_json::from_str(&ok(run(&db, &["schedule", "--json"]))).unwrap();
    assert_eq!(second["created"], 0);
    assert_eq!(second["moved"], 0);
    assert_eq!(second["removed"], 0);
    assert_eq!(checkins_table(&db), table);
    // Every active account has something scheduled, churned ones nothing.
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM accounts a WHERE status = 'active'
             AND NOT EXISTS (SELECT 1 FROM checkins c WHERE c.account_id = a.id AND c.done_at IS NULL)"
        ),
        0
    );
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM checkins c JOIN accounts a ON a.id = c.account_id
             WHERE a.status = 'churned' AND c.done_at IS NULL"
        ),
        0
    );
}

fn logging_a_check_in_completes_the_due_one_and_schedules_the_next(engine: Engine) {
    let db = demo(engine);
    ok(run(&db, &["schedule"]));
    // A mid-stage account: its next regular check-in comes 30 days after this one.
    let (account, due_kind) = db.id_and_text(
        "SELECT CAST(c.account_id AS TEXT), c.kind FROM checkins c
         WHERE c.stage = 'mid' AND c.done_at IS NULL ORDER BY c.due_date, c.id LIMIT 1",
        &[],
    );
    let out = ok(run(
        &db,
        &[
            "log",
            &account.to_string(),
            "--kind",
            "check-in",
            "--note",
            "Went through their goals",
            "--outcome",
            "positive",
        ],
    ));
    assert!(out.contains("logged check-in"), "{out}");
    assert_eq!(
        query_i64(
            &db,
            &format!(
                "SELECT count(*) FROM checkins WHERE account_id = {account} AND kind = '{due_kind}'
                 AND done_at LIKE '2026-11-22%' AND outcome = 'positive'"
            )
        ),
        1,
        "the due check-in is done"
    );
    assert_eq!(
        query_i64(
            &db,
            &format!(
                "SELECT count(*) FROM checkins WHERE account_id = {account} AND kind = 'check-in'
                 AND done_at IS NULL AND due_date = '2026-12-22'"
            )
        ),
        1,
        "the next one, 30 days after the completion"
    );
}

fn one_check_in_logged_completes_every_one_due_that_day(engine: Engine) {
    let db = demo(engine);
    ok(run(&db, &["schedule"]));
    let account = query_i64(
        &db,
        "SELECT account_id FROM checkins WHERE stage = 'late' AND done_at IS NULL
         ORDER BY account_id LIMIT 1",
    );
    // Two renewal preparations due today, and one a month away.
    db.execute(
        &format!("DELETE FROM checkins WHERE account_id = {account} AND done_at IS NULL"),
        &[],
    );
    db.execute(
        &format!(
            "INSERT INTO checkins (account_id, stage, kind, due_date) VALUES
                 ({account}, 'late', 'renewal-prep-90', '2026-11-22'),
                 ({account}, 'late', 'renewal-prep-60', '2026-11-22'),
                 ({account}, 'late', 'renewal-prep-30', '2026-12-22')"
        ),
        &[],
    );
    ok(run(
        &db,
        &[
            "log",
            &account.to_string(),
            "--kind",
            "check-in",
            "--note",
            "Renewal plan agreed",
        ],
    ));
    let done = |kind: &str| {
        query_i64(
            &db,
            &format!(
                "SELECT count(*) FROM checkins WHERE account_id = {account} AND kind = '{kind}'
                 AND done_at IS NOT NULL"
            ),
        )
    };
    assert_eq!(done("renewal-prep-90"), 1);
    assert_eq!(done("renewal-prep-60"), 1, "both due today are done");
    assert_eq!(done("renewal-prep-30"), 0, "the one to come is not");
}

fn a_churned_account_leaves_and_a_new_stage_switches_the_cadence(engine: Engine) {
    let db = demo(engine);
    ok(run(&db, &["schedule"]));
    let churned = query_i64(
        &db,
        "SELECT account_id FROM checkins WHERE done_at IS NULL LIMIT 1",
    );
    db.execute(
        &format!(
            "UPDATE accounts SET status = 'churned', churned_at = '2026-11-22',
                 churn_kind = 'voluntary', churn_reason = 'test' WHERE id = {churned}"
        ),
        &[],
    );
    let counts: serde_json::Value =
        serde_json::from_str(&ok(run(&db, &["schedule", "--json"]))).unwrap();
    assert!(counts["removed"].as_u64().unwrap() >= 1);
    assert_eq!(
        query_i64(
            &db,
            &format!(
                "SELECT count(*) FROM checkins WHERE account_id = {churned} AND done_at IS NULL"
            )
        ),
        0
    );

    // An early account seen four months later is in its mid stage: milestones give way.
    let early = query_i64(
        &db,
        "SELECT c.account_id FROM checkins c JOIN accounts a ON a.id = c.account_id
         WHERE c.stage = 'early' AND c.done_at IS NULL AND a.customer_since > '2026-09-01' LIMIT 1",
    );
    ok(run_on(&db, "2027-03-15", &["schedule"]));
    let stages = db.rows(
        &format!(
            "SELECT DISTINCT stage FROM checkins WHERE account_id = {early} AND done_at IS NULL"
        ),
        &[],
    );
    assert_eq!(stages, vec![vec![Some("mid".to_string())]]);
}

fn the_checkins_command_lists_and_filters(engine: Engine) {
    let db = demo(engine);
    ok(run(&db, &["schedule"]));
    let list = |args: &[&str]| -> Vec<serde_json::Value> {
        let mut all = vec!["checkins", "--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&ok(run(&db, &all))).unwrap()
    };
    let all = list(&[]);
    let first = &all[0];
    for key in [
        "account_id",
        "name",
        "stage",
        "due_date",
        "days_overdue",
        "kind",
        "owner",
    ] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    let overdue = list(&["--due", "overdue"]);
    assert!(!overdue.is_empty());
    assert!(
        overdue
            .iter()
            .all(|r| r["days_overdue"].as_i64().unwrap() > 0)
    );
    let days: Vec<i64> = overdue
        .iter()
        .map(|r| r["days_overdue"].as_i64().unwrap())
        .collect();
    assert!(days.windows(2).all(|w| w[0] >= w[1]), "most overdue first");
    let week = list(&["--due", "week"]);
    assert!(
        week.iter()
            .all(|r| r["due_date"].as_str().unwrap() <= "2026-11-29")
    );
    assert!(week.len() >= overdue.len());
    let early = list(&["--stage", "early"]);
    assert!(!early.is_empty() && early.iter().all(|r| r["stage"] == "early"));
    let carmen = list(&["--owner", "carmen"]);
    assert!(!carmen.is_empty() && carmen.iter().all(|r| r["owner"] == "carmen"));
    assert_eq!(
        run(&db, &["checkins", "--due", "soon"]).status.code(),
        Some(2)
    );
}

fn a_list_piped_into_head_stops_quietly(engine: Engine) {
    let db = demo(engine);
    ok(run(&db, &["schedule"]));
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} --db '{}' --today {TODAY} checkins | head -1",
            env!("CARGO_BIN_EXE_retain"),
            db.arg()
        ))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}
