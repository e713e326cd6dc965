//! `retain card ACCOUNT`: the call card for scripts, through the real binary on a demo file.

mod common;

use common::*;

#[test]
fn the_card_prints_what_a_rep_needs_on_a_call_in_text_and_json() {
    let dir = temp_dir();
    let db = db_in(&dir, "card.db");
    ok(run(&db, &["demo", "--accounts", "300"]));
    // An active account with contacts, and a payment failing (made here: a small demo need
    // not have one).
    let id = query_i64(
        &db,
        "SELECT a.id FROM accounts a
         WHERE a.status = 'active' AND EXISTS (SELECT 1 FROM contacts c WHERE c.account_id = a.id)
         ORDER BY a.id LIMIT 1",
    )
    .to_string();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO failed_payments (account_id, external_ref, amount_cents, currency,
             first_failed_at, last_decline_code, status)
         VALUES (?1, 'ch_card', 9900, 'USD', '2026-11-20T09:00:00Z', 'insufficient_funds', 'failing')",
        [&id],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO payment_attempts (payment_id, attempted_at, outcome, decline_code, automatic)
         VALUES (last_insert_rowid(), '2026-11-20T09:00:00Z', 'failed', 'insufficient_funds', 1)",
        [],
    )
    .unwrap();
    let text = ok(run(&db, &["card", &id]));
    assert!(
        text.starts_with(&format!("account {id} · active\n")),
        "{text}"
    );
    assert!(text.contains("MRR ") && text.contains("stage"), "{text}");
    // The decline in words a rep can say, and counts in English.
    let payment = text
        .lines()
        .find(|l| l.starts_with("payment failing: "))
        .unwrap_or_else(|| panic!("{text}"));
    let (_, said) = payment
        .split_once(": ")
        .unwrap()
        .1
        .split_once(": ")
        .unwrap();
    assert!(said.split(' ').count() > 3, "{payment}");
    assert!(!text.contains(" 1 attempts"), "{text}");
    assert!(text.contains("\nContacts\n"), "{text}");
    assert!(text.contains("risk "), "{text}");

    let card: serde_json::Value =
        serde_json::from_str(&ok(run(&db, &["card", &id, "--json"]))).unwrap();
    assert_eq!(card["row"]["account_id"].to_string(), id);
    assert!(!card["contacts"].as_array().unwrap().is_empty(), "{card}");
    assert!(
        !card["open_payments"].as_array().unwrap().is_empty(),
        "{card}"
    );
    assert!(card["risk"]["score"].is_number(), "{card}");
    assert!(card["stage"].is_string(), "{card}");

    let err = fails(run(&db, &["card", "no such account anywhere"]));
    assert!(err.contains("no account"), "{err}");
}
