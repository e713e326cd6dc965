//! Risk scoring on real databases of either engine: the ranking command, the daily history, the
//! configuration, and a backtest that cannot see the future.

mod common;

on_both_engines!(
    the_backtest_never_reads_data_dated_on_or_after_as_of,
    the_backtest_on_demo_data_finds_the_churners,
    at_risk_ranks_with_reasons_and_filters,
    scores_are_kept_once_a_day_and_give_the_trend,
    a_risk_file_changes_the_bands_and_a_bad_one_is_named,
    changes_since_yesterday_are_new_high_risk_or_big_rises,
    slices_of_ids_read_exactly_what_reading_everything_reads,
    a_kept_score_is_current_until_a_fact_of_its_account_changes,
    scores_are_not_kept_while_another_writer_holds_the_file_and_nothing_waits_for_it,
);

use std::collections::HashMap;

use chrono::NaiveDate;
use common::engine::{Db, Engine, TestDb};
use common::*;
use retain::domain::lifecycle::StageBounds;
use retain::domain::risk::{RiskModel, score};
use retain::store::{Scope, Store};

fn at_risk_json(db: &TestDb, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["at-risk", "--json"];
    if !extra.contains(&"--limit") {
        args.extend(["--limit", "5000"]);
    }
    args.extend_from_slice(extra);
    serde_json::from_str::<serde_json::Value>(&ok(run(db, &args)))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn scores_as_of(db: &TestDb, as_of: NaiveDate) -> HashMap<i64, (f64, Vec<String>)> {
    let store = store_as_me(db);
    let model = RiskModel::default();
    store
        .risk_subjects(as_of, as_of, &StageBounds::default(), Scope::All)
        .unwrap()
        .into_iter()
        .map(|s| {
            let r = score(&s.input, &model);
            (
                s.account_id,
                (r.score, r.reasons.into_iter().map(|x| x.detail).collect()),
            )
        })
        .collect()
}

/// Everything that would make an account look doomed, dated `when` (a day), for every account.
fn flood(db: &TestDb, when: &str) {
    let t = format!("{when}T09:00:00Z");
    let month = format!("{}01", &when[..8]);
    for sql in [
        format!(
            "INSERT INTO interactions (account_id, kind, occurred_at, summary, tags)
             SELECT id, 'call', '{t}', 'They are leaving for a competitor', 'competitor pricing'
             FROM accounts"
        ),
        format!(
            "INSERT INTO tickets (account_id, subject, severity, opened_at, satisfaction, resolved_at)
             SELECT id, 'Everything is broken', 'urgent', '{t}', 1, '{t}' FROM accounts"
        ),
        format!(
            "INSERT INTO nps_responses (account_id, responded_at, score)
             SELECT id, '{t}', 0 FROM accounts"
        ),
        format!(
            "INSERT INTO failed_payments (account_id, external_ref, amount_cents, currency,
                 first_failed_at, last_decline_code, status)
             SELECT id, 'in_flood_' || id || '{t}', 100000, 'USD', '{t}', 'stolen_card', 'failing'
             FROM accounts"
        ),
        format!(
            "INSERT INTO mrr_changes (account_id, changed_on, from_cents, to_cents, reason)
             SELECT id, '{when}', 100000, 100, 'downgrade' FROM accounts"
        ),
        // (`WHERE TRUE`: SQLite reads ON CONFLICT after a bare FROM as a join's.)
        format!(
            "INSERT INTO usage_snapshots (account_id, period, active_users, seats, logins, key_feature_uses)
             SELECT id, '{month}', 0, 100, 0, 0 FROM accounts WHERE TRUE
             ON CONFLICT (account_id, period) DO UPDATE SET active_users = excluded.active_users,
                 seats = excluded.seats, logins = excluded.logins,
                 key_feature_uses = excluded.key_feature_uses"
        ),
        // Later outcomes of what was open before: recovered payments, resolved tickets.
        format!(
            "INSERT INTO payment_attempts (payment_id, attempted_at, outcome, automatic)
             SELECT id, '{t}', 'succeeded', 1 FROM failed_payments WHERE status = 'failing'"
        ),
    ] {
        db.execute(&sql, &[]);
    }
}

