//! On a server, who writes is the role the server authenticated, and the server itself refuses
//! a role that is not an active rep: `retain reps add` and `reps deactivate` give and take the
//! right, and the audit log names the real role behind an `--as`.

mod common;

use common::server::{PgDb, admin, as_role, drop_role, make_role};
use common::*;

/// A small demo copied to a new server database by the superuser, with login roles for the
/// demo's admin (the OS user running the tests, who may make roles) and for `logins`.
fn team(logins: &[&str]) -> (tempfile::TempDir, PgDb) {
    let dir = temp_dir();
    let file = db_in(&dir, "team.db");
    ok(run(&file, &["demo", "--accounts", "40"]));
    make_role(&me(), "CREATEROLE");
    for login in logins {
        make_role(login, "");
    }
    let db = PgDb::new();
    ok(retain()
        .args(["--db", file.to_str().unwrap(), "copy", "--to", &db.url])
        .output()
        .unwrap());
    (dir, db)
}

/// A raw write by `role`, past retain: the server's own answer.
fn raw_insert(db: &PgDb, role: &str) -> Result<u64, postgres::Error> {
    let mut client = retain::store::postgres::Server::parse(&as_role(db, role), role)
        .unwrap()
        .connect()
        .unwrap();
    let mut tx = client.transaction()?;
    let n = tx.execute(
        "INSERT INTO interactions (account_id, kind, occurred_at, summary)
         VALUES (1, 'note', '2026-11-22T10:00:00Z', 'written past retain')",
        &[],
    )?;
    tx.rollback()?;
    Ok(n)
}

fn refused_by_server(result: Result<u64, postgres::Error>) -> bool {
    matches!(result, Err(e) if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE))
}

fn on(db: &str, args: &[&str]) -> std::process::Output {
    retain()
        .args(["--db", db, "--today", TODAY])
        .args(args)
        .output()
        .unwrap()
}

