//! The selected account beside a pane's list: its essentials, its latest events.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{detail_box, safe};
use crate::display::truncate;
use crate::domain::lifecycle::StageBounds;
use crate::store::AccountCard;
use crate::tui::app::App;

/// The selected account beside a pane's list: its essentials and latest events.
pub fn render(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let t = &app.theme;
    let inner = detail_box(frame, app, area);
    let Some(card) = app
        .card
        .shown
        .as_ref()
        .filter(|c| Some(c.row.account_id) == app.selected_id())
    else {
        let text = if app.selected_id().is_some() {
            "loading…"
        } else {
            ""
        };
        frame.render_widget(Paragraph::new(Line::styled(text, t.muted())), inner);
        return;
    };
    let width = usize::from(inner.width);
    let mut lines = essentials(app, card, width);
    lines.push(Line::styled("Recent", t.title()));
    // A few events: the whole timeline is on the card, and a short list keeps a cursor move
    // cheap over SSH.
    for e in card.timeline.iter().take(RECENT) {
        let title = truncate(&safe(&e.title), width.saturating_sub(20)).into_owned();
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} {:<8} ", e.at.format("%Y-%m-%d"), safe(&e.label)),
                t.muted(),
            ),
            Span::raw(title),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Timeline events beside the list.
const RECENT: usize = 6;

/// Contacts shown in the essentials, two lines each.
const CONTACT_ROWS: usize = 3;

/// The lines every view of an account starts with: who, how much, where in its life, what is
/// wrong, whom to call. Always the same number of lines, each cut to `width`, so that moving
/// from one account to the next rewrites only the cells that differ.
pub fn essentials(app: &App, card: &AccountCard, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let row = &card.row;
    let cut = |text: String| truncate(&text, width).into_owned();
    let stage = StageBounds::default().stage(row.customer_since, app.today);
    let mut lines = vec![Line::styled(cut(safe(&row.name)), t.title())];
    lines.push(Line::raw(cut(format!(
        "{} · {} · {}",
        safe(&row.external_id),
        safe(row.plan.as_deref().unwrap_or("no plan")),
        card.billing_interval
    ))));
    lines.push(Line::raw(cut(format!(
        "MRR {} · {} stage, customer since {}",
        crate::domain::money::format(row.mrr_cents, &row.currency),
        stage,
        row.customer_since
    ))));
    let renewal = crate::account_card::renewal(card);
    let owner = card
        .owner_name
        .as_deref()
        .map_or("team queue".to_string(), safe);
    lines.push(Line::raw(cut(format!("{renewal} · owner {owner}"))));
    if let Some(first) = card.notes.lines().find(|l| !l.trim().is_empty()) {
        lines.push(Line::styled(
            cut(format!("notes: {}", safe(first))),
            app.theme.muted(),
        ));
    }
    if let Some((by, until)) = card.claim.as_ref().filter(|_| card.owner_name.is_none()) {
        lines.push(Line::styled(
            cut(format!(
                "{} on it until {}",
                safe(by),
                until.format("%H:%M")
            )),
            app.theme.warn(),
        ));
    }
    lines.push(if row.active {
        match app
            .card
            .risk
            .as_ref()
            .filter(|_| app.card.wanted == Some(row.account_id))
        {
            Some(risk) => Line::styled(
                cut(format!(
                    "risk {:.0} {}{}",
                    risk.score,
                    risk.band.as_str(),
                    risk.top()
                        .map(|r| format!(" · {}", safe(&r.detail)))
                        .unwrap_or_default()
                )),
                t.band(risk.band),
            ),
            None => Line::styled("risk: scoring…", t.muted()),
        }
    } else {
        Line::styled(
            cut(format!(
                "churned {} ({}): {}",
                card.churned_at.map(|d| d.to_string()).unwrap_or_default(),
                card.churn_kind.as_deref().unwrap_or("?"),
                safe(card.churn_reason.as_deref().unwrap_or(""))
            )),
            t.danger(),
        )
    });
    lines.push(match card.open_payments.as_slice() {
        [] => Line::styled("no failing payment", t.muted()),
        [p, rest @ ..] => Line::styled(
            cut(format!(
                "payment failing: {} {} ({}){}",
                crate::domain::money::format(p.amount_cents, &p.currency),
                safe(&p.decline_code),
                crate::account_card::plain(&crate::account_card::attempts(p.attempts)),
                if rest.is_empty() {
                    String::new()
                } else {
                    format!(" +{} more", rest.len())
                }
            )),
            t.danger(),
        ),
    });
    let checkin = card
        .next_checkin
        .as_ref()
        .map_or("none".to_string(), |(d, k)| format!("{d} ({})", safe(k)));
    let tickets_style = if card.open_tickets > 0 {
        t.warn()
    } else {
        t.base()
    };
    // In a narrow column the words give way before the day does.
    let long = format!(
        "open tickets {} · next check-in {checkin}",
        card.open_tickets
    );
    let (tickets, next) = if crate::display::width(&long) <= width {
        (
            format!("open tickets {}", card.open_tickets),
            format!(" · next check-in {checkin}"),
        )
    } else {
        let next = match card.next_checkin {
            Some(_) => format!(" · next {checkin}"),
            None => " · no check-in".to_string(),
        };
        (format!("tickets {}", card.open_tickets), next)
    };
    let room = width.saturating_sub(crate::display::width(&tickets));
    lines.push(Line::from(vec![
        Span::styled(tickets, tickets_style),
        // Cut to what the count leaves, so that the cut shows (`…`).
        Span::raw(truncate(&next, room).into_owned()),
    ]));
    for i in 0..CONTACT_ROWS {
        let Some(c) = card.contacts.get(i) else {
            lines.push(Line::raw(""));
            lines.push(Line::raw(""));
            continue;
        };
        let marker = if c.is_primary { "★ " } else { "  " };
        let phone = c
            .phone
            .as_deref()
            .map(|p| format!(" · {}", safe(p)))
            .unwrap_or_default();
        lines.push(Line::raw(cut(format!("{marker}{}{phone}", safe(&c.name)))));
        let email = c.email.as_deref().map(safe).unwrap_or_default();
        lines.push(Line::styled(cut(format!("  {email}")), t.muted()));
    }
    lines
}
