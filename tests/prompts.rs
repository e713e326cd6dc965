//! The command line: Tab completes logins and codes from what the file and the retry policy
//! know, a prompt missing its word stays open saying so, and a login that is no rep is refused
//! with the one meant.

mod common;

on_both_engines!(
    tab_completes_a_login_and_names_the_choices_when_several_fit,
    an_assign_without_a_login_stays_open_and_a_typo_is_told_the_login_meant,
    tab_completes_a_decline_code_in_the_payments_pane,
    an_owner_who_is_no_rep_is_said_not_shown_as_an_empty_list,
);

use common::console::*;
use common::engine::Engine;
use crossterm::event::KeyCode;
use retain::tui::app::Overlay;
use retain::tui::theme::Palette;

fn footer(c: &Console) -> String {
    c.screen().lines().last().unwrap().trim_end().to_string()
}

fn prompt(c: &Console) -> String {
    match &c.app.overlay {
        Overlay::Prompt(p) => p.editor.text(),
        other => panic!("no prompt open: {other:?}"),
    }
}

fn tab_completes_a_login_and_names_the_choices_when_several_fit(engine: Engine) {
    for size in [(80, 24), (120, 35)] {
        let mut c = demo_console(engine, 300, "bjorn", size, Palette::Indexed);
        c.keys(&[press(KeyCode::Char('2'))]);
        let account = c.app.selected_id().unwrap();

        c.keys(&[press(KeyCode::Char('a')), press(KeyCode::Tab)]);
        // Every login and `team` fit an empty word: the footer names the first of them.
        let line = footer(&c);
        assert!(line.starts_with(":assign "), "{line}");
        assert!(line.contains("amara · bjorn · carmen"), "{line}");

        c.text("ca");
        assert!(
            !footer(&c).contains("amara · bjorn"),
            "the choices of an empty word are gone once it is typed: {}",
            footer(&c)
        );
        c.keys(&[press(KeyCode::Tab)]);
        assert_eq!(prompt(&c), "assign carmen ");
        c.keys(&[press(KeyCode::Enter)]);
        assert!(matches!(c.app.overlay, Overlay::None), "{}", c.screen());
        let owner = c.store.account_rows(&[account]).unwrap().remove(0).owner;
        assert_eq!(owner.as_deref(), Some("carmen"));

        // Nothing begins so: said, and the line is left as typed.
        c.keys(&[press(KeyCode::Char(':'))]);
        c.text("assign zz");
        c.keys(&[press(KeyCode::Tab)]);
        assert_eq!(prompt(&c), "assign zz");
        assert!(
            footer(&c).contains("no login begins with \"zz\""),
            "{}",
            c.screen()
        );
        c.keys(&[press(KeyCode::Esc)]);
    }
}

fn an_assign_without_a_login_stays_open_and_a_typo_is_told_the_login_meant(engine: Engine) {
    let mut c = demo_console(engine, 300, "bjorn", (120, 35), Palette::Indexed);
    c.keys(&[press(KeyCode::Char('2'))]);
    let account = c.app.selected_id().unwrap();
    let before = c.store.account_rows(&[account]).unwrap().remove(0).owner;

    c.keys(&[press(KeyCode::Char('a')), press(KeyCode::Enter)]);
    assert_eq!(prompt(&c), "assign ");
    assert!(footer(&c).contains("say to whom"), "{}", c.screen());

    c.text("carmne");
    c.keys(&[press(KeyCode::Enter)]);
    let screen = c.screen();
    assert!(
        screen.contains("\"carmne\" is not an active rep (did you mean carmen?"),
        "{screen}"
    );
    assert!(
        !screen.contains(".db"),
        "the file is not named in a refusal about a login: {screen}"
    );
    // The line comes back to be corrected, not typed again.
    assert_eq!(prompt(&c), "assign carmne");
    let after = c.store.account_rows(&[account]).unwrap().remove(0).owner;
    assert_eq!(after, before, "nothing was written");
}

fn tab_completes_a_decline_code_in_the_payments_pane(engine: Engine) {
    let mut c = demo_console(engine, 300, "bjorn", (120, 35), Palette::Indexed);
    c.keys(&[press(KeyCode::Char('4')), press(KeyCode::Char('r'))]);
    assert_eq!(prompt(&c), "result ");
    c.text("insuf");
    c.keys(&[press(KeyCode::Tab)]);
    assert_eq!(prompt(&c), "result insufficient_funds ");
    c.keys(&[press(KeyCode::Esc)]);

    // Without a result, the prompt stays open and says what it wants.
    c.keys(&[press(KeyCode::Char('r')), press(KeyCode::Enter)]);
    assert_eq!(prompt(&c), "result ");
    assert!(footer(&c).contains("say how it went"), "{}", c.screen());
}

fn an_owner_who_is_no_rep_is_said_not_shown_as_an_empty_list(engine: Engine) {
    let mut c = demo_console(engine, 300, "bjorn", (120, 35), Palette::Indexed);
    c.keys(&[press(KeyCode::Char('2'))]);
    let before = c.app.panes.risk.list.ids.clone();
    c.text(":owner carmne");
    c.keys(&[press(KeyCode::Enter)]);
    assert_eq!(prompt(&c), "owner carmne", "offered again to be mended");
    assert!(
        footer(&c).contains("carmne is not an active rep (did you mean carmen?)"),
        "{}",
        footer(&c)
    );
    assert_eq!(c.app.panes.risk.list.ids, before, "the list is as it was");
    // The one meant works.
    c.keys(&[press(KeyCode::Esc)]);
    c.text(":owner carmen");
    c.keys(&[press(KeyCode::Enter)]);
    let ids = &c.app.panes.risk.list.ids;
    assert!(!ids.is_empty());
    assert!(
        ids.iter()
            .all(|id| c.app.panes.risk.row(*id).unwrap().owner.as_deref() == Some("carmen"))
    );
}

#[test]
fn a_line_pasted_pages_long_keeps_its_cursor_in_view_and_its_error_readable() {
    let mut c = console("bjorn", (80, 24), Palette::Indexed);
    c.keys(&[press(KeyCode::Char('2'))]);
    c.text(":assign ");
    let long = "b".repeat(3000);
    let asked = c.act(retain::tui::app::Action::Paste(long.clone()));
    c.serve(asked);
    // The end of the line, where the cursor is, shows.
    let f = footer(&c);
    assert!(f.ends_with("bbbb"), "{f}");
    assert!(!f.starts_with(":assign"), "{f}");
    c.keys(&[press(KeyCode::Enter)]);
    c.poll();
    // The store refuses the login; the line comes back with the reason beside it.
    assert_eq!(prompt(&c), format!("assign {long}"));
    let f = footer(&c);
    assert!(f.contains("is not an active rep"), "{f}");
}

#[test]
fn the_line_says_what_is_wrong_in_the_order_that_helps() {
    let mut c = console("bjorn", (120, 35), Palette::Indexed);
    // Quitting takes no words after it: `:q extra` is a slip, not a quit.
    c.text(":q extra");
    c.keys(&[press(KeyCode::Enter)]);
    assert!(!c.app.quit);
    assert!(
        c.screen().contains(":q takes nothing after it"),
        "{}",
        c.screen()
    );
    // A payment's command away from the payments pane says so before the day's spelling.
    for line in [":pause soon", ":result"] {
        c.text(line);
        c.keys(&[press(KeyCode::Enter)]);
        assert!(
            c.screen()
                .contains("select a payment in the payments pane (4)"),
            "{line}: {}",
            c.screen()
        );
    }
}
