//! A rep's queue for today: from the shell (`retain queue`) and in the console's first pane.

mod common;

on_both_engines!(
    a_follow_up_and_a_payment_on_one_account_are_one_row_ranked_first,
    a_queue_read_from_kept_scores_is_the_queue_scored_afresh,
    the_first_pane_is_the_queue_and_z_puts_a_row_off,
    a_row_logged_from_the_queue_stays_where_it_was_marked_touched_today,
);

use std::ffi::OsStr;

use common::console::*;
use common::engine::{Db, Engine, TestDb};
use common::*;
use crossterm::event::KeyCode;
use retain::tui::app::Pane;
use retain::tui::theme::Palette;

/// A demo database (whose maker, the OS user running the tests, is an admin: `--as` works).
fn demo_as_admin(engine: Engine) -> TestDb {
    TestDb::demo(engine, 300)
}

fn queue_of(db: &(impl AsRef<OsStr> + ?Sized), login: &str) -> Vec<serde_json::Value> {
    serde_json::from_str(&ok(run(db, &["--as", login, "queue", "--json"]))).unwrap()
}

/// The first account carmen owns, and its id.
fn carmens_account(db: &TestDb) -> i64 {
    query_i64(
        db,
        "SELECT a.id FROM accounts a JOIN reps r ON r.id = a.owner_rep_id
         WHERE r.login = 'carmen' AND a.status = 'active' ORDER BY a.mrr_cents LIMIT 1",
    )
}

