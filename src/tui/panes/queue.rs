//! The first pane. For a rep, today's queue: one account a row with every reason, the most
//! urgent first, the selected account beside. For someone who is not a rep, who has no queue,
//! every active account by MRR, read a window of rows at a time.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::keyed::Keyed;
use super::{ListState, PaneModule, Seen};
use crate::display::{fit, fit_name, truncate, width};
use crate::domain::lifecycle::StageBounds;
use crate::domain::my_queue::Row;
use crate::store::AccountRow;
use crate::tui::app::App;
use crate::tui::keymap::{Command, Context};
use crate::tui::then::Then;
use crate::tui::views::{caption_line, detail, list_status, mrr_short, safe, visible_rows};
use crate::tui::worker::{AccountRequest, Load, PaneData, QueueRequest, Request};

/// Rows read ahead of and behind the visible window.
const ROW_MARGIN: usize = 100;
/// Beyond this many cached rows, the cache keeps only the visible window.
const ROW_CACHE: usize = 20_000;

#[derive(Debug, Clone, Default)]
pub struct QueuePane {
    /// The rep's queue, by account.
    pub rows: Keyed<Row>,
    pub loaded: bool,
    /// Someone who is not a rep: the accounts' rows read so far, and those on their way.
    pub accounts: HashMap<i64, AccountRow>,
    requested: HashSet<i64>,
    /// The touched rows kept on their lines (see `set`).
    held: HashSet<i64>,
    pub list: ListState,
}

impl QueuePane {
    /// The queue anew. A row touched while the console listed it untouched stays where it was
    /// rather than moving under the cursor (a kept promise re-ranks it; with nothing left to do
    /// it would drop to the end), from then on: the rep sees it marked and moves on from there.
    /// Rows touched before the console first saw them (earlier today, on another console) go
    /// where the domain ranks them, the settled ones last, as `retain queue` lists them: at
    /// start, the day's schedule answering after the first screen would otherwise leave them
    /// stranded among the urgent rows.
    pub fn set(&mut self, rows: Vec<Row>) {
        let became_touched = |r: &Row| {
            self.rows
                .get(r.account_id)
                .is_some_and(|was| !was.touched_today)
        };
        let (mut in_place, mut listed): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|r| {
            r.touched_today
                && self.rows.position(r.account_id).is_some()
                && (self.held.contains(&r.account_id) || became_touched(r))
        });
        self.held = in_place.iter().map(|r| r.account_id).collect();
        // Each goes back to the line it was on, less the lines above it that are gone (rows
        // that moved do not drag it along).
        let now: HashSet<i64> = listed
            .iter()
            .chain(&in_place)
            .map(|r| r.account_id)
            .collect();
        in_place.sort_by_key(|r| self.rows.position(r.account_id));
        for row in in_place {
            let was = self.rows.position(row.account_id).unwrap_or(0);
            let gone = self.rows[..was]
                .iter()
                .filter(|r| !now.contains(&r.account_id))
                .count();
            let at = (was - gone).min(listed.len());
            listed.insert(at, row);
        }
        self.rows = Keyed::new(listed, |r| r.account_id);
        self.loaded = true;
    }

    pub fn row(&self, account_id: i64) -> Option<&Row> {
        self.rows.get(account_id)
    }

    pub fn ids(&self) -> Vec<i64> {
        self.rows.iter().map(|r| r.account_id).collect()
    }
}

impl QueuePane {
    /// Account rows come: the window of the accounts list.
    pub fn take_rows(&mut self, rows: Vec<AccountRow>) {
        for row in rows {
            self.requested.remove(&row.account_id);
            self.accounts.insert(row.account_id, row);
        }
    }

    /// Asks for the rows around the visible window that are not cached or on their way.
    fn want_rows(&mut self, height: usize) -> Then {
        let p = &self.list;
        let from = p.offset.saturating_sub(ROW_MARGIN);
        let to = (p.offset + height + ROW_MARGIN).min(p.ids.len());
        let window = &p.ids[from.min(to)..to];
        if self.accounts.len() > ROW_CACHE {
            let keep: HashSet<i64> = window.iter().copied().collect();
            self.accounts.retain(|id, _| keep.contains(id));
            self.requested.clear();
        }
        let missing: Vec<i64> = window
            .iter()
            .copied()
            .filter(|id| !self.accounts.contains_key(id) && !self.requested.contains(id))
            .collect();
        if missing.is_empty() {
            return Then::Nothing;
        }
        self.requested.extend(&missing);
        Then::Ask(Request::Account(AccountRequest::Rows { ids: missing }))
    }
}

