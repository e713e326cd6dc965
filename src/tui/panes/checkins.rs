//! The check-ins pane: the open check-ins of the window, stage and owner the rep chose, most
//! overdue first, the account beside; a lead sees who is behind.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::keyed::Keyed;
use super::{ListState, PaneModule, Seen, drop_aside, next_stage};
use crate::display::{fit, fit_name, truncate};
use crate::domain::lifecycle::Stage;
use crate::domain::model::InteractionKind;
use crate::store::{CheckinFilter, CheckinRow};
use crate::tui::app::App;
use crate::tui::keymap::{Command, Context};
use crate::tui::then::Then;
use crate::tui::views::{caption_line, detail, list_status, mrr_short, safe, visible_rows};
use crate::tui::worker::{CheckinRequest, Load, PaneData, Request};

/// Which check-ins the check-ins pane shows, by when they are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueWindow {
    Overdue,
    Today,
    Week,
}

impl DueWindow {
    fn next(self) -> DueWindow {
        match self {
            DueWindow::Week => DueWindow::Overdue,
            DueWindow::Overdue => DueWindow::Today,
            DueWindow::Today => DueWindow::Week,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DueWindow::Overdue => "overdue",
            DueWindow::Today => "due today",
            DueWindow::Week => "due this week",
        }
    }
}

/// The check-ins pane: open check-ins, most overdue first, whatever their stage.
#[derive(Debug, Clone)]
pub struct CheckinState {
    /// By check-in.
    pub rows: Keyed<CheckinRow>,
    pub loaded: bool,
    pub window: DueWindow,
    pub mine: bool,
    pub stage: Option<Stage>,
    pub owner: Option<String>,
    pub list: ListState,
}

impl Default for CheckinState {
    fn default() -> Self {
        CheckinState {
            rows: Keyed::default(),
            loaded: false,
            window: DueWindow::Week,
            mine: false,
            stage: None,
            owner: None,
            list: ListState::default(),
        }
    }
}

impl CheckinState {
    pub fn row(&self, checkin_id: i64) -> Option<&CheckinRow> {
        self.rows.get(checkin_id)
    }

    fn filter(&self, today: NaiveDate, me: Option<&str>) -> CheckinFilter {
        CheckinFilter {
            due_by: Some(match self.window {
                DueWindow::Overdue => today - Days::new(1),
                DueWindow::Today => today,
                DueWindow::Week => today + Days::new(7),
            }),
            due_from: None,
            stage: self.stage,
            owner: if self.mine {
                me.map(str::to_string)
            } else {
                self.owner.clone()
            },
            include_snoozed: false,
        }
    }

    /// Check-in ids in the order shown: most overdue first (an 86-day-late one is never below
    /// one due next week), then by stage, then largest MRR. `t` narrows to one stage.
    pub(crate) fn ordered(&self) -> Vec<i64> {
        let mut rows: Vec<&CheckinRow> = self.rows.iter().collect();
        rows.sort_by(|a, b| {
            a.due_date
                .cmp(&b.due_date)
                .then(a.stage.cmp(&b.stage))
                .then(b.mrr_cents.cmp(&a.mrr_cents))
                .then(a.checkin_id.cmp(&b.checkin_id))
        });
        rows.into_iter().map(|r| r.checkin_id).collect()
    }

    /// Overdue check-ins per owner, most first: what a lead looks at.
    pub fn overdue_by_owner(&self, today: NaiveDate) -> Vec<(String, usize)> {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for r in self.rows.iter().filter(|r| r.due_date < today) {
            *counts
                .entry(r.owner.clone().unwrap_or_else(|| "team".into()))
                .or_default() += 1;
        }
        let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        counts
    }
}

impl CheckinState {
    /// The check-in under the cursor.
    pub fn selected(&self) -> Option<&CheckinRow> {
        self.list.selected().and_then(|id| self.row(id))
    }

    /// `:owner LOGIN`: one owner's check-ins (none: every owner's).
    pub fn set_owner(&mut self, owner: Option<String>) -> Then {
        self.owner = owner;
        self.mine = false;
        self.list.to_top = true;
        Then::Reload
    }
}

