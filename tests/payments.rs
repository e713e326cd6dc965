//! The retry queues from the shell: real processes on a real database of either engine.

mod common;

on_both_engines!(
    every_payment_lands_in_the_queue_its_decline_calls_for,
    due_lists_only_what_is_due_now_and_queues_filter,
    run_hands_each_due_retry_to_the_command_and_records_its_answer,
    a_declined_retry_is_recorded_and_scheduled_by_its_new_code,
    a_crashing_or_babbling_command_records_nothing_and_is_reported,
    rep_actions_move_a_payment_through_its_queues,
    the_report_splits_recovery_by_month_class_and_how_it_was_won,
    a_held_payment_an_import_resolves_is_held_no_more,
);

use common::engine::{Db, Engine, TestDb};
use common::payments::*;
use common::*;

fn every_payment_lands_in_the_queue_its_decline_calls_for(engine: Engine) {
    let db = TestDb::demo(engine, 300);
    let soft = failing(&db, "in_soft", "2026-11-20T09:00:00Z", "processing_error");
    let card = failing(&db, "in_card", "2026-11-20T09:00:00Z", "expired_card");
    let auth = failing(
        &db,
        "in_auth",
        "2026-11-20T09:00:00Z",
        "authentication_required",
    );
    let fraud = failing(&db, "in_fraud", "2026-11-20T09:00:00Z", "stolen_card");
    let odd = failing(&db, "in_odd", "2026-11-20T09:00:00Z", "issuer_on_strike");
    let items = queue(&db, &[]);
    let find = |id: i64| {
        items
            .iter()
            .find(|i| i["payment_id"] == id)
            .unwrap()
            .clone()
    };
    for key in [
        "payment_id",
        "account_id",
        "name",
        "amount_cents",
        "currency",
        "decline_code",
        "class",
        "attempts",
        "next_retry_at",
        "queue",
    ] {
        assert!(find(soft).get(key).is_some(), "{key} missing");
    }
    assert_eq!(find(soft)["queue"], "due");
    assert_eq!(find(soft)["class"], "soft");
    assert_eq!(find(card)["queue"], "new-card");
    assert!(
        find(card)["meaning"]
            .as_str()
            .unwrap()
            .contains("card details")
    );
    assert_eq!(find(auth)["queue"], "customer-action");
    assert_eq!(find(fraud)["queue"], "do-not-retry");
    assert_eq!(find(odd)["class"], "ambiguous");
    assert_eq!(find(odd)["unknown_code"], true);
    assert_eq!(find(soft)["attempts_cap"], 8);
}

fn due_lists_only_what_is_due_now_and_queues_filter(engine: Engine) {
    let db = TestDb::demo(engine, 300);
    let soft = failing(&db, "in_soft", "2026-11-20T09:00:00Z", "processing_error");
    failing(
        &db,
        "in_later",
        "2026-11-22T09:00:00Z",
        "insufficient_funds",
    );
    let due = queue(&db, &["due"]);
    assert!(due.iter().any(|i| i["payment_id"] == soft));
    assert!(due.iter().all(|i| i["queue"] == "due"));
    for q in [
        "new-card",
        "customer-action",
        "do-not-retry",
        "exhausted",
        "recovered",
        "expiring",
    ] {
        let items = queue(&db, &["--queue", q]);
        assert!(items.iter().all(|i| i["queue"] == q), "{q}");
    }
    assert!(
        !queue(&db, &["--queue", "recovered"]).is_empty(),
        "the demo recovers payments"
    );
    let text = ok(run(&db, &["payments"]));
    assert!(
        text.contains("due") && text.contains("processing_error"),
        "{text}"
    );
    assert_eq!(
        run(&db, &["payments", "--queue", "someday"]).status.code(),
        Some(2)
    );
}

fn attempts_of(db: &TestDb, payment: i64) -> Vec<(String, Option<String>)> {
    db.rows(
        &format!(
            "SELECT outcome, decline_code FROM payment_attempts WHERE payment_id = {payment} ORDER BY id"
        ),
        &[],
    )
    .into_iter()
    .map(|r| (r[0].clone().unwrap(), r[1].clone()))
    .collect()
}

fn status_of(db: &TestDb, payment: i64) -> String {
    db.query_text(
        &format!("SELECT status FROM failed_payments WHERE id = {payment}"),
        &[],
    )
    .unwrap()
}

