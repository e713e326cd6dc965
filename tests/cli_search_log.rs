//! `retain search` and `retain log` as scripts use them: real processes on a real database of
//! either engine.

mod common;

on_both_engines!(
    search_json_carries_the_documented_keys_and_ranks_exact_matches_first,
    search_finds_a_phone_number_typed_as_digits,
    search_text_output_and_no_match,
    log_records_the_call_with_tags_follow_up_and_audit,
    log_refuses_what_it_cannot_place_and_writes_nothing,
    log_names_the_candidates_when_a_search_is_ambiguous,
    the_index_reads_every_account_with_exactly_its_own_contacts,
);

use std::collections::{BTreeMap, HashMap};

use common::engine::{Db, Engine, TestDb};
use common::*;

fn demo(engine: Engine) -> TestDb {
    TestDb::demo(engine, 400)
}

fn search_json(db: &TestDb, query: &str) -> Vec<serde_json::Value> {
    let out = ok(run(db, &["search", query, "--json", "--limit", "10"]));
    serde_json::from_str::<serde_json::Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn search_json_carries_the_documented_keys_and_ranks_exact_matches_first(engine: Engine) {
    let db = demo(engine);
    let (account_id, email) = db.id_and_text(
        "SELECT CAST(account_id AS TEXT), email FROM contacts WHERE email IS NOT NULL
         ORDER BY id LIMIT 1",
        &[],
    );
    let hits = search_json(&db, &email.to_uppercase());
    let first = &hits[0];
    for key in [
        "account_id",
        "external_id",
        "name",
        "matched_field",
        "score",
    ] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    assert_eq!(first["account_id"], account_id);
    assert_eq!(first["matched_field"], "email");

    let (by_id, ext_id) = db.id_and_text(
        "SELECT CAST(id AS TEXT), external_id FROM accounts WHERE id = 7",
        &[],
    );
    let hits = search_json(&db, &ext_id);
    assert_eq!(hits[0]["account_id"], by_id);
    assert_eq!(hits[0]["matched_field"], "external_id");
}

fn search_finds_a_phone_number_typed_as_digits(engine: Engine) {
    let db = demo(engine);
    let (account_id, phone) = db.id_and_text(
        "SELECT CAST(account_id AS TEXT), phone FROM contacts WHERE phone LIKE '+1 (%'
         ORDER BY id LIMIT 1",
        &[],
    );
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    // "+1 (201) 555-0100" typed as the national number, no formatting.
    let hits = search_json(&db, &digits[1..]);
    assert_eq!(hits[0]["account_id"], account_id, "{hits:?}");
    assert_eq!(hits[0]["matched_field"], "phone");
}

fn search_text_output_and_no_match(engine: Engine) {
    let db = demo(engine);
    let out = ok(run(&db, &["search", "zzzzqqqq"]));
    assert!(out.contains("no account matches"), "{out}");
    assert_eq!(search_json(&db, "zzzzqqqq").len(), 0);
}

fn log_records_the_call_with_tags_follow_up_and_audit(engine: Engine) {
    let db = demo(engine);
    let ext = db
        .query_text("SELECT external_id FROM accounts WHERE id = 3", &[])
        .unwrap();
    let out = ok(run(
        &db,
        &[
            "log",
            &ext,
            "--kind",
            "call",
            "--note",
            "Renewal call\nThey want fewer seats",
            "--tag",
            "pricing",
            "--tag",
            "Renewal",
            "--outcome",
            "neutral",
            "--follow-up",
            "+3d",
        ],
    ));
    assert!(out.contains("logged call"), "{out}");
    let call = db.rows(
        "SELECT summary, body, tags, follow_up_on, outcome FROM interactions
         WHERE account_id = 3 ORDER BY id DESC LIMIT 1",
        &[],
    );
    let [summary, body, tags, follow_up, outcome] = &call[0][..] else {
        panic!("{call:?}")
    };
    assert_eq!(summary.as_deref(), Some("Renewal call"));
    assert_eq!(body.as_deref(), Some("Renewal call\nThey want fewer seats"));
    assert_eq!(tags.as_deref(), Some("pricing renewal"));
    assert_eq!(follow_up.as_deref(), Some("2026-11-25"));
    assert_eq!(outcome.as_deref(), Some("neutral"));
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM audit_log WHERE entity = 'interactions'"
        ),
        1
    );
}

