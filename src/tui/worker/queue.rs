//! A rep's queue for the day, and taking an account out of it for a while.

use chrono::{DateTime, Utc};

use super::request::QueueRequest;
use super::responder::{Answer, Responder};
use super::response::{PaneData, Response};
use crate::services::my_queue::my_queue;
use crate::store::StoreError;

impl Responder {
    pub(super) fn queue(&mut self, request: QueueRequest, now: DateTime<Utc>) -> Answer {
        let QueueRequest::Snooze {
            account_id,
            until,
            reason,
        } = request;
        let login = self.session.rep.clone().unwrap_or_default();
        let os_user = self.session.os_user.clone();
        self.store
            .snooze_queue_row(&login, account_id, until, &reason, &os_user, now)?;
        Ok(Some(Response::Done {
            account_id,
            what: format!("out of your queue until {until}"),
        }))
    }

    /// The queue of the rep at the keyboard; none for someone who is not a rep.
    pub(super) fn load_queue(
        &mut self,
        now: DateTime<Utc>,
    ) -> Result<Option<PaneData>, StoreError> {
        let Some(login) = self.session.rep.clone() else {
            return Ok(None);
        };
        let s = &self.session;
        let rows = my_queue(&mut self.store, &login, s.today, now, &s.model, &s.policy)?;
        Ok(Some(PaneData::Queue(rows)))
    }
}
