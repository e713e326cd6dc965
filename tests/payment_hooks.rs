//! A billing hook that outlives its welcome: `payments run` stops it with everything it started,
//! and a payment it may have charged is held until a person settles it. Real scripts that sleep
//! and leave marker files, a real `payments run` process stopped by real signals.

mod common;

on_both_engines!(
    a_hook_past_its_timeout_is_stopped_with_all_it_started_and_its_payment_is_held,
    a_run_stopped_by_a_signal_stops_its_hook_before_it_exits,
    a_killed_run_leaves_its_payment_held_and_its_lock_to_the_next_run,
    one_run_at_a_time_however_the_database_is_named,
    a_payment_retried_since_the_queue_was_read_is_not_handed_over_again,
    a_run_lock_left_by_a_box_gone_quiet,
);

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::engine::{Db, Engine, TestDb};
use common::payments::*;
use common::server::{make_role, url_of};
use common::*;

/// A hook that notes each call, starts a child that would charge (write `charged`) a little
/// later, and then hangs: what a hook stuck on a slow card API looks like.
fn slow_hook(dir: &tempfile::TempDir) -> String {
    let calls = dir.path().join("calls");
    let charged = dir.path().join("charged");
    script(
        dir,
        "slow.sh",
        &format!(
            "echo called >> {calls}\n(sleep 3; touch {charged}) &\nsleep 30\necho '{{\"outcome\":\"succeeded\"}}'",
            calls = calls.display(),
            charged = charged.display()
        ),
    )
}

fn calls(dir: &tempfile::TempDir) -> usize {
    std::fs::read_to_string(dir.path().join("calls"))
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

fn start_run(db: &TestDb, hook: &str, timeout: &str) -> Child {
    retain()
        .arg("--db")
        .arg(db)
        .args(["--today", TODAY])
        .args(["payments", "run", "--exec", hook, "--timeout", timeout])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < limit,
            "{what} did not happen within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn queue_of(db: &TestDb, payment: i64) -> serde_json::Value {
    queue(db, &[])
        .into_iter()
        .find(|i| i["payment_id"] == payment)
        .unwrap()
}

/// No process of the hook is left: nothing in the sleeping script's command lines.
fn hook_processes(dir: &tempfile::TempDir) -> usize {
    let out = Command::new("pgrep")
        .args(["-f", &dir.path().display().to_string()])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).lines().count()
}

fn a_due_payment(engine: Engine) -> (TestDb, i64) {
    let db = TestDb::demo(engine, 300);
    only_ours_due(&db);
    let p = failing(&db, "in_slow", "2026-11-20T09:00:00Z", "processing_error");
    assert_eq!(queue_of(&db, p)["queue"], "due");
    (db, p)
}

fn a_hook_past_its_timeout_is_stopped_with_all_it_started_and_its_payment_is_held(engine: Engine) {
    let dir = temp_dir();
    let (db, p) = a_due_payment(engine);
    let hook = slow_hook(&dir);
    let started = Instant::now();
    let err = fails(run(
        &db,
        &["payments", "run", "--exec", &hook, "--timeout", "1"],
    ));
    // The timeout, the grace period and no more: the run waited for nothing else.
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert!(err.contains("stopped after 1 s"), "{err}");
    // The child that would have charged was stopped with the hook.
    std::thread::sleep(Duration::from_secs(4));
    assert!(
        !dir.path().join("charged").exists(),
        "the hook's child charged after the run moved on"
    );
    assert_eq!(hook_processes(&dir), 0);

    // Held: not due, not handed to the next run, and saying why.
    let item = queue_of(&db, p);
    assert_eq!(item["queue"], "do-not-retry", "{item}");
    assert!(item["held_since"].is_string(), "{item}");
    let text = ok(run(&db, &["payments"]));
    let line = text
        .lines()
        .find(|l| l.contains(&format!("#{p} ")))
        .unwrap();
    assert!(
        line.contains("HELD since") && line.contains("payments record"),
        "{line}"
    );
    assert!(
        item["why"].as_str().unwrap().contains("never answered"),
        "{item}"
    );
    let out = ok(run(
        &db,
        &["payments", "run", "--exec", &hook, "--timeout", "1"],
    ));
    assert!(out.contains("no retry is due"), "{out}");
    assert_eq!(
        calls(&dir),
        1,
        "a held payment was handed to the hook again"
    );

    // A rep who looked it up in the billing system settles it.
    ok(run(
        &db,
        &[
            "payments",
            "record",
            &p.to_string(),
            "--failed",
            "insufficient_funds",
        ],
    ));
    assert_ne!(queue_of(&db, p)["queue"], "do-not-retry");
}

