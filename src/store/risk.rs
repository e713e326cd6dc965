//! What risk scoring reads, and the daily score history it writes.
//!
//! `risk_subjects` reads every account as it stood on a day, from data dated before a cutoff
//! only: the live console passes tomorrow (today's calls count), the backtest passes the day
//! itself. Each table is read in one pass ordered by account, and the passes are walked
//! together, so a hundred thousand accounts take a handful of queries.

use super::sql;
use std::collections::HashMap;

use super::sql::Value;
use super::sql::{Row, params};
use chrono::{Days, Months, NaiveDate};
use serde::Serialize;

use super::codec::{day, read};
use super::{Store, StoreError};
use crate::domain::access::Write;
use crate::domain::lifecycle::StageBounds;
use crate::domain::model::BillingInterval;
use crate::domain::risk::{
    PaymentFact, RiskInput, RiskScore, TicketFact, TouchFact, UsagePoint, next_anniversary,
};

/// An account to score, with what a list shows about it.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskSubject {
    pub account_id: i64,
    pub external_id: String,
    pub name: String,
    pub owner: Option<String>,
    pub mrr_cents: i64,
    pub currency: String,
    pub input: RiskInput,
}

/// Which accounts to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    All,
    Account(i64),
    /// The accounts a rep owns.
    OwnedBy(&'a str),
    /// The accounts with ids from the first to before the second: a slice of a large file.
    Ids(i64, i64),
    /// These accounts.
    Listed(&'a [i64]),
}

impl Scope<'_> {
    /// The condition on `column`, with the scope's two parameters numbered `n` and `n + 1`
    /// (every scope takes two, so that one statement text serves each).
    /// A placeholder a scope leaves unused is typed, so that the server knows what it is.
    pub(super) fn filter(self, conn: &sql::Conn, column: &str, n: u8) -> String {
        let m = n + 1;
        let unused = |k: u8| format!("CAST(?{k} AS TEXT) IS NULL");
        match self {
            Scope::All => format!("AND {} AND {}", unused(n), unused(m)),
            Scope::Account(_) => format!("AND {column} = ?{n} AND {}", unused(m)),
            Scope::OwnedBy(_) => format!(
                "AND {column} IN (SELECT id FROM accounts
                     WHERE owner_rep_id = (SELECT id FROM reps WHERE login = ?{n}))
                 AND {}",
                unused(m)
            ),
            Scope::Ids(..) => format!("AND {column} >= ?{n} AND {column} < ?{m}"),
            Scope::Listed(_) => {
                // The ids come as a JSON array, read by each engine's own function.
                let ids = conn.pick(
                    "SELECT value FROM json_each(?{n})",
                    "SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(?{n} AS JSON))",
                );
                format!(
                    "AND {column} IN ({}) AND {}",
                    ids.replace("{n}", &n.to_string()),
                    unused(m)
                )
            }
        }
    }

    pub(super) fn params(self) -> (Value, Value) {
        match self {
            Scope::All => (Value::Null, Value::Null),
            Scope::Account(id) => (Value::Integer(id), Value::Null),
            Scope::OwnedBy(login) => (Value::Text(login.to_string()), Value::Null),
            Scope::Ids(from, to) => (Value::Integer(from), Value::Integer(to)),
            Scope::Listed(ids) => (
                Value::Text(serde_json::to_string(ids).unwrap_or_default()),
                Value::Null,
            ),
        }
    }
}

/// Scores kept as the day's current ones (`Store::keep_scores`): the model's fingerprint, and
/// the count of fact changes of each account read before its facts.
#[derive(Debug, Clone, Copy)]
pub struct Current<'a> {
    pub model: i64,
    pub seen: &'a HashMap<i64, i64>,
}

/// A stored daily score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredScore {
    pub score: f64,
    pub band: String,
    /// Points by factor.
    pub points: HashMap<String, f64>,
}

/// How far back each kind of fact is read: as far as any factor looks, and a little more.
const USAGE_MONTHS: u32 = 4;
const EVENT_DAYS: u64 = 400;
const NPS_DAYS: u64 = 800;
const MRR_DAYS: u64 = 200;

