//! The real binary in a real terminal (tmux), driven by keys and read off the screen, as a rep
//! would use it. Needs tmux, which `.ci/run` installs.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::tmux::Tmux;
use common::*;

fn console_command(db: &Path) -> String {
    format!(
        "{} --db {} --today {TODAY}",
        env!("CARGO_BIN_EXE_retain"),
        db.display()
    )
}

/// Makes the OS user running the tests a rep of the database: anyone else's console is
/// read-only.
fn make_me_a_rep(db: &Path) -> String {
    let me = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_string();
    rusqlite::Connection::open(db)
        .unwrap()
        .execute(
            "INSERT INTO reps (login, display_name, role) VALUES (?1, 'Test Rep', 'rep')
             ON CONFLICT (login) DO UPDATE SET display_name = 'Test Rep', role = 'rep'",
            [&me],
        )
        .unwrap();
    me
}

#[test]
fn a_rep_finds_an_account_and_logs_a_call_in_the_real_console() {
    let dir = temp_dir();
    let db = db_in(&dir, "tmux.db");
    ok(run(&db, &["demo", "--accounts", "300"]));
    make_me_a_rep(&db);
    let tmux = Tmux::start("log", (80, 24), &console_command(&db));
    tmux.wait_for("? help");
    let screen = tmux.screen();
    assert!(screen.contains("1 Queue"), "{screen}");

    // Typed in one go, Enter without waiting for the answer, as on a call.
    tmux.keys(&["/"]);
    tmux.type_text("muller");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Timeline");
    tmux.keys(&["l"]);
    tmux.wait_for("Log ·");
    tmux.type_text("Called from a real terminal");
    tmux.keys(&["Tab"]);
    tmux.type_text("renewal");
    tmux.keys(&["C-s"]);
    tmux.wait_for("call logged");
    let screen = tmux.wait_for("Called from a real terminal");
    assert!(screen.contains("Müller"), "{screen}");

    // q closes the card, q again quits.
    tmux.keys(&["q"]);
    tmux.wait_for("My queue ·");
    tmux.keys(&["q"]);
    let start = Instant::now();
    while tmux.alive() && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!tmux.alive(), "the console did not quit");
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM interactions i JOIN accounts a ON a.id = i.account_id
             WHERE i.summary = 'Called from a real terminal' AND i.tags = 'renewal'
               AND a.name LIKE 'Müller%'"
        ),
        1
    );
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'log interaction'"
        ),
        1
    );
}

