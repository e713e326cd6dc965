//! Applying what a billing system exported: failed payments, their attempts, recoveries and
//! cards on file. All of a file in one transaction, and idempotent: a change already recorded
//! is recognised by the payment's and the attempt's ids and left alone.

use super::sql;
use std::collections::{BTreeMap, BTreeSet};

use super::sql::{Conn, OptionalExtension, params};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::codec::{instant, read};
use super::dunning::{Actor, AttemptResult, NewAttempt, add_attempt, audit_payment};
use super::{Store, StoreError};
use crate::domain::access::Write;
use crate::domain::billing::{BillingChange, BillingEvent, CardOnFile};
use crate::domain::retry::RetryPolicy;

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct BillingCounts {
    pub payments_opened: usize,
    pub attempts_recorded: usize,
    pub recovered: usize,
    pub cards_noted: usize,
    /// Changes the database already held.
    pub unchanged: usize,
    /// Successful payments that never failed: nothing to recover.
    pub paid_without_failure: usize,
    /// Customer ids that match no account's external id, with how many events named each.
    pub unmatched_customers: BTreeMap<String, usize>,
}

impl Store {
    /// Applies `events` oldest first, all or nothing. `source` names the file in the audit log.
    pub fn apply_billing(
        &mut self,
        events: &[BillingEvent],
        source: &str,
        policy: &RetryPolicy,
        by: Actor<'_>,
    ) -> Result<BillingCounts, StoreError> {
        // By time, and at one time a failure before a success: the same events give the same
        // database in whatever order a file lists them.
        let mut order: Vec<&BillingEvent> = events.iter().collect();
        order.sort_by_key(|e| {
            let rank = match e.change {
                BillingChange::PaymentFailed { .. } => 0,
                BillingChange::PaymentSucceeded { .. } => 1,
                BillingChange::CardExpiring { .. } => 2,
            };
            (e.at, rank)
        });
        self.write(Write::Import, |tx| {
            let mut counts = BillingCounts::default();
            let mut touched = BTreeSet::new();
            for &event in &order {
                let Some(account_id) = account_of(tx, &event.customer)? else {
                    *counts
                        .unmatched_customers
                        .entry(event.customer.clone())
                        .or_default() += 1;
                    continue;
                };
                if let Some(id) = apply(tx, account_id, event, policy, &mut counts)? {
                    touched.insert(id);
                }
            }
            // A file that changed nothing leaves no trace: importing twice is the same as once.
            if !touched.is_empty() || counts.cards_noted > 0 {
                audit_payment(
                    tx,
                    by,
                    "import billing",
                    None,
                    None,
                    json!({ "source": source, "payments": touched, "counts": &counts }),
                )?;
            }
            Ok(counts)
        })
    }
}

fn account_of(tx: &Conn, customer: &str) -> sql::Result<Option<i64>> {
    tx.prepare_cached("SELECT id FROM accounts WHERE external_id = ?1")?
        .query_row([customer], |r| r.get(0))
        .optional()
}

