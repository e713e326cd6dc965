//! Every pane, the card, the log form and the help, drawn at 80×24 and 120×35 on the fixed
//! demo, kept as insta snapshots: a column that slips, a caption cut short or two things drawn
//! over each other shows as a changed snapshot (`cargo insta review` to look at it).

mod common;

on_both_engines!(
    my_queue,
    every_account_for_someone_who_is_not_a_rep,
    at_risk,
    check_ins,
    check_ins_as_a_lead,
    payments,
    metrics,
    the_card,
    the_log_form,
);

use common::console::*;
use common::engine::Engine;
use crossterm::event::KeyCode;
use retain::tui::theme::Palette;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 35)];

/// The screen after `keys`, from a fresh console of `login` (each screen on its own console,
/// so that one screen's keys never change another's).
fn screen_after(engine: Engine, login: &str, size: (u16, u16), keys: &[KeyCode]) -> String {
    let mut c = demo_console(engine, 300, login, size, Palette::Indexed);
    // Two payments that fail whatever the hour the test runs: a retry on the next payday, and
    // a card to replace.
    common::payments::failing(
        &*c.db,
        "ch_snap_1",
        "2026-11-15T09:00:00Z",
        "insufficient_funds",
    );
    common::payments::failing(&*c.db, "ch_snap_2", "2026-11-12T09:00:00Z", "expired_card");
    c.hear_change();
    for key in keys {
        c.keys(&[press(*key)]);
    }
    c.screen()
}

/// The same snapshot on either engine: the server's answers draw the file's screens.
fn snapshot(engine: Engine, name: &str, login: &str, keys: &[KeyCode]) {
    for (w, h) in SIZES {
        let screen = screen_after(engine, login, (w, h), keys);
        // A claim lasts a while from the moment it is taken: the one time of day on screen.
        insta::with_settings!({filters => vec![(r"on it until \d\d:\d\d", "on it until [time]")]}, {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
        });
    }
}

fn my_queue(engine: Engine) {
    snapshot(engine, "queue", "carmen", &[]);
}

fn every_account_for_someone_who_is_not_a_rep(engine: Engine) {
    snapshot(engine, "accounts", "visitor", &[]);
}

fn at_risk(engine: Engine) {
    snapshot(engine, "risk", "carmen", &[KeyCode::Char('2')]);
}

fn check_ins(engine: Engine) {
    snapshot(engine, "checkins", "carmen", &[KeyCode::Char('3')]);
}

fn check_ins_as_a_lead(engine: Engine) {
    snapshot(engine, "checkins_lead", "bjorn", &[KeyCode::Char('3')]);
}

fn payments(engine: Engine) {
    snapshot(
        engine,
        "payments",
        "carmen",
        &[KeyCode::Char('4'), KeyCode::Char('m')],
    );
}

fn metrics(engine: Engine) {
    snapshot(engine, "metrics", "carmen", &[KeyCode::Char('5')]);
}

fn the_card(engine: Engine) {
    snapshot(engine, "card", "carmen", &[KeyCode::Enter]);
}

fn the_log_form(engine: Engine) {
    snapshot(engine, "form", "carmen", &[KeyCode::Char('l')]);
}

#[test]
fn help() {
    snapshot(Engine::File, "help", "carmen", &[KeyCode::Char('?')]);
}
