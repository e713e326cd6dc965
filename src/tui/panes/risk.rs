//! The at-risk pane: every active account by risk on the left, the selected account's factors
//! on the right; the rep filters and sorts them, snoozes and reassigns.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::keyed::Keyed;
use super::{ListState, PaneModule, Seen, drop_aside, next_stage};
use crate::display::{fit, fit_name, truncate};
use crate::domain::lifecycle::Stage;
use crate::domain::risk::{Band, RiskScore};
use crate::tui::app::App;
use crate::tui::keymap::{Command, Context};
use crate::tui::then::Then;
use crate::tui::views::{caption_line, detail_box, mrr_short, safe};
use crate::tui::worker::{Load, PaneData, Request, RiskRequest, RiskRow};

/// How the at-risk pane is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskSort {
    Score,
    AtStake,
    Trend,
}

impl RiskSort {
    /// The order `s` moves to.
    fn next(self) -> RiskSort {
        match self {
            RiskSort::Score => RiskSort::AtStake,
            RiskSort::AtStake => RiskSort::Trend,
            RiskSort::Trend => RiskSort::Score,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RiskSort::Score => "by score",
            RiskSort::AtStake => "by MRR at stake",
            RiskSort::Trend => "by rise over 7 d",
        }
    }
}

/// The at-risk pane: every active account's score, and how the rep filters and sorts them.
#[derive(Debug, Clone)]
pub struct RiskState {
    /// By account.
    pub rows: Keyed<RiskRow>,
    pub loaded: bool,
    pub sort: RiskSort,
    pub mine: bool,
    pub band: Option<Band>,
    pub stage: Option<Stage>,
    pub owner: Option<String>,
    /// Only what changed since yesterday, largest rise first.
    pub changes: bool,
    /// The selected account's full score.
    pub detail: Option<(i64, Box<RiskScore>)>,
    pub list: ListState,
}

impl Default for RiskState {
    fn default() -> Self {
        RiskState {
            rows: Keyed::default(),
            loaded: false,
            sort: RiskSort::Score,
            mine: false,
            band: None,
            stage: None,
            owner: None,
            changes: false,
            detail: None,
            list: ListState::default(),
        }
    }
}

impl RiskState {
    pub fn row(&self, id: i64) -> Option<&RiskRow> {
        self.rows.get(id)
    }

    /// The ids the pane shows: filtered, sorted, snoozed accounts left out.
    pub(crate) fn visible(&self, me: Option<&str>) -> Vec<i64> {
        let mut rows: Vec<&RiskRow> = self
            .rows
            .iter()
            .filter(|r| !r.snoozed())
            .filter(|r| !self.mine || r.owner.as_deref() == me)
            .filter(|r| self.band.is_none_or(|b| r.band == b))
            .filter(|r| self.stage.is_none_or(|s| r.stage == s))
            .filter(|r| self.owner.is_none() || r.owner == self.owner)
            .filter(|r| !self.changes || r.change.is_some())
            .collect();
        let trend = |r: &RiskRow| r.trend_7d.unwrap_or(0.0);
        let rise = |r: &RiskRow| {
            r.change.as_ref().map_or(0.0, |(c, _)| {
                // New high risk first, then the largest rise.
                c.to - c.from.unwrap_or(0.0) + if c.new_high { 1000.0 } else { 0.0 }
            })
        };
        rows.sort_by(|a, b| {
            if self.changes {
                return rise(b)
                    .total_cmp(&rise(a))
                    .then(a.account_id.cmp(&b.account_id));
            }
            match self.sort {
                RiskSort::Score => b.score.total_cmp(&a.score),
                RiskSort::AtStake => b.at_stake_cents().cmp(&a.at_stake_cents()),
                RiskSort::Trend => trend(b).total_cmp(&trend(a)),
            }
            .then(b.score.total_cmp(&a.score))
            .then(a.account_id.cmp(&b.account_id))
        });
        rows.into_iter().map(|r| r.account_id).collect()
    }

    /// Puts an account's row in; false when it was there already as it is, so that the list
    /// (a sort of every account) need not be built again.
    pub(crate) fn put(&mut self, row: RiskRow) -> bool {
        self.rows.put(row.account_id, row)
    }

