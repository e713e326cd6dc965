//! My queue: today's work, one account a row with every reason, the most urgent first; the
//! selected account beside.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{caption_line, mrr_short, safe};
use crate::display::{fit, truncate};
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
    let caption = format!("My queue · today · {late} urgent");
    let mut lines = vec![caption_line(app, &caption, w)];
    let name_w = (w / 3).clamp(12, 30);
    let reasons_w = w.saturating_sub(name_w + 12 + 3);
    lines.push(Line::styled(
        fit(
            &format!(" {} {:>10} {}", fit("Account", name_w), "MRR", "Why today"),
            w,
        ),
        t.muted(),
    ));
    lines.extend(super::list_status(app, q.loaded, "nothing to do today"));
    for (selected, id) in super::visible_rows(app) {
        let Some(row) = q.row(id) else { continue };
        let reasons: Vec<String> = row
            .reasons
            .iter()
            .map(|r| r.label(app.today, mrr_short))
            .collect();
        let text = format!(
            " {} {:>10} {}",
            fit(&safe(&row.name), name_w),
            truncate(&mrr_short(row.mrr_cents, &row.currency), 10),
            truncate(&reasons.join(" · "), reasons_w)
        );
        let style = if selected {
            t.selected()
        } else if row.urgency <= 1 {
            t.warn()
        } else {
            t.base()
        };
        lines.push(Line::styled(fit(&text, w), style));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
