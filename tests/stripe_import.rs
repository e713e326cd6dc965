//! `retain import stripe`: each event type, the three file shapes, idempotence and
//! all-or-nothing, on a real database of either engine through the real binary.

mod common;

on_both_engines!(
    every_event_type_lands_where_it_belongs_and_one_decline_counts_once,
    importing_the_same_file_twice_changes_nothing,
    arrays_api_lists_and_bare_objects_are_read_alike,
    a_bad_item_anywhere_rejects_the_file_naming_the_place_and_field,
    the_same_events_give_the_same_database_in_any_order_and_any_replays,
    advice_and_the_earliest_success_survive_any_order,
);

use std::path::{Path, PathBuf};

use common::engine::{Db, Engine, TestDb};
use common::*;
use serde_json::{Value, json};

/// An empty database with two accounts whose external ids are Stripe customers.
fn accounts(engine: Engine) -> TestDb {
    let db = TestDb::new(engine);
    ok(run(&db, &["init"]));
    for (id, name) in [("cus_A", "Acme Ltd"), ("cus_B", "Birch & Co")] {
        db.execute(
            "INSERT INTO accounts (external_id, name, mrr_cents, customer_since, updated_at)
             VALUES (?1, ?2, 49900, '2025-01-10', '2026-11-01T00:00:00Z')",
            &[id, name],
        );
    }
    db
}

fn event(id: &str, kind: &str, created: i64, object: Value) -> Value {
    json!({"id": id, "object": "event", "type": kind, "created": created, "data": {"object": object}})
}

fn charge(
    id: &str,
    invoice: &str,
    customer: &str,
    status: &str,
    reason: Option<&str>,
    at: i64,
) -> Value {
    json!({
        "id": id, "object": "charge", "status": status, "amount": 49900, "currency": "usd",
        "customer": customer, "invoice": invoice, "created": at,
        "failure_code": reason.map(|_| "card_declined"),
        "outcome": {"reason": reason, "advice_code": null},
        "payment_method_details": {"card": {"brand": "visa", "last4": "4242", "exp_month": 10, "exp_year": 2026}}
    })
}

// 2026-11-10T09:00:00Z and the following hours.
const T: i64 = 1_794_301_200;

/// Every event type the importer knows, and two it does not.
fn events() -> Vec<Value> {
    vec![
        event(
            "evt_1",
            "charge.failed",
            T,
            charge("ch_1", "in_1", "cus_A", "failed", Some("expired_card"), T),
        ),
        event(
            "evt_2",
            "payment_intent.payment_failed",
            T + 1,
            json!({
                "id": "pi_1", "object": "payment_intent", "amount": 49900, "currency": "usd",
                "customer": "cus_A", "invoice": "in_1", "created": T,
                "last_payment_error": {"code": "card_declined", "decline_code": "expired_card", "charge": "ch_1"}
            }),
        ),
        event(
            "evt_3",
            "invoice.payment_failed",
            T + 2,
            json!({
                "id": "in_1", "object": "invoice", "customer": "cus_A", "amount_due": 49900,
                "currency": "usd", "attempt_count": 1, "status": "open", "created": T - 60
            }),
        ),
        event(
            "evt_4",
            "charge.failed",
            T + 3600,
            charge(
                "ch_2",
                "in_2",
                "cus_B",
                "failed",
                Some("insufficient_funds"),
                T + 3600,
            ),
        ),
        event(
            "evt_5",
            "invoice.paid",
            T + 90_000,
            json!({
                "id": "in_2", "object": "invoice", "customer": "cus_B", "amount_due": 49900,
                "currency": "usd", "status": "paid", "created": T,
                "status_transitions": {"paid_at": T + 90_000}
            }),
        ),
        event(
            "evt_6",
            "charge.succeeded",
            T + 100,
            charge("ch_3", "in_3", "cus_B", "succeeded", None, T + 100),
        ),
        event(
            "evt_7",
            "customer.source.expiring",
            T + 200_000,
            json!({
                "id": "card_9", "object": "card", "customer": "cus_B", "brand": "mastercard",
                "last4": "5555", "exp_month": 11, "exp_year": 2026
            }),
        ),
        event(
            "evt_8",
            "customer.created",
            T,
            json!({"id": "cus_C", "object": "customer"}),
        ),
        event(
            "evt_9",
            "charge.failed",
            T,
            charge("ch_9", "in_9", "cus_Z", "failed", Some("do_not_honor"), T),
        ),
    ]
}

