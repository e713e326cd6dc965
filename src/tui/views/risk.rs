//! The at-risk pane: accounts by risk on the left, the selected account's factors on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{caption_line, detail_box, mrr_short, safe};
use crate::display::{fit, fit_name, truncate};
use crate::domain::risk::{Band, RiskScore};
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::worker::RiskRow;

pub fn render(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(58), Constraint::Fill(1)]).areas(area);
    list(frame, app, left);
    detail(frame, app, right);
}

pub fn band_style(theme: &Theme, band: Band) -> ratatui::style::Style {
    match band {
        Band::High => theme.danger(),
        Band::Medium => theme.warn(),
        Band::Low => theme.ok(),
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

fn list(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let t = &app.theme;
    let state = &app.panes[app.pane];
    let w = usize::from(area.width);
    let caption = format!("At risk · {}", app.risk.describe());
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
    if !app.risk.loaded {
        lines.push(Line::styled(" scoring every account…", t.muted()));
    } else if state.ids.is_empty() {
        lines.push(Line::styled(" nothing here with these filters", t.muted()));
    }
    let height = app.list_height();
    for (i, id) in state.ids.iter().enumerate().skip(state.offset).take(height) {
        let Some(r) = app.risk.row(*id) else { continue };
        let selected = i == state.cursor;
        let base = if selected { t.selected() } else { t.base() };
        let mut spans = vec![
            Span::styled(format!(" {:>3.0} ", r.score), base),
            Span::styled(
                r.band.as_str()[..1].to_uppercase(),
                if selected {
                    base
                } else {
                    band_style(t, r.band)
                },
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
            let reason = match (&r.change, app.risk.changes) {
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

fn detail(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let t = &app.theme;
    let inner = detail_box(frame, app, area);
    let Some(id) = app.selected_id() else { return };
    let (Some(row), Some((_, risk))) = (
        app.risk.row(id),
        app.risk.detail.as_ref().filter(|(d, _)| *d == id),
    ) else {
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
            band_style(t, risk.band),
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
pub fn factor_lines(app: &App, risk: &RiskScore, width: usize) -> Vec<Line<'static>> {
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
