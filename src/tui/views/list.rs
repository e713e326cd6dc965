//! A pane: the account list on the left (only the visible rows are built), the selected
//! account's essentials on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{caption_line, detail_box, mrr_short, safe};
use crate::display::{fit, truncate};
use crate::domain::lifecycle::StageBounds;
use crate::store::AccountCard;
use crate::tui::app::{App, Pane};

pub fn render(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let list_share = if area.width >= 100 { 58 } else { 55 };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(list_share), Constraint::Fill(1)]).areas(area);
    list(frame, app, left);
    detail(frame, app, right);
}

fn list(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let t = &app.theme;
    let pane = Pane::ALL[app.pane];
    let state = &app.panes[app.pane];
    let w = usize::from(area.width);
    let caption = format!(
        "{} · {}",
        pane.title(),
        pane.caption(app.identity.rep.is_some())
    );
    let mut lines = vec![caption_line(app, &caption, w)];

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
        let text = match app.rows.get(id) {
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

pub(super) fn detail(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let t = &app.theme;
    let inner = detail_box(frame, app, area);
    let Some(card) = app
        .card
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
            .card_risk
            .as_ref()
            .filter(|_| app.card_for == Some(row.account_id))
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
                super::risk::band_style(t, risk.band),
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
    lines.push(Line::from(vec![
        Span::styled(format!("open tickets {}", card.open_tickets), tickets_style),
        Span::raw(cut(format!(" · next check-in {checkin}"))),
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