fn the_backtest_never_reads_data_dated_on_or_after_as_of(engine: Engine) {
    let db = TestDb::demo(engine, 300);
    let as_of: NaiveDate = "2026-06-01".parse().unwrap();
    let before = scores_as_of(&db, as_of);
    assert!(before.len() > 100, "{} accounts scored", before.len());

    flood(&db, "2026-06-01");
    flood(&db, "2026-09-15");
    let after = scores_as_of(&db, as_of);
    assert_eq!(
        before, after,
        "data dated on or after --as-of changed a score"
    );

    // The same flood a day earlier is seen: the test can fail.
    flood(&db, "2026-05-31");
    let seen = scores_as_of(&db, as_of);
    let moved = before
        .iter()
        .filter(|(id, (s, _))| seen[*id].0 > s + 5.0)
        .count();
    assert!(
        moved * 2 > before.len(),
        "only {moved} of {} scores rose",
        before.len()
    );
}

fn the_backtest_on_demo_data_finds_the_churners(engine: Engine) {
    let db = TestDb::demo(engine, 2000);
    let out = ok(run(&db, &["backtest", "--as-of", "2026-05-01", "--json"]));
    let e: serde_json::Value = serde_json::from_str(&out).unwrap();
    let auc = e["auc"].as_f64().unwrap();
    assert!(auc > 0.62, "AUC {auc}");
    let rate = |band: &str| {
        e["bands"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["band"] == band)
            .unwrap()["churn_rate"]
            .as_f64()
            .unwrap()
    };
    assert!(
        rate("high") >= 3.0 * rate("low"),
        "high {} low {}",
        rate("high"),
        rate("low")
    );
    assert!(e["top_decile_capture"].as_f64().unwrap() > 0.2);
    assert_eq!(e["horizon_days"], 90);

    let text = ok(run(&db, &["backtest", "--as-of", "2026-05-01"]));
    assert!(
        text.contains("ROC AUC") && text.contains("high   band"),
        "{text}"
    );
    let err = fails(run(&db, &["backtest", "--as-of", "2026-12-01"]));
    assert!(err.contains("not in the past"), "{err}");
}

fn at_risk_ranks_with_reasons_and_filters(engine: Engine) {
    let db = TestDb::demo(engine, 400);
    let all = at_risk_json(&db, &[]);
    assert_eq!(
        all.len() as i64,
        query_i64(&db, "SELECT count(*) FROM accounts WHERE status = 'active'")
    );
    let first = &all[0];
    for key in [
        "account_id",
        "external_id",
        "name",
        "score",
        "band",
        "mrr_cents",
        "stage",
        "reasons",
    ] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    let scores: Vec<f64> = all.iter().map(|r| r["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "ranked by score");
    let reasons = first["reasons"].as_array().unwrap();
    let points: Vec<f64> = reasons
        .iter()
        .map(|r| r["points"].as_f64().unwrap())
        .collect();
    assert!(points.windows(2).all(|w| w[0] >= w[1]), "largest first");
    let sum: f64 = points.iter().sum();
    assert!(
        (sum - first["score"].as_f64().unwrap()).abs() < 0.6,
        "points add up"
    );
    for r in reasons {
        assert!(r["factor"].is_string() && r["detail"].is_string());
    }

    let high = at_risk_json(&db, &["--band", "high"]);
    assert!(!high.is_empty() && high.iter().all(|r| r["band"] == "high"));
    let carmen = at_risk_json(&db, &["--owner", "carmen"]);
    assert!(!carmen.is_empty() && carmen.iter().all(|r| r["owner"] == "carmen"));
    assert_eq!(at_risk_json(&db, &["--limit", "3"]).len(), 3);
    let out = run(&db, &["at-risk", "--band", "severe"]);
    assert_eq!(out.status.code(), Some(2));
}

fn scores_are_kept_once_a_day_and_give_the_trend(engine: Engine) {
    let db = TestDb::demo(engine, 200);
    at_risk_json(&db, &[]);
    at_risk_json(&db, &[]);
    let active = query_i64(&db, "SELECT count(*) FROM accounts WHERE status = 'active'");
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM risk_scores WHERE day = '2026-11-22'"
        ),
        active,
        "one row per account and day, however often scored"
    );
    // The demo keeps a month of history: trends show from the first run.
    let first = at_risk_json(&db, &[]);
    let with_trend = first.iter().filter(|r| r["trend_7d"].is_number()).count();
    assert!(
        with_trend * 10 > first.len() * 8,
        "{with_trend} of {}",
        first.len()
    );
    assert!(first.iter().any(|r| r["trend_30d"].is_number()));
    // Say a week ago everything looked perfect: the trend is then the whole score.
    db.execute(
        "INSERT INTO risk_scores (account_id, day, score, band, points)
         SELECT account_id, '2026-11-15', 0, 'low', '{}' FROM risk_scores WHERE day = '2026-11-22'
         ON CONFLICT (account_id, day) DO UPDATE SET score = excluded.score,
             band = excluded.band, top_factor = excluded.top_factor, points = excluded.points",
        &[],
    );
    let rows = at_risk_json(&db, &[]);
    for r in &rows {
        assert_eq!(r["trend_7d"], r["score"], "{r}");
    }
}

