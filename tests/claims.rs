//! Claims on the team's accounts (no owner): one rep at a time, for a while, let go when the
//! rep moves on or the console closes.

mod common;

on_both_engines!(
    a_claim_holds_for_fifteen_minutes_and_gives_way_when_it_expires,
    opening_a_team_account_claims_it_and_another_rep_is_told,
);

use chrono::{Duration, Timelike, Utc};
use common::console::*;
use common::engine::{Db, Engine, TestDb};
use common::*;
use crossterm::event::KeyCode;
use retain::store::Claim;
use retain::tui::theme::Palette;

/// The first active account of the team's (no owner): its id and external id.
fn team_account(db: &(impl Db + ?Sized)) -> (i64, String) {
    db.id_and_text(
        "SELECT CAST(a.id AS TEXT), a.external_id FROM accounts a
         WHERE a.owner_rep_id IS NULL AND a.status = 'active' ORDER BY a.id LIMIT 1",
        &[],
    )
}

fn a_claim_holds_for_fifteen_minutes_and_gives_way_when_it_expires(engine: Engine) {
    let db = TestDb::demo(engine, 200);
    let (team, _) = team_account(&db);
    let owned = query_i64(
        &db,
        "SELECT id FROM accounts WHERE owner_rep_id IS NOT NULL LIMIT 1",
    );
    let mut ana = store_as_me(&db);
    let mut bob = store_as_me(&db);
    // Instants are kept to the second.
    let t0 = Utc::now().with_nanosecond(0).unwrap();
    assert!(matches!(
        ana.claim(team, "ana", "ana:1", t0).unwrap(),
        Claim::Mine { .. }
    ));
    assert_eq!(ana.claim(owned, "ana", "ana:1", t0).unwrap(), Claim::Owned);
    match bob
        .claim(team, "bob", "bob:1", t0 + Duration::minutes(5))
        .unwrap()
    {
        Claim::Held { by, until } => {
            assert_eq!(by, "ana");
            assert_eq!(until, t0 + Duration::minutes(15));
        }
        other => panic!("{other:?}"),
    }
    // Ana's second console takes it over rather than being told she holds it.
    assert!(matches!(
        ana.claim(team, "ana", "ana:2", t0 + Duration::minutes(6))
            .unwrap(),
        Claim::Mine { .. }
    ));
    // Expired, it gives way.
    assert!(matches!(
        bob.claim(team, "bob", "bob:1", t0 + Duration::minutes(22))
            .unwrap(),
        Claim::Mine { .. }
    ));
    assert_eq!(
        ana.claim_on(team, t0 + Duration::minutes(23))
            .unwrap()
            .unwrap()
            .0,
        "bob"
    );
    // Ana's consoles closing lets go of nothing of Bob's; Bob's closing lets go of his.
    assert_eq!(ana.release_session("ana:2").unwrap(), Some(0));
    assert_eq!(bob.release_session("bob:1").unwrap(), Some(1));
    assert_eq!(ana.claim_on(team, t0).unwrap(), None);
}

fn opening_a_team_account_claims_it_and_another_rep_is_told(engine: Engine) {
    let mut carmen = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    let db = std::rc::Rc::clone(&carmen.db);
    let (team, external) = team_account(&*db);
    carmen.text("/");
    carmen.text(&external);
    carmen.keys(&[press(KeyCode::Enter)]);
    assert_eq!(carmen.app.card.wanted, Some(team));
    assert_eq!(carmen.app.claimed, Some(team));
    let holder = db.query_text(
        &format!("SELECT rep_login FROM claims WHERE account_id = {team}"),
        &[],
    );
    assert_eq!(holder.as_deref(), Some("carmen"));
    assert!(
        carmen.screen().contains("carmen on it until"),
        "{}",
        carmen.screen()
    );

    // Another rep's console on the same database.
    let mut other = console_of(&db, "dmitri", (120, 35), Palette::Indexed);
    other.text("/");
    other.text(&external);
    other.keys(&[press(KeyCode::Enter)]);
    let screen = other.screen();
    assert!(
        screen.contains("carmen is working on this team account"),
        "{screen}"
    );
    assert_eq!(other.app.claimed, None);

    // Carmen moves on: the claim goes.
    carmen.keys(&[press(KeyCode::Esc)]);
    assert_eq!(carmen.app.claimed, None);
    assert_eq!(
        query_i64(
            &*db,
            &format!("SELECT count(*) FROM claims WHERE account_id = {team}")
        ),
        0
    );
    // Dmitri, still on its card, hears of it and takes it; Carmen, back, is told.
    other.hear_change();
    assert_eq!(other.app.claimed, Some(team));
    assert!(
        other
            .screen()
            .contains("no one else is on this team account now"),
        "{}",
        other.screen()
    );
    carmen.text("/");
    carmen.text(&external);
    carmen.keys(&[press(KeyCode::Enter)]);
    assert_eq!(carmen.app.claimed, None);
    assert!(
        carmen
            .screen()
            .contains("dmitri is working on this team account"),
        "{}",
        carmen.screen()
    );
}
