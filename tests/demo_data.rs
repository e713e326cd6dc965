//! The demo data set: deterministic, shaped like a real customer base, churn that follows
//! behaviour.

mod common;

use std::collections::BTreeSet;

use common::*;
use retain::domain::decline::classify;
use rusqlite::Connection;

fn demo_db(dir: &tempfile::TempDir, name: &str, seed: &str) -> std::path::PathBuf {
    let db = db_in(dir, name);
    ok(run(&db, &["demo", "--accounts", "2000", "--seed", seed]));
    db
}

fn strings(conn: &Connection, sql: &str) -> Vec<String> {
    conn.prepare(sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn the_same_seed_gives_identical_files_and_another_seed_does_not() {
    let dir = temp_dir();
    let a = demo_db(&dir, "a.db", "7");
    let b = demo_db(&dir, "b.db", "7");
    let c = demo_db(&dir, "c.db", "8");
    let dump_a = dump(&a);
    assert!(dump_a.lines().count() > 20_000, "the demo is substantial");
    assert!(dump_a == dump(&b), "same seed, same data");
    assert!(dump_a != dump(&c), "another seed, other data");

    let file = Connection::open(&a).unwrap();
    let reference = Connection::open_in_memory().unwrap();
    reference.execute_batch(&schema_sql()).unwrap();
    assert_eq!(schema_of(&file), schema_of(&reference));
}

#[test]
fn the_demo_is_shaped_like_a_real_customer_base() {
    let dir = temp_dir();
    let db = demo_db(&dir, "shape.db", "7");
    let conn = Connection::open(&db).unwrap();
    let n = |sql: &str| query_i64(&db, sql);

    let reps = n("SELECT count(*) FROM reps");
    assert!((9..=16).contains(&reps), "{reps} reps");
    // The demo's own admin, and whoever made the file.
    assert_eq!(n("SELECT count(*) FROM reps WHERE role = 'admin'"), 2);
    assert_eq!(
        n(&format!(
            "SELECT count(*) FROM reps WHERE role = 'admin' AND login = '{}'",
            me()
        )),
        1
    );
    assert!(n("SELECT count(*) FROM reps WHERE role = 'lead'") >= 1);
    assert_eq!(n("SELECT count(*) FROM accounts"), 2000);

    // Every lifecycle stage is well populated among active accounts.
    let summary: serde_json::Value =
        serde_json::from_str(&ok(run(&db, &["summary", "--json"]))).unwrap();
    let active = summary["accounts_active"].as_i64().unwrap();
    for stage in ["active_early", "active_mid", "active_late"] {
        let count = summary[stage].as_i64().unwrap();
        assert!(count * 100 >= active * 15, "{stage}: {count} of {active}");
    }

    // Churn of both kinds, each with a reason.
    assert!(n("SELECT count(*) FROM accounts WHERE churn_kind = 'voluntary'") >= 100);
    assert!(n("SELECT count(*) FROM accounts WHERE churn_kind = 'involuntary'") >= 40);
    assert_eq!(
        n(
            "SELECT count(*) FROM accounts WHERE status = 'churned' AND (churn_reason IS NULL OR churn_kind IS NULL)"
        ),
        0
    );

    // Failed payments over real decline codes of many classes, in every status.
    let codes = strings(
        &conn,
        "SELECT DISTINCT last_decline_code FROM failed_payments",
    );
    assert!(codes.len() >= 10, "{codes:?}");
    let classes: BTreeSet<_> = codes.iter().map(|c| classify(c).class).collect();
    assert!(classes.len() >= 6, "{classes:?}");
    for status in ["failing", "recovered", "lost", "written_off"] {
        assert!(
            n(&format!(
                "SELECT count(*) FROM failed_payments WHERE status = '{status}'"
            )) > 0,
            "no {status} payment"
        );
    }
    assert!(
        n(
            "SELECT count(*) FROM failed_payments WHERE status = 'failing' AND next_retry_at IS NOT NULL"
        ) > 0
    );

    // Names as real lists have them: Chinese or Japanese, accented Latin, plain ASCII.
    let names = strings(
        &conn,
        "SELECT name FROM accounts UNION ALL SELECT name FROM contacts",
    );
    let cjk = names
        .iter()
        .filter(|s| s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)))
        .count();
    let accented = names
        .iter()
        .filter(|s| {
            s.chars()
                .any(|c| "äöüßéèêëàâçñíóúôîïœ".contains(c.to_lowercase().next().unwrap()))
        })
        .count();
    assert!(
        cjk > 100 && accented > 100,
        "cjk {cjk}, accented {accented}"
    );
    let emails = strings(&conn, "SELECT email FROM contacts");
    assert!(emails.iter().all(|e| e.is_ascii() && e.contains('@')));
    let phones = strings(&conn, "SELECT phone FROM contacts WHERE phone IS NOT NULL");
    assert!(phones.iter().any(|p| p.starts_with("+1 (")));
    assert!(phones.iter().any(|p| p.starts_with("+44")));
    assert!(phones.iter().any(|p| !p.starts_with('+')));

    // Histories: usage, tickets (some open), NPS, interactions with tags, MRR moves both ways.
    assert!(n("SELECT count(*) FROM usage_snapshots") > 10_000);
    assert!(n("SELECT count(*) FROM tickets WHERE resolved_at IS NULL") > 0);
    assert!(n("SELECT count(*) FROM nps_responses WHERE score <= 6") > 0);
    assert!(n("SELECT count(*) FROM nps_responses WHERE score >= 9") > 0);
    assert!(n("SELECT count(*) FROM interactions WHERE tags LIKE '%competitor%'") > 0);
    assert!(n("SELECT count(*) FROM mrr_changes WHERE to_cents > from_cents") > 0);
    assert!(n("SELECT count(*) FROM mrr_changes WHERE to_cents < from_cents") > 0);
    assert!(
        n(
            "SELECT count(*) FROM accounts WHERE status = 'active' AND billing_interval = 'annual' AND renewal_date > '2026-11-22'"
        ) > 0
    );
    assert_eq!(
        n(
            "SELECT count(*) FROM accounts WHERE billing_interval = 'annual' AND status = 'active' AND renewal_date IS NULL"
        ),
        0
    );
}

