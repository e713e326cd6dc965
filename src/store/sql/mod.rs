//! The store's one way to run SQL, on either engine.
//!
//! It is shaped like rusqlite's API, which the store was written against: a connection whose
//! methods take `&self`, statements prepared once and cached, rows read by column name,
//! `params![…]`, `.optional()`. On SQLite every call is rusqlite's own. On PostgreSQL the same
//! SQL goes through the `postgres` crate: `?N` placeholders are numbered `$N`, a value is bound
//! as the type the server expects of it, and a row's number reads the same whatever integer or
//! numeric type the server answered with (`sum` of a BIGINT is NUMERIC there). SQL is shared
//! where the dialects agree; where they differ, the store asks [`Conn::engine`].

mod bulk;
mod pg;
mod value;

use std::cell::Cell as Flag;

pub use bulk::{Bulk, copy_line};
pub use pg::Reconnect;
pub use value::{Arg, Cell, FromCell, ToArg, Value};

/// Which engine a connection speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// What can go wrong running SQL.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Postgres(#[from] postgres::Error),
    /// A value that is not what its column should hold.
    #[error("column {column}: {why}")]
    Conversion { column: String, why: String },
    /// A question that wanted one row found none.
    #[error("no row")]
    NoRows,
    /// The server dropped the connection (a restart, a failover, the network), and it could not
    /// be made again yet: the next call tries again.
    #[error("the server is out of reach ({0})")]
    Disconnected(String),
    /// Another writer holds the write lock, and this write was not to wait for it.
    #[error("another write holds the database")]
    Busy,
    /// Work stopped for a reason of its own (a write refused by `store::access`, a payment
    /// that is not there): carried out of the transaction as an error, so that it rolls back.
    #[error("{0}")]
    Aborted(Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Set while some connection of this process has lost its server and not yet got it back: the
/// console says "reconnecting…" meanwhile.
static LOST: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn connection_lost(lost: bool) {
    LOST.store(lost, std::sync::atomic::Ordering::Relaxed);
}

/// True while a connection of this process waits for its server to come back.
pub fn reconnecting() -> bool {
    LOST.load(std::sync::atomic::Ordering::Relaxed)
}

impl Error {
    /// Whether the server refused the statement for the role's want of rights.
    pub fn server_refused(&self) -> bool {
        matches!(self, Error::Postgres(e)
            if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE))
    }

    /// Whether the server was lost, rather than the statement refused: the same work may go
    /// through once it is back.
    pub fn is_disconnected(&self) -> bool {
        matches!(self, Error::Disconnected(_))
    }

    /// SQLite's code for the error, if SQLite raised it.
    pub fn sqlite_code(&self) -> Option<rusqlite::ErrorCode> {
        match self {
            Error::Sqlite(e) => e.sqlite_error_code(),
            _ => None,
        }
    }
}

/// `.optional()`: a missing row as `None` rather than an error.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(Error::NoRows) => Ok(None),
            Err(Error::Sqlite(rusqlite::Error::QueryReturnedNoRows)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The values of a statement's placeholders, in order.
pub trait Params {
    fn with_args<R>(&self, f: impl FnOnce(&[&dyn ToArg]) -> R) -> R;
}

impl Params for [&dyn ToArg; 0] {
    fn with_args<R>(&self, f: impl FnOnce(&[&dyn ToArg]) -> R) -> R {
        f(&[])
    }
}

impl Params for &[&dyn ToArg] {
    fn with_args<R>(&self, f: impl FnOnce(&[&dyn ToArg]) -> R) -> R {
        f(self)
    }
}

impl Params for () {
    fn with_args<R>(&self, f: impl FnOnce(&[&dyn ToArg]) -> R) -> R {
        f(&[])
    }
}

macro_rules! array_params {
    ($($n:literal)*) => {$(
        impl<T: ToArg> Params for [T; $n] {
            fn with_args<R>(&self, f: impl FnOnce(&[&dyn ToArg]) -> R) -> R {
                let args: [&dyn ToArg; $n] = std::array::from_fn(|i| &self[i] as &dyn ToArg);
                f(&args)
            }
        }
    )*};
}
array_params!(1 2 3 4 5 6 7 8);

/// Values from an iterator, for a statement whose placeholders are counted at run time.
pub struct ParamsFromIter<I>(I);

pub fn params_from_iter<I>(iter: I) -> ParamsFromIter<I>
where
    I: IntoIterator + Clone,
    I::Item: ToArg,
{
    ParamsFromIter(iter)
}

impl<I> Params for ParamsFromIter<I>
where
    I: IntoIterator + Clone,
    I::Item: ToArg,
{
    fn with_args<R>(&self, f: impl FnOnce(&[&dyn ToArg]) -> R) -> R {
        let values: Vec<I::Item> = self.0.clone().into_iter().collect();
        let args: Vec<&dyn ToArg> = values.iter().map(|v| v as &dyn ToArg).collect();
        f(&args)
    }
}

/// `params![a, b, c]`: mixed values for one statement.
#[macro_export]
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::store::sql::ToArg]
    };
    ($($param:expr),+ $(,)?) => {
        &[$(&$param as &dyn $crate::store::sql::ToArg),+] as &[&dyn $crate::store::sql::ToArg]
    };
}
pub use crate::params;

