//! `retain copy --to`: a whole database into a new file or an empty server database, checked
//! table by table, all or nothing, both ways.

mod common;

use std::path::Path;

use common::server::PgDb;
use common::*;

fn demo_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = db_in(dir, "team.db");
    ok(run(&db, &["demo", "--accounts", "200"]));
    db
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn a_file_copies_into_a_new_file_whole_and_the_copy_reads_the_same() {
    let dir = temp_dir();
    let team = demo_file(&dir);
    let copy = db_in(&dir, "copy.db");
    let tables = copied(text(&team), text(&copy));
    assert!(
        tables
            .iter()
            .any(|(t, rows, _)| t == "accounts" && *rows == 200)
    );
    assert_eq!(
        dump(&team),
        dump(&copy),
        "the copy holds what the file holds"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o077,
        0,
        "a new copy is its owner's only, as any new file"
    );
    // A copy of the copy has the same checksums.
    let again = db_in(&dir, "again.db");
    assert_eq!(copied(text(&copy), text(&again)), tables);
}

#[test]
fn a_copy_never_goes_into_a_database_that_holds_something() {
    let dir = temp_dir();
    let team = demo_file(&dir);
    let other = db_in(&dir, "other.db");
    ok(run(&other, &["init"]));
    let before = dump(&other);
    let err = fails(
        retain()
            .args(["--db", text(&team), "copy", "--to", text(&other)])
            .output()
            .unwrap(),
    );
    assert!(
        err.contains("is not empty (audit_log: 1 row, and 1 more table)"),
        "{err}"
    );
    assert_eq!(dump(&other), before, "nothing was copied into it");
    let err = fails(
        retain()
            .args(["--db", text(&team), "copy", "--to", text(&team)])
            .output()
            .unwrap(),
    );
    assert!(err.contains("it is the database being copied"), "{err}");
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_file_goes_to_the_server_and_back_with_the_same_counts_and_checksums() {
    let dir = temp_dir();
    let team = demo_file(&dir);
    let server = PgDb::new();
    let there = copied(text(&team), &server.url);
    let back = db_in(&dir, "back.db");
    assert_eq!(copied(&server.url, text(&back)), there);
    assert_eq!(dump(&team), dump(&back), "the file came back as it went");

    // The server's copy goes on from the ids copied: a new row does not take a copied one's.
    let mut client = server.client();
    let top: i64 = client
        .query_one("SELECT max(id) FROM accounts", &[])
        .unwrap()
        .get(0);
    let next: i64 = client
        .query_one(
            "INSERT INTO accounts (external_id, name, customer_since, updated_at)
             VALUES ('new-1', 'New', '2026-11-01', '2026-11-01T00:00:00Z') RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(next, top + 1);

    // Copied again onto it: refused, and it is left as it was.
    let err = fails(
        retain()
            .args(["--db", text(&team), "copy", "--to", &server.url])
            .output()
            .unwrap(),
    );
    assert!(err.contains("is not empty"), "{err}");
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_value_the_server_refuses_leaves_its_database_empty_and_names_table_line_and_column() {
    let dir = temp_dir();
    let team = demo_file(&dir);
    // SQLite keeps text in an integer column (text sorts above every number, so the CHECK
    // passes); a server will not.
    let conn = rusqlite::Connection::open(&team).unwrap();
    conn.execute("UPDATE accounts SET mrr_cents = 'lots' WHERE id = 3", [])
        .unwrap();
    drop(conn);
    let server = PgDb::new();
    let err = fails(
        retain()
            .args(["--db", text(&team), "copy", "--to", &server.url])
            .output()
            .unwrap(),
    );
    assert!(
        err.contains("invalid input syntax for type bigint")
            && err.contains("COPY accounts, line 3, column mrr_cents"),
        "{err}"
    );
    let reps: i64 = server
        .client()
        .query_one("SELECT count(*) FROM reps", &[])
        .unwrap()
        .get(0);
    assert_eq!(reps, 0, "nothing of the copy stayed");
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_server_database_of_something_else_or_of_a_newer_retain_is_left_alone() {
    let dir = temp_dir();
    let team = demo_file(&dir);
    let theirs = PgDb::new();
    theirs
        .client()
        .batch_execute("CREATE TABLE invoices (id int)")
        .unwrap();
    let err = fails(
        retain()
            .args(["--db", text(&team), "copy", "--to", &theirs.url])
            .output()
            .unwrap(),
    );
    assert!(
        err.contains("holds tables that retain did not make (invoices)"),
        "{err}"
    );

    let newer = PgDb::new();
    copied(text(&team), &newer.url);
    newer
        .client()
        .batch_execute("UPDATE retain_schema SET version = 99")
        .unwrap();
    let back = db_in(&dir, "back.db");
    let err = fails(
        retain()
            .args(["--db", &newer.url, "copy", "--to", text(&back)])
            .output()
            .unwrap(),
    );
    assert!(
        err.contains("written by a newer retain (schema version 99"),
        "{err}"
    );
    let empty = PgDb::new();
    empty.client().batch_execute("SELECT 1").unwrap();
    copied(text(&team), &empty.url);
}

/// The tables go to the schema `public` whatever the copying role's search_path finds first:
/// a schema named after the role (as PostgreSQL's docs advise) took them, and every rep then
/// found an empty database.
#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_copy_lands_in_public_whatever_the_role_s_own_schema() {
    let dir = temp_dir();
    let file = demo_file(&dir);
    let db = PgDb::new();
    // The copy is made by the superuser, `postgres`: a schema of that name comes first in the
    // default search_path ("$user", public).
    db.client().batch_execute("CREATE SCHEMA postgres").unwrap();
    ok(retain()
        .args(["--db", text(&file), "copy", "--to", &db.url])
        .output()
        .unwrap());
    let (in_public, in_own): (i64, i64) = {
        let row = db
            .client()
            .query_one(
                "SELECT count(*) FILTER (WHERE schemaname = 'public'),
                        count(*) FILTER (WHERE schemaname = 'postgres')
                 FROM pg_tables WHERE tablename = 'accounts'",
                &[],
            )
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!((in_public, in_own), (1, 0));
    common::server::make_role("carmen", "");
    let summary: serde_json::Value = serde_json::from_str(&ok(retain()
        .args([
            "--db",
            &common::server::as_role(&db, "carmen"),
            "summary",
            "--json",
        ])
        .output()
        .unwrap()))
    .unwrap();
    let accounts = summary["accounts_active"].as_i64().unwrap()
        + summary["accounts_churned"].as_i64().unwrap();
    assert_eq!(accounts, 200, "{summary}");
}
