//! Writing validated CSV rows: each kind found by its natural key (an external id, or the
//! account and moment it is about), inserted when new, updated when it differs, left alone when
//! the same. All of a file in one transaction.

use super::sql;
use super::sql::{Conn, Value, params_from_iter};
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

use super::audit::{self, Change};
use super::codec::instant;
use super::import_set;
use super::{Store, StoreError};
use crate::domain::access::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Accounts,
    Contacts,
    Interactions,
    Tickets,
    Nps,
    Usage,
    Payments,
}

/// A value read from a file, already in the store's form (days and instants as their text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
}

/// One row: (our column, value).
pub type ImportRow = Vec<(&'static str, Cell)>;

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl std::ops::AddAssign for ImportCounts {
    fn add_assign(&mut self, more: ImportCounts) {
        self.inserted += more.inserted;
        self.updated += more.updated;
        self.unchanged += more.unchanged;
    }
}

/// How a kind is found, added and changed. Parameters are the columns' names; `:id` is the
/// row found, `:now` the moment of the import.
pub(super) struct Sql {
    pub find: &'static str,
    pub insert: &'static str,
    /// Changes the row `:id`, and only when something differs.
    pub update: &'static str,
}

pub(super) fn sql(kind: ImportKind) -> Sql {
    match kind {
        ImportKind::Accounts => Sql {
            find: "SELECT id FROM accounts WHERE external_id = :external_id",
            insert: "INSERT INTO accounts (external_id, name, domain, country, industry, plan,
                         billing_interval, mrr_cents, currency, customer_since, renewal_date,
                         owner_rep_id, status, churned_at, churn_reason, churn_kind, updated_at)
                     VALUES (:external_id, :name, :domain, :country, :industry, :plan,
                         coalesce(:billing_interval, 'monthly'), coalesce(:mrr, 0),
                         coalesce(:currency, 'USD'), :customer_since, :renewal_date,
                         (SELECT id FROM reps WHERE login = :owner),
                         CASE WHEN CAST(:churned_at AS TEXT) IS NULL THEN 'active' ELSE 'churned' END,
                         :churned_at, :churn_reason,
                         CASE WHEN CAST(:churned_at AS TEXT) IS NULL THEN NULL
                              ELSE coalesce(:churn_kind, 'voluntary') END,
                         :now)",
            update: "UPDATE accounts SET name = :name,
                         domain = coalesce(:domain, domain), country = coalesce(:country, country),
                         industry = coalesce(:industry, industry),
                         plan = coalesce(:plan, plan),
                         billing_interval = coalesce(:billing_interval, billing_interval),
                         mrr_cents = coalesce(:mrr, mrr_cents), currency = coalesce(:currency, currency),
                         customer_since = :customer_since,
                         renewal_date = coalesce(:renewal_date, renewal_date),
                         owner_rep_id = coalesce((SELECT id FROM reps WHERE login = :owner), owner_rep_id),
                         status = CASE WHEN CAST(:churned_at AS TEXT) IS NULL THEN 'active' ELSE 'churned' END,
                         churned_at = :churned_at,
                         churn_reason = coalesce(:churn_reason, churn_reason),
                         churn_kind = CASE WHEN CAST(:churned_at AS TEXT) IS NULL THEN NULL
                                           ELSE coalesce(:churn_kind, churn_kind, 'voluntary') END,
                         version = version + 1, updated_at = :now
                     WHERE id = :id AND (name, domain, country, industry, plan, billing_interval, mrr_cents,
                         currency, customer_since, renewal_date, owner_rep_id, churned_at,
                         churn_reason, churn_kind)
                       IS DISTINCT FROM (:name, coalesce(:domain, domain), coalesce(:country, country),
                         coalesce(:industry, industry),
                         coalesce(:plan, plan), coalesce(:billing_interval, billing_interval),
                         coalesce(:mrr, mrr_cents), coalesce(:currency, currency), :customer_since,
                         coalesce(:renewal_date, renewal_date),
                         coalesce((SELECT id FROM reps WHERE login = :owner), owner_rep_id),
                         :churned_at, coalesce(:churn_reason, churn_reason),
                         CASE WHEN CAST(:churned_at AS TEXT) IS NULL THEN NULL
                              ELSE coalesce(:churn_kind, churn_kind, 'voluntary') END)",
        },
        ImportKind::Contacts => Sql {
            find: "SELECT id FROM contacts WHERE account_id = (SELECT id FROM accounts WHERE external_id = :account)
                     AND ((CAST(:email AS TEXT) IS NOT NULL AND lower(email) = lower(:email))
                          OR (CAST(:email AS TEXT) IS NULL AND email IS NULL AND name = :name))",
            insert: "INSERT INTO contacts (account_id, name, email, phone, role, is_primary)
                     VALUES ((SELECT id FROM accounts WHERE external_id = :account), :name, :email,
                             :phone, :role, coalesce(:is_primary, 0))",
            update: "UPDATE contacts SET name = :name, phone = coalesce(:phone, phone),
                         role = coalesce(:role, role), is_primary = coalesce(:is_primary, is_primary)
                     WHERE id = :id AND (name, phone, role, is_primary)
                       IS DISTINCT FROM (:name, coalesce(:phone, phone), coalesce(:role, role),
                               coalesce(:is_primary, is_primary))",
        },
        ImportKind::Interactions => Sql {
            find: "SELECT id FROM interactions WHERE account_id = (SELECT id FROM accounts WHERE external_id = :account)
                     AND occurred_at = :occurred_at AND kind = :kind AND summary = :summary",
            insert: "INSERT INTO interactions (account_id, rep_id, kind, occurred_at, summary, body,
                         outcome, tags)
                     VALUES ((SELECT id FROM accounts WHERE external_id = :account),
                             (SELECT id FROM reps WHERE login = :rep), :kind, :occurred_at,
                             :summary, coalesce(:body, ''), :outcome, coalesce(:tags, ''))",
            update: "UPDATE interactions SET body = coalesce(:body, body),
                         outcome = coalesce(:outcome, outcome), tags = coalesce(:tags, tags),
                         rep_id = coalesce((SELECT id FROM reps WHERE login = :rep), rep_id)
                     WHERE id = :id AND (body, outcome, tags, rep_id)
                       IS DISTINCT FROM (coalesce(:body, body), coalesce(:outcome, outcome),
                               coalesce(:tags, tags),
                               coalesce((SELECT id FROM reps WHERE login = :rep), rep_id))",
        },
        ImportKind::Tickets => Sql {
            find: "SELECT id FROM tickets WHERE external_id = :external_id",
            insert: "INSERT INTO tickets (account_id, external_id, subject, severity, opened_at,
                         resolved_at, satisfaction)
                     VALUES ((SELECT id FROM accounts WHERE external_id = :account), :external_id,
                             :subject, coalesce(:severity, 'normal'), :opened_at, :resolved_at,
                             :satisfaction)",
            update: "UPDATE tickets SET subject = :subject, severity = coalesce(:severity, severity),
                         opened_at = :opened_at, resolved_at = :resolved_at,
                         satisfaction = coalesce(:satisfaction, satisfaction)
                     WHERE id = :id AND (subject, severity, opened_at, resolved_at, satisfaction)
                       IS DISTINCT FROM (:subject, coalesce(:severity, severity), :opened_at, :resolved_at,
                               coalesce(:satisfaction, satisfaction))",
        },
        ImportKind::Nps => Sql {
            find: "SELECT id FROM nps_responses WHERE account_id = (SELECT id FROM accounts WHERE external_id = :account)
                     AND responded_at = :responded_at",
            insert: "INSERT INTO nps_responses (account_id, responded_at, score, comment)
                     VALUES ((SELECT id FROM accounts WHERE external_id = :account), :responded_at,
                             :score, coalesce(:comment, ''))",
            update: "UPDATE nps_responses SET score = :score, comment = coalesce(:comment, comment)
                     WHERE id = :id AND (score, comment) IS DISTINCT FROM (:score, coalesce(:comment, comment))",
        },
        ImportKind::Usage => Sql {
            find: "SELECT id FROM usage_snapshots WHERE account_id = (SELECT id FROM accounts WHERE external_id = :account)
                     AND period = :period",
            insert: "INSERT INTO usage_snapshots (account_id, period, active_users, seats, logins,
                         key_feature_uses)
                     VALUES ((SELECT id FROM accounts WHERE external_id = :account), :period,
                             :active_users, :seats, coalesce(:logins, 0),
                             coalesce(:key_feature_uses, 0))",
            update: "UPDATE usage_snapshots SET active_users = :active_users, seats = :seats,
                         logins = coalesce(:logins, logins),
                         key_feature_uses = coalesce(:key_feature_uses, key_feature_uses)
                     WHERE id = :id AND (active_users, seats, logins, key_feature_uses)
                       IS DISTINCT FROM (:active_users, :seats, coalesce(:logins, logins),
                               coalesce(:key_feature_uses, key_feature_uses))",
        },
        ImportKind::Payments => Sql {
            find: "SELECT id FROM failed_payments WHERE external_ref = :external_ref",
            insert: "INSERT INTO failed_payments (account_id, external_ref, amount_cents, currency,
                         first_failed_at, last_decline_code, status, resolved_at)
                     VALUES ((SELECT id FROM accounts WHERE external_id = :account), :external_ref,
                             :amount, :currency, :first_failed_at, :decline_code,
                             coalesce(:status, 'failing'),
                             CASE WHEN coalesce(:status, 'failing') = 'failing' THEN NULL
                                  ELSE coalesce(:resolved_at, :now) END)",
            // A payment resolved by the file is no longer in a hook's doubt: its mark goes.
            update: "UPDATE failed_payments SET amount_cents = :amount, currency = :currency,
                         first_failed_at = :first_failed_at, last_decline_code = :decline_code,
                         status = coalesce(:status, status),
                         resolved_at = CASE WHEN coalesce(:status, status) = 'failing' THEN NULL
                                            ELSE coalesce(:resolved_at, resolved_at, :now) END,
                         hook_unsettled_at = CASE WHEN coalesce(:status, status) = 'failing'
                                                  THEN hook_unsettled_at END,
                         hook_unsettled_why = CASE WHEN coalesce(:status, status) = 'failing'
                                                   THEN hook_unsettled_why END
                     WHERE id = :id AND (amount_cents, currency, first_failed_at,
                         last_decline_code, status,
                         hook_unsettled_at IS NOT NULL AND coalesce(:status, status) <> 'failing')
                       IS DISTINCT FROM (:amount, :currency, :first_failed_at, :decline_code,
                               coalesce(:status, status), FALSE)",
        },
    }
}