fn run_hands_each_due_retry_to_the_command_and_records_its_answer(engine: Engine) {
    let dir = temp_dir();
    let db = TestDb::demo(engine, 300);
    only_ours_due(&db);
    let won = failing(&db, "in_won", "2026-11-20T09:00:00Z", "processing_error");
    let seen = dir.path().join("seen.json");
    let cmd = script(
        &dir,
        "charge.sh",
        &format!(
            "cat > {}\necho '{{\"outcome\":\"succeeded\",\"attempt_id\":\"ch_won\"}}'",
            seen.display()
        ),
    );
    let out = ok(run(&db, &["payments", "run", "--exec", &cmd]));
    assert!(out.contains("succeeded"), "{out}");
    let given: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&seen).unwrap()).unwrap();
    assert_eq!(given["payment_id"], won);
    assert_eq!(given["decline_code"], "processing_error");
    assert_eq!(given["queue"], "due");
    assert_eq!(status_of(&db, won), "recovered");
    assert_eq!(attempts_of(&db, won).last().unwrap().0, "succeeded");
    // Nothing is due any more: a second run charges nobody.
    assert!(ok(run(&db, &["payments", "run", "--exec", &cmd])).contains("no retry is due"));
}

fn a_declined_retry_is_recorded_and_scheduled_by_its_new_code(engine: Engine) {
    let dir = temp_dir();
    let db = TestDb::demo(engine, 300);
    only_ours_due(&db);
    let p = failing(&db, "in_poor", "2026-11-20T09:00:00Z", "processing_error");
    let cmd = script(
        &dir,
        "decline.sh",
        "cat >/dev/null\necho '{\"outcome\":\"failed\",\"decline_code\":\"insufficient_funds\"}'",
    );
    let out = ok(run(&db, &["payments", "run", "--exec", &cmd, "--json"]));
    let ran: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(ran.len(), 1, "{out}");
    assert_eq!(ran[0]["recorded"], true);
    assert_eq!(
        attempts_of(&db, p),
        [
            ("failed".to_string(), Some("processing_error".to_string())),
            ("failed".to_string(), Some("insufficient_funds".to_string()))
        ]
    );
    let items = queue(&db, &[]);
    let item = items.iter().find(|i| i["payment_id"] == p).unwrap();
    assert_eq!(item["class"], "insufficient-funds");
    assert_eq!(item["attempts"], 2);
    // Insufficient funds wait for the next payday: the 1st of December.
    assert!(
        item["next_retry_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-12-01"),
        "{item}"
    );
}

fn a_crashing_or_babbling_command_records_nothing_and_is_reported(engine: Engine) {
    let dir = temp_dir();
    let db = TestDb::demo(engine, 300);
    only_ours_due(&db);
    let p = failing(&db, "in_x", "2026-11-20T09:00:00Z", "processing_error");
    let before = db.dump();
    // A hook that says by its exit status that it failed charged nothing: the payment stays due.
    let cmd = script(&dir, "crash.sh", "echo 'card API down' >&2\nexit 3");
    let err = fails(run(&db, &["payments", "run", "--exec", &cmd]));
    assert!(err.contains("status 3: card API down"), "{err}");
    assert!(err.contains(&format!("payment {p}")), "{err}");
    assert_eq!(db.dump(), before, "crash.sh recorded something");
    // One that exits 0 without an answer retain can read may have charged: nothing is recorded,
    // and the payment is held for a person.
    for (name, body, says) in [
        ("babble.sh", "echo 'OK!'", "is not {\"outcome\""),
        (
            "vague.sh",
            "echo '{\"outcome\":\"failed\"}'",
            "without a decline_code",
        ),
    ] {
        let cmd = script(&dir, name, body);
        let err = fails(run(&db, &["payments", "run", "--exec", &cmd]));
        assert!(err.contains(says) && err.contains("held"), "{name}: {err}");
        assert!(err.contains(&format!("payment {p}")), "{name}: {err}");
        assert_eq!(attempts_of(&db, p).len(), 1, "{name} recorded an attempt");
        let item = queue(&db, &[])
            .into_iter()
            .find(|i| i["payment_id"] == p)
            .unwrap();
        assert!(item["held_since"].is_string(), "{name}: {item}");
        // A rep settles it, and it is due again for the next script.
        db.execute(
            "UPDATE failed_payments SET hook_unsettled_at = NULL, hook_unsettled_why = NULL",
            &[],
        );
    }
}