impl Store {
    /// Accounts that were customers on `as_of` (started, not yet churned), with their facts
    /// dated before `cutoff`; of the accounts in `scope`.
    pub fn risk_subjects(
        &self,
        as_of: NaiveDate,
        cutoff: NaiveDate,
        bounds: &StageBounds,
        scope: Scope<'_>,
    ) -> Result<Vec<RiskSubject>, StoreError> {
        self.read_subjects(as_of, cutoff, bounds, scope)
            .map_err(|e| self.fail(e))
    }

    fn read_subjects(
        &self,
        as_of: NaiveDate,
        cutoff: NaiveDate,
        bounds: &StageBounds,
        scope: Scope<'_>,
    ) -> sql::Result<Vec<RiskSubject>> {
        let c = &self.conn;
        // Every query takes the scope as its last two parameters, from number `n`.
        let filter = |column: &str, n: u8| scope.filter(c, column, n);
        let (only, to) = scope.params();
        let cut = day(cutoff);
        let since = |days: u64| day(cutoff - Days::new(days));

        let mut accounts = c.prepare_cached(&format!(
            "SELECT a.id, a.external_id, a.name, r.login AS owner, a.mrr_cents, a.currency,
                    a.customer_since, a.billing_interval, a.renewal_date
             FROM accounts a LEFT JOIN reps r ON r.id = a.owner_rep_id
             WHERE a.customer_since <= ?1 AND (a.churned_at IS NULL OR a.churned_at > ?1) {}
             ORDER BY a.id",
            filter("a.id", 2)
        ))?;
        let [
            id,
            external_id,
            name,
            owner,
            mrr_cents,
            currency,
            customer_since,
            interval,
            renewal,
        ] = read::columns(
            &accounts,
            [
                "id",
                "external_id",
                "name",
                "owner",
                "mrr_cents",
                "currency",
                "customer_since",
                "billing_interval",
                "renewal_date",
            ],
        )?;
        let mut subjects: Vec<RiskSubject> = accounts
            .query_map(params![day(as_of), only, to], |r| {
                let since: NaiveDate = read::day(r, customer_since)?;
                let interval: String = r.get(interval)?;
                let stored_renewal = read::opt_day(r, renewal)?;
                let annual = interval == BillingInterval::Annual.as_str();
                Ok(RiskSubject {
                    account_id: r.get(id)?,
                    external_id: r.get(external_id)?,
                    name: r.get(name)?,
                    owner: r.get(owner)?,
                    mrr_cents: r.get(mrr_cents)?,
                    currency: r.get(currency)?,
                    input: RiskInput {
                        as_of,
                        customer_since: since,
                        stage: bounds.stage(since, as_of),
                        renewal_date: renewal_on(as_of, since, annual, stored_renewal),
                        usage: Vec::new(),
                        tickets: Vec::new(),
                        nps: Vec::new(),
                        payments: Vec::new(),
                        mrr_changes: Vec::new(),
                        touches: Vec::new(),
                    },
                })
            })?
            .collect::<sql::Result<_>>()?;
        if subjects.is_empty() {
            return Ok(subjects);
        }

        // A month of usage counts once it is over before the cutoff.
        let last_month = cutoff.checked_sub_months(Months::new(1)).unwrap_or(cutoff);
        let first_month = cutoff
            .checked_sub_months(Months::new(USAGE_MONTHS + 1))
            .unwrap_or(cutoff);
        fill(
            &mut subjects,
            c,
            &format!(
                "SELECT account_id, period, active_users, seats, key_feature_uses
                 FROM usage_snapshots WHERE period <= ?1 AND period >= ?2 {}
                 ORDER BY account_id, period",
                filter("account_id", 3)
            ),
            ["period", "active_users", "seats", "key_feature_uses"],
            params![day(last_month), day(first_month), only, to],
            |r, [period, active_users, seats, uses]| {
                Ok(UsagePoint {
                    period: read::day(r, period)?,
                    active_users: r.get(active_users)?,
                    seats: r.get(seats)?,
                    key_feature_uses: r.get(uses)?,
                })
            },
            |s, x| s.input.usage.push(x),
        )?;
        // A ticket resolved after the cutoff was still open then, and not yet rated.
        fill(
            &mut subjects,
            c,
            &format!(
                "SELECT account_id, opened_at,
                        CASE WHEN resolved_at < ?1 THEN resolved_at END AS resolved_at,
                        severity = 'urgent' AS urgent,
                        CASE WHEN resolved_at < ?1 THEN satisfaction END AS satisfaction
                 FROM tickets WHERE opened_at < ?1 AND opened_at >= ?2 {}
                 ORDER BY account_id, opened_at",
                filter("account_id", 3)
            ),
            ["opened_at", "resolved_at", "urgent", "satisfaction"],
            params![cut, since(EVENT_DAYS), only, to],
            |r, [opened_at, resolved_at, urgent, satisfaction]| {
                Ok(TicketFact {
                    opened_at: read::instant(r, opened_at)?,
                    resolved_at: read::opt_instant(r, resolved_at)?,
                    urgent: r.get(urgent)?,
                    satisfaction: r.get(satisfaction)?,
                })
            },
            |s, x| s.input.tickets.push(x),
        )?;
        fill(
            &mut subjects,
            c,
            &format!(
                "SELECT account_id, responded_at, score FROM nps_responses
                 WHERE responded_at < ?1 AND responded_at >= ?2 {}
                 ORDER BY account_id, responded_at",
                filter("account_id", 3)
            ),
            ["responded_at", "score"],
            params![cut, since(NPS_DAYS), only, to],
            |r, [at, score]| Ok((read::instant(r, at)?, r.get(score)?)),
            |s, x| s.input.nps.push(x),
        )?;
        // A payment's state as it was at the cutoff: attempts made by then, its last code then.
        fill(
            &mut subjects,
            c,
            &format!(
                "SELECT p.account_id, p.first_failed_at,
                        p.resolved_at IS NULL OR p.resolved_at >= ?1 AS failing,
                        p.status IN ('lost', 'written_off') AND p.resolved_at < ?1 AS lost,
                        coalesce((SELECT a.decline_code FROM payment_attempts a
                                  WHERE a.payment_id = p.id AND a.attempted_at < ?1
                                    AND a.decline_code IS NOT NULL
                                  ORDER BY a.attempted_at DESC LIMIT 1), p.last_decline_code)
                            AS decline_code,
                        (SELECT count(*) FROM payment_attempts a
                         WHERE a.payment_id = p.id AND a.attempted_at < ?1) AS attempts
                 FROM failed_payments p
                 WHERE p.first_failed_at < ?1 AND p.first_failed_at >= ?2 {}
                 ORDER BY p.account_id, p.first_failed_at",
                filter("p.account_id", 3)
            ),
            [
                "first_failed_at",
                "failing",
                "lost",
                "decline_code",
                "attempts",
            ],
            params![cut, since(EVENT_DAYS), only, to],
            |r, [first_failed_at, failing, lost, decline_code, attempts]| {
                Ok(PaymentFact {
                    first_failed_at: read::instant(r, first_failed_at)?,
                    failing: r.get(failing)?,
                    lost: r.get(lost)?,
                    decline_code: r.get(decline_code)?,
                    attempts: r.get::<_, u32>(attempts)?.max(1),
                })
            },
            |s, x| s.input.payments.push(x),
        )?;
        fill(
            &mut subjects,
            c,
            &format!(
                "SELECT account_id, changed_on, from_cents, to_cents FROM mrr_changes
                 WHERE changed_on < ?1 AND changed_on >= ?2 {}
                 ORDER BY account_id, changed_on",
                filter("account_id", 3)
            ),
            ["changed_on", "from_cents", "to_cents"],
            params![cut, since(MRR_DAYS), only, to],
            |r, [on, from, to]| Ok((read::day(r, on)?, r.get(from)?, r.get(to)?)),
            |s, x| s.input.mrr_changes.push(x),
        )?;
        fill(
            &mut subjects,
            c,
            &format!(
                "SELECT account_id, occurred_at, kind, rep_id IS NOT NULL AS by_rep, tags
                 FROM interactions
                 WHERE occurred_at < ?1 AND occurred_at >= ?2 {}
                 ORDER BY account_id, occurred_at",
                filter("account_id", 3)
            ),
            ["occurred_at", "kind", "by_rep", "tags"],
            params![cut, since(EVENT_DAYS), only, to],
            |r, [at, kind, by_rep, tags]| {
                let tags: String = r.get(tags)?;
                Ok(TouchFact {
                    at: read::instant(r, at)?,
                    kind: r.get(kind)?,
                    by_rep: r.get(by_rep)?,
                    tags: tags.split_whitespace().map(str::to_string).collect(),
                })
            },
            |s, x| s.input.touches.push(x),
        )?;
        Ok(subjects)
    }

