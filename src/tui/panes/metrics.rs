//! The metrics pane: is the work moving churn? Logo churn by month as bars with the annual
//! equivalent, NRR and GRR, voluntary against involuntary, payment recovery, and the cohort
//! matrix shaded by how much of each cohort is left.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{ListState, PaneModule, Seen};
use crate::display::fit;
use crate::domain::metrics::{Cohort, Period, PeriodChurn, PeriodRevenue, annualise};
use crate::domain::recovery::RecoveryReport;
use crate::tui::app::App;
use crate::tui::keymap::{Command, Context};
use crate::tui::then::Then;
use crate::tui::worker::{Load, PaneData};

/// What the pane shows, computed on the database thread.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsData {
    /// Logo churn by month, oldest first, the current month last (so far).
    pub churn: Vec<PeriodChurn>,
    /// MRR churn, NRR and GRR by month, every currency.
    pub revenue: Vec<PeriodRevenue>,
    pub cohorts: Vec<Cohort>,
    pub recovery: RecoveryReport,
}

/// A page to read, not a list: its list stays empty.
#[derive(Debug, Clone, Default)]
pub struct MetricsPane {
    pub data: Option<Box<MetricsData>>,
    pub list: ListState,
}

impl PaneModule for MetricsPane {
    fn list(&self) -> &ListState {
        &self.list
    }

    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }

    fn context(&self, _: &Seen<'_>) -> Context {
        Context::Metrics
    }

    fn load(&self, _: &Seen<'_>) -> Load {
        Load::Metrics
    }

    fn command(&mut self, _: Command, _: &Seen<'_>) -> Then {
        Then::Pass
    }

    fn answer(&mut self, data: PaneData, _: &Seen<'_>) -> Then {
        if let PaneData::Metrics(data) = data {
            self.data = Some(data);
        }
        Then::Nothing
    }

    fn render(&self, frame: &mut Frame<'_>, app: &App, area: Rect) {
        let t = &app.theme;
        let Some(m) = &self.data else {
            frame.render_widget(Paragraph::new(Line::styled(" loading…", t.muted())), area);
            return;
        };
        let rows = (m.cohorts.len() as u16 + 3).min(area.height / 2).max(5);
        let [top, bottom] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(rows)]).areas(area);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]).areas(top);
        churn_bars(frame, app, m, left);
        figures(frame, app, m, right);
        cohort_table(frame, app, m, bottom);
    }

    /// One account's change moves a year of figures by little: they are read again when the
    /// pane is next loaded.
    fn account_changed(&self, _: i64, _: bool, _: &Seen<'_>) -> Then {
        Then::Nothing
    }

    fn name_of(&self, _: i64) -> Option<String> {
        None
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or("–".into(), |x| format!("{:.1} %", x * 100.0))
}

/// The months that are over: the current one is still running.
fn complete<'a>(
    m: &'a MetricsData,
    app: &App,
) -> impl Iterator<Item = &'a crate::domain::metrics::PeriodChurn> {
    m.churn
        .iter()
        .filter(move |p| p.end <= app.today + chrono::Days::new(1))
}