/// Applies one event; returns the payment it changed, if any.
fn apply(
    tx: &Conn,
    account_id: i64,
    event: &BillingEvent,
    policy: &RetryPolicy,
    counts: &mut BillingCounts,
) -> sql::Result<Option<i64>> {
    match &event.change {
        BillingChange::PaymentFailed {
            payment_ref,
            attempt_ref,
            attempt_number,
            amount_cents,
            currency,
            decline_code,
            advice_code,
            card,
        } => {
            if let Some(card) = card {
                note_card(tx, account_id, card, event.at, counts)?;
            }
            let (payment_id, known_code) = match payment(tx, payment_ref)? {
                Some((payment_id, code)) => {
                    // Whichever event came first opened it: what a later one knows better (an
                    // earlier first failure, the card) is taken, so the order does not matter.
                    let earlier = tx.pick("min", "least");
                    tx.prepare_cached(&format!(
                        "UPDATE failed_payments
                         SET first_failed_at = {earlier}(first_failed_at, ?2),
                             card_exp_month = coalesce(card_exp_month, ?3),
                             card_exp_year = coalesce(card_exp_year, ?4)
                         WHERE id = ?1 AND (first_failed_at > ?2
                               OR (card_exp_month IS NULL AND CAST(?3 AS BIGINT) IS NOT NULL))"
                    ))?
                    .execute(params![
                        payment_id,
                        instant(&event.at),
                        card.as_ref().map(|c| c.exp_month),
                        card.as_ref().map(|c| c.exp_year),
                    ])?;
                    (payment_id, code)
                }
                None => {
                    let code = decline_code.as_deref().unwrap_or("unknown");
                    tx.prepare_cached(
                        "INSERT INTO failed_payments (account_id, external_ref, amount_cents,
                             currency, first_failed_at, last_decline_code, advice_code,
                             card_exp_month, card_exp_year)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )?
                    .execute(params![
                        account_id,
                        payment_ref,
                        amount_cents,
                        currency,
                        instant(&event.at),
                        code,
                        advice_code,
                        card.as_ref().map(|c| c.exp_month),
                        card.as_ref().map(|c| c.exp_year),
                    ])?;
                    counts.payments_opened += 1;
                    (tx.last_insert_rowid()?, code.to_string())
                }
            };
            // An invoice says how many attempts were made but not which charge this one was:
            // it adds an attempt only when it counts more than are recorded.
            let attempt_ref = match (attempt_ref, attempt_number) {
                (Some(r), _) => {
                    // An invoice counted this decline before its charge came: the charge takes
                    // the place of the count's stand-in rather than adding a second attempt.
                    let stand_in = tx
                        .prepare_cached(
                            "SELECT id FROM payment_attempts
                             WHERE payment_id = ?1 AND outcome = 'failed'
                                   AND external_ref LIKE ?2 ESCAPE '\\'
                             ORDER BY attempted_at, id LIMIT 1",
                        )?
                        .query_row(params![payment_id, like_prefix(payment_ref, "#")], |r| {
                            r.get::<_, i64>(0)
                        })
                        .optional()?;
                    let known = tx
                        .prepare_cached("SELECT 1 FROM payment_attempts WHERE external_ref = ?1")?
                        .exists([r])?;
                    if let (Some(id), false) = (stand_in, known) {
                        tx.prepare_cached(
                            "UPDATE payment_attempts
                             SET external_ref = ?2, attempted_at = ?3, decline_code = ?4
                             WHERE id = ?1",
                        )?
                        .execute(params![
                            id,
                            r,
                            instant(&event.at),
                            decline_code.as_deref().unwrap_or(&known_code)
                        ])?;
                        // The processor's advice comes with the charge, not the invoice.
                        if advice_code.is_some() {
                            tx.prepare_cached(
                                "UPDATE failed_payments SET advice_code = ?2 WHERE id = ?1",
                            )?
                            .execute(params![payment_id, advice_code])?;
                        }
                        super::dunning::refresh(tx, payment_id, policy, event.at)?;
                        counts.attempts_recorded += 1;
                        return Ok(Some(payment_id));
                    }
                    Some(r.clone())
                }
                (None, Some(n)) => {
                    let recorded: u32 = tx.query_row(
                        "SELECT count(*) FROM payment_attempts
                         WHERE payment_id = ?1 AND outcome = 'failed'",
                        [payment_id],
                        |r| r.get(0),
                    )?;
                    if recorded >= *n {
                        counts.unchanged += 1;
                        return Ok(None);
                    }
                    Some(format!("{payment_ref}#{n}"))
                }
                // Nothing names the attempt: its payment and moment do, the same on every import.
                (None, None) => Some(format!("{payment_ref}@{}", event.at.timestamp())),
            };
            let result = AttemptResult::Failed {
                decline_code: decline_code.clone().unwrap_or(known_code),
                advice_code: advice_code.clone(),
            };
            let failed = record(
                tx,
                payment_id,
                event.at,
                result,
                attempt_ref,
                policy,
                counts,
            )?;
            // Paid already, by an earlier import's word: recovered now.
            let paid = tx
                .prepare_cached(
                    "SELECT b.attempt_ref, b.paid_at FROM billing_paid b
                     JOIN failed_payments p ON p.external_ref = b.payment_ref
                     WHERE b.payment_ref = ?1 AND b.paid_at >= ?2 AND p.status = 'failing'",
                )?
                .query_row(params![payment_ref, instant(&event.at)], |r| {
                    Ok((
                        r.get::<_, Option<String>>("attempt_ref")?,
                        read::instant(r, "paid_at")?,
                    ))
                })
                .optional()?;
            match paid {
                Some((attempt_ref, at)) => {
                    let won =
                        succeed(tx, payment_id, payment_ref, attempt_ref, at, policy, counts)?;
                    Ok(won.or(failed))
                }
                None => Ok(failed),
            }
        }
        BillingChange::PaymentSucceeded {
            payment_ref,
            attempt_ref,
        } => {
            // Remembered whether or not its failure is known yet (it may be in a file not
            // imported yet), so that the database is the same in either order.
            tx.prepare_cached(
                "INSERT INTO billing_paid (payment_ref, attempt_ref, paid_at)
                 VALUES (?1, ?2, ?3)
                 ON CONFLICT (payment_ref) DO UPDATE SET attempt_ref = excluded.attempt_ref,
                     paid_at = excluded.paid_at
                 WHERE excluded.paid_at < billing_paid.paid_at",
            )?
            .execute(params![payment_ref, attempt_ref, instant(&event.at)])?;
            let Some((payment_id, _)) = payment(tx, payment_ref)? else {
                counts.paid_without_failure += 1;
                return Ok(None);
            };
            succeed(
                tx,
                payment_id,
                payment_ref,
                attempt_ref.clone(),
                event.at,
                policy,
                counts,
            )
        }
        BillingChange::CardExpiring { card } => {
            note_card(tx, account_id, card, event.at, counts)?;
            Ok(None)
        }
    }
}

