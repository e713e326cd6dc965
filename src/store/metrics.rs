//! What the churn and revenue metrics read: every account's start, end and MRR history.

use super::sql;
use std::collections::HashMap;

use chrono::NaiveDate;

use super::codec::read;
use super::{Store, StoreError};
use crate::domain::metrics::AccountFacts;

impl Store {
    pub fn metrics_facts(&self) -> Result<Vec<AccountFacts>, StoreError> {
        let c = &self.conn;
        let run = || -> sql::Result<Vec<AccountFacts>> {
            let mut changes: HashMap<i64, Vec<(NaiveDate, i64, i64)>> = HashMap::new();
            let mut stmt = c.prepare(
                "SELECT account_id, changed_on, from_cents, to_cents FROM mrr_changes
                 ORDER BY account_id, changed_on, id",
            )?;
            let [account, on, from, to] = read::columns(
                &stmt,
                ["account_id", "changed_on", "from_cents", "to_cents"],
            )?;
            let mut rows = stmt.query([])?;
            while let Some(ref r) = rows.next()? {
                changes.entry(r.get(account)?).or_default().push((
                    read::day(r, on)?,
                    r.get(from)?,
                    r.get(to)?,
                ));
            }
            let mut stmt = c.prepare(
                "SELECT id, customer_since, churned_at, churn_kind = 'involuntary' AS involuntary,
                        currency, mrr_cents
                 FROM accounts",
            )?;
            let [id, since, churned_at, involuntary, currency, mrr_cents] = read::columns(
                &stmt,
                [
                    "id",
                    "customer_since",
                    "churned_at",
                    "involuntary",
                    "currency",
                    "mrr_cents",
                ],
            )?;
            stmt.query_map([], |r| {
                let id: i64 = r.get(id)?;
                let history = changes.remove(&id).unwrap_or_default();
                let current: i64 = r.get(mrr_cents)?;
                Ok(AccountFacts {
                    since: read::day(r, since)?,
                    churned_on: read::opt_day(r, churned_at)?,
                    involuntary: r.get::<_, Option<bool>>(involuntary)?.unwrap_or(false),
                    currency: r.get(currency)?,
                    first_mrr_cents: history.first().map_or(current, |(_, from, _)| *from),
                    changes: history.into_iter().map(|(on, _, to)| (on, to)).collect(),
                })
            })?
            .collect()
        };
        run().map_err(|e| self.fail(e))
    }
}
