//! Opening database files: the schema, migrations, and every kind of bad file, on real files.

mod common;

use common::*;
use retain::store::migrations;
use rusqlite::Connection;

fn file_bytes(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

fn wal_files_exist(db: &std::path::Path) -> bool {
    let wal = format!("{}-wal", db.display());
    let shm = format!("{}-shm", db.display());
    std::path::Path::new(&wal).exists() || std::path::Path::new(&shm).exists()
}

#[test]
fn init_builds_exactly_the_schema_of_schema_sql() {
    let dir = temp_dir();
    let db = db_in(&dir, "new.db");
    let out = ok(run(&db, &["init"]));
    assert!(out.contains("created"), "{out}");

    let file = Connection::open(&db).unwrap();
    let reference = Connection::open_in_memory().unwrap();
    reference.execute_batch(&schema_sql()).unwrap();
    assert_eq!(schema_of(&file), schema_of(&reference));
    assert!(
        schema_of(&file)
            .iter()
            .any(|(_, name, _)| name == "accounts")
    );

    let version: u32 = file
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, migrations::latest());
    let app: i32 = file
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    assert_eq!(app, retain::store::APPLICATION_ID);
    let mode: String = file
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_new_file_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir();
    let db = db_in(&dir, "private.db");
    ok(run(&db, &["init"]));
    let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn init_twice_keeps_the_data() {
    let dir = temp_dir();
    let db = db_in(&dir, "twice.db");
    ok(run(&db, &["demo", "--accounts", "30"]));
    let before = dump(&db);
    let out = ok(run(&db, &["init"]));
    assert!(out.contains("is a retain database"), "{out}");
    assert_eq!(dump(&db), before);
}

#[test]
fn an_older_file_is_upgraded_in_place_keeping_its_data() {
    let dir = temp_dir();
    let db = db_in(&dir, "old.db");
    let all = migrations::embedded();
    let older = &all[..all.len() - 1];
    {
        let mut conn = Connection::open(&db).unwrap();
        migrations::migrate(&mut conn, older).unwrap();
        if !older.is_empty() {
            conn.execute(
                "INSERT INTO reps (login, display_name) VALUES ('keep', 'Kept Rep')",
                [],
            )
            .unwrap();
        }
    }
    ok(run(&db, &["init"]));
    let conn = Connection::open(&db).unwrap();
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, migrations::latest());
    let reference = Connection::open_in_memory().unwrap();
    reference.execute_batch(&schema_sql()).unwrap();
    assert_eq!(schema_of(&conn), schema_of(&reference));
    if !older.is_empty() {
        assert_eq!(
            query_i64(&db, "SELECT count(*) FROM reps WHERE login = 'keep'"),
            1
        );
    }
}

#[test]
fn a_blank_sqlite_file_or_an_empty_file_becomes_a_retain_database() {
    let dir = temp_dir();
    let empty = db_in(&dir, "empty.db");
    std::fs::write(&empty, b"").unwrap();
    ok(run(&empty, &["init"]));
    assert!(
        query_i64(
            &empty,
            "SELECT count(*) FROM sqlite_schema WHERE name = 'accounts'"
        ) == 1
    );

    let blank = db_in(&dir, "blank.db");
    Connection::open(&blank)
        .unwrap()
        .execute_batch("PRAGMA user_version = 0; VACUUM;")
        .unwrap();
    ok(run(&blank, &["init"]));
    assert!(
        query_i64(
            &blank,
            "SELECT count(*) FROM sqlite_schema WHERE name = 'accounts'"
        ) == 1
    );
}