impl Store {
    /// The external ids among `ids` that no account has.
    pub fn unknown_accounts<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<&'a str>, StoreError> {
        let ids: Vec<&'a str> = ids.into_iter().collect();
        let known = account_ids(&self.conn, &ids).map_err(|e| self.fail(e))?;
        Ok(ids
            .into_iter()
            .filter(|id| !known.contains_key(*id))
            .collect())
    }

    /// Writes every row in one transaction, `today` dating the MRR changes an accounts file
    /// makes. `source` names the file in the audit log.
    pub fn import_rows(
        &mut self,
        kind: ImportKind,
        rows: impl Iterator<Item = ImportRow>,
        source: &str,
        today: NaiveDate,
        os_user: &str,
        now: DateTime<Utc>,
    ) -> Result<ImportCounts, StoreError> {
        // Others are told the file's name, not its whole path: it must fit a footer.
        let file = source.rsplit('/').next().unwrap_or(source);
        self.write_once(Write::Import, &format!("the import of {file}"), |tx| {
            let sql = sql(kind);
            let stamp = instant(&now);
            let counts = import_set::import(tx, kind, &sql, rows, today, &stamp)?;
            if counts.inserted + counts.updated > 0 {
                audit::record(
                    tx,
                    &Change {
                        at: now,
                        os_user,
                        action: "import csv",
                        entity: table(kind),
                        entity_id: None,
                        before: None,
                        after: Some(json!({ "source": source, "counts": &counts })),
                    },
                )?;
            }
            Ok(counts)
        })
    }
}