#[test]
fn a_dropped_connection_keeps_what_the_rep_was_typing() {
    let dir = temp_dir();
    let db = db_in(&dir, "hangup.db");
    ok(run(&db, &["demo", "--accounts", "100"]));
    let me = make_me_a_rep(&db);
    let tmux = Tmux::start("hup", (100, 30), &console_command(&db));
    tmux.wait_for("Test Rep (rep)");
    tmux.keys(&["2"]);
    tmux.wait_for("▶"); // scored, an account selected and explained
    tmux.keys(&["l"]);
    tmux.wait_for("Log ·");
    tmux.type_text("The customer was saying that");
    tmux.wait_for("The customer was saying that");
    // The connection drops mid-sentence.
    tmux.hang_up();
    let start = Instant::now();
    let drafts = loop {
        let n = query_i64(
            &db,
            &format!(
                "SELECT count(*) FROM drafts WHERE rep_login = '{me}' AND body = 'The customer was saying that'"
            ),
        );
        if n == 1 || start.elapsed() > Duration::from_secs(5) {
            break n;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(drafts, 1, "the draft was not saved");

    // Opening the form on that account again brings the text back.
    let tmux = Tmux::start("back", (100, 30), &console_command(&db));
    tmux.wait_for("Test Rep (rep)");
    tmux.keys(&["2"]);
    tmux.wait_for("▶"); // scored, an account selected and explained
    tmux.keys(&["l"]);
    let screen = tmux.wait_for("restored");
    assert!(screen.contains("The customer was saying that"), "{screen}");
}

#[test]
fn another_reps_change_shows_on_an_open_console_without_a_key() {
    let dir = temp_dir();
    let db = db_in(&dir, "live.db");
    ok(run(&db, &["demo", "--accounts", "300"]));
    make_me_a_rep(&db);
    common::payments::failing(&db, "ch_live", "2026-11-20T09:00:00Z", "insufficient_funds");
    let items: Vec<serde_json::Value> =
        serde_json::from_str(&ok(run(&db, &["payments", "--json"]))).unwrap();
    let n = items.len();
    let failing = items
        .iter()
        .find(|i| !i["payment_id"].is_null() && i["queue"] != "recovered")
        .expect("the demo has a failing payment");
    let tmux = Tmux::start("live", (120, 35), &console_command(&db));
    tmux.wait_for("? help");
    tmux.keys(&["4"]);
    tmux.wait_for(&format!(" 1 of {n}\n"));
    // Another process writes a payment off; the console is not touched.
    let id = failing["payment_id"].to_string();
    ok(run(
        &db,
        &["payments", "write-off", &id, "--reason", "gone"],
    ));
    let after = tmux.wait_for(&format!(" 1 of {}\n", n - 1));
    assert!(after.contains("Payments · all queues"), "{after}");
}

#[test]
fn the_console_warns_when_everyone_may_read_the_file() {
    let dir = temp_dir();
    let db = db_in(&dir, "open.db");
    ok(run(&db, &["demo", "--accounts", "50"]));
    open_up(&db, 0o644);
    let tmux = Tmux::start("warn", (120, 30), &console_command(&db));
    tmux.wait_for("readable by every user");
}

#[test]
fn a_save_that_waits_for_another_writer_says_so_and_then_goes_through() {
    let dir = temp_dir();
    let db = db_in(&dir, "locked.db");
    ok(run(&db, &["demo", "--accounts", "100"]));
    make_me_a_rep(&db);
    let tmux = Tmux::start("wait", (120, 35), &console_command(&db));
    tmux.wait_for("z put it off");
    tmux.keys(&["2"]);
    tmux.wait_for("At risk ·");
    tmux.wait_for("1 of ");
    tmux.keys(&["l"]);
    tmux.wait_for("Log ·");
    tmux.type_text("Saved while another process wrote");
    // Another process takes the write lock and keeps it for a few seconds.
    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    tmux.keys(&["C-s"]);
    tmux.wait_for("waiting for the database");
    std::thread::sleep(Duration::from_millis(500));
    other.execute_batch("COMMIT").unwrap();
    tmux.wait_for("logged (#");
    assert!(!tmux.screen().contains("waiting for the database"));
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM interactions WHERE summary = 'Saved while another process wrote'"
        ),
        1
    );
}

#[test]
fn stored_escapes_printed_to_a_real_terminal_drive_nothing() {
    let dir = temp_dir();
    let db = db_in(&dir, "escapes.db");
    ok(run(&db, &["demo", "--accounts", "300"]));
    // (A small demo need not have a payment failing now: one is made.)
    common::payments::failing(
        &db,
        "ch_escapes",
        "2026-11-20T09:00:00Z",
        "insufficient_funds",
    );
    let hostile = "\u{1b}]0;PWNED\u{7}\u{1b}]52;c;Q0xJUA==\u{7}\u{1b}[2J";
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE accounts SET name = 'Evil' || ?1", [hostile])
        .unwrap();
    conn.execute(
        "UPDATE failed_payments SET last_decline_code = 'x' || ?1",
        [hostile],
    )
    .unwrap();
    // A few accounts with failing payments, so that everything printed fits on the screen.
    let keep: Vec<i64> = conn
        .prepare("SELECT account_id FROM failed_payments WHERE status = 'failing' LIMIT 3")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!keep.is_empty(), "the demo has no failing payment");
    let keep: Vec<String> = keep.iter().map(i64::to_string).collect();
    conn.execute(
        &format!("DELETE FROM accounts WHERE id NOT IN ({})", keep.join(",")),
        [],
    )
    .unwrap();
    drop(conn);
    let bin = env!("CARGO_BIN_EXE_retain");
    let db = db.display();
    // A marker first: a clear-screen would wipe it; a title change would show in the pane title.
    let shell = format!(
        "echo MARKER-BEFORE; {bin} --db {db} --today {TODAY} payments; {bin} --db {db} --today {TODAY} export accounts; {bin} --db {db} --today {TODAY} search Evil; echo MARKER-AFTER; sleep 30"
    );
    let tmux = Tmux::start("escapes", (200, 60), &shell);
    let screen = tmux.wait_for("MARKER-AFTER");
    assert!(
        screen.contains("MARKER-BEFORE"),
        "the screen was cleared:\n{screen}"
    );
    assert!(screen.contains("Evil\u{FFFD}]0;PWNED"), "{screen}");
    let title = Command::new("tmux")
        .args([
            "-L",
            &tmux.socket,
            "display-message",
            "-p",
            "-t",
            "t",
            "#{pane_title}",
        ])
        .output()
        .unwrap();
    let title = String::from_utf8_lossy(&title.stdout);
    assert!(!title.contains("PWNED"), "the pane title was set: {title}");
}

