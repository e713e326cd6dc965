//! Failed payments as the retry queues read them.

use super::sql;
use std::collections::HashMap;

use super::sql::params;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};

use super::codec::{day, read};
use super::{Scope, Store, StoreError};
use crate::domain::recovery::{Churned, FailedPayment, Outcome};
use crate::domain::retry::{Attempt, History, RetryPolicy};

/// The last card known on an active account, expiring soon.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExpiringCard {
    pub account_id: i64,
    pub name: String,
    pub owner: Option<String>,
    pub mrr_cents: i64,
    pub currency: String,
    pub exp_month: u32,
    pub exp_year: i32,
}

/// A failed payment with its account and everything the retry policy reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub payment_id: i64,
    pub account_id: i64,
    pub name: String,
    pub owner: Option<String>,
    pub account_active: bool,
    pub mrr_cents: i64,
    pub external_ref: String,
    pub amount_cents: i64,
    pub currency: String,
    pub status: String,
    pub resolved_at: Option<DateTime<Utc>>,
    pub card_expiry: Option<(u32, i32)>,
    pub last_outreach_at: Option<DateTime<Utc>>,
    /// Why a hook's charge is in doubt, while it is.
    pub hook_unsettled_why: Option<String>,
    pub history: History,
}

impl Store {
    /// Payments failing now, and those recovered in the 30 days before `today`.
    pub fn payments_in_dunning(
        &self,
        today: NaiveDate,
        scope: Scope<'_>,
    ) -> Result<Vec<PaymentRow>, StoreError> {
        self.read_payments(today, scope).map_err(|e| self.fail(e))
    }

    fn read_payments(&self, today: NaiveDate, scope: Scope<'_>) -> sql::Result<Vec<PaymentRow>> {
        let c = &self.conn;
        let since = day(today - Days::new(30));
        let (only, to) = scope.params();
        let mut stmt = c.prepare_cached(&format!(
            "SELECT p.id AS payment_id, a.id AS account_id, a.name, r.login AS owner,
                        a.status = 'active' AS account_active, a.mrr_cents,
                        p.external_ref, p.amount_cents, p.currency, p.status, p.resolved_at,
                        p.card_exp_month, p.card_exp_year, p.last_outreach_at,
                        p.first_failed_at, p.last_decline_code, p.advice_code,
                        p.card_updated_at, p.paused_until, p.hook_unsettled_at,
                        p.hook_unsettled_why
                 FROM failed_payments p JOIN accounts a ON a.id = p.account_id
                 LEFT JOIN reps r ON r.id = a.owner_rep_id
                 WHERE (p.status = 'failing' OR (p.status = 'recovered' AND p.resolved_at >= ?1))
                       {}
                 ORDER BY p.first_failed_at, p.id",
            scope.filter(&self.conn, "p.account_id", 2)
        ))?;
        let [
            payment_id,
            account_id,
            name,
            owner,
            account_active,
            mrr_cents,
            external_ref,
            amount_cents,
            currency,
            status,
            resolved_at,
            card_exp_month,
            card_exp_year,
            last_outreach_at,
            first_failed_at,
            last_decline_code,
            advice_code,
            card_updated_at,
            paused_until,
            hook_unsettled_at,
            hook_unsettled_why,
        ] = read::columns(
            &stmt,
            [
                "payment_id",
                "account_id",
                "name",
                "owner",
                "account_active",
                "mrr_cents",
                "external_ref",
                "amount_cents",
                "currency",
                "status",
                "resolved_at",
                "card_exp_month",
                "card_exp_year",
                "last_outreach_at",
                "first_failed_at",
                "last_decline_code",
                "advice_code",
                "card_updated_at",
                "paused_until",
                "hook_unsettled_at",
                "hook_unsettled_why",
            ],
        )?;
        let mut rows: Vec<PaymentRow> = stmt
            .query_map(params![since, only, to], |r| {
                let month: Option<u32> = r.get(card_exp_month)?;
                let year: Option<i32> = r.get(card_exp_year)?;
                Ok(PaymentRow {
                    payment_id: r.get(payment_id)?,
                    account_id: r.get(account_id)?,
                    name: r.get(name)?,
                    owner: r.get(owner)?,
                    account_active: r.get(account_active)?,
                    mrr_cents: r.get(mrr_cents)?,
                    external_ref: r.get(external_ref)?,
                    amount_cents: r.get(amount_cents)?,
                    currency: r.get(currency)?,
                    status: r.get(status)?,
                    resolved_at: read::opt_instant(r, resolved_at)?,
                    card_expiry: month.zip(year),
                    last_outreach_at: read::opt_instant(r, last_outreach_at)?,
                    hook_unsettled_why: r.get(hook_unsettled_why)?,
                    history: History {
                        first_failed_at: read::instant(r, first_failed_at)?,
                        attempts: Vec::new(),
                        decline_code: r.get(last_decline_code)?,
                        advice_code: r.get(advice_code)?,
                        card_updated_at: read::opt_instant(r, card_updated_at)?,
                        paused_until: read::opt_day(r, paused_until)?,
                        hook_unsettled_at: read::opt_instant(r, hook_unsettled_at)?,
                        recovered: r.get::<_, String>(status)? == "recovered",
                    },
                })
            })?
            .collect::<sql::Result<_>>()?;
        let mut attempts: HashMap<i64, Vec<Attempt>> = HashMap::new();
        let mut stmt = c.prepare_cached(&format!(
            "SELECT a.payment_id, a.attempted_at, a.outcome = 'succeeded' AS succeeded
             FROM payment_attempts a JOIN failed_payments p ON p.id = a.payment_id
             WHERE (p.status = 'failing' OR (p.status = 'recovered' AND p.resolved_at >= ?1))
                   {}
             ORDER BY a.payment_id, a.attempted_at, a.id",
            scope.filter(&self.conn, "p.account_id", 2)
        ))?;
        let [payment, at, succeeded] =
            read::columns(&stmt, ["payment_id", "attempted_at", "succeeded"])?;
        let mut found = stmt.query(params![since, only, to])?;
        while let Some(ref r) = found.next()? {
            attempts.entry(r.get(payment)?).or_default().push(Attempt {
                at: read::instant(r, at)?,
                succeeded: r.get(succeeded)?,
            });
        }
        for row in &mut rows {
            row.history.attempts = attempts.remove(&row.payment_id).unwrap_or_default();
        }
        Ok(rows)
    }

