//! My queue: today's work, one account a row with every reason, the most urgent first; the
//! selected account beside.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{caption_line, mrr_short, safe};
use crate::display::{fit, fit_name, truncate, width};
use crate::domain::my_queue::Row;
use crate::tui::app::App;

pub fn render(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let share = if area.width >= 100 { 62 } else { 55 };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(share), Constraint::Fill(1)]).areas(area);
    list(frame, app, left);
    super::list::detail(frame, app, right);
}

fn list(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let t = &app.theme;
    let q = &app.my_queue;
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
    let rows: Vec<(bool, &Row)> = super::visible_rows(app)
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
    lines.extend(super::list_status(app, q.loaded, "nothing to do today"));
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
