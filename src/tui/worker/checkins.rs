//! Check-ins: the day's schedule, the open ones for the pane, and putting one off.

use chrono::{DateTime, Utc};

use super::request::CheckinRequest;
use super::responder::{Answer, Responder};
use super::response::{PaneData, Response};
use crate::domain::checkins::Cadences;
use crate::domain::lifecycle::StageBounds;
use crate::store::{CheckinFilter, StoreError};

impl Responder {
    pub(super) fn checkin(&mut self, request: CheckinRequest, now: DateTime<Utc>) -> Answer {
        Ok(match request {
            CheckinRequest::Schedule => {
                if self.store.is_read_only() {
                    return Ok(Some(Response::Scheduled { changed: false }));
                }
                let counts = self.store.schedule(
                    self.session.today,
                    &StageBounds::default(),
                    &Cadences::default(),
                )?;
                Some(Response::Scheduled {
                    changed: counts.created + counts.moved + counts.removed > 0,
                })
            }
            CheckinRequest::Snooze {
                checkin_id,
                until,
                reason,
            } => {
                let os_user = self.session.os_user.clone();
                let account_id = self
                    .store
                    .snooze_checkin(checkin_id, until, &reason, &os_user, now)?;
                Some(Response::Done {
                    account_id,
                    what: format!("check-in put off until {until}"),
                })
            }
        })
    }

    pub(super) fn load_checkins(&self, filter: &CheckinFilter) -> Result<PaneData, StoreError> {
        Ok(PaneData::Checkins(
            self.store.checkins_open(self.session.today, filter)?,
        ))
    }
}