    /// Accounts that churned after `as_of` and on or before `until`: what a backtest checks
    /// its scores against. Scoring never reads this.
    pub fn churned_between(
        &self,
        as_of: NaiveDate,
        until: NaiveDate,
    ) -> Result<std::collections::HashSet<i64>, StoreError> {
        let run = || -> sql::Result<std::collections::HashSet<i64>> {
            self.conn
                .prepare_cached(
                    "SELECT id FROM accounts WHERE churned_at > ?1 AND churned_at <= ?2",
                )?
                .query_map(params![day(as_of), day(until)], |r| r.get(0))?
                .collect()
        };
        run().map_err(|e| self.fail(e))
    }

    /// Keeps the day's scores as history (replacing any earlier run of the same day), in one
    /// transaction.
    pub fn save_scores(
        &mut self,
        on: NaiveDate,
        scores: &[(i64, &RiskScore)],
    ) -> Result<(), StoreError> {
        self.write(Write::Own, |tx| insert_scores(tx, on, scores, None))
    }

    /// Keeps the day's scores as the day's current ones as `current`'s model scores them, each
    /// from the facts after the changes counted in `fact_changes` (read before the facts): what
    /// `kept_bands` hands back until a fact changes. Only if no other writer holds the file now
    /// (false if one does): keeping them spares later work, and must never hold up a read.
    pub fn keep_scores(
        &mut self,
        on: NaiveDate,
        scores: &[(i64, &RiskScore)],
        current: Current<'_>,
    ) -> Result<bool, StoreError> {
        Ok(self
            .write_if_free(|tx| insert_scores(tx, on, scores, Some(current)))?
            .is_some())
    }

