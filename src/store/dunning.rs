//! What reps and scripts do to a failed payment: record a retry's result, note a new card, pause
//! dunning, write it off. Each change keeps the payment's summary columns (attempts, last code,
//! next retry, status) true to its attempts in the same transaction, and is audited.

use super::sql;
use super::sql::{Conn, OptionalExtension, Tx, params};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use super::audit::{self, Change};
use super::codec::{day, instant, read};
use super::{Store, StoreError};
use crate::domain::access::Write;
use crate::domain::retry::{Attempt, History, Next, RetryPolicy, next};

/// The result of one attempt to charge a failed payment again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    Succeeded,
    Failed {
        decline_code: String,
        advice_code: Option<String>,
    },
}

/// An attempt to record. `external_ref` is the billing system's id of it (a charge): an
/// attempt already recorded under it is not recorded again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttempt<'a> {
    pub at: DateTime<Utc>,
    pub result: AttemptResult,
    pub automatic: bool,
    pub external_ref: Option<&'a str>,
}

/// Who made a change, and when.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub os_user: &'a str,
    pub now: DateTime<Utc>,
}

/// A payment's state after a change, for the caller to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentState {
    pub status: String,
    pub attempts: u32,
    pub next: Next,
}

impl Store {
    /// Records an attempt on a failing payment; `None` when it was recorded before.
    pub fn record_attempt(
        &mut self,
        payment_id: i64,
        attempt: &NewAttempt<'_>,
        policy: &RetryPolicy,
        by: Actor<'_>,
    ) -> Result<Option<PaymentState>, StoreError> {
        let attempt = &self.checked(attempt)?;
        // A code a person types must be one the policy knows (a team adds its own in
        // payments.toml): a typo would be stored, and would send the payment down the wrong
        // queue. Billing systems and hooks report what they report.
        if let (false, AttemptResult::Failed { decline_code, .. }) =
            (attempt.automatic, &attempt.result)
            && !policy.class_of(decline_code, None).known
        {
            let nearest = policy
                .nearest_code(decline_code)
                .map(|c| format!("did you mean {c}? "))
                .unwrap_or_default();
            return Err(self.invalid(
                "decline code",
                format!(
                    "{decline_code:?} is not a decline code the retry policy knows: {nearest}(a team's own codes are classed in payments.toml)"
                ),
            ));
        }
        self.write(Write::Payment, |tx| {
            let status = status_of(tx, payment_id)?;
            if status != "failing" {
                return Err(not_failing(payment_id, &status));
            }
            let state = add_attempt(tx, payment_id, attempt, policy)?;
            if let Some(state) = &state {
                let after = attempt_json(attempt, state);
                audit_payment(tx, by, "record attempt", Some(payment_id), None, after)?;
            }
            Ok(state)
        })
    }

    /// `attempt` with its codes as the processors write them, or why it cannot be stored: a
    /// typed `Insufficient Funds` would be an unknown code that exhausts the payment.
    fn checked<'a>(&self, attempt: &NewAttempt<'a>) -> Result<NewAttempt<'a>, StoreError> {
        if let Some(reference) = attempt.external_ref {
            self.text_ok("attempt_id", reference)?;
        }
        let result = match &attempt.result {
            AttemptResult::Succeeded => AttemptResult::Succeeded,
            AttemptResult::Failed {
                decline_code,
                advice_code,
            } => AttemptResult::Failed {
                decline_code: self.code_ok("decline_code", decline_code)?,
                advice_code: advice_code
                    .as_deref()
                    .map(|c| self.code_ok("advice_code", c))
                    .transpose()?,
            },
        };
        Ok(NewAttempt {
            result,
            ..attempt.clone()
        })
    }

    /// The customer gave a new or corrected card: the payment is retried at once.
    pub fn card_updated(
        &mut self,
        payment_id: i64,
        policy: &RetryPolicy,
        by: Actor<'_>,
    ) -> Result<PaymentState, StoreError> {
        self.payment_change(payment_id, policy, by, "card updated", |tx| {
            tx.execute(
                "UPDATE failed_payments SET card_updated_at = ?2 WHERE id = ?1",
                params![payment_id, instant(&by.now)],
            )
        })
    }

    /// Holds dunning until a day (a promise to pay, a dispute), or resumes it with `None`.
    pub fn pause_dunning(
        &mut self,
        payment_id: i64,
        until: Option<(NaiveDate, &str)>,
        policy: &RetryPolicy,
        by: Actor<'_>,
    ) -> Result<PaymentState, StoreError> {
        if let Some((day, reason)) = until {
            self.reason_ok(reason)?;
            if day <= by.now.date_naive() {
                return Err(self.invalid(
                    "until",
                    format!("{day} is not after today: a pause holds dunning until a later day"),
                ));
            }
        }
        let action = if until.is_some() {
            "pause dunning"
        } else {
            "resume dunning"
        };
        self.payment_change(payment_id, policy, by, action, |tx| {
            tx.execute(
                "UPDATE failed_payments SET paused_until = ?2, pause_reason = ?3 WHERE id = ?1",
                params![
                    payment_id,
                    until.map(|(d, _)| day(d)),
                    until.map(|(_, r)| r)
                ],
            )
        })
    }

    /// Gives up on a payment: it is lost. If its account cancels afterwards, the churn is
    /// involuntary (a trigger in the schema sees to it).
    pub fn write_off(
        &mut self,
        payment_id: i64,
        reason: &str,
        policy: &RetryPolicy,
        by: Actor<'_>,
    ) -> Result<PaymentState, StoreError> {
        self.reason_ok(reason)?;
        self.payment_change(payment_id, policy, by, "write off", |tx| {
            tx.execute(
                "UPDATE failed_payments
                 SET status = 'written_off', resolved_at = ?2, next_retry_at = NULL,
                     write_off_reason = ?3
                 WHERE id = ?1 AND status = 'failing'",
                params![payment_id, instant(&by.now), reason],
            )
        })
    }

    /// One change to a failing payment, then its summary columns brought up to date and the
    /// change audited with the payment as it was and as it is.
    fn payment_change(
        &mut self,
        payment_id: i64,
        policy: &RetryPolicy,
        by: Actor<'_>,
        action: &str,
        change: impl Fn(&Tx<'_>) -> sql::Result<usize>,
    ) -> Result<PaymentState, StoreError> {
        self.write(Write::Payment, |tx| {
            let status = status_of(tx, payment_id)?;
            if status != "failing" {
                return Err(not_failing(payment_id, &status));
            }
            let before = snapshot(tx, payment_id)?;
            change(tx)?;
            // A rep who acts on the payment has settled what a stopped hook left in doubt.
            settle_hook(tx, payment_id)?;
            let state = refresh(tx, payment_id, policy, by.now)?;
            let after = snapshot(tx, payment_id)?;
            audit_payment(tx, by, action, Some(payment_id), Some(before), after)?;
            Ok(state)
        })
    }
}