fn a_risk_file_changes_the_bands_and_a_bad_one_is_named(engine: Engine) {
    let db = TestDb::demo(engine, 200);
    let config = temp_dir();
    std::fs::write(
        config.path().join("risk.toml"),
        "[bands]\nhigh = 1.0\nmedium = 0.5\n",
    )
    .unwrap();
    let out = retain()
        .env("RETAIN_CONFIG_DIR", config.path())
        .arg("--db")
        .arg(&db)
        .args(["--today", TODAY, "at-risk", "--json", "--limit", "5000"])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&ok(out)).unwrap();
    let high = |rows: &[serde_json::Value]| rows.iter().filter(|r| r["band"] == "high").count();
    let by_default = high(&at_risk_json(&db, &[]));
    // Every account scoring 1 or more is high now. (The JSON gives scores to a tenth: one
    // shown as 1.0 may be 0.96, below the line.)
    let at_least = |line: f64| {
        rows.iter()
            .filter(|r| r["score"].as_f64().unwrap() >= line)
            .count()
    };
    assert!((at_least(1.1)..=at_least(1.0)).contains(&high(&rows)));
    assert!(
        rows.iter()
            .filter(|r| r["band"] == "high")
            .all(|r| r["score"].as_f64().unwrap() >= 1.0),
        "a high account below the line"
    );
    assert!(
        high(&rows) > 2 * by_default,
        "{} against {by_default}",
        high(&rows)
    );

    std::fs::write(
        config.path().join("risk.toml"),
        "[weights.mid]\nusage = \"lots\"\n",
    )
    .unwrap();
    let out = retain()
        .env("RETAIN_CONFIG_DIR", config.path())
        .arg("--db")
        .arg(&db)
        .args(["--today", TODAY, "at-risk"])
        .output()
        .unwrap();
    let err = fails(out);
    assert!(err.contains("risk.toml") && err.contains("usage"), "{err}");
}

fn changes_since_yesterday_are_new_high_risk_or_big_rises(engine: Engine) {
    let db = TestDb::demo(engine, 1000);
    let out = ok(run(
        &db,
        &["at-risk", "--changes", "--json", "--limit", "500"],
    ));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert!(!rows.is_empty(), "a day of demo activity changes something");
    for r in &rows {
        let rose = r["from"]
            .as_f64()
            .is_none_or(|from| r["score"].as_f64().unwrap() - from >= 10.0);
        assert!(r["new_high"] == true || rose, "{r}");
        assert!(r["factor"].is_string(), "{r}");
    }
    let text = ok(run(&db, &["at-risk", "--changes"]));
    assert!(
        text.contains("rose") || text.contains("new high risk"),
        "{text}"
    );
}

