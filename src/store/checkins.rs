//! The check-ins table kept in line with the schedule the domain computes.

use super::sql;
use std::collections::HashMap;

use super::sql::{Conn, params, params_from_iter};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::codec::{day, instant, read};
use super::{Store, StoreError};
use crate::domain::access::Write;
use crate::domain::checkins::{Cadences, Done, Due, Subject, due};
use crate::domain::lifecycle::{Stage, StageBounds};
use crate::domain::risk::next_anniversary;

/// What a schedule run changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScheduleCounts {
    pub accounts: u64,
    pub created: u64,
    pub moved: u64,
    pub removed: u64,
}

/// An open check-in, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckinRow {
    pub checkin_id: i64,
    pub account_id: i64,
    pub name: String,
    pub stage: Stage,
    pub kind: String,
    pub due_date: NaiveDate,
    pub days_overdue: i64,
    pub owner: Option<String>,
    pub mrr_cents: i64,
    pub currency: String,
    pub snoozed_until: Option<NaiveDate>,
}

/// Which open check-ins to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckinFilter {
    /// Due on or before this day (none: any day).
    pub due_by: Option<NaiveDate>,
    /// Due on or after this day.
    pub due_from: Option<NaiveDate>,
    pub stage: Option<Stage>,
    pub owner: Option<String>,
    /// Snoozed ones too.
    pub include_snoozed: bool,
}

struct OpenRow {
    id: i64,
    kind: String,
    due: NaiveDate,
    stage: String,
}

impl Store {
    /// Brings every account's open check-ins in line with the schedule on `today`, in one
    /// transaction. Running it again the same day changes nothing.
    pub fn schedule(
        &mut self,
        today: NaiveDate,
        bounds: &StageBounds,
        cadences: &Cadences,
    ) -> Result<ScheduleCounts, StoreError> {
        // Every account at once: after a big import, minutes of work that others wait for.
        self.announced("the day's check-in schedule", Write::Schedule, |store| {
            store.write(Write::Schedule, |tx| {
                reconcile(tx, today, bounds, cadences, None)
            })
        })
    }

    /// The same for one account, after a change to it.
    pub fn schedule_account(
        &mut self,
        account_id: i64,
        today: NaiveDate,
        bounds: &StageBounds,
        cadences: &Cadences,
    ) -> Result<ScheduleCounts, StoreError> {
        self.write(Write::Schedule, |tx| {
            reconcile(tx, today, bounds, cadences, Some(account_id))
        })
    }

    /// Puts a check-in off until a day, with why; it comes back on that day.
    pub fn snooze_checkin(
        &mut self,
        checkin_id: i64,
        until: NaiveDate,
        reason: &str,
        os_user: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.reason_ok(reason)?;
        self.write(Write::Snooze, |tx| {
            let account_id: i64 = tx.query_row(
                "SELECT account_id FROM checkins WHERE id = ?1 AND done_at IS NULL",
                [checkin_id],
                |r| r.get(0),
            )?;
            tx.execute(
                "UPDATE checkins SET snoozed_until = ?2, snooze_reason = ?3 WHERE id = ?1",
                params![checkin_id, day(until), reason],
            )?;
            super::audit::record(
                tx,
                &super::audit::Change {
                    at: now,
                    os_user,
                    action: "snooze check-in",
                    entity: "checkins",
                    entity_id: Some(checkin_id),
                    before: None,
                    after: Some(serde_json::json!({"until": day(until), "reason": reason})),
                },
            )?;
            Ok(account_id)
        })
    }

