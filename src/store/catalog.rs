//! What a database is made of, in terms both engines share: tables and their columns, keys,
//! checks and indexes, and the triggers. A test holds the two schemas to one catalog; `copy`
//! reads from it which tables to copy, in which order, by which key.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::Connection;

/// A database's schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub tables: BTreeMap<String, Table>,
    /// `trigger on table`.
    pub triggers: BTreeSet<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// In the order the table has them (`SELECT *`).
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    pub foreign_keys: BTreeSet<ForeignKey>,
    /// How many CHECK constraints it has (their text is each dialect's own).
    pub checks: usize,
    pub indexes: BTreeSet<Index>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Integer,
    Real,
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
    pub not_null: bool,
    /// The default as SQL, without a dialect's casts: `'rep'`, `0`.
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub table: String,
    pub references: Vec<String>,
    /// `CASCADE`, `SET NULL`, `NO ACTION` ...
    pub on_delete: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Index {
    /// None for the index behind a UNIQUE constraint, which each engine names its own way.
    pub name: Option<String>,
    /// Column names, or `lower(name)` for a case-blind one.
    pub columns: Vec<String>,
    pub unique: bool,
    /// A partial index's condition, lower case, without spaces or parentheses.
    pub predicate: Option<String>,
}

impl Catalog {
    /// The tables in an order that inserts every row after the rows it references.
    pub fn in_reference_order(&self) -> Vec<&str> {
        let mut placed: Vec<&str> = Vec::new();
        while placed.len() < self.tables.len() {
            let before = placed.len();
            for (name, table) in &self.tables {
                let ready = !placed.contains(&name.as_str())
                    && table
                        .foreign_keys
                        .iter()
                        .all(|fk| fk.table == *name || placed.contains(&fk.table.as_str()));
                if ready {
                    placed.push(name);
                }
            }
            if placed.len() == before {
                // A cycle of references (none in this schema): the rest in name order.
                placed.extend(
                    self.tables
                        .keys()
                        .map(String::as_str)
                        .filter(|n| !placed.contains(n))
                        .collect::<Vec<_>>(),
                );
            }
        }
        placed
    }

    /// The catalog of a SQLite database.
    pub fn of_sqlite(conn: &Connection) -> rusqlite::Result<Catalog> {
        let mut catalog = Catalog::default();
        let tables: Vec<(String, String)> = conn
            .prepare(
                "SELECT name, sql FROM sqlite_schema
                 WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, sql) in tables {
            let table = sqlite_table(conn, &name, &sql)?;
            catalog.tables.insert(name, table);
        }
        let mut triggers = conn.prepare(
            "SELECT name || ' on ' || tbl_name FROM sqlite_schema WHERE type = 'trigger'",
        )?;
        catalog.triggers = triggers
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(catalog)
    }
}