#[test]
fn churn_follows_the_behaviour_in_the_data() {
    let dir = temp_dir();
    let db = demo_db(&dir, "behaviour.db", "7");
    let avg = |sql: &str| -> f64 {
        Connection::open(&db)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    };
    // NPS answers given by accounts that later left voluntarily are lower than those of accounts
    // that stayed.
    let nps_churned = avg(
        "SELECT avg(score) FROM nps_responses n JOIN accounts a ON a.id = n.account_id
         WHERE a.churn_kind = 'voluntary'",
    );
    let nps_stayed = avg(
        "SELECT avg(score) FROM nps_responses n JOIN accounts a ON a.id = n.account_id
         WHERE a.status = 'active'",
    );
    assert!(
        nps_churned + 0.8 < nps_stayed,
        "churned {nps_churned:.2}, stayed {nps_stayed:.2}"
    );

    // Usage fell more (last snapshot against the first kept) for those who left, among accounts
    // past onboarding at both ends.
    let usage_trend = |filter: &str| {
        avg(&format!(
            "SELECT avg(1.0 * last.active_users / max(first.active_users, 1))
             FROM accounts a
             JOIN usage_snapshots first ON first.account_id = a.id
               AND first.period = (SELECT min(period) FROM usage_snapshots WHERE account_id = a.id)
             JOIN usage_snapshots last ON last.account_id = a.id
               AND last.period = (SELECT max(period) FROM usage_snapshots WHERE account_id = a.id)
             WHERE {filter}
               AND julianday(coalesce(a.churned_at, '2026-11-22')) - julianday(a.customer_since) > 600"
        ))
    };
    let churned = usage_trend("a.churn_kind = 'voluntary'");
    let stayed = usage_trend("a.status = 'active'");
    assert!(
        churned < stayed * 0.9,
        "churned {churned:.2}, stayed {stayed:.2}"
    );

    // Involuntary churn comes with a payment that was lost, wherever its history is kept.
    let unexplained = query_i64(
        &db,
        "SELECT count(*) FROM accounts a WHERE a.churn_kind = 'involuntary' AND a.churned_at >= '2025-07-01'
           AND NOT EXISTS (SELECT 1 FROM failed_payments p WHERE p.account_id = a.id AND p.status IN ('lost', 'written_off'))",
    );
    assert_eq!(unexplained, 0);
}

#[test]
fn demo_data_goes_only_into_an_empty_database() {
    let dir = temp_dir();
    let db = db_in(&dir, "full.db");
    ok(run(&db, &["demo", "--accounts", "50"]));
    let before = dump(&db);
    let err = fails(run(&db, &["demo", "--accounts", "50"]));
    assert!(err.contains("already holds 50 accounts"), "{err}");
    assert_eq!(dump(&db), before);
}

