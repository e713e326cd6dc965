//! Rows written in bulk inside one write transaction (a demo's load): on SQLite each row is
//! inserted as it comes, a prepared statement per table (SQLite inserts hundreds of thousands of
//! rows a second so); on a server a round trip per row would be most of the time, so rows are
//! gathered per table and sent with `COPY`, all the tables at once in the order they were first
//! written to, which puts every row after the rows it references.
//!
//! Ids of the rows that others reference are given out here (`next_id`), so that no row waits
//! for the database to name its parent; the server's identity columns are moved past them at
//! the end.

use std::collections::HashMap;

use super::value::{Arg, ToArg};
use super::{Conn, Inner, Result};

/// What a server's gathered rows may come to before they are sent.
const SEND_AT_BYTES: usize = 8 << 20;

pub struct Bulk<'c> {
    conn: &'c Conn,
    /// The last id given out per table.
    ids: HashMap<&'static str, i64>,
    /// A server's rows not yet sent: per table, its columns and COPY text, in first-use order.
    gathered: Vec<(&'static str, &'static str, Vec<u8>)>,
    bytes: usize,
}

impl Conn {
    /// A bulk writer on this connection (in a write transaction).
    pub fn bulk(&self) -> Bulk<'_> {
        Bulk {
            conn: self,
            ids: HashMap::new(),
            gathered: Vec::new(),
            bytes: 0,
        }
    }
}

impl Bulk<'_> {
    /// The id the next row of `table` takes: one past the table's highest, the first time.
    pub fn next_id(&mut self, table: &'static str) -> Result<i64> {
        let last = match self.ids.get(table) {
            Some(&last) => last,
            None => self.conn.query_row(
                &format!("SELECT coalesce(max(id), 0) FROM {table}"),
                [],
                |r| r.get(0),
            )?,
        };
        self.ids.insert(table, last + 1);
        Ok(last + 1)
    }

    /// One row of `table`, its `columns` (`a, b, c`) in the order of `values`.
    pub fn insert(
        &mut self,
        table: &'static str,
        columns: &'static str,
        values: &[&dyn ToArg],
    ) -> Result<()> {
        if let Inner::Sqlite(_) = self.conn.inner {
            let marks = vec!["?"; values.len()].join(", ");
            self.conn
                .prepare_cached(&format!("INSERT INTO {table} ({columns}) VALUES ({marks})"))?
                .execute(values)?;
            return Ok(());
        }
        let at = match self.gathered.iter().position(|(t, _, _)| *t == table) {
            Some(at) => at,
            None => {
                self.gathered.push((table, columns, Vec::new()));
                self.gathered.len() - 1
            }
        };
        let text = &mut self.gathered[at].2;
        let before = text.len();
        let args: Vec<Arg<'_>> = values.iter().map(|v| v.to_arg()).collect();
        copy_line(&args, text);
        self.bytes += text.len() - before;
        if self.bytes >= SEND_AT_BYTES {
            self.send()?;
        }
        Ok(())
    }

    /// Sends what was gathered, and moves a server's identity columns past the ids given out.
    pub fn finish(mut self) -> Result<()> {
        self.send()?;
        if let Inner::Postgres(_) = self.conn.inner {
            for table in self.ids.keys() {
                self.conn.query_row(
                    &format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    ),
                    [],
                    |r| r.get::<_, i64>(0),
                )?;
            }
        }
        Ok(())
    }

    fn send(&mut self) -> Result<()> {
        for (table, columns, text) in &mut self.gathered {
            if !text.is_empty() {
                self.conn.copy_text(table, columns, text)?;
                text.clear();
            }
        }
        self.bytes = 0;
        Ok(())
    }
}

/// A row in COPY's text format: tab between fields, `\N` for NULL, backslash escapes.
pub fn copy_line(row: &[Arg<'_>], out: &mut Vec<u8>) {
    for (i, cell) in row.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match cell {
            Arg::Null => out.extend_from_slice(b"\\N"),
            Arg::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Arg::Real(x) => out.extend_from_slice(format!("{x:?}").as_bytes()),
            Arg::Text(text) => {
                for byte in text.bytes() {
                    match byte {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        other => out.push(other),
                    }
                }
            }
        }
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_lines_escape_what_the_text_format_reads_as_control() {
        let mut out = Vec::new();
        copy_line(
            &[
                Arg::Int(-7),
                Arg::Null,
                Arg::Real(45.1),
                Arg::Text("a\tb\\c\nd\re \\N"),
            ],
            &mut out,
        );
        assert_eq!(out, b"-7\t\\N\t45.1\ta\\tb\\\\c\\nd\\re \\\\N\n");
    }
}
