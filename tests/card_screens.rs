//! The call card on screen, rendered into TestBackend at 120×35 and 80×24: on the fullest card
//! of a demo (four contacts, a failing payment, a late check-in, three lines of notes), every
//! essential is there whole, wrapped and never cut; at 80×24 the essentials and two contacts
//! show at once and the rest is a J away.

mod common;

on_both_engines!(
    at_120x35_every_essential_of_the_fullest_card_is_whole_without_scrolling,
    at_80x24_the_essentials_and_two_contacts_show_and_the_rest_is_a_scroll_away,
    the_contact_a_lookup_found_is_marked_and_other_matches_are_said,
);

use common::console::*;
use common::engine::{Db, Engine, TestDb};
use common::*;
use crossterm::event::KeyCode;
use retain::domain::retry::{RetryPolicy, meaning};
use retain::tui::app::View;
use retain::tui::theme::Palette;

const NOTES: &str = "Champion: Grace Smith. Wants SSO before the renewal, asked twice already.\n\
Do NOT call before 10am PT.\n\
Billing questions go to the finance director, not the champion.";

/// The fullest card of the demo, made fuller: its id and its owner's login. The account has a
/// failing payment and a check-in gone late once check-ins are scheduled; it gets four
/// contacts and three lines of notes.
fn fullest_card(db: &TestDb) -> (i64, String) {
    ok(run(db, &["schedule"]));
    let (id, owner) = db.id_and_text(
        "SELECT CAST(a.id AS TEXT), r.login FROM accounts a JOIN reps r ON r.id = a.owner_rep_id
         WHERE a.status = 'active'
           AND EXISTS (SELECT 1 FROM failed_payments p WHERE p.account_id = a.id AND p.status = 'failing')
           AND EXISTS (SELECT 1 FROM checkins k WHERE k.account_id = a.id AND k.done_at IS NULL AND k.due_date < ?1)
         ORDER BY (SELECT count(*) FROM contacts c WHERE c.account_id = a.id) DESC, a.id LIMIT 1",
        &[TODAY],
    );
    db.execute(
        &format!("UPDATE accounts SET notes = ?1 WHERE id = {id}"),
        &[NOTES],
    );
    let have = db.query_i64(
        &format!("SELECT count(*) FROM contacts WHERE account_id = {id}"),
        &[],
    );
    // The CEO, and whoever else the demo did not give it.
    for n in have..4 {
        db.execute(
            &format!(
                "INSERT INTO contacts (account_id, name, email, phone, role)
                 VALUES ({id}, ?1, ?2, ?3, 'CEO')"
            ),
            &[
                &format!("Grace Montgomery {n}"),
                &format!("grace.montgomery{n}@westgate-holdings.example"),
                &format!("+1 (201) 555-01{n:02}"),
            ],
        );
    }
    (id, owner)
}

/// The text of the account block (its rows between the borders, from the left edge to its
/// right border), one string, blanks and kept spaces made one space.
fn facts_text(screen: &str) -> String {
    let rows: Vec<&str> = screen.lines().collect();
    let top = rows
        .iter()
        .position(|r| r.starts_with("┌ Account"))
        .expect("the account block");
    let right = rows[top]
        .chars()
        .skip(1)
        .position(|c| c == '┐')
        .expect("its right corner")
        + 1;
    let mut text = String::new();
    for row in &rows[top + 1..] {
        if row.starts_with('└') {
            break;
        }
        let inside: String = row.chars().skip(1).take(right - 1).collect();
        text.push_str(&inside);
        text.push(' ');
    }
    normalise(&text)
}

