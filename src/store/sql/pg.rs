//! The PostgreSQL side of [`super::Conn`]: placeholders numbered, statements cached, values
//! bound as the server's types, rows read whatever numeric type it answered with.

use std::cell::{RefCell, RefMut};
use std::collections::HashMap;

use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use super::value::{Arg, Cell, ToArg};
use super::{Error, Result};

/// Statements kept prepared per connection; the store's SQL is a fixed set, so the bound only
/// matters for SQL made at run time.
const CACHED_STATEMENTS: usize = 512;

/// The table whose one row every write transaction locks, serialising retain's writers as
/// SQLite's one write lock does: a write that read a version, a claim or a count writes on what
/// it read.
const WRITE_LOCK: &str = crate::store::postgres::migrate::WRITE_LOCK_TABLE;

/// How often a lost connection is tried again.
const RECONNECT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// How long a look for other connections' changes waits for one.
const NOTICE_WAIT: std::time::Duration = std::time::Duration::from_millis(2);

/// How long a write waits for another's lock before it gives up, as SQLite's busy timeout.
const LOCK_TIMEOUT: &str = "10s";

/// A statement as the server prepared it, with the names of its `:name` placeholders.
#[derive(Clone)]
pub struct Prepared {
    pub statement: postgres::Statement,
    pub names: Vec<String>,
}

/// Makes a new connection like the first, for when the first is lost.
pub type Reconnect = Box<
    dyn Fn() -> std::result::Result<
            (
                postgres::Client,
                Option<postgres_native_tls::MakeTlsConnector>,
            ),
            String,
        > + Send,
>;

pub struct Client {
    client: RefCell<postgres::Client>,
    cache: RefCell<HashMap<String, Prepared>>,
    tls: Option<postgres_native_tls::MakeTlsConnector>,
    /// Once listening for changes: this connection's backend pid, and the others' changes seen.
    listening: RefCell<Option<(String, u64)>>,
    reconnect: Reconnect,
    /// A write transaction is open: a connection lost in it is not replaced under it, since
    /// what it wrote went with the connection (the write is tried again whole).
    in_transaction: std::cell::Cell<bool>,
    /// When the connection was last tried again and failed.
    last_try: std::cell::Cell<Option<std::time::Instant>>,
}

impl Client {
    pub fn new(
        client: postgres::Client,
        tls: Option<postgres_native_tls::MakeTlsConnector>,
        reconnect: Reconnect,
    ) -> Client {
        Client {
            client: RefCell::new(client),
            cache: RefCell::new(HashMap::new()),
            tls,
            listening: RefCell::new(None),
            reconnect,
            in_transaction: std::cell::Cell::new(false),
            last_try: std::cell::Cell::new(None),
        }
    }

