//! What `retain payments run` keeps in the file: the lock that lets one run at a time hand
//! payments to the billing hook, and the payments a hook left in doubt.

use super::sql;
use super::sql::{OptionalExtension, params};
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
    pub fn take_run_lock(
        &mut self,
        name: &str,
        me: &RunHolder,
    ) -> Result<Option<RunHolder>, StoreError> {
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

    /// Says the holder is still at work; false when the lock is no longer its own.
    pub fn beat_run_lock(&mut self, name: &str, me: &RunHolder) -> Result<bool, StoreError> {
        self.write(Write::Payment, |tx| {
            Ok(tx.execute(
                "UPDATE run_locks SET beat_at = ?4 WHERE name = ?1 AND host = ?2 AND pid = ?3",
                params![name, me.host, me.pid, instant(&Utc::now())],
            )? == 1)
        })
    }

    /// Lets go of a run lock or a long write's announcement, if it is still `me`'s.
    pub fn release_run_lock(&mut self, name: &str, me: &RunHolder) -> Result<(), StoreError> {
        self.write(Write::Payment, |tx| {
            tx.execute(
                "DELETE FROM run_locks WHERE name = ?1 AND host = ?2 AND pid = ?3",
                params![name, me.host, me.pid],
            )
        })
        .map(|_| ())
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
                       AND max(1, (SELECT count(*) FROM payment_attempts
                                   WHERE payment_id = ?1)) = ?4",
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
