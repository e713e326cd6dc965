//! The payments pane, rendered into TestBackend from a real demo database and driven by keys.

mod common;

on_both_engines!(
    the_queues_show_in_order_with_the_recovery_figures_at_80x24_and_120x35,
    f_walks_the_queues_and_shows_one_at_a_time,
    a_new_card_moves_the_payment_to_retry_now_and_a_result_recovers_it,
    a_declined_retry_is_scheduled_by_its_new_code,
    writing_off_asks_first_and_pausing_needs_a_reason,
    outreach_opens_an_email_prefilled_and_saving_it_marks_the_payment_reached,
);

use common::console::*;
use common::engine::{Db, Engine};
use crossterm::event::KeyCode;
use retain::tui::theme::Palette;

/// A payment of account 1 that failed yesterday with `code`, as the console hears of it; its id.
fn failing(c: &mut Console, reference: &str, code: &str) -> i64 {
    let id = common::payments::failing_of(&*c.db, 123456, reference, "2026-11-21T09:00:00Z", code);
    c.hear_change();
    id
}

fn status(c: &Console, payment: i64) -> String {
    c.db.query_text(
        &format!("SELECT status FROM failed_payments WHERE id = {payment}"),
        &[],
    )
    .expect("a payment has a status")
}

fn the_queues_show_in_order_with_the_recovery_figures_at_80x24_and_120x35(engine: Engine) {
    for size in [(120, 35), (80, 24)] {
        let mut c = demo_console(engine, 300, "carmen", size, Palette::Indexed);
        let card = failing(&mut c, "in_card", "expired_card");
        c.text("4");
        let screen = c.screen();
        assert!(screen.contains("Payments · all queues"), "{screen}");
        assert!(
            screen.contains("recovered") && screen.contains("% of"),
            "{screen}"
        );
        assert!(
            screen.contains("new card 1") || screen.contains("new card "),
            "{screen}"
        );
        assert!(
            screen.contains("Decline") && screen.contains("Tries"),
            "{screen}"
        );
        // Queue order: every line's queue comes no earlier than the one above it.
        let items = &c.app.panes.payments.items;
        let ranks: Vec<usize> = items
            .iter()
            .map(|i| retain::services::payments::queue_rank(i.queue))
            .collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
        select_payment(&mut c, card);
        let screen = c.screen();
        assert!(
            screen.contains("expired_card: the card details need updating"),
            "{screen}"
        );
        assert!(screen.contains("attempt 1 of 8"), "{screen}");
        for line in screen.lines() {
            assert!(
                unicode_width::UnicodeWidthStr::width(line) <= usize::from(size.0),
                "{line}"
            );
        }
    }
}

fn f_walks_the_queues_and_shows_one_at_a_time(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    failing(&mut c, "in_card", "expired_card");
    c.text("4");
    c.text("f");
    assert_eq!(c.app.panes.payments.queue, Some("due"));
    c.text("f");
    assert_eq!(c.app.panes.payments.queue, Some("new-card"));
    let screen = c.screen();
    assert!(screen.contains("Payments · new card"), "{screen}");
    let shown = &c.app.list().ids;
    assert!(!shown.is_empty());
    assert!(
        shown
            .iter()
            .all(|id| c.app.panes.payments.item(*id).unwrap().queue == "new-card")
    );
    c.text("F");
    c.text("F");
    assert_eq!(c.app.panes.payments.queue, None, "back to all queues");
}

