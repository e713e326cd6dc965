//! Which accounts each pane opens on, what its tab counts, and where the cursor goes when the
//! rep changes the order or the filter: a rep with a book starts on their own accounts, a lead
//! on the team's, and a tab's number is always the length of the list under it.

mod common;

on_both_engines!(
    a_rep_with_a_book_opens_the_team_panes_on_their_own_accounts,
    a_lead_and_a_rep_without_accounts_open_on_the_whole_team,
    changing_the_order_or_the_filter_puts_the_cursor_at_the_top,
);

use common::console::*;
use common::engine::Engine;
use common::ok;
use crossterm::event::KeyCode;
use retain::tui::app::Pane;
use retain::tui::theme::Palette;

/// Opens the at-risk pane (scored on first visit), then every other list pane.
fn visit_every_pane(c: &mut Console) {
    for key in ['2', '3', '4', '1'] {
        c.keys(&[press(KeyCode::Char(key))]);
    }
}

/// Each tab's number is the length of its pane's list, whatever the filter.
fn assert_counts_are_lists(c: &Console) {
    for p in [Pane::MyQueue, Pane::AtRisk, Pane::CheckIns, Pane::Payments] {
        assert_eq!(
            c.app.panes.count(p),
            Some(c.app.panes.get(p).list().ids.len()),
            "{p:?}'s tab counts something other than its list"
        );
    }
}

fn a_rep_with_a_book_opens_the_team_panes_on_their_own_accounts(engine: Engine) {
    for size in [(80, 24), (120, 35)] {
        let mut c = demo_console(engine, 300, "carmen", size, Palette::Indexed);
        visit_every_pane(&mut c);
        assert!(c.app.panes.risk.mine && c.app.panes.checkins.mine && c.app.panes.payments.mine);
        assert_counts_are_lists(&c);

        let risk = c.app.panes.get(Pane::AtRisk).list().ids.clone();
        assert!(!risk.is_empty());
        assert!(
            risk.iter()
                .all(|id| c.app.panes.risk.row(*id).unwrap().owner.as_deref() == Some("carmen"))
        );
        assert!(
            c.app
                .panes
                .checkins
                .rows
                .iter()
                .all(|r| r.owner.as_deref() == Some("carmen"))
        );
        c.keys(&[press(KeyCode::Char('2'))]);
        let screen = c.screen();
        assert!(screen.contains("by score · mine"), "{screen}");

        // `m` shows the team, and the tab follows the list.
        c.keys(&[press(KeyCode::Char('m'))]);
        assert!(c.screen().contains("by score · all"));
        assert!(c.app.panes.get(Pane::AtRisk).list().ids.len() > risk.len());
        assert_counts_are_lists(&c);
    }
}

fn a_lead_and_a_rep_without_accounts_open_on_the_whole_team(engine: Engine) {
    let mut lead = demo_console(engine, 300, "bjorn", (120, 35), Palette::Indexed);
    visit_every_pane(&mut lead);
    assert!(
        !lead.app.panes.risk.mine && !lead.app.panes.checkins.mine && !lead.app.panes.payments.mine
    );
    assert_counts_are_lists(&lead);

    // A rep added today owns nothing yet: "mine" would be an empty screen.
    // On a server the rep's role is made first, by whoever administers the server.
    if engine == Engine::Server {
        common::server::make_role("nadia", "");
    }
    ok(common::run(
        &*lead.db,
        &[
            "--as",
            "amara",
            "reps",
            "add",
            "nadia",
            "--name",
            "Nadia Quist",
        ],
    ));
    let mut new = console_of(&lead.db, "nadia", (120, 35), Palette::Indexed);
    visit_every_pane(&mut new);
    assert!(new.app.identity.rep.is_some());
    assert!(
        !new.app.panes.risk.mine && !new.app.panes.checkins.mine && !new.app.panes.payments.mine
    );
    assert!(!new.app.panes.get(Pane::AtRisk).list().ids.is_empty());
}

fn changing_the_order_or_the_filter_puts_the_cursor_at_the_top(engine: Engine) {
    let mut c = demo_console(engine, 300, "bjorn", (120, 35), Palette::Indexed);
    // Down a few rows (the filters add up, so a list may be short, but never a single row).
    let down = |c: &mut Console| {
        let rows = c.app.list().ids.len();
        assert!(rows > 1, "too few rows to move in: {rows}");
        for _ in 0..4 {
            c.keys(&[press(KeyCode::Char('j'))]);
        }
        assert_eq!(c.app.list().cursor, 4.min(rows - 1));
    };

    c.keys(&[press(KeyCode::Char('2'))]);
    // Each key, then round its cycle back to where it started.
    for (key, cycle) in [('s', 3), ('b', 4), ('t', 4), ('m', 2), ('c', 2)] {
        down(&mut c);
        c.keys(&[press(KeyCode::Char(key))]);
        let p = &c.app.panes.get(Pane::AtRisk).list();
        assert_eq!(
            (p.cursor, p.offset),
            (0, 0),
            "after {key} in the at-risk pane"
        );
        for _ in 1..cycle {
            c.keys(&[press(KeyCode::Char(key))]);
        }
    }

    c.keys(&[press(KeyCode::Char('3'))]);
    for (key, cycle) in [('w', 3), ('t', 4), ('m', 2)] {
        down(&mut c);
        c.keys(&[press(KeyCode::Char(key))]);
        let p = &c.app.panes.get(Pane::CheckIns).list();
        assert_eq!(p.cursor, 0, "after {key} in the check-ins pane");
        for _ in 1..cycle {
            c.keys(&[press(KeyCode::Char(key))]);
        }
    }

    c.keys(&[press(KeyCode::Char('4'))]);
    for (key, cycle) in [('m', 2), ('f', 1)] {
        down(&mut c);
        c.keys(&[press(KeyCode::Char(key))]);
        let p = &c.app.panes.get(Pane::Payments).list();
        assert_eq!(p.cursor, 0, "after {key} in payments");
        for _ in 1..cycle {
            c.keys(&[press(KeyCode::Char(key))]);
        }
    }
}
