#![allow(clippy::disallowed_macros)] // it prints the wait a rep saw, for the record
//! A million-row import holds the write lock for half a minute: meanwhile another rep opens,
//! looks up and logs a call. Reads answer at once, the call waits for the import knowingly and
//! then goes through, and the import stays whole. Real processes on a real file (and a long
//! write played on a server).

mod common;

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::engine::{Db, Engine, TestDb};
use common::*;

const ROWS: usize = 1_000_000;

fn host_name() -> String {
    String::from_utf8(
        std::process::Command::new("hostname")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string()
}

#[test]
fn a_rep_is_never_locked_out_by_a_million_row_import() {
    let dir = temp_dir();
    let db = db_in(&dir, "team.db");
    ok(run(&db, &["demo", "--accounts", "300"]));
    let account = query_i64(&db, "SELECT id FROM accounts ORDER BY id LIMIT 1").to_string();
    let before = query_i64(&db, "SELECT count(*) FROM accounts");

    let csv = dir.path().join("big.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
    writeln!(f, "external_id,name,mrr,customer_since").unwrap();
    for i in 0..ROWS {
        writeln!(
            f,
            "BIG-{i},Imported Account {i},{}.00,2025-03-14",
            10 + i % 500
        )
        .unwrap();
    }
    f.flush().unwrap();
    drop(f);

    let import = retain()
        .arg("--db")
        .arg(&db)
        .args(["--today", TODAY, "import", "accounts"])
        .arg(&csv)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The import says it is there before it takes the lock for its long write.
    let started = Instant::now();
    while query_i64(
        &db,
        "SELECT count(*) FROM run_locks WHERE name LIKE 'long write %'",
    ) == 0
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the import never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));

    // Reads answer at once.
    let read = Instant::now();
    let found = ok(run(&db, &["search", "a", "--json"]));
    assert!(found.starts_with('['), "{found}");
    ok(run(&db, &["summary"]));
    let read = read.elapsed();

    // A call logged meanwhile waits for the import, says so, and goes through.
    let logged = Instant::now();
    let out = run(
        &db,
        &["log", &account, "--note", "Called during the import"],
    );
    let waited = logged.elapsed();
    let err = stderr(&out);
    assert!(out.status.success(), "the call was refused: {err}");
    assert!(!err.contains("locked"), "{err}");
    assert!(err.contains("waiting for the import of big.csv"), "{err}");

    let import = import.wait_with_output().unwrap();
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    assert_eq!(
        query_i64(&db, "SELECT count(*) FROM accounts"),
        before + ROWS as i64,
        "the import is not whole"
    );
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM interactions WHERE summary = 'Called during the import'"
        ),
        1
    );
    assert_eq!(
        query_i64(&db, "SELECT count(*) FROM run_locks"),
        0,
        "the import's announcement outlived it"
    );
    // What a rep saw, for the record (cargo test --test long_import -- --nocapture).
    println!(
        "reads during the import: {:.2} s; the call waited {:.1} s; the import took {:.1} s",
        read.as_secs_f64(),
        waited.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn an_import_killed_mid_way_leaves_no_one_waiting_for_it() {
    let dir = temp_dir();
    let db = db_in(&dir, "killed.db");
    ok(run(&db, &["demo", "--accounts", "100"]));
    // What a `kill -9`ed import leaves: its announcement, naming a process that is gone.
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let host = host_name();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO run_locks (name, what, os_user, host, pid, started_at, beat_at, stale_after_s)
             VALUES (?1, 'the import of big.csv', 'root', ?2, ?3,
                     '2026-11-22T09:00:00Z', '2026-11-22T09:00:00Z', 86400)",
            rusqlite::params![format!("long write {pid}@{host}"), host, pid],
        )
        .unwrap();
    let out = run(&db, &["log", "1", "--note", "after the crash"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("waiting for"), "{}", stderr(&out));
    // The next long write clears the dead one's announcement.
    let csv = dir.path().join("a.csv");
    std::fs::write(
        &csv,
        "external_id,name,mrr,customer_since\nN-1,New,1.00,2026-01-05\n",
    )
    .unwrap();
    ok(run(&db, &["import", "accounts", csv.to_str().unwrap()]));
    assert_eq!(query_i64(&db, "SELECT count(*) FROM run_locks"), 0);
}

/// On a server too, a write that needs the write lock outwaits a long write that holds it past
/// the server's lock timeout, saying what it waits for; a call logged meanwhile waits for
/// nothing. (The long write is played: its announcement, for a process that is alive, and the
/// lock's row held by another session for longer than the ten seconds a lock is waited for.)
#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn on_a_server_a_check_in_outwaits_a_long_write_and_a_call_waits_for_nothing() {
    let db = TestDb::demo(Engine::Server, 50);
    let mut importer = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let host = host_name();
    let now = retain::store::instant(&chrono::Utc::now());
    let pid = importer.id();
    db.execute(
        &format!(
            "INSERT INTO run_locks (name, what, os_user, host, pid, started_at, beat_at, stale_after_s)
             VALUES (?1, 'the import of big.csv', 'root', ?2, {pid}, ?3, ?3, 3600)"
        ),
        &[&format!("long write {pid}@{host}"), &host, &now],
    );
    let mut holder = db.server().client();
    holder
        .batch_execute("BEGIN; SELECT 1 FROM retain_write_lock FOR UPDATE;")
        .unwrap();

    let call = Instant::now();
    let out = run(&db, &["log", "1", "--note", "Called during the import"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        call.elapsed() < Duration::from_secs(5),
        "{:?}",
        call.elapsed()
    );

    let check_in = std::process::Command::new(env!("CARGO_BIN_EXE_retain"))
        .args(["--db", db.arg(), "--today", TODAY])
        .args([
            "log",
            "1",
            "--kind",
            "check-in",
            "--note",
            "Checked in during the import",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(13));
    holder.batch_execute("COMMIT").unwrap();
    let out = check_in.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "the check-in gave up: {err}");
    assert!(err.contains("waiting for the import of big.csv"), "{err}");
    assert_eq!(
        db.query_i64(
            "SELECT count(*) FROM interactions WHERE summary = 'Checked in during the import'",
            &[]
        ),
        1
    );
    importer.kill().unwrap();
    importer.wait().unwrap();
}
