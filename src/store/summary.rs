//! A count of what the database holds: the first thing to look at after a demo or an import.

use super::sql;
use super::sql::params;
use chrono::NaiveDate;
use serde::Serialize;

use super::codec::day;
use super::{Store, StoreError};
use crate::domain::lifecycle::StageBounds;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub schema_version: u32,
    pub reps_active: i64,
    pub reps_inactive: i64,
    pub accounts_active: i64,
    pub accounts_churned: i64,
    pub churned_voluntary: i64,
    pub churned_involuntary: i64,
    pub active_early: i64,
    pub active_mid: i64,
    pub active_late: i64,
    pub active_mrr: Vec<MoneyByCurrency>,
    pub contacts: i64,
    pub interactions: i64,
    pub tickets: i64,
    pub tickets_open: i64,
    pub nps_responses: i64,
    pub usage_snapshots: i64,
    pub payments_failing: i64,
    pub payments_recovered: i64,
    pub payments_lost: i64,
    pub payments_written_off: i64,
    /// Last decline codes of all failed payments, most frequent first.
    pub decline_codes: Vec<CodeCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoneyByCurrency {
    pub currency: String,
    pub cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeCount {
    pub code: String,
    pub count: i64,
}

impl Store {
    pub fn summary(&self, today: NaiveDate, bounds: &StageBounds) -> Result<Summary, StoreError> {
        self.read_summary(today, bounds).map_err(|e| self.fail(e))
    }

    fn read_summary(&self, today: NaiveDate, bounds: &StageBounds) -> sql::Result<Summary> {
        let c = &self.conn;
        let count = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0));
        let cut = bounds.cutoffs(today);
        let (early, mid, late) = c.query_row(
            "SELECT count(*) FILTER (WHERE customer_since > ?1) AS early,
                    count(*) FILTER (WHERE customer_since <= ?1 AND customer_since >= ?2) AS mid,
                    count(*) FILTER (WHERE customer_since < ?2) AS late
             FROM accounts WHERE status = 'active'",
            params![day(cut.early_after), day(cut.late_before)],
            |r| Ok((r.get("early")?, r.get("mid")?, r.get("late")?)),
        )?;
        let payments = |status: &str| {
            c.query_row(
                "SELECT count(*) FROM failed_payments WHERE status = ?1",
                [status],
                |r| r.get::<_, i64>(0),
            )
        };
        // SQLite's total() adds as a float: its sum() fails the whole summary on an overflow,
        // and CAST saturates instead of wrapping. The server's sum() of BIGINTs is exact.
        let total = c.pick(
            "CAST(total(mrr_cents) AS INTEGER)",
            "CAST(least(sum(mrr_cents), 9223372036854775807) AS BIGINT)",
        );
        let active_mrr = c
            .prepare(&format!(
                "SELECT currency, {total} AS mrr FROM accounts
                 WHERE status = 'active' GROUP BY currency ORDER BY mrr DESC, currency"
            ))?
            .query_map([], |r| {
                Ok(MoneyByCurrency {
                    currency: r.get("currency")?,
                    cents: r.get("mrr")?,
                })
            })?
            .collect::<sql::Result<_>>()?;
        let decline_codes = c
            .prepare(
                "SELECT last_decline_code, count(*) AS n FROM failed_payments
                 GROUP BY last_decline_code ORDER BY n DESC, last_decline_code",
            )?
            .query_map([], |r| {
                Ok(CodeCount {
                    code: r.get("last_decline_code")?,
                    count: r.get("n")?,
                })
            })?
            .collect::<sql::Result<_>>()?;
        Ok(Summary {
            schema_version: super::schema_version(c)?,
            reps_active: count("SELECT count(*) FROM reps WHERE active = 1")?,
            reps_inactive: count("SELECT count(*) FROM reps WHERE active = 0")?,
            accounts_active: count("SELECT count(*) FROM accounts WHERE status = 'active'")?,
            accounts_churned: count("SELECT count(*) FROM accounts WHERE status = 'churned'")?,
            churned_voluntary: count(
                "SELECT count(*) FROM accounts WHERE churn_kind = 'voluntary'",
            )?,
            churned_involuntary: count(
                "SELECT count(*) FROM accounts WHERE churn_kind = 'involuntary'",
            )?,
            active_early: early,
            active_mid: mid,
            active_late: late,
            active_mrr,
            contacts: count("SELECT count(*) FROM contacts")?,
            interactions: count("SELECT count(*) FROM interactions")?,
            tickets: count("SELECT count(*) FROM tickets")?,
            tickets_open: count("SELECT count(*) FROM tickets WHERE resolved_at IS NULL")?,
            nps_responses: count("SELECT count(*) FROM nps_responses")?,
            usage_snapshots: count("SELECT count(*) FROM usage_snapshots")?,
            payments_failing: payments("failing")?,
            payments_recovered: payments("recovered")?,
            payments_lost: payments("lost")?,
            payments_written_off: payments("written_off")?,
            decline_codes,
        })
    }
}
