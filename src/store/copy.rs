//! `retain copy --to`: the whole of one database into an empty one, of either engine, checked.
//!
//! The source is read in one snapshot (a read transaction on SQLite, REPEATABLE READ on the
//! server), so reps may go on working while it is copied; what they save after it began is not
//! in the copy. The target is written in one transaction that commits only once every table has
//! been read back from it with the same row count and checksum as the source's: a copy is whole
//! and verified, or nothing.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use rusqlite::types::{Value, ValueRef};
use sha2::{Digest, Sha256};

use super::catalog::{Catalog, Kind, Table};
use super::migrations;
use super::postgres::{self, Server};
use super::{Create, Store, StoreError, Target};

/// Tables the schema's triggers write as other tables change: copied last, over what the
/// triggers wrote while the others were copied, so that they arrive as they were.
const WRITTEN_BY_TRIGGERS: &[&str] = &["fact_changes"];

/// One table copied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableCopied {
    pub table: String,
    pub rows: u64,
    /// SHA-256 of the table's rows in key order, the same on the source and the copy.
    pub checksum: String,
}

/// An open database of either engine, with the name messages give it.
enum Db {
    File {
        path: PathBuf,
        conn: rusqlite::Connection,
    },
    Server {
        server: Box<Server>,
        client: ::postgres::Client,
    },
}

impl Db {
    fn sqlite_error(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |e| StoreError::from_sqlite(path, e)
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match self {
            Db::File { path, conn } => conn.execute_batch(sql).map_err(Db::sqlite_error(path)),
            Db::Server { server, client } => {
                client.batch_execute(sql).map_err(|e| server.error(&e))
            }
        }
    }

    fn catalog(&mut self) -> Result<Catalog, StoreError> {
        match self {
            Db::File { path, conn } => Catalog::of_sqlite(conn).map_err(Db::sqlite_error(path)),
            Db::Server { server, client } => {
                postgres::catalog::read(client).map_err(|e| server.error(&e))
            }
        }
    }

    fn shown(&self) -> String {
        match self {
            Db::File { path, .. } => path.display().to_string(),
            Db::Server { server, .. } => server.shown().to_string(),
        }
    }

