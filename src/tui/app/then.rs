//! What the console does for its parts: the `Then`s that panes, overlays and the card give
//! back, and the commands none of them takes (moving in a list, opening, the log form, `n`).

use super::{App, Level, Overlay, Pane, View};
use crate::tui::keymap::{Command, Context};
use crate::tui::overlays::prompt::PromptState;
use crate::tui::then::Then;
use crate::tui::worker::{NoteRequest, Request};

impl App {
    /// Does what `pane` (or an overlay over it) asked.
    pub(super) fn then(&mut self, pane: Pane, then: Then, effects: &mut Vec<Request>) {
        match then {
            Then::Nothing | Then::Pass => {}
            Then::Ask(request) => effects.push(request),
            Then::Reload => effects.push(self.load_request(pane)),
            Then::Relisted { anew } => {
                if pane == self.pane {
                    if anew {
                        self.card.wanted = None;
                    }
                    self.scroll_into_view(effects);
                    self.follow_selection(effects);
                }
            }
            Then::Say(text, level) => self.toast(text, level),
            Then::Quiet => self.toasts.clear(),
            Then::Prompt(line) => self.overlay = Overlay::Prompt(PromptState::new(&line)),
            Then::RunLine(line) => self.run_line(&line, effects),
            Then::Show(overlay) => self.overlay = overlay,
            Then::Close => self.overlay = Overlay::None,
            Then::CloseForm => self.form = None,
            Then::Form { kind, note, tags } => {
                self.open_form(effects);
                if let Some(form) = &mut self.form {
                    form.begin(kind, &note, &tags, self.now);
                }
            }
            Then::OpenCard {
                account_id,
                contact,
                matched,
                at,
            } => {
                self.results = matched;
                self.result_pos = at;
                self.open_card(account_id, effects);
                self.card.contact = contact;
            }
            Then::Quit => self.quit = true,
            Then::All(all) => {
                for then in all {
                    self.then(pane, then, effects);
                }
            }
        }
    }

    /// The commands that are the console's own, whatever is in front of the rep.
    pub(super) fn console_command(
        &mut self,
        context: Context,
        command: Command,
        effects: &mut Vec<Request>,
    ) {
        let half = self.half_page();
        match (context, command) {
            // Yes to "discard the form?" (the form is the console's).
            (Context::Confirm, Command::Yes) => {
                if let Some(form) = self.form.take() {
                    effects.push(Request::Note(NoteRequest::DiscardDraft {
                        account_id: form.account_id,
                    }));
                    self.toast("note discarded", Level::Info);
                }
                self.overlay = Overlay::None;
            }
            (Context::Card, Command::Back) => {
                self.view = View::List;
                self.card.leave();
                self.release_claim(effects);
                self.follow_selection(effects);
            }
            (_, Command::Down) if context.is_list() => self.move_cursor(1, effects),
            (_, Command::Up) if context.is_list() => self.move_cursor(-1, effects),
            (_, Command::HalfDown) if context.is_list() => self.move_cursor(half, effects),
            (_, Command::HalfUp) if context.is_list() => self.move_cursor(-half, effects),
            (_, Command::PageDown) if context.is_list() => self.move_cursor(2 * half, effects),
            (_, Command::PageUp) if context.is_list() => self.move_cursor(-2 * half, effects),
            (_, Command::Top) if context.is_list() => self.move_cursor(isize::MIN / 2, effects),
            (_, Command::Bottom) if context.is_list() => self.move_cursor(isize::MAX / 2, effects),
            (_, Command::Open) if context.is_list() => {
                if let Some(id) = self.selected_id() {
                    self.open_card(id, effects);
                }
            }
            (_, Command::LogCall) if context.is_list() || context == Context::Card => {
                self.open_form(effects)
            }
            (_, Command::NextMatch | Command::PrevMatch)
                if context.is_list() || context == Context::Card =>
            {
                self.next_match(command == Command::NextMatch, effects)
            }
            _ => {}
        }
    }

    /// `n` and `N`: the next (or previous) account the last lookup found.
    fn next_match(&mut self, forward: bool, effects: &mut Vec<Request>) {
        if self.results.is_empty() {
            return self.toast("no lookup yet: press / to find an account", Level::Info);
        }
        let n = self.results.len();
        self.result_pos = if forward {
            (self.result_pos + 1) % n
        } else {
            (self.result_pos + n - 1) % n
        };
        let id = self.results[self.result_pos];
        self.open_card(id, effects);
    }
}
