//! The store: the only code that speaks SQL. Everything else calls its typed functions.

mod access;
mod accounts;
mod audit;
mod billing;
mod card;
pub mod catalog;
mod checkins;
mod claims;
mod codec;
pub mod copy;
mod dunning;
mod error;
mod export;
mod fact_counts;
mod import;
mod import_set;
mod interactions;
mod load;
mod metrics;
pub mod migrations;
mod my_queue;
mod notes;
mod open;
mod payments;
pub mod postgres;
mod reps;
mod risk;
mod runs;
pub mod sql;
mod summary;
mod target;
mod wait;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sql::{Conn, Tx};

use crate::domain::access::Write;
use access::Refused;
use access::Who;
pub use accounts::AccountRow;
pub use billing::BillingCounts;
pub use card::{AccountCard, ContactRow, EventKind, OpenPayment, TimelineEntry};
pub use checkins::{CheckinFilter, CheckinRow, ScheduleCounts};
pub use claims::{CLAIM_FOR, Claim};
pub use codec::{day, instant, parse_day, parse_instant};
pub use dunning::{Actor, AttemptResult, NewAttempt, PaymentState};
pub use error::StoreError;
pub use export::ExportRow;
pub use import::{Cell, ImportCounts, ImportKind, ImportRow};
pub use interactions::Draft;
pub use load::LoadCounts;
pub use notes::NotesSave;
pub use open::{APPLICATION_ID, BUSY_TIMEOUT, Create, closing, waiting_for_lock, world_readable};
pub use payments::{ExpiringCard, PaymentRow};
pub use reps::Rep;
pub use risk::{Current, RiskSubject, Scope, Snooze, StoredScore};
pub use runs::RunHolder;
pub use summary::{CodeCount, MoneyByCurrency, Summary};
pub use target::Target;
pub use wait::{long_wait, on_long_wait, wait_for_server_forever};

pub struct Store {
    conn: Conn,
    /// The file's path; for a server, its name as messages give it (no password).
    path: PathBuf,
    /// The server, when the store is on one: to connect again.
    server: Option<Box<postgres::Server>>,
    /// The role the server authenticated this connection as (`session_user`): on a server the
    /// rep is who the server says, never what the client claims.
    server_role: Option<String>,
    read_only: bool,
    /// Who writes through this connection; without it, a file that has reps is only read.
    who: Option<Who>,
    /// The file's device and inode when it was opened: a write into a file since deleted or
    /// replaced would be lost to everyone else.
    file_id: Option<(u64, u64)>,
}

/// The schema version a connection's database is at: SQLite's `user_version`, the server's
/// `retain_schema`.
fn schema_version(conn: &Conn) -> sql::Result<u32> {
    match conn.as_sqlite() {
        Some(sqlite) => Ok(sqlite.pragma_query_value(None, "user_version", |r| r.get(0))?),
        None => conn.query_row(
            &format!("SELECT version FROM {}", postgres::migrate::VERSION_TABLE),
            [],
            |r| r.get(0),
        ),
    }
}

/// The device and inode of the file at `path`, if there is one.
pub fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Tries of a write transaction that found the database busy, before the last one.
const WRITE_RETRIES: u32 = 6;

/// The page cache of a bulk write, and SQLite's default, in KiB.
const BULK_CACHE_KIB: i64 = 64 * 1024;
const DEFAULT_CACHE_KIB: i64 = 2000;

/// The refusal `access::check` put in a write's error, if it was refused.
fn refusal(e: &sql::Error) -> Option<&Refused> {
    match e {
        sql::Error::Aborted(inner) => inner.downcast_ref::<Refused>(),
        _ => None,
    }
}

