//! What a rep's queue reads beyond the other panes' sources: promised follow-ups, and the rows
//! the rep put off.

use super::sql;
use std::collections::HashSet;

use super::sql::params;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use super::audit::{self, Change};
use super::codec::{day, instant, read};
use super::{Store, StoreError};
use crate::domain::access::Write;
use crate::domain::my_queue::{Entry, Reason, Touched};

impl Store {
    /// Follow-ups `login` promised for `today` or earlier, on accounts where nothing was logged
    /// since the promise: logging anything on the account keeps the promise.
    pub fn follow_ups_due(&self, login: &str, today: NaiveDate) -> Result<Vec<Entry>, StoreError> {
        let run = || -> sql::Result<Vec<Entry>> {
            // From the few promises (a partial index), not from all of the rep's interactions:
            // half the time on a large file. (The server's planner picks its index itself.)
            let promises = self.conn.pick(
                "interactions i INDEXED BY interactions_follow_up",
                "interactions i",
            );
            self.conn
                .prepare_cached(&format!(
                    "SELECT a.id, a.name, a.mrr_cents, a.currency, i.follow_up_on, i.summary
                     FROM {promises}
                     JOIN accounts a ON a.id = i.account_id
                     WHERE i.rep_id = (SELECT id FROM reps WHERE login = ?1)
                       AND i.follow_up_on IS NOT NULL AND i.follow_up_on <= ?2
                       AND a.status = 'active'
                       AND NOT EXISTS (SELECT 1 FROM interactions j
                                       WHERE j.account_id = i.account_id
                                         AND j.occurred_at > i.occurred_at)"
                ))?
                .query_map(params![login, day(today)], |r| {
                    Ok(Entry {
                        account_id: r.get("id")?,
                        name: r.get("name")?,
                        mrr_cents: r.get("mrr_cents")?,
                        currency: r.get("currency")?,
                        reason: Reason::FollowUp {
                            due: read::day(r, "follow_up_on")?,
                            summary: r.get("summary")?,
                        },
                    })
                })?
                .collect()
        };
        run().map_err(|e| self.fail(e))
    }

    /// Active accounts the rep logged something on from `from` until `until` (the rep's day)
    /// that belong in their queue on `today`: their own, and a colleague's they had promised to
    /// come back to by today. From the rep's own interactions of the day, by their index.
    pub fn touched_between(
        &self,
        login: &str,
        (from, until): (DateTime<Utc>, DateTime<Utc>),
        today: NaiveDate,
    ) -> Result<Vec<Touched>, StoreError> {
        let run = || -> sql::Result<Vec<Touched>> {
            let theirs = self.conn.pick(
                "interactions i INDEXED BY interactions_rep_time",
                "interactions i",
            );
            self.conn
                .prepare_cached(&format!(
                    "SELECT DISTINCT a.id, a.name, a.mrr_cents, a.currency
                     FROM {theirs}
                     JOIN accounts a ON a.id = i.account_id
                     WHERE i.rep_id = (SELECT id FROM reps WHERE login = ?1)
                       AND i.occurred_at >= ?2 AND i.occurred_at < ?3
                       AND a.status = 'active'
                       AND (a.owner_rep_id = i.rep_id
                            OR EXISTS (SELECT 1 FROM interactions p
                                       WHERE p.account_id = a.id AND p.rep_id = i.rep_id
                                         AND p.follow_up_on <= ?4))"
                ))?
                .query_map(
                    params![login, instant(&from), instant(&until), day(today)],
                    |r| {
                        Ok(Touched {
                            account_id: r.get("id")?,
                            name: r.get("name")?,
                            mrr_cents: r.get("mrr_cents")?,
                            currency: r.get("currency")?,
                        })
                    },
                )?
                .collect()
        };
        run().map_err(|e| self.fail(e))
    }

    /// The accounts `login` put off past `today`.
    pub fn queue_snoozed(&self, login: &str, today: NaiveDate) -> Result<HashSet<i64>, StoreError> {
        let run = || -> sql::Result<HashSet<i64>> {
            self.conn
                .prepare_cached(
                    "SELECT account_id FROM queue_snoozes WHERE rep_login = ?1 AND until > ?2",
                )?
                .query_map(params![login, day(today)], |r| r.get(0))?
                .collect()
        };
        run().map_err(|e| self.fail(e))
    }

    /// Takes an account out of `login`'s queue until a day.
    pub fn snooze_queue_row(
        &mut self,
        login: &str,
        account_id: i64,
        until: NaiveDate,
        reason: &str,
        os_user: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.reason_ok(reason)?;
        self.write(Write::Snooze, |tx| {
            tx.execute(
                "INSERT INTO queue_snoozes (rep_login, account_id, until, reason, at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (rep_login, account_id) DO UPDATE SET
                     until = excluded.until, reason = excluded.reason, at = excluded.at",
                params![login, account_id, day(until), reason, instant(&now)],
            )?;
            audit::record(
                tx,
                &Change {
                    at: now,
                    os_user,
                    action: "snooze queue row",
                    entity: "accounts",
                    entity_id: Some(account_id),
                    before: None,
                    after: Some(json!({ "rep": login, "until": day(until), "reason": reason })),
                },
            )
        })
    }
}
