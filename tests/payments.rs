//! The retry queues from the shell: real processes on a real file.

mod common;

use common::*;
use rusqlite::{Connection, params};

fn demo(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = db_in(dir, "payments.db");
    ok(run(&db, &["demo", "--accounts", "300"]));
    db
}

/// A payment that failed on `when` with `code`, on account 1.
fn failing(db: &std::path::Path, reference: &str, when: &str, code: &str) -> i64 {
    let conn = Connection::open(db).unwrap();
    conn.execute(
        "INSERT INTO failed_payments (account_id, external_ref, amount_cents, currency,
             first_failed_at, last_decline_code, status)
         VALUES (1, ?1, 9900, 'USD', ?2, ?3, 'failing')",
        params![reference, when, code],
    )
    .unwrap();
    let id = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO payment_attempts (payment_id, attempted_at, outcome, decline_code, automatic)
         VALUES (?1, ?2, 'failed', ?3, 1)",
        params![id, when, code],
    )
    .unwrap();
    id
}

fn queue(db: &std::path::Path, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["payments"];
    all.extend_from_slice(args);
    all.push("--json");
    serde_json::from_str(&ok(run(db, &all))).unwrap()
}

#[test]
fn every_payment_lands_in_the_queue_its_decline_calls_for() {
    let dir = temp_dir();
    let db = demo(&dir);
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

#[test]
fn due_lists_only_what_is_due_now_and_queues_filter() {
    let dir = temp_dir();
    let db = demo(&dir);
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