fn a_new_card_moves_the_payment_to_retry_now_and_a_result_recovers_it(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    let p = failing(&mut c, "in_card", "expired_card");
    select_payment(&mut c, p);
    // It charges the customer: asked first, and n changes nothing.
    c.text("u");
    assert!(
        c.screen().contains("charge 1,234.56 USD from"),
        "{}",
        c.screen()
    );
    c.text("n");
    assert_eq!(c.app.panes.payments.item(p).unwrap().queue, "new-card");
    c.text("u");
    c.text("y");
    let item = c.app.panes.payments.item(p).unwrap();
    assert_eq!(item.queue, "due", "a new card is tried at once");
    assert!(c.screen().contains(&format!("payment {p}: failing")));
    // Said with whose it is.
    let name = c.app.panes.payments.item(p).unwrap().name.clone();
    let said = &c.app.toasts.last().unwrap().text;
    assert!(said.ends_with(&format!(" · {name}")), "{said}");
    c.text("r");
    c.text("ok");
    c.keys(&[press(KeyCode::Enter)]);
    assert_eq!(status(&c, p), "recovered");
    assert_eq!(c.app.panes.payments.item(p).unwrap().queue, "recovered");
}

fn a_declined_retry_is_scheduled_by_its_new_code(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    let p = failing(&mut c, "in_soft", "processing_error");
    select_payment(&mut c, p);
    c.text("r");
    c.text("insufficient_funds");
    c.keys(&[press(KeyCode::Enter)]);
    let item = c.app.panes.payments.item(p).unwrap();
    assert_eq!(item.attempts, 2);
    assert_eq!(item.class, Some("insufficient-funds"));
    assert_eq!(
        item.next_retry_at.unwrap().date_naive().to_string(),
        "2026-12-01"
    );
}

fn writing_off_asks_first_and_pausing_needs_a_reason(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    let p = failing(&mut c, "in_gone", "do_not_honor");
    select_payment(&mut c, p);
    c.text("p");
    c.keys(&[press(KeyCode::Enter)]);
    // The line stays, saying what it lacks; Esc leaves it.
    let screen = c.screen();
    assert!(
        screen.contains(":pause +7d") && screen.contains("say why, after the day"),
        "{screen}"
    );
    c.keys(&[press(KeyCode::Esc)]);
    c.text("W");
    c.text("customer unreachable");
    c.keys(&[press(KeyCode::Enter)]);
    let screen = c.screen();
    assert!(screen.contains("Write off 1,234.56 USD from"), "{screen}");
    c.text("n");
    assert_eq!(status(&c, p), "failing", "n keeps it");
    c.text("W");
    c.text("customer unreachable");
    c.keys(&[press(KeyCode::Enter)]);
    c.text("y");
    assert_eq!(status(&c, p), "written_off");
}

fn outreach_opens_an_email_prefilled_and_saving_it_marks_the_payment_reached(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    let p = failing(&mut c, "in_card", "expired_card");
    select_payment(&mut c, p);
    c.text("o");
    let screen = c.screen();
    assert!(screen.contains("1,234.56 USD"), "{screen}");
    assert!(
        screen.contains("the card details need updating"),
        "{screen}"
    );
    assert!(screen.contains("[card update link]"), "{screen}");
    // Addressed to the account's billing contact (else its primary one), greeted by name;
    // `l` logs it as sent by hand.
    let card = c.app.card.shown.as_ref().unwrap();
    let to = retain::services::outreach::recipient(&card.contacts).unwrap();
    c.text("l");
    let form = c.app.form.as_ref().unwrap();
    let note = form.note.text();
    assert!(
        note.starts_with(&format!(
            "To: {} <{}>\nSubject: Please update your card",
            to.name, to.email
        )),
        "{note}"
    );
    let first = to.name.split(' ').next().unwrap();
    assert!(note.contains(&format!("Hello {first},")), "{note}");
    c.keys(&[ctrl('s')]);
    assert!(c.screen().contains("email logged"));
    let item = c.app.panes.payments.item(p).unwrap();
    assert!(item.last_outreach_at.is_some());
    assert!(c.screen().contains("reached today"));
    // Its timeline entry reads as its subject, not "Hello,".
    let account = c.app.panes.payments.item(p).unwrap().account_id;
    let summary = c
        .db
        .query_text(
            &format!(
                "SELECT summary FROM interactions WHERE account_id = {account} ORDER BY id DESC LIMIT 1"
            ),
            &[],
        )
        .unwrap();
    assert!(
        summary.starts_with("Please update your card for "),
        "{summary}"
    );
}
