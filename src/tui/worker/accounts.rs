//! Accounts: their rows and cards, the lookup, claims on team accounts, and who owns them.

use chrono::{DateTime, Utc};

use super::SEARCH_LIMIT;
use super::request::AccountRequest;
use super::responder::{Answer, Responder};
use super::response::Response;
use crate::store::StoreError;

impl Responder {
    pub(super) fn account(&mut self, request: AccountRequest, now: DateTime<Utc>) -> Answer {
        Ok(match request {
            AccountRequest::Rows { ids } => Some(Response::Rows {
                rows: self.store.account_rows(&ids)?,
            }),
            AccountRequest::Card { account_id } => {
                let mut card = self.store.account_card(account_id)?.map(Box::new);
                if let Some(card) = &mut card {
                    card.claim = self.store.claim_on(account_id, now)?;
                }
                Some(Response::Card {
                    account_id,
                    card,
                    risk: self.risk_one(account_id)?.map(|(_, r)| Box::new(r)),
                })
            }
            AccountRequest::Search { query } => Some(self.search(query)?),
            AccountRequest::Claim { account_id } => {
                let Some(login) = self.session.rep.clone() else {
                    return Ok(None);
                };
                if self.store.is_read_only() {
                    return Ok(None);
                }
                let id = self.session.id.clone();
                Some(Response::Claimed {
                    account_id,
                    claim: self.store.claim(account_id, &login, &id, now)?,
                })
            }
            AccountRequest::Release { account_id } => {
                let id = self.session.id.clone();
                self.store.release_claim(account_id, &id)?;
                None
            }
            AccountRequest::Assign { account_id, owner } => {
                let os_user = self.session.os_user.clone();
                self.store
                    .assign_owner(account_id, owner.as_deref(), &os_user, now)?;
                Some(Response::Done {
                    account_id,
                    what: match owner {
                        Some(login) => format!("assigned to {login}"),
                        None => "moved to the team queue".to_string(),
                    },
                })
            }
            AccountRequest::Logins => Some(Response::Logins(
                self.store
                    .reps()?
                    .into_iter()
                    .filter(|r| r.active)
                    .map(|r| r.login)
                    .collect(),
            )),
        })
    }

    fn search(&self, query: String) -> Result<Response, StoreError> {
        let Some(index) = &self.index else {
            return Ok(Response::Search {
                query,
                hits: Vec::new(),
                indexing: true,
            });
        };
        let me = self.session.rep.as_deref();
        let hits = crate::services::lookup::find(&self.store, index, &query, SEARCH_LIMIT, me)?;
        Ok(Response::Search {
            query,
            hits,
            indexing: false,
        })
    }
}
