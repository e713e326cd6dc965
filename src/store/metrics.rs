//! What the churn and revenue metrics read: every account's start, end and MRR history.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::codec::read;
use super::{Store, StoreError};
use crate::domain::metrics::AccountFacts;

impl Store {
    pub fn metrics_facts(&self) -> Result<Vec<AccountFacts>, StoreError> {
        let c = &self.conn;
        let run = || -> rusqlite::Result<Vec<AccountFacts>> {
            let mut changes: HashMap<i64, Vec<(NaiveDate, i64, i64)>> = HashMap::new();
            let mut stmt = c.prepare(
                "SELECT account_id, changed_on, from_cents, to_cents FROM mrr_changes
                 ORDER BY account_id, changed_on, id",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                changes.entry(r.get(0)?).or_default().push((
                    read::day(r, 1)?,
                    r.get(2)?,
                    r.get(3)?,
                ));
            }
            c.prepare(
                "SELECT id, customer_since, churned_at, churn_kind = 'involuntary', currency,
                        mrr_cents
                 FROM accounts",
            )?
            .query_map([], |r| {
                let id: i64 = r.get(0)?;
                let history = changes.remove(&id).unwrap_or_default();
                let current: i64 = r.get(5)?;
                Ok(AccountFacts {
                    since: read::day(r, 1)?,
                    churned_on: read::opt_day(r, 2)?,
                    involuntary: r.get::<_, Option<bool>>(3)?.unwrap_or(false),
                    currency: r.get(4)?,
                    first_mrr_cents: history.first().map_or(current, |(_, from, _)| *from),
                    changes: history.into_iter().map(|(on, _, to)| (on, to)).collect(),
                })
            })?
            .collect()
        };
        run().map_err(|e| self.fail(e))
    }
}
