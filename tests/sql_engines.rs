//! The store's SQL layer gives the same answers on both engines: placeholders numbered or
//! named, values bound as each column wants them, numbers read back whatever type the engine
//! answered with, NULLs, write transactions that roll back unless committed.

mod common;

use common::server::PgDb;
use common::*;
use retain::store::sql::{Conn, Engine, Error, OptionalExtension, Value, params, params_from_iter};
use rusqlite::ErrorCode;

const TABLE: &str =
    "CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, score DOUBLE PRECISION, n BIGINT)";

/// What both engines must answer alike.
fn exercise(conn: &mut Conn) {
    conn.execute_batch(TABLE).unwrap();
    assert_eq!(
        conn.execute(
            "INSERT INTO t (id, name, score, n) VALUES (?1, ?2, ?3, ?4), (?5, ?6, ?7, ?8)",
            params![1, "ada", 2.5, 7, 2, "bo", None::<f64>, None::<i64>],
        )
        .unwrap(),
        2
    );
    // A bare ? takes the number after the highest so far.
    conn.execute(
        "INSERT INTO t (id, name, n) VALUES (?, ?, ?)",
        params![3, "cy", 5],
    )
    .unwrap();
    // Named placeholders, bound in the order the statement names them.
    let mut insert = conn
        .prepare("INSERT INTO t (id, name, n) VALUES (:id, :name, :n)")
        .unwrap();
    assert_eq!(insert.parameter_names(), ["id", "name", "n"]);
    insert
        .execute(params_from_iter(vec![
            Value::Integer(4),
            Value::Text("dee".into()),
            Value::Integer(-2),
        ]))
        .unwrap();
    drop(insert);

    // sum() of integers is an integer (NUMERIC on the server), avg() a real.
    let (sum, avg): (i64, f64) = conn
        .query_row("SELECT sum(n), avg(n) FROM t", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((sum, avg), (10, 10.0 / 3.0));
    // Large, small, negative and fractional NUMERICs, read back as SQLite would give them.
    let numbers: (i64, i64, f64, f64, f64) = conn
        .query_row(
            "SELECT sum(n) * 1000000000000, sum(n) - 10, avg(n) - 10, -sum(n) / 8.0, sum(n) / 100000.0 FROM t",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(numbers.0, 10_000_000_000_000);
    assert_eq!(numbers.1, 0);
    assert!(
        (numbers.2 - (10.0 / 3.0 - 10.0)).abs() < 1e-12,
        "{numbers:?}"
    );
    assert_eq!((numbers.3, numbers.4), (-1.25, 0.0001));
    // A comparison is a number, as SQLite gives it.
    let bigger: i64 = conn
        .query_row("SELECT count(*) FROM t WHERE n > ?1", [0], |r| r.get(0))
        .unwrap();
    assert_eq!(bigger, 2);
    let names: Vec<(String, Option<f64>)> = conn
        .prepare_cached("SELECT name, score FROM t WHERE id <= ?1 ORDER BY id")
        .unwrap()
        .query_map([2], |r| Ok((r.get("name")?, r.get("score")?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        names,
        [("ada".to_string(), Some(2.5)), ("bo".to_string(), None)]
    );
    let none = conn
        .query_row("SELECT name FROM t WHERE id = ?1", [99], |r| {
            r.get::<_, String>(0)
        })
        .optional()
        .unwrap();
    assert_eq!(none, None);
    // A text where a number is wanted says which column.
    let err = conn
        .query_row("SELECT name FROM t WHERE id = 1", [], |r| {
            r.get::<_, i64>("name")
        })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("column name: expected an integer, found text"),
        "{err}"
    );

    // A write transaction dropped unfinished leaves nothing; committed, it stays.
    {
        let tx = conn.begin_write(true).unwrap();
        tx.execute("DELETE FROM t", []).unwrap();
    }
    let count = |conn: &Conn| -> i64 {
        conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(count(conn), 4);
    let tx = conn.begin_write(true).unwrap();
    tx.execute("DELETE FROM t WHERE id = ?1", [4]).unwrap();
    tx.commit().unwrap();
    assert_eq!(count(conn), 3);
}

/// While one connection writes, another that will not wait is told the database is busy.
fn one_writer_at_a_time(first: &mut Conn, second: &mut Conn) {
    let tx = first.begin_write(true).unwrap();
    let busy =
        |e: Error| matches!(e, Error::Busy) || e.sqlite_code() == Some(ErrorCode::DatabaseBusy);
    assert!(busy(
        second
            .begin_write(false)
            .err()
            .expect("the second writer is refused")
    ));
    tx.commit().unwrap();
    second
        .begin_write(false)
        .expect("free again")
        .commit()
        .unwrap();
}

#[test]
fn sqlite_answers_as_the_store_expects() {
    let dir = temp_dir();
    let open = || Conn::sqlite(rusqlite::Connection::open(db_in(&dir, "t.db")).unwrap());
    let mut conn = open();
    assert_eq!(conn.engine(), Engine::Sqlite);
    exercise(&mut conn);
    one_writer_at_a_time(&mut conn, &mut open());
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn postgres_answers_as_sqlite_does() {
    let db = PgDb::new();
    let server = retain::store::postgres::Server::parse(&db.url, "postgres").unwrap();
    // The schema retain keeps there first: its write lock is one of its tables.
    let target = retain::store::Target::parse(&db.url, "postgres").unwrap();
    retain::store::Store::open_target(&target, retain::store::Create::IfMissing).unwrap();
    let mut conn = server.conn().unwrap();
    assert_eq!(conn.engine(), Engine::Postgres);
    exercise(&mut conn);
    one_writer_at_a_time(&mut conn, &mut server.conn().unwrap());
}