    /// The connection, made again first if the server dropped it (a restart, a failover, the
    /// network): its statements are prepared again, and a listener hears of one change, since
    /// others may have changed anything meanwhile.
    fn live(&self) -> Result<RefMut<'_, postgres::Client>> {
        if !self.client.borrow().is_closed() {
            return Ok(self.client.borrow_mut());
        }
        if self.in_transaction.get() {
            return Err(Error::Disconnected("it was lost during a write".into()));
        }
        // One try a second at most: a server that is away is not asked again on every call.
        if self
            .last_try
            .get()
            .is_some_and(|at| at.elapsed() < RECONNECT_EVERY)
        {
            return Err(Error::Disconnected("the server is not back yet".into()));
        }
        self.last_try.set(Some(std::time::Instant::now()));
        let (client, _) = (self.reconnect)().map_err(|why| {
            super::connection_lost(true);
            Error::Disconnected(why)
        })?;
        *self.client.borrow_mut() = client;
        self.last_try.set(None);
        self.cache.borrow_mut().clear();
        super::connection_lost(false);
        let mut listening = self.listening.borrow_mut();
        if let Some((me, seen)) = listening.as_mut() {
            let mut client = self.client.borrow_mut();
            client.batch_execute(&format!(
                "LISTEN {}",
                crate::store::postgres::migrate::CHANGES
            ))?;
            let pid: i32 = client.query_one("SELECT pg_backend_pid()", &[])?.get(0);
            *me = pid.to_string();
            *seen += 1;
        }
        drop(listening);
        Ok(self.client.borrow_mut())
    }

    /// Connected again first, if the connection was lost, before a transaction begins: once it
    /// has begun, a lost connection is the transaction's loss (`live`), never made again
    /// under it. (Begun first, a write that found the connection gone never made it again.)
    fn connected(&self) -> Result<()> {
        self.live().map(drop)
    }

    /// An error of the server's, or the connection's loss as such.
    fn failed(&self, e: postgres::Error) -> Error {
        if self.client.borrow().is_closed() {
            super::connection_lost(true);
            Error::Disconnected(crate::store::postgres::words(&e))
        } else {
            Error::Postgres(e)
        }
    }

    /// How many changes other connections announced since this one began listening (none the
    /// first time it is asked, when it begins). Its own changes are not counted, as SQLite's
    /// `data_version` does not count a connection's own commits.
    pub fn changes_elsewhere(&self) -> Result<u64> {
        use postgres::fallible_iterator::FallibleIterator;
        let mut client = self.live()?;
        let mut listening = self.listening.borrow_mut();
        let Some((me, seen)) = listening.as_mut() else {
            let listen = client
                .batch_execute(&format!(
                    "LISTEN {}",
                    crate::store::postgres::migrate::CHANGES
                ))
                .and_then(|()| client.query_one("SELECT pg_backend_pid()", &[]));
            drop(client);
            let me: i32 = listen.map_err(|e| self.failed(e))?.get(0);
            *listening = Some((me.to_string(), 0));
            return Ok(0);
        };
        // It waits a moment rather than not at all: the client reads the socket only when its
        // runtime gets to wait, so a call that never waits never sees what arrived since.
        let mut heard = Ok(());
        {
            let mut pending = client.notifications();
            let mut arrived = pending.timeout_iter(NOTICE_WAIT);
            loop {
                match arrived.next() {
                    Ok(Some(note)) if note.payload() != me => *seen += 1,
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) => {
                        heard = Err(e);
                        break;
                    }
                }
            }
        }
        drop(client);
        heard.map_err(|e| self.failed(e))?;
        Ok(*seen)
    }

    pub fn interrupt(&self) -> super::Interrupt {
        super::Interrupt::Postgres {
            token: self.client.borrow().cancel_token(),
            tls: self.tls.clone(),
        }
    }

    pub fn batch(&self, sql: &str) -> Result<()> {
        let done = self.live().map(|mut client| client.batch_execute(sql));
        if sql.starts_with("COMMIT") || sql.starts_with("ROLLBACK") {
            self.in_transaction.set(false);
        }
        done?.map_err(|e| self.failed(e))
    }

    /// Begins a write transaction that takes no write lock: the rows it writes are locked as it
    /// writes them, and other such writes go on meanwhile.
    pub fn begin_concurrent(&self) -> Result<()> {
        self.connected()?;
        self.in_transaction.set(true);
        let begun = self.batch(&format!(
            "BEGIN; SET LOCAL lock_timeout = '{LOCK_TIMEOUT}';"
        ));
        if begun.is_err() {
            self.in_transaction.set(false);
        }
        begun
    }

    /// Begins a write transaction holding the write lock: the one row of the lock table, for
    /// update, which only the writers may lock (an advisory lock any role could hold, and stop
    /// the team's writes). A lock not had (its wait timed out, or `wait` is false and another
    /// holds it) ends the transaction at once, so that the connection is clean for the next try.
    pub fn begin_write(&self, wait: bool) -> Result<()> {
        let lock = if wait {
            format!(
                "BEGIN; SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'; SELECT 1 FROM {WRITE_LOCK} FOR UPDATE;"
            )
        } else {
            format!("BEGIN; SELECT 1 FROM {WRITE_LOCK} FOR UPDATE NOWAIT;")
        };
        self.connected()?;
        self.in_transaction.set(true);
        match self.batch(&lock) {
            Ok(()) => Ok(()),
            Err(e) => {
                if !e.is_disconnected() {
                    let _ = self.batch("ROLLBACK");
                }
                self.in_transaction.set(false);
                // Not had, at once or within the lock timeout: busy, as SQLite says it, so
                // that the store waits again for a long write it knows of, or gives up.
                let busy = matches!(&e, Error::Postgres(pg)
                    if pg.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE));
                Err(if busy { Error::Busy } else { e })
            }
        }
    }

    pub fn prepare(&self, sql: &str, cached: bool) -> Result<Prepared> {
        let mut client = self.live()?;
        if let Some(prepared) = self.cache.borrow().get(sql) {
            return Ok(prepared.clone());
        }
        let (text, names) = numbered(sql);
        let statement = client.prepare(&text);
        drop(client);
        let prepared = Prepared {
            statement: statement.map_err(|e| self.failed(e))?,
            names,
        };
        if cached {
            let mut cache = self.cache.borrow_mut();
            if cache.len() >= CACHED_STATEMENTS {
                cache.clear();
            }
            cache.insert(sql.to_string(), prepared.clone());
        }
        Ok(prepared)
    }

    pub fn execute(&self, statement: &postgres::Statement, args: &[&dyn ToArg]) -> Result<usize> {
        let values = bound(args);
        let refs = refs(&values);
        let done = self.live()?.execute(statement, &refs);
        let n = done.map_err(|e| self.failed(e))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// Sends `text`, rows in COPY's text format, into `table`'s `columns`.
    pub fn copy_in(&self, table: &str, columns: &str, text: &[u8]) -> Result<u64> {
        use std::io::Write;
        let mut client = self.live()?;
        // The server's error, or the stream's (a connection lost while sending).
        let sent: std::result::Result<u64, std::result::Result<postgres::Error, std::io::Error>> =
            match client.copy_in(&format!("COPY {table} ({columns}) FROM STDIN")) {
                Ok(mut writer) => match writer.write_all(text) {
                    Ok(()) => writer.finish().map_err(Ok),
                    Err(e) => Err(Err(e)),
                },
                Err(e) => Err(Ok(e)),
            };
        drop(client);
        match sent {
            Ok(rows) => Ok(rows),
            Err(Ok(e)) => Err(self.failed(e)),
            Err(Err(e)) => Err(Error::Disconnected(e.to_string())),
        }
    }

    pub fn query(
        &self,
        statement: &postgres::Statement,
        args: &[&dyn ToArg],
    ) -> Result<Vec<postgres::Row>> {
        let values = bound(args);
        let refs = refs(&values);
        let done = self.live()?.query(statement, &refs);
        done.map_err(|e| self.failed(e))
    }
}

