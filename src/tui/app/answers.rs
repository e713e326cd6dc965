//! The database's answers: each goes to the pane, overlay or card it is for, and a change that
//! went through has what shows it asked for again.

use super::{App, Level, Overlay, Pane, View, seen};
use crate::store::Claim;
use crate::tui::overlays::letter::LetterState;
use crate::tui::overlays::prompt::PromptState;
use crate::tui::worker::{AccountRequest, Request, Response};

impl App {
    pub(super) fn on_response(&mut self, response: Response, effects: &mut Vec<Request>) {
        match response {
            Response::Loaded { generation, data } => {
                let pane = data.pane();
                let seen = seen!(self);
                let then = self.panes.get_mut(pane).answer(data, &seen);
                // Newer than what was shown, so shown; but if read before the last change,
                // still stale.
                self.panes.get_mut(pane).list_mut().fresh = generation == self.generation;
                self.then(pane, then, effects);
            }
            Response::Changed => {
                self.invalidate();
                self.reload_shown(effects);
            }
            Response::Rows { rows } => self.panes.queue.take_rows(rows),
            Response::Card {
                account_id,
                card,
                risk,
            } => {
                let then = self.card.answer(account_id, card, risk);
                self.then(self.pane, then, effects);
            }
            Response::Search {
                query,
                hits,
                indexing,
            } => {
                if let Overlay::Search(s) = &mut self.overlay {
                    let then = s.answer(query, hits, indexing);
                    self.then(self.pane, then, effects);
                }
            }
            Response::Draft { account_id, draft } => {
                if let (Some(form), Some((draft, at))) = (&mut self.form, draft)
                    && form.account_id == account_id
                    && !form.has_text()
                {
                    form.restore(&draft);
                    let when = at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M");
                    self.toast(format!("draft from {when} restored"), Level::Info);
                }
            }
            Response::Logged {
                account_id,
                interaction_id,
            } => self.logged(account_id, interaction_id, effects),
            Response::IndexReady => {
                self.index_ready = true;
                if let Overlay::Search(s) = &mut self.overlay {
                    s.indexing = false;
                }
            }
            Response::RiskOne {
                account_id,
                row,
                risk,
            } => {
                let seen = seen!(self);
                let then = self.panes.risk.one(account_id, row, risk, &seen);
                self.then(Pane::AtRisk, then, effects);
            }
            Response::Logins(logins) => self.logins = logins,
            Response::Letter(letter) => {
                self.overlay = Overlay::Letter(Box::new(LetterState::new(*letter)));
            }
            Response::Scheduled { changed } => self.scheduled(changed, effects),
            Response::NotesSaved { account_id, saved } => {
                if let Overlay::Notes(n) = &mut self.overlay
                    && n.account_id == account_id
                {
                    let then = n.answer(saved);
                    self.then(self.pane, then, effects);
                }
            }
            Response::Claimed { account_id, claim } => match claim {
                Claim::Mine { .. } => {
                    if self.held_elsewhere.take() == Some(account_id) {
                        self.toast(
                            "no one else is on this team account now: it is yours",
                            Level::Info,
                        );
                    }
                    self.claimed = Some(account_id);
                }
                // Said once, not at each change while it lasts.
                Claim::Held { by, until } => {
                    if self.held_elsewhere.replace(account_id) != Some(account_id) {
                        self.toast(
                            format!(
                                "{by} is working on this team account (until {}): check with them before calling",
                                until.format("%H:%M")
                            ),
                            Level::Error,
                        );
                    }
                }
                Claim::Owned => self.held_elsewhere = None,
            },
            Response::Done { account_id, what } => {
                self.retry_line = None;
                // The letter sent: it closes.
                if matches!(&self.overlay, Overlay::Letter(s) if s.sending) {
                    self.overlay = Overlay::None;
                }
                self.invalidate();
                self.toast(what, Level::Info);
                self.account_changed(account_id, effects);
                // The account on screen, on its card or beside the list, is read again (an
                // owner changed by :assign shows at once).
                if self.card.wanted == Some(account_id) {
                    let again = match self.view {
                        View::Card => Request::Account(AccountRequest::Card { account_id }),
                        View::List => self.panes.get(self.pane).detail(account_id),
                    };
                    if !effects.contains(&again) {
                        effects.push(again);
                    }
                }
            }
            Response::Failed(message) => self.failed(message),
        }
    }

    /// The rep's call (or note, or check-in) is in the database.
    fn logged(&mut self, account_id: i64, interaction_id: i64, effects: &mut Vec<Request>) {
        self.invalidate();
        if let Some(form) = self.form.take_if(|f| f.account_id == account_id) {
            let kind = super::FORM_KINDS[form.kind].as_str();
            self.toast(format!("{kind} logged (#{interaction_id})"), Level::Info);
        }
        if self.card.wanted == Some(account_id) {
            effects.push(Request::Account(AccountRequest::Card { account_id }));
        }
        self.account_changed(account_id, effects);
    }

    /// Every pane asks again what a change to the account alters in it.
    fn account_changed(&mut self, account_id: i64, effects: &mut Vec<Request>) {
        let seen = seen!(self);
        let thens: Vec<(Pane, _)> = Pane::ALL
            .into_iter()
            .map(|pane| {
                let shown = pane == self.pane;
                (
                    pane,
                    self.panes
                        .get(pane)
                        .account_changed(account_id, shown, &seen),
                )
            })
            .collect();
        for (pane, then) in thens {
            self.then(pane, then, effects);
        }
    }

    /// The day's check-ins are reconciled: what is shown is asked for again if they moved.
    /// That is housekeeping, not news for a rep: nothing is said (`retain schedule` gives the
    /// counts). Then every other pane loads, so that switching to one is a redraw.
    fn scheduled(&mut self, changed: bool, effects: &mut Vec<Request>) {
        if changed {
            self.invalidate();
            self.reload_shown(effects);
        }
        for pane in Pane::ALL {
            let p = self.panes.get(pane);
            if pane != self.pane && p.stale() && p.preloads() {
                effects.push(self.load_request(pane));
            }
        }
    }

    fn failed(&mut self, message: String) {
        if let Overlay::Letter(state) = &mut self.overlay {
            state.sending = false;
        }
        if let Some(line) = self.retry_line.take()
            && matches!(self.overlay, Overlay::None)
        {
            self.overlay = Overlay::Prompt(PromptState::new(&line));
        }
        if let Some(form) = &mut self.form
            && form.saving
        {
            form.saving = false;
            form.error = Some(format!("not saved: {message}"));
            // What was typed is kept as a draft after all.
            form.unsaved_since = Some(self.now);
        }
        self.toast(message, Level::Error);
    }
}