#[test]
fn the_account_count_is_bounded() {
    let dir = temp_dir();
    let db = db_in(&dir, "bounds.db");
    for bad in ["0", "1000001", "lots"] {
        let out = run(&db, &["demo", "--accounts", bad]);
        assert_eq!(out.status.code(), Some(2), "--accounts {bad}");
    }
    assert!(!db.exists());
}

#[test]
fn demo_flag_creates_the_demo_database_in_the_data_directory_once() {
    let home = temp_dir();
    let run_demo = || {
        retain()
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("HOME", home.path())
            .args(["--today", TODAY, "--demo"])
            .output()
            .unwrap()
    };
    let first = ok(run_demo());
    let db = home.path().join("data/retain/demo.db");
    assert!(db.exists(), "{first}");
    assert!(
        first.contains("2000 active") || first.contains("accounts"),
        "{first}"
    );
    let before = dump(&db);
    ok(run_demo());
    assert_eq!(dump(&db), before, "the second start reuses the demo");
}

#[test]
fn a_demo_goes_into_a_file_whose_team_is_set_up_and_keeps_that_team() {
    let dir = temp_dir();
    let db = db_in(&dir, "team.db");
    ok(run(&db, &["init"]));
    let me = me();
    ok(run(
        &db,
        &["reps", "add", &me, "--name", "Set Up", "--role", "admin"],
    ));
    ok(run(
        &db,
        &["reps", "add", "amara", "--name", "Amara from HR"],
    ));
    ok(run(&db, &["demo", "--accounts", "50"]));
    let conn = Connection::open(&db).unwrap();
    let amara: (String, String) = conn
        .query_row(
            "SELECT display_name, role FROM reps WHERE login = 'amara'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(amara, ("Amara from HR".to_string(), "rep".to_string()));
    assert_eq!(
        query_i64(&db, "SELECT count(*) FROM accounts"),
        50,
        "the demo is there"
    );
}

#[test]
fn commands_on_the_demo_act_as_the_console_does_there() {
    let dir = temp_dir();
    let data = dir.path().join("data");
    let demo = |args: &[&str]| {
        retain()
            .env_remove("RETAIN_DB")
            .env("XDG_DATA_HOME", &data)
            .env("HOME", dir.path())
            .args(["--today", TODAY])
            .args(args)
            .output()
            .unwrap()
    };
    let err = fails(demo(&["queue", "--demo"]));
    assert!(err.contains("there is no demo database yet"), "{err}");
    // Off a terminal, `retain --demo` makes the file and prints its summary.
    ok(demo(&["--demo"]));
    for args in [
        &["--demo", "queue", "--json"][..],
        &["queue", "--demo", "--json"][..],
    ] {
        let out = demo(args);
        let err = stderr(&out);
        let rows: serde_json::Value = serde_json::from_str(&ok(out)).unwrap();
        assert!(err.contains("demo: acting as "), "{err}");
        assert!(!rows.as_array().unwrap().is_empty(), "the demo rep's queue");
    }
}

#[test]
fn the_last_weeks_look_like_the_months_before_and_nothing_is_stamped_after_today() {
    let dir = temp_dir();
    let db = demo_db(&dir, "recent.db", "1");
    // Churn by month as a rate of the accounts active when it began (the base grows, so
    // counts alone rise), the newest first: November, under way, then October, the last full
    // month, then the six before it.
    let rate = |from: &str, to: &str| -> f64 {
        let active = query_i64(
            &db,
            &format!(
                "SELECT count(*) FROM accounts WHERE customer_since < '{from}'
                   AND (churned_at IS NULL OR churned_at >= '{from}')"
            ),
        );
        let churned = query_i64(
            &db,
            &format!(
                "SELECT count(*) FROM accounts WHERE churned_at >= '{from}' AND churned_at < '{to}'"
            ),
        );
        churned as f64 / active as f64
    };
    let starts = [
        "2026-04-01",
        "2026-05-01",
        "2026-06-01",
        "2026-07-01",
        "2026-08-01",
        "2026-09-01",
        "2026-10-01",
        "2026-11-01",
        "2026-12-01",
    ];
    let rates: Vec<f64> = starts.windows(2).map(|w| rate(w[0], w[1])).collect();
    let before = &rates[..6];
    let (low, high) = before
        .iter()
        .fold((f64::MAX, 0.0_f64), |(l, h), r| (l.min(*r), h.max(*r)));
    let october = rates[6];
    assert!(
        october >= low * 0.8 && october <= high * 1.2,
        "October's churn rate {october:.4} is outside the months before ({low:.4} to {high:.4})"
    );
    // November so far (21 days before today), at its daily rate, is no more than the busiest
    // month's: the weeks before today do not pile up churn.
    let november = rates[7] * 30.0 / 21.0;
    assert!(
        november <= high * 1.2,
        "{november:.4} a month against {high:.4}"
    );
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM accounts WHERE churned_at >= '2026-11-22'"
        ),
        0,
        "nothing churns on the day the demo is made"
    );
    let today_start = "2026-11-22T00:00:00Z";
    for (table, column) in [
        ("interactions", "occurred_at"),
        ("tickets", "opened_at"),
        ("tickets", "resolved_at"),
        ("nps_responses", "responded_at"),
        ("payment_attempts", "attempted_at"),
        ("failed_payments", "first_failed_at"),
        ("failed_payments", "resolved_at"),
    ] {
        let later = query_i64(
            &db,
            &format!("SELECT count(*) FROM {table} WHERE {column} > '{today_start}'"),
        );
        assert_eq!(
            later, 0,
            "{table}.{column} holds instants after the demo was made"
        );
    }
    // Each plan's MRR stays within what its seats cost (2 to 10 seats at 29, and so on), and
    // so does what a failed payment asks for (a year of it at most).
    for (plan, low, high) in [
        ("Starter", 5800, 29000),
        ("Growth", 25000, 125000),
        ("Business", 88000, 440000),
        ("Enterprise", 270000, 2160000),
    ] {
        let outside = query_i64(
            &db,
            &format!(
                "SELECT count(*) FROM accounts WHERE plan = '{plan}'
                   AND (mrr_cents < {low} OR mrr_cents > {high})"
            ),
        );
        assert_eq!(outside, 0, "{plan} accounts outside {low}..{high} cents");
        let asked = query_i64(
            &db,
            &format!(
                "SELECT count(*) FROM failed_payments p JOIN accounts a ON a.id = p.account_id
                 WHERE a.plan = '{plan}' AND p.amount_cents > 12 * {high}"
            ),
        );
        assert_eq!(asked, 0, "{plan} payments above a year of the plan");
    }
}