fn bound<'a>(args: &'a [&dyn ToArg]) -> Vec<Arg<'a>> {
    args.iter().map(|a| a.to_arg()).collect()
}

fn refs<'a>(values: &'a [Arg<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// SQLite's placeholders as the server's: `?N` is `$N`, a bare `?` takes the number after the
/// highest so far, and a `:name` the number after the highest when it first appears, as SQLite
/// numbers them; the names come back in the order of their numbers. Quoted text, quoted names,
/// comments and `::` casts are left as they are.
pub fn numbered(sql: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut highest = 0u32;
    let mut names: Vec<String> = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ':' if chars.peek() == Some(&':') => {
                chars.next();
                out.push_str("::");
            }
            ':' if chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == '_') =>
            {
                let mut name = String::new();
                while let Some(n) = chars.next_if(|n| n.is_ascii_alphanumeric() || *n == '_') {
                    name.push(n);
                }
                let n = match names.iter().position(|known| *known == name) {
                    Some(at) => at as u32 + 1,
                    None => {
                        names.push(name);
                        highest += 1;
                        highest
                    }
                };
                out.push('$');
                out.push_str(&n.to_string());
            }
            '\'' | '"' => {
                out.push(c);
                for inner in chars.by_ref() {
                    out.push(inner);
                    if inner == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for inner in chars.by_ref() {
                    out.push(inner);
                    if inner == '\n' {
                        break;
                    }
                }
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    digits.push(d);
                }
                let n = match digits.parse::<u32>() {
                    Ok(n) => n,
                    Err(_) => highest + 1,
                };
                highest = highest.max(n);
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    (out, names)
}

impl ToSql for Arg<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Arg::Null => Ok(IsNull::Yes),
            Arg::Int(n) => match *ty {
                Type::INT8 => n.to_sql(ty, out),
                Type::INT4 => i32::try_from(n)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(n)?.to_sql(ty, out),
                Type::FLOAT8 => (n as f64).to_sql(ty, out),
                Type::FLOAT4 => (n as f32).to_sql(ty, out),
                Type::BOOL => (n != 0).to_sql(ty, out),
                _ => n.to_string().as_str().to_sql(&Type::TEXT, out),
            },
            Arg::Real(x) => match *ty {
                Type::FLOAT8 => x.to_sql(ty, out),
                Type::FLOAT4 => (x as f32).to_sql(ty, out),
                Type::INT8 | Type::INT4 | Type::INT2 => {
                    Err(format!("{x} is not an integer, where the server expects one").into())
                }
                _ => x.to_string().as_str().to_sql(&Type::TEXT, out),
            },
            Arg::Text(text) => match *ty {
                Type::INT8 => text.trim().parse::<i64>()?.to_sql(ty, out),
                Type::INT4 => text.trim().parse::<i32>()?.to_sql(ty, out),
                Type::FLOAT8 => text.trim().parse::<f64>()?.to_sql(ty, out),
                Type::JSONB => {
                    out.extend_from_slice(&[1]);
                    out.extend_from_slice(text.as_bytes());
                    Ok(IsNull::No)
                }
                _ => {
                    out.extend_from_slice(text.as_bytes());
                    Ok(IsNull::No)
                }
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A NUMERIC read as what it holds: an integer when it has no fraction (a `sum` of integers),
/// else the real nearest its decimal digits.
struct Numeric(Cell<'static>);

impl<'a> FromSql<'a> for Numeric {
    fn from_sql(
        _: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        // The binary form: digit count, weight (the power of 10000 of the first digit), sign,
        // display scale, then the base-10000 digits.
        let word = |i: usize| -> std::result::Result<u16, String> {
            raw.get(i * 2..i * 2 + 2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                .ok_or_else(|| "a NUMERIC cut short".to_string())
        };
        let digits = i32::from(word(0)?);
        let weight = i32::from(word(1)? as i16);
        match word(2)? {
            0xC000 => return Ok(Numeric(Cell::Real(f64::NAN))),
            0x0000 | 0x4000 => {}
            other => return Err(format!("a NUMERIC with sign {other:#x}").into()),
        }
        let negative = word(2)? == 0x4000;
        let digit_at = |power: i32| -> std::result::Result<u16, String> {
            let i = weight - power;
            if (0..digits).contains(&i) {
                word(4 + i as usize)
            } else {
                Ok(0)
            }
        };
        let mut text = String::from(if negative { "-" } else { "" });
        if weight < 0 {
            text.push('0');
        }
        for power in (0..=weight).rev() {
            let digit = digit_at(power)?;
            if power == weight {
                text.push_str(&digit.to_string());
            } else {
                text.push_str(&format!("{digit:04}"));
            }
        }
        let mut fraction = String::new();
        for power in (weight - digits + 1..0).rev() {
            fraction.push_str(&format!("{:04}", digit_at(power)?));
        }
        let whole = fraction.bytes().all(|b| b == b'0');
        if !whole {
            text.push('.');
            text.push_str(&fraction);
        }
        Ok(Numeric(match text.parse::<i64>() {
            Ok(n) if whole => Cell::Int(n),
            _ => Cell::Real(text.parse::<f64>()?),
        }))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}

/// The value of a row's column as a [`Cell`], by the type the server answered with.
pub fn cell(row: &postgres::Row, at: usize) -> std::result::Result<Cell<'_>, String> {
    let column = row
        .columns()
        .get(at)
        .ok_or_else(|| format!("no column {at} in the result"))?;
    let failed = |e: postgres::Error| e.to_string();
    let ty = column.type_().clone();
    Ok(match ty {
        Type::INT8 => row
            .try_get::<_, Option<i64>>(at)
            .map_err(failed)?
            .map_or(Cell::Null, Cell::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(at)
            .map_err(failed)?
            .map_or(Cell::Null, |n| Cell::Int(i64::from(n))),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(at)
            .map_err(failed)?
            .map_or(Cell::Null, |n| Cell::Int(i64::from(n))),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(at)
            .map_err(failed)?
            .map_or(Cell::Null, |b| Cell::Int(i64::from(b))),
        Type::FLOAT8 => row
            .try_get::<_, Option<f64>>(at)
            .map_err(failed)?
            .map_or(Cell::Null, Cell::Real),
        Type::FLOAT4 => row
            .try_get::<_, Option<f32>>(at)
            .map_err(failed)?
            .map_or(Cell::Null, |x| Cell::Real(f64::from(x))),
        Type::NUMERIC => row
            .try_get::<_, Option<Numeric>>(at)
            .map_err(failed)?
            .map_or(Cell::Null, |n| n.0),
        _ => row
            .try_get::<_, Option<&str>>(at)
            .map_err(failed)?
            .map_or(Cell::Null, Cell::Text),
    })
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn placeholders_are_numbered_as_sqlite_numbers_them() {
        let text = |sql: &str| numbered(sql).0;
        assert_eq!(text("SELECT ?1, ?2, ?1"), "SELECT $1, $2, $1");
        assert_eq!(text("VALUES (?, ?, ?)"), "VALUES ($1, $2, $3)");
        assert_eq!(text("WHERE a = ?3 AND b = ?"), "WHERE a = $3 AND b = $4");
        assert_eq!(
            text("SELECT '?1', \"a?\" -- what?\n, ?1"),
            "SELECT '?1', \"a?\" -- what?\n, $1"
        );
    }

    #[test]
    fn named_placeholders_are_numbered_in_order_of_first_use() {
        let (text, names) =
            numbered("UPDATE t SET a = :a, b = :b::text WHERE id = :id AND a <> :a");
        assert_eq!(
            text,
            "UPDATE t SET a = $1, b = $2::text WHERE id = $3 AND a <> $1"
        );
        assert_eq!(names, ["a", "b", "id"]);
    }
}