    /// Open check-ins, most overdue first, then by MRR.
    pub fn checkins_open(
        &self,
        today: NaiveDate,
        filter: &CheckinFilter,
    ) -> Result<Vec<CheckinRow>, StoreError> {
        let run = || -> sql::Result<Vec<CheckinRow>> {
            let mut sql = String::from(
                "SELECT c.id AS checkin_id, a.id AS account_id, a.name, c.stage, c.kind, c.due_date,
                        r.login AS owner, a.mrr_cents, a.currency, c.snoozed_until
                 FROM checkins c JOIN accounts a ON a.id = c.account_id
                 LEFT JOIN reps r ON r.id = a.owner_rep_id
                 WHERE c.done_at IS NULL AND a.status = 'active'",
            );
            let mut args: Vec<String> = Vec::new();
            let mut bind = |sql: &mut String, clause: &str, value: String| {
                args.push(value);
                sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
            };
            if let Some(d) = filter.due_by {
                bind(&mut sql, " AND c.due_date <= ?", day(d));
            }
            if let Some(d) = filter.due_from {
                bind(&mut sql, " AND c.due_date >= ?", day(d));
            }
            if let Some(s) = filter.stage {
                bind(&mut sql, " AND c.stage = ?", s.as_str().to_string());
            }
            if let Some(o) = &filter.owner {
                bind(&mut sql, " AND r.login = ?", o.clone());
            }
            if !filter.include_snoozed {
                bind(
                    &mut sql,
                    " AND (c.snoozed_until IS NULL OR c.snoozed_until <= ?)",
                    day(today),
                );
            }
            sql.push_str(" ORDER BY c.due_date, a.mrr_cents DESC, c.id");
            let mut stmt = self.conn.prepare(&sql)?;
            let [
                checkin_id,
                account_id,
                name,
                stage,
                kind,
                due_date,
                owner,
                mrr,
                currency,
                snoozed,
            ] = read::columns(
                &stmt,
                [
                    "checkin_id",
                    "account_id",
                    "name",
                    "stage",
                    "kind",
                    "due_date",
                    "owner",
                    "mrr_cents",
                    "currency",
                    "snoozed_until",
                ],
            )?;
            let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
                let due_date = read::day(r, due_date)?;
                let stage: String = r.get(stage)?;
                Ok(CheckinRow {
                    checkin_id: r.get(checkin_id)?,
                    account_id: r.get(account_id)?,
                    name: r.get(name)?,
                    stage: match stage.as_str() {
                        "early" => Stage::Early,
                        "mid" => Stage::Mid,
                        _ => Stage::Late,
                    },
                    kind: r.get(kind)?,
                    days_overdue: (today - due_date).num_days().max(0),
                    due_date,
                    owner: r.get(owner)?,
                    mrr_cents: r.get(mrr)?,
                    currency: r.get(currency)?,
                    snoozed_until: read::opt_day(r, snoozed)?,
                })
            })?;
            rows.collect()
        };
        run().map_err(|e| self.fail(e))
    }
}

/// Marks done what logging a check-in completes, inside the logging's own transaction: every
/// open check-in of the account due by the day it is logged (one conversation covers a
/// renewal-prep-90 and a renewal-prep-60 both due), or, when none is due yet, the earliest.
pub(super) fn complete_due(
    conn: &Conn,
    account_id: i64,
    rep_id: Option<i64>,
    outcome: Option<&str>,
    now: DateTime<Utc>,
) -> sql::Result<usize> {
    let done = conn.execute(
        "UPDATE checkins SET done_at = ?2, rep_id = ?3, outcome = ?4, snoozed_until = NULL,
             snooze_reason = NULL
         WHERE account_id = ?1 AND done_at IS NULL AND due_date <= ?5",
        params![
            account_id,
            instant(&now),
            rep_id,
            outcome,
            day(now.date_naive())
        ],
    )?;
    if done > 0 {
        return Ok(done);
    }
    conn.execute(
        "UPDATE checkins SET done_at = ?2, rep_id = ?3, outcome = ?4, snoozed_until = NULL,
             snooze_reason = NULL
         WHERE id = (SELECT id FROM checkins WHERE account_id = ?1 AND done_at IS NULL
                     ORDER BY due_date, id LIMIT 1)",
        params![account_id, instant(&now), rep_id, outcome],
    )
}