fn sqlite_args<'a>(args: &'a [&'a dyn ToArg]) -> impl rusqlite::Params + 'a {
    rusqlite::params_from_iter(args.iter().map(|a| a.to_arg()))
}

/// A connection to either engine.
pub struct Conn {
    inner: Inner,
}

enum Inner {
    Sqlite(rusqlite::Connection),
    Postgres(Box<pg::Client>),
}

impl Conn {
    pub fn sqlite(conn: rusqlite::Connection) -> Conn {
        Conn {
            inner: Inner::Sqlite(conn),
        }
    }

    /// A server connection; `tls` is how it was made, for the cancel requests of
    /// [`Conn::interrupt_handle`], and `reconnect` makes another like it when it is lost.
    pub fn postgres(
        client: postgres::Client,
        tls: Option<postgres_native_tls::MakeTlsConnector>,
        reconnect: pg::Reconnect,
    ) -> Conn {
        Conn {
            inner: Inner::Postgres(Box::new(pg::Client::new(client, tls, reconnect))),
        }
    }

    /// What stops this connection's running statement from another thread.
    pub fn interrupt_handle(&self) -> Interrupt {
        match &self.inner {
            Inner::Sqlite(conn) => Interrupt::Sqlite(conn.get_interrupt_handle()),
            Inner::Postgres(client) => client.interrupt(),
        }
    }

    pub fn engine(&self) -> Engine {
        match self.inner {
            Inner::Sqlite(_) => Engine::Sqlite,
            Inner::Postgres(_) => Engine::Postgres,
        }
    }

    /// `sqlite` on SQLite, `postgres` on the server: SQL for the few places the dialects
    /// differ (a planner's hint, a function only one of them has).
    pub fn pick<'a>(&self, sqlite: &'a str, postgres: &'a str) -> &'a str {
        match self.engine() {
            Engine::Sqlite => sqlite,
            Engine::Postgres => postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (pragmas, the interrupt handle).
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.inner {
            Inner::Sqlite(conn) => Some(conn),
            Inner::Postgres(_) => None,
        }
    }

    /// The SQLite connection, taken out of the wrapper.
    pub fn into_sqlite(self) -> Option<rusqlite::Connection> {
        match self.inner {
            Inner::Sqlite(conn) => Some(conn),
            Inner::Postgres(_) => None,
        }
    }

    /// Rows in COPY's text format ([`copy_line`]) into `table`'s `columns`, on a server; how
    /// many. SQLite has no COPY: its callers insert row by row.
    pub fn copy_text(&self, table: &str, columns: &str, text: &[u8]) -> Result<u64> {
        match &self.inner {
            Inner::Postgres(client) => client.copy_in(table, columns, text),
            Inner::Sqlite(_) => Err(Error::Aborted(
                "COPY is a server's: SQLite inserts row by row".into(),
            )),
        }
    }

    /// Runs statements with no values and no rows (`;`-separated).
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.inner {
            Inner::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Inner::Postgres(client) => client.batch(sql),
        }
    }

    /// Runs one statement; how many rows it changed.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    /// The one row a question answers, through `f`; [`Error::NoRows`] when there is none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// A statement, prepared again each time (for SQL made at run time).
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        self.statement(sql, false)
    }

    /// A statement prepared once per connection.
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        self.statement(sql, true)
    }

    /// The rows `sql` reads for `ids`, in the order of `ids` (an id without a row left out).
    /// `sql` says `IN ({ids})`: the ids go a few hundred a statement, where a statement per id
    /// costs a server a round trip per id (fifty for one lookup keystroke).
    pub fn rows_for_ids<T>(
        &self,
        sql: &str,
        ids: &[i64],
        id_of: impl Fn(&T) -> i64,
        mut row: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        const AT_ONCE: usize = 500;
        let mut found = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(AT_ONCE) {
            let mut stmt = self.prepare_cached(&sql.replace("{ids}", &marks(chunk.len())))?;
            for r in stmt.query_map(params_from_iter(chunk), &mut row)? {
                let r = r?;
                found.insert(id_of(&r), r);
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    fn statement(&self, sql: &str, cached: bool) -> Result<Statement<'_>> {
        let inner = match &self.inner {
            Inner::Sqlite(conn) if cached => {
                StatementInner::SqliteCached(conn.prepare_cached(sql)?)
            }
            Inner::Sqlite(conn) => StatementInner::Sqlite(conn.prepare(sql)?),
            Inner::Postgres(client) => StatementInner::Postgres {
                client,
                prepared: client.prepare(sql, cached)?,
            },
        };
        Ok(Statement { inner })
    }

    /// A number that moves when another connection changed the database: SQLite's
    /// `data_version`; on the server, the changes others announced since this connection began
    /// to listen (the first call).
    pub fn data_version(&self) -> Result<i64> {
        match &self.inner {
            Inner::Sqlite(conn) => Ok(conn.pragma_query_value(None, "data_version", |r| r.get(0))?),
            Inner::Postgres(client) => {
                Ok(i64::try_from(client.changes_elsewhere()?).unwrap_or(i64::MAX))
            }
        }
    }

    /// The id the last INSERT on this connection gave its row.
    pub fn last_insert_rowid(&self) -> Result<i64> {
        match &self.inner {
            Inner::Sqlite(conn) => Ok(conn.last_insert_rowid()),
            Inner::Postgres(_) => self.query_row("SELECT lastval()", [], |r| r.get(0)),
        }
    }

    /// A write transaction: it holds the engine's write lock from its first statement (SQLite's
    /// `BEGIN IMMEDIATE`; on PostgreSQL the row of the write lock table, locked for update, which
    /// serialises retain's writers the same way, so that what a write read is still so when it
    /// commits). Rolled back when dropped without [`Tx::commit`]. A lock another holds is
    /// [`Error::Busy`]: on the server at once without `wait`, else after its lock timeout
    /// (SQLite's wait is its busy handler's, which its caller sets).
    pub fn begin_write(&mut self, wait: bool) -> Result<Tx<'_>> {
        match &self.inner {
            Inner::Sqlite(conn) => conn.execute_batch("BEGIN IMMEDIATE")?,
            Inner::Postgres(client) => client.begin_write(wait)?,
        }
        Ok(Tx {
            conn: self,
            open: Flag::new(true),
        })
    }

    /// A write transaction for work that reads nothing another write could change before it
    /// commits (appending rows, setting a row to a value of its own): on PostgreSQL it takes
    /// no write lock, and such writes run side by side, each row locked as it is written; on
    /// SQLite, which has one writer, it is [`Conn::begin_write`].
    pub fn begin_concurrent(&mut self) -> Result<Tx<'_>> {
        match &self.inner {
            Inner::Sqlite(_) => return self.begin_write(true),
            Inner::Postgres(client) => client.begin_concurrent()?,
        }
        Ok(Tx {
            conn: self,
            open: Flag::new(true),
        })
    }
}