    /// Calls `each` with every row of `table`, in key order.
    fn each_row(
        &mut self,
        name: &str,
        table: &Table,
        each: &mut dyn FnMut(&[Value]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let sql = select_in_key_order(name, table);
        match self {
            Db::File { path, conn } => {
                let fail = Db::sqlite_error(path);
                let mut statement = conn.prepare(&sql).map_err(&fail)?;
                let mut rows = statement.query([]).map_err(&fail)?;
                let mut cells = Vec::with_capacity(table.columns.len());
                while let Some(row) = rows.next().map_err(&fail)? {
                    cells.clear();
                    for (i, column) in table.columns.iter().enumerate() {
                        cells.push(match row.get_ref(i).map_err(&fail)? {
                            ValueRef::Null => Value::Null,
                            ValueRef::Integer(n) => Value::Integer(n),
                            ValueRef::Real(x) => Value::Real(x),
                            ValueRef::Text(text) => {
                                Value::Text(String::from_utf8_lossy(text).into_owned())
                            }
                            ValueRef::Blob(_) => {
                                return Err(StoreError::Invalid {
                                    path: path.clone(),
                                    field: format!("{name}.{}", column.name),
                                    why: "holds bytes (a blob), which no column of retain's holds"
                                        .into(),
                                });
                            }
                        });
                    }
                    each(&cells)?;
                }
                Ok(())
            }
            Db::Server { server, client } => {
                use ::postgres::fallible_iterator::FallibleIterator;
                let no_params: [&str; 0] = [];
                let mut rows = client
                    .query_raw(&sql, no_params)
                    .map_err(|e| server.error(&e))?;
                let mut cells = Vec::with_capacity(table.columns.len());
                while let Some(row) = rows.next().map_err(|e| server.error(&e))? {
                    cells.clear();
                    for (i, column) in table.columns.iter().enumerate() {
                        let cell = match column.kind {
                            Kind::Integer => row
                                .try_get::<_, Option<i64>>(i)
                                .map(|v| v.map_or(Value::Null, Value::Integer)),
                            Kind::Real => row
                                .try_get::<_, Option<f64>>(i)
                                .map(|v| v.map_or(Value::Null, Value::Real)),
                            Kind::Text => row
                                .try_get::<_, Option<String>>(i)
                                .map(|v| v.map_or(Value::Null, Value::Text)),
                        };
                        cells.push(cell.map_err(|e| server.error(&e))?);
                    }
                    each(&cells)?;
                }
                Ok(())
            }
        }
    }

    /// Writes rows into `table`, one call of `rows` feeding them (COPY on the server).
    fn fill(
        &mut self,
        name: &str,
        table: &Table,
        source: &mut Db,
        summing: &mut Sum,
    ) -> Result<(), StoreError> {
        let columns = column_list(table);
        match self {
            Db::File { path, conn } => {
                let fail = Db::sqlite_error(path);
                let marks = vec!["?"; table.columns.len()].join(", ");
                let mut insert = conn
                    .prepare(&format!("INSERT INTO {name} ({columns}) VALUES ({marks})"))
                    .map_err(&fail)?;
                source.each_row(name, table, &mut |row| {
                    summing.add(row);
                    insert
                        .execute(rusqlite::params_from_iter(row))
                        .map(drop)
                        .map_err(&fail)
                })
            }
            Db::Server { server, client } => {
                let mut writer = client
                    .copy_in(&format!("COPY {name} ({columns}) FROM STDIN"))
                    .map_err(|e| server.error(&e))?;
                let mut line = Vec::new();
                let shown = server.shown().to_string();
                source.each_row(name, table, &mut |row| {
                    summing.add(row);
                    line.clear();
                    super::sql::copy_line(&args_of(row), &mut line);
                    writer.write_all(&line).map_err(|e| StoreError::Server {
                        server: shown.clone(),
                        detail: format!("copying {name}: {e}"),
                    })
                })?;
                writer.finish().map(drop).map_err(|e| server.error(&e))
            }
        }
    }

    /// Every table's count of rows.
    fn counts(&mut self, catalog: &Catalog) -> Result<Vec<(String, i64)>, StoreError> {
        let mut counts = Vec::new();
        for name in catalog.tables.keys() {
            let sql = format!("SELECT count(*) FROM {name}");
            let n: i64 = match self {
                Db::File { path, conn } => conn
                    .query_row(&sql, [], |r| r.get(0))
                    .map_err(Db::sqlite_error(path))?,
                Db::Server { server, client } => client
                    .query_one(&sql, &[])
                    .map_err(|e| server.error(&e))?
                    .get(0),
            };
            counts.push((name.clone(), n));
        }
        Ok(counts)
    }
}

/// A row read as values to send (a source never holds a blob: it is refused when read).
fn args_of(row: &[Value]) -> Vec<super::sql::Arg<'_>> {
    use super::sql::Arg;
    row.iter()
        .map(|cell| match cell {
            Value::Null | Value::Blob(_) => Arg::Null,
            Value::Integer(n) => Arg::Int(*n),
            Value::Real(x) => Arg::Real(*x),
            Value::Text(text) => Arg::Text(text),
        })
        .collect()
}