fn reconcile(
    conn: &Conn,
    today: NaiveDate,
    bounds: &StageBounds,
    cadences: &Cadences,
    only: Option<i64>,
) -> sql::Result<ScheduleCounts> {
    let filter = if only.is_some() {
        "AND id = ?1"
    } else {
        "AND CAST(?1 AS BIGINT) IS NULL"
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT id, customer_since, status, billing_interval, renewal_date FROM accounts
         WHERE TRUE {filter} ORDER BY id"
    ))?;
    let [id, customer_since, status, billing_interval, renewal_date] = read::columns(
        &stmt,
        [
            "id",
            "customer_since",
            "status",
            "billing_interval",
            "renewal_date",
        ],
    )?;
    let accounts: Vec<(i64, Subject)> = stmt
        .query_map([only], |r| {
            let since = read::day(r, customer_since)?;
            let status: String = r.get(status)?;
            let interval: String = r.get(billing_interval)?;
            let stored = read::opt_day(r, renewal_date)?;
            let annual_renewal = (interval == "annual").then(|| match stored {
                Some(d) if d > today => d,
                _ => next_anniversary(since, today),
            });
            Ok((
                r.get(id)?,
                Subject {
                    customer_since: since,
                    churned: status != "active",
                    annual_renewal,
                },
            ))
        })?
        .collect::<sql::Result<_>>()?;

    let account_filter = if only.is_some() {
        "AND account_id = ?1"
    } else {
        "AND CAST(?1 AS BIGINT) IS NULL"
    };
    let mut done: HashMap<i64, Vec<Done>> = HashMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT account_id, kind, done_at FROM checkins WHERE done_at IS NOT NULL {account_filter}"
    ))?;
    let [account, kind, done_at] = read::columns(&stmt, ["account_id", "kind", "done_at"])?;
    let mut rows = stmt.query([only])?;
    while let Some(ref r) = rows.next()? {
        done.entry(r.get(account)?).or_default().push(Done {
            kind: r.get(kind)?,
            on: read::instant(r, done_at)?.date_naive(),
        });
    }
    // A check-in call logged is a check-in done, whether or not one was scheduled.
    let mut stmt = conn.prepare(&format!(
        "SELECT account_id, occurred_at FROM interactions WHERE kind = 'check-in' {account_filter}"
    ))?;
    let [account, occurred_at] = read::columns(&stmt, ["account_id", "occurred_at"])?;
    let mut rows = stmt.query([only])?;
    while let Some(ref r) = rows.next()? {
        done.entry(r.get(account)?).or_default().push(Done {
            kind: "check-in".into(),
            on: read::instant(r, occurred_at)?.date_naive(),
        });
    }
    let mut open: HashMap<i64, Vec<OpenRow>> = HashMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT account_id, id, kind, due_date, stage FROM checkins WHERE done_at IS NULL {account_filter}"
    ))?;
    let [account, id, kind, due_date, stage] =
        read::columns(&stmt, ["account_id", "id", "kind", "due_date", "stage"])?;
    let mut rows = stmt.query([only])?;
    while let Some(ref r) = rows.next()? {
        open.entry(r.get(account)?).or_default().push(OpenRow {
            id: r.get(id)?,
            kind: r.get(kind)?,
            due: read::day(r, due_date)?,
            stage: r.get(stage)?,
        });
    }

    let mut counts = ScheduleCounts::default();
    let mut insert = conn.prepare_cached(
        "INSERT INTO checkins (account_id, stage, kind, due_date) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut update =
        conn.prepare_cached("UPDATE checkins SET due_date = ?2, stage = ?3 WHERE id = ?1")?;
    let mut delete = conn.prepare_cached("DELETE FROM checkins WHERE id = ?1")?;
    for (account_id, subject) in &accounts {
        counts.accounts += 1;
        let wanted: Vec<Due> = due(
            subject,
            done.get(account_id).map_or(&[][..], Vec::as_slice),
            today,
            bounds,
            cadences,
        );
        let existing = open.remove(account_id).unwrap_or_default();
        for row in &existing {
            match wanted.iter().find(|w| w.kind == row.kind) {
                Some(w) if w.due == row.due && w.stage.as_str() == row.stage => {}
                Some(w) => {
                    update.execute(params![row.id, day(w.due), w.stage.as_str()])?;
                    counts.moved += 1;
                }
                None => {
                    delete.execute([row.id])?;
                    counts.removed += 1;
                }
            }
        }
        for w in wanted
            .iter()
            .filter(|w| !existing.iter().any(|e| e.kind == w.kind))
        {
            insert.execute(params![account_id, w.stage.as_str(), w.kind, day(w.due)])?;
            counts.created += 1;
        }
    }
    Ok(counts)
}
