//! Many processes on one file, as on the shared box: nobody sees "database is locked", nothing
//! is lost, and a process killed mid-write leaves a sound file.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::server::copy_as_me;
use common::*;

/// `processes` shells, each logging `each` calls through the real binary on `db`, at once: half
/// of each one's calls on its own account, half on account 1, which all of them share. Each
/// must succeed and print nothing on standard error.
fn log_at_once(db: &str, processes: usize, each: usize) {
    let bin = env!("CARGO_BIN_EXE_retain");
    let children: Vec<_> = (0..processes)
        .map(|p| {
            let script = format!(
                "for i in $(seq {each}); do \
                   if [ $((i % 2)) -eq 0 ]; then a=1; else a={account}; fi; \
                   \"$0\" --db \"$1\" --today {TODAY} log $a --note \"p{p} n$i\" >/dev/null || exit 1; \
                 done",
                account = p + 2,
            );
            Command::new("sh")
                .arg("-c")
                .arg(script)
                .arg(bin)
                .arg(db)
                .env_remove("RETAIN_DB")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "a writer failed: {err}");
        assert!(err.trim().is_empty(), "a writer printed: {err}");
    }
}

#[test]
fn twenty_processes_logging_at_once_lose_nothing_and_print_no_error() {
    const PROCESSES: usize = 20;
    const EACH: usize = 200;
    let dir = temp_dir();
    let db = db_in(&dir, "busy.db");
    ok(run(&db, &["demo", "--accounts", "50"]));
    let before = query_i64(&db, "SELECT count(*) FROM interactions");
    log_at_once(db.to_str().unwrap(), PROCESSES, EACH);
    let logged = query_i64(&db, "SELECT count(*) FROM interactions") - before;
    assert_eq!(logged, (PROCESSES * EACH) as i64);
    let distinct = query_i64(
        &db,
        "SELECT count(DISTINCT body) FROM interactions WHERE body GLOB 'p* n*'",
    );
    assert_eq!(distinct, (PROCESSES * EACH) as i64, "each note once");
    let integrity: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

#[test]
fn kill_9_in_the_middle_of_a_large_write_leaves_it_whole_or_absent() {
    let dir = temp_dir();
    let db = db_in(&dir, "killed.db");
    ok(run(&db, &["init"]));
    let mut child = retain()
        .arg("--db")
        .arg(&db)
        .args(["--today", TODAY, "demo", "--accounts", "20000"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed once it is writing: the write-ahead log grows while the transaction runs.
    let wal = db.with_extension("db-wal");
    let start = Instant::now();
    while std::fs::metadata(&wal).map_or(0, |m| m.len()) < 4 << 20 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the demo never started writing"
        );
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let finished = child.try_wait().unwrap().is_some();
    child.kill().unwrap();
    child.wait().unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let accounts: i64 = conn
        .query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))
        .unwrap();
    if finished {
        assert_eq!(accounts, 20000);
    } else {
        assert_eq!(accounts, 0, "a killed load leaves nothing half-written");
    }
    drop(conn);
    // And the file is usable: the same load now runs to its end.
    ok(run(&db, &["demo", "--accounts", "300"]));
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn fifty_processes_logging_at_once_on_a_server_lose_nothing_and_print_no_error() {
    const PROCESSES: usize = 50;
    const EACH: usize = 4;
    let dir = temp_dir();
    let file = db_in(&dir, "team.db");
    ok(run(&file, &["demo", "--accounts", "60"]));
    let (db, url) = copy_as_me(file.to_str().unwrap());
    let count = |sql: &str| -> i64 { db.client().query_one(sql, &[]).unwrap().get(0) };
    let before = count("SELECT count(*) FROM interactions");
    log_at_once(&url, PROCESSES, EACH);
    let logged = count("SELECT count(*) FROM interactions") - before;
    assert_eq!(logged, (PROCESSES * EACH) as i64);
    let distinct = count("SELECT count(DISTINCT body) FROM interactions WHERE body LIKE 'p% n%'");
    assert_eq!(distinct, (PROCESSES * EACH) as i64, "each note once");
}
