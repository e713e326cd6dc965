//! Who may do what: reps from the OS user, admins managing reps, `--as`, and the read-only
//! console of someone who is not a rep. Real processes, one of them an unprivileged user.

mod common;

on_both_engines!(someone_who_is_not_a_rep_gets_a_read_only_console,);

use common::console::*;
use common::engine::Engine;
use common::*;
use crossterm::event::KeyCode;
use retain::tui::theme::Palette;
use retain::tui::worker::{AccountRequest, Request, Response};

/// An empty database that root and `nobody` may both write (in a folder both may enter).
fn shared_db(dir: &tempfile::TempDir) -> std::path::PathBuf {
    open_up(dir.path(), 0o777);
    let db = db_in(dir, "team.db");
    ok(run(&db, &["init"]));
    open_up(&db, 0o666);
    db
}

/// A shared file whose first admin, made by `init`, is the OS user running the tests (named
/// again here); `nobody` is a plain rep.
fn team() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = temp_dir();
    let db = shared_db(&dir);
    let me = me();
    ok(run(
        &db,
        &["reps", "add", &me, "--name", "The Admin", "--role", "admin"],
    ));
    ok(run(&db, &["reps", "add", "nobody", "--name", "No Body"]));
    (dir, db, me)
}

#[test]
fn the_first_rep_is_added_by_anyone_and_later_ones_only_by_an_admin() {
    let Some((mut as_nobody, _bin)) = retain_as_unprivileged() else {
        panic!("this test needs setpriv when run as root");
    };
    let (_dir, db, me) = team();
    let reps: Vec<serde_json::Value> =
        serde_json::from_str(&ok(run(&db, &["reps", "list", "--json"]))).unwrap();
    assert_eq!(reps.len(), 2);
    assert!(
        reps.iter()
            .any(|r| r["login"] == "nobody" && r["role"] == "rep")
    );
    // nobody is a rep, not an admin.
    let out = as_nobody
        .arg("--db")
        .arg(&db)
        .args(["reps", "add", "mallory", "--name", "M", "--role", "admin"])
        .output()
        .unwrap();
    let err = fails(out);
    assert!(err.contains("only an admin"), "{err}");
    ok(run(&db, &["reps", "deactivate", "nobody"]));
    let err = fails(run(&db, &["reps", "deactivate", "nobody"]));
    assert!(err.contains("not an active rep"), "{err}");
    // Every change to the team is in the audit log under the OS user who made it: init made
    // them the first admin, then the two adds and the deactivation.
    let audited = query_i64(
        &db,
        &format!("SELECT count(*) FROM audit_log WHERE entity = 'reps' AND os_user = '{me}'"),
    );
    assert_eq!(audited, 4);
}

#[test]
fn as_is_for_admins_and_writes_in_the_named_reps_name() {
    let Some((mut as_nobody, _bin)) = retain_as_unprivileged() else {
        panic!("this test needs setpriv when run as root");
    };
    let (_dir, db, me) = team();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO accounts (external_id, name, customer_since, updated_at)
             VALUES ('A1', 'Acme', '2025-01-01', '2026-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
    let out = as_nobody
        .arg("--db")
        .arg(&db)
        .args(["--as", &me, "log", "A1", "--note", "sneaky"])
        .output()
        .unwrap();
    let err = fails(out);
    assert!(err.contains("--as is for admins"), "{err}");
    let err = fails(run(&db, &["--as", "ghost", "log", "A1", "--note", "x"]));
    assert!(err.contains("not an active rep"), "{err}");
    ok(run(
        &db,
        &["--as", "nobody", "log", "A1", "--note", "called for nobody"],
    ));
    let text = |sql: &str| -> String {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    };
    let rep = text("SELECT r.login FROM interactions i JOIN reps r ON r.id = i.rep_id");
    assert_eq!(rep, "nobody");
    let who = text("SELECT os_user FROM audit_log WHERE action = 'log interaction'");
    assert_eq!(who, me, "the audit log names who really did it");
}

fn someone_who_is_not_a_rep_gets_a_read_only_console(engine: Engine) {
    let mut c = demo_console(engine, 300, "visitor", (120, 35), Palette::Indexed);
    assert!(c.app.identity.rep.is_none());
    let screen = c.screen();
    assert!(
        screen.contains("visitor is not a rep: read-only"),
        "{screen}"
    );
    c.text("l");
    assert!(c.app.form.is_none(), "no form to type into");
    assert!(c.screen().contains("read-only"), "{}", c.screen());
    c.text(":assign ana");
    c.keys(&[press(KeyCode::Enter)]);
    assert!(c.screen().contains("read-only"));
    // The database thread refuses a write from this console whatever asks for it.
    let answer = c.responder.respond(
        Request::Account(AccountRequest::Assign {
            account_id: 1,
            owner: None,
        }),
        now(),
    );
    assert!(
        matches!(answer, Some(Response::Failed(ref m)) if m.contains("read-only")),
        "{answer:?}"
    );
}

#[test]
fn init_makes_whoever_sets_the_file_up_its_first_admin() {
    let dir = temp_dir();
    let db = db_in(&dir, "new.db");
    let out = ok(run(&db, &["init"]));
    let me = me();
    assert!(out.contains(&format!("{me} is its first admin")), "{out}");
    let reps: Vec<serde_json::Value> =
        serde_json::from_str(&ok(run(&db, &["reps", "list", "--json"]))).unwrap();
    assert_eq!(reps.len(), 1);
    assert_eq!(
        (reps[0]["login"].as_str(), reps[0]["role"].as_str()),
        (Some(me.as_str()), Some("admin"))
    );
    // Another login may be named; once the file has reps, --admin is refused.
    let other = db_in(&dir, "other.db");
    ok(run(&other, &["init", "--admin", "amara"]));
    assert_eq!(
        query_i64(
            &other,
            "SELECT count(*) FROM reps WHERE login = 'amara' AND role = 'admin'"
        ),
        1
    );
    let err = fails(run(&other, &["init", "--admin", "bjorn"]));
    assert!(err.contains("has reps already"), "{err}");
}