fn slices_of_ids_read_exactly_what_reading_everything_reads(engine: Engine) {
    let db = TestDb::demo(engine, 300);
    let store = store_as_me(&db);
    let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let tomorrow = day.succ_opt().unwrap();
    let bounds = StageBounds::default();
    let all = store
        .risk_subjects(day, tomorrow, &bounds, Scope::All)
        .unwrap();
    let (first, last) = store.account_id_span().unwrap().unwrap();
    let mut sliced = Vec::new();
    let mut from = first;
    while from <= last {
        sliced.extend(
            store
                .risk_subjects(day, tomorrow, &bounds, Scope::Ids(from, from + 37))
                .unwrap(),
        );
        from += 37;
    }
    assert!(all.len() > 150, "{}", all.len());
    assert!(
        all.iter()
            .any(|s| !s.input.touches.is_empty() && !s.input.tickets.is_empty())
    );
    assert_eq!(sliced, all);
    // The stored scores read the same way.
    ok(run(&db, &["at-risk", "--json"]));
    let kept = store.scores_on(day, Scope::All).unwrap();
    let mut kept_sliced = store
        .scores_on(day, Scope::Ids(first, first + 100))
        .unwrap();
    kept_sliced.extend(
        store
            .scores_on(day, Scope::Ids(first + 100, last + 1))
            .unwrap(),
    );
    assert_eq!(kept.len(), all.len());
    assert_eq!(kept_sliced, kept);
}

/// Accounts with no current kept score of `model` for `on`, by id.
fn not_current(store: &Store, model: &RiskModel, on: NaiveDate) -> Vec<i64> {
    store
        .kept_bands(on, model.fingerprint(), Scope::All)
        .unwrap()
        .into_iter()
        .filter(|(_, band)| band.is_none())
        .map(|(id, _)| id)
        .collect::<std::collections::BTreeSet<i64>>()
        .into_iter()
        .collect()
}

fn a_kept_score_is_current_until_a_fact_of_its_account_changes(engine: Engine) {
    let db = TestDb::demo(engine, 200);
    let today: NaiveDate = TODAY.parse().unwrap();
    let model = RiskModel::default();
    let mut store = store_as_me(&db);
    let active: Vec<i64> = not_current(&store, &model, today);
    assert!(active.len() > 100, "nothing is kept for today yet");

    retain::services::scoring::score_and_keep(&mut store, &model, today, Scope::All).unwrap();
    assert!(not_current(&store, &model, today).is_empty());
    let other = RiskModel::from_toml("[bands]\nhigh = 50.0\n").unwrap();
    assert_eq!(
        not_current(&store, &other, today),
        active,
        "another model's"
    );
    let tomorrow = today.succ_opt().unwrap();
    assert_eq!(
        not_current(&store, &model, tomorrow),
        active,
        "another day's"
    );

    // Every path that writes a fact: the CLI, a script's back-dated rows, a payment's attempt
    // (of the account of its payment), the account's own dates. Its shared notes are no fact.
    let paying = query_i64(
        &db,
        "SELECT p.account_id FROM failed_payments p JOIN accounts a ON a.id = p.account_id
         WHERE a.status = 'active' ORDER BY p.id LIMIT 1",
    );
    let others: Vec<i64> = active.iter().copied().filter(|&id| id != paying).collect();
    ok(run(
        &db,
        &["log", &others[0].to_string(), "--note", "checked in"],
    ));
    db.execute(
        &format!(
            "INSERT INTO tickets (account_id, subject, opened_at)
             VALUES ({}, 'slow', '2026-10-01T09:00:00Z')",
            others[1]
        ),
        &[],
    );
    db.execute(
        &format!(
            "INSERT INTO payment_attempts (payment_id, attempted_at, outcome, decline_code, automatic)
             VALUES ((SELECT min(id) FROM failed_payments WHERE account_id = {paying}),
                     '2026-11-20T09:00:00Z', 'failed', 'expired_card', 1)"
        ),
        &[],
    );
    db.execute(
        &format!(
            "UPDATE accounts SET renewal_date = '2027-01-15' WHERE id = {}",
            others[2]
        ),
        &[],
    );
    db.execute(
        &format!(
            "UPDATE accounts SET notes = 'plan' WHERE id = {}",
            others[3]
        ),
        &[],
    );
    let mut changed = vec![others[0], others[1], others[2], paying];
    changed.sort();
    assert_eq!(not_current(&store, &model, today), changed);

    // A change made while a scorer reads is not taken as read: the count is read first.
    let seen = store.fact_changes(Scope::All).unwrap();
    db.execute(
        &format!(
            "INSERT INTO nps_responses (account_id, responded_at, score)
             VALUES ({}, '2026-11-21T09:00:00Z', 2)",
            others[4]
        ),
        &[],
    );
    let subject = store
        .risk_subjects(
            today,
            tomorrow,
            &StageBounds::default(),
            Scope::Account(others[4]),
        )
        .unwrap()
        .pop()
        .unwrap();
    let risk = score(&subject.input, &model);
    let current = retain::store::Current {
        model: model.fingerprint(),
        seen: &seen,
    };
    assert!(
        store
            .keep_scores(today, &[(others[4], &risk)], current)
            .unwrap()
    );
    assert!(not_current(&store, &model, today).contains(&others[4]));

    retain::services::scoring::score_and_keep(&mut store, &model, today, Scope::Listed(&changed))
        .unwrap();
    assert_eq!(not_current(&store, &model, today), vec![others[4]]);
}