fn column_list(table: &Table) -> String {
    table
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn select_in_key_order(name: &str, table: &Table) -> String {
    let order = if table.primary_key.is_empty() {
        column_list(table)
    } else {
        table.primary_key.join(", ")
    };
    format!("SELECT {} FROM {name} ORDER BY {order}", column_list(table))
}

/// A table's checksum as its rows go by, and their count.
#[derive(Default)]
struct Sum {
    hash: Sha256,
    rows: u64,
}

impl Sum {
    fn add(&mut self, row: &[Value]) {
        for cell in row {
            match cell {
                Value::Null => self.hash.update([0]),
                Value::Integer(n) => {
                    self.hash.update([1]);
                    self.hash.update(n.to_le_bytes());
                }
                Value::Real(x) => {
                    self.hash.update([2]);
                    self.hash.update(x.to_bits().to_le_bytes());
                }
                Value::Text(text) => {
                    self.hash.update([3]);
                    self.hash.update((text.len() as u64).to_le_bytes());
                    self.hash.update(text.as_bytes());
                }
                Value::Blob(bytes) => {
                    self.hash.update([4]);
                    self.hash.update((bytes.len() as u64).to_le_bytes());
                    self.hash.update(bytes);
                }
            }
        }
        self.rows += 1;
    }

    fn finish(self) -> (u64, String) {
        let digest = self.hash.finalize();
        let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
        (self.rows, hex)
    }
}

/// Opens the source to be read whole, at this build's schema version.
fn open_source(from: &Target) -> Result<Db, StoreError> {
    let mut db = match from {
        Target::File(path) => Db::File {
            conn: Store::open_to_read(path)?.into_file_connection(),
            path: path.clone(),
        },
        Target::Server(server) => {
            let mut client = server.connect()?;
            let known = postgres::migrate::embedded().len() as u32;
            match postgres::migrate::found(&mut client).map_err(|e| server.error(&e))? {
                postgres::migrate::Found::Version(v) if v == known => {}
                postgres::migrate::Found::Version(found) if found > known => {
                    return Err(StoreError::ServerNewerSchema {
                        server: server.shown().to_string(),
                        found,
                        known,
                    });
                }
                _ => {
                    return Err(StoreError::Server {
                        server: server.shown().to_string(),
                        detail: format!(
                            "not a retain database at schema version {known}: there is nothing to copy from it"
                        ),
                    });
                }
            }
            Db::Server {
                server: server.clone(),
                client,
            }
        }
    };
    // One snapshot for every table.
    match &db {
        Db::File { .. } => db.batch("BEGIN; SELECT count(*) FROM sqlite_schema;")?,
        Db::Server { .. } => db.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?,
    }
    Ok(db)
}

/// Opens (creating where needed) the target at this build's schema and checks it is empty.
fn open_target(to: &Target) -> Result<Db, StoreError> {
    let mut db = match to {
        Target::File(path) => Db::File {
            conn: Store::open(path, Create::IfMissing)?.into_file_connection(),
            path: path.clone(),
        },
        Target::Server(server) => Db::Server {
            client: server.open_migrated()?,
            server: server.clone(),
        },
    };
    let catalog = db.catalog()?;
    let full: Vec<String> = db
        .counts(&catalog)?
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(table, n)| format!("{table}: {n} row{}", if n == 1 { "" } else { "s" }))
        .collect();
    if let Some(first) = full.first() {
        let tables = match full.len() {
            1 => first.clone(),
            2 => format!("{first}, and 1 more table"),
            n => format!("{first}, and {} more tables", n - 1),
        };
        return Err(StoreError::NotEmpty {
            target: db.shown(),
            tables,
        });
    }
    Ok(db)
}

/// Copies `from` into `to`, which must be empty; `progress` hears of each table as it is done.
pub fn copy(
    from: &Target,
    to: &Target,
    progress: &mut dyn FnMut(&TableCopied),
) -> Result<Vec<TableCopied>, StoreError> {
    if let (Target::File(a), Target::File(b)) = (from, to) {
        if std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok() && b.exists() {
            return Err(StoreError::Refused {
                path: b.clone(),
                why: "it is the database being copied: copy to another file or a server".into(),
            });
        }
    }
    let mut source = open_source(from)?;
    let mut target = open_target(to)?;
    let catalog = source.catalog()?;
    let theirs = target.catalog()?;
    for (name, table) in &catalog.tables {
        let same = theirs
            .tables
            .get(name)
            .is_some_and(|t| column_list(t) == column_list(table));
        if !same {
            return Err(StoreError::Server {
                server: target.shown(),
                detail: format!(
                    "its table {name} is not the source's (schema version {}): nothing was copied",
                    migrations::latest()
                ),
            });
        }
    }
    match &target {
        Db::File { .. } => target.batch("BEGIN IMMEDIATE")?,
        Db::Server { .. } => target.batch("BEGIN")?,
    }
    let result = copy_tables(&catalog, &mut source, &mut target, progress);
    let done = match result {
        // A server plans a team's first questions from its statistics, which a table filled in
        // one go has none of until autovacuum comes by: gathered before the copy is let go.
        Ok(copied) => target
            .batch("COMMIT")
            .and_then(|()| match &target {
                Db::Server { .. } => target.batch("ANALYZE"),
                Db::File { .. } => Ok(()),
            })
            .map(|()| copied),
        Err(e) => {
            // The error said is the copy's; a failed rollback leaves nothing either.
            let _ = target.batch("ROLLBACK");
            Err(e)
        }
    };
    let _ = source.batch("ROLLBACK");
    done
}