fn last(db: &PgDb, sql: &str) -> String {
    db.client().query_one(sql, &[]).unwrap().get(0)
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn the_server_refuses_a_role_that_is_not_an_active_rep() {
    // A demo rep whose role does not exist yet when the team is copied (a run before may have
    // left it on the server).
    drop_role("eleanor");
    let (_dir, db) = team(&["carmen", "visitor"]);
    let boss = me(); // the demo's admin

    // A role that is no rep reads, and may not write: retain says so, and so does the server.
    ok(on(&as_role(&db, "visitor"), &["summary"]));
    let err = fails(on(
        &as_role(&db, "visitor"),
        &["log", "1", "--note", "hello"],
    ));
    assert!(
        err.contains("the role visitor may read it but not write it"),
        "{err}"
    );
    assert!(refused_by_server(raw_insert(&db, "visitor")));

    // A rep writes as the role the server knows.
    assert_eq!(raw_insert(&db, "carmen").unwrap(), 1);
    ok(on(
        &as_role(&db, "carmen"),
        &["log", "1", "--note", "Called back"],
    ));
    assert_eq!(
        last(
            &db,
            "SELECT r.login::text FROM interactions i JOIN reps r ON r.id = i.rep_id ORDER BY i.id DESC LIMIT 1"
        ),
        "carmen"
    );

    // Taken off the team, the rep's role is refused by the server too; added back, it writes.
    ok(on(&as_role(&db, &boss), &["reps", "deactivate", "carmen"]));
    assert!(refused_by_server(raw_insert(&db, "carmen")));
    let err = fails(on(
        &as_role(&db, "carmen"),
        &["log", "1", "--note", "again"],
    ));
    assert!(
        err.contains("the role carmen may read it but not write it"),
        "{err}"
    );
    ok(on(
        &as_role(&db, &boss),
        &["reps", "add", "carmen", "--name", "Carmen Ruiz"],
    ));
    assert_eq!(raw_insert(&db, "carmen").unwrap(), 1);

    // An admin acting for a rep writes in the rep's name; the audit log keeps the real role.
    let notes: serde_json::Value =
        serde_json::from_str(&ok(on(&as_role(&db, &boss), &["notes", "1", "--json"]))).unwrap();
    let version = notes["version"].to_string();
    ok(on(
        &as_role(&db, &boss),
        &[
            "--as",
            "carmen",
            "notes",
            "1",
            "--set",
            "Plan",
            "--version",
            &version,
        ],
    ));
    assert_eq!(
        last(
            &db,
            "SELECT os_user::text FROM audit_log ORDER BY id DESC LIMIT 1"
        ),
        boss
    );
    // `--as` is the admin's: a rep's role cannot use it, whatever the OS user is.
    let err = fails(on(
        &as_role(&db, "carmen"),
        &["--as", "dmitri", "log", "1", "--note", "x"],
    ));
    assert!(
        err.contains("--as is for admins, and carmen is not an admin"),
        "{err}"
    );

    // A rep of the team whose role came after the copy reads (scores kept for later are
    // skipped, not refused) and may not write until an admin adds them.
    make_role("eleanor", "");
    ok(on(&as_role(&db, "eleanor"), &["queue", "--json"]));
    let err = fails(on(&as_role(&db, "eleanor"), &["log", "1", "--note", "x"]));
    assert!(
        err.contains("the role eleanor may read it but not write it"),
        "{err}"
    );
    // Her console says so at once, and offers no write.
    let console = common::tmux::Tmux::start(
        "read-only",
        (100, 30),
        &format!(
            "{} --db '{}' --today {TODAY}",
            env!("CARGO_BIN_EXE_retain"),
            as_role(&db, "eleanor")
        ),
    );
    console.wait_for("Eleanor Hughes (rep) · read-only here");
    console.keys(&["l"]);
    console.wait_for("read-only: eleanor may read this database but not write it");

    // A rep needs a role to write as.
    let err = fails(on(
        &as_role(&db, &boss),
        &["reps", "add", "ghost", "--name", "Ghost"],
    ));
    assert!(
        err.contains("there is no role ghost on the server"),
        "{err}"
    );
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_rep_cannot_rewrite_the_team_or_the_record_and_no_stranger_can_hold_the_writes() {
    let (_dir, db) = team(&["carmen", "visitor"]);
    let raw = |role: &str, sql: &str| -> Result<u64, postgres::Error> {
        let mut client = retain::store::postgres::Server::parse(&as_role(&db, role), role)
            .unwrap()
            .connect()
            .unwrap();
        let mut tx = client.transaction()?;
        let n = tx.execute(sql, &[])?;
        tx.rollback()?;
        Ok(n)
    };
    // A rep writes calls, not the team, the audit log or the accounts themselves.
    for sql in [
        "UPDATE reps SET role = 'admin' WHERE login = 'carmen'",
        "INSERT INTO reps (login, display_name, role) VALUES ('mallory', 'M', 'admin')",
        "DELETE FROM audit_log",
        "UPDATE audit_log SET os_user = 'someone'",
        "DELETE FROM accounts",
    ] {
        assert!(refused_by_server(raw("carmen", sql)), "carmen may: {sql}");
    }
    assert_eq!(
        raw("carmen", "UPDATE accounts SET notes = 'x' WHERE id = 1").unwrap(),
        1
    );
    // What she adds to the audit log is signed with her role, whatever name it gives.
    let mut carmen = retain::store::postgres::Server::parse(&as_role(&db, "carmen"), "carmen")
        .unwrap()
        .connect()
        .unwrap();
    let signed: String = carmen
        .query_one(
            "INSERT INTO audit_log (at, os_user, action, entity, entity_id)
             VALUES ('2026-12-01T23:59:00Z', 'amara', 'write off', 'failed_payments', 1)
             RETURNING os_user",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(signed, "carmen");

    // A role that is no writer cannot take the write lock to hold everyone's writes.
    assert!(refused_by_server(raw(
        "visitor",
        "SELECT 1 FROM retain_write_lock FOR UPDATE"
    )));

    // A group role is no rep: its members would all write, past what deactivating reaches.
    admin()
        .batch_execute(
            "DO $$ BEGIN CREATE ROLE cs_team NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
        )
        .unwrap();
    let me_url = as_role(&db, &me());
    let err = fails(on(
        &me_url,
        &["reps", "add", "cs_team", "--name", "CS team"],
    ));
    assert!(
        err.contains("the role cs_team is a group, not a person's login"),
        "{err}"
    );
    let err = fails(on(
        &me_url,
        &["reps", "add", "pg_write_all_data", "--name", "All"],
    ));
    assert!(err.contains("one of the server's own roles"), "{err}");
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_write_that_waited_too_long_for_the_lock_leaves_its_connection_able_to_write_again() {
    use retain::store::{Create, Store, StoreError, Target};
    let (_dir, db) = team(&["carmen"]);
    let url = as_role(&db, "carmen");
    let mut store = Store::open_target(&Target::parse(&url, "carmen").unwrap(), Create::Never)
        .unwrap()
        .acting_as("carmen", "carmen");
    let (_, version) = store.notes(1).unwrap().unwrap();
    // Another writer holds the lock past the wait.
    let holder = {
        let url = url.clone();
        std::thread::spawn(move || {
            let mut client = retain::store::postgres::Server::parse(&url, "carmen")
                .unwrap()
                .connect()
                .unwrap();
            let mut tx = client.transaction().unwrap();
            tx.batch_execute("SELECT 1 FROM retain_write_lock FOR UPDATE")
                .unwrap();
            std::thread::sleep(std::time::Duration::from_secs(11));
            tx.rollback().unwrap();
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    let now = chrono::Utc::now();
    let waited = store.save_notes(1, version, "first try", "carmen", now);
    assert!(
        matches!(waited, Err(StoreError::Locked { .. })),
        "{waited:?}"
    );
    holder.join().unwrap();
    // The same connection writes at once now: its failed try left nothing open.
    let saved = store
        .save_notes(1, version, "second try", "carmen", now)
        .unwrap();
    assert!(
        matches!(saved, retain::store::NotesSave::Saved { .. }),
        "{saved:?}"
    );
}

/// A role the server stops letting write while its connection is open (an admin took it out of
/// the writers with `psql`): the write is refused by the server, whole, in words a rep can act on.
#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_role_the_server_stops_letting_write_mid_way_is_refused_whole_and_told_why() {
    let (_dir, db) = team(&["carmen"]);
    let url = as_role(&db, "carmen");
    let target = retain::store::Target::parse(&url, "carmen").unwrap();
    let mut store = retain::store::Store::open_target(&target, retain::store::Create::Never)
        .unwrap()
        .acting_as("carmen", "carmen");
    let before = last(&db, "SELECT count(*)::text FROM interactions");
    admin()
        .batch_execute(&format!(
            "REVOKE retain_writers_{name} FROM carmen",
            name = db.name
        ))
        .unwrap();
    let now = chrono::Utc::now();
    let call = retain::domain::model::Interaction {
        rep: Some("carmen".into()),
        kind: retain::domain::model::InteractionKind::Call,
        occurred_at: now,
        summary: "Called after the revoke".into(),
        body: String::new(),
        outcome: None,
        tags: Vec::new(),
        follow_up_on: None,
    };
    let refused = store.log_interaction(1, &call, "carmen", now).unwrap_err();
    let text = refused.to_string();
    assert!(
        text.contains("the server refused it") && text.contains("taken off the team"),
        "{text}"
    );
    assert_eq!(last(&db, "SELECT count(*)::text FROM interactions"), before);
}