#[test]
fn a_deleted_database_file_is_said_in_red_and_takes_no_more_writes() {
    let dir = temp_dir();
    let db = db_in(&dir, "gone.db");
    ok(run(&db, &["demo", "--accounts", "100"]));
    make_me_a_rep(&db);
    let tmux = Tmux::start("gone", (120, 35), &console_command(&db));
    tmux.wait_for("z put it off");
    // Someone removes the team's file while the console is open.
    let mut store = store_as_me(&db);
    std::fs::remove_file(&db).unwrap();
    tmux.wait_for("the database file was deleted or replaced");
    let account = 1;
    let note = retain::domain::model::Interaction {
        rep: None,
        kind: retain::domain::model::InteractionKind::Note,
        occurred_at: chrono::Utc::now(),
        summary: "into the void".into(),
        body: String::new(),
        outcome: None,
        tags: vec![],
        follow_up_on: None,
    };
    let refused = store.log_interaction(account, &note, "root", chrono::Utc::now());
    assert!(
        matches!(refused, Err(retain::store::StoreError::Gone { .. })),
        "{refused:?}"
    );
}

#[test]
fn open_starts_on_the_card_of_a_callers_number() {
    let dir = temp_dir();
    let db = db_in(&dir, "open.db");
    ok(run(&db, &["demo", "--accounts", "300"]));
    make_me_a_rep(&db);
    // A contact stored in a national form ("030 / 23125-017"), called from abroad: the
    // softphone hands over the caller-ID's E.164.
    let (name, stored, country): (String, String, String) = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT a.name, c.phone, a.country FROM contacts c JOIN accounts a ON a.id = c.account_id
             WHERE a.status = 'active' AND c.phone NOT LIKE '+%' AND a.country != 'US'
             ORDER BY c.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let e164 = phonenumber::parse(country.parse().ok(), &stored)
        .unwrap()
        .format()
        .mode(phonenumber::Mode::E164)
        .to_string();
    let command = format!("{} --open '{e164}'", console_command(&db));
    let tmux = Tmux::start("open", (120, 35), &command);
    let screen = tmux.wait_for("Timeline");
    assert!(
        screen.contains(&name),
        "{e164} ({stored}) opens {name}:\n{screen}"
    );
    assert!(screen.contains(&stored), "{screen}");

    // Off a terminal, the same lookup prints the card.
    let out = retain()
        .args([
            "--db",
            db.to_str().unwrap(),
            "--today",
            TODAY,
            "--open",
            &e164,
        ])
        .output()
        .unwrap();
    let text = ok(out);
    assert!(text.contains(&name) && text.contains(&stored), "{text}");
    let err = fails(run(&db, &["--open", &e164, "summary"]));
    assert!(err.contains("--open starts the console"), "{err}");
}

#[test]
fn the_console_logs_what_went_wrong_to_a_file_and_nothing_to_the_terminal() {
    let dir = temp_dir();
    let db = db_in(&dir, "logged.db");
    ok(run(&db, &["demo", "--accounts", "300"]));
    let state = dir.path().join("state");
    let command = format!(
        "XDG_STATE_HOME={} RETAIN_LOG=info {}",
        state.display(),
        console_command(&db)
    );
    let tmux = Tmux::start("logfile", (120, 35), &command);
    tmux.wait_for("? help");
    tmux.keys(&["2"]);
    tmux.wait_for("▶");
    // A refusal from the store: said on screen, and kept in the log.
    tmux.keys(&[":", "assign nobody-at-all", "Enter"]);
    let screen = tmux.wait_for("is not an active rep");
    assert!(
        !screen.contains("WARN") && !screen.contains("INFO"),
        "{screen}"
    );
    // The log is written as things happen: read while the console runs (the index is built in
    // the background, and may finish after the refusal).
    let log = state.join("retain").join("retain.log");
    let mut text = String::new();
    for _ in 0..100 {
        text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("nobody-at-all") && text.contains("search index built") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        text.contains("request=Assign") && text.contains("nobody-at-all"),
        "{text}"
    );
    assert!(text.contains("search index built"), "{text}");
    // (The refused line is offered again to be corrected: Esc leaves it.)
    tmux.keys(&["Escape"]);
    tmux.keys(&["q"]);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&log).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the log is the rep's alone");
}