fn churn_bars(frame: &mut Frame<'_>, app: &App, m: &MetricsData, area: Rect) {
    let t = &app.theme;
    let block = Block::bordered()
        .border_style(t.border())
        .title(" Logo churn by month ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let max = m
        .churn
        .iter()
        .filter_map(|p| p.churn_rate)
        .fold(0.0_f64, f64::max)
        .max(0.01);
    let bar_w = w.saturating_sub(8 + 1 + 8 + 1).max(4);
    let mut lines = Vec::new();
    // The latest months that fit, above the legend.
    let fits = usize::from(inner.height).saturating_sub(1);
    for p in m.churn.iter().skip(m.churn.len().saturating_sub(fits)) {
        let rate = p.churn_rate.unwrap_or(0.0);
        let cells = ((rate / max) * bar_w as f64).round() as usize;
        // Involuntary churn is the part of the bar drawn lighter.
        let invol = (cells * p.involuntary).checked_div(p.churned).unwrap_or(0);
        let running = p.end > app.today + chrono::Days::new(1);
        lines.push(Line::from(vec![
            Span::styled(p.start.format("%Y-%m ").to_string(), t.muted()),
            Span::styled(
                "█".repeat(cells - invol),
                if running { t.muted() } else { t.title() },
            ),
            Span::styled("▒".repeat(invol), t.warn()),
            Span::raw(" ".repeat(bar_w - cells + 1)),
            Span::styled(
                format!(
                    "{:>7}{}",
                    pct(p.churn_rate),
                    if running { "…" } else { " " }
                ),
                t.base(),
            ),
        ]));
    }
    lines.push(Line::styled(
        fit("█ voluntary  ▒ involuntary  … month so far", w),
        t.muted(),
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn figures(frame: &mut Frame<'_>, app: &App, m: &MetricsData, area: Rect) {
    let t = &app.theme;
    let block = Block::bordered()
        .border_style(t.border())
        .title(" Last 12 months ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let done: Vec<_> = complete(m, app).collect();
    let rates: Vec<f64> = done.iter().filter_map(|p| p.churn_rate).collect();
    let monthly = (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64);
    let (vol, invol) = m
        .churn
        .iter()
        .fold((0, 0), |(v, i), p| (v + p.voluntary, i + p.involuntary));
    let mut lines = vec![
        Line::from(vec![
            Span::styled("logo churn ", t.muted()),
            Span::styled(format!("{} a month", pct(monthly)), t.title()),
        ]),
        Line::from(vec![
            Span::styled("  a year   ", t.muted()),
            Span::styled(pct(monthly.map(|r| annualise(r, Period::Month))), t.title()),
        ]),
        Line::from(vec![
            Span::styled("churned    ", t.muted()),
            Span::raw(format!("{vol} voluntary")),
        ]),
        Line::from(vec![
            Span::styled("           ", t.muted()),
            Span::raw(format!("{invol} involuntary")),
        ]),
    ];
    // The last full month's revenue retention, in each currency, the largest first.
    if let Some(last) = done.last() {
        let mut month: Vec<_> = m.revenue.iter().filter(|r| r.start == last.start).collect();
        month.sort_by_key(|r| std::cmp::Reverse(r.start_mrr_cents));
        lines.push(Line::styled(
            format!("revenue, {}", last.start.format("%B %Y")),
            t.muted(),
        ));
        for r in month {
            lines.push(Line::raw(fit(
                &format!(
                    "  {} NRR {} · GRR {} · net MRR churn {}",
                    r.currency,
                    pct(r.nrr),
                    pct(r.grr),
                    pct(r.net_mrr_churn)
                ),
                w,
            )));
        }
    }
    // Every currency's rate: the one with the most failed (in its own minor units) is no
    // measure of the rest.
    if !m.recovery.currencies.is_empty() {
        let rates: Vec<String> = m
            .recovery
            .currencies
            .iter()
            .map(|c| format!("{} {}", c.currency, pct(c.total.recovery_rate)))
            .collect();
        lines.push(Line::from(vec![
            Span::styled("recovered  ", t.muted()),
            Span::raw(fit(&rates.join(" · "), w.saturating_sub(11))),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn cohort_table(frame: &mut Frame<'_>, app: &App, m: &MetricsData, area: Rect) {
    let t = &app.theme;
    let block = Block::bordered()
        .border_style(t.border())
        .title(" Cohorts: share still active after 1, 2, 3 … months ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let room = usize::from(inner.width).saturating_sub(16) / 5;
    let visible = usize::from(inner.height);
    let mut lines = Vec::new();
    for c in m.cohorts.iter().rev().take(visible).rev() {
        let mut spans = vec![Span::styled(
            format!("{} {:>6}  ", c.month, c.customers),
            t.muted(),
        )];
        for share in c.retained.iter().take(room) {
            spans.push(Span::styled(
                format!("{:>4.0}", share * 100.0),
                t.shade(*share),
            ));
            spans.push(Span::raw(" "));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