/// Inserts an attempt and updates its payment; `None` when `external_ref` was already recorded.
pub(super) fn add_attempt(
    tx: &Conn,
    payment_id: i64,
    attempt: &NewAttempt<'_>,
    policy: &RetryPolicy,
) -> sql::Result<Option<PaymentState>> {
    let NewAttempt {
        at,
        result,
        automatic,
        external_ref,
    } = attempt;
    let (outcome, code) = match result {
        AttemptResult::Succeeded => ("succeeded", None),
        AttemptResult::Failed { decline_code, .. } => ("failed", Some(decline_code.as_str())),
    };
    let added = tx
        .prepare_cached(
            "INSERT INTO payment_attempts
                 (payment_id, attempted_at, outcome, decline_code, automatic, external_ref)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (external_ref) WHERE external_ref IS NOT NULL DO NOTHING",
        )?
        .execute(params![
            payment_id,
            instant(at),
            outcome,
            code,
            automatic,
            external_ref
        ])?;
    // An answer, even one recorded before, settles a charge a stopped hook left in doubt.
    settle_hook(tx, payment_id)?;
    if added == 0 {
        return Ok(None);
    }
    if let AttemptResult::Failed { advice_code, .. } = result {
        tx.execute(
            "UPDATE failed_payments SET advice_code = ?2 WHERE id = ?1",
            params![payment_id, advice_code],
        )?;
    }
    // The stored next retry is reckoned from the attempt; readers reckon from their own now.
    refresh(tx, payment_id, policy, *at).map(Some)
}

pub(super) fn settle_hook(tx: &Conn, payment_id: i64) -> sql::Result<()> {
    tx.prepare_cached(
        "UPDATE failed_payments SET hook_unsettled_at = NULL, hook_unsettled_why = NULL
         WHERE id = ?1 AND hook_unsettled_at IS NOT NULL",
    )?
    .execute([payment_id])?;
    Ok(())
}

/// Brings a payment's attempt count, last decline, next retry and status in line with its
/// attempts. A success recovers a failing payment at the moment of the success.
pub(super) fn refresh(
    tx: &Conn,
    payment_id: i64,
    policy: &RetryPolicy,
    now: DateTime<Utc>,
) -> sql::Result<PaymentState> {
    let (history, status) = history_of(tx, payment_id)?;
    let recovered_at = history.attempts.iter().find(|a| a.succeeded).map(|a| a.at);
    let next = next(&history, policy, now);
    let status = match (status.as_str(), recovered_at) {
        ("failing", Some(at)) => {
            tx.execute(
                "UPDATE failed_payments SET status = 'recovered', resolved_at = ?2 WHERE id = ?1",
                params![payment_id, instant(&at)],
            )?;
            "recovered".to_string()
        }
        _ => status,
    };
    let retry_at = match (&next, status.as_str()) {
        (Next::RetryAt { at }, "failing") => Some(instant(at)),
        _ => None,
    };
    let attempts = history.attempts.len().max(1) as u32;
    tx.execute(
        "UPDATE failed_payments
         SET attempt_count = ?2, last_decline_code = ?3, next_retry_at = ?4
         WHERE id = ?1",
        params![payment_id, attempts, history.decline_code, retry_at],
    )?;
    Ok(PaymentState {
        status,
        attempts,
        next,
    })
}

