//! A live call: every active contact of a generated demo is found from its number as a phone
//! shows it (E.164), as people write it internationally, and as it is written at home, with its
//! account first, every time.

mod common;

on_both_engines!(the_demos_numbers_are_its_contacts_own_and_each_finds_its_account);

use common::engine::{Db, Engine, TestDb};
use common::*;
use phonenumber::Mode;
use retain::domain::phone::Country;
use retain::domain::search::Field;

/// (account, contact, stored number, account country) for every active contact with a phone.
fn active_numbers(db: &TestDb) -> Vec<(i64, i64, String, String)> {
    db.rows(
        "SELECT CAST(a.id AS TEXT), CAST(c.id AS TEXT), c.phone, a.country
         FROM contacts c JOIN accounts a ON a.id = c.account_id
         WHERE a.status = 'active' AND c.phone IS NOT NULL ORDER BY c.id",
        &[],
    )
    .into_iter()
    .map(|r| {
        let [account, contact, phone, country] = r.try_into().unwrap();
        (
            account.unwrap().parse().unwrap(),
            contact.unwrap().parse().unwrap(),
            phone.unwrap(),
            country.unwrap(),
        )
    })
    .collect()
}

/// One demo for both checks: making it is most of their time.
fn the_demos_numbers_are_its_contacts_own_and_each_finds_its_account(engine: Engine) {
    let db = TestDb::demo(engine, 2000);
    one_number_per_contact_and_every_account_has_its_country(&db);
    every_active_contact_is_found_from_any_writing_of_its_number(&db);
}

fn every_active_contact_is_found_from_any_writing_of_its_number(db: &TestDb) {
    let store = store_as_me(db);
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

fn one_number_per_contact_and_every_account_has_its_country(db: &TestDb) {
    let no_country = query_i64(db, "SELECT count(*) FROM accounts WHERE country IS NULL");
    assert_eq!(no_country, 0);
    let rows: Vec<(String, String)> = db
        .rows(
            "SELECT c.phone, a.country FROM contacts c JOIN accounts a ON a.id = c.account_id
             WHERE c.phone IS NOT NULL",
            &[],
        )
        .into_iter()
        .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap()))
        .collect();
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
