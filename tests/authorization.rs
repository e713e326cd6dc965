//! One rule for every door: a write by someone who is not an active rep is refused by the store,
//! whichever command makes it, and `--demo` and `--as` unlock nothing. Real processes, one of
//! them the unprivileged `nobody`, who may write the file (as a member of its group would) but is
//! not a rep of it.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A demo file (its maker the admin) in a folder `nobody` may write, with the file open to
/// `nobody` as a group member's would be.
fn team_file(dir: &tempfile::TempDir) -> PathBuf {
    open_up(dir.path(), 0o777);
    let db = db_in(dir, "team.db");
    ok(run(&db, &["demo", "--accounts", "300"]));
    open_up(&db, 0o666);
    db
}

fn as_nobody(db: &Path, args: &[&str]) -> std::process::Output {
    let (mut cmd, _bin) =
        retain_as_unprivileged().expect("this test needs setpriv when run as root");
    // nobody's own home, without root's configuration.
    cmd.env("HOME", "/nonexistent")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .arg("--db")
        .arg(db)
        .args(["--today", TODAY])
        .args(args)
        .output()
        .unwrap()
}

/// An accounts file anyone may read, with one new account in it.
fn accounts_csv(dir: &Path) -> PathBuf {
    let csv = dir.join("accounts.csv");
    std::fs::write(
        &csv,
        "external_id,name,mrr,customer_since\nX-1,Mallory Ltd,10.00,2026-01-05\n",
    )
    .unwrap();
    open_up(&csv, 0o644);
    csv
}

/// A payment failing now, made for the test (a small demo need not have one).
fn failing_payment(db: &Path) -> String {
    common::payments::failing(db, "ch_auth", "2026-11-20T09:00:00Z", "insufficient_funds")
        .to_string()
}

