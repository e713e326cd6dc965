//! The panes, one file each: its state, the commands it takes, the data it loads and how it is
//! drawn, behind `PaneModule`. The console holds them in `Panes`, one typed field a pane, and
//! knows of a pane only what the trait says.

pub mod checkins;
pub mod keyed;
pub mod metrics;
pub mod payments;
pub mod queue;
pub mod risk;

use crate::domain::lifecycle::Stage;
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;

use super::app::App;
use super::keymap::{Command, Context};
use super::then::Then;
use super::worker::{Load, PaneData, Request};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    MyQueue,
    AtRisk,
    CheckIns,
    Payments,
    Metrics,
}

impl Pane {
    /// The panes in tab order: key `1` is the first.
    pub const ALL: [Pane; 5] = [
        Pane::MyQueue,
        Pane::AtRisk,
        Pane::CheckIns,
        Pane::Payments,
        Pane::Metrics,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::MyQueue => "My queue",
            Pane::AtRisk => "At risk",
            Pane::CheckIns => "Check-ins",
            Pane::Payments => "Payments",
            Pane::Metrics => "Metrics",
        }
    }

    /// The tab's name where the screen is narrow.
    pub fn short_title(self) -> &'static str {
        match self {
            Pane::MyQueue => "Queue",
            Pane::AtRisk => "Risk",
            Pane::CheckIns => "Check",
            Pane::Payments => "Pay",
            Pane::Metrics => "Metrics",
        }
    }

    /// Its place among the tabs, from 0.
    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    /// The pane `step` tabs on, round again past either end.
    pub fn step(self, step: isize) -> Pane {
        let n = Pane::ALL.len() as isize;
        Pane::ALL[(self.index() as isize + step).rem_euclid(n) as usize]
    }
}

/// What a pane knows of the console when it takes a command or its data.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    /// The rep at the keyboard: whose accounts are "mine". None for someone who is not a rep.
    pub me: Option<&'a str>,
    pub today: NaiveDate,
    /// Rows of the list on screen.
    pub height: usize,
}

/// A pane's list: the ids it shows, in order, and where the rep is in it.
#[derive(Debug, Clone, Default)]
pub struct ListState {
    pub ids: Vec<i64>,
    pub loaded: bool,
    pub cursor: usize,
    pub offset: usize,
    /// The pane's data is as the database has it: switching to it needs no reload. Any change,
    /// ours or another rep's, makes every pane stale.
    pub fresh: bool,
    /// The rep changed the order or the filter: the next contents start at the top.
    pub to_top: bool,
}

impl ListState {
    /// New contents; the cursor stays on the same item when it is still there (another rep's
    /// change must not move it), else at the same place; at the top after the rep re-sorted.
    pub fn replace(&mut self, ids: Vec<i64>) {
        let selected = self.selected();
        self.ids = ids;
        self.loaded = true;
        if std::mem::take(&mut self.to_top) {
            (self.cursor, self.offset) = (0, 0);
            return;
        }
        self.cursor = selected
            .and_then(|id| self.ids.iter().position(|x| *x == id))
            .unwrap_or(self.cursor)
            .min(self.ids.len().saturating_sub(1));
    }

    /// The id under the cursor.
    pub fn selected(&self) -> Option<i64> {
        self.ids.get(self.cursor).copied()
    }

    /// Moves the cursor by `by` rows, stopping at either end.
    pub fn move_by(&mut self, by: isize) {
        if self.ids.is_empty() {
            return;
        }
        let last = self.ids.len() as isize - 1;
        self.cursor = (self.cursor as isize).saturating_add(by).clamp(0, last) as usize;
    }

    /// Scrolls so that the cursor shows in `height` rows, and no row is left blank below the end.
    pub fn scroll_into_view(&mut self, height: usize) {
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        self.offset = self.offset.min(self.ids.len().saturating_sub(height));
    }

    /// The ids on screen in `height` rows.
    pub fn window(&self, height: usize) -> &[i64] {
        let to = (self.offset + height).min(self.ids.len());
        &self.ids[self.offset.min(to)..to]
    }
}

/// What every pane is to the console.
pub trait PaneModule {
    fn list(&self) -> &ListState;
    fn list_mut(&mut self) -> &mut ListState;