fn ndjson(values: &[Value]) -> String {
    values.iter().map(|v| format!("{v}\n")).collect()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn import(db: &TestDb, file: &Path) -> Value {
    serde_json::from_str(&ok(run(
        db,
        &["import", "stripe", file.to_str().unwrap(), "--json"],
    )))
    .unwrap()
}

fn payments(db: &TestDb) -> Vec<Value> {
    serde_json::from_str(&ok(run(db, &["payments", "--json"]))).unwrap()
}

fn every_event_type_lands_where_it_belongs_and_one_decline_counts_once(engine: Engine) {
    let dir = temp_dir();
    let db = accounts(engine);
    let file = write(&dir, "events.ndjson", &ndjson(&events()));
    let counts = import(&db, &file);
    assert_eq!(counts["payments_opened"], 2, "{counts}");
    assert_eq!(counts["recovered"], 1);
    assert_eq!(counts["paid_without_failure"], 1);
    assert_eq!(counts["skipped"]["customer.created"], 1);
    assert_eq!(counts["unmatched_customers"]["cus_Z"], 1);

    let attempts = query_i64(
        &db,
        "SELECT count(*) FROM payment_attempts a JOIN failed_payments p ON p.id = a.payment_id
         WHERE p.external_ref = 'in_1'",
    );
    assert_eq!(attempts, 1, "charge, intent and invoice report one decline");

    let items = payments(&db);
    let by_ref = |name: &str| {
        items
            .iter()
            .find(|i| i["name"] == name && i["queue"] != "expiring")
            .unwrap()
    };
    let acme = by_ref("Acme Ltd");
    assert_eq!(acme["queue"], "new-card");
    assert_eq!(acme["decline_code"], "expired_card");
    assert_eq!(acme["amount_cents"], 49900);
    assert_eq!(acme["currency"], "USD");
    assert_eq!(by_ref("Birch & Co")["queue"], "recovered");
    // The expiring card reported for Birch (November 2026) puts it in the prevention queue.
    let expiring: Vec<Value> = serde_json::from_str(&ok(run(
        &db,
        &["payments", "--queue", "expiring", "--json"],
    )))
    .unwrap();
    assert!(
        expiring
            .iter()
            .any(|i| i["name"] == "Birch & Co" && i["card_expires"] == "2026-11"),
        "{expiring:?}"
    );
}

fn importing_the_same_file_twice_changes_nothing(engine: Engine) {
    let dir = temp_dir();
    let db = accounts(engine);
    let file = write(&dir, "events.ndjson", &ndjson(&events()));
    import(&db, &file);
    let once = dump(&db);
    let again = import(&db, &file);
    assert_eq!(again["payments_opened"], 0);
    assert_eq!(again["attempts_recorded"], 0);
    assert_eq!(again["cards_noted"], 0);
    assert_eq!(dump(&db), once);
}

fn arrays_api_lists_and_bare_objects_are_read_alike(engine: Engine) {
    let dir = temp_dir();
    let db = accounts(engine);
    let bare = vec![
        charge(
            "ch_1",
            "in_1",
            "cus_A",
            "failed",
            Some("processing_error"),
            T,
        ),
        json!({"id": "in_1", "object": "invoice", "customer": "cus_A", "amount_due": 49900,
               "currency": "usd", "status": "paid", "created": T + 5000}),
        json!({"id": "pi_7", "object": "payment_intent", "customer": {"id": "cus_B", "object": "customer"},
               "amount": 1500, "currency": "eur", "created": T, "status": "requires_payment_method",
               "last_payment_error": {"code": "card_declined", "decline_code": "generic_decline"}}),
    ];
    let array = write(
        &dir,
        "array.json",
        &serde_json::to_string_pretty(&bare).unwrap(),
    );
    let counts = import(&db, &array);
    assert_eq!(counts["payments_opened"], 2, "{counts}");
    assert_eq!(counts["recovered"], 1);
    // The same objects again, as an API list: all known already.
    let list = write(
        &dir,
        "list.json",
        &json!({"object": "list", "data": bare, "has_more": false}).to_string(),
    );
    let counts = import(&db, &list);
    assert_eq!(counts["payments_opened"], 0);
    assert_eq!(counts["unchanged"], 3, "{counts}");
    let items = payments(&db);
    let birch = items.iter().find(|i| i["name"] == "Birch & Co").unwrap();
    assert_eq!(birch["currency"], "EUR");
    assert_eq!(birch["class"], "ambiguous");
}

fn a_bad_item_anywhere_rejects_the_file_naming_the_place_and_field(engine: Engine) {
    let dir = temp_dir();
    let db = accounts(engine);
    let before = dump(&db);
    let mut items = events();
    items[3]["data"]["object"]["amount"] = json!("499.00");
    let file = write(&dir, "bad.ndjson", &ndjson(&items));
    let err = fails(run(&db, &["import", "stripe", file.to_str().unwrap()]));
    assert!(
        err.contains("bad.ndjson: line 4: data.object.amount"),
        "{err}"
    );
    assert!(err.contains("whole number"), "{err}");
    assert_eq!(dump(&db), before, "nothing of the file was applied");

    let mut items = events();
    items.truncate(2);
    items[1]["data"]["object"]["customer"] = Value::Null;
    let file = write(&dir, "bad.json", &serde_json::to_string(&items).unwrap());
    let err = fails(run(&db, &["import", "stripe", file.to_str().unwrap()]));
    assert!(
        err.contains("item 2: data.object.customer: is missing"),
        "{err}"
    );

    let file = write(
        &dir,
        "broken.json",
        "[{\"object\": \"charge\",\n  \"id\": }]",
    );
    let err = fails(run(&db, &["import", "stripe", file.to_str().unwrap()]));
    assert!(err.contains("broken.json: line 2, column"), "{err}");

    let err = fails(run(&db, &["import", "stripe", "/nonexistent/export.json"]));
    assert!(err.contains("/nonexistent/export.json"), "{err}");
    assert_eq!(dump(&db), before);
}

/// What the database knows of payments and cards, by the billing system's own keys (row ids
/// and the audit log record the order files came in, not what they say).
fn facts(db: &TestDb) -> Vec<String> {
    let mut out = Vec::new();
    for (columns, from) in [
        (
            "p.external_ref, a.external_id, p.amount_cents, p.currency, p.first_failed_at,
             p.last_decline_code, p.attempt_count, p.next_retry_at, p.status, p.resolved_at,
             p.card_exp_month, p.card_exp_year",
            "failed_payments p JOIN accounts a ON a.id = p.account_id",
        ),
        (
            "p.external_ref, t.external_ref, t.outcome, t.decline_code, t.attempted_at",
            "payment_attempts t JOIN failed_payments p ON p.id = t.payment_id",
        ),
        (
            "a.external_id, c.brand, c.last4, c.exp_month, c.exp_year",
            "account_cards c JOIN accounts a ON a.id = c.account_id",
        ),
        ("payment_ref, attempt_ref, paid_at", "billing_paid"),
    ] {
        // Every column as text, in both engines' words.
        let texts: Vec<String> = columns
            .split(',')
            .map(|c| format!("CAST({} AS TEXT)", c.trim()))
            .collect();
        let sql = format!("SELECT {} FROM {from} ORDER BY 1, 2", texts.join(", "));
        out.extend(db.rows(&sql, &[]).into_iter().map(|r| format!("{r:?}")));
    }
    out
}

fn the_same_events_give_the_same_database_in_any_order_and_any_replays(engine: Engine) {
    let dir = temp_dir();
    let one_by_one: Vec<PathBuf> = events()
        .iter()
        .enumerate()
        .map(|(i, e)| write(&dir, &format!("e{i}.json"), &format!("[{e}]")))
        .collect();
    let forward = accounts(engine);
    for file in &one_by_one {
        import(&forward, file);
    }
    let n = one_by_one.len();
    let orders: Vec<Vec<usize>> = vec![
        (0..n).rev().collect(),
        (0..n)
            .filter(|i| i % 2 == 1)
            .chain((0..n).filter(|i| i % 2 == 0))
            .collect(),
        vec![4, 8, 2, 6, 0, 7, 3, 5, 1],
    ];
    let mut last = None;
    for order in orders {
        let db = accounts(engine);
        for &i in &order {
            import(&db, &one_by_one[i]);
        }
        // Every file again, in yet another order.
        for &i in order.iter().rev() {
            import(&db, &one_by_one[i]);
        }
        assert_eq!(facts(&forward), facts(&db), "in the order {order:?}");
        last = Some(db);
    }
    let backward = last.unwrap();
    // The invoice paid before its failure was heard of is recovered, not left failing.
    let recovered = payments(&backward)
        .into_iter()
        .find(|p| p["decline_code"] == "insufficient_funds")
        .unwrap();
    assert_eq!(recovered["queue"], "recovered", "{recovered}");
}

fn advice_and_the_earliest_success_survive_any_order(engine: Engine) {
    let dir = temp_dir();
    let advice = {
        let mut c = charge("ch_1", "in_1", "cus_A", "failed", Some("do_not_honor"), T);
        c["outcome"]["advice_code"] = json!("do_not_try_again");
        event("evt_1", "charge.failed", T, c)
    };
    let counted = event(
        "evt_2",
        "invoice.payment_failed",
        T + 2,
        json!({"id": "in_1", "object": "invoice", "customer": "cus_A", "amount_due": 49900,
               "currency": "usd", "attempt_count": 1, "status": "open", "created": T - 60}),
    );
    let failed = event(
        "evt_3",
        "charge.failed",
        T,
        charge(
            "ch_2",
            "in_2",
            "cus_B",
            "failed",
            Some("insufficient_funds"),
            T,
        ),
    );
    let paid = event(
        "evt_4",
        "invoice.paid",
        T + 90_000,
        json!({"id": "in_2", "object": "invoice", "customer": "cus_B", "amount_due": 49900,
               "currency": "usd", "status": "paid", "created": T,
               "status_transitions": {"paid_at": T + 90_000}}),
    );
    let succeeded = event(
        "evt_5",
        "charge.succeeded",
        T + 89_990,
        charge("ch_3", "in_2", "cus_B", "succeeded", None, T + 89_990),
    );
    let all = [advice, counted, failed, paid, succeeded];
    let files: Vec<PathBuf> = all
        .iter()
        .enumerate()
        .map(|(i, e)| write(&dir, &format!("a{i}.json"), &format!("[{e}]")))
        .collect();
    let mut seen: Option<Vec<String>> = None;
    for order in [[0, 1, 2, 3, 4], [1, 0, 2, 4, 3], [3, 4, 2, 1, 0]] {
        let db = accounts(engine);
        for i in order {
            import(&db, &files[i]);
        }
        let facts = facts(&db);
        assert!(
            facts
                .iter()
                .any(|f| f.contains("\"in_1\"") && f.contains("do_not_honor")),
            "{facts:?}"
        );
        let advice = db
            .query_text(
                "SELECT coalesce(advice_code, '') FROM failed_payments WHERE external_ref = 'in_1'",
                &[],
            )
            .unwrap();
        assert_eq!(advice, "do_not_try_again", "in the order {order:?}");
        if let Some(seen) = &seen {
            assert_eq!(seen, &facts, "in the order {order:?}");
        }
        seen = Some(facts);
    }
}
