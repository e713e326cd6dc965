//! `retain card ACCOUNT`: the call card for scripts, through the real binary on a demo file.

mod common;

use common::*;

#[test]
fn the_card_prints_what_a_rep_needs_on_a_call_in_text_and_json() {
    let dir = temp_dir();
    let db = db_in(&dir, "card.db");
    ok(run(&db, &["demo", "--accounts", "300"]));
    // An active account with a failing payment and contacts.
    let id = query_i64(
        &db,
        "SELECT a.id FROM accounts a JOIN failed_payments p ON p.account_id = a.id
         WHERE a.status = 'active' AND p.status = 'failing'
               AND EXISTS (SELECT 1 FROM contacts c WHERE c.account_id = a.id)
         ORDER BY a.id LIMIT 1",
    )
    .to_string();
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