/// `?1, ?2, …, ?n`: the placeholders of an `IN` list of `n` values.
pub fn marks(n: usize) -> String {
    let marks: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
    marks.join(", ")
}

/// Stops a connection's running statement, from another thread: a write interrupted is rolled
/// back whole.
pub enum Interrupt {
    Sqlite(rusqlite::InterruptHandle),
    Postgres {
        token: postgres::CancelToken,
        tls: Option<postgres_native_tls::MakeTlsConnector>,
    },
}

impl Interrupt {
    pub fn interrupt(&self) {
        match self {
            Interrupt::Sqlite(handle) => handle.interrupt(),
            // A cancel that does not reach the server leaves the statement to finish: nothing
            // is lost, the caller only waits longer.
            Interrupt::Postgres { token, tls } => {
                let _ = match tls {
                    Some(tls) => token.cancel_query(tls.clone()),
                    None => token.cancel_query(postgres::NoTls),
                };
            }
        }
    }
}

/// An open write transaction; everything of [`Conn`] runs inside it.
pub struct Tx<'c> {
    conn: &'c Conn,
    open: Flag<bool>,
}

impl Tx<'_> {
    pub fn commit(self) -> Result<()> {
        self.open.set(false);
        self.conn.execute_batch("COMMIT")
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open.get() {
            // A failed rollback leaves nothing either: the connection's transaction ends with it.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

fn sqlite_execute(statement: &mut rusqlite::Statement<'_>, params: impl Params) -> Result<usize> {
    params.with_args(|args| Ok(statement.execute(sqlite_args(args))?))
}

fn sqlite_query<'s>(
    statement: &'s mut rusqlite::Statement<'_>,
    params: impl Params,
) -> Result<rusqlite::Rows<'s>> {
    params.with_args(|args| Ok(statement.query(sqlite_args(args))?))
}