/// The ids of the accounts whose external ids are among `externals`, by external id.
pub(super) fn account_ids(
    conn: &Conn,
    externals: &[impl AsRef<str>],
) -> sql::Result<HashMap<String, i64>> {
    // Asked a few hundred at a time: on a server, one round trip per id was most of the
    // check of a file that names a hundred thousand accounts.
    const AT_ONCE: usize = 500;
    let mut ids = HashMap::new();
    for chunk in externals.chunks(AT_ONCE) {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT external_id, id FROM accounts WHERE external_id IN ({})",
            sql::marks(chunk.len())
        ))?;
        let mut rows = stmt.query(params_from_iter(chunk.iter().map(AsRef::as_ref)))?;
        while let Some(ref r) = rows.next()? {
            ids.insert(r.get::<_, String>(0)?, r.get(1)?);
        }
    }
    Ok(ids)
}

pub(super) fn table(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Accounts => "accounts",
        ImportKind::Contacts => "contacts",
        ImportKind::Interactions => "interactions",
        ImportKind::Tickets => "tickets",
        ImportKind::Nps => "nps_responses",
        ImportKind::Usage => "usage_snapshots",
        ImportKind::Payments => "failed_payments",
    }
}

/// The values of every parameter the statement names, from the row (absent ones as NULL).
pub(super) fn values_for(names: &[String], row: &ImportRow) -> Vec<Value> {
    names
        .iter()
        .map(
            |name| match row.iter().find(|(k, _)| k == name).map(|(_, v)| v) {
                None | Some(Cell::Null) => Value::Null,
                Some(Cell::Text(s)) => Value::Text(s.clone()),
                Some(Cell::Int(n)) => Value::Integer(*n),
                Some(Cell::Bool(b)) => Value::Integer(i64::from(*b)),
            },
        )
        .collect()
}