/// A demo's load counts its rows' fact changes once at the end rather than row by row: the
/// counts are what the triggers would have made, and the triggers are there after it, as the
/// schema has them.
#[test]
fn a_demo_counts_every_fact_of_an_account_and_keeps_its_triggers() {
    let dir = temp_dir();
    let db = demo_db(&dir, "counted.db", "3");
    let conn = Connection::open(&db).unwrap();
    let wrong: i64 = conn
        .query_row(
            "WITH facts (account_id) AS (
                 SELECT account_id FROM interactions UNION ALL SELECT account_id FROM tickets
                 UNION ALL SELECT account_id FROM nps_responses
                 UNION ALL SELECT account_id FROM usage_snapshots
                 UNION ALL SELECT account_id FROM mrr_changes
                 UNION ALL SELECT account_id FROM failed_payments
                 UNION ALL SELECT p.account_id FROM payment_attempts a
                           JOIN failed_payments p ON p.id = a.payment_id),
             expected AS (SELECT account_id, count(*) AS n FROM facts GROUP BY account_id)
             SELECT count(*) FROM expected e FULL JOIN fact_changes c USING (account_id)
             WHERE e.n IS NOT c.n",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(wrong, 0, "accounts whose count differs from their facts");
    let triggers = |conn: &Connection| {
        strings(
            conn,
            "SELECT name || ': ' || sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name",
        )
    };
    let fresh = db_in(&dir, "fresh.db");
    ok(run(&fresh, &["init"]));
    assert_eq!(
        triggers(&conn),
        triggers(&Connection::open(&fresh).unwrap())
    );
    // And they count again: one call logged is one change more.
    let before: i64 = conn
        .query_row("SELECT n FROM fact_changes WHERE account_id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    ok(run(
        &db,
        &["log", "1", "--kind", "note", "--note", "counted"],
    ));
    let after: i64 = conn
        .query_row("SELECT n FROM fact_changes WHERE account_id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(after, before + 1);
}