/// Every writing command `nobody` tried, and what the file looked like before.
fn refused_everywhere(db: &Path, dir: &tempfile::TempDir, who: &str) {
    let account = query_i64(db, "SELECT id FROM accounts ORDER BY id LIMIT 1").to_string();
    let payment = failing_payment(db);
    let csv = accounts_csv(dir.path());
    let csv = csv.to_str().unwrap();
    let before = dump(db);
    let attempts: Vec<Vec<&str>> = vec![
        vec!["log", &account, "--note", "written by a stranger"],
        vec!["notes", &account, "--set", "owned", "--version", "1"],
        vec![
            "payments",
            "pause",
            &payment,
            "--until",
            "2026-12-30",
            "--reason",
            "x",
        ],
        vec!["payments", "resume", &payment],
        vec!["payments", "record", &payment, "--succeeded"],
        vec!["payments", "card-updated", &payment],
        vec!["payments", "write-off", &payment, "--reason", "x"],
        vec!["import", "accounts", csv],
        vec!["schedule"],
        vec!["reps", "add", "mallory", "--name", "M", "--role", "admin"],
    ];
    for args in attempts {
        let out = as_nobody(db, &args);
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} was let through: {err}"
        );
        assert!(
            err.contains(who) && err.contains("not written"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    assert_eq!(dump(db), before, "a refused write changed the file");
}

#[test]
fn someone_who_is_not_a_rep_writes_nothing_through_any_command() {
    let dir = temp_dir();
    let db = team_file(&dir);
    refused_everywhere(&db, &dir, "nobody is not an active rep");
}

#[test]
fn a_deactivated_rep_writes_nothing_through_any_command() {
    let dir = temp_dir();
    let db = team_file(&dir);
    ok(run(&db, &["reps", "add", "nobody", "--name", "No Body"]));
    // As a rep, nobody may log; once deactivated, not any more.
    let account = query_i64(&db, "SELECT id FROM accounts ORDER BY id LIMIT 1").to_string();
    let out = as_nobody(&db, &["log", &account, "--note", "while still a rep"]);
    assert!(out.status.success(), "{}", stderr(&out));
    ok(run(&db, &["reps", "deactivate", "nobody"]));
    refused_everywhere(&db, &dir, "nobody is not an active rep");
}

#[test]
fn a_plain_rep_may_not_import_or_change_the_team() {
    let dir = temp_dir();
    let db = team_file(&dir);
    ok(run(&db, &["reps", "add", "nobody", "--name", "No Body"]));
    let csv = accounts_csv(dir.path());
    let before = dump(&db);
    let err = stderr(&as_nobody(
        &db,
        &["import", "accounts", csv.to_str().unwrap()],
    ));
    assert!(err.contains("only a lead or an admin"), "{err}");
    let err = stderr(&as_nobody(&db, &["reps", "add", "mallory", "--name", "M"]));
    assert!(err.contains("only an admin"), "{err}");
    assert_eq!(dump(&db), before);
}

#[test]
fn demo_with_db_is_a_contradiction_and_as_is_checked_with_or_without_it() {
    let dir = temp_dir();
    let db = team_file(&dir);
    let before = dump(&db);
    let home = temp_dir();
    let demo = |args: &[&str]| {
        retain()
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .args(args)
            .output()
            .unwrap()
    };
    let db_arg = db.to_str().unwrap();
    let err = fails(demo(&["--db", db_arg, "--demo", "summary"]));
    assert!(err.contains("does not go with --db"), "{err}");
    let err = fails(demo(&["--demo", "--db", db_arg]));
    assert!(err.contains("does not go with --db"), "{err}");
    assert_eq!(dump(&db), before);

    // nobody is no admin of the team file, with or without --demo.
    let out = as_nobody(&db, &["--as", "amara", "queue"]);
    assert!(
        stderr(&out).contains("--as is for admins"),
        "{}",
        stderr(&out)
    );
    let (mut cmd, _bin) = retain_as_unprivileged().unwrap();
    let nobody_home = temp_dir();
    open_up(nobody_home.path(), 0o777);
    let out = cmd
        .env("HOME", nobody_home.path())
        .env("XDG_DATA_HOME", nobody_home.path().join("data"))
        .args(["--db", db_arg, "--demo", "--as", "amara"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(dump(&db), before);
}

#[test]
fn a_non_reps_console_is_refused_by_the_store_not_only_by_the_screen() {
    use retain::store::{Create, Store, StoreError};
    let dir = temp_dir();
    let db = team_file(&dir);
    let account = query_i64(&db, "SELECT id FROM accounts ORDER BY id LIMIT 1");
    let now = chrono::Utc::now();
    let interaction = retain::domain::model::Interaction {
        rep: None,
        kind: retain::domain::model::InteractionKind::Note,
        occurred_at: now,
        summary: "sneaked past the screen".into(),
        body: String::new(),
        outcome: None,
        tags: vec![],
        follow_up_on: None,
    };
    let mut store = Store::open(&db, Create::Never)
        .unwrap()
        .acting_as("nobody", "nobody");
    let refused = store.log_interaction(account, &interaction, "nobody", now);
    assert!(
        matches!(refused, Err(StoreError::Refused { .. })),
        "{refused:?}"
    );
    // A connection that says nothing of who it is may only read a file that has reps.
    let mut anonymous = Store::open(&db, Create::Never).unwrap();
    assert!(matches!(
        anonymous.log_interaction(account, &interaction, "root", now),
        Err(StoreError::Refused { .. })
    ));
    // An admin acting for a rep writes; a rep acting for another does not.
    let rep = query_text(
        &db,
        "SELECT login FROM reps WHERE role = 'rep' AND active = 1 LIMIT 1",
    );
    let mut admin_as_rep = Store::open(&db, Create::Never)
        .unwrap()
        .acting_as(&rep, &me());
    assert!(
        admin_as_rep
            .log_interaction(account, &interaction, &me(), now)
            .is_ok()
    );
    let other = query_text(
        &db,
        "SELECT login FROM reps WHERE role = 'rep' AND active = 1 ORDER BY login DESC LIMIT 1",
    );
    let mut rep_as_other = Store::open(&db, Create::Never)
        .unwrap()
        .acting_as(&other, &rep);
    assert!(matches!(
        rep_as_other.log_interaction(account, &interaction, &rep, now),
        Err(StoreError::Refused { .. })
    ));
}

fn query_text(db: &Path, sql: &str) -> String {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// The team keeps an admin whatever is asked of it, by the only admin too, and a known rep's role
/// stays as it was unless one is given; `team` is the console's word and no login.
#[test]
fn the_last_admin_cannot_be_taken_off_the_team_and_a_role_changes_only_when_given() {
    let dir = temp_dir();
    let db = db_in(&dir, "team.db");
    ok(run(&db, &["init"]));
    let me = stdout(&run(&db, &["reps", "list", "--json"]));
    let me: serde_json::Value = serde_json::from_str(&me).unwrap();
    let admin = me[0]["login"].as_str().unwrap().to_string();
    assert_eq!(me[0]["role"], "admin");

    ok(run(&db, &["reps", "add", "bob", "--name", "Bob"]));
    // A new name for the admin leaves the admin an admin.
    let said = ok(run(&db, &["reps", "add", &admin, "--name", "Root Person"]));
    assert!(said.contains("an admin"), "{said}");
    // Taking the only admin off, or making them a rep, is refused and changes nothing.
    for args in [
        vec!["reps", "deactivate", admin.as_str()],
        vec![
            "reps",
            "add",
            admin.as_str(),
            "--name",
            "R",
            "--role",
            "rep",
        ],
    ] {
        let out = run(&db, &args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr(&out).contains("without an active admin"),
            "{}",
            stderr(&out)
        );
    }
    let reps: serde_json::Value =
        serde_json::from_str(&stdout(&run(&db, &["reps", "list", "--json"]))).unwrap();
    let root = reps
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["login"] == admin.as_str())
        .unwrap();
    assert_eq!(
        (root["role"].as_str(), root["active"].as_bool()),
        (Some("admin"), Some(true))
    );
    // With a second admin, the first may step down.
    ok(run(
        &db,
        &["reps", "add", "bob", "--name", "Bob", "--role", "admin"],
    ));
    ok(run(
        &db,
        &["reps", "add", &admin, "--name", "R", "--role", "rep"],
    ));

    let out = run(&db, &["reps", "add", "team", "--name", "Team"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("team queue"), "{}", stderr(&out));
}