fn normalise(text: &str) -> String {
    text.replace('\u{a0}', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Everything the card must say of account `id`, as the store has it.
fn essentials(c: &Console, id: i64) -> (Vec<String>, Vec<String>) {
    let card = c.store.account_card(id).unwrap().unwrap();
    let r = &card.row;
    let mut must = vec![
        r.name.clone(),
        r.external_id.clone(),
        r.plan.clone().unwrap(),
        format!(
            "MRR {}",
            retain::domain::money::format(r.mrr_cents, &r.currency)
        ),
        "stage".into(),
        card.owner_name.clone().unwrap(),
        "open ticket".into(),
    ];
    let (due, _) = card.next_checkin.clone().expect("a check-in");
    let today: chrono::NaiveDate = TODAY.parse().unwrap();
    assert!(due < today, "the next check-in is late");
    must.push(format!("{} days late", (today - due).num_days()));
    must.push(match r.renewal_date {
        Some(d) => format!("renews {d}"),
        None => "renews monthly".into(),
    });
    let policy = RetryPolicy::default();
    for p in &card.open_payments {
        must.push(format!(
            "{}, {}: {}",
            retain::domain::money::format(p.amount_cents, &p.currency),
            p.decline_code,
            meaning(policy.class_of(&p.decline_code, None).class)
        ));
    }
    let risk = c.app.card.risk.as_ref().expect("the card's risk");
    must.push(format!("risk {:.0}", risk.score));
    for reason in risk.reasons.iter().filter(|r| r.points > 0.0).take(3) {
        must.push(reason.detail.clone());
    }
    let mut contacts = Vec::new();
    for contact in &card.contacts {
        let reach: Vec<&str> = [contact.phone.as_deref(), contact.email.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        contacts.push(format!(
            "{} · {} {}",
            contact.name,
            contact.role.clone().unwrap(),
            reach.join(" · ")
        ));
    }
    for line in NOTES.lines() {
        contacts.push(line.to_string());
    }
    (must, contacts)
}

fn open_card(c: &mut Console, id: i64) {
    let external: String = c.store.account_card(id).unwrap().unwrap().row.external_id;
    c.keys(&[press(KeyCode::Char('/'))]);
    c.text(&external);
    c.keys(&[press(KeyCode::Enter)]);
    assert_eq!(c.app.view, View::Card);
    assert_eq!(c.app.card.wanted, Some(id));
}

fn console_for_fullest(engine: Engine, size: (u16, u16)) -> (Console, i64) {
    let db = std::rc::Rc::new(TestDb::demo(engine, 2000));
    let (id, owner) = fullest_card(&db);
    let mut c = console_of(&db, &owner, size, Palette::Indexed);
    open_card(&mut c, id);
    (c, id)
}

fn at_120x35_every_essential_of_the_fullest_card_is_whole_without_scrolling(engine: Engine) {
    let (c, id) = console_for_fullest(engine, (120, 35));
    let screen = c.screen();
    let facts = facts_text(&screen);
    let (must, contacts) = essentials(&c, id);
    assert_eq!(
        c.store.account_card(id).unwrap().unwrap().contacts.len(),
        4,
        "the fullest card has four contacts"
    );
    for said in must.iter().chain(&contacts) {
        assert!(
            facts.contains(&normalise(said)),
            "{said:?} is not whole in:\n{screen}"
        );
    }
    assert!(!facts.contains('…'), "nothing is cut:\n{screen}");
    assert!(!screen.contains(": J "), "{screen}");
    // The timeline has the rest of the screen, beside the card.
    assert!(
        screen.lines().nth(2).unwrap().contains("Timeline"),
        "{screen}"
    );
}

fn at_80x24_the_essentials_and_two_contacts_show_and_the_rest_is_a_scroll_away(engine: Engine) {
    let (mut c, id) = console_for_fullest(engine, (80, 24));
    let screen = c.screen();
    let facts = facts_text(&screen);
    let (must, contacts) = essentials(&c, id);
    for said in must.iter().chain(&contacts[..2]) {
        assert!(
            facts.contains(&normalise(said)),
            "{said:?} is not whole in:\n{screen}"
        );
    }
    assert!(!facts.contains('…'), "nothing is cut:\n{screen}");
    assert!(screen.contains("more lines: J"), "{screen}");
    assert!(screen.contains("Timeline"), "{screen}");
    // J scrolls the account until its last line shows.
    for _ in 0..20 {
        c.keys(&[press(KeyCode::Char('J'))]);
    }
    let screen = c.screen();
    let facts = facts_text(&screen);
    for said in &contacts[2..] {
        assert!(
            facts.contains(&normalise(said)),
            "{said:?} is not whole in:\n{screen}"
        );
    }
    assert!(screen.contains("K: back up"), "{screen}");
}

fn the_contact_a_lookup_found_is_marked_and_other_matches_are_said(engine: Engine) {
    let (mut c, id) = console_for_fullest(engine, (120, 35));
    let card = c.store.account_card(id).unwrap().unwrap();
    let caller = &card.contacts[1];
    c.keys(&[press(KeyCode::Esc), press(KeyCode::Char('/'))]);
    c.text(caller.email.as_deref().unwrap());
    c.keys(&[press(KeyCode::Enter)]);
    assert_eq!(c.app.card.wanted, Some(id));
    let screen = c.screen();
    assert!(screen.contains(&format!("▶ {}", caller.name)), "{screen}");
    // A query many accounts match: the card says the others are a key away.
    c.keys(&[press(KeyCode::Esc), press(KeyCode::Char('/'))]);
    c.text("cus_");
    c.keys(&[press(KeyCode::Enter)]);
    assert_eq!(c.app.view, View::Card);
    let screen = c.screen();
    assert!(
        screen.contains("other accounts matched: n for the next"),
        "{screen}"
    );
    assert!(!screen.contains('▶'), "no contact found it:\n{screen}");
}
