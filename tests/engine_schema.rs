//! Both engines end their migrations with one schema: the same tables, columns (kind, NOT NULL,
//! default), keys, checks, indexes and triggers.

mod common;

use common::server::PgDb;
use common::*;
use retain::store::Target;

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn sqlite_and_postgres_end_with_the_same_schema() {
    let dir = temp_dir();
    let file = db_in(&dir, "new.db");
    ok(run(&file, &["init"]));
    let server = PgDb::new();
    // An empty file copied makes the server's schema by its own migrations.
    let empty = db_in(&dir, "empty.db");
    ok(run(&empty, &["init"]));
    rusqlite::Connection::open(&empty)
        .unwrap()
        .execute("DELETE FROM reps", [])
        .unwrap();
    ok(retain()
        .args(["--db", empty.to_str().unwrap(), "copy", "--to", &server.url])
        .output()
        .unwrap());

    let sqlite = Target::File(file).catalog().unwrap();
    let postgres = Target::parse(&server.url, "postgres")
        .unwrap()
        .catalog()
        .unwrap();
    assert_eq!(
        sqlite.tables.keys().collect::<Vec<_>>(),
        postgres.tables.keys().collect::<Vec<_>>()
    );
    for (name, ours) in &sqlite.tables {
        let theirs = &postgres.tables[name];
        assert_eq!(ours.columns, theirs.columns, "the columns of {name}");
        assert_eq!(
            ours.primary_key, theirs.primary_key,
            "the primary key of {name}"
        );
        assert_eq!(
            ours.foreign_keys, theirs.foreign_keys,
            "the references of {name}"
        );
        assert_eq!(
            ours.checks, theirs.checks,
            "the CHECK constraints of {name}"
        );
        assert_eq!(ours.indexes, theirs.indexes, "the indexes of {name}");
    }
    assert_eq!(sqlite.triggers, postgres.triggers);
    assert!(
        sqlite.tables["accounts"].indexes.len() > 5,
        "the comparison sees indexes"
    );
}
