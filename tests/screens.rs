//! Every pane, the card, the log form and the help, drawn at 80×24 and 120×35 on the fixed
//! demo, kept as insta snapshots: a column that slips, a caption cut short or two things drawn
//! over each other shows as a changed snapshot (`cargo insta review` to look at it).

mod common;

use common::console::*;
use crossterm::event::KeyCode;
use retain::tui::theme::Palette;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 35)];

/// The screen after `keys`, from a fresh console of `login` (each screen on its own console,
/// so that one screen's keys never change another's).
fn screen_after(login: &str, size: (u16, u16), keys: &[KeyCode]) -> String {
    let mut c = console(login, size, Palette::Indexed);
    // Two payments that fail whatever the hour the test runs: a retry on the next payday, and
    // a card to replace.
    common::payments::failing(
        &c.dir.path().join("screens.db"),
        "ch_snap_1",
        "2026-11-15T09:00:00Z",
        "insufficient_funds",
    );
    common::payments::failing(
        &c.dir.path().join("screens.db"),
        "ch_snap_2",
        "2026-11-12T09:00:00Z",
        "expired_card",
    );
    c.poll();
    for key in keys {
        c.keys(&[press(*key)]);
    }
    c.screen()
}

fn snapshot(name: &str, login: &str, keys: &[KeyCode]) {
    for (w, h) in SIZES {
        let screen = screen_after(login, (w, h), keys);
        // A claim lasts a while from the moment it is taken: the one time of day on screen.
        insta::with_settings!({filters => vec![(r"on it until \d\d:\d\d", "on it until [time]")]}, {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
        });
    }
}

#[test]
fn my_queue() {
    snapshot("queue", "carmen", &[]);
}

#[test]
fn every_account_for_someone_who_is_not_a_rep() {
    snapshot("accounts", "visitor", &[]);
}

#[test]
fn at_risk() {
    snapshot("risk", "carmen", &[KeyCode::Char('2')]);
}

#[test]
fn check_ins() {
    snapshot("checkins", "carmen", &[KeyCode::Char('3')]);
}

#[test]
fn check_ins_as_a_lead() {
    snapshot("checkins_lead", "bjorn", &[KeyCode::Char('3')]);
}

#[test]
fn payments() {
    snapshot(
        "payments",
        "carmen",
        &[KeyCode::Char('4'), KeyCode::Char('m')],
    );
}

#[test]
fn metrics() {
    snapshot("metrics", "carmen", &[KeyCode::Char('5')]);
}

#[test]
fn the_card() {
    snapshot("card", "carmen", &[KeyCode::Enter]);
}

#[test]
fn the_log_form() {
    snapshot("form", "carmen", &[KeyCode::Char('l')]);
}

#[test]
fn help() {
    snapshot("help", "carmen", &[KeyCode::Char('?')]);
}