/// A LIKE pattern for text starting with `prefix` then `then`, with LIKE's own characters escaped.
fn like_prefix(prefix: &str, then: &str) -> String {
    let escaped: String = prefix
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("{escaped}{then}%")
}

/// Records that a failing payment was paid at `at`; `None` when it was not failing or the
/// success was recorded before.
fn succeed(
    tx: &Conn,
    payment_id: i64,
    payment_ref: &str,
    attempt_ref: Option<String>,
    at: DateTime<Utc>,
    policy: &RetryPolicy,
    counts: &mut BillingCounts,
) -> sql::Result<Option<i64>> {
    let (status, resolved_at): (String, Option<String>) = tx.query_row(
        "SELECT status, resolved_at FROM failed_payments WHERE id = ?1",
        [payment_id],
        |r| Ok((r.get("status")?, r.get("resolved_at")?)),
    )?;
    let attempt_ref = attempt_ref.unwrap_or_else(|| format!("{payment_ref}#paid"));
    // Two reports of one success (the invoice paid, its charge succeeded): the earliest is the
    // one kept, whichever came first.
    if status == "recovered"
        && resolved_at
            .as_deref()
            .is_some_and(|r| r > instant(&at).as_str())
    {
        let moved = tx
            .prepare_cached(
                "UPDATE payment_attempts SET external_ref = ?2, attempted_at = ?3
                 WHERE payment_id = ?1 AND outcome = 'succeeded'
                       AND NOT EXISTS (SELECT 1 FROM payment_attempts WHERE external_ref = ?2)",
            )?
            .execute(params![payment_id, attempt_ref, instant(&at)])?;
        if moved > 0 {
            tx.prepare_cached("UPDATE failed_payments SET resolved_at = ?2 WHERE id = ?1")?
                .execute(params![payment_id, instant(&at)])?;
            counts.attempts_recorded += 1;
            return Ok(Some(payment_id));
        }
    }
    if status != "failing" {
        counts.unchanged += 1;
        return Ok(None);
    }
    let found = record(
        tx,
        payment_id,
        at,
        AttemptResult::Succeeded,
        Some(attempt_ref),
        policy,
        counts,
    )?;
    if found.is_some() {
        counts.recovered += 1;
    }
    Ok(found)
}

fn payment(tx: &Conn, external_ref: &str) -> sql::Result<Option<(i64, String)>> {
    tx.prepare_cached("SELECT id, last_decline_code FROM failed_payments WHERE external_ref = ?1")?
        .query_row([external_ref], |r| {
            Ok((r.get("id")?, r.get("last_decline_code")?))
        })
        .optional()
}

fn record(
    tx: &Conn,
    payment_id: i64,
    at: DateTime<Utc>,
    result: AttemptResult,
    attempt_ref: Option<String>,
    policy: &RetryPolicy,
    counts: &mut BillingCounts,
) -> sql::Result<Option<i64>> {
    let attempt = NewAttempt {
        at,
        result,
        automatic: true,
        external_ref: attempt_ref.as_deref(),
    };
    match add_attempt(tx, payment_id, &attempt, policy)? {
        Some(_) => {
            counts.attempts_recorded += 1;
            Ok(Some(payment_id))
        }
        None => {
            counts.unchanged += 1;
            Ok(None)
        }
    }
}

/// Keeps the newest card the billing system reported for the account.
fn note_card(
    tx: &Conn,
    account_id: i64,
    card: &CardOnFile,
    at: DateTime<Utc>,
    counts: &mut BillingCounts,
) -> sql::Result<()> {
    let changed = tx
        .prepare_cached(
            "INSERT INTO account_cards (account_id, brand, last4, exp_month, exp_year, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (account_id) DO UPDATE SET
                 brand = excluded.brand, last4 = excluded.last4, exp_month = excluded.exp_month,
                 exp_year = excluded.exp_year, updated_at = excluded.updated_at
             WHERE excluded.updated_at > account_cards.updated_at
               AND (excluded.exp_month, excluded.exp_year, excluded.last4)
                   IS DISTINCT FROM (account_cards.exp_month, account_cards.exp_year, account_cards.last4)",
        )?
        .execute(params![
            account_id,
            card.brand,
            card.last4,
            card.exp_month,
            card.exp_year,
            instant(&at)
        ])?;
    if changed > 0 {
        counts.cards_noted += 1;
    }
    Ok(())
}