fn sqlite_names(statement: &rusqlite::Statement<'_>) -> Vec<String> {
    (1..=statement.parameter_count())
        .filter_map(|i| statement.parameter_name(i))
        .map(|name| name.trim_start_matches(':').to_string())
        .collect()
}

/// A prepared statement.
pub struct Statement<'c> {
    inner: StatementInner<'c>,
}

enum StatementInner<'c> {
    Sqlite(rusqlite::Statement<'c>),
    SqliteCached(rusqlite::CachedStatement<'c>),
    Postgres {
        client: &'c pg::Client,
        prepared: pg::Prepared,
    },
}

impl<'c> Statement<'c> {
    /// Runs it; how many rows it changed.
    pub fn execute(&mut self, params: impl Params) -> Result<usize> {
        match &mut self.inner {
            StatementInner::Sqlite(statement) => sqlite_execute(statement, params),
            StatementInner::SqliteCached(statement) => sqlite_execute(statement, params),
            StatementInner::Postgres { client, prepared } => {
                params.with_args(|args| client.execute(&prepared.statement, args))
            }
        }
    }

    /// Its rows, one at a time.
    pub fn query(&mut self, params: impl Params) -> Result<Rows<'_>> {
        let inner = match &mut self.inner {
            StatementInner::Sqlite(statement) => {
                RowsInner::Sqlite(sqlite_query(statement, params)?)
            }
            StatementInner::SqliteCached(statement) => {
                RowsInner::Sqlite(sqlite_query(statement, params)?)
            }
            StatementInner::Postgres { client, prepared } => RowsInner::Postgres {
                rows: params
                    .with_args(|args| client.query(&prepared.statement, args))?
                    .into_iter(),
                current: None,
            },
        };
        Ok(Rows { inner })
    }

    /// Its rows through `f`.
    pub fn query_map<T, F>(&mut self, params: impl Params, f: F) -> Result<MappedRows<'_, F>>
    where
        F: FnMut(&Row<'_>) -> Result<T>,
    {
        Ok(MappedRows {
            rows: self.query(params)?,
            f,
        })
    }

    /// Its first row through `f`; [`Error::NoRows`] when there is none.
    pub fn query_row<T>(
        &mut self,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut rows = self.query(params)?;
        match rows.next()? {
            Some(row) => f(&row),
            None => Err(Error::NoRows),
        }
    }

    /// Whether it has a row.
    pub fn exists(&mut self, params: impl Params) -> Result<bool> {
        Ok(self.query(params)?.next()?.is_some())
    }

    /// The types a server gave the parameters, in the order of [`Statement::parameter_names`]
    /// (`int8`, `text`…); None on SQLite, whose parameters take any type.
    pub fn server_types(&self) -> Option<Vec<String>> {
        match &self.inner {
            StatementInner::Postgres { prepared, .. } => Some(
                prepared
                    .statement
                    .params()
                    .iter()
                    .map(|t| t.name().to_string())
                    .collect(),
            ),
            _ => None,
        }
    }

    /// The names of its `:name` placeholders (without the colon), in the order a list of
    /// values binds them.
    pub fn parameter_names(&self) -> Vec<String> {
        match &self.inner {
            StatementInner::Sqlite(s) => sqlite_names(s),
            StatementInner::SqliteCached(s) => sqlite_names(s),
            StatementInner::Postgres { prepared, .. } => prepared.names.clone(),
        }
    }

    /// The position of a result column.
    pub fn column_index(&self, name: &str) -> Result<usize> {
        match &self.inner {
            StatementInner::Sqlite(s) => Ok(s.column_index(name)?),
            StatementInner::SqliteCached(s) => Ok(s.column_index(name)?),
            StatementInner::Postgres { prepared, .. } => prepared
                .statement
                .columns()
                .iter()
                .position(|c| c.name() == name)
                .ok_or_else(|| Error::Conversion {
                    column: name.to_string(),
                    why: "no such column in the result".into(),
                }),
        }
    }
}

/// A statement's rows.
pub struct Rows<'s> {
    inner: RowsInner<'s>,
}