fn sqlite_table(conn: &Connection, name: &str, sql: &str) -> rusqlite::Result<Table> {
    let mut table = Table {
        checks: count_checks(sql),
        ..Table::default()
    };
    let mut pk: Vec<(i64, String)> = Vec::new();
    let mut columns =
        conn.prepare("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1)")?;
    let mut rows = columns.query([name])?;
    while let Some(row) = rows.next()? {
        let column: String = row.get(0)?;
        let declared: String = row.get(1)?;
        let in_pk: i64 = row.get(4)?;
        if in_pk > 0 {
            pk.push((in_pk, column.clone()));
        }
        table.columns.push(Column {
            kind: kind_of(&declared),
            not_null: row.get::<_, bool>(2)? || in_pk > 0,
            default: row.get(3)?,
            name: column,
        });
    }
    pk.sort();
    table.primary_key = pk.into_iter().map(|(_, c)| c).collect();

    let mut fks = conn.prepare(
        "SELECT id, \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    )?;
    let mut by_id: BTreeMap<i64, ForeignKey> = BTreeMap::new();
    let mut rows = fks.query([name])?;
    while let Some(row) = rows.next()? {
        let fk = by_id.entry(row.get(0)?).or_insert_with(|| ForeignKey {
            columns: Vec::new(),
            table: String::new(),
            references: Vec::new(),
            on_delete: String::new(),
        });
        fk.columns.push(row.get(1)?);
        fk.table = row.get(2)?;
        fk.references.push(row.get(3)?);
        fk.on_delete = row.get(4)?;
    }
    table.foreign_keys = by_id.into_values().collect();

    let mut indexes = conn.prepare(
        "SELECT l.name, l.\"unique\", l.origin, s.sql FROM pragma_index_list(?1) l
         LEFT JOIN sqlite_schema s ON s.type = 'index' AND s.name = l.name",
    )?;
    let mut rows = indexes.query([name])?;
    while let Some(row) = rows.next()? {
        let index_name: String = row.get(0)?;
        let origin: String = row.get(2)?;
        if origin == "pk" {
            continue;
        }
        let sql: Option<String> = row.get(3)?;
        let mut keys = conn.prepare(
            "SELECT name, coll FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno",
        )?;
        let columns = keys
            .query_map([&index_name], |r| {
                let column: String = r.get(0)?;
                let coll: String = r.get(1)?;
                Ok(if coll.eq_ignore_ascii_case("NOCASE") {
                    format!("lower({column})")
                } else {
                    column
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        table.indexes.insert(Index {
            name: (origin == "c").then_some(index_name),
            columns,
            unique: row.get(1)?,
            predicate: sql.as_deref().and_then(predicate_of),
        });
    }
    Ok(table)
}

/// The kind SQLite's type affinity gives a declared type.
fn kind_of(declared: &str) -> Kind {
    let upper = declared.to_ascii_uppercase();
    if upper.contains("INT") {
        Kind::Integer
    } else if upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB") {
        Kind::Real
    } else {
        Kind::Text
    }
}

/// A condition as the catalog compares it: lower case, no spaces, no parentheses.
pub fn normal_predicate(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
        .flat_map(char::to_lowercase)
        .collect()
}

fn predicate_of(create_index: &str) -> Option<String> {
    let upper = create_index.to_ascii_uppercase();
    upper
        .rfind(" WHERE ")
        .map(|at| normal_predicate(&create_index[at + " WHERE ".len()..]))
}

/// The CHECK constraints in a CREATE TABLE, outside its comments and quoted text.
fn count_checks(sql: &str) -> usize {
    let mut code = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                for inner in chars.by_ref() {
                    if inner == c {
                        break;
                    }
                }
                code.push(' ');
            }
            '-' if chars.peek() == Some(&'-') => {
                for inner in chars.by_ref() {
                    if inner == '\n' {
                        break;
                    }
                }
                code.push(' ');
            }
            _ => code.push(c.to_ascii_uppercase()),
        }
    }
    code.match_indices("CHECK")
        .filter(|(at, _)| {
            let before = code[..*at].chars().next_back();
            let after = code[at + "CHECK".len()..].trim_start();
            !before.is_some_and(|b| b.is_alphanumeric() || b == '_') && after.starts_with('(')
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_are_counted_outside_comments_and_quotes() {
        let sql = "CREATE TABLE t (a TEXT CHECK (a IN ('check (x)')), -- a CHECK (here)\n b INT CHECK(b > 0), rechecked INT, CHECK (a <> ''))";
        assert_eq!(count_checks(sql), 3);
    }

    #[test]
    fn tables_come_after_those_they_reference() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE c (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b (id));
             CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));
             CREATE TABLE a (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES a (id));",
        )
        .unwrap();
        let catalog = Catalog::of_sqlite(&conn).unwrap();
        assert_eq!(catalog.in_reference_order(), ["a", "b", "c"]);
    }

    #[test]
    fn a_case_blind_index_reads_as_an_index_on_lower() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, code TEXT UNIQUE);
             CREATE INDEX t_name ON t (name COLLATE NOCASE) WHERE name IS NOT NULL;",
        )
        .unwrap();
        let table = &Catalog::of_sqlite(&conn).unwrap().tables["t"];
        assert!(table.indexes.contains(&Index {
            name: Some("t_name".into()),
            columns: vec!["lower(name)".into()],
            unique: false,
            predicate: Some("nameisnotnull".into()),
        }));
        assert!(table.indexes.contains(&Index {
            name: None,
            columns: vec!["code".into()],
            unique: true,
            predicate: None,
        }));
        assert_eq!(table.primary_key, ["id"]);
        assert!(table.columns[0].not_null, "a primary key is never null");
    }
}
