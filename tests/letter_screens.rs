//! The payments pane's letter, rendered into TestBackend: `o` shows it as it will go out, `s`
//! asks and then sends it through the team's mail command, `e` hands it to the rep's editor,
//! `y` copies it, `l` logs it as sent by hand.
//!
//! One test: the worker reads the mail settings from `RETAIN_CONFIG_DIR`, which is the whole
//! process's, so the steps that change them run in order here.

mod common;

use common::console::*;
use crossterm::event::KeyCode;
use retain::tui::app::{Action, Overlay};
use retain::tui::theme::Palette;
use retain::tui::worker::{Request, TerminalWork};

/// A payment of account 1 that failed yesterday on an expired card, with a billing contact.
fn failing(c: &Console) -> i64 {
    let conn = rusqlite::Connection::open(c.file()).unwrap();
    conn.execute(
        "INSERT INTO contacts (account_id, name, email, role, is_primary)
         VALUES (1, 'Grete Geld', 'grete@example.com', 'Finance Director', 0)",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO failed_payments (account_id, external_ref, amount_cents, currency,
             first_failed_at, last_decline_code, status)
         VALUES (1, 'ch_letter', 4200, 'USD', '2026-11-21T09:00:00Z', 'expired_card', 'failing')",
        [],
    )
    .unwrap();
    let id = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO payment_attempts (payment_id, attempted_at, outcome, decline_code, automatic)
         VALUES (?1, '2026-11-21T09:00:00Z', 'failed', 'expired_card', 1)",
        [id],
    )
    .unwrap();
    id
}

fn open_letter(c: &mut Console, payment: i64) {
    select_payment(c, payment);
    c.text("o");
    assert!(
        matches!(c.app.overlay, Overlay::Letter(_)),
        "{}",
        c.screen()
    );
}

fn emails(c: &Console) -> i64 {
    c.store
        .account_card(1)
        .unwrap()
        .unwrap()
        .timeline
        .iter()
        .filter(|e| e.label == "email")
        .count() as i64
}

#[test]
fn a_letter_is_read_sent_edited_copied_and_logged_from_the_payments_pane() {
    let config = tempfile::tempdir().unwrap();
    // SAFETY: this test binary has one test, so no other thread reads the environment.
    unsafe { std::env::set_var("RETAIN_CONFIG_DIR", config.path()) };

    for size in [(80, 24), (120, 35)] {
        let mut c = console("bjorn", size, Palette::Indexed);
        let payment = failing(&c);
        open_letter(&mut c, payment);
        let screen = c.screen();
        assert!(screen.contains("Letter · new card"), "{screen}");
        assert!(
            screen.contains("To: Grete Geld <grete@example.com>"),
            "{screen}"
        );
        assert!(
            screen.contains("Subject: Please update your card"),
            "{screen}"
        );
        assert!(screen.contains("Hello Grete,"), "{screen}");
        assert!(screen.contains("s send"), "{screen}");
    }

    let mut c = console("bjorn", (120, 35), Palette::Indexed);
    let payment = failing(&c);
    open_letter(&mut c, payment);
    let before = emails(&c);

    // No mail command yet: asked, then told what to set; the letter stays.
    c.text("s");
    assert!(
        c.screen()
            .contains("Send it to Grete Geld <grete@example.com>"),
        "{}",
        c.screen()
    );
    c.text("y");
    assert!(
        c.screen().contains("no mail command: set mail_command in"),
        "{}",
        c.screen()
    );
    assert!(matches!(c.app.overlay, Overlay::Letter(_)));
    assert_eq!(emails(&c), before);

    // `e` hands the text to the editor; what comes back is the letter.
    let asked = c.act(Action::Key(press(KeyCode::Char('e'))));
    let Some(Request::Terminal(TerminalWork::Edit { text })) =
        asked.into_iter().find(|r| r.for_terminal())
    else {
        panic!("e asks for the editor");
    };
    assert!(
        text.starts_with("To: Grete Geld <grete@example.com>\nSubject: "),
        "{text}"
    );
    let edited = text.replace(
        "Subject: Please update your card",
        "Subject: Your card, please",
    );
    c.act(Action::Edited(Ok(edited)));
    assert!(
        c.screen().contains("Subject: Your card, please"),
        "{}",
        c.screen()
    );

    // `y` copies it.
    let asked = c.act(Action::Key(press(KeyCode::Char('y'))));
    assert!(
        asked
            .iter()
            .any(|r| matches!(r, Request::Terminal(TerminalWork::Copy { text }) if text.contains("Your card, please")))
    );

    // With a mail command, `s` `y` sends it and logs it.
    let outbox = config.path().join("outbox.eml");
    std::fs::write(
        config.path().join("payments.toml"),
        format!(
            "mail_command = \"cat > '{}'\"\nmail_from = \"billing@acme.example\"\nupdate_link = \"https://pay.example/k\"\n",
            outbox.display()
        ),
    )
    .unwrap();
    c.text("sy");
    assert!(matches!(c.app.overlay, Overlay::None), "{}", c.screen());
    assert!(
        c.screen()
            .contains("letter sent to grete@example.com and logged"),
        "{}",
        c.screen()
    );
    let sent = std::fs::read_to_string(&outbox).unwrap();
    assert!(sent.contains("Subject: Your card, please"), "{sent}");
    assert_eq!(emails(&c), before + 1);

    // Text that no longer reads as a letter goes into the log form, not away.
    open_letter(&mut c, payment);
    c.act(Action::Edited(Ok("just some words, no headers".into())));
    let form = c.app.form.as_ref().expect("the form holds what was typed");
    assert_eq!(form.note.text(), "just some words, no headers");
    c.keys(&[press(KeyCode::Esc), press(KeyCode::Char('y'))]);

    // `l` logs one sent by hand: the form, an email, the letter in it.
    open_letter(&mut c, payment);
    c.text("l");
    let form = c.app.form.as_ref().expect("l opens the form");
    assert_eq!(retain::tui::app::FORM_KINDS[form.kind].as_str(), "email");
    assert!(
        form.note.text().contains("Hello Grete,"),
        "{}",
        form.note.text()
    );
    assert_eq!(form.tags.text(), "outreach");
}