/// A payment's history as the policy reads it, and its status. The last decline is that of the
/// newest failed attempt, else the one the payment was recorded with.
fn history_of(tx: &Conn, payment_id: i64) -> sql::Result<(History, String)> {
    let (mut history, status) = tx
        .prepare_cached(
            "SELECT first_failed_at, last_decline_code, advice_code, card_updated_at,
                    paused_until, status, hook_unsettled_at
             FROM failed_payments WHERE id = ?1",
        )?
        .query_row([payment_id], |r| {
            Ok((
                History {
                    first_failed_at: read::instant(r, "first_failed_at")?,
                    attempts: Vec::new(),
                    decline_code: r.get("last_decline_code")?,
                    advice_code: r.get("advice_code")?,
                    card_updated_at: read::opt_instant(r, "card_updated_at")?,
                    paused_until: read::opt_day(r, "paused_until")?,
                    hook_unsettled_at: read::opt_instant(r, "hook_unsettled_at")?,
                    recovered: r.get::<_, String>("status")? == "recovered",
                },
                r.get::<_, String>("status")?,
            ))
        })?;
    let mut stmt = tx.prepare_cached(
        "SELECT attempted_at, outcome = 'succeeded' AS succeeded, decline_code FROM payment_attempts
         WHERE payment_id = ?1 ORDER BY attempted_at, id",
    )?;
    let mut rows = stmt.query([payment_id])?;
    while let Some(ref r) = rows.next()? {
        history.attempts.push(Attempt {
            at: read::instant(r, "attempted_at")?,
            succeeded: r.get("succeeded")?,
        });
        if let Some(code) = r.get::<_, Option<String>>("decline_code")? {
            history.decline_code = code;
        }
    }
    Ok((history, status))
}

fn snapshot(tx: &Conn, payment_id: i64) -> sql::Result<serde_json::Value> {
    tx.prepare_cached(
        "SELECT status, attempt_count, last_decline_code, next_retry_at, card_updated_at,
                paused_until, pause_reason, write_off_reason
         FROM failed_payments WHERE id = ?1",
    )?
    .query_row([payment_id], |r| {
        Ok(json!({
            "status": r.get::<_, String>("status")?,
            "attempts": r.get::<_, i64>("attempt_count")?,
            "decline_code": r.get::<_, String>("last_decline_code")?,
            "next_retry_at": r.get::<_, Option<String>>("next_retry_at")?,
            "card_updated_at": r.get::<_, Option<String>>("card_updated_at")?,
            "paused_until": r.get::<_, Option<String>>("paused_until")?,
            "pause_reason": r.get::<_, Option<String>>("pause_reason")?,
            "write_off_reason": r.get::<_, Option<String>>("write_off_reason")?,
        }))
    })
    .optional()?
    .ok_or(sql::Error::NoRows)
}

fn attempt_json(attempt: &NewAttempt<'_>, state: &PaymentState) -> serde_json::Value {
    let (outcome, code) = match &attempt.result {
        AttemptResult::Succeeded => ("succeeded", None),
        AttemptResult::Failed { decline_code, .. } => ("failed", Some(decline_code)),
    };
    json!({
        "attempted_at": instant(&attempt.at),
        "automatic": attempt.automatic,
        "external_ref": attempt.external_ref,
        "outcome": outcome,
        "decline_code": code,
        "status": state.status,
        "attempts": state.attempts,
    })
}

pub(super) fn audit_payment(
    tx: &Conn,
    by: Actor<'_>,
    action: &str,
    payment_id: Option<i64>,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> sql::Result<()> {
    audit::record(
        tx,
        &Change {
            at: by.now,
            os_user: by.os_user,
            action,
            entity: "failed_payments",
            entity_id: payment_id,
            before,
            after: Some(after),
        },
    )
}

/// A payment's status; a missing payment is said as such, not as "no rows".
fn status_of(tx: &Conn, payment_id: i64) -> sql::Result<String> {
    use super::sql::OptionalExtension;
    tx.query_row(
        "SELECT status FROM failed_payments WHERE id = ?1",
        [payment_id],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| {
        sql::Error::Aborted(
            format!("there is no payment {payment_id} (`retain payments` lists them)").into(),
        )
    })
}

fn not_failing(payment_id: i64, status: &str) -> sql::Error {
    sql::Error::Aborted(
        format!(
            "payment {payment_id} is {status}, not failing: there is nothing left to do with it"
        )
        .into(),
    )
}
