//! The console on a server, in a real terminal: two consoles on two connections see each
//! other's change within a second, and a call note typed while the server restarts is kept,
//! said to be waiting, and saved once the server is back.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::server::{PgDb, as_role, copy_as_me, make_role};
use common::tmux::Tmux;
use common::*;

/// One test at a time here: one of them stops the server under everything on it.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn console(name: &str, url: &str, args: &str) -> Tmux {
    Tmux::start(
        name,
        (120, 35),
        &format!(
            "{} --db '{url}' --today {TODAY} {args}",
            env!("CARGO_BIN_EXE_retain")
        ),
    )
}

/// Stops the test server; it starts again when this is dropped, whatever happened, for the other
/// tests on it.
struct Stopped {
    ctl: String,
}

impl Stopped {
    fn server() -> Stopped {
        let ctl = std::env::var("RETAIN_TEST_PG_CTL")
            .expect("tests/with-postgres says how to stop and start its server");
        control(&ctl, "stop");
        Stopped { ctl }
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        control(&self.ctl, "start");
    }
}

fn control(ctl: &str, what: &str) {
    let out = Command::new(ctl).arg(what).output().unwrap();
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A server copy of a small demo, with carmen a rep with a role of her own.
fn team() -> (PgDb, String, tempfile::TempDir) {
    let dir = temp_dir();
    let file = db_in(&dir, "team.db");
    ok(run(&file, &["demo", "--accounts", "300"]));
    make_role("carmen", "");
    let (db, _) = copy_as_me(file.to_str().unwrap());
    let carmen = as_role(&db, "carmen");
    (db, carmen, dir)
}

/// The first row of carmen's queue, as the CLI sees it: (id, name).
fn first_in_queue(url: &str, args: &str) -> (String, String) {
    let out = ok(retain()
        .args(["--db", url, "--today", TODAY])
        .args(args.split_whitespace())
        .args(["queue", "--json"])
        .output()
        .unwrap());
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let row = &rows[0];
    (
        row["account_id"].to_string(),
        row["name"].as_str().unwrap().to_string(),
    )
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn two_consoles_on_a_server_see_each_other_s_call_within_a_second() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (_db, carmen, _dir) = team();
    see_each_other(&carmen, "");
}

#[test]
fn two_consoles_on_a_file_see_each_other_s_call_within_a_second() {
    let dir = temp_dir();
    let file = db_in(&dir, "team.db");
    ok(run(&file, &["demo", "--accounts", "300"]));
    see_each_other(file.to_str().unwrap(), "--as carmen");
}

/// Two consoles of carmen's on `carmen` (opened with `args`): a call logged in one shows in
/// the other within a second.
fn see_each_other(carmen: &str, args: &str) {
    let cli = |more: &[&str]| {
        ok(retain()
            .args(["--db", carmen, "--today", TODAY])
            .args(args.split_whitespace())
            .args(more)
            .output()
            .unwrap())
    };
    let json = |text: String| -> serde_json::Value { serde_json::from_str(&text).unwrap() };
    // A row of carmen's own accounts (the team queue's rows are claimed while a rep works
    // them, and another console shows the claim first), not yet touched today.
    let rows = json(cli(&["queue", "--json"]));
    let rows = rows.as_array().unwrap();
    let own = |row: &serde_json::Value| {
        let card = json(cli(&["card", &row["account_id"].to_string(), "--json"]));
        card["row"]["owner"] == "carmen" && row["touched_today"] == false
    };
    let at = rows
        .iter()
        .position(own)
        .expect("carmen has an untouched account of her own");
    let name: String = rows[at]["name"]
        .as_str()
        .unwrap()
        .chars()
        .take(12)
        .collect();
    let tag = if args.is_empty() { "pg" } else { "file" };
    let watcher = console(&format!("{tag}-watch"), carmen, args);
    let caller = console(&format!("{tag}-call"), carmen, args);
    for c in [&watcher, &caller] {
        c.wait_for(&name);
    }
    let row = |screen: &str| -> String {
        screen
            .lines()
            .find(|l| l.contains(&name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        !row(&watcher.screen()).contains('✓'),
        "{}",
        watcher.screen()
    );
    // The consoles' start-up work (the day's schedule, scores) is done once a first change,
    // made from the command line, has reached the watcher: what is timed is a change in a day's
    // work, not one queued behind a console's first minute.
    let other = rows
        .iter()
        .enumerate()
        .find(|(i, r)| *i != at && own(r))
        .map(|(_, r)| r);
    if let Some(other) = other {
        let other_name: String = other["name"].as_str().unwrap().chars().take(12).collect();
        cli(&["log", &other["account_id"].to_string(), "--note", "Warm-up"]);
        let started = Instant::now();
        while !watcher
            .screen()
            .lines()
            .any(|l| l.contains(&other_name) && l.contains('✓'))
        {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{}",
                watcher.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    // The caller logs a call on that row.
    for _ in 0..at {
        caller.keys(&["j"]);
    }
    caller.keys(&["l"]);
    caller.wait_for("C-s save");
    caller.type_text("Talked through the renewal");
    caller.keys(&["C-s"]);
    caller.wait_for("call logged");
    let logged = Instant::now();
    while !row(&watcher.screen()).contains('✓') {
        assert!(
            logged.elapsed() < Duration::from_secs(5),
            "{}",
            watcher.screen()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(
        logged.elapsed() < Duration::from_millis(1500),
        "the other console showed the call {:?} after it was logged",
        logged.elapsed()
    );
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_note_typed_while_the_server_restarts_is_kept_and_saved_when_it_is_back() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (db, carmen, _dir) = team();
    let (_, name) = first_in_queue(&carmen, "");
    let c = console("restart", &carmen, "");
    c.wait_for(&name.chars().take(12).collect::<String>());
    c.keys(&["l"]);
    c.wait_for("C-s save");
    c.type_text("Typed while the server restarted");
    // The server goes as the rep saves.
    let again = Stopped::server();
    c.keys(&["C-s"]);
    c.wait_for("reconnecting…");
    // Away long enough for the save to be tried again (and again) before it is back.
    std::thread::sleep(Duration::from_secs(3));
    drop(again);
    // What the database holds is the answer (the console's "call logged" can be followed at
    // once by the answers of what it had asked meanwhile).
    let saved = || -> i64 {
        db.client()
            .query_one(
                "SELECT count(*) FROM interactions WHERE body = 'Typed while the server restarted'",
                &[],
            )
            .unwrap()
            .get(0)
    };
    let back = Instant::now();
    while saved() == 0 {
        assert!(back.elapsed() < Duration::from_secs(30), "{}", c.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
    let kept = saved();
    assert_eq!(kept, 1, "saved once, once the server was back");
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_note_waiting_for_the_server_when_the_console_closes_is_kept_and_said_where() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (_db, carmen, dir) = team();
    let (_, name) = first_in_queue(&carmen, "");
    // The console's state folder is the test's, and the terminal stays to show what it said.
    let c = Tmux::start(
        "closing",
        (120, 35),
        &format!(
            "XDG_STATE_HOME='{}' {} --db '{carmen}' --today {TODAY}; sleep 60",
            dir.path().display(),
            env!("CARGO_BIN_EXE_retain")
        ),
    );
    c.wait_for(&name.chars().take(12).collect::<String>());
    let _again = Stopped::server();
    c.keys(&["l"]);
    c.wait_for("C-s save");
    c.type_text("Typed as the console closed");
    c.keys(&["C-s"]);
    c.wait_for("reconnecting…");
    c.keys(&["C-c"]);
    c.wait_for("it is kept in");
    let kept = std::fs::read_dir(dir.path().join("retain/unsaved"))
        .expect("the unsaved folder")
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<Vec<_>>();
    assert!(
        kept.iter()
            .any(|text| text.contains("Typed as the console closed")),
        "{kept:?}"
    );
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_lookup_while_the_server_is_down_says_so_and_is_answered_when_it_is_back() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (_db, carmen, _dir) = team();
    let (_, name) = first_in_queue(&carmen, "");
    let c = console("lookup", &carmen, "");
    let shown: String = name.chars().take(12).collect();
    c.wait_for(&shown);
    let again = Stopped::server();
    c.keys(&["/"]);
    c.type_text(&shown);
    // Never "no account matches": a rep on a call would take the caller for one we lack.
    c.wait_for("the server is not answering");
    assert!(!c.screen().contains("no account matches"), "{}", c.screen());
    drop(again);
    c.wait_for("found · Enter opens");
    // What failed while the server was away is not said on after it is back.
    let start = Instant::now();
    while c.screen().contains("out of reach") {
        assert!(start.elapsed() < Duration::from_secs(5), "{}", c.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A hook's answer is the one record of what the card did: a run whose hook answers while the
/// server is away waits to record it, past the time a command waits for a server, and records
/// it once the server is back (it was dropped, and the payment held as never answered).
#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_hook_s_answer_given_while_the_server_is_away_is_recorded_once_it_is_back() {
    use common::engine::{Db, Engine, TestDb};
    use common::payments::{failing, only_ours_due, script};
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = temp_dir();
    let db = TestDb::demo(Engine::Server, 300);
    only_ours_due(&db);
    let p = failing(&db, "ch_away", "2026-11-20T09:00:00Z", "processing_error");
    let (go, called) = (dir.path().join("go"), dir.path().join("called"));
    let hook = script(
        &dir,
        "answers_later.sh",
        &format!(
            "touch {called}\nwhile [ ! -e {go} ]; do sleep 0.1; done\necho '{{\"outcome\":\"succeeded\"}}'",
            called = called.display(),
            go = go.display()
        ),
    );
    let run = retain()
        .env("RETAIN_SERVER_WAIT", "1")
        .args(["--db", db.arg(), "--today", TODAY])
        .args(["payments", "run", "--exec", &hook, "--timeout", "120"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !called.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the hook never ran"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let away = Stopped::server();
    std::fs::write(&go, "").unwrap();
    // Away for longer than the run's commands wait for a server (1 s here).
    std::thread::sleep(Duration::from_secs(4));
    drop(away);
    let done = run.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{err}");
    assert!(
        err.contains("the hook answered succeeded; waiting for the server"),
        "{err}"
    );
    let status = db.query_text(
        &format!("SELECT status FROM failed_payments WHERE id = {p}"),
        &[],
    );
    assert_eq!(status.as_deref(), Some("recovered"));
}