    /// The filters in force, for the caption.
    pub fn describe(&self) -> String {
        let mut parts = vec![if self.changes {
            "changes since yesterday".to_string()
        } else {
            self.sort.label().to_string()
        }];
        parts.push(if self.mine {
            "mine".into()
        } else {
            "all".into()
        });
        if let Some(b) = self.band {
            parts.push(format!("{} band", b.as_str()));
        }
        if let Some(s) = self.stage {
            parts.push(s.as_str().to_string());
        }
        if let Some(o) = &self.owner {
            parts.push(format!("owner {o}"));
        }
        parts.join(" · ")
    }
}

impl RiskState {
    /// The list anew from the rows, the filters and the order.
    fn relist(&mut self, me: Option<&str>) -> Then {
        let ids = self.visible(me);
        self.list.replace(ids);
        self.list.loaded = self.loaded;
        Then::Relisted { anew: false }
    }

    /// One account's row and full score: after a change to it, or as the detail beside the list.
    pub fn one(
        &mut self,
        account_id: i64,
        row: Option<Box<RiskRow>>,
        risk: Option<Box<RiskScore>>,
        seen: &Seen<'_>,
    ) -> Then {
        if let Some(risk) = risk {
            self.detail = Some((account_id, risk));
        }
        match row {
            Some(row) if self.loaded => {
                if self.put(*row) {
                    self.relist(seen.me)
                } else {
                    Then::Nothing
                }
            }
            _ => Then::Nothing,
        }
    }

    /// `:owner LOGIN`: one owner's accounts (none: every owner's).
    pub fn set_owner(&mut self, owner: Option<String>, seen: &Seen<'_>) -> Then {
        self.owner = owner;
        self.mine = false;
        self.list.to_top = true;
        self.relist(seen.me)
    }
}

impl PaneModule for RiskState {
    fn list(&self) -> &ListState {
        &self.list
    }

    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }

    fn context(&self, _: &Seen<'_>) -> Context {
        Context::Risk
    }

    fn load(&self, _: &Seen<'_>) -> Load {
        Load::Risk
    }

    fn command(&mut self, command: Command, seen: &Seen<'_>) -> Then {
        match command {
            Command::Sort => self.sort = self.sort.next(),
            Command::Mine => self.mine = !self.mine,
            Command::BandFilter => {
                self.band = match self.band {
                    None => Some(Band::High),
                    Some(Band::High) => Some(Band::Medium),
                    Some(Band::Medium) => Some(Band::Low),
                    Some(Band::Low) => None,
                }
            }
            Command::StageFilter => self.stage = next_stage(self.stage),
            Command::Changes => self.changes = !self.changes,
            Command::Rescore => {
                return Then::All(vec![Then::info("scoring every account…"), Then::Reload]);
            }
            Command::Assign => return Then::Prompt("assign ".into()),
            Command::Snooze => return Then::Prompt("snooze +7d ".into()),
            _ => return Then::Pass,
        }
        self.relist(seen.me)
    }

    fn answer(&mut self, data: PaneData, seen: &Seen<'_>) -> Then {
        let PaneData::Risk { rows, index } = data else {
            return Then::Nothing;
        };
        drop_aside(std::mem::replace(
            &mut self.rows,
            Keyed::from_parts(rows, index),
        ));
        self.loaded = true;
        self.relist(seen.me)
    }

    fn render(&self, frame: &mut Frame<'_>, app: &App, area: Rect) {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Fill(1)]).areas(area);
        self.render_list(frame, app, left);
        self.render_detail(frame, app, right);
    }

    /// Scoring every account takes a moment: once, then one account at a time as it changes
    /// (`r` scores them all again).
    fn stale(&self) -> bool {
        !self.loaded
    }

    fn preloads(&self) -> bool {
        false
    }

    fn reload(&self, _: &Seen<'_>) -> Then {
        // Never scored (the scoring asked may have been lost with the server): all of it.
        if !self.loaded {
            return Then::Reload;
        }
        self.list.selected().map_or(Then::Nothing, |account_id| {
            Then::Ask(Request::Risk(RiskRequest::One { account_id }))
        })
    }

    /// Only the account that changed is scored again.
    fn account_changed(&self, account_id: i64, _shown: bool, _: &Seen<'_>) -> Then {
        if self.loaded {
            Then::Ask(Request::Risk(RiskRequest::One { account_id }))
        } else {
            Then::Nothing
        }
    }

    fn name_of(&self, account_id: i64) -> Option<String> {
        self.row(account_id).map(|r| r.name.clone())
    }

    fn detail(&self, account_id: i64) -> Request {
        Request::Risk(RiskRequest::One { account_id })
    }

    fn own_detail(&self) -> bool {
        true
    }
}

