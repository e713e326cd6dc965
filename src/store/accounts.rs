//! Reading accounts: the lists the panes show, the rows behind search hits, the documents the
//! search index is built from.

use chrono::NaiveDate;
use rusqlite::{Row, params, params_from_iter};
use serde::Serialize;

use super::codec::read;
use super::{Store, StoreError};
use crate::domain::search::{ContactDoc, SearchDoc};

/// One line of an account list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountRow {
    pub account_id: i64,
    pub external_id: String,
    pub name: String,
    pub active: bool,
    pub mrr_cents: i64,
    pub currency: String,
    /// The owner's login.
    pub owner: Option<String>,
    pub plan: Option<String>,
    pub customer_since: NaiveDate,
    pub renewal_date: Option<NaiveDate>,
}

/// Which accounts a list holds, and in what order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountList {
    /// Active accounts a rep owns, largest MRR first.
    OwnedBy(String),
    /// All active accounts, largest MRR first.
    ActiveByMrr,
    /// Active accounts, newest customers first.
    ActiveNewest,
    /// Accounts with a payment failing now, largest amount first.
    PaymentsFailing,
    /// Churned accounts, most recent first.
    Churned,
}

const ROW_COLUMNS: &str = "a.id, a.external_id, a.name, a.status = 'active', a.mrr_cents,
    a.currency, r.login, a.plan, a.customer_since, a.renewal_date";

fn account_row(row: &Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        account_id: row.get(0)?,
        external_id: row.get(1)?,
        name: row.get(2)?,
        active: row.get(3)?,
        mrr_cents: row.get(4)?,
        currency: row.get(5)?,
        owner: row.get(6)?,
        plan: row.get(7)?,
        customer_since: read::day(row, 8)?,
        renewal_date: read::opt_day(row, 9)?,
    })
}

impl AccountList {
    /// The query behind the list, selecting `columns` (aliases: `a` accounts, `r` owner).
    fn sql(&self, columns: &str) -> String {
        // Ties break on the id in the index's own direction, so that SQLite walks an index
        // (schema.sql names each) instead of sorting the whole list.
        let from = "FROM accounts a LEFT JOIN reps r ON r.id = a.owner_rep_id";
        match self {
            AccountList::OwnedBy(_) => format!(
                "SELECT {columns} {from} WHERE a.status = 'active' AND r.login = ?1
                 ORDER BY a.mrr_cents DESC, a.id DESC"
            ),
            // accounts_status_mrr
            AccountList::ActiveByMrr => format!(
                "SELECT {columns} {from} WHERE a.status = 'active'
                 ORDER BY a.mrr_cents DESC, a.id DESC"
            ),
            // accounts_status_since
            AccountList::ActiveNewest => format!(
                "SELECT {columns} {from} WHERE a.status = 'active'
                 ORDER BY a.customer_since DESC, a.id DESC"
            ),
            AccountList::PaymentsFailing => format!(
                "SELECT {columns} {from}
                 JOIN (SELECT account_id, sum(amount_cents) AS owed FROM failed_payments
                       WHERE status = 'failing' GROUP BY account_id) p ON p.account_id = a.id
                 ORDER BY p.owed DESC, a.id DESC"
            ),
            // accounts_churned_at: churned_at is set exactly on churned accounts.
            AccountList::Churned => format!(
                "SELECT {columns} {from} WHERE a.churned_at IS NOT NULL
                 ORDER BY a.churned_at DESC, a.id DESC"
            ),
        }
    }

    fn login(&self) -> Option<&str> {
        match self {
            AccountList::OwnedBy(login) => Some(login),
            _ => None,
        }
    }
}

impl Store {
    /// The ids of a list's accounts, in its order. Ids only: a pane of a million accounts
    /// costs 8 MB, and rows are read for the visible window.
    pub fn account_ids(&self, list: &AccountList) -> Result<Vec<i64>, StoreError> {
        let run = || -> rusqlite::Result<Vec<i64>> {
            let mut stmt = self.conn.prepare_cached(&list.sql("a.id"))?;
            stmt.query_map(params_from_iter(list.login()), |r| r.get(0))?
                .collect()
        };
        run().map_err(|e| self.fail(e))
    }

    /// How many accounts a list holds.
    pub fn account_count_in(&self, list: &AccountList) -> Result<i64, StoreError> {
        let sql = format!("SELECT count(*) FROM ({})", list.sql("a.id"));
        let run = || -> rusqlite::Result<i64> {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            stmt.query_row(params_from_iter(list.login()), |r| r.get(0))
        };
        run().map_err(|e| self.fail(e))
    }

    /// The rows of these accounts, in the order given; unknown ids are skipped.
    pub fn account_rows(&self, ids: &[i64]) -> Result<Vec<AccountRow>, StoreError> {
        self.rows_by_id(ids).map_err(|e| self.fail(e))
    }

    pub(super) fn rows_by_id(&self, ids: &[i64]) -> rusqlite::Result<Vec<AccountRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM accounts a LEFT JOIN reps r ON r.id = a.owner_rep_id
             WHERE a.id = ?1"
        ))?;
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(row) = stmt.query_map([id], account_row)?.next() {
                rows.push(row?);
            }
        }
        Ok(rows)
    }

    /// Finds an account by its id or its external id.
    pub fn account_by_key(&self, key: &str) -> Result<Option<i64>, StoreError> {
        let id: Option<i64> = key.trim().parse().ok();
        self.conn
            .query_row(
                "SELECT id FROM accounts WHERE id = ?1 OR external_id = ?2 ORDER BY id = ?1 DESC LIMIT 1",
                params![id, key.trim()],
                |r| r.get(0),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(self.fail(e)),
            })
    }

    /// Everything the search index needs, account by account.
    pub fn search_docs(&self) -> Result<Vec<SearchDoc>, StoreError> {
        let run = || -> rusqlite::Result<Vec<SearchDoc>> {
            let mut docs: Vec<SearchDoc> = self
                .conn
                .prepare(
                    "SELECT id, name, domain, external_id, status = 'active', mrr_cents
                     FROM accounts ORDER BY id",
                )?
                .query_map([], |r| {
                    Ok(SearchDoc {
                        account_id: r.get(0)?,
                        name: r.get(1)?,
                        domain: r.get(2)?,
                        external_id: r.get(3)?,
                        active: r.get(4)?,
                        mrr_cents: r.get(5)?,
                        contacts: Vec::new(),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut stmt = self.conn.prepare(
                "SELECT account_id, id, name, email, phone FROM contacts ORDER BY account_id, id",
            )?;
            let mut rows = stmt.query([])?;
            // Both lists are in account order: walk them together.
            let mut at = 0;
            while let Some(r) = rows.next()? {
                let account_id: i64 = r.get(0)?;
                while at < docs.len() && docs[at].account_id < account_id {
                    at += 1;
                }
                if let Some(doc) = docs.get_mut(at).filter(|d| d.account_id == account_id) {
                    doc.contacts.push(ContactDoc {
                        contact_id: r.get(1)?,
                        name: r.get(2)?,
                        email: r.get(3)?,
                        phone: r.get(4)?,
                    });
                }
            }
            Ok(docs)
        };
        run().map_err(|e| self.fail(e))
    }
}