impl PaneModule for QueuePane {
    fn list(&self) -> &ListState {
        &self.list
    }

    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }

    fn context(&self, seen: &Seen<'_>) -> Context {
        if seen.me.is_some() {
            Context::Queue
        } else {
            Context::List
        }
    }

    fn load(&self, seen: &Seen<'_>) -> Load {
        if seen.me.is_some() {
            Load::Queue
        } else {
            Load::Accounts
        }
    }

    fn command(&mut self, command: Command, seen: &Seen<'_>) -> Then {
        match command {
            _ if seen.me.is_none() => Then::Pass,
            Command::Assign => Then::Prompt("assign ".into()),
            Command::Snooze => Then::Prompt("snooze +1d ".into()),
            _ => Then::Pass,
        }
    }

    fn answer(&mut self, data: PaneData, _: &Seen<'_>) -> Then {
        match data {
            PaneData::Queue(rows) => {
                self.set(rows);
                let ids = self.ids();
                self.list.replace(ids);
            }
            PaneData::Accounts(ids) => self.list.replace(ids),
            _ => return Then::Nothing,
        }
        Then::Relisted { anew: false }
    }

    fn render(&self, frame: &mut Frame<'_>, app: &App, area: Rect) {
        // The queue's reasons want more of a wide screen than the accounts' columns.
        let queue = app.identity.me().is_some();
        let share = match (area.width >= 100, queue) {
            (true, true) => 62,
            (true, false) => 58,
            (false, _) => 55,
        };
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(share), Constraint::Fill(1)]).areas(area);
        if queue {
            self.render_queue(frame, app, left);
        } else {
            self.render_accounts(frame, app, left);
        }
        detail::render(frame, app, right);
    }

    /// The accounts list reads again the rows on screen.
    fn reload(&self, seen: &Seen<'_>) -> Then {
        if seen.me.is_some() {
            return Then::Reload;
        }
        let ids = self.list.window(seen.height).to_vec();
        if ids.is_empty() {
            return Then::Reload;
        }
        Then::All(vec![
            Then::Reload,
            Then::Ask(Request::Account(AccountRequest::Rows { ids })),
        ])
    }

    fn account_changed(&self, _: i64, shown: bool, seen: &Seen<'_>) -> Then {
        if shown && seen.me.is_some() {
            Then::Reload
        } else {
            Then::Nothing
        }
    }

    fn name_of(&self, account_id: i64) -> Option<String> {
        self.row(account_id)
            .map(|r| r.name.clone())
            .or_else(|| self.accounts.get(&account_id).map(|r| r.name.clone()))
    }

    fn window_moved(&mut self, seen: &Seen<'_>) -> Then {
        if seen.me.is_some() {
            Then::Nothing
        } else {
            self.want_rows(seen.height)
        }
    }

    fn snooze(&self, until: NaiveDate, reason: &str, seen: &Seen<'_>) -> Option<Request> {
        seen.me?;
        self.list.selected().map(|account_id| {
            Request::Queue(QueueRequest::Snooze {
                account_id,
                until,
                reason: reason.to_string(),
            })
        })
    }
}

