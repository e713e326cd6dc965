//! What `retain payments run` keeps in the database: the lock that lets one run at a time hand
//! payments to the billing hook, and the payments a hook left in doubt.

use super::sql;
use super::sql::{Engine, OptionalExtension, params};
use chrono::{DateTime, Utc};

use super::codec::{instant, read};
use super::{Store, StoreError};
use crate::domain::access::Write;

/// Who holds a run lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunHolder {
    /// The job in words: "the import of accounts.csv".
    pub what: String,
    pub os_user: String,
    pub host: String,
    pub pid: i64,
    pub started_at: DateTime<Utc>,
    pub beat_at: DateTime<Utc>,
    /// Seconds without a beat after which a holder on another host is taken for dead.
    pub stale_after_s: i64,
}

impl RunHolder {
    /// This process, starting `what` now; taken for dead on another host after `stale_after_s`
    /// seconds without a beat. Its times are the wall clock's, whatever day `--today` fixes:
    /// they are compared with when processes started.
    pub fn me(what: &str, os_user: &str, stale_after_s: i64) -> RunHolder {
        let now = Utc::now();
        RunHolder {
            what: what.to_string(),
            os_user: os_user.to_string(),
            host: host_name(),
            pid: i64::from(std::process::id()),
            started_at: now,
            beat_at: now,
            stale_after_s,
        }
    }

    /// True while the holder may still be at work: its process is alive on this host, or on
    /// another host it beat lately.
    pub fn still_running(&self, now: DateTime<Utc>) -> bool {
        if self.host != host_name() {
            return (now - self.beat_at).num_seconds() < self.stale_after_s;
        }
        // A process by that id that started after the holder did is another one (ids are
        // reused): the holder is gone.
        process_started(self.pid)
            .is_some_and(|at| at <= self.started_at + chrono::Duration::seconds(2))
    }
}

/// When the process `pid` of this host started, if it is running: from /proc, its start in
/// clock ticks after the boot (`/proc/PID/stat`, field 22) and the boot's time (`/proc/stat`).
fn process_started(pid: i64) -> Option<DateTime<Utc>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After "pid (command)", the state is field 3: the start is 19 fields on.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?;
    if state == "Z" {
        return None;
    }
    let ticks: i64 = fields.nth(18)?.parse().ok()?;
    let boot: i64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())?;
    // SAFETY: sysconf has no preconditions.
    let per_second = i64::from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as i32).max(1);
    DateTime::from_timestamp(boot + ticks / per_second, 0)
}

fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most `len` bytes into the buffer we own.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    if rc == 0 && end > 0 {
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        "localhost".into()
    }
}

const HOLDER_COLUMNS: &str = "what, os_user, host, pid, started_at, beat_at, stale_after_s";

/// A holder read from a row of `HOLDER_COLUMNS`, by name.
fn holder(r: &sql::Row<'_>) -> sql::Result<RunHolder> {
    Ok(RunHolder {
        what: r.get("what")?,
        os_user: r.get("os_user")?,
        host: r.get("host")?,
        pid: r.get("pid")?,
        started_at: read::instant(r, "started_at")?,
        beat_at: read::instant(r, "beat_at")?,
        stale_after_s: r.get("stale_after_s")?,
    })
}

impl Store {
    /// Takes the run lock `name` for `me`, unless a holder still running has it: then that
    /// holder is returned and nothing changes.
    ///
    /// In a file the lock is its row, and a holder is taken for running while its process is
    /// alive (on this host) or its beat is fresh (on another). On a server the lock is also an
    /// advisory lock of this connection's session, which the server lets go the moment the
    /// session ends: a box that died or lost its connection stops no one, and the row only says
    /// who holds the lock.
    pub fn take_run_lock(
        &mut self,
        name: &str,
        me: &RunHolder,
    ) -> Result<Option<RunHolder>, StoreError> {
        if self.engine() == Engine::Postgres {
            return self.take_session_lock(name, me);
        }
        self.write(Write::Payment, |tx| {
            let held = tx
                .query_row(
                    &format!("SELECT {HOLDER_COLUMNS} FROM run_locks WHERE name = ?1"),
                    [name],
                    holder,
                )
                .optional()?;
            if let Some(holder) = held.filter(|h| h.still_running(me.started_at)) {
                return Ok(Some(holder));
            }
            put_holder(tx, name, me)?;
            Ok(None)
        })
    }