impl PaneModule for CheckinState {
    fn list(&self) -> &ListState {
        &self.list
    }

    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }

    fn context(&self, _: &Seen<'_>) -> Context {
        Context::Checkins
    }

    fn load(&self, seen: &Seen<'_>) -> Load {
        Load::Checkins(self.filter(seen.today, seen.me))
    }

    fn command(&mut self, command: Command, _: &Seen<'_>) -> Then {
        match command {
            Command::Complete => {
                let Some(row) = self.selected() else {
                    return Then::Nothing;
                };
                let agenda = crate::domain::checkins::agenda(row.stage);
                return Then::Form {
                    kind: InteractionKind::CheckIn,
                    note: format!("{} check-in ({}): \n{agenda}\n", row.kind, row.stage),
                    tags: String::new(),
                };
            }
            Command::Mine => self.mine = !self.mine,
            Command::StageFilter => self.stage = next_stage(self.stage),
            Command::DueFilter => self.window = self.window.next(),
            Command::Assign => return Then::Prompt("assign ".into()),
            Command::Snooze => return Then::Prompt("snooze +7d ".into()),
            _ => return Then::Pass,
        }
        // The database applies the filter.
        Then::Reload
    }

    fn answer(&mut self, data: PaneData, _: &Seen<'_>) -> Then {
        let PaneData::Checkins(rows) = data else {
            return Then::Nothing;
        };
        let rows = Keyed::new(rows, |r| r.checkin_id);
        drop_aside(std::mem::replace(&mut self.rows, rows));
        self.loaded = true;
        let ids = self.ordered();
        self.list.replace(ids);
        // Check-ins, not accounts, are listed: the account beside is asked for again.
        Then::Relisted { anew: true }
    }

    fn render(&self, frame: &mut Frame<'_>, app: &App, area: Rect) {
        let share = if area.width >= 100 { 58 } else { 55 };
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(share), Constraint::Fill(1)]).areas(area);
        self.render_list(frame, app, left);
        let lead = app
            .identity
            .rep
            .as_ref()
            .is_some_and(|(_, role)| role == "lead" || role == "admin");
        if lead {
            let counts = self.overdue_by_owner(app.today);
            let height = (counts.len().min(6) as u16 + 2).min(right.height / 2);
            let [top, rest] =
                Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(right);
            overdue_by_rep(frame, app, &counts, top);
            detail::render(frame, app, rest);
        } else {
            detail::render(frame, app, right);
        }
    }

    fn account_of(&self, id: i64) -> Option<i64> {
        self.row(id).map(|r| r.account_id)
    }

    fn name_of(&self, account_id: i64) -> Option<String> {
        self.rows
            .iter()
            .find(|r| r.account_id == account_id)
            .map(|r| r.name.clone())
    }

    fn snooze(&self, until: NaiveDate, reason: &str, _: &Seen<'_>) -> Option<Request> {
        self.selected().map(|row| {
            Request::Checkin(CheckinRequest::Snooze {
                checkin_id: row.checkin_id,
                until,
                reason: reason.to_string(),
            })
        })
    }
}

/// How the pane is drawn.
impl CheckinState {
    fn render_list(&self, frame: &mut Frame<'_>, app: &App, area: Rect) {
        let t = &app.theme;
        let w = usize::from(area.width);
        let c = self;
        let overdue = |stage: Stage| {
            c.rows
                .iter()
                .filter(|r| r.stage == stage && r.due_date < app.today)
                .count()
        };
        let mut caption = format!(
            "Check-ins · {} · {}",
            c.window.label(),
            if c.mine { "mine" } else { "all" }
        );
        if let Some(stage) = c.stage {
            caption.push_str(&format!(" · {stage}"));
        }
        if let Some(owner) = &c.owner {
            caption.push_str(&format!(" · owner {}", safe(owner)));
        }
        caption.push_str(&format!(
            " · overdue: early {} mid {} late {}",
            overdue(Stage::Early),
            overdue(Stage::Mid),
            overdue(Stage::Late)
        ));
        let mut lines = vec![caption_line(app, &caption, w)];
        // The name has the room first: the owner, the stage and the MRR are in the detail beside
        // and the caption, and give way as the list narrows.
        let show_owner = w >= 90;
        let wide = w >= 60;
        let kind_w = if wide { 16 } else { 10 };
        // Each column with the space before it; "170 d late" is the widest due.
        let fixed =
            11 + (kind_w + 1) + 1 + if show_owner { 9 } else { 0 } + if wide { 6 + 11 } else { 0 };
        let name_w = w.saturating_sub(fixed).max(8);
        let columns = |due: &str, stage: &str, kind: &str, name: &str, owner: &str, mrr: &str| {
            let mut line = format!(" {due:<10}");
            if wide {
                line.push_str(&format!(" {stage:<5}"));
            }
            line.push_str(&format!(" {} {name}", fit(kind, kind_w)));
            if show_owner {
                line.push_str(&format!(" {}", fit(owner, 8)));
            }
            if wide {
                line.push_str(&format!(" {:>10}", truncate(mrr, 10)));
            }
            line
        };
        let head = columns(
            "Due",
            "Stage",
            "Kind",
            &fit("Account", name_w),
            "Owner",
            "MRR",
        );
        lines.push(Line::styled(fit(&head, w), t.muted()));
        lines.extend(list_status(app, c.loaded, "nothing due with these filters"));
        for (selected, id) in visible_rows(app) {
            let Some(r) = c.row(id) else { continue };
            let when = match (r.due_date - app.today).num_days() {
                0 => "today".to_string(),
                d if d < 0 => format!("{} d late", -d),
                d => format!("in {d} d"),
            };
            let text = columns(
                &when,
                r.stage.as_str(),
                &r.kind,
                &fit_name(&safe(&r.name), name_w),
                &r.owner.as_deref().map_or("team".into(), safe),
                &mrr_short(r.mrr_cents, &r.currency),
            );
            let style = if selected {
                t.selected()
            } else if r.due_date < app.today {
                t.warn()
            } else {
                t.base()
            };
            lines.push(Line::styled(fit(&text, w), style));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }
}

fn overdue_by_rep(frame: &mut Frame<'_>, app: &App, counts: &[(String, usize)], area: Rect) {
    let t = &app.theme;
    let block = Block::bordered()
        .border_style(t.border())
        .title(" Overdue by rep ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let line: Vec<Span<'_>> = counts
        .iter()
        .flat_map(|(rep, n)| {
            [
                Span::styled(format!("{} ", safe(rep)), t.base()),
                Span::styled(format!("{n}  "), if *n > 0 { t.warn() } else { t.muted() }),
            ]
        })
        .collect();
    let text = if line.is_empty() {
        Line::styled("nothing overdue", t.ok())
    } else {
        Line::from(line)
    };
    frame.render_widget(
        Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: false }),
        inner,
    );
}