    /// How many times the facts of each account of `scope` have changed, where they have: read
    /// before the facts a scorer keeps scores from (`keep_scores`).
    pub fn fact_changes(&self, scope: Scope<'_>) -> Result<HashMap<i64, i64>, StoreError> {
        let run = || -> sql::Result<HashMap<i64, i64>> {
            let (only, to) = scope.params();
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT account_id, n FROM fact_changes WHERE TRUE {}",
                scope.filter(&self.conn, "account_id", 1)
            ))?;
            let [account, n] = read::columns(&stmt, ["account_id", "n"])?;
            stmt.query_map(params![only, to], |r| Ok((r.get(account)?, r.get(n)?)))?
                .collect()
        };
        run().map_err(|e| self.fail(e))
    }

    /// The accounts of `scope` that are customers on `on`, each with the band of its score
    /// kept for the day by `model`, where that score is still current: no fact of the account
    /// changed since it was scored.
    pub fn kept_bands(
        &self,
        on: NaiveDate,
        model: i64,
        scope: Scope<'_>,
    ) -> Result<Vec<(i64, Option<String>)>, StoreError> {
        let run = || -> sql::Result<Vec<(i64, Option<String>)>> {
            let (only, to) = scope.params();
            let mut stmt = self.conn.prepare_cached(&format!(
                // (fact_changes joined, not asked per row: a server planned the question twice
                // per account, and read the whole day's scores to answer it.)
                "SELECT a.id, s.band FROM accounts a
                     LEFT JOIN fact_changes c ON c.account_id = a.id
                     LEFT JOIN risk_scores s ON s.account_id = a.id AND s.day = ?1
                         AND s.model = ?2 AND s.facts_seen = coalesce(c.n, 0)
                     WHERE a.customer_since <= ?1 AND (a.churned_at IS NULL OR a.churned_at > ?1)
                         {}",
                scope.filter(&self.conn, "a.id", 3)
            ))?;
            let [id, band] = read::columns(&stmt, ["id", "band"])?;
            stmt.query_map(params![day(on), model, only, to], |r| {
                Ok((r.get(id)?, r.get(band)?))
            })?
            .collect()
        };
        run().map_err(|e| self.fail(e))
    }

    /// One account's score stored for a day.
    pub fn score_of(
        &self,
        account_id: i64,
        on: NaiveDate,
    ) -> Result<Option<StoredScore>, StoreError> {
        use super::sql::OptionalExtension;
        self.conn
            .prepare_cached(
                "SELECT account_id, score, band, points FROM risk_scores
                 WHERE account_id = ?1 AND day = ?2",
            )
            .and_then(|mut stmt| {
                let columns = read::columns(&stmt, SCORE_COLUMNS)?;
                stmt.query_row(params![account_id, day(on)], |r| stored_score(r, columns))
                    .optional()
            })
            .map(|found| found.map(|(_, s)| s))
            .map_err(|e| self.fail(e))
    }

    /// The scores stored for a day, by account, of the accounts in `scope`.
    pub fn scores_on(
        &self,
        on: NaiveDate,
        scope: Scope<'_>,
    ) -> Result<HashMap<i64, StoredScore>, StoreError> {
        let run = || -> sql::Result<HashMap<i64, StoredScore>> {
            let (only, to) = scope.params();
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT account_id, score, band, points FROM risk_scores WHERE day = ?1 {}",
                scope.filter(&self.conn, "account_id", 2)
            ))?;
            let columns = read::columns(&stmt, SCORE_COLUMNS)?;
            stmt.query_map(params![day(on), only, to], |r| stored_score(r, columns))?
                .collect()
        };
        run().map_err(|e| self.fail(e))
    }

    /// The lowest and highest account ids, if there is an account: where slices start and end.
    pub fn account_id_span(&self) -> Result<Option<(i64, i64)>, StoreError> {
        self.conn
            .query_row("SELECT min(id), max(id) FROM accounts", [], |r| {
                Ok(r.get::<_, Option<i64>>(0)?.zip(r.get::<_, Option<i64>>(1)?))
            })
            .map_err(|e| self.fail(e))
    }
}

