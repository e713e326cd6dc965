//! What `retain payments run` keeps in the file: the lock that lets one run at a time hand
//! payments to the billing hook, and the payments a hook left in doubt.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::codec::{instant, read};
use super::{Need, Store, StoreError};

/// Who holds a run lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunHolder {
    pub os_user: String,
    pub host: String,
    pub pid: i64,
    pub started_at: DateTime<Utc>,
    pub beat_at: DateTime<Utc>,
    /// Seconds without a beat after which a holder on another host is taken for dead.
    pub stale_after_s: i64,
}

impl Store {
    /// Takes the run lock `name` for `me`, unless a holder that `alive` says is still running has
    /// it: then that holder is returned and nothing changes.
    pub fn take_run_lock(
        &mut self,
        name: &str,
        me: &RunHolder,
        alive: impl Fn(&RunHolder) -> bool,
    ) -> Result<Option<RunHolder>, StoreError> {
        self.write(Need::Rep, |tx| {
            let held = tx
                .query_row(
                    "SELECT os_user, host, pid, started_at, beat_at, stale_after_s
                     FROM run_locks WHERE name = ?1",
                    [name],
                    |r| {
                        Ok(RunHolder {
                            os_user: r.get(0)?,
                            host: r.get(1)?,
                            pid: r.get(2)?,
                            started_at: read::instant(r, 3)?,
                            beat_at: read::instant(r, 4)?,
                            stale_after_s: r.get(5)?,
                        })
                    },
                )
                .optional()?;
            if let Some(holder) = held.filter(|h| alive(h)) {
                return Ok(Some(holder));
            }
            tx.execute(
                "INSERT INTO run_locks (name, os_user, host, pid, started_at, beat_at, stale_after_s)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)
                 ON CONFLICT (name) DO UPDATE SET os_user = excluded.os_user,
                     host = excluded.host, pid = excluded.pid, started_at = excluded.started_at,
                     beat_at = excluded.beat_at, stale_after_s = excluded.stale_after_s",
                params![
                    name,
                    me.os_user,
                    me.host,
                    me.pid,
                    instant(&me.started_at),
                    me.stale_after_s
                ],
            )?;
            Ok(None)
        })
    }

    /// Says the holder is still at work; false when the lock is no longer its own.
    pub fn beat_run_lock(
        &mut self,
        name: &str,
        me: &RunHolder,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(Need::Rep, |tx| {
            Ok(tx.execute(
                "UPDATE run_locks SET beat_at = ?4 WHERE name = ?1 AND host = ?2 AND pid = ?3",
                params![name, me.host, me.pid, instant(&now)],
            )? == 1)
        })
    }

    pub fn release_run_lock(&mut self, name: &str, me: &RunHolder) -> Result<(), StoreError> {
        self.write(Need::Rep, |tx| {
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
        self.write(Need::Rep, |tx| {
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
        self.write(Need::Rep, |tx| {
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
        self.write(Need::Rep, |tx| super::dunning::settle_hook(tx, payment_id))
    }
}
