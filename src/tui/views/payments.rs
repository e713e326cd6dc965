//! The payments pane: the retry queues in the order reps work them, the recovery figures above,
//! the selected payment in full below.

use chrono::{DateTime, NaiveDate, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{caption_line, detail_box, mrr_short, safe};
use crate::display::{fit, truncate};
use crate::domain::money;
use crate::domain::recovery::{RecoveryReport, WonBy};
use crate::services::payments::QueueItem;
use crate::tui::app::{App, PAYMENT_DETAIL_HEIGHT};
use crate::tui::panes::payments::queue_label;

pub fn render(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let [list_area, detail_area] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(PAYMENT_DETAIL_HEIGHT),
    ])
    .areas(area);
    list(frame, app, list_area);
    let inner = detail_box(frame, app, detail_area);
    detail(frame, app, inner);
}

fn list(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let t = &app.theme;
    let s = &app.payments;
    let w = usize::from(area.width);
    let mut caption = format!(
        "Payments · {} · {}",
        s.queue.map_or("all queues", queue_label),
        if s.mine { "mine" } else { "all" }
    );
    if let Some(r) = &s.report {
        caption.push_str(&format!(" · {}", headline(r)));
    }
    let mut lines = vec![caption_line(app, &caption, w)];
    lines.push(strip(app, w));

    let show_queue = s.queue.is_none();
    let wide = w >= 110;
    let mid = w >= 90;
    // The leading blank, amount, decline, tries, next retry; then the optional columns.
    let code_w = if mid { 20 } else { 14 };
    let mut fixed = 1 + 12 + code_w + 1 + 6 + 12;
    if show_queue {
        fixed += 15;
    }
    if mid {
        fixed += 5;
    }
    if wide {
        fixed += 12 + 10;
    }
    let name_w = w.saturating_sub(fixed).max(10);
    let cell = |queue: &str, name: &str, amount: &str, code: &str, tries: &str, next: &str| {
        let mut text = String::from(" ");
        if show_queue {
            text.push_str(&fit(queue, 14));
            text.push(' ');
        }
        text.push_str(&fit(name, name_w));
        text.push_str(&format!(
            " {amount:>11} {} {tries:>5} {next:<11}",
            fit(code, code_w)
        ));
        text
    };
    let mut head = cell(
        "Queue",
        "Account",
        "Amount",
        "Decline",
        "Tries",
        "Next retry",
    );
    if mid {
        head.push_str(&format!(" {:>4}", "Days"));
    }
    if wide {
        head.push_str(&format!(" {:>11} {:<9}", "MRR", "Reached"));
    }
    lines.push(Line::styled(fit(&head, w), t.muted()));
    lines.extend(super::list_status(app, s.loaded, "nothing in this queue"));
    let now = app.wall_now;
    for (selected, key) in super::visible_rows(app) {
        let Some(item) = s.item(key) else { continue };
        let amount = item
            .amount_cents
            .map_or(String::new(), |a| mrr_short(a, &item.currency));
        let code = match (&item.decline_code, &item.card_expires) {
            (Some(code), _) if item.unknown_code => format!("{code} (?)"),
            (Some(code), _) => code.clone(),
            (None, Some(exp)) => format!("ends {exp}"),
            (None, None) => String::new(),
        };
        let tries = match item.payment_id {
            Some(_) => format!("{}/{}", item.attempts, item.attempts_cap),
            None => String::new(),
        };
        let mut text = cell(
            queue_label(item.queue),
            &safe(&item.name),
            &truncate(&amount, 11),
            &code,
            &tries,
            &next_retry(item, now),
        );
        if mid {
            let days = item
                .days_in_dunning
                .map_or(String::new(), |d| d.to_string());
            text.push_str(&format!(" {days:>4}"));
        }
        if wide {
            text.push_str(&format!(
                " {:>11} {:<9}",
                truncate(&mrr_short(item.mrr_cents, &item.currency), 11),
                reached(item.last_outreach_at, app.today)
            ));
        }
        let style = if selected {
            t.selected()
        } else {
            match item.queue {
                "due" | "do-not-retry" | "exhausted" => t.warn(),
                "recovered" => t.ok(),
                "scheduled" | "paused" => t.muted(),
                _ => t.base(),
            }
        };
        lines.push(Line::styled(fit(&text, w), style));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// Every queue with its count, the one shown marked.
fn strip(app: &App, w: usize) -> Line<'static> {
    let t = &app.theme;
    let me = app.identity.me();
    let mut spans = vec![Span::styled(" f ", t.key())];
    for (queue, n) in app.payments.counts(me) {
        let label = format!("{} {n}", queue_label(queue));
        let style = if app.payments.queue == Some(queue) {
            t.tab_active()
        } else if n == 0 {
            t.muted()
        } else {
            t.base()
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::styled(" · ", t.muted()));
    }
    spans.pop();
    let line = Line::from(spans);
    // Too long for the terminal: shown cut rather than wrapped into the list.
    if line.width() > w {
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        return Line::styled(fit(&text, w), t.base());
    }
    line
}

/// The recovery figures of the largest currency, in a phrase for the caption.
fn headline(r: &RecoveryReport) -> String {
    let mut parts = Vec::new();
    if let Some(c) = r.currencies.first() {
        if let Some(rate) = c.total.recovery_rate {
            parts.push(format!(
                "recovered {:.0}% of {} since {}",
                rate * 100.0,
                mrr_short(c.total.failed_cents, &c.currency),
                r.since.format("%b %Y")
            ));
        }
        if let Some(d) = c.median_days_to_recover {
            parts.push(format!("median {d:.0} d"));
        }
    }
    let churn = &r.involuntary_churn;
    if churn.accounts > 0 {
        let mrr: Vec<String> = churn
            .mrr_cents
            .iter()
            .map(|(cur, cents)| mrr_short(*cents, cur))
            .collect();
        parts.push(format!(
            "involuntary churn {} ({} MRR)",
            churn.accounts,
            mrr.join(" + ")
        ));
    }
    parts.join(" · ")
}

fn next_retry(item: &QueueItem, now: DateTime<Utc>) -> String {
    match (item.next_retry_at, item.queue) {
        (Some(at), _) if at <= now => "now".into(),
        (Some(at), _) => at.format("%m-%d %H:%M").to_string(),
        (None, "new-card") => "new card".into(),
        (None, "customer-action") => "customer".into(),
        (None, "do-not-retry") => "never".into(),
        (None, "paused") => "paused".into(),
        _ => "—".into(),
    }
}

fn reached(at: Option<DateTime<Utc>>, today: NaiveDate) -> String {
    match at.map(|t| (today - t.date_naive()).num_days()) {
        None => "never".into(),
        Some(d) if d <= 0 => "today".into(),
        Some(d) => format!("{d} d ago"),
    }
}

/// The selected payment in full: what went wrong in plain words, where it stands, what to do.
fn detail(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let t = &app.theme;
    let w = usize::from(area.width);
    let Some(item) = app.selected_payment() else {
        let text = match &app.payments.report {
            Some(r) => won_by(r),
            None => String::new(),
        };
        frame.render_widget(Paragraph::new(Line::styled(text, t.muted())), area);
        return;
    };
    let mut lines = Vec::new();
    let owner = item.owner.as_deref().map_or("team".into(), safe);
    let amount = item
        .amount_cents
        .map(|a| money::format(a, &item.currency))
        .unwrap_or_default();
    let facts = format!(
        "  {amount} · MRR {} · owner {owner}",
        mrr_short(item.mrr_cents, &item.currency)
    );
    let name = safe(&item.name);
    let name_w = crate::display::width(&name).min(w.saturating_sub(crate::display::width(&facts)));
    lines.push(Line::from(vec![
        Span::styled(truncate(&name, name_w.max(w / 3)).into_owned(), t.title()),
        Span::styled(facts, t.base()),
    ]));
    match (&item.decline_code, item.meaning) {
        (Some(code), Some(meaning)) => {
            let mut text = format!("{code}: {meaning}");
            if item.unknown_code {
                text.push_str(
                    " · unknown code, treated as ambiguous: classify it in payments.toml",
                );
            }
            lines.push(Line::styled(fit(&text, w), t.base()));
        }
        _ => lines.push(Line::styled(
            fit(
                &format!(
                    "card on file expires at the end of {}: send a card-update reminder (o)",
                    item.card_expires.as_deref().unwrap_or("?")
                ),
                w,
            ),
            t.base(),
        )),
    }
    if item.payment_id.is_some() {
        let mut status = Vec::new();
        if let Some(first) = item.first_failed_at {
            status.push(format!("first failed {}", first.format("%Y-%m-%d")));
        }
        if let Some(d) = item.days_in_dunning {
            status.push(format!("{d} d in dunning"));
        }
        status.push(format!(
            "attempt {} of {}",
            item.attempts, item.attempts_cap
        ));
        match (&item.why, item.next_retry_at) {
            _ if item.held_since.is_some() => {}
            (Some(why), _) => status.push(why.clone()),
            (None, Some(at)) => status.push(format!("next retry {}", at.format("%Y-%m-%d %H:%M"))),
            (None, None) => {}
        }
        status.push(format!(
            "reached {}",
            reached(item.last_outreach_at, app.today)
        ));
        lines.push(Line::styled(fit(&status.join(" · "), w), t.muted()));
        if let Some(since) = item.held_since {
            let long = format!(
                "HELD since {}: the billing hook never answered and may have charged: check billing, then r to record",
                since.format("%Y-%m-%d %H:%M")
            );
            let short = "HELD: the hook never answered, may have charged: check billing, then r";
            let text = if crate::display::width(&long) <= w {
                long
            } else {
                short.to_string()
            };
            lines.push(Line::styled(fit(&text, w), t.warn()));
        }
    }
    let keys: &[(&str, &str)] = if item.payment_id.is_some() {
        &[
            ("u", "card updated"),
            ("r", "result"),
            ("o", "outreach"),
            ("p", "pause"),
            ("W", "write off"),
            ("Enter", "account"),
        ]
    } else {
        &[("o", "card-update reminder"), ("Enter", "account")]
    };
    let mut spans = Vec::new();
    for (key, what) in keys {
        spans.push(Span::styled(*key, t.key()));
        spans.push(Span::styled(format!(" {what}  "), t.muted()));
    }
    lines.push(Line::from(spans));
    frame.render_widget(Paragraph::new(lines), area);
}

/// How recovered money was won, for the detail box when nothing is selected.
fn won_by(r: &RecoveryReport) -> String {
    let Some(c) = r.currencies.first() else {
        return "no payment failed in the last six months".into();
    };
    let get = |how| c.recovered_by.get(&how).copied().unwrap_or(0);
    format!(
        "won back since {}: {} by retries, {} after the customer updated the card",
        r.since,
        mrr_short(get(WonBy::Retry), &c.currency),
        mrr_short(get(WonBy::CardUpdate), &c.currency)
    )
}