fn is_busy(e: &sql::Error) -> bool {
    matches!(e, sql::Error::Busy)
        || matches!(
            e.sqlite_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
}

/// Up to a quarter of `pause` more, so that processes that collided do not collide again.
fn jitter(pause: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    pause.mul_f64(f64::from(nanos % 1000) / 4000.0)
}

impl Store {
    /// Opens (and if allowed creates) the database at `path`, upgrading its schema if it is older
    /// than this build's.
    pub fn open(path: &Path, create: Create) -> Result<Store, StoreError> {
        Store::open_for(path, create, open::Purpose::Write)
    }

    /// Opens the database to read it only: nothing is created, upgraded or converted, and no
    /// lock is waited for (a file being written by another process is read as it last was).
    pub fn open_to_read(path: &Path) -> Result<Store, StoreError> {
        Store::open_for(path, Create::Never, open::Purpose::Read)
    }

    fn open_for(path: &Path, create: Create, purpose: open::Purpose) -> Result<Store, StoreError> {
        let opened = open::open(path, create, purpose)?;
        Ok(Store {
            conn: Conn::sqlite(opened.conn),
            path: path.to_path_buf(),
            server: None,
            server_role: None,
            read_only: opened.read_only,
            who: None,
            file_id: file_id(path),
        })
    }

    /// Opens the database a target names, as [`Store::open`] opens a file: a server's schema
    /// is made or upgraded as a file's is.
    pub fn open_target(target: &Target, create: Create) -> Result<Store, StoreError> {
        match target {
            Target::File(path) => Store::open(path, create),
            Target::Server(server) => Store::open_server(server, create, open::Purpose::Write),
        }
    }

    /// Opens the database a target names to read it only, as [`Store::open_to_read`].
    pub fn open_target_to_read(target: &Target) -> Result<Store, StoreError> {
        match target {
            Target::File(path) => Store::open_to_read(path),
            Target::Server(server) => {
                Store::open_server(server, Create::Never, open::Purpose::Read)
            }
        }
    }

    fn open_server(
        server: &postgres::Server,
        create: Create,
        purpose: open::Purpose,
    ) -> Result<Store, StoreError> {
        let conn = server.open(create, purpose == open::Purpose::Write)?;
        // A role the server would refuse every write opens the store read-only, as a file this
        // user may not write: said at once, rather than at each write.
        let (role, may_write): (String, bool) = conn
            .query_row(
                "SELECT session_user::text, has_table_privilege('interactions', 'INSERT')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| StoreError::from_sql(Path::new(server.shown()), e))?;
        Ok(Store {
            conn,
            path: PathBuf::from(server.shown()),
            server: Some(Box::new(server.clone())),
            server_role: Some(role),
            read_only: purpose == open::Purpose::Read || !may_write,
            who: None,
            file_id: None,
        })
    }

    /// Which engine the store is on.
    pub fn engine(&self) -> sql::Engine {
        self.conn.engine()
    }

    /// This connection writes as `login`, on behalf of the OS user `os_user`; every write checks
    /// that they may (see `access`).
    ///
    /// On a server the person behind the writes is the role the server authenticated, whatever
    /// `os_user` says: they write as that role's rep, or as `login` when it names another
    /// (`--as`, which only an admin's role may use).
    pub fn acting_as(mut self, login: &str, os_user: &str) -> Store {
        let (login, os_user) = match &self.server_role {
            Some(role) if login == os_user => (role.clone(), role.clone()),
            Some(role) => (login.to_string(), role.clone()),
            None => (login.to_string(), os_user.to_string()),
        };
        self.who = Some(Who { login, os_user });
        self
    }

    /// The role a server authenticated this store's connection as; None on a file.
    pub fn server_role(&self) -> Option<&str> {
        self.server_role.as_deref()
    }

    /// Stops whatever statement this connection is running, from another thread: a long write
    /// interrupted is rolled back whole.
    pub fn interrupt_handle(&self) -> sql::Interrupt {
        self.conn.interrupt_handle()
    }

    /// False once the file this connection opened has been deleted or replaced at its path.
    pub fn still_there(&self) -> bool {
        self.server.is_some() || (self.file_id.is_some() && file_id(&self.path) == self.file_id)
    }

    /// A second connection to the same file, writing as the same person.
    pub fn reopen(&self) -> Result<Store, StoreError> {
        let store = match &self.server {
            Some(server) => Store::open_server(server, Create::Never, open::Purpose::Write)?,
            None => Store::open(&self.path, Create::Never)?,
        };
        Ok(Store {
            who: self.who.clone(),
            file_id: self.file_id,
            ..store
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when this user cannot write the file.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// A number that changes whenever another connection commits to the file (this one's own
    /// commits leave it alone): polled to show other reps' changes live.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        self.conn.data_version().map_err(|e| self.fail(e))
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        schema_version(&self.conn).map_err(|e| self.fail(e))
    }

    /// The SQLite connection of a store opened on a path (`Store::open`, `open_to_read`), for
    /// the code that reads a file as SQLite only can: its catalog, a copy's rows.
    fn into_file_connection(self) -> rusqlite::Connection {
        self.conn
            .into_sqlite()
            .expect("a store opened on a path is a SQLite file")
    }

    /// Runs `work` in one write transaction. It starts with BEGIN IMMEDIATE: taking the write
    /// lock up front means a busy database is waited for (the busy timeout), where a deferred
    /// transaction that reads first and writes later fails at once with "database is locked".
    /// SQLite still answers "busy" without waiting in a few cases (another process recovering
    /// the WAL after a crash, a checkpoint holding a lock): the whole transaction is then tried
    /// again, a few times, further apart each time. Nothing of a failed try is kept.
    fn write<T>(
        &mut self,
        write: Write,
        work: impl FnMut(&Tx<'_>) -> sql::Result<T>,
    ) -> Result<T, StoreError> {
        self.write_holding(write, Hold::WriteLock, work)
    }

    /// [`Store::write`], holding what `hold` says while it runs.
    fn write_holding<T>(
        &mut self,
        write: Write,
        hold: Hold,
        mut work: impl FnMut(&Tx<'_>) -> sql::Result<T>,
    ) -> Result<T, StoreError> {
        if self.read_only {
            let detail = match &self.server_role {
                Some(role) => format!(
                    "the role {role} may read it but not write it (an admin makes a rep of it with `retain reps add {role} --name NAME`)"
                ),
                None => "it is open here only to read (this user may not write it, or the command only reads)".into(),
            };
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
                detail,
            });
        }
        if !self.still_there() {
            return Err(StoreError::Gone {
                path: self.path.clone(),
            });
        }
        let mut pause = Duration::from_millis(20);
        let mut retries = 0;
        let started = std::time::Instant::now();
        wait::writing(true);
        loop {
            // An import holds the lock for as long as it takes: say so at once, and wait it out
            // rather than fail after the busy timeout (unless this process is closing).
            // (On a server, a write that holds only its rows waits for no long write.)
            let waits = hold == Hold::WriteLock || self.engine() == sql::Engine::Sqlite;
            let long = if waits { self.long_writer() } else { None };
            if let Some(long) = &long {
                wait::for_long_write(long);
            }
            match self.try_write(write, hold, &mut work) {
                Err(e) if is_busy(&e) => {
                    if (long.is_some() || self.long_writer().is_some()) && !open::is_closing() {
                        continue;
                    }
                    // The busy handler waited its timeout already; the quick retries are for
                    // the few cases where SQLite answers "busy" without waiting.
                    if retries == WRITE_RETRIES
                        || started.elapsed() >= BUSY_TIMEOUT
                        || open::is_closing()
                    {
                        wait::done();
                        return Err(self.fail(e));
                    }
                    retries += 1;
                    std::thread::sleep(pause + jitter(pause));
                    pause = (pause * 2).min(Duration::from_millis(1000));
                }
                // The server went away (a restart, a failover): the write waits for it to come
                // back, for as long as this process waits (the console: until it closes, and
                // what it holds is kept), and goes through whole once it is.
                Err(e)
                    if e.is_disconnected() && !open::is_closing() && wait::for_server(started) =>
                {
                    std::thread::sleep(Duration::from_millis(500));
                }
                done => {
                    wait::done();
                    return done.map_err(|e| self.fail(e));
                }
            }
        }
    }

    /// One write transaction that cannot be run twice (it consumes its input: a bulk load).
    fn write_once<T>(
        &mut self,
        write: Write,
        what: &str,
        work: impl FnOnce(&Tx<'_>) -> sql::Result<T>,
    ) -> Result<T, StoreError> {
        self.announced(what, write, |store| store.write_once_announced(write, work))
    }

    /// Runs `long` (one long write) announced first, in a transaction of its own, so that other
    /// processes' writes meanwhile wait for it knowingly instead of failing after the busy
    /// timeout; the announcement goes when it is done.
    fn announced<T>(
        &mut self,
        what: &str,
        write: Write,
        long: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let os_user = self
            .who
            .as_ref()
            .map_or("", |w| w.os_user.as_str())
            .to_string();
        let me = RunHolder::me(what, &os_user, 24 * 3600);
        let name = self.announce_long_write(&me, write)?;
        let done = long(self);
        let released = self.release_run_lock(&name, &me);
        let done = done?;
        released?;
        Ok(done)
    }

    fn write_once_announced<T>(
        &mut self,
        write: Write,
        work: impl FnOnce(&Tx<'_>) -> sql::Result<T>,
    ) -> Result<T, StoreError> {
        let mut work = Some(work);
        // Bulk rows land all over the tables' indexes (and the fact-change counts their
        // triggers keep): with SQLite's 2 MB page cache, pages were written out and read back
        // again and again (a million interactions imported: 45 s, 34 s with 64 MB). Memory
        // stays bounded by the cache, whatever the input's size.
        // Each row's INSERT, its triggers firing, keeps a statement journal of the pages it
        // changes, by default in a temporary file (#21's profile of a demo load put 30 % of its
        // time in those writes). A row's pages are few, so in memory they cost little: measured
        // once each, the demo of 100,000 accounts 23.4 s → 20.7 s, a million interactions
        // imported 26.4 s → 24.2 s, peak memory unchanged (138 MB, 175 MB). (A server tunes
        // its own memory.)
        if let Some(sqlite) = self.conn.as_sqlite() {
            let sqlite_error = |e| StoreError::from_sqlite(&self.path, e);
            sqlite
                .pragma_update(None, "cache_size", -BULK_CACHE_KIB)
                .map_err(sqlite_error)?;
            sqlite
                .pragma_update(None, "temp_store", "MEMORY")
                .map_err(sqlite_error)?;
        }
        // A busy start is retried with the input intact, since `work` has not run; once it has
        // run, its input is spent and a retry can only report that.
        let done = self.write(write, |tx| match work.take() {
            Some(work) => work(tx),
            None => Err(sql::Error::Aborted(
                "the database was busy during a bulk write, which cannot be resumed: run it again"
                    .into(),
            )),
        });
        if let Some(sqlite) = self.conn.as_sqlite() {
            let _ = sqlite.pragma_update(None, "cache_size", -DEFAULT_CACHE_KIB);
            let _ = sqlite.pragma_update(None, "temp_store", "DEFAULT");
        }
        done
    }

    /// One write transaction if no other writer holds the file now and this connection's user
    /// may write, `None` otherwise: for writes that only spare later work, which must not wait
    /// behind an import (nor fail a read for someone who may not write).
    fn write_if_free<T>(
        &mut self,
        mut work: impl FnMut(&Tx<'_>) -> sql::Result<T>,
    ) -> Result<Option<T>, StoreError> {
        if self.read_only || !self.still_there() {
            return Ok(None);
        }
        // SQLite answers "busy" at once without its busy handler; the server's lock is tried.
        let path = self.path.clone();
        let sqlite_error = |e| StoreError::from_sqlite(&path, e);
        if let Some(sqlite) = self.conn.as_sqlite() {
            sqlite.busy_handler(None).map_err(sqlite_error)?;
        }
        let done = self.try_write_now(Write::Own, Hold::WriteLock, &mut work, false);
        if let Some(sqlite) = self.conn.as_sqlite() {
            sqlite
                .busy_handler(Some(open::wait_while_busy))
                .map_err(sqlite_error)?;
        }
        match done {
            Err(e) if is_busy(&e) || refusal(&e).is_some() || e.server_refused() => Ok(None),
            done => done.map(Some).map_err(|e| self.fail(e)),
        }
    }

    fn try_write<T>(
        &mut self,
        write: Write,
        hold: Hold,
        work: &mut impl FnMut(&Tx<'_>) -> sql::Result<T>,
    ) -> sql::Result<T> {
        self.try_write_now(write, hold, work, true)
    }

    fn try_write_now<T>(
        &mut self,
        write: Write,
        hold: Hold,
        work: &mut impl FnMut(&Tx<'_>) -> sql::Result<T>,
        wait: bool,
    ) -> sql::Result<T> {
        let tx = match hold {
            Hold::WriteLock => self.conn.begin_write(wait)?,
            Hold::Rows => self.conn.begin_concurrent()?,
        };
        if let Err(refused) = access::check(&tx, self.who.as_ref(), write.need())? {
            // Carried out as an error, so that the transaction rolls back; `refusal` takes it out.
            return Err(sql::Error::Aborted(Box::new(refused)));
        }
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Refuses text that holds control characters: whatever door it came through, what is
    /// stored must export and import back, and never drive a terminal.
    fn text_ok(&self, field: &str, value: &str) -> Result<(), StoreError> {
        crate::domain::text::plain_text(value)
            .map(|_| ())
            .map_err(|why| self.invalid(field, format!("expected {why}")))
    }

    /// Why a rep did something: said in words, or refused.
    fn reason_ok(&self, reason: &str) -> Result<(), StoreError> {
        if reason.trim().is_empty() {
            return Err(self.invalid("reason", "is empty: say why".into()));
        }
        self.text_ok("reason", reason)
    }

    /// A decline or advice code as processors write them, lower-cased.
    fn code_ok(&self, field: &str, value: &str) -> Result<String, StoreError> {
        crate::domain::text::code_word(value)
            .map_err(|why| self.invalid(field, format!("{value:?} is not {why}")))
    }

    fn invalid(&self, field: &str, why: String) -> StoreError {
        StoreError::Invalid {
            path: self.path.clone(),
            field: field.to_string(),
            why,
        }
    }

    fn fail(&self, e: sql::Error) -> StoreError {
        StoreError::from_sql(&self.path, e)
    }
}

/// What a write holds while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hold {
    /// The write lock, so that what the write read is still so when it commits: most writes
    /// read, decide, then change.
    WriteLock,
    /// Only the rows it writes, as it writes them (on a server; SQLite has one writer): for a
    /// write that appends rows, and changes others each by one statement that the server runs
    /// on the row as it is when it gets to it. Fifty reps logging calls at once on a server
    /// then wait for no one.
    Rows,
}