fn rep_actions_move_a_payment_through_its_queues(engine: Engine) {
    let db = TestDb::demo(engine, 300);
    let p = failing(&db, "in_card", "2026-11-20T09:00:00Z", "expired_card");
    let id = p.to_string();
    let queue_of = |db: &TestDb| {
        let items = queue(db, &[]);
        items.iter().find(|i| i["payment_id"] == p).unwrap()["queue"].clone()
    };
    assert_eq!(queue_of(&db), "new-card");
    ok(run(&db, &["payments", "card-updated", &id]));
    assert_eq!(queue_of(&db), "due", "a new card is tried at once");
    ok(run(
        &db,
        &[
            "payments",
            "pause",
            &id,
            "--until",
            "2026-12-01",
            "--reason",
            "promised to pay",
        ],
    ));
    assert_eq!(queue_of(&db), "paused");
    ok(run(&db, &["payments", "resume", &id]));
    assert_eq!(queue_of(&db), "due");
    // A typed code the policy does not know is refused, with the one meant.
    let err = fails(run(
        &db,
        &["payments", "record", &id, "--failed", "insufficent_funds"],
    ));
    assert!(
        err.contains("\"insufficent_funds\" is not a decline code the retry policy knows")
            && err.contains("did you mean insufficient_funds?"),
        "{err}"
    );
    assert_eq!(attempts_of(&db, p).len(), 1, "nothing recorded");
    ok(run(
        &db,
        &["payments", "record", &id, "--failed", "do_not_honor"],
    ));
    assert_eq!(attempts_of(&db, p).len(), 2);
    ok(run(
        &db,
        &[
            "payments",
            "write-off",
            &id,
            "--reason",
            "customer unreachable",
        ],
    ));
    assert_eq!(status_of(&db, p), "written_off");
    // Nothing more can be done with it.
    let err = fails(run(&db, &["payments", "record", &id, "--succeeded"]));
    assert!(err.contains("written_off, not failing"), "{err}");
    // The account cancels afterwards: its churn is involuntary.
    db.execute(
        "UPDATE accounts SET status = 'churned', churned_at = '2026-11-23', churn_kind = 'voluntary'
         WHERE id = 1 AND status = 'active'",
        &[],
    );
    let kind = db.query_text("SELECT churn_kind FROM accounts WHERE id = 1", &[]);
    assert_eq!(kind.as_deref(), Some("involuntary"));
}

fn the_report_splits_recovery_by_month_class_and_how_it_was_won(engine: Engine) {
    let db = TestDb::demo(engine, 300);
    let report: serde_json::Value =
        serde_json::from_str(&ok(run(&db, &["payments", "report", "--json"]))).unwrap();
    let first = &report["currencies"][0];
    let total = &first["total"];
    let rate = total["recovery_rate"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&rate), "{total}");
    assert!(total["recovered_cents"].as_i64().unwrap() <= total["failed_cents"].as_i64().unwrap());
    assert!(!first["by_month"].as_object().unwrap().is_empty());
    assert!(!first["by_class"].as_object().unwrap().is_empty());
    assert!(first["recovered_by"].get("retry").is_some());
    assert!(report["involuntary_churn"]["accounts"].as_u64().unwrap() > 0);
    let text = ok(run(&db, &["payments", "report"]));
    assert!(text.contains("by month of first failure"), "{text}");
    assert!(text.contains("involuntary churn:"), "{text}");
}

/// A payment a hook left in doubt, then resolved by the billing system's export (recovered, or
/// written off there): it is settled, not shown HELD beside its resolution.
fn a_held_payment_an_import_resolves_is_held_no_more(engine: Engine) {
    let dir = temp_dir();
    let db = TestDb::demo(engine, 300);
    let p = failing(&db, "in_held", "2026-11-20T09:00:00Z", "insufficient_funds");
    db.execute(
        &format!(
            "UPDATE failed_payments SET hook_unsettled_at = '2026-11-21T10:00:00Z',
                 hook_unsettled_why = 'handed to the billing hook, which never answered'
             WHERE id = {p}"
        ),
        &[],
    );
    let item = |db: &TestDb| {
        queue(db, &[])
            .into_iter()
            .find(|i| i["payment_id"] == p)
            .unwrap()
    };
    assert!(item(&db)["held_since"].is_string(), "{}", item(&db));
    let account = db
        .query_text("SELECT external_id FROM accounts WHERE id = 1", &[])
        .unwrap();
    let csv = dir.path().join("payments.csv");
    std::fs::write(
        &csv,
        format!(
            "account,external_ref,amount,currency,first_failed_at,decline_code,status,resolved_at\n\
             {account},in_held,99.00,USD,2026-11-20T09:00:00Z,insufficient_funds,recovered,2026-11-22\n"
        ),
    )
    .unwrap();
    ok(run(&db, &["import", "payments", csv.to_str().unwrap()]));
    let settled = item(&db);
    assert!(settled["held_since"].is_null(), "{settled}");
    assert_eq!(settled["queue"], "recovered", "{settled}");
    assert_eq!(
        db.query_text(
            &format!("SELECT status FROM failed_payments WHERE id = {p}"),
            &[]
        )
        .as_deref(),
        Some("recovered")
    );
    // Imported again, it stays so, and changes nothing.
    let again = ok(run(&db, &["import", "payments", csv.to_str().unwrap()]));
    assert!(again.contains("0 added, 0 updated, 1 unchanged"), "{again}");
}
