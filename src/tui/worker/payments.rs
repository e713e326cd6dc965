//! Failed payments: the queues, a rep's actions on one, and the letter to the customer.

use chrono::{DateTime, Utc};

use super::request::{PaymentAction, PaymentRequest};
use super::responder::{Answer, Responder};
use super::response::{PaneData, Response};
use crate::services::outreach::Letter;
use crate::services::payments::{QueueItem, describe, queue_items, recovery_report};
use crate::store::{Actor, NewAttempt, StoreError};

impl Responder {
    pub(super) fn payment(&mut self, request: PaymentRequest, now: DateTime<Utc>) -> Answer {
        match request {
            PaymentRequest::Act {
                payment_id,
                account_id,
                action,
            } => self.act(payment_id, account_id, &action, now),
            PaymentRequest::Letter { item } => self.letter(&item, now),
            PaymentRequest::SendLetter { letter } => self.send_letter(&letter, now),
        }
    }

    pub(super) fn load_payments(&self, now: DateTime<Utc>) -> Result<PaneData, StoreError> {
        let (today, policy) = (self.session.today, &self.session.policy);
        Ok(PaneData::Payments {
            items: queue_items(&self.store, today, now, policy)?,
            report: Some(Box::new(recovery_report(&self.store, today, 6, policy)?)),
        })
    }

    fn act(
        &mut self,
        payment_id: i64,
        account_id: i64,
        action: &PaymentAction,
        now: DateTime<Utc>,
    ) -> Answer {
        let policy = self.session.policy.clone();
        let os_user = self.session.os_user.clone();
        let by = Actor {
            os_user: &os_user,
            now,
        };
        let store = &mut self.store;
        let state = match action {
            PaymentAction::CardUpdated => Some(store.card_updated(payment_id, &policy, by)?),
            PaymentAction::Result(result) => {
                let attempt = NewAttempt {
                    at: now,
                    result: result.clone(),
                    automatic: false,
                    external_ref: None,
                };
                store.record_attempt(payment_id, &attempt, &policy, by)?
            }
            PaymentAction::Pause { until, reason } => {
                Some(store.pause_dunning(payment_id, Some((*until, reason)), &policy, by)?)
            }
            PaymentAction::Resume => Some(store.pause_dunning(payment_id, None, &policy, by)?),
            PaymentAction::WriteOff { reason } => {
                Some(store.write_off(payment_id, reason, &policy, by)?)
            }
        };
        let what = match state {
            Some(state) => describe(&state),
            None => "that attempt was recorded before".to_string(),
        };
        // Whose payment, by name: a rep working down the queue knows accounts, not ids.
        let whose = self
            .store
            .account_rows(&[account_id])?
            .pop()
            .map_or(String::new(), |row| format!(" · {}", row.name));
        Ok(Some(Response::Done {
            account_id,
            what: format!("payment {payment_id}: {what}{whose}"),
        }))
    }

    fn letter(&self, item: &QueueItem, now: DateTime<Utc>) -> Answer {
        let (_, mail) = crate::config::payments().map_err(|e| self.refused(e))?;
        let Some(card) = self.store.account_card(item.account_id)? else {
            return Ok(None);
        };
        let login = self.login();
        let signed = self.store.rep(login)?.map_or(login.to_string(), |(n, _)| n);
        let letter = crate::services::outreach::compose(item, &card, &signed, &mail, now)
            .map_err(|e| self.refused(e))?;
        Ok(Some(Response::Letter(Box::new(letter))))
    }

    /// The letter goes out first, then is logged: a letter the log refuses has still gone, and
    /// the rep is told to log it by hand.
    fn send_letter(&mut self, letter: &Letter, now: DateTime<Utc>) -> Answer {
        let (_, mail) = crate::config::payments().map_err(|e| self.refused(e))?;
        crate::services::outreach::send(letter, &mail).map_err(|e| self.refused(e))?;
        let login = self.session.rep.clone().unwrap_or_default();
        let to = letter.to.as_ref().map_or("", |r| r.email.as_str());
        let what = match self.store.log_interaction(
            letter.account_id,
            &letter.as_interaction(&login, now),
            &self.session.os_user,
            now,
        ) {
            Ok(_) => format!("letter sent to {to} and logged"),
            Err(e) => format!(
                "letter sent to {to}, but not logged ({}): log it by hand",
                e.brief()
            ),
        };
        Ok(Some(Response::Done {
            account_id: letter.account_id,
            what,
        }))
    }
}