fn a_run_stopped_by_a_signal_stops_its_hook_before_it_exits(engine: Engine) {
    for signal in ["TERM", "INT"] {
        let dir = temp_dir();
        let (db, p) = a_due_payment(engine);
        let mut child = start_run(&db, &slow_hook(&dir), "60");
        wait_until("the hook's start", Duration::from_secs(20), || {
            calls(&dir) == 1
        });
        let stopped = Instant::now();
        Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        assert!(
            stopped.elapsed() < Duration::from_secs(4),
            "{signal}: {:?}",
            stopped.elapsed()
        );
        assert_eq!(status.code(), Some(1), "{signal}");
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert!(err.contains("stopped by a signal"), "{signal}: {err}");
        // Nothing of the hook outlives the run.
        assert_eq!(hook_processes(&dir), 0, "{signal}");
        std::thread::sleep(Duration::from_secs(4));
        assert!(!dir.path().join("charged").exists(), "{signal}");
        assert_eq!(queue_of(&db, p)["queue"], "do-not-retry", "{signal}");
        // The lock went with the run.
        assert_eq!(db.query_i64("SELECT count(*) FROM run_locks", &[]), 0);
    }
}

fn a_killed_run_leaves_its_payment_held_and_its_lock_to_the_next_run(engine: Engine) {
    let dir = temp_dir();
    let (db, p) = a_due_payment(engine);
    let other = failing(&db, "in_other", "2026-11-20T10:00:00Z", "processing_error");
    let mut child = start_run(&db, &slow_hook(&dir), "60");
    wait_until("the hook's start", Duration::from_secs(20), || {
        calls(&dir) == 1
    });
    // SIGKILL cannot be caught: the hook is orphaned and may still charge.
    child.kill().unwrap();
    child.wait().unwrap();
    // The next run takes the dead run's lock, and leaves the orphan's payment alone.
    let quick = script(&dir, "quick.sh", "echo '{\"outcome\":\"succeeded\"}'");
    let out = ok(run(&db, &["payments", "run", "--exec", &quick]));
    assert!(out.contains(&format!("payment {other}")), "{out}");
    assert!(!out.contains(&format!("payment {p} ")), "{out}");
    assert_eq!(queue_of(&db, p)["queue"], "do-not-retry");
    // Tidy up the orphan.
    Command::new("pkill")
        .args(["-f", &dir.path().display().to_string()])
        .status()
        .unwrap();
}

fn one_run_at_a_time_however_the_database_is_named(engine: Engine) {
    let dir = temp_dir();
    let (db, _) = a_due_payment(engine);
    let link = db.another_name();
    let mut first = start_run(&db, &slow_hook(&dir), "60");
    wait_until("the hook's start", Duration::from_secs(20), || {
        calls(&dir) == 1
    });
    let err = fails(run(&link, &["payments", "run", "--exec", "true"]));
    assert!(
        err.contains("another `retain payments run` is running"),
        "{err}"
    );
    Command::new("kill")
        .args(["-TERM", &first.id().to_string()])
        .status()
        .unwrap();
    first.wait().unwrap();
}

#[test]
fn a_hook_that_regroups_or_starts_a_session_is_still_stopped_with_everything() {
    for (name, escape) in [
        (
            "setpgid",
            "perl -e 'setpgrp(0, 0); sleep 3; open(F, \">\", $ARGV[0])' {charged} &",
        ),
        ("setsid", "setsid sh -c 'sleep 3; touch {charged}' &"),
        (
            "job control",
            "bash -c 'set -m; (sleep 3; touch {charged}) & wait' &",
        ),
    ] {
        let dir = temp_dir();
        let (db, p) = a_due_payment(Engine::File);
        let charged = dir.path().join("charged");
        let body = format!(
            "{}\nsleep 30",
            escape.replace("{charged}", &charged.display().to_string())
        );
        let hook = script(&dir, "escape.sh", &body);
        let started = Instant::now();
        let err = fails(run(
            &db,
            &["payments", "run", "--exec", &hook, "--timeout", "1"],
        ));
        let took = started.elapsed();
        std::thread::sleep(Duration::from_secs(4));
        assert!(
            !charged.exists(),
            "{name}: a child that left the group charged (the run took {took:?}): {err}"
        );
        assert_eq!(hook_processes(&dir), 0, "{name}");
        assert_eq!(queue_of(&db, p)["queue"], "do-not-retry", "{name}");
    }
}

#[test]
fn a_hook_that_answers_then_talks_past_what_retain_hears_is_held() {
    let dir = temp_dir();
    let (db, p) = a_due_payment(Engine::File);
    let hook = script(
        &dir,
        "mega.sh",
        "echo '{\"outcome\":\"succeeded\"}'\nhead -c 5000000 /dev/zero | tr '\\0' x",
    );
    let err = fails(run(&db, &["payments", "run", "--exec", &hook]));
    assert!(err.contains("1 MiB") && err.contains("held"), "{err}");
    assert_eq!(queue_of(&db, p)["queue"], "do-not-retry");
    let out = ok(run(&db, &["payments", "run", "--exec", &hook]));
    assert!(out.contains("no retry is due"), "{out}");
}