    /// Whose keys apply while the pane shows.
    fn context(&self, seen: &Seen<'_>) -> Context;

    /// What loads the pane's data.
    fn load(&self, seen: &Seen<'_>) -> Load;

    /// A command given on the pane's list; `Then::Pass` for the list's own (moving, opening).
    fn command(&mut self, command: Command, seen: &Seen<'_>) -> Then;

    /// The pane's data, as `load` asked for it.
    fn answer(&mut self, data: PaneData, seen: &Seen<'_>) -> Then;

    /// Draws the pane's list and what is beside it into `area`.
    fn render(&self, frame: &mut Frame<'_>, app: &App, area: Rect);

    /// True when switching to the pane must load it first.
    fn stale(&self) -> bool {
        !self.list().fresh
    }

    /// Loaded at start, after the day's schedule, so that switching to it is a redraw (scoring
    /// every account waits until the rep opens the at-risk pane).
    fn preloads(&self) -> bool {
        true
    }

    /// Another rep changed the database while the pane is on screen: what to ask again.
    fn reload(&self, _seen: &Seen<'_>) -> Then {
        Then::Reload
    }

    /// A change to one account went through (ours): what the pane asks again; `shown` when it
    /// is on screen. By default the pane on screen reloads, the others wait to be shown.
    fn account_changed(&self, _account_id: i64, shown: bool, _seen: &Seen<'_>) -> Then {
        if shown { Then::Reload } else { Then::Nothing }
    }

    /// The account a listed id stands for (the check-ins pane lists check-ins).
    fn account_of(&self, id: i64) -> Option<i64> {
        Some(id)
    }

    /// The account's name, where the pane has it: the log form's title.
    fn name_of(&self, account_id: i64) -> Option<String>;

    /// What shows beside the list for the selected account: its card, unless the pane has a
    /// detail of its own.
    fn detail(&self, account_id: i64) -> Request {
        Request::Account(super::worker::AccountRequest::Card { account_id })
    }

    /// True when `detail` is the pane's own, not the card: switching to the pane asks for it
    /// anew.
    fn own_detail(&self) -> bool {
        false
    }

    /// Screen rows the pane draws besides its list's: header, tabs, caption, column titles and
    /// footer, and any detail under the list.
    fn reserved_rows(&self) -> u16 {
        5
    }

    /// The list scrolled or moved: rows the pane must read to draw the window.
    fn window_moved(&mut self, _seen: &Seen<'_>) -> Then {
        Then::Nothing
    }

    /// `:snooze` on the selected row, where the pane snoozes something of its own (a queue row,
    /// a check-in); otherwise the account's risk is snoozed.
    fn snooze(&self, _until: NaiveDate, _reason: &str, _seen: &Seen<'_>) -> Option<Request> {
        None
    }
}

/// The console's panes, one typed field each.
#[derive(Debug, Clone)]
pub struct Panes {
    pub queue: queue::QueuePane,
    pub risk: risk::RiskState,
    pub checkins: checkins::CheckinState,
    pub payments: payments::PaymentsState,
    pub metrics: metrics::MetricsPane,
}

impl Panes {
    /// Empty panes; the team's panes start on the rep's own accounts when `mine`.
    pub fn new(mine: bool) -> Panes {
        Panes {
            queue: queue::QueuePane::default(),
            risk: risk::RiskState {
                mine,
                ..risk::RiskState::default()
            },
            checkins: checkins::CheckinState {
                mine,
                ..checkins::CheckinState::default()
            },
            payments: payments::PaymentsState::starting_on(mine),
            metrics: metrics::MetricsPane::default(),
        }
    }

    pub fn get(&self, pane: Pane) -> &dyn PaneModule {
        match pane {
            Pane::MyQueue => &self.queue,
            Pane::AtRisk => &self.risk,
            Pane::CheckIns => &self.checkins,
            Pane::Payments => &self.payments,
            Pane::Metrics => &self.metrics,
        }
    }

    pub fn get_mut(&mut self, pane: Pane) -> &mut dyn PaneModule {
        match pane {
            Pane::MyQueue => &mut self.queue,
            Pane::AtRisk => &mut self.risk,
            Pane::CheckIns => &mut self.checkins,
            Pane::Payments => &mut self.payments,
            Pane::Metrics => &mut self.metrics,
        }
    }

    /// The tab's count: the length of the pane's list, once it has loaded (the metrics pane is
    /// a page, not a list: none).
    pub fn count(&self, pane: Pane) -> Option<usize> {
        let list = self.get(pane).list();
        (list.loaded && pane != Pane::Metrics).then_some(list.ids.len())
    }
}

/// The stage filter's next value: none, early, mid, late, none again.
pub(crate) fn next_stage(stage: Option<Stage>) -> Option<Stage> {
    match stage {
        None => Some(Stage::Early),
        Some(Stage::Early) => Some(Stage::Mid),
        Some(Stage::Mid) => Some(Stage::Late),
        Some(Stage::Late) => None,
    }
}

/// Lets go of a pane's old rows on a thread of their own. Freed on the console's thread, a
/// million at-risk rows took it 0.2 s, and the allocator's tidying after them 0.4 s more on
/// the next large allocation: keys waited that long.
pub(crate) fn drop_aside<T: Send + 'static>(old: T) {
    // Should no thread start, the rows are dropped here, as before.
    let _ = std::thread::Builder::new()
        .name("retain-drop".into())
        .spawn(move || drop(old));
}
