//! Reading accounts and interactions out in the columns `retain import` reads, row by row, so
//! that an export of any size streams and a file exported can be imported back.

use super::sql;
use super::sql::Value;

use super::{Store, StoreError};
use crate::domain::money;

/// A row to export: (column, text), in the order of the header.
pub type ExportRow = Vec<(&'static str, String)>;

impl Store {
    /// Every account, oldest id first.
    pub fn export_accounts(
        &self,
        mut each: impl FnMut(ExportRow) -> std::io::Result<()>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "SELECT a.external_id, a.name, a.domain, a.industry, a.plan,
                                  a.billing_interval, a.mrr_cents, a.currency, a.customer_since,
                                  a.renewal_date, r.login, a.status, a.churned_at, a.churn_reason,
                                  a.churn_kind, a.country
                           FROM accounts a LEFT JOIN reps r ON r.id = a.owner_rep_id ORDER BY a.id";
        const NAMES: [&str; 16] = [
            "external_id",
            "name",
            "domain",
            "industry",
            "plan",
            "billing_interval",
            "mrr",
            "currency",
            "customer_since",
            "renewal_date",
            "owner",
            "status",
            "churned_at",
            "churn_reason",
            "churn_kind",
            "country",
        ];
        self.export(SQL, &NAMES, Some((6, 7)), &mut each)
    }

    /// Every interaction, by account and time.
    pub fn export_interactions(
        &self,
        mut each: impl FnMut(ExportRow) -> std::io::Result<()>,
    ) -> Result<(), StoreError> {
        const SQL: &str =
            "SELECT a.external_id, i.occurred_at, i.kind, i.summary, i.body, i.outcome,
                                  i.tags, r.login
                           FROM interactions i JOIN accounts a ON a.id = i.account_id
                           LEFT JOIN reps r ON r.id = i.rep_id
                           ORDER BY i.account_id, i.occurred_at, i.id";
        const NAMES: [&str; 8] = [
            "account",
            "occurred_at",
            "kind",
            "summary",
            "body",
            "outcome",
            "tags",
            "rep",
        ];
        self.export(SQL, &NAMES, None, &mut each)
    }

    /// Runs `sql`, giving each row as text; `money` is (amount column, currency column), the
    /// amount written in major units.
    fn export(
        &self,
        sql: &str,
        names: &[&'static str],
        money: Option<(usize, usize)>,
        each: &mut dyn FnMut(ExportRow) -> std::io::Result<()>,
    ) -> Result<(), StoreError> {
        let mut run = || -> sql::Result<()> {
            let mut stmt = self.conn.prepare(sql)?;
            let mut rows = stmt.query([])?;
            while let Some(ref r) = rows.next()? {
                let mut out = Vec::with_capacity(names.len());
                for (i, name) in names.iter().enumerate() {
                    let text = match r.get(i)? {
                        Value::Null => String::new(),
                        Value::Integer(n) => match money {
                            Some((amount, currency)) if amount == i => {
                                let cur: String = r.get(currency)?;
                                money::major_units(n, &cur)
                            }
                            _ => n.to_string(),
                        },
                        Value::Real(x) => x.to_string(),
                        Value::Text(t) => t,
                    };
                    out.push((*name, text));
                }
                each(out).map_err(|e| sql::Error::Aborted(Box::new(e)))?;
            }
            Ok(())
        };
        run().map_err(|e| self.fail(e))
    }
}