    /// Says, in a short transaction of its own, that `me` is about to hold the write lock for a
    /// long time: a rep whose write waits meanwhile is told what for, and waits it out.
    pub(super) fn announce_long_write(
        &mut self,
        me: &RunHolder,
        write: Write,
    ) -> Result<String, StoreError> {
        let name = format!("long write {}@{}", me.pid, me.host);
        self.write(write, |tx| {
            // Announcements of long writes whose process is gone (killed mid-import) go now.
            let stale: Vec<String> = tx
                .prepare(&format!(
                    "SELECT name, {HOLDER_COLUMNS} FROM run_locks WHERE name LIKE 'long write %'"
                ))?
                .query_map([], |r| Ok((r.get::<_, String>("name")?, holder(r)?)))?
                .filter_map(Result::ok)
                .filter(|(_, h)| !h.still_running(me.started_at))
                .map(|(n, _)| n)
                .collect();
            for gone in stale {
                tx.execute("DELETE FROM run_locks WHERE name = ?1", [gone])?;
            }
            put_holder(tx, &name, me)
        })?;
        Ok(name)
    }

    /// The long write announced by another process still running, if any.
    pub(super) fn long_writer(&self) -> Option<RunHolder> {
        let now = Utc::now();
        let (host, pid) = (host_name(), i64::from(std::process::id()));
        self.conn
            .prepare(&format!(
                "SELECT {HOLDER_COLUMNS} FROM run_locks WHERE name LIKE 'long write %'"
            ))
            .ok()?
            .query_map([], holder)
            .ok()?
            .filter_map(Result::ok)
            .find(|h| !(h.host == host && h.pid == pid) && h.still_running(now))
    }

    /// Says the holder is still at work; false when the lock is no longer its own. On a server,
    /// a session that ended (the connection was lost) took its advisory lock with it: the lock
    /// is taken again if no one took it meanwhile and its row still names `me`.
    pub fn beat_run_lock(&mut self, name: &str, me: &RunHolder) -> Result<bool, StoreError> {
        let key = session_key(name);
        self.write(Write::Payment, |tx| {
            let session_ok = tx.engine() == Engine::Sqlite || holds_or_takes(tx, key)?;
            let row_ok = session_ok
                && tx.execute(
                    "UPDATE run_locks SET beat_at = ?4 WHERE name = ?1 AND host = ?2 AND pid = ?3",
                    params![name, me.host, me.pid, instant(&Utc::now())],
                )? == 1;
            if session_ok && !row_ok {
                let_go(tx, key)?;
            }
            Ok(row_ok)
        })
    }

    /// Lets go of a run lock or a long write's announcement, if it is still `me`'s.
    pub fn release_run_lock(&mut self, name: &str, me: &RunHolder) -> Result<(), StoreError> {
        self.write(Write::Payment, |tx| {
            tx.execute(
                "DELETE FROM run_locks WHERE name = ?1 AND host = ?2 AND pid = ?3",
                params![name, me.host, me.pid],
            )?;
            if tx.engine() == Engine::Postgres {
                let_go(tx, session_key(name))?;
            }
            Ok(())
        })
    }

    /// [`Store::take_run_lock`] on a server.
    fn take_session_lock(
        &mut self,
        name: &str,
        me: &RunHolder,
    ) -> Result<Option<RunHolder>, StoreError> {
        let key = session_key(name);
        // The holder may let go between the try and the look at who holds it: try again then.
        for _ in 0..3 {
            let taking = self.write(Write::Payment, |tx| {
                if !holds_or_takes(tx, key)? {
                    return session_holder(tx, name, key);
                }
                put_holder(tx, name, me)?;
                Ok(None)
            });
            match taking {
                Ok(None) => return Ok(None),
                Ok(Some(Holder::LetGo)) => continue,
                Ok(Some(Holder::Is(holder))) => return Ok(Some(holder)),
                Err(e) => {
                    // Not kept by a run that could not say so (a role that may not write).
                    let _ = let_go(&self.conn, key);
                    return Err(e);
                }
            }
        }
        Err(StoreError::Locked {
            path: self.path.clone(),
        })
    }

    /// Marks a failing payment as handed to a hook, before the hook starts: if the hook never
    /// answers, the mark stays and keeps every later run off the payment. False when the
    /// payment is no longer failing, is already in doubt, or has had an attempt since it was
    /// read with `attempts` of them (someone retried it meanwhile).
    pub fn hand_to_hook(
        &mut self,
        payment_id: i64,
        attempts: u32,
        now: DateTime<Utc>,
        why: &str,
    ) -> Result<bool, StoreError> {
        self.write(Write::Payment, |tx| {
            Ok(tx.execute(
                "UPDATE failed_payments SET hook_unsettled_at = ?2, hook_unsettled_why = ?3
                 WHERE id = ?1 AND status = 'failing' AND hook_unsettled_at IS NULL
                       AND (SELECT CASE WHEN count(*) > 1 THEN count(*) ELSE 1 END
                            FROM payment_attempts WHERE payment_id = ?1) = ?4",
                params![payment_id, instant(&now), why, attempts],
            )? == 1)
        })
    }

