//! Reading accounts: the lists the panes show, the rows behind search hits, the documents the
//! search index is built from.

use super::sql;
use super::sql::{Row, params};
use chrono::NaiveDate;
use serde::Serialize;

use super::codec::read;
use super::{Store, StoreError};
use crate::domain::phone::Country;
use crate::domain::search::{Builder, ContactDoc, SearchDoc, SearchIndex};

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
    pub domain: Option<String>,
}

const ROW_COLUMNS: &str =
    "a.id AS account_id, a.external_id, a.name, a.status = 'active' AS active,
    a.mrr_cents, a.currency, r.login AS owner, a.plan, a.customer_since, a.renewal_date, a.domain";

fn account_row(row: &Row<'_>) -> sql::Result<AccountRow> {
    Ok(AccountRow {
        account_id: row.get("account_id")?,
        external_id: row.get("external_id")?,
        name: row.get("name")?,
        active: row.get("active")?,
        mrr_cents: row.get("mrr_cents")?,
        currency: row.get("currency")?,
        owner: row.get("owner")?,
        plan: row.get("plan")?,
        customer_since: read::day(row, "customer_since")?,
        renewal_date: read::opt_day(row, "renewal_date")?,
        domain: row.get("domain")?,
    })
}

impl Store {
    /// Every active account's id, largest MRR first: the first pane of someone who is not a
    /// rep. Ids only: a pane of a million accounts costs 8 MB, and rows are read for the visible
    /// window.
    pub fn active_account_ids(&self) -> Result<Vec<i64>, StoreError> {
        // Ties break on the id in the index's direction, so that SQLite walks
        // accounts_status_mrr instead of sorting the whole list.
        let run = || -> sql::Result<Vec<i64>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id FROM accounts WHERE status = 'active' ORDER BY mrr_cents DESC, id DESC",
            )?;
            stmt.query_map([], |r| r.get(0))?.collect()
        };
        run().map_err(|e| self.fail(e))
    }

    /// True when the rep owns an active account: a book of their own to start the panes on.
    pub fn has_book(&self, login: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM accounts a JOIN reps r ON r.id = a.owner_rep_id
                                WHERE r.login = ?1 AND a.status = 'active')",
                [login],
                |r| r.get(0),
            )
            .map_err(|e| self.fail(e))
    }

    /// The rows of these accounts, in the order given; unknown ids are skipped.
    pub fn account_rows(&self, ids: &[i64]) -> Result<Vec<AccountRow>, StoreError> {
        self.rows_by_id(ids).map_err(|e| self.fail(e))
    }

    pub(super) fn rows_by_id(&self, ids: &[i64]) -> sql::Result<Vec<AccountRow>> {
        self.conn.rows_for_ids(
            &format!(
                "SELECT {ROW_COLUMNS} FROM accounts a LEFT JOIN reps r ON r.id = a.owner_rep_id
                 WHERE a.id IN ({{ids}})"
            ),
            ids,
            |r: &AccountRow| r.account_id,
            account_row,
        )
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
                sql::Error::NoRows => Ok(None),
                e => Err(self.fail(e)),
            })
    }

    /// The search index of every account, built as the accounts are read: they are never all
    /// in memory at once beside it.
    /// `team` reads the numbers of accounts with no country.
    pub fn search_index(&self, team: Country) -> Result<SearchIndex, StoreError> {
        let mut builder = Builder::new(team);
        self.each_search_doc(|doc| builder.add(doc))?;
        Ok(builder.finish())
    }

    /// Everything the search index needs, handed to `each` one account at a time.
    pub fn each_search_doc(&self, mut each: impl FnMut(SearchDoc)) -> Result<(), StoreError> {
        let mut run = || -> sql::Result<()> {
            let mut accounts = self.conn.prepare(
                "SELECT a.id, a.name, a.domain, a.external_id, a.status = 'active' AS active,
                        a.mrr_cents, a.country, r.login AS owner
                 FROM accounts a LEFT JOIN reps r ON r.id = a.owner_rep_id ORDER BY a.id",
            )?;
            let [
                id,
                name,
                domain,
                external_id,
                active,
                mrr_cents,
                country,
                owner,
            ] = read::columns(
                &accounts,
                [
                    "id",
                    "name",
                    "domain",
                    "external_id",
                    "active",
                    "mrr_cents",
                    "country",
                    "owner",
                ],
            )?;
            let mut accounts = accounts.query([])?;
            let mut contacts = self.conn.prepare(
                "SELECT account_id, id, name, email, phone FROM contacts ORDER BY account_id, id",
            )?;
            let columns = read::columns(&contacts, ["account_id", "id", "name", "email", "phone"])?;
            let contact_doc = |r: sql::Row<'_>| contact_doc(&r, columns);
            let mut contacts = contacts.query([])?;
            // Both lists are in account order: walk them together, holding the one contact
            // read ahead of its account.
            let mut ahead = contacts.next()?.map(contact_doc).transpose()?;
            while let Some(ref r) = accounts.next()? {
                let mut doc = SearchDoc {
                    account_id: r.get(id)?,
                    name: r.get(name)?,
                    domain: r.get(domain)?,
                    external_id: r.get(external_id)?,
                    active: r.get(active)?,
                    mrr_cents: r.get(mrr_cents)?,
                    // The schema holds the form; a code libphonenumber does not know reads
                    // as the team's.
                    country: r
                        .get::<_, Option<String>>(country)?
                        .and_then(|c| Country::parse(&c).ok()),
                    owner: r.get(owner)?,
                    contacts: Vec::new(),
                };
                // Contacts of no account (there are none, by the foreign key) are passed over.
                while let Some((account_id, contact)) = ahead.take() {
                    if account_id > doc.account_id {
                        ahead = Some((account_id, contact));
                        break;
                    }
                    if account_id == doc.account_id {
                        doc.contacts.push(contact);
                    }
                    ahead = contacts.next()?.map(contact_doc).transpose()?;
                }
                each(doc);
            }
            Ok(())
        };
        run().map_err(|e| self.fail(e))
    }
}

/// A contact's row, its columns found by `read::columns`: account, id, name, email, phone.
fn contact_doc(
    r: &sql::Row<'_>,
    [account, id, name, email, phone]: [usize; 5],
) -> sql::Result<(i64, ContactDoc)> {
    Ok((
        r.get(account)?,
        ContactDoc {
            contact_id: r.get(id)?,
            name: r.get(name)?,
            email: r.get(email)?,
            phone: r.get(phone)?,
        },
    ))
}