/// How the pane is drawn.
impl RiskState {
    fn render_list(&self, frame: &mut Frame<'_>, app: &App, area: Rect) {
        let t = &app.theme;
        let state = &self.list;
        let w = usize::from(area.width);
        let caption = format!("At risk · {}", self.describe());
        let mut lines = vec![caption_line(app, &caption, w)];
        let show_owner = w >= 60;
        let show_stage = w >= 66;
        let show_reason = w >= 110;
        // " 67 " + band letter + " ↑12 " + " at stake" + two blanks, then owner and stage.
        let fixed =
            5 + 1 + 5 + 11 + 2 + if show_owner { 9 } else { 0 } + if show_stage { 6 } else { 0 };
        let name_w = if show_reason {
            28
        } else {
            w.saturating_sub(fixed).max(8)
        };
        let mut head = format!(
            " {:>3} {:<1} {:<4} {:>10}  {}",
            "Rsk",
            "",
            "7 d",
            "At stake",
            fit("Account", name_w)
        );
        if show_owner {
            head.push_str(&format!(" {:<8}", "Owner"));
        }
        if show_stage {
            head.push_str(&format!(" {:<5}", "Stage"));
        }
        if show_reason {
            head.push_str("  Top reason");
        }
        lines.push(Line::styled(fit(&head, w), t.muted()));
        if !self.loaded {
            lines.push(Line::styled(" scoring every account…", t.muted()));
        } else if state.ids.is_empty() {
            lines.push(Line::styled(" nothing here with these filters", t.muted()));
        }
        let height = app.list_height();
        for (i, id) in state.ids.iter().enumerate().skip(state.offset).take(height) {
            let Some(r) = self.row(*id) else { continue };
            let selected = i == state.cursor;
            let base = if selected { t.selected() } else { t.base() };
            let mut spans = vec![
                Span::styled(format!(" {:>3.0} ", r.score), base),
                Span::styled(
                    r.band.as_str()[..1].to_uppercase(),
                    if selected { base } else { t.band(r.band) },
                ),
            ];
            let mut rest = format!(
                " {:<4} {:>10}  {}",
                trend(r.trend_7d),
                truncate(&mrr_short(r.at_stake_cents(), &r.currency), 10),
                fit_name(&safe(&r.name), name_w)
            );
            if show_owner {
                rest.push(' ');
                rest.push_str(&fit(&r.owner.as_deref().map_or("team".into(), safe), 8));
            }
            if show_stage {
                rest.push_str(&format!(" {:<5}", r.stage.as_str()));
            }
            if show_reason {
                rest.push_str("  ");
                let reason = match (&r.change, self.changes) {
                    (Some((c, detail)), true) => change_line(c, detail.as_deref()),
                    _ => safe(r.top.as_deref().unwrap_or("")),
                };
                rest.push_str(&reason);
            }
            let used = 5 + 1;
            spans.push(Span::styled(fit(&rest, w.saturating_sub(used)), base));
            lines.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }

    fn render_detail(&self, frame: &mut Frame<'_>, app: &App, area: Rect) {
        let t = &app.theme;
        let inner = detail_box(frame, app, area);
        let Some(id) = app.selected_id() else { return };
        let (Some(row), Some((_, risk))) =
            (self.row(id), self.detail.as_ref().filter(|(d, _)| *d == id))
        else {
            frame.render_widget(Paragraph::new(Line::styled("loading…", t.muted())), inner);
            return;
        };
        let w = usize::from(inner.width);
        let mut lines = vec![Line::styled(
            truncate(&safe(&row.name), w).into_owned(),
            t.title(),
        )];
        lines.push(Line::from(vec![
            Span::styled(
                format!("risk {:.0} {}", risk.score, risk.band.as_str()),
                t.band(risk.band),
            ),
            Span::raw(truncate(&summary(row), w.saturating_sub(16)).into_owned()),
        ]));
        lines.push(Line::raw(""));
        lines.extend(factor_lines(app, risk, w));
        if let Some((c, detail)) = &row.change {
            lines.push(Line::styled(
                truncate(
                    &format!("since yesterday: {}", change_line(c, detail.as_deref())),
                    w,
                )
                .into_owned(),
                t.warn(),
            ));
        }
        if let Some(z) = &row.snooze {
            lines.push(Line::styled(
                truncate(
                    &format!("snoozed until {}: {}", z.until, safe(&z.reason)),
                    w,
                )
                .into_owned(),
                t.muted(),
            ));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// `↑12`, `↓3`, `·` when unchanged, blank when there is no earlier score.
fn trend(t: Option<f64>) -> String {
    match t.map(f64::round) {
        None => String::new(),
        Some(d) if d >= 1.0 => format!("↑{d:.0}"),
        Some(d) if d <= -1.0 => format!("↓{:.0}", -d),
        Some(_) => "·".into(),
    }
}

fn summary(row: &RiskRow) -> String {
    let mut s = format!(
        " · {} · {} at stake",
        row.stage.as_str(),
        mrr_short(row.at_stake_cents(), &row.currency)
    );
    // A rounded change of nothing is "±0", never "-0".
    let change = |d: f64| match d.round() {
        0.0 => "±0".to_string(),
        r => format!("{r:+.0}"),
    };
    if let Some(d) = row.trend_7d {
        s.push_str(&format!(" · {} in 7 d", change(d)));
    }
    if let Some(d) = row.trend_30d {
        s.push_str(&format!(" · {} in 30 d", change(d)));
    }
    s
}

/// Every factor with its points, the most impactful one marked, then what has no data.
fn factor_lines(app: &App, risk: &RiskScore, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    for (i, r) in risk.reasons.iter().enumerate() {
        let text = format!(
            "{:>5.1}  {:<10} {}",
            r.points,
            r.factor.as_str(),
            safe(&r.detail)
        );
        let text = truncate(&text, width.saturating_sub(2)).into_owned();
        if i == 0 && r.points > 0.0 {
            lines.push(Line::styled(format!("▶ {text}"), t.danger()));
        } else {
            lines.push(Line::styled(
                format!("  {text}"),
                if r.points > 0.0 { t.base() } else { t.muted() },
            ));
        }
    }
    if !risk.missing.is_empty() {
        let mut missing: Vec<&str> = risk.missing.iter().map(|(_, m)| *m).collect();
        missing.dedup();
        lines.push(Line::styled(
            truncate(&format!("  not counted: {}", missing.join(", ")), width).into_owned(),
            t.muted(),
        ));
    }
    if let Some(note) = &risk.contract {
        lines.push(Line::styled(
            truncate(&format!("  {note}"), width).into_owned(),
            t.muted(),
        ));
    }
    lines
}

/// `new high risk (was 30) (usage): usage −55 % …` or `+12 (billing): payment failing …`.
fn change_line(c: &crate::domain::risk::Change, detail: Option<&str>) -> String {
    let what = match (c.new_high, c.from) {
        (true, Some(from)) => format!("new high risk (was {from:.0})"),
        (true, None) => "new high risk".to_string(),
        (false, from) => format!("{:+.0}", c.to - from.unwrap_or(0.0)),
    };
    let factor = c
        .factor
        .map(|f| format!(" ({})", f.as_str()))
        .unwrap_or_default();
    let detail = detail.map(|d| format!(": {}", safe(d))).unwrap_or_default();
    format!("{what}{factor}{detail}")
}