enum RowsInner<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Postgres {
        rows: std::vec::IntoIter<postgres::Row>,
        current: Option<postgres::Row>,
    },
}

impl Rows<'_> {
    /// The next row, if any.
    #[allow(clippy::should_implement_trait)] // a lending iterator: each row borrows the rows
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match &mut self.inner {
            RowsInner::Sqlite(rows) => Ok(rows.next()?.map(|row| Row {
                inner: RowInner::Sqlite(row),
            })),
            RowsInner::Postgres { rows, current } => {
                *current = rows.next();
                Ok(current.as_ref().map(|row| Row {
                    inner: RowInner::Postgres(row),
                }))
            }
        }
    }
}

/// Rows through a function, as an iterator.
pub struct MappedRows<'s, F> {
    rows: Rows<'s>,
    f: F,
}

impl<T, F> Iterator for MappedRows<'_, F>
where
    F: FnMut(&Row<'_>) -> Result<T>,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        match self.rows.next() {
            Ok(Some(row)) => Some((self.f)(&row)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// One row of a result.
pub struct Row<'r> {
    inner: RowInner<'r>,
}

enum RowInner<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

/// A result column, by position or by name.
pub trait ColumnIndex {
    fn position(&self, row: &Row<'_>) -> Result<usize>;
}

impl ColumnIndex for usize {
    fn position(&self, _: &Row<'_>) -> Result<usize> {
        Ok(*self)
    }
}

impl ColumnIndex for &str {
    fn position(&self, row: &Row<'_>) -> Result<usize> {
        let found = match &row.inner {
            RowInner::Sqlite(r) => r.as_ref().column_index(self).ok(),
            RowInner::Postgres(r) => r.columns().iter().position(|c| c.name() == *self),
        };
        found.ok_or_else(|| Error::Conversion {
            column: (*self).to_string(),
            why: "no such column in the result".into(),
        })
    }
}

impl Row<'_> {
    /// The value of a column as `T`; a value of another kind is an error naming the column.
    pub fn get<I: ColumnIndex, T: FromCell>(&self, column: I) -> Result<T> {
        let at = column.position(self)?;
        let name = || self.column_name(at);
        let converted = match &self.inner {
            RowInner::Sqlite(row) => {
                let cell = row.get_ref(at)?;
                value::from_sqlite(cell).and_then(T::from_cell)
            }
            RowInner::Postgres(row) => pg::cell(row, at).and_then(T::from_cell),
        };
        converted.map_err(|why| Error::Conversion {
            column: name(),
            why,
        })
    }

    pub fn column_name(&self, at: usize) -> String {
        match &self.inner {
            RowInner::Sqlite(row) => row
                .as_ref()
                .column_name(at)
                .map_or_else(|_| at.to_string(), str::to_string),
            RowInner::Postgres(row) => row
                .columns()
                .get(at)
                .map_or_else(|| at.to_string(), |c| c.name().to_string()),
        }
    }

    /// How many columns the row has.
    pub fn column_count(&self) -> usize {
        match &self.inner {
            RowInner::Sqlite(row) => row.as_ref().column_count(),
            RowInner::Postgres(row) => row.len(),
        }
    }
}