fn copy_tables(
    catalog: &Catalog,
    source: &mut Db,
    target: &mut Db,
    progress: &mut dyn FnMut(&TableCopied),
) -> Result<Vec<TableCopied>, StoreError> {
    let mut order = catalog.in_reference_order();
    order.sort_by_key(|name| WRITTEN_BY_TRIGGERS.contains(name));
    let mut copied = Vec::new();
    for name in order {
        let table = &catalog.tables[name];
        if WRITTEN_BY_TRIGGERS.contains(&name) {
            target.batch(&format!("DELETE FROM {name}"))?;
        }
        let mut sum = Sum::default();
        target.fill(name, table, source, &mut sum)?;
        let (rows, checksum) = sum.finish();
        let table_copied = TableCopied {
            table: name.to_string(),
            rows,
            checksum,
        };
        progress(&table_copied);
        copied.push(table_copied);
    }
    if let Db::Server { .. } = target {
        restart_identities(catalog, target)?;
        grant_reps(target)?;
    }
    // Read back: each table of the copy as the source had it.
    for expected in &copied {
        let table = &catalog.tables[&expected.table];
        let mut sum = Sum::default();
        target.each_row(&expected.table, table, &mut |row| {
            sum.add(row);
            Ok(())
        })?;
        let (rows, checksum) = sum.finish();
        if rows != expected.rows || checksum != expected.checksum {
            return Err(StoreError::CopyMismatch {
                target: target.shown(),
                table: expected.table.clone(),
                detail: format!(
                    "{rows} rows read back where {} were copied, checksum {} where {} was expected",
                    expected.rows,
                    &checksum[..12],
                    &expected.checksum[..12]
                ),
            });
        }
    }
    Ok(copied)
}

/// The copied reps that have a role on the server may write as they could before: their roles
/// join the database's writers (a rep without a role is added again once a database admin has
/// made one).
fn grant_reps(target: &mut Db) -> Result<(), StoreError> {
    use super::postgres::migrate::{ADMINS, WRITERS};
    target.batch(&format!(
        "DO $$
         DECLARE rep record;
         BEGIN
             FOR rep IN SELECT login, role FROM reps WHERE active = 1
                        AND login IN (SELECT rolname FROM pg_roles
                                      WHERE rolcanlogin AND rolname NOT LIKE 'pg\\_%') LOOP
                 IF rep.role = 'admin' THEN
                     EXECUTE format('GRANT %I TO %I WITH ADMIN OPTION', {WRITERS}, rep.login);
                     EXECUTE format('GRANT %I TO %I WITH ADMIN OPTION', {ADMINS}, rep.login);
                 ELSE
                     EXECUTE format('GRANT %I TO %I', {WRITERS}, rep.login);
                 END IF;
             END LOOP;
         END $$;"
    ))
}

/// Identity columns go on from the highest id copied, so that the next row a rep adds does not
/// collide with a copied one.
fn restart_identities(catalog: &Catalog, target: &mut Db) -> Result<(), StoreError> {
    for (name, table) in &catalog.tables {
        if table.primary_key.len() != 1 || table.columns.iter().all(|c| c.name != "id") {
            continue;
        }
        target.batch(&format!(
            "SELECT setval(s, m) FROM (SELECT pg_get_serial_sequence('{name}', 'id') AS s,
                                             (SELECT max(id) FROM {name}) AS m) AS q
             WHERE s IS NOT NULL AND m IS NOT NULL"
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checksum_tells_null_from_empty_and_one_column_from_two() {
        let sum = |rows: &[&[Value]]| {
            let mut s = Sum::default();
            rows.iter().for_each(|r| s.add(r));
            s.finish().1
        };
        let text = |t: &str| Value::Text(t.into());
        assert_ne!(sum(&[&[Value::Null]]), sum(&[&[text("")]]));
        assert_ne!(sum(&[&[text("ab")]]), sum(&[&[text("a"), text("b")]]));
        assert_ne!(sum(&[&[Value::Integer(1)]]), sum(&[&[Value::Real(1.0)]]));
        assert_eq!(sum(&[&[text("x")]]), sum(&[&[text("x")]]));
    }
}
