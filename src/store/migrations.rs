//! Versioned migrations read from `schema.sql`, keyed on `PRAGMA user_version`.
//!
//! The file is cut at lines `-- migration N`. Pending migrations run together in one
//! `BEGIN IMMEDIATE` transaction, so a file is either wholly upgraded or left as it was, and two
//! processes opening an old file at once upgrade it once: the second finds the work done.

use rusqlite::{Connection, TransactionBehavior};

/// The schema, embedded at build time.
pub const SCHEMA: &str = include_str!("../../schema.sql");

const MARKER: &str = "-- migration ";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration<'a> {
    pub version: u32,
    pub sql: &'a str,
}

/// Cuts a schema text into its migrations, checking that they count up from 1.
pub fn parse(schema: &str) -> Result<Vec<Migration<'_>>, String> {
    let mut migrations = Vec::new();
    let mut rest = schema;
    // Everything before the first marker is the header comment.
    let Some(first) = find_marker(rest) else {
        return Err("no `-- migration 1` line".into());
    };
    rest = &rest[first..];
    while !rest.is_empty() {
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let number = rest[MARKER.len()..line_end].trim();
        let version: u32 = number
            .parse()
            .map_err(|_| format!("`{}` does not end in a number", &rest[..line_end]))?;
        let expected = migrations.len() as u32 + 1;
        if version != expected {
            return Err(format!(
                "migration {version} found where {expected} was due"
            ));
        }
        let body = &rest[line_end..];
        let next = find_marker(body).unwrap_or(body.len());
        migrations.push(Migration {
            version,
            sql: &body[..next],
        });
        rest = &body[next..];
    }
    Ok(migrations)
}

fn find_marker(text: &str) -> Option<usize> {
    if text.starts_with(MARKER) {
        return Some(0);
    }
    text.find(&format!("\n{MARKER}")).map(|at| at + 1)
}

/// The migrations of the embedded schema.
pub fn embedded() -> Vec<Migration<'static>> {
    parse(SCHEMA).expect("schema.sql is cut into migrations 1, 2, 3 ...")
}

/// The schema version this build writes.
pub fn latest() -> u32 {
    embedded().len() as u32
}

/// What [`migrate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    UpToDate,
    Upgraded {
        from: u32,
        to: u32,
    },
    /// The file is at a version above every migration given: nothing was changed.
    TooNew {
        found: u32,
    },
}

/// Brings the database up to the last of `migrations`, all in one transaction. A file already
/// up to date is only read: the write lock is taken only when there is something to migrate, so
/// opening never waits behind another process's long write.
pub fn migrate(conn: &mut Connection, migrations: &[Migration<'_>]) -> rusqlite::Result<Outcome> {
    let target = migrations.last().map_or(0, |m| m.version);
    let version = |c: &Connection| -> rusqlite::Result<u32> {
        c.pragma_query_value(None, "user_version", |row| row.get(0))
    };
    match version(conn)? {
        found if found > target => return Ok(Outcome::TooNew { found }),
        found if found == target => return Ok(Outcome::UpToDate),
        _ => {}
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have migrated while this one waited for the lock.
    let current = version(&tx)?;
    if current > target {
        return Ok(Outcome::TooNew { found: current });
    }
    if current == target {
        return Ok(Outcome::UpToDate);
    }
    for migration in migrations.iter().filter(|m| m.version > current) {
        tx.execute_batch(migration.sql)?;
    }
    tx.pragma_update(None, "user_version", target)?;
    tx.commit()?;
    Ok(Outcome::Upgraded {
        from: current,
        to: target,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_schema_parses_into_consecutive_migrations() {
        let all = embedded();
        assert!(!all.is_empty());
        assert!(all[0].sql.contains("CREATE TABLE accounts"));
        assert_eq!(latest(), all.len() as u32);
    }

    #[test]
    fn parse_cuts_at_markers_and_drops_the_header() {
        let text =
            "-- header\n-- migration 1\nCREATE TABLE a(x);\n-- migration 2\nCREATE TABLE b(y);\n";
        let m = parse(text).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].sql.trim(), "CREATE TABLE a(x);");
        assert_eq!(m[1].sql.trim(), "CREATE TABLE b(y);");
    }

    #[test]
    fn parse_refuses_gaps_and_missing_markers() {
        assert!(parse("CREATE TABLE a(x);").is_err());
        assert!(parse("-- migration 1\nx;\n-- migration 3\ny;").is_err());
        assert!(parse("-- migration one\nx;").is_err());
    }

    #[test]
    fn migrating_twice_does_nothing_the_second_time() {
        let mut conn = Connection::open_in_memory().unwrap();
        let m = parse("-- migration 1\nCREATE TABLE a(x);\n").unwrap();
        assert_eq!(
            migrate(&mut conn, &m).unwrap(),
            Outcome::Upgraded { from: 0, to: 1 }
        );
        assert_eq!(migrate(&mut conn, &m).unwrap(), Outcome::UpToDate);
    }

    #[test]
    fn a_failing_migration_leaves_the_file_as_it_was() {
        let mut conn = Connection::open_in_memory().unwrap();
        let v1 = parse("-- migration 1\nCREATE TABLE a(x);\n").unwrap();
        migrate(&mut conn, &v1).unwrap();
        let broken = parse(
            "-- migration 1\nCREATE TABLE a(x);\n-- migration 2\nCREATE TABLE b(y);\n-- migration 3\nNOT SQL;\n",
        )
        .unwrap();
        assert!(migrate(&mut conn, &broken).is_err());
        let version: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 1);
        let b_exists: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'b'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(!b_exists, "migration 2 must roll back with 3");
    }

    #[test]
    fn a_newer_file_is_reported_and_left_alone() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 9).unwrap();
        let m = parse("-- migration 1\nCREATE TABLE a(x);\n").unwrap();
        assert_eq!(
            migrate(&mut conn, &m).unwrap(),
            Outcome::TooNew { found: 9 }
        );
    }
}