fn scores_are_not_kept_while_another_writer_holds_the_file_and_nothing_waits_for_it(
    engine: Engine,
) {
    let db = TestDb::demo(engine, 120);
    let today: NaiveDate = TODAY.parse().unwrap();
    let model = RiskModel::default();
    let mut store = store_as_me(&db);
    let active = not_current(&store, &model, today);

    // An import, say, holding the database's writes for as long as it takes.
    let import = Writer::holding(&db);
    let started = std::time::Instant::now();
    let scored =
        retain::services::scoring::score_and_keep(&mut store, &model, today, Scope::All).unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "waited {:?} for the other writer",
        started.elapsed()
    );
    assert_eq!(
        scored.len(),
        active.len(),
        "every account scored all the same"
    );
    assert_eq!(not_current(&store, &model, today), active, "none kept");

    drop(import);
    retain::services::scoring::score_and_keep(&mut store, &model, today, Scope::All).unwrap();
    assert!(not_current(&store, &model, today).is_empty());
}

/// Another writer in the middle of its transaction, holding the database's write lock (a
/// file's, or the server's lock row that retain's writers take) until it is dropped.
enum Writer {
    File(rusqlite::Connection),
    Server(postgres::Client),
}

impl Writer {
    fn holding(db: &TestDb) -> Writer {
        match db.engine() {
            Engine::File => {
                let conn = rusqlite::Connection::open(db.arg()).unwrap();
                conn.execute_batch("BEGIN IMMEDIATE").unwrap();
                Writer::File(conn)
            }
            Engine::Server => {
                let mut client = db.server().client();
                client
                    .batch_execute(&format!(
                        "BEGIN; SELECT 1 FROM {} FOR UPDATE",
                        retain::store::postgres::migrate::WRITE_LOCK_TABLE
                    ))
                    .unwrap();
                Writer::Server(client)
            }
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Committed, not just closed: on the server the lock is then let go before this
        // returns. Never a panic here: a test that failed is unwinding already.
        let _ = match self {
            Writer::File(conn) => conn.execute_batch("COMMIT").is_ok(),
            Writer::Server(client) => client.batch_execute("COMMIT").is_ok(),
        };
    }
}
