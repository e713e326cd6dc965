//! A live call: every active contact of a generated demo is found from its number as a phone
//! shows it (E.164), as people write it internationally, and as it is written at home, with its
//! account first, every time.

mod common;

use common::*;
use phonenumber::Mode;
use retain::domain::phone::Country;
use retain::domain::search::Field;
use retain::store::{Create, Store};
use rusqlite::Connection;

/// (account, contact, stored number, account country) for every active contact with a phone.
fn active_numbers(db: &std::path::Path) -> Vec<(i64, i64, String, String)> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT a.id, c.id, c.phone, a.country FROM contacts c JOIN accounts a ON a.id = c.account_id
             WHERE a.status = 'active' AND c.phone IS NOT NULL ORDER BY c.id",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// One demo for both checks: making it is most of their time.
#[test]
fn the_demos_numbers_are_its_contacts_own_and_each_finds_its_account() {
    let dir = temp_dir();
    let db = db_in(&dir, "calls.db");
    ok(run(&db, &["demo", "--accounts", "2000"]));
    one_number_per_contact_and_every_account_has_its_country(&db);
    every_active_contact_is_found_from_any_writing_of_its_number(&db);
}

fn every_active_contact_is_found_from_any_writing_of_its_number(db: &std::path::Path) {
    let store = Store::open(db, Create::Never).unwrap();
    let index = store.search_index(Country::US).unwrap();
    let numbers = active_numbers(db);
    assert!(numbers.len() > 2_000, "{} numbers", numbers.len());
    let mut misses = Vec::new();
    let mut forms_seen = std::collections::BTreeSet::new();
    for (account, contact, stored, country) in &numbers {
        let region = country.parse().ok();
        let parsed = phonenumber::parse(region, stored)
            .unwrap_or_else(|e| panic!("demo number {stored:?} ({country}): {e}"));
        let forms = [
            parsed.format().mode(Mode::E164).to_string(),
            parsed.format().mode(Mode::International).to_string(),
            parsed.format().mode(Mode::National).to_string(),
        ];
        for typed in forms {
            forms_seen.insert(typed.chars().filter(|c| !c.is_ascii_digit()).count());
            let hits = index.search(&typed, 5);
            let first = hits.first();
            if first.map(|h| (h.account_id, h.contact_id, h.field))
                != Some((*account, Some(*contact), Field::Phone))
            {
                misses.push(format!(
                    "{typed:?} (stored {stored:?}, {country}) found {first:?}"
                ));
            }
        }
    }
    assert!(
        misses.is_empty(),
        "{} of {} lookups missed, e.g.:\n{}",
        misses.len(),
        numbers.len() * 3,
        misses[..misses.len().min(12)].join("\n")
    );
    // The three writings really differ.
    assert!(forms_seen.len() >= 3, "{forms_seen:?}");
}

fn one_number_per_contact_and_every_account_has_its_country(db: &std::path::Path) {
    let conn = Connection::open(db).unwrap();
    let no_country: i64 = conn
        .query_row(
            "SELECT count(*) FROM accounts WHERE country IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(no_country, 0);
    let mut stmt = conn
        .prepare(
            "SELECT c.phone, a.country FROM contacts c JOIN accounts a ON a.id = c.account_id
             WHERE c.phone IS NOT NULL",
        )
        .unwrap();
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut seen = std::collections::HashMap::new();
    for (stored, country) in &rows {
        let e164 = phonenumber::parse(country.parse().ok(), stored)
            .unwrap()
            .format()
            .mode(Mode::E164)
            .to_string();
        if let Some(other) = seen.insert(e164.clone(), stored.clone()) {
            panic!("{e164} is given twice: {other:?} and {stored:?}");
        }
    }
    // Written the ways people write them: with and without the country code, in brackets.
    assert!(rows.iter().any(|(p, _)| p.starts_with("+44 (0)")));
    assert!(rows.iter().any(|(p, c)| c == "DE" && p.contains(" / ")));
    assert!(
        rows.iter()
            .any(|(p, c)| c == "FR" && p.starts_with("01 99 00"))
    );
}