fn a_payment_retried_since_the_queue_was_read_is_not_handed_over_again(engine: Engine) {
    let (db, p) = a_due_payment(engine);
    let mut store = store_as_me(&db);
    let attempts_read = 1;
    ok(run(
        &db,
        &[
            "payments",
            "record",
            &p.to_string(),
            "--failed",
            "processing_error",
        ],
    ));
    let handed = store
        .hand_to_hook(p, attempts_read, chrono::Utc::now(), "test")
        .unwrap();
    assert!(
        !handed,
        "a run that read the queue before the retry would charge again"
    );
    assert!(
        store
            .hand_to_hook(p, 2, chrono::Utc::now(), "test")
            .unwrap()
    );
}

/// Another box's run that went quiet a minute ago: a file cannot tell a dead box from a slow
/// one until its beat is stale, and waits; a server knows that no session holds the lock.
fn a_run_lock_left_by_a_box_gone_quiet(engine: Engine) {
    let dir = temp_dir();
    let (db, p) = a_due_payment(engine);
    let a_minute_ago = retain::store::instant(&(chrono::Utc::now() - chrono::Duration::minutes(1)));
    db.execute(
        "INSERT INTO run_locks (name, what, os_user, host, pid, started_at, beat_at, stale_after_s)
         VALUES ('payments run', 'a payments run', 'carmen', 'box-2', 4242, ?1, ?1, 3600)",
        &[&a_minute_ago],
    );
    let quick = script(&dir, "quick.sh", "echo '{\"outcome\":\"succeeded\"}'");
    let out = run(&db, &["payments", "run", "--exec", &quick]);
    match engine {
        Engine::File => {
            let err = fails(out);
            assert!(err.contains("pid 4242 on box-2, by carmen"), "{err}");
        }
        Engine::Server => {
            let out = ok(out);
            assert!(out.contains(&format!("payment {p}")), "{out}");
        }
    }
}

/// The advisory lock a run holds on the server, read while one holds it.
fn run_lock_key(db: &TestDb) -> i64 {
    db.query_i64(
        "SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks
         WHERE locktype = 'advisory' AND objsubid = 1 AND granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        &[],
    )
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_session_of_a_stranger_holding_the_run_lock_is_named_and_outwaited() {
    let dir = temp_dir();
    let (db, _) = a_due_payment(Engine::Server);
    let mut first = start_run(&db, &slow_hook(&dir), "60");
    wait_until("the hook's start", Duration::from_secs(20), || {
        calls(&dir) == 1
    });
    let key = run_lock_key(&db);
    Command::new("kill")
        .args(["-TERM", &first.id().to_string()])
        .status()
        .unwrap();
    first.wait().unwrap();
    // Any role may take an advisory lock: one that is no rep takes the run's.
    make_role("lurker", "");
    let url = url_of(&db.server().name).replacen("postgres@", "lurker@", 1);
    let mut lurker = retain::store::postgres::Server::parse(&url, "lurker")
        .unwrap()
        .connect()
        .unwrap();
    lurker
        .execute("SELECT pg_advisory_lock($1)", &[&key])
        .unwrap();
    let err = fails(run(&db, &["payments", "run", "--exec", "true"]));
    assert!(err.contains("by lurker"), "{err}");
    drop(lurker);
    let out = ok(run(&db, &["payments", "run", "--exec", "true"]));
    assert!(out.contains("no retry is due"), "{out}");
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_run_cut_off_from_the_server_lets_the_next_run_go_and_stops_before_its_next_payment() {
    let dir = temp_dir();
    let (db, p) = a_due_payment(Engine::Server);
    let other = failing(&db, "in_other", "2026-11-20T10:00:00Z", "processing_error");
    let go = dir.path().join("go");
    let hook = script(
        &dir,
        "waits.sh",
        &format!(
            "echo called >> {calls}\nwhile [ ! -e {go} ]; do sleep 0.1; done\necho '{{\"outcome\":\"succeeded\"}}'",
            calls = dir.path().join("calls").display(),
            go = go.display()
        ),
    );
    let first = start_run(&db, &hook, "60");
    wait_until("the hook's start", Duration::from_secs(20), || {
        calls(&dir) == 1
    });
    // The server ends the first run's session (a failover, a cut cable): its lock goes with it.
    let cut = db.query_i64(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
        &[],
    );
    assert!(cut >= 1);
    // The next run goes, and leaves the payment in the first run's hands alone.
    let quick = script(&dir, "quick.sh", "echo '{\"outcome\":\"succeeded\"}'");
    let out = ok(run(&db, &["payments", "run", "--exec", &quick]));
    let handed = |id: i64| out.contains(&format!("payment {id} "));
    assert!(handed(p) != handed(other), "{out}");
    // The first run records what its hook answered, and stops: the lock is no longer its own.
    std::fs::write(&go, "").unwrap();
    let done = first.wait_with_output().unwrap();
    let err = stderr(&done);
    assert_eq!(done.status.code(), Some(1), "{err}");
    assert!(err.contains("lost the run lock"), "{err}");
    assert_eq!(calls(&dir), 1, "the first run handed another payment over");
    for id in [p, other] {
        assert_ne!(queue_of(&db, id)["queue"], "due", "payment {id}");
    }
}