    /// Says why a payment's hook left it in doubt, once that is known.
    pub fn explain_unsettled(&mut self, payment_id: i64, why: &str) -> Result<(), StoreError> {
        self.write(Write::Payment, |tx| {
            tx.execute(
                "UPDATE failed_payments SET hook_unsettled_why = ?2
                 WHERE id = ?1 AND hook_unsettled_at IS NOT NULL",
                params![payment_id, why],
            )
        })
        .map(|_| ())
    }

    /// Takes the mark off a payment whose hook said by its exit status that it failed (or could
    /// not be started): nothing was charged, so the payment goes back to its queue.
    pub fn take_back_from_hook(&mut self, payment_id: i64) -> Result<(), StoreError> {
        self.write(Write::Payment, |tx| {
            super::dunning::settle_hook(tx, payment_id)
        })
    }
}

/// The advisory lock that stands for the run lock `name` on a server: 'RTN2' and a hash of the
/// name (FNV-1a), in the one 64-bit number `pg_locks` shows as its classid and objid.
fn session_key(name: &str) -> i64 {
    let hash = name.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    (0x5254_4E32_i64 << 32) | i64::from(hash)
}

/// True when this session holds the advisory lock `key`, or took it now. Held already, it is
/// not taken again: the server counts a session's takings, and one letting go would not do.
fn holds_or_takes(tx: &sql::Tx<'_>, key: i64) -> sql::Result<bool> {
    tx.query_row(
        &format!(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE {ADVISORY} AND pid = pg_backend_pid())
                    OR pg_try_advisory_lock(?1)"
        ),
        params![key],
        |r| r.get(0),
    )
}

/// Lets go of every taking of the advisory lock `key` by this session.
fn let_go(conn: &sql::Conn, key: i64) -> sql::Result<()> {
    while conn.query_row("SELECT pg_advisory_unlock(?1)", params![key], |r| {
        r.get::<_, bool>(0)
    })? {}
    Ok(())
}

/// `pg_locks` rows of the granted advisory lock `?1`, in this database.
const ADVISORY: &str = "locktype = 'advisory' AND granted AND objsubid = 1
    AND ((classid::bigint << 32) | objid::bigint) = ?1
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

/// Who holds a run lock that could not be taken on a server.
enum Holder {
    Is(RunHolder),
    /// No one, any more: it was let go since.
    LetGo,
}

/// Who holds the advisory lock `key` on the server: the run its row names, when the row's role
/// is the session's; else the session itself (any role may take an advisory lock: an admin of
/// the server ends a stranger's session).
fn session_holder(tx: &sql::Tx<'_>, name: &str, key: i64) -> sql::Result<Option<Holder>> {
    // Another role's session shows its address and start only to a role that may read all
    // statistics: without them, the server is named, and the time of asking.
    let session = tx
        .query_row(
            &format!(
                "SELECT a.usename, a.pid, host(a.client_addr), CAST(a.backend_start AS TEXT)
                 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                 WHERE {ADVISORY}"
            ),
            params![key],
            |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            },
        )
        .optional()?;
    let Some((role, pid, address, since)) = session else {
        return Ok(Some(Holder::LetGo));
    };
    let row = tx
        .query_row(
            &format!("SELECT {HOLDER_COLUMNS} FROM run_locks WHERE name = ?1"),
            [name],
            holder,
        )
        .optional()?;
    if let Some(row) = row.filter(|h| h.os_user == role) {
        return Ok(Some(Holder::Is(row)));
    }
    let now = Utc::now();
    let since = since
        .and_then(|s| DateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S%.f%#z").ok())
        .map_or(now, |t| t.with_timezone(&Utc));
    Ok(Some(Holder::Is(RunHolder {
        what: "a server session that is not a payments run".into(),
        os_user: role,
        host: address.unwrap_or_else(|| "the server".into()),
        pid,
        started_at: since,
        beat_at: now,
        stale_after_s: 0,
    })))
}

fn put_holder(tx: &sql::Tx<'_>, name: &str, me: &RunHolder) -> sql::Result<()> {
    tx.execute(
        "INSERT INTO run_locks (name, what, os_user, host, pid, started_at, beat_at, stale_after_s)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)
         ON CONFLICT (name) DO UPDATE SET what = excluded.what, os_user = excluded.os_user,
             host = excluded.host, pid = excluded.pid, started_at = excluded.started_at,
             beat_at = excluded.beat_at, stale_after_s = excluded.stale_after_s",
        params![
            name,
            me.what,
            me.os_user,
            me.host,
            me.pid,
            instant(&me.started_at),
            me.stale_after_s
        ],
    )?;
    Ok(())
}