fn insert_scores(
    tx: &sql::Tx<'_>,
    on: NaiveDate,
    scores: &[(i64, &RiskScore)],
    current: Option<Current<'_>>,
) -> sql::Result<()> {
    let on = day(on);
    let mut insert = tx.prepare_cached(
        "INSERT INTO risk_scores
             (account_id, day, score, band, top_factor, points, model, facts_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (account_id, day) DO UPDATE SET score = excluded.score,
             band = excluded.band, top_factor = excluded.top_factor,
             points = excluded.points, model = excluded.model,
             facts_seen = excluded.facts_seen",
    )?;
    for (account_id, s) in scores {
        // Ordered, so that the same scores always write the same text.
        let points: std::collections::BTreeMap<&str, f64> = s
            .reasons
            .iter()
            .map(|r| (r.factor.as_str(), (r.points * 10.0).round() / 10.0))
            .collect();
        let seen = current.map(|c| c.seen.get(account_id).copied().unwrap_or(0));
        insert.execute(params![
            account_id,
            on,
            (s.score * 10.0).round() / 10.0,
            s.band.as_str(),
            s.top().map(|r| r.factor.as_str()),
            serde_json::to_string(&points).unwrap_or_default(),
            current.map(|c| c.model),
            seen,
        ])?;
    }
    Ok(())
}

/// The columns `stored_score` reads.
const SCORE_COLUMNS: [&str; 4] = ["account_id", "score", "band", "points"];

/// A kept score's row, its `SCORE_COLUMNS` found by `read::columns`.
fn stored_score(
    r: &Row<'_>,
    [account, score, band, points]: [usize; 4],
) -> sql::Result<(i64, StoredScore)> {
    let points: String = r.get(points)?;
    Ok((
        r.get(account)?,
        StoredScore {
            score: r.get(score)?,
            band: r.get(band)?,
            points: serde_json::from_str(&points).unwrap_or_default(),
        },
    ))
}

/// The renewal ahead on `as_of`: the stored date when it is the next one then, otherwise the
/// next anniversary of an annual contract.
fn renewal_on(
    as_of: NaiveDate,
    since: NaiveDate,
    annual: bool,
    stored: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let year_before = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
    match stored {
        Some(d) if d > as_of && year_before(d) <= as_of => Some(d),
        _ if annual => Some(next_anniversary(since, as_of)),
        _ => None,
    }
}

/// Reads rows `(account_id, fact)` ordered by account and hands each fact to its subject;
/// `subjects` is ordered by account too, so both are walked once.
/// Reads `sql`'s rows, in account order, into the subjects they are about: `fact` makes each row
/// into a fact, given where `columns` are among the row's (found by name once), and `put` hands
/// it to its subject. The rows carry their account as `account_id`.
fn fill<T, const N: usize>(
    subjects: &mut [RiskSubject],
    conn: &sql::Conn,
    sql: &str,
    columns: [&str; N],
    params: impl sql::Params,
    fact: impl Fn(&Row<'_>, [usize; N]) -> sql::Result<T>,
    mut put: impl FnMut(&mut RiskSubject, T),
) -> sql::Result<()> {
    let mut stmt = conn.prepare_cached(sql)?;
    let [account] = read::columns(&stmt, ["account_id"])?;
    let columns = read::columns(&stmt, columns)?;
    let mut rows = stmt.query(params)?;
    let mut at = 0;
    while let Some(ref r) = rows.next()? {
        let account_id: i64 = r.get(account)?;
        while at < subjects.len() && subjects[at].account_id < account_id {
            at += 1;
        }
        match subjects.get_mut(at) {
            Some(s) if s.account_id == account_id => put(s, fact(r, columns)?),
            Some(_) => {} // an account not scored (not a customer on that day)
            None => break,
        }
    }
    Ok(())
}

/// An account taken out of the at-risk view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snooze {
    pub until: NaiveDate,
    pub reason: String,
    /// The score when it was snoozed: a rise of 10 brings the account back early.
    pub score: f64,
}

impl Store {
    /// Snoozes an account until a day, with a reason, recording who did it.
    pub fn snooze(
        &mut self,
        account_id: i64,
        until: NaiveDate,
        reason: &str,
        score: f64,
        os_user: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        self.reason_ok(reason)?;
        let after = serde_json::json!({"until": day(until), "reason": reason, "score": score});
        self.write(Write::Snooze, |tx| {
            tx.execute(
                "INSERT INTO risk_snoozes (account_id, until, reason, score, os_user, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (account_id) DO UPDATE SET until = excluded.until,
                     reason = excluded.reason, score = excluded.score,
                     os_user = excluded.os_user, at = excluded.at",
                params![
                    account_id,
                    day(until),
                    reason,
                    score,
                    os_user,
                    super::codec::instant(&now)
                ],
            )?;
            super::audit::record(
                tx,
                &super::audit::Change {
                    at: now,
                    os_user,
                    action: "snooze risk",
                    entity: "accounts",
                    entity_id: Some(account_id),
                    before: None,
                    after: Some(after.clone()),
                },
            )
        })
    }

    /// Snoozes still running on `today`, by account.
    pub fn snoozes(&self, today: NaiveDate) -> Result<HashMap<i64, Snooze>, StoreError> {
        let run = || -> sql::Result<HashMap<i64, Snooze>> {
            self.conn
                .prepare_cached(
                    "SELECT account_id, until, reason, score FROM risk_snoozes WHERE until > ?1",
                )?
                .query_map([day(today)], |r| {
                    Ok((
                        r.get("account_id")?,
                        Snooze {
                            until: read::day(r, "until")?,
                            reason: r.get("reason")?,
                            score: r.get("score")?,
                        },
                    ))
                })?
                .collect()
        };
        run().map_err(|e| self.fail(e))
    }
}
