//! Moving about: the cursor in a pane's list, from pane to pane, into an account's card and the
//! log form, and what is asked of the database as the rep goes.

use super::{App, Overlay, Pane, SearchState, View, seen};
use crate::tui::overlays::form::FormState;
use crate::tui::worker::{AccountRequest, NoteRequest, Request};

impl App {
    /// What loads `pane`'s data, marked with the generation it is asked at.
    pub(super) fn load_request(&self, pane: Pane) -> Request {
        Request::Load {
            generation: self.generation,
            load: self.panes.get(pane).load(&seen!(self)),
        }
    }

    /// Something changed in the database: no pane's data can be trusted to be current.
    pub(super) fn invalidate(&mut self) {
        for pane in Pane::ALL {
            self.panes.get_mut(pane).list_mut().fresh = false;
        }
        self.generation += 1;
    }

    /// Another rep changed the database: what is on screen is asked for again, and the answers
    /// keep the cursor on its item. The form being typed is left alone.
    pub(super) fn reload_shown(&mut self, effects: &mut Vec<Request>) {
        let then = self.panes.get(self.pane).reload(&seen!(self));
        self.then(self.pane, then, effects);
        if let Some(account_id) = self.card.wanted {
            effects.push(Request::Account(AccountRequest::Card { account_id }));
            // Another rep's claim on it may have ended with this change.
            if self.view == View::Card && self.held_elsewhere == Some(account_id) {
                effects.push(Request::Account(AccountRequest::Claim { account_id }));
            }
        }
        // An open lookup is asked again: its answer may be stale, or (the server away) lost.
        if let Overlay::Search(s) = &self.overlay
            && !s.input.text().trim().is_empty()
        {
            let then = s.ask();
            self.then(self.pane, then, effects);
        }
    }

    pub(super) fn half_page(&self) -> isize {
        (self.list_height() / 2).max(1) as isize
    }

    pub(super) fn move_cursor(&mut self, by: isize, effects: &mut Vec<Request>) {
        let list = self.panes.get_mut(self.pane).list_mut();
        if list.ids.is_empty() {
            return;
        }
        list.move_by(by);
        self.scroll_into_view(effects);
        self.follow_selection(effects);
    }

    /// Keeps the cursor on screen, and has the rows the window shows read.
    pub(super) fn scroll_into_view(&mut self, effects: &mut Vec<Request>) {
        let seen = seen!(self);
        let pane = self.panes.get_mut(self.pane);
        pane.list_mut().scroll_into_view(seen.height);
        let then = pane.window_moved(&seen);
        self.then(self.pane, then, effects);
    }

    /// In the list, the detail beside it follows the cursor.
    pub(super) fn follow_selection(&mut self, effects: &mut Vec<Request>) {
        if self.view != View::List {
            return;
        }
        if let Some(id) = self.selected_id()
            && self.card.wanted != Some(id)
        {
            self.card.wanted = Some(id);
            effects.push(self.panes.get(self.pane).detail(id));
        }
    }

    pub(super) fn switch_pane(&mut self, pane: Pane, effects: &mut Vec<Request>) {
        self.forget_infos();
        self.pane = pane;
        self.view = View::List;
        self.overlay = Overlay::None;
        // Shown at once from what was loaded before, unless something changed since.
        if self.panes.get(pane).stale() {
            effects.push(self.load_request(pane));
        }
        if self.panes.get(pane).own_detail() {
            self.card.wanted = None;
        }
        let seen = seen!(self);
        let then = self.panes.get_mut(pane).window_moved(&seen);
        self.then(pane, then, effects);
        self.follow_selection(effects);
    }

    pub(super) fn open_search(&mut self, query: &str) {
        self.overlay = Overlay::Search(SearchState::new(query, !self.index_ready));
    }

    /// A rep who opens an account takes it: when it has no owner, a claim tells other reps
    /// someone is on it. The claim on the account before is let go.
    fn claim(&mut self, id: i64, effects: &mut Vec<Request>) {
        if self.identity.rep.is_none() || self.claimed == Some(id) {
            return;
        }
        self.release_claim(effects);
        // Opened afresh: told again who holds it.
        self.held_elsewhere = None;
        effects.push(Request::Account(AccountRequest::Claim { account_id: id }));
    }

    pub(super) fn release_claim(&mut self, effects: &mut Vec<Request>) {
        if let Some(account_id) = self.claimed.take() {
            effects.push(Request::Account(AccountRequest::Release { account_id }));
        }
    }

    pub(super) fn open_card(&mut self, id: i64, effects: &mut Vec<Request>) {
        self.forget_infos();
        self.claim(id, effects);
        self.view = View::Card;
        self.card.want(id);
        effects.push(Request::Account(AccountRequest::Card { account_id: id }));
    }

    /// The account an action is about: the card's, or the selected one.
    pub(super) fn target(&self) -> Option<i64> {
        match self.view {
            View::Card => self.card.wanted,
            View::List => self.selected_id(),
        }
    }

    /// The log form on the account in front of the rep, its draft asked for.
    pub(super) fn open_form(&mut self, effects: &mut Vec<Request>) {
        let Some(id) = self.target() else {
            return self.toast("no account selected", super::Level::Error);
        };
        let name = self
            .card
            .shown
            .as_ref()
            .filter(|c| c.row.account_id == id)
            .map(|c| c.row.name.clone())
            .or_else(|| self.panes.get(self.pane).name_of(id))
            .unwrap_or_else(|| format!("account {id}"));
        self.form = Some(FormState::new(id, name));
        self.claim(id, effects);
        effects.push(Request::Note(NoteRequest::LoadDraft { account_id: id }));
    }
}