fn a_follow_up_and_a_payment_on_one_account_are_one_row_ranked_first(engine: Engine) {
    let db = demo_as_admin(engine);
    let account = carmens_account(&db);
    db.execute(
        &format!(
            "INSERT INTO interactions (account_id, rep_id, kind, occurred_at, summary, body, tags,
                 follow_up_on)
             VALUES ({account}, (SELECT id FROM reps WHERE login = 'carmen'), 'call',
                     '2026-11-18T10:00:00Z', 'promised a quote', 'promised a quote', '[]',
                     '2026-11-21')"
        ),
        &[],
    );
    db.execute(
        &format!(
            "INSERT INTO failed_payments (account_id, external_ref, amount_cents, currency,
                 first_failed_at, last_decline_code, status)
             VALUES ({account}, 'in_q', 5000, 'USD', '2026-11-20T09:00:00Z', 'expired_card',
                     'failing')"
        ),
        &[],
    );
    let rows = queue_of(&db, "carmen");
    let first = &rows[0];
    assert_eq!(
        first["account_id"], account,
        "a payment needing a person ranks first"
    );
    let kinds: Vec<&str> = first["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(&kinds[..2], ["payment", "follow_up"], "{first}");
    assert_eq!(
        rows.iter().filter(|r| r["account_id"] == account).count(),
        1,
        "one row per account"
    );
    assert!(
        first["labels"][1]
            .as_str()
            .unwrap()
            .contains("follow-up 1 d late")
    );
    // Logging on the account keeps the promise: the follow-up leaves the queue.
    ok(run(
        &db,
        &[
            "--as",
            "carmen",
            "log",
            &account.to_string(),
            "--note",
            "sent the quote",
        ],
    ));
    let rows = queue_of(&db, "carmen");
    let row = rows.iter().find(|r| r["account_id"] == account).unwrap();
    assert!(
        row["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["reason"] != "follow_up")
    );
}

fn the_first_pane_is_the_queue_and_z_puts_a_row_off(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    assert!(c.app.is_queue());
    let screen = c.screen();
    assert!(screen.contains("My queue · today"), "{screen}");
    assert!(screen.contains("Why today"), "{screen}");
    let rows = c.app.panes.queue.rows.len();
    assert!(rows > 0, "the demo gives carmen work");
    assert_eq!(c.app.panes.count(Pane::MyQueue), Some(rows));
    let first = c.app.selected_id().unwrap();
    c.text("z");
    c.text("on holiday");
    c.keys(&[press(KeyCode::Enter)]);
    assert!(
        c.screen().contains("out of your queue until"),
        "{}",
        c.screen()
    );
    assert!(
        c.app.panes.queue.row(first).is_none(),
        "put off until tomorrow"
    );
    assert_eq!(c.app.panes.queue.rows.len(), rows - 1);
}

/// The accounts of a queue that are there as high risk left untouched.
fn untouched(queue: &[serde_json::Value]) -> Vec<i64> {
    queue
        .iter()
        .filter(|row| {
            row["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["reason"] == "untouched")
        })
        .map(|row| row["account_id"].as_i64().unwrap())
        .collect()
}

/// Makes an account look doomed by rows a script writes back-dated: no touch ever, two urgent
/// tickets, a detractor's NPS answer, its users gone since October.
fn doom(db: &TestDb, account: i64) {
    for sql in [
        format!("DELETE FROM interactions WHERE account_id = {account}"),
        format!(
            "INSERT INTO tickets (account_id, subject, severity, opened_at)
                 VALUES ({account}, 'data loss', 'urgent', '2026-11-01T09:00:00Z'),
                        ({account}, 'exports fail', 'urgent', '2026-11-10T09:00:00Z')"
        ),
        format!(
            "INSERT INTO nps_responses (account_id, responded_at, score)
                 VALUES ({account}, '2026-11-12T09:00:00Z', 1)"
        ),
        format!(
            "UPDATE usage_snapshots SET active_users = active_users / 5, key_feature_uses = 0
                 WHERE account_id = {account} AND period >= '2026-10-01'"
        ),
    ] {
        db.execute(&sql, &[]);
    }
}

fn a_queue_read_from_kept_scores_is_the_queue_scored_afresh(engine: Engine) {
    let db = demo_as_admin(engine);
    let quiet = db.numbers(
        "SELECT CAST(a.id AS TEXT) FROM accounts a JOIN reps r ON r.id = a.owner_rep_id
         WHERE r.login = 'carmen' AND a.status = 'active' AND a.billing_interval = 'monthly'
           AND a.customer_since BETWEEN '2025-12-01' AND '2026-08-01'
         ORDER BY a.id LIMIT 2",
        &[],
    );
    doom(&db, quiet[0]);
    let fresh = queue_of(&db, "carmen");
    assert!(untouched(&fresh).contains(&quiet[0]));
    assert!(!untouched(&fresh).contains(&quiet[1]));
    assert_eq!(
        queue_of(&db, "carmen"),
        fresh,
        "read back from today's kept scores"
    );

    // Facts change after the scores were kept: a call on the doomed account, and the other
    // turned doomed.
    ok(run(
        &db,
        &[
            "--as",
            "carmen",
            "log",
            &quiet[0].to_string(),
            "--note",
            "went over the renewal",
        ],
    ));
    doom(&db, quiet[1]);
    let kept = queue_of(&db, "carmen");
    assert!(!untouched(&kept).contains(&quiet[0]), "a call touches it");
    assert!(
        untouched(&kept).contains(&quiet[1]),
        "now high and untouched"
    );

    db.execute("DELETE FROM risk_scores WHERE day = '2026-11-22'", &[]);
    assert_eq!(queue_of(&db, "carmen"), kept, "the same scored afresh");
}

fn a_row_logged_from_the_queue_stays_where_it_was_marked_touched_today(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    // A row that a call settles (a promise kept, a high-risk account touched): it has nothing
    // left to do today, yet must not vanish from under the cursor.
    let at = c
        .app
        .panes
        .queue
        .rows
        .iter()
        .position(|r| {
            r.reasons.iter().all(|x| {
                matches!(
                    x,
                    retain::domain::my_queue::Reason::FollowUp { .. }
                        | retain::domain::my_queue::Reason::Untouched { .. }
                )
            })
        })
        .expect("the demo gives carmen a follow-up or an untouched account");
    assert!(at + 1 < c.app.panes.queue.rows.len(), "a row below it");
    for _ in 0..at {
        c.keys(&[press(KeyCode::Char('j'))]);
    }
    let before = c.app.panes.queue.list.ids.clone();
    let account = before[at];
    c.keys(&[press(KeyCode::Char('l'))]);
    c.text("Called back, all settled");
    c.keys(&[ctrl('s')]);
    assert!(c.app.form.is_none(), "{}", c.screen());

    assert_eq!(c.app.panes.queue.list.ids, before, "no row moved");
    assert_eq!(c.app.panes.queue.list.cursor, at, "the cursor stayed");
    let row = c.app.panes.queue.row(account).unwrap();
    assert!(row.touched_today && row.reasons.is_empty(), "{row:?}");
    let line = c
        .screen()
        .lines()
        .find(|l| l.contains('✓'))
        .map(str::to_string);
    assert!(
        line.as_deref().is_some_and(|l| l.contains("touched today")),
        "{}",
        c.screen()
    );
    // At 80×24, the same, and the footer leads with opening and logging.
    c.act(retain::tui::app::Action::Resize(80, 24));
    let screen = c.screen();
    assert!(screen.contains("✓ touched today"), "{screen}");
    assert!(screen.contains(" done "), "{screen}");
    // (The toast saying the call was logged takes the footer's right end while it lasts.)
    let footer = screen.lines().last().unwrap().trim_end();
    assert!(
        footer.starts_with("Enter open") && footer.contains("l log") && footer.contains("? help"),
        "{screen}"
    );

    // From the shell, the row is there too, after the work still to do.
    let queue = queue_of_console(&c);
    let done = queue
        .iter()
        .position(|r| r["account_id"] == account)
        .expect("the row touched today is listed");
    assert_eq!(queue[done]["touched_today"], true);
    let settled = |r: &serde_json::Value| r["reasons"].as_array().unwrap().is_empty();
    assert!(settled(&queue[done]));
    let first_settled = queue.iter().position(settled).unwrap();
    assert!(
        queue[first_settled..].iter().all(settled),
        "rows still to do come first"
    );
}

/// `retain queue --json` as carmen, on the console's file.
fn queue_of_console(c: &Console) -> Vec<serde_json::Value> {
    queue_of(&*c.db, "carmen")
}