    /// Active accounts whose card expires within `days` of `today`: the card the billing system
    /// reported, else the one of the account's latest failed payment.
    pub fn expiring_cards(
        &self,
        today: NaiveDate,
        days: u64,
    ) -> Result<Vec<ExpiringCard>, StoreError> {
        let until = today + Days::new(days);
        let run = || -> sql::Result<Vec<ExpiringCard>> {
            let rows = self
                .conn
                .prepare_cached(
                    // Only cards ending in the months the window touches are looked at: the
                    // last card seen per account, the billing system's report first.
                    "WITH latest AS (
                         SELECT account_id, card_exp_month AS month, card_exp_year AS year,
                                row_number() OVER (PARTITION BY account_id
                                                   ORDER BY first_failed_at DESC, id DESC) AS n
                         FROM failed_payments WHERE card_exp_month IS NOT NULL),
                     cards AS (
                         SELECT account_id, exp_month AS month, exp_year AS year FROM account_cards
                         UNION ALL
                         SELECT account_id, month, year FROM latest
                         WHERE n = 1 AND account_id NOT IN (SELECT account_id FROM account_cards))
                     SELECT a.id, a.name, r.login AS owner, a.mrr_cents, a.currency, c.month, c.year
                     FROM cards c JOIN accounts a ON a.id = c.account_id
                     LEFT JOIN reps r ON r.id = a.owner_rep_id
                     WHERE a.status = 'active' AND c.year * 12 + c.month BETWEEN ?1 AND ?2
                     ORDER BY c.year, c.month, a.mrr_cents DESC",
                )?
                .query_map(params![month_index(today), month_index(until)], |r| {
                    Ok(ExpiringCard {
                        account_id: r.get("id")?,
                        name: r.get("name")?,
                        owner: r.get("owner")?,
                        mrr_cents: r.get("mrr_cents")?,
                        currency: r.get("currency")?,
                        exp_month: r.get("month")?,
                        exp_year: r.get("year")?,
                    })
                })?
                .collect::<sql::Result<Vec<_>>>()?;
            // A card works to the end of its expiry month.
            Ok(rows
                .into_iter()
                .filter(|c| {
                    NaiveDate::from_ymd_opt(c.exp_year, c.exp_month, 1)
                        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                        .is_some_and(|end| end > today && end <= until + Days::new(1))
                })
                .collect())
        };
        run().map_err(|e| self.fail(e))
    }
}

/// Months counted from year 0, as the query compares card expiries.
fn month_index(day: NaiveDate) -> i64 {
    i64::from(day.year()) * 12 + i64::from(day.month())
}

impl Store {
    /// Payments that first failed, and accounts that churned, on or after `since`: what the
    /// recovery metrics read.
    pub fn recovery_inputs(
        &self,
        since: NaiveDate,
        policy: &RetryPolicy,
    ) -> Result<(Vec<FailedPayment>, Vec<Churned>), StoreError> {
        let c = &self.conn;
        let run = || -> sql::Result<_> {
            let payments = c
                .prepare_cached(
                    "SELECT first_failed_at, amount_cents, currency, last_decline_code, advice_code,
                            status, resolved_at, card_updated_at IS NOT NULL
                                AND (resolved_at IS NULL OR card_updated_at <= resolved_at)
                                AS card_updated
                     FROM failed_payments WHERE first_failed_at >= ?1",
                )?
                .query_map([day(since)], |r| {
                    let code: String = r.get("last_decline_code")?;
                    let advice: Option<String> = r.get("advice_code")?;
                    let status: String = r.get("status")?;
                    Ok(FailedPayment {
                        first_failed: read::instant(r, "first_failed_at")?.date_naive(),
                        amount_cents: r.get("amount_cents")?,
                        currency: r.get("currency")?,
                        class: policy.class_of(&code, advice.as_deref()).class,
                        outcome: match status.as_str() {
                            "recovered" => Outcome::Recovered,
                            "lost" => Outcome::Lost,
                            "written_off" => Outcome::WrittenOff,
                            _ => Outcome::Failing,
                        },
                        resolved_on: read::opt_instant(r, "resolved_at")?.map(|t| t.date_naive()),
                        card_updated: r.get("card_updated")?,
                    })
                })?
                .collect::<sql::Result<Vec<_>>>()?;
            let churned = c
                .prepare_cached(
                    "SELECT churned_at, mrr_cents, currency, churn_kind = 'involuntary' AS involuntary
                     FROM accounts WHERE status = 'churned' AND churned_at >= ?1",
                )?
                .query_map([day(since)], |r| {
                    Ok(Churned {
                        on: read::day(r, "churned_at")?,
                        mrr_cents: r.get("mrr_cents")?,
                        currency: r.get("currency")?,
                        involuntary: r.get::<_, Option<bool>>("involuntary")?.unwrap_or(false),
                    })
                })?
                .collect::<sql::Result<Vec<_>>>()?;
            Ok((payments, churned))
        };
        run().map_err(|e| self.fail(e))
    }
}