/// How the pane is drawn.
impl QueuePane {
    fn render_queue(&self, frame: &mut Frame<'_>, app: &App, area: Rect) {
        let t = &app.theme;
        let q = self;
        let w = usize::from(area.width);
        let late = q.rows.iter().filter(|r| r.urgency <= 2).count();
        let done = q.rows.iter().filter(|r| r.settled()).count();
        let mut caption = format!("My queue · today · {late} urgent");
        if done > 0 {
            caption.push_str(&format!(" · {done} done"));
        }
        // Narrow, "today" goes first: the date is in the header. ("1 of 33" needs 12 cells.)
        if width(&caption) + 12 > w {
            caption = caption.replacen(" · today", "", 1);
        }
        let mut lines = vec![caption_line(app, &caption, w)];
        let rows: Vec<(bool, &Row)> = visible_rows(app)
            .filter_map(|(selected, id)| Some((selected, q.row(id)?)))
            .collect();
        // The MRR column as wide as its widest figure on screen, so that the name has the room.
        let money: Vec<String> = rows
            .iter()
            .map(|(_, r)| mrr_short(r.mrr_cents, &r.currency))
            .collect();
        // In a narrow list the reasons need the room more: the MRR is in the detail beside.
        let money_w = if w < 56 {
            0
        } else {
            money
                .iter()
                .map(|m| width(m))
                .max()
                .unwrap_or(0)
                .clamp(3, 12)
        };
        let name_w = (w * 2 / 5).clamp(12, 32);
        let reasons_w = w.saturating_sub(name_w + money_w + 3);
        let column = |name: &str, money: &str, why: &str| {
            if money_w == 0 {
                format!(" {name} {why}")
            } else {
                format!(" {name} {money:>money_w$} {why}")
            }
        };
        lines.push(Line::styled(
            fit(&column(&fit("Account", name_w), "MRR", "Why today"), w),
            t.muted(),
        ));
        lines.extend(list_status(app, q.loaded, "nothing to do today"));
        for ((selected, row), money) in rows.into_iter().zip(money) {
            let why = row.labels(app.today, mrr_short);
            let mark = if row.touched_today { "✓ " } else { "" };
            let text = column(
                &fit_name(&safe(&row.name), name_w),
                &money,
                &truncate(&format!("{mark}{}", why.join(" · ")), reasons_w),
            );
            let style = if selected {
                t.selected()
            } else if row.settled() {
                t.muted()
            } else if row.urgency <= 1 {
                t.warn()
            } else {
                t.base()
            };
            lines.push(Line::styled(fit(&text, w), style));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }

    fn render_accounts(&self, frame: &mut Frame<'_>, app: &App, area: Rect) {
        let t = &app.theme;
        let state = &self.list;
        let w = usize::from(area.width);
        let caption = "My queue · all active by MRR";
        let mut lines = vec![caption_line(app, caption, w)];

        // Columns: name, stage, MRR, and the owner when there is room.
        let show_owner = w >= 56;
        let fixed = 6 + 12 + if show_owner { 9 } else { 0 } + 1;
        let name_w = w.saturating_sub(fixed).max(8);
        let mut head = format!(
            " {} {:<5} {:>11}",
            fit("Account", name_w - 1),
            "Stage",
            "MRR"
        );
        if show_owner {
            head.push_str(&format!(" {:<8}", "Owner"));
        }
        lines.push(Line::styled(fit(&head, w), t.muted()));

        if !state.loaded {
            lines.push(Line::styled(" loading…", t.muted()));
        } else if state.ids.is_empty() {
            lines.push(Line::styled(" nothing here", t.muted()));
        }
        let bounds = StageBounds::default();
        let height = app.list_height();
        for (i, id) in state.ids.iter().enumerate().skip(state.offset).take(height) {
            let text = match self.accounts.get(id) {
                Some(row) => {
                    let stage = bounds.stage(row.customer_since, app.today).as_str();
                    let name = if row.active {
                        safe(&row.name)
                    } else {
                        format!("{} (churned)", safe(&row.name))
                    };
                    let mut text = format!(
                        " {} {:<5} {:>11}",
                        fit(&name, name_w - 1),
                        stage,
                        truncate(&mrr_short(row.mrr_cents, &row.currency), 11)
                    );
                    if show_owner {
                        let owner = row.owner.as_deref().map_or("team".to_string(), safe);
                        text.push(' ');
                        text.push_str(&fit(&owner, 8));
                    }
                    text
                }
                None => format!(" {}", fit("…", name_w - 1)),
            };
            let style = if i == state.cursor {
                t.selected()
            } else {
                t.base()
            };
            lines.push(Line::styled(fit(&text, w), style));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(account_id: i64, settled: bool) -> Row {
        Row {
            account_id,
            name: format!("Account {account_id}"),
            mrr_cents: 100,
            currency: "USD".into(),
            urgency: if settled { u8::MAX } else { 1 },
            reasons: if settled {
                Vec::new()
            } else {
                vec![crate::domain::my_queue::Reason::Checkin {
                    kind: "adoption".into(),
                    due: "2026-11-22".parse().unwrap(),
                }]
            },
            touched_today: settled,
        }
    }

    #[test]
    fn a_row_settled_since_the_last_answer_keeps_its_place() {
        let mut q = QueuePane::default();
        q.set(vec![
            row(1, false),
            row(2, false),
            row(3, false),
            row(9, true),
        ]);
        // 2 was logged on: the domain ranks it last now.
        q.set(vec![
            row(1, false),
            row(3, false),
            row(9, true),
            row(2, true),
        ]);
        assert_eq!(q.ids(), [1, 2, 3, 9]);
        // A settled row first seen in this answer goes where the domain put it.
        q.set(vec![
            row(3, false),
            row(9, true),
            row(2, true),
            row(5, true),
        ]);
        assert_eq!(
            q.ids(),
            [2, 3, 9, 5],
            "1 is gone; 2 and 9 keep their places"
        );
        // Rows that trade places, or come new, leave the row touched here on its line; rows
        // first seen touched (9, 5) go where the domain ranks them.
        q.set(vec![
            row(7, false),
            row(3, false),
            row(9, true),
            row(2, true),
            row(5, true),
        ]);
        assert_eq!(q.ids(), [2, 7, 3, 9, 5]);
    }

    #[test]
    fn rows_touched_before_the_console_saw_them_stay_last_when_the_list_grows() {
        let mut q = QueuePane::default();
        // The first screen: two rows touched earlier today, last.
        q.set(vec![
            row(1, false),
            row(2, false),
            row(8, true),
            row(9, true),
        ]);
        assert_eq!(q.ids(), [1, 2, 8, 9]);
        // The day's schedule adds check-ins: the new rows rank above the settled ones.
        q.set(vec![
            row(1, false),
            row(2, false),
            row(3, false),
            row(4, false),
            row(8, true),
            row(9, true),
        ]);
        assert_eq!(q.ids(), [1, 2, 3, 4, 8, 9]);
    }
}