fn log_refuses_what_it_cannot_place_and_writes_nothing(engine: Engine) {
    let db = demo(engine);
    let before = query_i64(&db, "SELECT count(*) FROM interactions");
    let err = fails(run(&db, &["log", "no-such-account-xyz", "--note", "hello"]));
    assert!(err.contains("no account matches"), "{err}");
    let err = fails(run(
        &db,
        &["log", "3", "--note", "hi", "--follow-up", "someday"],
    ));
    assert!(
        err.contains("--follow-up") && err.contains("not a day"),
        "{err}"
    );
    let err = fails(run(
        &db,
        &["log", "3", "--note", "hi", "--outcome", "posittive"],
    ));
    assert!(
        err.contains("\"posittive\" is not an outcome; expected one of: positive, neutral"),
        "{err}"
    );
    let err = fails(run(
        &db,
        &["log", "3", "--note", "hi", "--follow-up", "2026-11-01"],
    ));
    assert!(err.contains("2026-11-01 has passed"), "{err}");
    // The store refuses it whatever door it comes through.
    let mut store = store_as_me(&db);
    let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .and_utc();
    let past = retain::domain::model::Interaction {
        rep: None,
        kind: retain::domain::model::InteractionKind::Call,
        occurred_at: at,
        summary: "hi".into(),
        body: "hi".into(),
        outcome: None,
        tags: vec![],
        follow_up_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 1),
    };
    let err = store
        .log_interaction(3, &past, &me(), at)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("follow-up") && err.contains("day to come"),
        "{err}"
    );
    let err = fails(run(&db, &["log", "3", "--note", "   "]));
    assert!(err.contains("--note is empty"), "{err}");
    let out = run(&db, &["log", "3", "--kind", "fax", "--note", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("fax"), "{}", stderr(&out));
    assert_eq!(query_i64(&db, "SELECT count(*) FROM interactions"), before);
}

fn log_names_the_candidates_when_a_search_is_ambiguous(engine: Engine) {
    let db = demo(engine);
    // Demo names share their first words: a brand matches several accounts. (Counted here:
    // the engines have no common way to cut a string at a space.)
    let mut brands = BTreeMap::<String, usize>::new();
    for row in db.rows("SELECT name FROM accounts WHERE name LIKE '% %'", &[]) {
        let name = row[0].clone().unwrap();
        *brands
            .entry(name.split(' ').next().unwrap().to_string())
            .or_default() += 1;
    }
    let brand = brands
        .into_iter()
        .find(|(_, n)| *n > 2)
        .expect("a brand of several accounts")
        .0;
    let err = fails(run(&db, &["log", &brand, "--note", "x"]));
    assert!(err.contains("matches several accounts"), "{err}");
}

fn the_index_reads_every_account_with_exactly_its_own_contacts(engine: Engine) {
    let db = demo(engine);
    // An account with no contact between two that have some.
    let bare = query_i64(&db, "SELECT id FROM accounts ORDER BY id LIMIT 1 OFFSET 7");
    db.execute(
        &format!("DELETE FROM contacts WHERE account_id = {bare}"),
        &[],
    );
    let store = store_as_me(&db);
    let mut docs = Vec::new();
    store.each_search_doc(|d| docs.push(d)).unwrap();
    let accounts = query_i64(&db, "SELECT count(*) FROM accounts");
    assert_eq!(docs.len() as i64, accounts);
    // Every account's contacts, read in one query rather than one per account.
    let mut contacts = HashMap::<i64, Vec<i64>>::new();
    for row in db.rows(
        "SELECT CAST(account_id AS TEXT), CAST(id AS TEXT) FROM contacts c ORDER BY c.id",
        &[],
    ) {
        let [account, id] = [&row[0], &row[1]].map(|c| c.as_deref().unwrap().parse().unwrap());
        contacts.entry(account).or_default().push(id);
    }
    let mut with_contacts = 0;
    for doc in &docs {
        let ids = contacts.remove(&doc.account_id).unwrap_or_default();
        let got: Vec<i64> = doc.contacts.iter().map(|c| c.contact_id).collect();
        assert_eq!(got, ids, "account {}", doc.account_id);
        with_contacts += usize::from(!ids.is_empty());
    }
    assert!(with_contacts > 300, "{with_contacts}");
    assert!(
        docs.iter()
            .any(|d| d.account_id == bare && d.contacts.is_empty())
    );
}
