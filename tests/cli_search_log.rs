//! `retain search` and `retain log` as scripts use them: real processes on a real file.

mod common;

use common::*;
use rusqlite::Connection;

fn demo(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = db_in(dir, "cli.db");
    ok(run(&db, &["demo", "--accounts", "400"]));
    db
}

fn search_json(db: &std::path::Path, query: &str) -> Vec<serde_json::Value> {
    let out = ok(run(db, &["search", query, "--json", "--limit", "10"]));
    serde_json::from_str::<serde_json::Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn search_json_carries_the_documented_keys_and_ranks_exact_matches_first() {
    let dir = temp_dir();
    let db = demo(&dir);
    let conn = Connection::open(&db).unwrap();
    let (account_id, email): (i64, String) = conn
        .query_row(
            "SELECT account_id, email FROM contacts WHERE email IS NOT NULL ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
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

    let (ext_id, by_id): (String, i64) = conn
        .query_row(
            "SELECT external_id, id FROM accounts WHERE id = 7",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let hits = search_json(&db, &ext_id);
    assert_eq!(hits[0]["account_id"], by_id);
    assert_eq!(hits[0]["matched_field"], "external_id");
}

#[test]
fn search_finds_a_phone_number_typed_as_digits() {
    let dir = temp_dir();
    let db = demo(&dir);
    let (account_id, phone): (i64, String) = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT account_id, phone FROM contacts WHERE phone LIKE '+1 (%' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    // "+1 (201) 555-0100" typed as the national number, no formatting.
    let hits = search_json(&db, &digits[1..]);
    assert_eq!(hits[0]["account_id"], account_id, "{hits:?}");
    assert_eq!(hits[0]["matched_field"], "phone");
}

#[test]
fn search_text_output_and_no_match() {
    let dir = temp_dir();
    let db = demo(&dir);
    let out = ok(run(&db, &["search", "zzzzqqqq"]));
    assert!(out.contains("no account matches"), "{out}");
    assert_eq!(search_json(&db, "zzzzqqqq").len(), 0);
}

#[test]
fn log_records_the_call_with_tags_follow_up_and_audit() {
    let dir = temp_dir();
    let db = demo(&dir);
    let ext: String = Connection::open(&db)
        .unwrap()
        .query_row("SELECT external_id FROM accounts WHERE id = 3", [], |r| {
            r.get(0)
        })
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
    let conn = Connection::open(&db).unwrap();
    let (summary, body, tags, follow_up, outcome): (String, String, String, String, String) = conn
        .query_row(
            "SELECT summary, body, tags, follow_up_on, outcome FROM interactions
             WHERE account_id = 3 ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(summary, "Renewal call");
    assert_eq!(body, "Renewal call\nThey want fewer seats");
    assert_eq!(tags, "pricing renewal");
    assert_eq!(follow_up, "2026-11-25");
    assert_eq!(outcome, "neutral");
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM audit_log WHERE entity = 'interactions'"
        ),
        1
    );
}

#[test]
fn log_refuses_what_it_cannot_place_and_writes_nothing() {
    let dir = temp_dir();
    let db = demo(&dir);
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
    let mut store = retain::store::Store::open(&db, retain::store::Create::Never)
        .unwrap()
        .acting_as(&me(), &me());
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

#[test]
fn log_names_the_candidates_when_a_search_is_ambiguous() {
    let dir = temp_dir();
    let db = demo(&dir);
    // Demo names share their first words: a brand matches several accounts.
    let brand: String = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT substr(name, 1, instr(name, ' ') - 1) FROM accounts WHERE name LIKE '% %'
             GROUP BY 1 HAVING count(*) > 2 LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let err = fails(run(&db, &["log", &brand, "--note", "x"]));
    assert!(err.contains("matches several accounts"), "{err}");
}

#[test]
fn the_index_reads_every_account_with_exactly_its_own_contacts() {
    let dir = temp_dir();
    let db = demo(&dir);
    let conn = Connection::open(&db).unwrap();
    // An account with no contact between two that have some.
    let bare: i64 = conn
        .query_row(
            "SELECT id FROM accounts ORDER BY id LIMIT 1 OFFSET 7",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute("DELETE FROM contacts WHERE account_id = ?1", [bare])
        .unwrap();
    let store = retain::store::Store::open(&db, retain::store::Create::Never).unwrap();
    let mut docs = Vec::new();
    store.each_search_doc(|d| docs.push(d)).unwrap();
    let accounts: i64 = conn
        .query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(docs.len() as i64, accounts);
    let mut with_contacts = 0;
    for doc in &docs {
        let ids: Vec<i64> = conn
            .prepare("SELECT id FROM contacts WHERE account_id = ?1 ORDER BY id")
            .unwrap()
            .query_map([doc.account_id], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
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