#[test]
fn a_file_from_a_newer_retain_is_refused_untouched() {
    let dir = temp_dir();
    let db = db_in(&dir, "future.db");
    ok(run(&db, &["demo", "--accounts", "20"]));
    {
        let conn = Connection::open(&db).unwrap();
        conn.pragma_update(None, "user_version", migrations::latest() + 1)
            .unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = file_bytes(&db);
    for args in [&["summary"][..], &["init"], &["demo"]] {
        let err = fails(run(&db, args));
        assert!(err.contains("newer retain"), "{err}");
        assert!(err.contains(&db.display().to_string()), "{err}");
        assert!(err.contains("Upgrade retain"), "{err}");
    }
    assert_eq!(file_bytes(&db), before);
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_untouched() {
    let dir = temp_dir();
    let db = db_in(&dir, "notes.txt");
    let text = b"name,email\nAcme,ops@acme.test\n".repeat(200);
    std::fs::write(&db, &text).unwrap();
    for args in [&["summary"][..], &["init"], &["demo", "--accounts", "5"]] {
        let err = fails(run(&db, args));
        assert!(err.contains("is not a SQLite database"), "{err}");
        assert!(err.contains(&db.display().to_string()), "{err}");
    }
    assert_eq!(file_bytes(&db), text);
    assert!(!wal_files_exist(&db));
}

#[test]
fn another_applications_database_is_refused_untouched() {
    let dir = temp_dir();
    let db = db_in(&dir, "other.db");
    Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL);")
        .unwrap();
    let before = file_bytes(&db);
    let err = fails(run(&db, &["init"]));
    assert!(err.contains("another application"), "{err}");
    assert_eq!(file_bytes(&db), before);
}

#[test]
fn a_missing_file_is_not_created_by_reading_commands() {
    let dir = temp_dir();
    let db = db_in(&dir, "absent.db");
    let err = fails(run(&db, &["summary"]));
    assert!(err.contains("no database at"), "{err}");
    assert!(err.contains("init"), "the message says what to do: {err}");
    assert!(!db.exists());
}

#[test]
fn a_missing_directory_is_named_and_not_created() {
    let dir = temp_dir();
    let db = dir.path().join("no/such/dir/retain.db");
    let err = fails(run(&db, &["init"]));
    assert!(err.contains("does not exist"), "{err}");
    assert!(
        err.contains(&dir.path().join("no/such/dir").display().to_string()),
        "{err}"
    );
    assert!(!dir.path().join("no").exists());
}

#[test]
fn a_directory_given_as_the_database_is_refused() {
    let dir = temp_dir();
    let err = fails(run(dir.path(), &["init"]));
    assert!(err.contains("is a directory"), "{err}");
}

#[test]
fn a_file_without_permission_is_refused_untouched() {
    let Some((mut cmd, _bin)) = retain_as_unprivileged() else {
        panic!("this test needs setpriv when run as root");
    };
    let dir = temp_dir();
    open_up(dir.path(), 0o755);
    let db = db_in(&dir, "secret.db");
    ok(run(&db, &["demo", "--accounts", "10"]));
    let before = dump(&db);
    open_up(&db, 0o600);
    let out = cmd.arg("--db").arg(&db).arg("summary").output().unwrap();
    let err = fails(out);
    assert!(err.contains("permission denied"), "{err}");
    assert!(err.contains(&db.display().to_string()), "{err}");
    assert_eq!(dump(&db), before);
}

#[test]
fn a_read_only_directory_refuses_a_new_database_clearly() {
    let Some((mut cmd, _bin)) = retain_as_unprivileged() else {
        panic!("this test needs setpriv when run as root");
    };
    let dir = temp_dir();
    open_up(dir.path(), 0o555);
    let db = db_in(&dir, "new.db");
    let out = cmd.arg("--db").arg(&db).arg("init").output().unwrap();
    let err = fails(out);
    assert!(err.contains(&db.display().to_string()), "{err}");
    assert!(err.contains("is not writable"), "{err}");
    assert!(!db.exists());
}

#[test]
fn a_bad_today_is_a_usage_error() {
    let dir = temp_dir();
    let out = retain()
        .arg("--db")
        .arg(db_in(&dir, "x.db"))
        .args(["--today", "22/11/2026", "init"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("YYYY-MM-DD"), "{}", stderr(&out));
}

#[test]
fn retain_db_from_the_environment_is_used_and_the_flag_wins() {
    let dir = temp_dir();
    let from_env = db_in(&dir, "env.db");
    let from_flag = db_in(&dir, "flag.db");
    ok(retain()
        .env("RETAIN_DB", &from_env)
        .arg("init")
        .output()
        .unwrap());
    assert!(from_env.exists());
    ok(retain()
        .env("RETAIN_DB", &from_env)
        .arg("--db")
        .arg(&from_flag)
        .arg("init")
        .output()
        .unwrap());
    assert!(from_flag.exists());
}

#[test]
fn init_group_gives_the_file_to_the_group_only() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = temp_dir();
    let db = db_in(&dir, "team.db");
    // A group that exists everywhere and that root (the CI user) may give files to.
    let out = ok(run(&db, &["init", "--group", "daemon"]));
    assert!(out.contains("group daemon only"), "{out}");
    assert!(
        out.contains("chmod 2770"),
        "the folder is not setgid yet: {out}"
    );
    let meta = std::fs::metadata(&db).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o660);
    let daemon = String::from_utf8(
        std::process::Command::new("getent")
            .args(["group", "daemon"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let gid: u32 = daemon.split(':').nth(2).unwrap().parse().unwrap();
    assert_eq!(meta.gid(), gid);
    let err = fails(run(&db, &["init", "--group", "no-such-group-here"]));
    assert!(err.contains("no group"), "{err}");
}

#[test]
fn a_read_never_creates_upgrades_or_waits_for_a_writer() {
    let dir = temp_dir();
    // An empty file stays empty.
    let empty = db_in(&dir, "e.db");
    std::fs::write(&empty, b"").unwrap();
    let err = fails(run(&empty, &["summary"]));
    assert!(err.contains("is empty") && err.contains("init"), "{err}");
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);

    // An up-to-date file opens and reads at once while another process holds the write lock
    // of a long transaction.
    let db = db_in(&dir, "busy.db");
    ok(run(&db, &["demo", "--accounts", "100"]));
    let holder = Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    for args in [
        &["summary"][..],
        &["search", "a"],
        &["checkins"],
        &["payments"],
    ] {
        ok(run(&db, args));
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "reads waited for the writer: {:?}",
        started.elapsed()
    );
    holder.execute_batch("COMMIT").unwrap();
}
