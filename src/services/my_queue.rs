//! A rep's queue for today: check-ins, promised follow-ups, payments that need a person and
//! high-risk accounts left untouched, from the store through the domain's rules. Shared by
//! `retain queue` and the console's first pane.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::my_queue::{Entry, Reason, Row, build};
use crate::domain::retry::RetryPolicy;
use crate::domain::risk::{Band, Factor, RiskModel};
use crate::services::payments::dunning_items;
use crate::services::scoring::score_and_keep;
use crate::store::{CheckinFilter, Scope, Store, StoreError};

/// The payment queues where only a person can move things: the retry policy has nothing left
/// to try on its own.
const NEEDS_A_PERSON: [&str; 4] = ["new-card", "customer-action", "do-not-retry", "exhausted"];

/// How much a snoozed account's score must rise to come back before its day.
const SNOOZE_BREAKS_AT: f64 = 10.0;

pub fn my_queue(
    store: &mut Store,
    login: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
    model: &RiskModel,
    policy: &RetryPolicy,
) -> Result<Vec<Row>, StoreError> {
    let mut entries = store.follow_ups_due(login, today)?;
    let filter = CheckinFilter {
        due_by: Some(today),
        owner: Some(login.to_string()),
        ..CheckinFilter::default()
    };
    entries.extend(
        store
            .checkins_open(today, &filter)?
            .into_iter()
            .map(|c| Entry {
                account_id: c.account_id,
                name: c.name,
                mrr_cents: c.mrr_cents,
                currency: c.currency,
                reason: Reason::Checkin {
                    kind: c.kind,
                    due: c.due_date,
                },
            }),
    );
    // Expiring cards are left out: a card that still works needs no call today.
    let mut payments = dunning_items(store, today, now, policy, Scope::OwnedBy(login))?;
    // Two payments of one account in one tier: the larger first, as the payments pane has them.
    payments.sort_by_key(|p| std::cmp::Reverse(p.amount_cents));
    for item in payments {
        let (Some(payment_id), Some(amount_cents)) = (item.payment_id, item.amount_cents) else {
            continue;
        };
        if item.owner.as_deref() == Some(login) && NEEDS_A_PERSON.contains(&item.queue) {
            entries.push(Entry {
                account_id: item.account_id,
                name: item.name,
                mrr_cents: item.mrr_cents,
                currency: item.currency.clone(),
                reason: Reason::Payment {
                    payment_id,
                    queue: item.queue.to_string(),
                    amount_cents,
                    currency: item.currency,
                    decline_code: item.decline_code.unwrap_or_default(),
                },
            });
        }
    }
    let snoozed = store.snoozes(today)?;
    // Only the accounts whose score may put them here are scored: those high by the score kept
    // today, and those with no current kept score (new facts, a first look today, another
    // model). The rest are known not to be high.
    let candidates: Vec<i64> = store
        .kept_bands(today, model.fingerprint(), Scope::OwnedBy(login))?
        .into_iter()
        .filter(|(_, band)| band.as_deref().is_none_or(|b| b == Band::High.as_str()))
        .map(|(id, _)| id)
        .collect();
    let subjects = score_and_keep(store, model, today, Scope::Listed(&candidates))?;
    for (s, risk) in subjects {
        let untouched = risk
            .reasons
            .iter()
            .find(|r| r.factor == Factor::NoTouch && r.points > 0.0);
        let held = snoozed
            .get(&s.account_id)
            .is_some_and(|z| risk.score < z.score + SNOOZE_BREAKS_AT);
        if let (Band::High, Some(reason), false) = (risk.band, untouched, held) {
            entries.push(Entry {
                account_id: s.account_id,
                name: s.name,
                mrr_cents: s.mrr_cents,
                currency: s.currency,
                reason: Reason::Untouched {
                    score: risk.score,
                    detail: reason.detail.clone(),
                },
            });
        }
    }
    let put_off = store.queue_snoozed(login, today)?;
    entries.retain(|e| !put_off.contains(&e.account_id));
    let mut touched = store.touched_between(login, local_day(today), today)?;
    touched.retain(|t| !put_off.contains(&t.account_id));
    Ok(build(entries, touched, today))
}

/// The instants `today` runs between on this machine's clock (its local midnight to the next):
/// the day a rep means by "today", whatever the zone.
fn local_day(today: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = |day: NaiveDate| {
        day.and_time(chrono::NaiveTime::MIN)
            .and_local_timezone(chrono::Local)
            .earliest()
            .map_or_else(
                || day.and_time(chrono::NaiveTime::MIN).and_utc(),
                |t| t.with_timezone(&Utc),
            )
    };
    (midnight(today), midnight(today + chrono::Days::new(1)))
}
