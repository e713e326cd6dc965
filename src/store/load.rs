//! Writing whole account histories at once: the demo generator's output, and bulk imports.

use super::sql;
use std::collections::HashMap;

use super::sql::{Bulk, Conn, params};
use serde::Serialize;

use super::codec::{day, instant};
use super::{Store, StoreError};
use crate::domain::access::Write;
use crate::domain::model::{AccountHistory, Rep};

/// How many rows a load wrote, table by table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LoadCounts {
    pub reps: u64,
    pub accounts: u64,
    pub contacts: u64,
    pub interactions: u64,
    pub tickets: u64,
    pub nps_responses: u64,
    pub usage_snapshots: u64,
    pub mrr_changes: u64,
    pub failed_payments: u64,
    pub payment_attempts: u64,
}

impl Store {
    pub fn account_count(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))
            .map_err(|e| self.fail(e))
    }

    /// Writes the reps, then every history, in one transaction: either all of it is stored or
    /// none. `on_account` is called after each account, for progress reports.
    pub fn load(
        &mut self,
        reps: &[Rep],
        histories: impl IntoIterator<Item = AccountHistory>,
        mut on_account: impl FnMut(u64),
    ) -> Result<LoadCounts, StoreError> {
        self.write_once(Write::Demo, "the load of a demo data set", |tx| {
            let mut counts = LoadCounts::default();
            let rep_ids = insert_reps(tx, reps, &mut counts)?;
            let aside = super::fact_counts::set_aside(tx)?;
            let mut bulk = tx.bulk();
            for history in histories {
                insert_history(&mut bulk, &rep_ids, &history, &mut counts)?;
                on_account(counts.accounts);
            }
            bulk.finish()?;
            aside.restore(tx)?;
            Ok(counts)
        })
    }
}

fn insert_reps(
    conn: &Conn,
    reps: &[Rep],
    counts: &mut LoadCounts,
) -> sql::Result<HashMap<String, i64>> {
    // A rep the file has already is left as the team set them up.
    let mut insert = conn.prepare_cached(
        "INSERT INTO reps (login, display_name, role, active) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (login) DO NOTHING",
    )?;
    for rep in reps {
        let added = insert.execute(params![
            rep.login,
            rep.display_name,
            rep.role.as_str(),
            rep.active
        ])?;
        counts.reps += added as u64;
    }
    let mut all = conn.prepare("SELECT login, id FROM reps")?;
    let ids = all
        .query_map([], |r| Ok((r.get("login")?, r.get("id")?)))?
        .collect::<sql::Result<HashMap<String, i64>>>()?;
    Ok(ids)
}

fn rep_id(rep_ids: &HashMap<String, i64>, login: Option<&str>) -> sql::Result<Option<i64>> {
    let Some(login) = login else { return Ok(None) };
    match rep_ids.get(login) {
        Some(&id) => Ok(Some(id)),
        None => Err(sql::Error::Aborted(
            format!("no rep has the login {login:?}").into(),
        )),
    }
}

fn insert_history(
    bulk: &mut Bulk<'_>,
    rep_ids: &HashMap<String, i64>,
    h: &AccountHistory,
    counts: &mut LoadCounts,
) -> sql::Result<()> {
    let a = &h.account;
    let churn = a.churn.as_ref();
    let account_id = bulk.next_id("accounts")?;
    bulk.insert(
        "accounts",
        "id, external_id, name, domain, industry, plan, billing_interval, mrr_cents, currency,
         customer_since, renewal_date, owner_rep_id, status, churned_at, churn_reason, churn_kind,
         updated_at, country, notes",
        params![
            account_id,
            a.external_id,
            a.name,
            a.domain,
            a.industry,
            a.plan,
            a.billing_interval.as_str(),
            a.mrr_cents,
            a.currency,
            day(a.customer_since),
            a.renewal_date.map(day),
            rep_id(rep_ids, a.owner.as_deref())?,
            if churn.is_some() { "churned" } else { "active" },
            churn.map(|c| day(c.on)),
            churn.map(|c| c.reason.as_str()),
            churn.map(|c| c.kind.as_str()),
            instant(&a.updated_at),
            a.country,
            a.notes,
        ],
    )?;
    counts.accounts += 1;

    for c in &h.contacts {
        bulk.insert(
            "contacts",
            "account_id, name, email, phone, role, is_primary",
            params![account_id, c.name, c.email, c.phone, c.role, c.is_primary],
        )?;
        counts.contacts += 1;
    }

    for i in &h.interactions {
        let rep = rep_id(rep_ids, i.rep.as_deref())?;
        super::interactions::write(i, account_id, rep, |values| {
            bulk.insert("interactions", super::interactions::COLUMNS, values)
        })?;
        counts.interactions += 1;
    }

    for c in &h.checkins {
        bulk.insert(
            "checkins",
            "account_id, stage, kind, due_date, done_at, rep_id",
            params![
                account_id,
                c.stage.as_str(),
                c.kind,
                day(c.due_date),
                instant(&c.done_at),
                rep_id(rep_ids, c.rep.as_deref())?,
            ],
        )?;
    }

    for t in &h.tickets {
        bulk.insert(
            "tickets",
            "account_id, external_id, subject, severity, opened_at, resolved_at, satisfaction",
            params![
                account_id,
                t.external_id,
                t.subject,
                t.severity.as_str(),
                instant(&t.opened_at),
                t.resolved_at.as_ref().map(instant),
                t.satisfaction,
            ],
        )?;
        counts.tickets += 1;
    }

    for n in &h.nps {
        bulk.insert(
            "nps_responses",
            "account_id, responded_at, score, comment",
            params![account_id, instant(&n.responded_at), n.score, n.comment],
        )?;
        counts.nps_responses += 1;
    }

    for u in &h.usage {
        bulk.insert(
            "usage_snapshots",
            "account_id, period, active_users, seats, logins, key_feature_uses",
            params![
                account_id,
                day(u.period),
                u.active_users,
                u.seats,
                u.logins,
                u.key_feature_uses
            ],
        )?;
        counts.usage_snapshots += 1;
    }

    for m in &h.mrr_changes {
        bulk.insert(
            "mrr_changes",
            "account_id, changed_on, from_cents, to_cents, reason",
            params![account_id, day(m.on), m.from_cents, m.to_cents, m.reason],
        )?;
        counts.mrr_changes += 1;
    }

    for p in &h.payments {
        let payment_id = bulk.next_id("failed_payments")?;
        bulk.insert(
            "failed_payments",
            "id, account_id, external_ref, amount_cents, currency, first_failed_at,
             last_decline_code, attempt_count, next_retry_at, status, resolved_at, card_exp_month,
             card_exp_year",
            params![
                payment_id,
                account_id,
                p.external_ref,
                p.amount_cents,
                p.currency,
                instant(&p.first_failed_at),
                p.last_decline_code,
                p.attempts.len().max(1) as i64,
                p.next_retry_at.as_ref().map(instant),
                p.status.as_str(),
                p.resolved_at.as_ref().map(instant),
                p.card_expiry.map(|(m, _)| m),
                p.card_expiry.map(|(_, y)| y),
            ],
        )?;
        counts.failed_payments += 1;
        for at in &p.attempts {
            bulk.insert(
                "payment_attempts",
                "payment_id, attempted_at, outcome, decline_code, automatic",
                params![
                    payment_id,
                    instant(&at.attempted_at),
                    at.outcome.as_str(),
                    at.decline_code,
                    at.automatic
                ],
            )?;
            counts.payment_attempts += 1;
        }
    }
    Ok(())
}
