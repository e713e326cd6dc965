//! What a rep types: drafts kept as they type, interactions logged, the account notes.

use chrono::{DateTime, Utc};

use super::request::NoteRequest;
use super::responder::{Answer, Responder};
use super::response::Response;
use crate::domain::checkins::Cadences;
use crate::domain::lifecycle::StageBounds;
use crate::domain::model::InteractionKind;

impl Responder {
    pub(super) fn note(&mut self, request: NoteRequest, now: DateTime<Utc>) -> Answer {
        let os_user = self.session.os_user.clone();
        Ok(match request {
            NoteRequest::LoadDraft { account_id } => Some(Response::Draft {
                account_id,
                draft: match &self.session.rep {
                    Some(rep) => self.store.draft(rep, account_id)?,
                    None => None,
                },
            }),
            NoteRequest::SaveDraft { account_id, draft } => {
                if let Some(rep) = self.session.rep.clone() {
                    self.store.save_draft(&rep, account_id, &draft, now)?;
                }
                None
            }
            NoteRequest::KeepInDraft { account_id, text } => {
                if let Some(rep) = self.session.rep.clone() {
                    self.store.keep_in_draft(&rep, account_id, &text, now)?;
                }
                None
            }
            NoteRequest::DiscardDraft { account_id } => {
                if let Some(rep) = self.session.rep.clone() {
                    self.store.discard_draft(&rep, account_id)?;
                }
                None
            }
            NoteRequest::Log {
                account_id,
                interaction,
            } => {
                let id = self
                    .store
                    .log_interaction(account_id, &interaction, &os_user, now)?;
                // A check-in done moves the account's next one.
                if interaction.kind == InteractionKind::CheckIn {
                    self.store.schedule_account(
                        account_id,
                        self.session.today,
                        &StageBounds::default(),
                        &Cadences::default(),
                    )?;
                }
                Some(Response::Logged {
                    account_id,
                    interaction_id: id,
                })
            }
            NoteRequest::SaveNotes {
                account_id,
                base_version,
                text,
            } => Some(Response::NotesSaved {
                account_id,
                saved: self
                    .store
                    .save_notes(account_id, base_version, &text, &os_user, now)?,
            }),
        })
    }
}
